"""No command writes over the store, and no mistyped --db answers from an empty store (issue 17).

An export renamed over the store, or over its write-ahead log, would lose every card with exit 0;
a mistyped `--db` used to create an empty store and tell the consultant nothing was due.
"""

import csv
import os

import pytest

from conftest import run_process, sqlite_only

OUTPUT_COMMANDS = {
    "export": ("export", "--format", "csv", "--output"),
    "export by suffix": ("export", "--output"),
    "report": ("report", "weekly", "--output"),
    "report xlsx": ("report", "weekly", "--format", "xlsx", "--output"),
    "calendar": ("calendar", "--output"),
    "backup": ("backup",),
}


def store_with_a_card(lc):
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "A")
    # A second writer keeps the WAL file in place, as on a busy showroom PC.
    lc.ok("log", "张三", "--channel", "phone", "--content", "约周六试驾", "--next", "2026-05-09")
    return lc


@sqlite_only("the store's file and the files SQLite keeps beside it")
@pytest.mark.parametrize("command", OUTPUT_COMMANDS, ids=str)
@pytest.mark.parametrize("companion", ["", "-wal", "-shm", "-journal"], ids=["store", "wal", "shm", "journal"])
def test_an_output_naming_the_store_or_its_companion_files_is_refused_and_the_store_kept(lc, tmp_path, command,
                                                                                       companion):
    store_with_a_card(lc)
    target = f"{lc.db}{companion}"
    result = lc(*OUTPUT_COMMANDS[command], target)
    assert result.exit_code == 1, result.stderr
    assert result.stderr.count("\n") == 1 and "什么也没写入" in result.stderr
    assert "Traceback" not in result.stderr
    if os.path.exists(target):  # SQLite's own file still: no CSV, workbook, Markdown, calendar or copy
        written = (b"\xef\xbb\xbf", b"PK", b"#", b"BEGIN:VCALENDAR") + ((b"SQLite format 3",) if companion else ())
        assert not open(target, "rb").read().startswith(written)
    assert [c["name"] for c in lc.json("list")] == ["张三"]
    assert lc.json("show", "张三")["followups"][0]["content"] == "约周六试驾"
    assert lc.ok("doctor").exit_code == 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


@sqlite_only("a link to the store's file")
@pytest.mark.parametrize("command", ["export", "calendar", "backup", "report"])
def test_a_link_to_the_store_is_the_store(lc, tmp_path, command):
    store_with_a_card(lc)
    soft = tmp_path / "soft.csv"
    soft.symlink_to(lc.db)
    hard = tmp_path / "hard.csv"
    os.link(lc.db, hard)
    line = {"export": ("export", "--format", "csv", "--output"), "calendar": ("calendar", "--output"),
            "backup": ("backup",), "report": ("report", "weekly", "--format", "csv", "--output")}[command]
    for link in (soft, hard):
        result = lc(*line, str(link))
        assert result.exit_code == 1 and "就是数据库本身" in result.stderr
    assert [c["name"] for c in lc.json("list")] == ["张三"]


def test_an_output_beside_the_store_is_written(lc, tmp_path):
    store_with_a_card(lc)
    lc.ok("export", "--output", str(tmp_path / "store.db.csv"))
    lc.ok("backup", str(tmp_path / "store-wal.db"))
    rows = list(csv.reader(open(tmp_path / "store.db.csv", encoding="utf-8-sig")))
    assert rows[1][1] == "张三"


# -- a store named by --db or LEADCARD_DB must exist -------------------------------------------------------


def test_a_mistyped_db_is_refused_by_today_on_the_lean_path_and_through_typer(lc, tmp_path):
    store_with_a_card(lc)
    typo = tmp_path / "stroe.db"
    lean = lc("--db", str(typo), "today")
    with pytest.MonkeyPatch.context() as typer_only:
        typer_only.setattr("leadcard.cli.lean_today", lambda args: None)
        typed = lc("--db", str(typo), "today")
    for result in (lean, typed):
        assert result.exit_code == 1 and result.stdout == ""
        assert str(typo) in result.stderr and "leadcard init" in result.stderr
    assert not typo.exists()


@pytest.mark.parametrize("line", [("list",), ("audit",), ("show", "张三"), ("add", "李四", "--phone", "13900139000"),
                                  ("user", "list"), ("report", "weekly"), ("export",), ("policy", "show")],
                         ids=" ".join)
def test_a_store_named_in_the_environment_that_does_not_exist_is_refused(lc, tmp_path, line):
    typo = tmp_path / "leadcrad.db"
    result = lc(*line, env={"LEADCARD_DB": str(typo)})
    assert result.exit_code == 1, result.stderr
    assert result.stderr == f"leadcard: {typo} 没有数据库：请检查 --db / LEADCARD_DB，或用 `leadcard init` 新建\n"
    english = lc(*line, env={"LEADCARD_DB": str(typo), "LEADCARD_LANG": "en"})
    assert english.stderr == f"leadcard: no store at {typo}: check --db / LEADCARD_DB, or create it with `leadcard init`\n"
    assert not typo.exists()


@sqlite_only("restores an SQLite backup into new files")
def test_init_demo_import_and_restore_create_the_store_they_are_given(lc, tmp_path):
    lc.ok("add", "张三", "--phone", "13800138000")
    lc.ok("backup", str(tmp_path / "backup.db"))
    sheet = tmp_path / "cards.csv"
    sheet.write_text("姓名,电话\n李四,13900139000\n", encoding="utf-8")
    made = {name: tmp_path / f"{name}.db" for name in ("init", "demo", "import", "restore")}
    lc.ok("--db", str(made["init"]), "init")
    lc.ok("--db", str(made["demo"]), "demo", "--cards", "5")
    lc.ok("--db", str(made["import"]), "import", str(sheet))
    lc.ok("--db", str(made["restore"]), "restore", str(tmp_path / "backup.db"))
    assert all(path.exists() for path in made.values())
    assert [c["name"] for c in lc.json("list", "--db", str(made["import"]))] == ["李四"]
    assert [c["name"] for c in lc.json("list", "--db", str(made["restore"]))] == ["张三"]


def test_the_default_store_is_still_made_on_first_use(tmp_path):
    env = {"LEADCARD_NOW": "2026-05-03T10:00:00", "HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(tmp_path / "data")}
    first = run_process("today", env=env)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "data" / "leadcard" / "leadcard.db").exists()


@sqlite_only("the store's file and the files SQLite keeps beside it")
@pytest.mark.parametrize("case", ["empty sheet", "sheet without names", "garbage JSON", "truncated export",
                                  "dry run", "unknown user", "bad policy", "a hub on a file"])
def test_a_refused_or_dry_run_import_or_init_leaves_no_store_behind(tmp_path, case):
    from conftest import Leadcard

    files = {"empty sheet": ("empty.csv", ""), "sheet without names": ("cards.csv", "电话\n13800138000\n"),
             "garbage JSON": ("all.json", '{"format": "leadcard", "vers'),
             "truncated export": ("all.json", '{"format": "leadcard", "version": 2, "cards": ['),
             "dry run": ("cards.csv", "姓名,电话\n张三,13800138000\n"),
             "unknown user": ("cards.csv", "姓名,电话\n张三,13800138000\n"),
             "bad policy": ("store.toml", "[grades.Z]\ncadence_days = 2\n"),
             "a hub on a file": ("unused.txt", "")}
    name, text = files[case]
    (tmp_path / name).write_text(text, encoding="utf-8")
    lc = Leadcard(tmp_path / "mistyped.db")
    command = {"dry run": ("import", str(tmp_path / name), "--dry-run"),
               "bad policy": ("init", "--policy-file", str(tmp_path / name)), "a hub on a file": ("init", "--hub")}
    result = lc(*command.get(case, ("import", str(tmp_path / name))), user="无此人" if case == "unknown user" else None)
    assert result.exit_code == (0 if case == "dry run" else 1 if case in ("unknown user", "a hub on a file") else 2), \
        result.stderr
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("mistyped")]
    refused = lc("list")
    assert refused.exit_code == 1 and "没有数据库" in refused.stderr


@sqlite_only("the store's file")
def test_an_import_that_writes_keeps_the_store_it_made(tmp_path):
    from conftest import Leadcard

    (tmp_path / "cards.csv").write_text("姓名,电话\n张三,13800138000\n", encoding="utf-8")
    lc = Leadcard(tmp_path / "new.db")
    lc.ok("import", str(tmp_path / "cards.csv"))
    assert [c["name"] for c in lc.json("list")] == ["张三"]
