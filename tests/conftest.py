"""Tests drive the real CLI against real SQLite files, with the clock fixed through LEADCARD_NOW.

The backend is chosen here: with LEADCARD_TEST_PG naming a PostgreSQL cluster (a socket directory
or a `postgresql://` URL of a role that may create databases), every test on the `lc` store runs
on SQLite and again on a fresh PostgreSQL database of its own — required then: a server that cannot
be reached fails the run. LEADCARD_TEST_BACKEND=sqlite or postgres runs only one of them.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from typer.testing import CliRunner

from leadcard import i18n
from leadcard.cli import main

DEFAULT_NOW = "2026-05-03T10:00:00"


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a command run with LEADCARD_LANG=en leaves this
    process's catalog English after it, which a test calling a domain function directly (mutmut
    runs them in an order of its own) would read."""
    i18n.reset()


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


class Leadcard:
    """Runs `leadcard …` on one store with a settable clock and acting user."""

    def __init__(self, db: Path | str):
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


SERVER = os.environ.get("LEADCARD_TEST_PG") or None
BACKENDS = [os.environ["LEADCARD_TEST_BACKEND"]] if os.environ.get("LEADCARD_TEST_BACKEND") else \
    ["sqlite", "postgres"] if SERVER else ["sqlite"]
# Tests of what only an SQLite file has (its -wal beside it, its permissions, its header, the
# sqlite3 shell's view of it): they run on SQLite only.
sqlite_only = pytest.mark.sqlite_only


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only(reason): a test of the SQLite file itself, not run on PostgreSQL")


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames and len(BACKENDS) > 1:
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request) -> str:
    name = getattr(request, "param", BACKENDS[0])
    if name == "postgres" and request.node.get_closest_marker("sqlite_only"):
        pytest.skip(request.node.get_closest_marker("sqlite_only").args[0])
    return name


def server_url(database: str) -> str:
    """The URL of a database on the test cluster."""
    if SERVER is None:
        pytest.skip("LEADCARD_TEST_PG names no PostgreSQL server")
    if SERVER.startswith("postgres"):
        return urlunsplit(urlsplit(SERVER)._replace(path=f"/{database}"))
    return f"postgresql://postgres@/{database}?host={SERVER}"


class Cluster:
    """Fresh databases on the test server, each a copy of one migrated template (fast to make)."""

    def __init__(self):
        import psycopg

        self.admin = psycopg.connect(server_url("postgres"), autocommit=True)
        self.template = f"leadcard_template_{os.getpid()}"
        self.made: list[str] = []
        self.admin.execute(f"DROP DATABASE IF EXISTS {self.template}")
        self.admin.execute(f"CREATE DATABASE {self.template}")
        empty_store(server_url(self.template))

    def database(self, empty: bool = False) -> str:
        name = f"leadcard_{os.getpid()}_{len(self.made)}"
        self.made.append(name)
        self.admin.execute(f"DROP DATABASE IF EXISTS {name}")
        self.admin.execute(f"CREATE DATABASE {name}" + ("" if empty else f" TEMPLATE {self.template}"))
        return server_url(name)

    def drop(self, url: str) -> None:
        self.admin.execute(f"DROP DATABASE IF EXISTS {urlsplit(url).path[1:]} WITH (FORCE)")

    def close(self) -> None:
        self.admin.execute(f"DROP DATABASE IF EXISTS {self.template} WITH (FORCE)")
        self.admin.close()


@pytest.fixture(scope="session")
def cluster():
    if SERVER is None:
        pytest.skip("LEADCARD_TEST_PG names no PostgreSQL server")
    made = Cluster()
    yield made
    made.close()


@pytest.fixture(scope="session")
def logical_cluster(cluster) -> Cluster:
    """The test server, for a dealer group's hub: logical replication needs its wal_level logical
    (.ci/run starts it so); a server without it fails the tests that need it, naming the setting."""
    level = cluster.admin.execute("SHOW wal_level").fetchone()[0]
    if level != "logical":
        pytest.fail(f"the test server's wal_level is {level}: a hub's tests need logical "
                    "(start it with -c wal_level=logical, as .ci/run does)")
    return cluster


@pytest.fixture
def lc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str, request) -> Leadcard:
    for var in ("LEADCARD_DB", "LEADCARD_USER", "LEADCARD_NOW", "LEADCARD_TZ"):
        monkeypatch.delenv(var, raising=False)
    if backend == "postgres":
        cluster = request.getfixturevalue("cluster")
        url = cluster.database()
        request.addfinalizer(lambda: cluster.drop(url))
        return Leadcard(url)
    return empty_store(tmp_path / "store.db")


def on_server(store: Leadcard | Path | str) -> bool:
    return isinstance(getattr(store, "db", store), str)


@contextmanager
def database(store: Leadcard | Path | str):
    """A connection of the test's own to a store (a Leadcard's, a file, a URL), past leadcard, on
    either backend: the server's speaks sqlite3's interface and raises its errors
    (leadcard.store.postgres)."""
    location = getattr(store, "db", store)
    if on_server(location):
        from leadcard.store import postgres

        conn = postgres.connect(location, 10_000)
        try:
            yield conn
        finally:
            conn.close()
        return
    conn = sqlite3.connect(location)
    try:
        with conn:
            yield conn
    finally:
        conn.close()


class HeldLock:
    """Another connection's lock on an SQLite store while the block runs: the write lock (another
    PC's long import), or with `readers` every reader shut out too (a long write in rollback mode, a
    tool holding the file). The store is in use, not damaged."""

    def __init__(self, path, readers: bool = False):
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.readers = readers

    def __enter__(self):
        import gc

        gc.collect()  # the store connections of the commands run in this process, closed
        if self.readers:
            self.conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        self.conn.execute("BEGIN EXCLUSIVE" if self.readers else "BEGIN IMMEDIATE")
        return self

    def __exit__(self, *exc):
        self.conn.execute("ROLLBACK")
        self.conn.close()


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


def table_names(conn) -> list[str]:
    """The store's tables, on either backend."""
    if getattr(conn, "dialect", None) == "postgres":
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                            "AND tablename != 'leadcard_schema'")
    else:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return [r[0] for r in rows]


def row_counts(lc: Leadcard, *tables: str) -> dict:
    """Rows per table: a refused command must leave every one unchanged."""
    with database(lc) as db:
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
