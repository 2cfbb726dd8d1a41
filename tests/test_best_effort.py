"""A read command's own writes — the calendar's cache, the schedules computed again after an upgrade —
are attempted, never required: a store busy beyond the wait answers as it stands.

The audit of a big store met this when one of its processes wrote a year's calendar while another
read: the second's write could not even begin (SQLite refuses a write on a read that another process
overtook), and the command ended in a traceback instead of the audit.
"""

import sqlite3

import pytest

import leadcard.store
from conftest import HeldLock, sqlite_only

MANAGER = "赵经理"


@pytest.fixture
def store(lc):
    lc.ok("demo", "--cards", "200", "--seed", "1")
    lc.user = MANAGER
    return lc


def settings(lc) -> dict:
    with sqlite3.connect(lc.db) as conn:
        return dict(conn.execute("SELECT key, value FROM settings"))


@sqlite_only("SQLite's write lock, held by another connection")
@pytest.mark.parametrize("command", [("audit",), ("audit", "--json")], ids=" ".join)
def test_a_command_that_cannot_cache_the_calendar_answers_all_the_same(store, monkeypatch, command):
    answer = store.ok(*command).stdout
    with sqlite3.connect(store.db) as conn:
        conn.execute("DELETE FROM settings WHERE key LIKE 'calendar.%'")
    before = settings(store)
    monkeypatch.setattr(leadcard.store, "BUSY_TIMEOUT_MS", 50)
    with HeldLock(store.db):
        result = store(*command)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == answer
    assert settings(store) == before  # nothing cached while the store was busy
    store.ok(*command)
    assert {"calendar.2026", "calendar.2027"} <= set(settings(store))  # the next command caches it


@sqlite_only("SQLite's write lock, held by another connection")
def test_schedules_due_to_be_computed_again_wait_for_a_store_that_is_free(store, monkeypatch):
    with sqlite3.connect(store.db) as conn:
        conn.execute("UPDATE settings SET value = '0' WHERE key = 'schedule.derivation'")
    monkeypatch.setattr(leadcard.store, "BUSY_TIMEOUT_MS", 50)
    with HeldLock(store.db):
        result = store("today")
    assert (result.exit_code, result.stderr) == (0, "")
    assert settings(store)["schedule.derivation"] == "0"
    store.ok("today")
    assert settings(store)["schedule.derivation"] == str(leadcard.schedule.DERIVATION)
