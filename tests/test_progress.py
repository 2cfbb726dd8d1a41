"""Progress of long work on stderr, only on a terminal: nothing when piped or under cron."""

import csv
import os
import re

import pytest

from conftest import on_a_terminal, sqlite_only

pytestmark = pytest.mark.skipif(os.name == "nt", reason="pseudo-terminals are POSIX")


def stderr_on_a_terminal(db, *args: str) -> str:
    return on_a_terminal(db, *args, stream="stderr", check=True)


@pytest.fixture
def big_sheet(tmp_path):
    path = tmp_path / "cards.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["姓名", "电话"])
        writer.writerows((f"客户{i}", f"139{i:08d}") for i in range(6_000))
    return path


def test_a_long_import_shows_its_progress_on_a_terminal(tmp_path, big_sheet):
    shown = stderr_on_a_terminal(tmp_path / "store.db", "import", str(big_sheet))
    assert "导入" in shown and "6000" in shown


def test_a_long_import_shows_nothing_when_stderr_is_not_a_terminal(lc, big_sheet):
    imported = lc.ok("import", str(big_sheet))
    assert imported.stderr == ""


def test_a_short_import_shows_no_bar_even_on_a_terminal(tmp_path):
    path = tmp_path / "few.csv"
    path.write_text("姓名,电话\n张三,13800138000\n", encoding="utf-8")
    assert "导入" not in stderr_on_a_terminal(tmp_path / "store.db", "import", str(path))


# -- demo, export and audit of a large store --------------------------------------------------------


@pytest.fixture(scope="module")
def large_store(tmp_path_factory):
    """A demo store of 5,000 cards, built on a terminal: (its file, what the demo showed)."""
    db = tmp_path_factory.mktemp("large") / "store.db"
    return db, stderr_on_a_terminal(db, "demo", "--cards", "5000")


@pytest.fixture
def copy_of_large_store(lc, large_store):
    import shutil

    shutil.copy(large_store[0], lc.db)
    return lc


def test_a_large_demo_shows_the_cards_it_has_built_on_a_terminal(large_store):
    shown = large_store[1]
    assert "建卡" in shown and "5000/5000" in shown


def test_a_large_demo_shows_nothing_when_stderr_is_not_a_terminal(lc):
    built = lc.ok("demo", "--cards", "5000")
    assert built.stderr == ""


def test_a_large_export_shows_the_rows_it_has_written_on_a_terminal(large_store, tmp_path):
    shown = stderr_on_a_terminal(large_store[0], "--as", "赵经理", "export", "--output", str(tmp_path / "all.csv"))
    # How far the count had gone at each redraw depends on the machine's speed; that it counted does not.
    assert "导出" in shown and re.search(r"[1-9][0-9]*/", shown)


@sqlite_only("copies an SQLite store of 5,000 cards in place")
def test_a_large_export_shows_nothing_when_stderr_is_not_a_terminal(copy_of_large_store, tmp_path):
    exported = copy_of_large_store.ok("export", "--output", str(tmp_path / "all.csv"), user="赵经理")
    assert exported.stderr == ""


def test_a_large_audit_shows_the_cards_it_has_checked_on_a_terminal(large_store):
    shown = stderr_on_a_terminal(large_store[0], "--as", "赵经理", "audit", "--since", "2025-01-01", "--json")
    assert "审计" in shown and "5000/" in shown


@sqlite_only("copies an SQLite store of 5,000 cards in place")
def test_a_large_audit_shows_nothing_when_stderr_is_not_a_terminal(copy_of_large_store):
    audited = copy_of_large_store("audit", "--since", "2025-01-01", "--json", user="赵经理")
    assert audited.stderr == "" and audited.stdout.startswith("{")


def test_a_small_audit_shows_no_bar_even_on_a_terminal(tmp_path):
    db = tmp_path / "store.db"
    stderr_on_a_terminal(db, "init")
    assert "审计" not in stderr_on_a_terminal(db, "audit", "--json")


# -- report of a large store -----------------------------------------------------------------------


def cards_done(shown: str) -> list[int]:
    """How many of the 5,000 cards each drawing of the bar said were done, in the order drawn."""
    return [int(done) for done in re.findall(r"(-?\d+)/5000\b", shown)]


def test_a_large_weekly_report_shows_how_far_it_is_on_a_terminal(large_store):
    shown = stderr_on_a_terminal(large_store[0], "--as", "赵经理", "report", "weekly", "--json")
    done = cards_done(shown)
    assert "周报" in shown and done == sorted(done) and done[0] >= 0 and done[-1] == 5000


def test_a_large_monthly_report_shows_its_progress_in_english_too(large_store):
    shown = on_a_terminal(large_store[0], "--as", "赵经理", "report", "monthly", "--json", stream="stderr",
                          env={"LEADCARD_LANG": "en"}, check=True)
    done = cards_done(shown)
    assert "Monthly report" in shown and done == sorted(done) and done[0] >= 0 and done[-1] == 5000


@sqlite_only("copies an SQLite store of 5,000 cards in place")
def test_a_large_report_shows_nothing_when_stderr_is_not_a_terminal(copy_of_large_store):
    reported = copy_of_large_store("report", "weekly", "--json", user="赵经理")
    assert reported.exit_code == 0 and reported.stderr == "" and reported.stdout.startswith("{")


def test_a_small_report_shows_no_bar_even_on_a_terminal(tmp_path):
    db = tmp_path / "store.db"
    stderr_on_a_terminal(db, "demo", "--cards", "4999")
    assert "周报" not in stderr_on_a_terminal(db, "--as", "赵经理", "report", "weekly", "--json")
