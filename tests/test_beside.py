"""A report reads some of its records beside its own reads, on a second connection in a thread of its
own (`Store.beside`): the two cores of a showroom PC share the work. What is read there is the
store's, never written; what fails there fails the command as it would have in the main thread."""

from __future__ import annotations

import sqlite3
import threading
from zoneinfo import ZoneInfo

import pytest

from leadcard.store import Store
from leadcard.store import traffic
from conftest import empty_store, on_server

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def store(tmp_path):
    empty_store(tmp_path / "store.db").ok("add", "张三", "--phone", "13800138000")
    opened = Store.open(tmp_path / "store.db", TZ)
    yield opened
    opened.close()


def test_a_read_beside_runs_in_another_thread_on_a_connection_that_only_reads(store):
    def read(reader: Store):
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.conn.execute("DELETE FROM cards")
        return threading.get_ident(), reader.conn is store.conn, reader.card_count()

    thread, same_connection, cards = store.beside(read)()
    assert thread != threading.get_ident() and not same_connection and cards == 1
    assert store.card_count() == 1


def test_within_a_transaction_the_read_is_made_here_and_sees_its_writes(store):
    with store.transaction():
        store.set_setting("beside", "写入未提交")
        assert store.beside(lambda reader: (reader is store, reader.setting("beside")))() == (True, "写入未提交")


def test_what_fails_beside_is_raised_where_its_result_is_asked_for(store):
    beside = store.beside(lambda reader: reader.conn.execute("SELECT * FROM no_such_table"))
    with pytest.raises(sqlite3.OperationalError, match="no_such_table"):
        beside()


def test_a_report_whose_read_beside_fails_ends_with_one_line(lc, monkeypatch):
    """The showroom's traffic is read beside the report's other records: an error of the store there
    is told as any other (one line, exit 1), never as a traceback."""
    lc.ok("add", "张三", "--phone", "13800138000")
    threads = []

    def failing(store, *args):
        threads.append(threading.get_ident())
        return store.conn.execute("SELECT * FROM no_such_table").fetchall()

    monkeypatch.setattr(traffic, "invitations", failing)
    for args in (("weekly",), ("monthly",), ("trend", "--weeks", "4")):
        failed = lc("report", *args)
        assert failed.exit_code == 1, (args, failed.stdout, failed.stderr)
        assert failed.stderr.startswith("leadcard: 数据库读不出来") and len(failed.stderr.splitlines()) == 1, failed.stderr
        assert "Traceback" not in failed.stderr + failed.stdout
    # A file store reads it in a thread of its own; a server reads it in turn, on the same connection.
    assert (threading.get_ident() in threads) == on_server(lc)
