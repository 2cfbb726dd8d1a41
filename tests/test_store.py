"""The store file: where it lives, how it is created, migrated and refused."""

import os
import stat

import pytest

from conftest import database, run_process, sqlite_only
from leadcard.store import SCHEMA_VERSION


@sqlite_only("the file's mode and SQLite's journal")
def test_the_store_is_private_wal_and_versioned(lc):
    lc.ok("add", "张三", "--phone", "13800138000")
    assert stat.S_IMODE(os.stat(lc.db).st_mode) == 0o600
    with database(lc.db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"cards", "followups", "grade_changes", "instructions", "users", "card_events", "settings"} <= tables


def test_db_comes_from_the_option_the_environment_or_the_user_data_dir(tmp_path):
    env = {"LEADCARD_NOW": "2026-05-03T10:00:00", "HOME": str(tmp_path / "home"),
           "XDG_DATA_HOME": str(tmp_path / "data")}
    assert run_process("add", "张三", "--phone", "13800138000", env=env).returncode == 0
    assert (tmp_path / "data" / "leadcard" / "leadcard.db").exists()
    for named in ("a.db", "b.db"):
        assert run_process("--db", str(tmp_path / named), "init", env=env).returncode == 0
    assert run_process("--db", str(tmp_path / "a.db"), "add", "李四", "--phone", "13900139000", env=env).returncode == 0
    assert run_process("add", "王五", "--phone", "13700137000", "--db", str(tmp_path / "b.db"), env=env).returncode == 0
    env_b = {**env, "LEADCARD_DB": str(tmp_path / "b.db")}
    listed = run_process("list", "--json", env=env_b)
    assert [c["name"] for c in __import__("json").loads(listed.stdout)] == ["王五"]


def test_a_missing_directory_is_a_clear_message(tmp_path):
    result = run_process("--db", str(tmp_path / "no" / "such" / "s.db"), "init")
    assert result.returncode == 1
    assert result.stderr.strip().startswith("leadcard: 打不开数据库")
    assert "Traceback" not in result.stderr


def test_a_file_that_is_not_sqlite_is_refused(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("这不是数据库" * 200, encoding="utf-8")
    result = run_process("--db", str(path), "today")
    assert result.returncode == 1
    assert "不是 leadcard 的数据库" in result.stderr
    assert "Traceback" not in result.stderr


def test_another_programs_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "other.db"
    with database(path) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    result = run_process("--db", str(path), "today")
    assert result.returncode == 1
    assert "不是 leadcard 的数据库" in result.stderr


def test_a_store_from_a_newer_leadcard_is_refused(lc):
    lc.ok("add", "张三", "--phone", "13800138000")
    with database(lc.db) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    result = lc("today")
    assert result.exit_code == 1
    assert "比这个 leadcard 能识别的" in result.stderr and "请升级 leadcard" in result.stderr
    english = lc("today", env={"LEADCARD_LANG": "en"})
    assert "newer" in english.stderr and "upgrade leadcard" in english.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_store_is_a_clear_message(tmp_path):
    path = tmp_path / "s.db"
    path.write_bytes(b"")
    path.chmod(0)
    result = run_process("--db", str(path), "today")
    assert result.returncode == 1
    assert "permission denied" in result.stderr


def test_bad_clock_and_zone_are_bad_input(lc):
    assert lc("today", env={"LEADCARD_NOW": "yesterday-ish"}).exit_code == 2
    result = lc("today", env={"LEADCARD_TZ": "Mars/Olympus"})
    assert result.exit_code == 2
    assert "LEADCARD_TZ" in result.stderr


def test_the_clock_zone_moves_the_day(lc):
    lc.ok("add", "张三", "--phone", "13800138000", now="2026-05-03T23:30:00")
    assert lc.json("today", now="2026-05-03T23:30:00")["date"] == "2026-05-03"
    # 16:30 UTC on 3 May is already 4 May in Shanghai.
    assert lc.json("today", now="2026-05-03T16:30:00+00:00")["date"] == "2026-05-04"


@sqlite_only("the file copied beside an older store")
def test_an_older_store_is_backed_up_then_migrated(lc, monkeypatch):
    import leadcard.store as store_module
    from leadcard.store import migrations

    lc.ok("add", "张三", "--phone", "13800138000")

    def m002_test_column(db):
        db.execute("ALTER TABLE cards ADD COLUMN test_column TEXT")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, m002_test_column])
    monkeypatch.setattr(store_module, "MIGRATIONS", migrations.MIGRATIONS)
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    assert lc.json("show", "张三")["name"] == "张三"
    backup = lc.db.with_name(f"store.db.v{SCHEMA_VERSION}.bak")
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600
    with database(backup) as conn:
        assert conn.execute("SELECT name FROM cards").fetchall() == [("张三",)]
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    with database(lc.db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        assert "test_column" in {r[1] for r in conn.execute("PRAGMA table_info(cards)")}


def test_a_failed_migration_leaves_the_store_as_it_was(lc, monkeypatch):
    import leadcard.store as store_module
    from leadcard.store import migrations

    lc.ok("add", "张三", "--phone", "13800138000")

    def m002_broken(db):
        db.execute("ALTER TABLE cards ADD COLUMN half_done TEXT")
        db.execute("THIS IS NOT SQL")

    monkeypatch.setattr(store_module, "MIGRATIONS", [*migrations.MIGRATIONS, m002_broken])
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    result = lc("today")
    assert result.exit_code == 1
    assert "m002_broken" in result.stderr and "数据库没有改动" in result.stderr
    with database(lc.db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert "half_done" not in {r[1] for r in conn.execute("PRAGMA table_info(cards)")}


def test_a_bulk_writes_stamps_are_the_moments_as_stored_in_any_zone():
    """`stamper` (the demo's million moments) writes each as `ts` does: across daylight saving's
    changes (a skipped and a repeated hour, half-hour shifts), in local mean time, at either
    reading of a repeated hour, and for a moment of another zone."""
    from datetime import datetime, timedelta, timezone
    from zoneinfo import ZoneInfo

    from leadcard.store import ts
    from leadcard.store.bulk import stamper

    for zone in ("Asia/Shanghai", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "America/Havana"):
        tz = ZoneInfo(zone)
        start = datetime(2025, 1, 1, tzinfo=tz)
        moments = [start + timedelta(minutes=n * 37, seconds=n % 60, microseconds=n * 7919 % 1_000_000)
                   for n in range(366 * 1440 // 37)]
        moments += [m.replace(fold=1) for m in moments[::50]]
        moments += [datetime(1890, 3, 1, 12, 30, 15, tzinfo=tz), datetime(1969, 12, 31, 23, 59, 59, tzinfo=tz),
                    datetime(2026, 5, 3, 6, 30, tzinfo=timezone.utc), None]
        stamp = stamper(tz)
        assert [stamp(m) for m in moments] == [ts(m) for m in moments], zone
        assert [stamp(m) for m in moments] == [ts(m) for m in moments], zone  # and again, from what it kept
