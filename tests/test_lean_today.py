"""`leadcard today` is read without typer when its command line holds only today's own options;
it must answer exactly as the typer command does, and leave everything else to typer."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import empty_store, sales_floor, sqlite_only
from leadcard.cli import lean_today
from leadcard.commands.common import Globals

LEAN_LINES = [
    ("today",),
    ("today", "--json"),
    ("--as", "赵经理", "today", "--all"),
    ("today", "--as", "赵经理", "--all", "--json"),
    ("--as=钱主管", "today", "--owner", "王芳"),
    ("today", "--owner=李强", "--as", "钱主管"),
    ("today", "--owner", "孙丽"),  # a consultant may not look at another's list
    ("today", "--owner", "王芳", "--all"),
    ("today", "--date", "2026-05-06"),
    ("today", "--date=明天"),
    ("today", "--date", "someday"),
    ("--as", "nobody", "today"),
]


@pytest.fixture
def floor(lc):
    sales_floor(lc)
    for name, phone, owner, grade in (("张三", "13800138000", "王芳", "H"), ("李四", "13900139000", "李强", "A"),
                                      ("王五", "13700137000", "孙丽", "B")):
        lc.ok("add", name, "--phone", phone, "--owner", owner, "--grade", grade, now="2026-05-01T10:00:00")
    lc.ok("log", "张三", "--channel", "sms", "--content", "感谢到店", "--next", "2026-05-04", now="2026-05-01T11:00:00")
    lc.user = "王芳"
    return lc


def on_both_paths(lc, *line, **kwargs):
    """The line run on the lean path and then through typer; the lean run's result, once both agree."""
    assert lean_today(list(line)) is not None, "this line should not need typer"
    lean = lc(*line, **kwargs)
    with pytest.MonkeyPatch.context() as typer_only:
        typer_only.setattr("leadcard.cli.lean_today", lambda args: None)
        typer = lc(*line, **kwargs)
    assert (lean.exit_code, lean.stdout, lean.stderr) == (typer.exit_code, typer.stdout, typer.stderr)
    return lean


@pytest.mark.parametrize("line", LEAN_LINES, ids=" ".join)
def test_the_lean_path_answers_as_the_typer_command_does(floor, line):
    on_both_paths(floor, *line)


def test_the_store_named_by_db_wins_over_the_environment_on_both_paths(floor, tmp_path):
    elsewhere = {"LEADCARD_DB": str(tmp_path / "elsewhere.db")}
    for line in (("--db", str(floor.db), "today"), ("today", f"--db={floor.db}", "--json")):
        lean = on_both_paths(floor, *line, env=elsewhere)
        assert lean.exit_code == 0 and "张三" in lean.stdout
    assert not (tmp_path / "elsewhere.db").exists()


def test_the_lean_path_covers_the_lines_of_every_outcome(floor):
    codes = {floor(*line).exit_code for line in LEAN_LINES}
    assert codes == {0, 1, 2}


@pytest.mark.parametrize("line", [
    ("today", "--help"),
    ("today", "--json", "--json"),
    ("today", "--owner", "王芳", "--owner", "李强"),
    ("today", "--bogus"),
    ("today", "A00001"),
    ("--json", "today"),
    ("today", "--date", "-1d"),
    ("today", "--owner"),
    ("today", "--db"),
    ("list",),
    (),
], ids=lambda line: " ".join(line) or "nothing")
def test_anything_else_is_left_to_typer(line):
    assert lean_today(list(line)) is None


def test_the_global_options_come_from_the_command_line_or_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LEADCARD_DB", str(tmp_path / "env.db"))
    monkeypatch.setenv("LEADCARD_USER", "")  # empty is unset, as typer reads it
    assert lean_today(["today"])[0] == Globals(db=tmp_path / "env.db", acting=None)
    assert lean_today(["today", "--db", "x.db", "--as", "王芳"])[0] == Globals(db=Path("x.db"), acting="王芳")


def loaded_modules(tmp_path: Path, *argv: str, watched: str = "m == 'typer' or m.startswith('leadcard.commands.')",
                   db: str | None = None) -> list[str]:
    """typer and the command modules (or the `watched` ones) that running `leadcard ARGV` loads, in a fresh process."""
    probe = (f"import json, sys; sys.argv = {['leadcard', *argv]!r}\n"
             "from leadcard.cli import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             f"print(json.dumps(sorted(m for m in sys.modules if {watched})))")
    env = {**os.environ, "LEADCARD_DB": db or str(tmp_path / "s.db"), "LEADCARD_NOW": "2026-05-03T10:00:00"}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_morning_list_does_not_load_typer(tmp_path):
    assert loaded_modules(tmp_path, "today") == ["leadcard.commands.clock", "leadcard.commands.common",
                                                 "leadcard.commands.exits", "leadcard.commands.morning"]


DRIVER = "m.split('.')[0] in ('psycopg', 'psycopg_binary')"


def test_a_store_in_a_file_never_loads_the_postgresql_driver(tmp_path):
    empty_store(tmp_path / "s.db")
    for line in (("today",), ("today", "--json"), ("list",), ("add", "张三", "--phone", "13800138000")):
        assert loaded_modules(tmp_path, *line, watched=DRIVER) == [], line


def test_a_store_on_a_server_is_what_loads_it(tmp_path):
    url = "postgresql://nobody@/leadcard?host=/nonexistent&connect_timeout=1"
    assert "psycopg" in loaded_modules(tmp_path, "today", watched=DRIVER, db=url)


def test_any_other_command_loads_typer_and_only_its_own_module(tmp_path):
    assert loaded_modules(tmp_path, "list") == ["leadcard.commands.app", "leadcard.commands.cards", "leadcard.commands.clock",
                                                "leadcard.commands.common", "leadcard.commands.exits",
                                                "leadcard.commands.help", "leadcard.commands.options",
                                                "leadcard.commands.pager", "typer"]


STARTED = """
import json, sys, typing
opened = []
sys.addaudithook(lambda event, args: event == "open" and opened.append(str(args[0])))
from leadcard.cli import main
try:
    main()
except SystemExit as exit:
    code = exit.code
compiled = [f"{name}.{value.__name__}.{field}" for name, module in list(sys.modules.items()) if name.startswith("leadcard")
            for value in vars(module).values() if isinstance(value, type) and value.__module__ == name
            and issubclass(value, tuple) for field, kind in getattr(value, "__annotations__", {}).items()
            if isinstance(kind, typing.ForwardRef)]
print(json.dumps({"code": code, "modules": sorted(sys.modules), "opened": opened, "compiled": compiled}))
"""


def started(db: Path, *argv: str, **env: str | None) -> dict:
    """What running `leadcard ARGV` on the store `db` does in a fresh process: its exit code, the
    modules it loads, the files it opens, and the fields of its value types whose annotation typing
    had to compile from a string (ForwardRef). An environment variable given None is unset."""
    env = {**os.environ, "LEADCARD_DB": str(db), "LEADCARD_NOW": "2026-05-03T10:00:00", **env}
    done = subprocess.run([sys.executable, "-c", f"import sys; sys.argv = {['leadcard', *argv]!r}\n{STARTED}"],
                          env={k: v for k, v in env.items() if v is not None}, capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def catalogs_read(run: dict) -> list[str]:
    return [Path(f).name for f in run["opened"] if "locale" in Path(f).parts]


# What the morning list must not pay for: the catalog's reader, typer, rich's console and table,
# the version lookup, what only writes need.
HEAVY = {"gettext", "locale", "typer", "click", "rich.console", "rich.table", "importlib.metadata", "dateutil",
         "tomllib"}


@sqlite_only("what start-up loads is measured on a file store; a server's store loads its driver")
def test_the_morning_list_in_chinese_reads_no_catalog_and_loads_nothing_heavy(floor):
    empty = started(floor.db.with_name("empty.db"), "init", LEADCARD_LANG=None)
    assert empty["code"] == 0
    empty = started(floor.db.with_name("empty.db"), "today", LEADCARD_LANG=None)
    assert (empty["code"], catalogs_read(empty)) == (0, [])
    assert HEAVY.isdisjoint(empty["modules"]) and "leadcard.model.deals" not in empty["modules"]  # nothing to quote
    busy = started(floor.db, "today", LEADCARD_USER="王芳", LEADCARD_LANG=None)
    assert (busy["code"], catalogs_read(busy)) == (0, [])
    assert HEAVY.isdisjoint(busy["modules"]) and "leadcard.render.grid" in busy["modules"]


@sqlite_only("what start-up loads is measured on a file store; a server's store loads its driver")
def test_the_morning_list_in_english_reads_the_catalog_once_without_gettext(floor):
    run = started(floor.db, "today", LEADCARD_USER="王芳", LEADCARD_LANG="en")
    assert (run["code"], catalogs_read(run)) == (0, ["en.mo"])
    assert HEAVY.isdisjoint(run["modules"])


def test_the_value_types_of_the_morning_list_compile_no_annotation_but_the_deal_desks(floor):
    # typing compiles a NamedTuple field's annotation when it is a string (`from __future__ import
    # annotations`); only the three fields typed by the deal desk, whose module loads where it is used, are.
    run = started(floor.db, "today", "--as", "赵经理", "--all")
    assert {"leadcard.render.grid", "leadcard.model.deals", "leadcard.schedule"} <= set(run["modules"])
    assert (run["code"], sorted(run["compiled"])) == (0, ["leadcard.model.CardDetail.desk",
                                                          "leadcard.model.PriceApproval.quote",
                                                          "leadcard.model.TodayItem.quote"])


@sqlite_only("what start-up loads is measured on a file store; a server's store loads its driver")
def test_other_commands_do_not_pay_for_the_version_or_the_shells_completion(floor):
    run = started(floor.db, "list", LEADCARD_USER="王芳")
    assert run["code"] == 0
    assert "importlib.metadata" not in run["modules"] and "leadcard.commands.admin" not in run["modules"]


@pytest.mark.parametrize("line", [("today",), ("list",)], ids=" ".join)
def test_a_reader_that_has_gone_ends_the_program_quietly(floor, line):
    read_end, write_end = os.pipe()
    os.close(read_end)
    # Buffered, as Python writes to a pipe unless PYTHONUNBUFFERED (which some CI runners set).
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"},
           "LEADCARD_DB": str(floor.db), "LEADCARD_NOW": floor.now, "LEADCARD_USER": "王芳"}
    done = subprocess.run([sys.executable, "-m", "leadcard", *line], stdout=write_end, stderr=subprocess.PIPE,
                          env=env, text=True, timeout=60)
    os.close(write_end)
    assert (done.returncode, done.stderr) == (1, "")


def test_the_lean_path_knows_every_option_the_typer_command_has():
    import typer.main

    from leadcard.cli import _TODAY_FLAGS, _TODAY_VALUES
    from leadcard.commands.common import GLOBAL_FLAGS, GLOBAL_OPTIONS
    from leadcard.commands.app import build_app

    group = typer.main.get_command(build_app("today"))
    today_options = {o for p in group.commands["today"].params for o in p.opts}
    global_options = {o for p in group.params for o in p.opts}
    assert today_options == {*_TODAY_VALUES, *_TODAY_FLAGS}
    assert global_options - {"-h", "--help", "--version"} == {*GLOBAL_OPTIONS, *GLOBAL_FLAGS}


@sqlite_only("what start-up loads is measured on a file store; a server's store loads its driver")
def test_a_report_starts_its_reads_without_the_hubs_merging_and_its_rows_compile_no_annotation(floor):
    # A report's start-up is the part of its time no second connection shortens: the rows the store
    # hands it are NamedTuples typed without strings, and a hub's merging loads only on a hub.
    run = started(floor.db, "report", "weekly", "--json", LEADCARD_USER="赵经理")
    assert run["code"] == 0 and "leadcard.domain.hub_merge" not in run["modules"]
    assert {"leadcard.store.reports", "leadcard.store.report_events", "leadcard.store.traffic"} <= set(run["modules"])
    assert [name for name in run["compiled"] if not name.startswith("leadcard.model.")] == []
