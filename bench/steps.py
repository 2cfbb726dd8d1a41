"""SQLite's virtual-machine steps of each SQL statement a command runs: a measure of a query's work
that a shared machine's load does not disturb, unlike its time.

    LEADCARD_DB=store.db LEADCARD_NOW=2026-12-02T09:00:00 python bench/steps.py --as 赵经理 report monthly --json

Runs the command in this process with every connection the store opens (the command's own and
`Store.beside`'s in its thread) counting steps by a progress handler called every 1,000 steps, each
call charged to the statement being stepped on that connection; then prints to stderr each
statement's steps (thousands), the CPU seconds of its thread spent in it and the connections it ran
on (numbered as opened: 1 is the command's own), most steps first, and the totals. The command's own output goes to stdout as usual.
"""

from __future__ import annotations

import sqlite3
import sys
import threading
import time
from collections import defaultdict

EVERY = 1000
steps: dict[str, int] = defaultdict(int)
cpu: dict[str, float] = defaultdict(float)
on: dict[str, set[int]] = defaultdict(set)  # the connections (numbered as opened) each ran on
_lock = threading.Lock()
_opened = [0]


class _Cursor(sqlite3.Cursor):
    """Marks its statement as the one its connection steps whenever rows are asked of it."""

    def _stepping(self, call, *args):
        conn = self.connection
        before, conn.current = conn.current, self.sql
        started = time.thread_time()
        try:
            return call(*args)
        finally:
            with _lock:
                cpu[self.sql] += time.thread_time() - started
            conn.current = before

    def execute(self, sql, *args):
        self.sql = " ".join(sql.split())
        with _lock:
            on[self.sql].add(self.connection.number)
        return self._stepping(super().execute, sql, *args)

    def __next__(self):
        return self._stepping(super().__next__)

    def fetchone(self):
        return self._stepping(super().fetchone)

    def fetchmany(self, *args):
        return self._stepping(super().fetchmany, *args)

    def fetchall(self):
        return self._stepping(super().fetchall)


class _Connection(sqlite3.Connection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = "(outside a statement)"
        with _lock:
            _opened[0] += 1
            self.number = _opened[0]
        self.set_progress_handler(self._count, EVERY)

    def _count(self) -> int:
        with _lock:
            steps[self.current] += EVERY
        return 0

    def cursor(self, factory=_Cursor):
        return super().cursor(factory)

    def execute(self, sql, *args):
        return self.cursor().execute(sql, *args)


_connect = sqlite3.connect


def _counting_connect(*args, **kwargs):
    kwargs.setdefault("factory", _Connection)
    return _connect(*args, **kwargs)


def main() -> None:
    sqlite3.connect = _counting_connect
    from leadcard.cli import main as leadcard

    sys.argv = ["leadcard", *sys.argv[1:]]
    try:
        leadcard()
    except SystemExit:
        pass
    finally:
        width = 160
        rows = sorted(steps, key=lambda sql: -steps[sql])
        total = sum(steps.values())
        print(f"{'k steps':>9} {'cpu s':>6} {'conn':>4}  statement", file=sys.stderr)
        for sql in rows:
            where = ",".join(map(str, sorted(on[sql])))
            print(f"{steps[sql] // 1000:>9} {cpu[sql]:6.2f} {where:>4}  {sql[:width]}", file=sys.stderr)
        print(f"{total // 1000:>9} {sum(cpu.values()):6.2f}       total", file=sys.stderr)


if __name__ == "__main__":
    main()
