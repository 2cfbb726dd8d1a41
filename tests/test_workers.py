"""The processes a command spreads its work over end with it (Linux: the kernel's death signal).

`kill PID` of a demo or of a big store's audit — a cron job's timeout, a script giving up — left its
workers running on, one blocked for ever writing a result nobody reads, and all of them holding the
command's output open: whoever read that output (cron, a pipe, a script) waited for ever.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import DEFAULT_NOW

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the death signal is Linux's")


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def killed_midway(args: list[str], env: dict) -> tuple[float, bool]:
    """The command started in a session of its own and sent SIGTERM once it has started workers; how
    long its output stayed open after, and whether every process of the session was gone within 20 s."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LEADCARD_")}
    environment.update(env)
    process = subprocess.Popen([sys.executable, "-m", "leadcard", *args], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=environment, start_new_session=True)
    deadline = time.monotonic() + 60
    while not children(process.pid):
        assert process.poll() is None and time.monotonic() < deadline, "no worker was started"
        time.sleep(0.02)
    time.sleep(0.3)  # the workers at work
    process.send_signal(signal.SIGTERM)
    killed = time.monotonic()
    try:
        process.communicate(timeout=20)
        open_for = time.monotonic() - killed
    except subprocess.TimeoutExpired:
        open_for = float("inf")
    while time.monotonic() - killed < 20:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return open_for, True
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    return open_for, False


def test_a_demo_killed_midway_takes_its_workers_with_it(tmp_path):
    env = {"LEADCARD_DB": str(tmp_path / "demo.db"), "LEADCARD_NOW": DEFAULT_NOW}
    open_for, gone = killed_midway(["demo", "--cards", "40000", "--seed", "1"], env)
    assert open_for < 10 and gone


def test_a_big_audit_killed_midway_takes_its_other_process_with_it(tmp_path):
    env = {"LEADCARD_DB": str(tmp_path / "big.db"), "LEADCARD_NOW": DEFAULT_NOW}
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LEADCARD_")}
    built = subprocess.run([sys.executable, "-m", "leadcard", "demo", "--cards", "12000", "--seed", "1"],
                           capture_output=True, env={**environment, **env}, timeout=300)
    assert built.returncode == 0, built.stderr.decode()
    open_for, gone = killed_midway(["--as", "赵经理", "audit", "--json"], env)
    assert open_for < 10 and gone
