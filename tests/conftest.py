"""Tests drive the real CLI against real SQLite files, with the clock fixed through LEADCARD_NOW."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadcard import i18n
from leadcard.cli import main

DEFAULT_NOW = "2026-05-03T10:00:00"


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


class Leadcard:
    """Runs `leadcard …` on one store with a settable clock and acting user."""

    def __init__(self, db: Path):
        self.db = db
        self.now = DEFAULT_NOW
        self.user: str | None = None

    def __call__(self, *args: str, now: str | None = None, user: str | None = None, env: dict | None = None) -> Result:
        runner = CliRunner()
        environment = {"LEADCARD_DB": str(self.db), "LEADCARD_NOW": now or self.now, "LEADCARD_TZ": "Asia/Shanghai",
                       "NO_COLOR": "1", "COLUMNS": "120"}
        acting = user or self.user
        environment["LEADCARD_USER"] = acting
        environment.update(env or {})
        # The program's own entry point, as `leadcard …` runs it (the lean path of `today` included),
        # with typer's test isolation of the environment and the standard streams.
        with runner.isolation(env=environment) as (stdout, stderr, _), pytest.MonkeyPatch.context() as patch:
            patch.setattr(sys, "argv", ["leadcard", *args])
            i18n.reset()  # each run reads LEADCARD_LANG, as a new process would
            try:
                main()
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
            sys.stdout.flush()
            sys.stderr.flush()
            return Result(code, stdout.getvalue().decode(), stderr.getvalue().decode())

    def ok(self, *args: str, **kwargs) -> Result:
        result = self(*args, **kwargs)
        assert result.exit_code == 0, f"leadcard {' '.join(args)} → {result.exit_code}\n{result.stdout}\n{result.stderr}"
        return result

    def json(self, *args: str, **kwargs):
        return self.ok(*args, "--json", **kwargs).json()


def empty_store(path: Path) -> Leadcard:
    """A new, empty store at `path` (as `leadcard init` leaves it, before any policy is chosen): a
    store named by LEADCARD_DB must exist for every command but init, demo, import and restore."""
    from zoneinfo import ZoneInfo

    from leadcard.store import Store

    Store.open(path, ZoneInfo("Asia/Shanghai")).close()
    return Leadcard(path)


@pytest.fixture
def lc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Leadcard:
    for var in ("LEADCARD_DB", "LEADCARD_USER", "LEADCARD_NOW", "LEADCARD_TZ"):
        monkeypatch.delenv(var, raising=False)
    return empty_store(tmp_path / "store.db")


def run_process(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The real program in its own process, as a user's shell runs it."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LEADCARD_")}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "leadcard", *args], capture_output=True, text=True,
                          env=environment, cwd=cwd, timeout=120)


def sales_floor(lc: Leadcard, *more: tuple[str, str, str]) -> None:
    """The usual floor: manager 赵经理; team 一组 = supervisor 钱主管 + 王芳, 李强; 孙丽 in 二组.

    Leaves `lc` acting as the manager; `more` adds (name, role, team) users.
    """
    lc.ok("user", "add", "赵经理", "--role", "manager")
    lc.user = "赵经理"
    for name, role, team in (("钱主管", "supervisor", "一组"), ("王芳", "consultant", "一组"),
                             ("李强", "consultant", "一组"), ("孙丽", "consultant", "二组"), *more):
        lc.ok("user", "add", name, "--role", role, "--team", team)


def dormant_card(lc: Leadcard) -> None:
    """张三, grade C, last reached 21 Nov 2025: dormant from 21 May 2026."""
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "C", now="2025-11-20T10:00:00")
    lc.ok("log", "张三", "--channel", "sms", "--content", "感谢到店", now="2025-11-20T10:30:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "明年再说", now="2025-11-21T10:00:00")


def row_counts(lc: Leadcard, *tables: str) -> dict:
    """Rows per table: a refused command must leave every one unchanged."""
    import sqlite3

    with sqlite3.connect(lc.db) as db:
        return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def on_a_terminal(db: Path, *args: str, stream: str = "stdout", env: dict | None = None, rows: int = 24,
                  check: bool = False) -> str:
    """Runs leadcard in its own process with `stream` (stdout or stderr) on a pseudo-terminal of
    `rows` lines (POSIX only); what reached the terminal."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, 100, 0, 0))
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("LEADCARD_", "PAGER"))}
    environment.update({"LEADCARD_DB": str(db), "LEADCARD_NOW": DEFAULT_NOW, **(env or {})})
    other = subprocess.DEVNULL if stream == "stderr" else subprocess.PIPE
    process = subprocess.Popen([sys.executable, "-m", "leadcard", *args], env=environment,
                               stdout=slave if stream == "stdout" else other,
                               stderr=slave if stream == "stderr" else other)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    code = process.wait(timeout=120)
    os.close(master)
    assert code == 0 or not check, code
    return shown.decode("utf-8", errors="replace")
