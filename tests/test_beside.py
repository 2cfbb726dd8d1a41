"""A report reads some of its records beside its own reads, on a second connection in a thread of its
own (`Store.beside`): the two cores of a showroom PC, or of its server, share the work. What is read
there is the store's, never written; what fails there fails the command as it would have in the main
thread; a server that refuses another connection has the read made on the command's own."""

from __future__ import annotations

import sqlite3
import threading
from zoneinfo import ZoneInfo

import pytest

from leadcard.errors import StoreError
from leadcard.store import Store, postgres
from leadcard.store import traffic
from conftest import Leadcard, sales_floor
from test_report_edges import add, log, weekly

TZ = ZoneInfo("Asia/Shanghai")
SQLITE_READONLY = 8


@pytest.fixture
def store(lc: Leadcard):
    """The store of one card, on each backend."""
    lc.ok("add", "张三", "--phone", "13800138000")
    opened = Store.open(lc.db, TZ)
    yield opened
    opened.close()


def test_a_read_beside_runs_in_another_thread_on_a_connection_that_only_reads(store):
    def read(reader: Store):
        with pytest.raises(sqlite3.OperationalError) as refused:
            reader.conn.execute("DELETE FROM cards")
        assert refused.value.sqlite_errorcode == SQLITE_READONLY, refused.value
        return threading.get_ident(), reader.conn is store.conn, reader.card_count()

    thread, same_connection, cards = store.beside(read)()
    assert thread != threading.get_ident() and not same_connection and cards == 1
    assert store.card_count() == 1


def test_a_server_that_refuses_another_connection_has_the_read_made_here_with_the_same_answer(cluster, monkeypatch):
    """A server whose connections are all taken (max_connections) refuses the read's own: the read is
    made at once on the command's connection, and the report says what it says with one."""
    server = Leadcard(cluster.database())
    sales_floor(server)
    add(server, "张三", "13800138000", "2026-11-16 10:00", "--grade", "A", user="王芳")
    log(server, "张三", "2026-11-16 15:00", "phone", "--next", "2026-11-21 10:00", "--purpose", "到店试驾", user="王芳")
    with_two = weekly(server, user="赵经理")
    assert with_two["totals"]["new_cards"] == 1
    opened = []
    connect = postgres.connect

    def crowded(url, busy_timeout_ms, read_only=False):
        opened.append(read_only)
        if read_only:
            raise StoreError("连不上 PostgreSQL 数据库：too many clients already")
        return connect(url, busy_timeout_ms, read_only)

    monkeypatch.setattr(postgres, "connect", crowded)
    assert weekly(server, user="赵经理") == with_two
    assert True in opened  # the read's own was asked for, and refused
    store = Store.open(server.db, TZ)
    try:
        assert store.beside(lambda reader: (reader is store, threading.get_ident()))() == (True, threading.get_ident())
    finally:
        store.close()


def test_within_a_transaction_the_read_is_made_here_and_sees_its_writes(store):
    with store.transaction():
        store.set_setting("beside", "写入未提交")
        assert store.beside(lambda reader: (reader is store, reader.setting("beside")))() == (True, "写入未提交")


def test_what_fails_beside_is_raised_where_its_result_is_asked_for(store):
    beside = store.beside(lambda reader: reader.conn.execute("SELECT * FROM no_such_table"))
    with pytest.raises(sqlite3.DatabaseError, match="no_such_table"):
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
    # Read in a thread of its own, on a file as on a server.
    assert threads and threading.get_ident() not in threads
