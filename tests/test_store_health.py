"""Busy is not broken: a store another command is writing says so and asks to try again; only real
damage sends the user to `doctor` and `restore`. `doctor` tells a read-only store from a damaged
one and names what leadcard did not make (a trigger slipped into a backup), which `restore`
refuses. An import's memory stays flat: tables are read only as wide as their header, within
Excel's own limits, and a workbook that unpacks like a zip bomb is refused."""

from __future__ import annotations

import gc
import re
import os
import shutil
import sqlite3
import subprocess
import zipfile
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

import leadcard.schedule
import leadcard.store
from conftest import database, Leadcard, sqlite_only

FIXTURES = Path(__file__).parent / "fixtures"
BUSY = "数据库正忙（另一条命令正在写入）；请稍后重试"


def settle(db: Path) -> None:
    """Fold the write-ahead log into the file and let SQLite remove it with the last connection."""
    gc.collect()  # store connections of earlier in-process commands
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


# -- busy ------------------------------------------------------------------------------------------


@pytest.fixture
def holding_the_write_lock(lc, monkeypatch):
    """Another command in the middle of its write: a second connection holds the write lock, and
    this process waits 0.1 s for it rather than 10."""
    lc.ok("add", "张三", "--phone", "13800138000")
    monkeypatch.setattr(leadcard.store, "BUSY_TIMEOUT_MS", 100)
    with database(lc) as other:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE settings SET value = value")
        yield other


def test_a_write_while_another_command_writes_is_told_to_try_again(lc, holding_the_write_lock):
    before = lc.json("show", "张三")
    for command in (("log", "张三", "--channel", "phone", "--content", "约试驾"),
                    ("add", "李四", "--phone", "13900139000"),
                    ("grade", "张三", "H")):
        result = lc(*command)
        assert result.exit_code == 1, result.stderr
        assert result.stderr == f"leadcard: {BUSY}\n"
        assert "doctor" not in result.stderr and "restore" not in result.stderr
    assert lc.json("show", "张三") == before  # reading goes on while the other writes
    holding_the_write_lock.execute("COMMIT")
    lc.ok("log", "张三", "--channel", "phone", "--content", "约试驾")  # and the retry goes through


@sqlite_only("damages the store's file")
def test_a_damaged_store_is_what_sends_the_user_to_doctor_and_restore(lc):
    lc.ok("add", "张三", "--phone", "13800138000")
    settle(lc.db)
    with open(lc.db, "r+b") as f:
        f.seek(4096 * 2)
        f.write(b"\x00" * 4096 * 4)
    result = lc("list")
    assert result.exit_code == 1
    assert "doctor" in result.stderr and "restore" in result.stderr and BUSY not in result.stderr


# -- read-only -------------------------------------------------------------------------------------


@contextmanager
def read_only(*paths: Path):
    """Paths this login may not write: by permissions, or for root (who may write anything) by the
    immutable attribute."""
    with ExitStack() as undo:
        for path in paths:
            if os.geteuid() != 0:
                mode = path.stat().st_mode
                path.chmod(0o555 if path.is_dir() else 0o444)
                undo.callback(path.chmod, mode)
                continue
            if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
                pytest.skip("running as root on a file system without the immutable attribute")
            undo.callback(subprocess.run, ["chattr", "-i", str(path)], capture_output=True)
        yield


@pytest.fixture
def shelf(tmp_path):
    """A store in a directory of its own, holding one card, its log folded in."""
    (tmp_path / "shelf").mkdir()
    store = Leadcard(tmp_path / "shelf" / "store.db")
    store.ok("init")
    store.ok("add", "张三", "--phone", "13800138000")
    settle(store.db)
    return store


@pytest.mark.parametrize("locked", ["file", "file and directory"])
def test_doctor_calls_a_healthy_store_it_may_not_write_read_only_not_damaged(shelf, locked):
    paths = (shelf.db,) if locked == "file" else (shelf.db, shelf.db.parent)
    with read_only(*paths):
        report = shelf.json("doctor")
        assert report["read_only"] and report["sound"] and report["integrity"] == ["ok"]
        assert report["counts"]["cards"] == 1
        text = shelf("doctor")
        assert text.exit_code == 0 and "只读" in text.stdout and "restore" not in text.stdout
        result = shelf("add", "李四", "--phone", "13900139000")
        assert result.exit_code == 1 and "只有读权限" in result.stderr
        assert "doctor" not in result.stderr and "restore" not in result.stderr
    assert shelf.json("doctor")["read_only"] is False


# -- what leadcard did not make --------------------------------------------------------------------


def tamper(db: Path, *statements: str) -> None:
    settle(db)
    with database(db) as conn:
        for statement in statements:
            conn.execute(statement)
    conn.close()


FOREIGN_TRIGGER = ("CREATE TRIGGER mirror AFTER INSERT ON cards "
                   "BEGIN UPDATE settings SET value = NEW.phone WHERE key = 'policy.scheme'; END")


@sqlite_only("SQLite's schema objects (on a server: test_postgres)")
@pytest.mark.parametrize("change, named", [
    (FOREIGN_TRIGGER, ("unknown_objects", "trigger mirror")),
    ("CREATE TABLE leak (phone TEXT)", ("unknown_objects", "table leak")),
    ("CREATE VIEW phones AS SELECT phone FROM cards", ("unknown_objects", "view phones")),
    ("CREATE INDEX cards_odd ON cards (notes)", ("unknown_objects", "index cards_odd")),
    ("DROP TRIGGER followups_no_delete", ("missing_objects", "trigger followups_no_delete")),
])
def test_doctor_names_what_leadcard_did_not_make_and_calls_the_store_unsound(lc, change, named):
    lc.ok("add", "张三", "--phone", "13800138000")
    tamper(lc.db, change)
    report = lc("doctor", "--json")
    assert report.exit_code == 1
    key, what = named
    assert report.json()[key] == [what] and not report.json()["sound"]
    assert report.json()["integrity"] == ["ok"]
    assert "结构被改动" in lc("doctor").stdout


@sqlite_only("SQLite's trigger text")
def test_an_append_only_trigger_rewritten_under_its_own_name_is_not_sound(lc):
    lc.ok("add", "张三", "--phone", "13800138000")
    tamper(lc.db, "DROP TRIGGER card_events_no_delete",
           "CREATE TRIGGER card_events_no_delete BEFORE DELETE ON card_events BEGIN SELECT 1; END")
    report = lc("doctor", "--json").json()
    assert report["unknown_objects"] == ["trigger card_events_no_delete"] and not report["sound"]


@sqlite_only("SQLite's own statistics table")
def test_stores_leadcard_made_or_upgraded_are_sound_statistics_included(lc, tmp_path):
    lc.ok("demo", "--cards", "20")
    tamper(lc.db, "ANALYZE")  # sqlite_stat1 is SQLite's own
    report = lc.json("doctor")
    assert report["sound"] and report["unknown_objects"] == [] and report["missing_objects"] == []
    old = Leadcard(tmp_path / "old.db")
    shutil.copy(FIXTURES / "store-v1.db", old.db)
    old.ok("list", user="赵经理")  # upgraded on opening
    assert old.json("doctor")["sound"]


@sqlite_only("a backup file SQLite opens (on a server: test_postgres)")
def test_restore_refuses_a_backup_carrying_a_foreign_trigger(lc, tmp_path):
    lc.ok("add", "张三", "--phone", "13800138000")
    backup = tmp_path / "monday.db"
    lc.ok("backup", str(backup))
    lc.ok("add", "李四", "--phone", "13900139000")
    tamper(backup, FOREIGN_TRIGGER)
    assert lc("doctor", "--json", env={"LEADCARD_DB": str(backup)}).json()["unknown_objects"] == ["trigger mirror"]
    result = lc("restore", str(backup))
    assert result.exit_code == 1 and "trigger mirror" in result.stderr and "没有恢复" in result.stderr
    assert sorted(c["name"] for c in lc.json("list")) == ["张三", "李四"]
    tamper(backup, "DROP TRIGGER mirror")
    lc.ok("restore", str(backup))
    assert [c["name"] for c in lc.json("list")] == ["张三"]


# -- an import's memory ----------------------------------------------------------------------------


def workbook(path: Path, rows: list[list]) -> Path:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("意向客户")
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_a_stray_cell_in_the_last_column_does_not_widen_every_row(tmp_path):
    from leadcard.domain.exchange.layout import CARD_SHEET
    from leadcard.domain.exchange.tables import open_tables

    stray = [None] * 16_380 + ["x"]  # column XFD, as a slip of the mouse leaves it
    path = workbook(tmp_path / "wide.xlsx", [["姓名", "电话"], *([f"客户{i}", f"139{i:08d}", *stray] for i in range(50))])
    with ExitStack() as stack:
        table = open_tables(stack, path, {})[0][CARD_SHEET]
        widths = {len(row) for _, row in table.rows}
    assert table.header == ["姓名", "电话"] and widths == {2}


def test_a_workbook_with_a_stray_cell_far_right_still_imports(lc, tmp_path):
    stray = [None] * 16_380 + ["x"]
    path = workbook(tmp_path / "wide.xlsx", [["姓名", "电话"], *([f"客户{i}", f"139{i:08d}", *stray] for i in range(30))])
    assert lc.json("import", str(path))["imported"]["cards"] == 30


def refused_import(lc, path: Path, *words: str) -> None:
    result = lc("import", str(path))
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith("leadcard: ") and result.stderr.count("\n") == 1, result.stderr
    for word in words:
        assert word in result.stderr
    assert lc.json("list") == []


def test_a_cell_beyond_excels_limit_is_refused_in_csv_and_xlsx(lc, tmp_path):
    lc.ok("init")
    long_note = "很" * 32_768
    csv_path = tmp_path / "long.csv"
    csv_path.write_text(f"姓名,电话,备注\n张三,13800138000,{long_note}\n", encoding="utf-8")
    refused_import(lc, csv_path, "第 2 行", "32,767")
    # openpyxl cuts what it writes at Excel's limit: the longer cell is put in by hand, as a tool
    # that ignores the limit would.
    short = workbook(tmp_path / "short.xlsx", [["姓名", "电话", "备注"], ["张三", "13800138000", "NOTE"]])
    xlsx = tmp_path / "long.xlsx"
    with zipfile.ZipFile(short) as source, zipfile.ZipFile(xlsx, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item).replace(b">NOTE<", f">{long_note}<".encode()))
    refused_import(lc, xlsx, "第 2 行", "32,767")
    at_limit = tmp_path / "at-limit.csv"
    at_limit.write_text(f"姓名,电话,备注\n张三,13800138000,{long_note[1:]}\n", encoding="utf-8")
    assert lc.json("import", str(at_limit))["imported"]["cards"] == 1


def test_a_header_of_more_columns_than_a_card_sheet_has_is_refused(lc, tmp_path):
    lc.ok("init")
    header = ["姓名", "电话", *(f"列{i}" for i in range(255))]
    refused_import(lc, workbook(tmp_path / "wide.xlsx", [header, ["张三", "13800138000"]]), "共 257 列")
    csv_path = tmp_path / "wide.csv"
    csv_path.write_text(",".join(header) + "\n张三,13800138000\n", encoding="utf-8")
    refused_import(lc, csv_path, "共 257 列")
    csv_path.write_text(",".join(header[:-1]) + "\n张三,13800138000\n", encoding="utf-8")
    assert lc.json("import", str(csv_path))["imported"]["cards"] == 1


def test_a_line_no_table_could_hold_is_refused_before_it_is_read_whole(lc, tmp_path):
    lc.ok("init")
    path = tmp_path / "commas.csv"
    path.write_text("姓名,电话\n张三,13800138000" + "," * 1_000_001 + "\n", encoding="utf-8")
    refused_import(lc, path, "1,000,000 个字符")


def test_more_rows_than_a_sheet_holds_are_refused(lc, tmp_path, monkeypatch):
    from leadcard.domain.exchange import tables

    monkeypatch.setattr(tables, "MAX_ROWS", 3)  # Excel's 1,048,576, made small for the test
    lc.ok("init")
    rows = [["姓名", "电话"], *([f"客户{i}", f"139{i:08d}"] for i in range(4))]
    csv_path = tmp_path / "many.csv"
    csv_path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    refused_import(lc, csv_path, "超过 3 行")
    refused_import(lc, workbook(tmp_path / "many.xlsx", rows), "超过 3 行")
    csv_path.write_text("\n".join(",".join(r) for r in rows[:4]) + "\n", encoding="utf-8")
    assert lc.json("import", str(csv_path))["imported"]["cards"] == 3


def test_a_workbook_that_unpacks_like_a_zip_bomb_is_refused(lc, tmp_path):
    lc.ok("init")
    real = workbook(tmp_path / "real.xlsx", [["姓名", "电话"], ["张三", "13800138000"]])
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(real) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + \
            b"<si><t>" + b"x" * (40 << 20) + b"</t></si></sst>"
        target.writestr("xl/sharedStrings.xml", strings)
    assert bomb.stat().st_size < 1 << 20
    refused_import(lc, bomb, "xl/sharedStrings.xml", "不是可导入的工作簿")


# -- a store of another leadcard version --------------------------------------------------------------


@sqlite_only("a store file of schema version 1")
def test_a_store_an_older_leadcard_wrote_is_sound_and_told_it_will_be_upgraded(tmp_path):
    # Right after `pip install -U leadcard`, before any other command: nothing is wrong with the
    # store, and restoring a backup over it would lose the records written since.
    old = Leadcard(tmp_path / "old.db")
    shutil.copy(FIXTURES / "store-v1.db", old.db)
    report = old.json("doctor")
    assert report["sound"] and report["upgrade_pending"]
    assert (report["schema_version"], report["expected_version"]) == (1, leadcard.store.SCHEMA_VERSION)
    text = old("doctor")
    assert text.exit_code == 0 and "restore" not in text.stdout
    assert f"1（下一条命令会把它升级到 {leadcard.store.SCHEMA_VERSION}）" in text.stdout
    assert "下一条命令（如 `leadcard today`）会先把它升级到这个版本" in text.stdout
    old.ok("list", user="赵经理")  # upgraded on opening
    report = old.json("doctor")
    assert report["sound"] and not report["upgrade_pending"]
    assert "下一条命令" not in old("doctor").stdout


@sqlite_only("the schema version of a store file")
def test_a_store_a_newer_leadcard_wrote_is_not_sound_and_not_sent_to_restore(lc):
    lc.ok("add", "张三", "--phone", "13800138000")
    newer = leadcard.store.SCHEMA_VERSION + 1
    tamper(lc.db, f"PRAGMA user_version = {newer}")
    report = lc("doctor", "--json")
    assert report.exit_code == 1
    assert not report.json()["sound"] and not report.json()["upgrade_pending"]
    text = lc("doctor")
    assert text.exit_code == 1
    assert f"{newer}（比这个 leadcard 能识别的 {leadcard.store.SCHEMA_VERSION} 新）" in text.stdout
    assert "请升级 leadcard" in text.stdout and "不要用备份恢复" in text.stdout


def test_doctor_names_every_table_leadcard_makes_in_chinese(lc):
    lc.ok("demo", "--cards", "20")
    report = lc.json("doctor")
    text = lc("doctor", env={"COLUMNS": "200"}).stdout
    lines = [line.strip() for line in text.splitlines()]
    counted = [line for line in lines[lines.index(next(x for x in lines if x.startswith("写入"))) + 1:]
               if re.fullmatch(r"\S+\s+[\d,]+", line)]
    assert len(counted) == len(report["counts"]) > 15, text
    assert not [line for line in counted if re.match(r"\s*[A-Za-z_]", line)], text
    assert "来店（电）登记" in text and "报价" in text and "话术库" in text


@sqlite_only("a store file of schema version 1")
def test_doctor_says_when_the_next_command_schedules_every_card_again(tmp_path):
    # The store of version 1 was scheduled before the derivation's version was noted: the next
    # command computes every card's due time again (README "After an upgrade"), and then notes it.
    old = Leadcard(tmp_path / "old.db")
    shutil.copy(FIXTURES / "store-v1.db", old.db)
    report = old.json("doctor")
    assert (report["schedule_derivation"], report["rederive_pending"]) == (None, True)
    assert report["expected_derivation"] == leadcard.schedule.DERIVATION
    assert f"未记录（下一条命令会按这个版本的规则 {leadcard.schedule.DERIVATION} 重新计算各卡的到期时间）" \
        in old("doctor").stdout
    old.ok("list", user="赵经理")
    report = old.json("doctor")
    assert (report["schedule_derivation"], report["rederive_pending"]) == (leadcard.schedule.DERIVATION, False)
    assert "重新计算" not in old("doctor").stdout


def test_a_file_that_is_no_store_has_no_schedule_to_compute_again(tmp_path):
    other = tmp_path / "notes.db"
    sqlite3.connect(other).execute("CREATE TABLE notes (text TEXT)").connection.close()
    report = Leadcard(other)("doctor", "--json")
    assert report.exit_code == 1 and report.json()["rederive_pending"] is False
    assert "重新计算" not in Leadcard(other)("doctor").stdout


@sqlite_only("an SQLite file in a directory this login may not write")
def test_a_restore_into_a_directory_it_may_not_write_is_one_line_and_moves_nothing(shelf, tmp_path):
    shelf.ok("backup", str(tmp_path / "monday.db"))
    shelf.ok("add", "李四", "--phone", "13900139000")
    settle(shelf.db)
    with read_only(shelf.db.parent):
        result = shelf("restore", str(tmp_path / "monday.db"))
    assert result.exit_code == 1 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "目录只读" in result.stderr
    assert sorted(c["name"] for c in shelf.json("list")) == ["张三", "李四"]
    assert [p.name for p in shelf.db.parent.iterdir() if "before-restore" in p.name] == []


def test_an_import_whose_rejects_file_cannot_be_written_is_refused_before_any_row(lc, tmp_path):
    (tmp_path / "sheets").mkdir()
    sheet = tmp_path / "sheets" / "cards.csv"
    sheet.write_text("姓名,电话,级别\n好客,13812340001,A\n", encoding="utf-8")
    with read_only(sheet.parent):
        result = lc("import", str(sheet), "--skip-bad")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "--skip-bad" in result.stderr and "写不进去" in result.stderr
    assert lc.json("list") == []
