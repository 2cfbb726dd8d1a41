"""A new store filled in bulk (`demo`, an `import` into a store without cards) gets its indexes built
once the rows are in: the store ends with every index its migrations make, doctor calls it sound, and
an import that fails leaves the store as it was, indexes included."""

from __future__ import annotations

import sqlite3

from conftest import sqlite_only


def indexes(db) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                            "ORDER BY name").fetchall()


def sheet(path, rows) -> str:
    path.write_text("姓名,电话,级别,建卡日期\n" + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    return str(path)


@sqlite_only("SQLite's indexes, dropped and built again around a bulk fill (a server builds them as it goes)")
def test_an_exhibition_list_imported_into_a_new_store_leaves_every_index_and_a_sound_store(lc, tmp_path):
    lc.ok("init")
    made = indexes(lc.db)
    lc.ok("import", sheet(tmp_path / "车展.csv", [f"客户{i},139{i:08d},A,2026-04-0{1 + i % 9}" for i in range(50)]))
    assert indexes(lc.db) == made
    report = lc.json("doctor")
    assert report["sound"] and report["missing_objects"] == [] and report["counts"]["cards"] == 50


def test_a_customer_listed_twice_chunks_apart_in_a_new_store_is_imported_once(lc, tmp_path):
    """Cards are looked up by phone a chunk (2,000 rows) at a time while the other indexes wait."""
    lc.ok("init")
    rows = [f"客户{i},139{i:08d},A,2026-04-01" for i in range(2001)] + ["又来了,13900000007,B,2026-04-10"]
    report = lc.json("import", sheet(tmp_path / "全年.csv", rows))
    assert report["imported"]["cards"] == 2001
    assert [(d["line"], "本文件的前面某一行" in d["reason"]) for d in report["duplicates"]] == [(2003, True)]


@sqlite_only("SQLite's indexes, dropped and built again around a bulk fill (a server builds them as it goes)")
def test_a_list_with_a_bad_row_imported_into_a_new_store_leaves_it_empty_with_its_indexes(lc, tmp_path):
    lc.ok("init")
    made = indexes(lc.db)
    result = lc("import", sheet(tmp_path / "bad.csv", ["张伟,13800138000,A,2026-04-01", "李娜,13800138001,A,明年"]))
    assert result.exit_code != 0
    assert indexes(lc.db) == made
    report = lc.json("doctor")
    assert report["sound"] and report["counts"]["cards"] == 0


@sqlite_only("SQLite's indexes, dropped and built again around a bulk fill (a server builds them as it goes)")
def test_a_demo_store_has_the_indexes_of_a_store_made_by_init(lc, tmp_path):
    lc.ok("--db", str(tmp_path / "init.db"), "init")
    lc.ok("demo", "--cards", "40")
    assert indexes(lc.db) == indexes(tmp_path / "init.db")


@sqlite_only("SQLite's journal, changed while a new store is filled")
def test_a_demo_store_is_left_in_wal_even_when_another_connection_has_it_open(lc, tmp_path):
    """The demo fills a new store through a rollback journal and puts it back in WAL; a store that
    another connection holds open cannot leave WAL, and is filled in WAL."""
    lc.ok("demo", "--cards", "40")
    with sqlite3.connect(lc.db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert not lc.db.with_name(lc.db.name + "-journal").exists()
    other = lc.db.with_name("open.db")
    lc.ok("--db", str(other), "init")
    reader = sqlite3.connect(other)
    try:
        assert reader.execute("SELECT count(*) FROM cards").fetchone()[0] == 0
        lc.ok("--db", str(other), "demo", "--cards", "40")
        assert reader.execute("SELECT count(*) FROM cards").fetchone()[0] == 40
        assert reader.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        reader.close()
