"""A showroom's shared store on PostgreSQL (issue 21): many PCs writing at once, and the same answers
as SQLite. These need the server named by LEADCARD_TEST_PG, and skip without one."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DEFAULT_NOW, Leadcard, database, empty_store, run_process, sales_floor

FIXTURE_SQLITE = Path(__file__).parent / "fixtures" / "store-v1.db"
# Ten `log`s in one process, as one consultant's PC sends them one after another.
TEN_LOGS = r"""
import sys
from leadcard.cli import main
pc = sys.argv[1]
for n in range(10):
    sys.argv = ["leadcard", "log", "A00001", "--channel", "phone", "--content", f"{pc} 第{n}次"]
    try:
        main()
    except SystemExit as exc:
        if exc.code:
            raise
"""


def env_for(db, **more) -> dict:
    return {"LEADCARD_DB": str(db), "LEADCARD_NOW": DEFAULT_NOW, "LEADCARD_TZ": "Asia/Shanghai", **more}


@pytest.fixture
def server(cluster) -> Leadcard:
    return Leadcard(cluster.database())


def test_eight_pcs_logging_on_one_card_lose_nothing_and_number_it_1_to_80(server):
    server.ok("add", "张三", "--phone", "13800138000", "--grade", "A")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LEADCARD_")}
    pcs = [subprocess.Popen([sys.executable, "-c", TEN_LOGS, f"PC{n}"], env={**environment, **env_for(server.db)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for n in range(8)]
    for pc in pcs:
        assert pc.wait(timeout=600) == 0, pc.stderr.read()
    followups = server.json("show", "A00001")["followups"]
    assert [f["seq"] for f in followups] == list(range(1, 81))
    assert sorted(f["content"] for f in followups) == sorted(f"PC{pc} 第{n}次" for pc in range(8) for n in range(10))


def test_the_history_is_append_only_on_the_server_too(server):
    server.ok("add", "张三", "--phone", "13800138000")
    server.ok("log", "张三", "--channel", "phone", "--content", "电话沟通")
    with database(server) as conn:
        for statement in ("UPDATE followups SET content = 'x'", "DELETE FROM card_events"):
            with pytest.raises(Exception, match="append-only"):
                conn.execute(statement)
    assert server.json("show", "张三")["followups"][0]["content"] == "电话沟通"


def test_a_database_with_no_store_is_refused_but_by_init(cluster):
    url = cluster.database(empty=True)
    refused = run_process("today", env=env_for(url))
    assert refused.returncode == 1 and "leadcard init" in refused.stderr
    assert run_process("init", env=env_for(url)).returncode == 0
    assert run_process("today", env=env_for(url)).returncode == 0


def test_a_database_holding_other_tables_is_not_taken_for_a_store(cluster):
    url = cluster.database(empty=True)
    with database(url) as conn:
        conn.execute("CREATE TABLE invoices (number TEXT)")
    refused = run_process("init", env=env_for(url))
    assert refused.returncode == 1 and "不是 leadcard 的数据库" in refused.stderr
    with database(url) as conn:
        assert conn.execute("SELECT to_regclass('cards')").fetchone()[0] is None


def test_a_password_in_the_url_is_never_printed(cluster):
    url = cluster.database().replace("postgres@", "postgres:s3cret@")
    shown = run_process("policy", "show", "--json", env=env_for(url))
    assert shown.returncode == 0, shown.stderr
    assert "s3cret" not in shown.stdout and "postgres@" in json.loads(shown.stdout)["db"]


@pytest.mark.parametrize("url", [
    "postgresql://postgres:S3cret%PW@/leadcard?host=/tmp",  # a percent sign that escapes nothing
    "postgresql://postgres:S3cretPW@[::1/leadcard",  # an IPv6 host never closed: the driver quotes the URL
    "postgresql://postgres@/leadcard?host=/tmp&password=S3cret%zz",
])
def test_a_password_in_a_url_the_driver_cannot_read_is_never_printed_either(url):
    """The driver's own words quote the part of the URL it could not read, password and all."""
    pytest.importorskip("psycopg")
    for args in (("today",), ("today", "--json"), ("list",)):
        result = Leadcard(url)(*args)
        assert result.exit_code == 1 and "连不上 PostgreSQL 数据库" in result.stderr
        assert "S3cret" not in result.stderr + result.stdout


def test_the_same_demo_gives_the_same_report_and_audit_on_both_backends(cluster, tmp_path):
    on_sqlite = empty_store(tmp_path / "demo.db")
    on_server = Leadcard(cluster.database())
    answers = []
    for lc in (on_sqlite, on_server):
        lc.ok("demo", "--seed", "7")
        answers.append([lc.ok(*line, user="赵经理").stdout for line in (
            ("report", "weekly", "--format", "json"), ("report", "monthly", "--format", "json"),
            ("audit", "--json"), ("today", "--all", "--json"))])
    assert answers[0] == answers[1]
    assert json.loads(answers[0][2])["findings"]  # the demo's floor has something to find


def test_doctor_on_a_server_names_what_leadcard_did_not_make(server):
    server.ok("add", "张三", "--phone", "13800138000")
    healthy = server.json("doctor")
    assert healthy["sound"] and healthy["schema_version"] == healthy["expected_version"]
    assert healthy["counts"]["cards"] == 1
    # Its schedules noted as computed by this version's rules, read from the server too.
    assert (healthy["schedule_derivation"], healthy["rederive_pending"]) == (healthy["expected_derivation"], False)
    with database(server) as conn:
        conn.execute("UPDATE settings SET value = '0' WHERE key = 'schedule.derivation'")
    assert server.json("doctor")["rederive_pending"] is True
    with database(server) as conn:
        conn.execute("CREATE VIEW phones AS SELECT phone FROM cards")
        conn.execute("CREATE INDEX cards_odd ON cards (notes)")
        conn.execute("DROP TRIGGER followups_no_delete ON followups")
    report = server("doctor", "--json")
    assert report.exit_code == 1
    assert report.json()["unknown_objects"] == ["index cards_odd", "view phones"]
    assert report.json()["missing_objects"] == ["trigger followups_no_delete"]


def test_backup_and_restore_on_a_server_keep_the_replaced_store(server, tmp_path):
    sales_floor(server)
    server.ok("add", "张三", "--phone", "13800138000")
    monday = tmp_path / "monday.dump"
    copy = server.json("backup", str(monday))
    assert copy["sound"] and oct(monday.stat().st_mode & 0o777) == "0o600"
    server.ok("add", "李四", "--phone", "13900139000")
    restored = server.json("restore", str(monday))
    assert [c["name"] for c in server.json("list")] == ["张三"]
    kept = tmp_path / restored["kept"].rsplit("/", 1)[1]
    assert kept.exists() and kept.name.endswith(".dump")
    server.ok("restore", str(kept))  # the replaced store is a backup like any other
    assert sorted(c["name"] for c in server.json("list")) == ["张三", "李四"]
    refused = server("restore", str(FIXTURE_SQLITE))
    assert refused.exit_code == 1 and "没有恢复" in refused.stderr and refused.stderr.count("\n") == 1


def test_without_postgresqls_tools_backup_says_so_in_one_line(server, tmp_path):
    sales_floor(server)
    alone = tmp_path / "bin"
    alone.mkdir()
    result = run_process("backup", str(tmp_path / "b.dump"),
                         env={**env_for(server.db, LEADCARD_USER="赵经理"), "PATH": str(alone)})
    assert result.returncode == 1
    assert result.stderr.startswith("leadcard: 找不到 pg_dump") and result.stderr.count("\n") == 1
    assert not (tmp_path / "b.dump").exists()


# -- the server's planner ---------------------------------------------------------------------------------


def analyzed(server, *tables: str) -> dict[str, bool]:
    """Whether each table has had its planner statistics gathered by an ANALYZE (not by autovacuum,
    which would in a minute or so)."""
    with database(server) as conn:
        return {t: conn.execute("SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = ?",
                                (t,)).fetchone()[0] for t in tables}


def test_no_query_of_leadcards_is_jit_compiled_on_a_server(server):
    """The server's JIT compiled the queries whose cost it overestimated (a fresh store's, before
    its statistics): 0.3 s for a `log` whose queries take a few milliseconds."""
    with database(server) as conn:
        assert conn.execute("SHOW jit").fetchone()[0] == "off"


def test_a_demo_an_import_and_a_restore_leave_the_server_its_statistics_of_their_rows(cluster, server, tmp_path):
    fresh = Leadcard(cluster.database())
    assert analyzed(fresh, "cards", "followups") == {"cards": False, "followups": False}
    fresh.ok("demo", "--cards", "60", "--seed", "7")
    assert analyzed(fresh, "cards", "followups", "card_events", "visits") == dict.fromkeys(
        ("cards", "followups", "card_events", "visits"), True)

    sales_floor(server)
    sheet = tmp_path / "cards.csv"
    sheet.write_text("姓名,电话,级别\n张伟,13800138000,A\n李娜,13900139000,B\n", encoding="utf-8")
    assert analyzed(server, "cards") == {"cards": False}
    server.ok("import", str(sheet), user="赵经理")
    assert analyzed(server, "cards", "card_events", "grade_changes") == dict.fromkeys(
        ("cards", "card_events", "grade_changes"), True)

    monday = tmp_path / "monday.dump"
    server.ok("backup", str(monday))
    server.ok("restore", str(monday))  # the tables made anew, without statistics
    assert analyzed(server, "cards", "followups") == {"cards": True, "followups": True}


def test_a_servers_rows_read_by_position_are_plain_tuples_as_on_sqlite(server):
    """`Store.values` (the audit's batches of records): a `Row` answers by column name too, but in
    Python, which cost an audit at 100,000 cards a second of reading by position."""
    from zoneinfo import ZoneInfo

    from leadcard.store import Store

    sales_floor(server)
    store = Store.open(server.db, ZoneInfo("Asia/Shanghai"), create=False)
    try:
        rows = list(store.values("SELECT id, name FROM users ORDER BY id"))
        assert rows and all(type(row) is tuple for row in rows)
        assert store.conn.execute("SELECT name FROM users ORDER BY id").fetchone()["name"] == rows[0][1]
    finally:
        store.close()


# -- long reads, from a cursor the server holds ----------------------------------------------------------


@pytest.fixture
def opened(server):
    from zoneinfo import ZoneInfo

    from leadcard.store import Store

    sales_floor(server)
    store = Store.open(server.db, ZoneInfo("Asia/Shanghai"), create=False)
    yield store
    store.close()


def held_cursors(store) -> list[tuple]:
    return [tuple(r) for r in store.conn.execute("SELECT name, is_holdable FROM pg_cursors")]


@pytest.mark.parametrize("count", [1999, 2000, 2001, 4001])
def test_a_long_read_comes_from_a_cursor_the_server_holds_a_fetch_at_a_time_and_lets_go_at_its_end(opened, count):
    """A listing of the whole store (`each_row`: `list --json`, `export`, the audit's cards) is fetched
    2,000 rows at a time from a cursor the server holds, not taken whole into the client's memory: each
    row once, in order, at the edges of a fetch, whether iterated or fetched; the cursor is gone once
    the last row is read. Other queries run on the connection meanwhile (WITH HOLD: it outlives
    its statement's transaction)."""
    from leadcard.store import postgres

    assert postgres._ROWS_FETCHED == 2000
    rows = opened.each_row("SELECT n, 'n' || n AS label FROM generate_series(1, ?) AS n ORDER BY n", (count,))
    first = next(iter(rows))
    assert (first[0], first["label"]) == (1, "n1")
    # Held while rows may remain on the server: one fetch short of 2,000 rows was the last.
    assert [holdable for _name, holdable in held_cursors(opened)] == ([True] if count >= 2000 else [])
    assert opened.card_count() == 0  # another query, while the cursor is open
    # Read on by every way a cursor is read, each taking up where the last left off.
    two, one, rest = rows.fetchmany(2), next(rows), rows.fetchall()
    assert [r[0] for r in [first, *two, one, *rest]] == list(range(1, count + 1))
    assert held_cursors(opened) == [] and list(rows) == [] and rows.fetchone() is None


def test_the_audits_cards_read_by_batches_let_the_servers_cursor_go_at_their_end(opened):
    """`values(…, long=True)`, read by `fetchmany` (the audit's batches of cards): plain tuples, and no
    cursor left held once they are all read, however often it is asked again."""
    values = opened.values("SELECT n FROM generate_series(1, 5) AS n ORDER BY n", long=True)
    assert values.fetchmany(3) == [(1,), (2,), (3,)] and held_cursors(opened) != []
    assert values.fetchmany(3) == [(4,), (5,)]
    assert values.fetchmany(3) == [] and values.fetchmany(3) == []
    assert held_cursors(opened) == []


def test_a_long_reads_mistake_is_the_stores_error_before_any_row(opened):
    with pytest.raises(sqlite3.DatabaseError, match="no_such_table"):
        opened.each_row("SELECT * FROM no_such_table")
    assert held_cursors(opened) == []


@pytest.mark.parametrize("command", [
    ("list", "--json", "--all"),
    ("export", "--format", "json"),
    ("audit", "--json", "--since", "2026-01-01"),
], ids=["list", "export", "audit"])
def test_the_commands_that_read_the_whole_store_read_it_from_cursors_the_server_holds(server, monkeypatch, command):
    """Every card (`list --json --all`), every table of an export, the audit's cards: read as they are
    written out, whatever the store's size, on a server as from a file."""
    from leadcard.store import postgres

    sales_floor(server)
    server.ok("add", "张三", "--phone", "13800138000", "--grade", "A", user="王芳")
    server.ok("log", "张三", "--channel", "phone", "--content", "客户约周六来店", "--next", "2026-05-09 10:00", user="王芳")
    read = []
    held = postgres.Connection.held

    def recording(self, sql, params=()):
        caller = sys._getframe(1)
        while caller.f_code.co_name in ("each_row", "values"):
            caller = caller.f_back
        read.append(f"{caller.f_globals['__name__'].rsplit('.', 1)[1]}.{caller.f_code.co_name}")
        return held(self, sql, params)

    monkeypatch.setattr(postgres.Connection, "held", recording)
    server.ok(*command, user="赵经理")
    # Who read: the cards of a listing; each sheet of an export (the deal desk's four by one reader) and
    # each table of its copy of the store as stored; the audit's cards.
    expected = {"list": ["store.each_card"], "audit": ["audit.histories"],
                "export": ["exchange.cards_in", "exchange.followups_in", "exchange.instructions_in", "visits.visits_in",
                           *["deals.rows"] * 4, *["dump.rows"] * len(stored_tables(server))]}
    assert sorted(read) == sorted(expected[command[0]]), read


def stored_tables(server) -> list[str]:
    from zoneinfo import ZoneInfo

    from leadcard.store import Store, dump

    store = Store.open(server.db, ZoneInfo("Asia/Shanghai"), create=False)
    try:
        return list(dump.tables(store))
    finally:
        store.close()


def test_a_role_that_may_only_read_is_told_so_in_a_servers_terms(server):
    """Not "check the file's and its directory's permissions", which a server's store has none of."""
    import uuid

    role = f"reader_{uuid.uuid4().hex[:8]}"
    server.ok("add", "张三", "--phone", "13800138000")
    with database(server) as conn:
        conn.raw.execute(f"CREATE ROLE {role} LOGIN")  # the server's own SQL, past the dialect layer
        conn.raw.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
    try:
        reader = Leadcard(server.db.replace("postgres@", f"{role}@"))
        assert [c["name"] for c in reader.json("list")] == ["张三"]
        refused = reader("add", "李四", "--phone", "13900139000")
        assert (refused.exit_code, refused.stderr) == (
            1, "leadcard: 这个 PostgreSQL 用户对数据库只有读权限，无法写入（请让数据库管理员授予它写权限）\n")
    finally:
        with database(server) as conn:
            conn.raw.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}")
            conn.raw.execute(f"DROP ROLE {role}")
