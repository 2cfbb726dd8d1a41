"""Every command's options and arguments, fuzzed (issue 17, point 8): whatever is typed, as whoever
types it, the program answers with the contract's exit code and at most one line on stderr — never
a traceback, never an escape code sent to the terminal, never a store written over; and what a
command accepted never breaks the manager's everyday reading of the store afterwards.

The commands are walked as typer builds them, so a new command is fuzzed without a line here. The
budget is fixed and derandomized (CI runs the same examples every time): EXAMPLES per command;
LEADCARD_FUZZ_EXAMPLES sets another budget for a longer hunt."""

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzzing import ROLES, commands, copy_of, showroom, values_for

COMMANDS = commands()
EXAMPLES = int(os.environ.get("LEADCARD_FUZZ_EXAMPLES", 30))
# What must never reach a terminal: C0 controls but line feed and tab, DEL, C1; a carriage return
# only as the end of a CSV or calendar line.
RAW_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")
# The program's own colours, when it draws in colour.
COLOUR = re.compile("\x1b\\[[0-9;]*m")
# Commands that only read: any other that succeeds has its store read back by the manager's
# everyday commands, so that no value a command accepts breaks a later one.
READERS = {"show", "list", "today", "audit", "report weekly", "report monthly", "export", "calendar", "doctor",
           "policy show", "user list", "visit list", "objection list", "playbook list", "playbook show", "case list",
           "target list", "completion", "backup"}
READ_BACK = [("today", "--all"), ("list", "--all", "--json"), ("audit",), ("report", "monthly"), ("calendar",),
             ("export", "--format", "json"), ("visit", "list")]
FILES = ("store.db", "store.db-wal", "store.db-shm", "store.db-journal", "link.db", "backup.db", "cards.csv",
         "cards.xlsx", "broken.xlsx", "empty.csv", "policy.toml", "out.csv", "out.xlsx", "out.json", "out.md",
         "out.ics", "out.txt", "out", "out.CSV", "missing/out.csv", "新建.xlsx")


@pytest.fixture(scope="module")
def floor(tmp_path_factory):
    """The floor, and the files a command line may name beside it: a backup of the store, sheets to
    import (with formulas, markup and an escape code; broken; empty), a policy file with numbers no
    policy has."""
    from openpyxl import Workbook

    folder = tmp_path_factory.mktemp("floor")
    lc = showroom(folder / "store.db")
    lc.ok("backup", str(folder / "backup.db"), user="赵经理")
    (folder / "cards.csv").write_text("姓名,电话,备注\n=1+1,13800138001,[/]\n王\x1b[31m,13800138002,x\n,,\n",
                                      encoding="utf-8")
    book = Workbook()
    book.active.append(["姓名", "电话", "下次联系"])
    book.active.append(["'=2+2", "13800138003", "9999-12-31"])
    book.save(folder / "cards.xlsx")
    (folder / "broken.xlsx").write_bytes(b"PK\x03\x04" + bytes(range(256)))
    (folder / "empty.csv").write_bytes(b"")
    (folder / "policy.toml").write_text("scheme = 'habc'\n[cadence]\nH = nan\nA = inf\nB = -1\n", encoding="utf-8")
    return lc


def command_line(draw, command, folder: Path) -> list[str]:
    """A line for `command`: every required parameter and any of the others, each with a value of
    its kind or of any kind; options as `--name=value`, arguments after `--` or not."""
    paths = [str(folder), *(str(folder / name) for name in FILES)]
    options, arguments = [], []
    for param in command.params:
        if param.param_type_name == "argument":
            if param.nargs == 1 and not param.required and not draw(st.booleans()):
                continue
            count = 1 if param.nargs == 1 else draw(st.integers(0, 3))
            arguments += [draw(values_for(param, paths)) for _ in range(count)]
        elif param.required or draw(st.booleans()):
            name = draw(st.sampled_from(param.opts + param.secondary_opts))
            if param.is_flag:
                options.append(name)
                continue
            for _ in range(draw(st.integers(1, 3)) if param.multiple else 1):
                options.append(f"{name}={draw(values_for(param, paths))}")
    return [*options, *(["--"] if arguments and draw(st.booleans()) else []), *arguments]


@pytest.mark.parametrize("words", sorted(COMMANDS))
@settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_no_command_line_ends_in_a_traceback(floor, words, data):
    folder = Path(tempfile.mkdtemp(prefix="leadcard-fuzz-"))
    try:
        lc = copy_of(floor, folder)
        for name in FILES[4:11]:
            if name != "link.db":
                shutil.copyfile(floor.db.parent / name, folder / name)
        (folder / "link.db").symlink_to(lc.db)
        line = [*words.split(), *command_line(data.draw, COMMANDS[words], folder)]
        user = data.draw(st.sampled_from([*ROLES, None, "无此人"]), label="as")
        language = data.draw(st.sampled_from(["zh", "en"]), label="LEADCARD_LANG")
        colour = data.draw(st.sampled_from(["", "1"]), label="FORCE_COLOR")
        width = data.draw(st.sampled_from(["120", "80", "30", "1"]), label="COLUMNS")
        result = lc(*line, user=user, env={"LEADCARD_LANG": language, "FORCE_COLOR": colour, "NO_COLOR": "",
                                           "COLUMNS": width})
        said = COLOUR.sub("", result.stdout + result.stderr)
        assert result.exit_code in (0, 1, 2), said
        assert "Traceback" not in said
        if result.exit_code == 2:
            assert result.stderr.count("\n") == 1, result.stderr
        assert not RAW_CONTROL.search(said), said
        with open(lc.db, "rb") as store:
            assert store.read(16) == b"SQLite format 3\x00", "the store was written over"
        if result.exit_code == 0 and words not in READERS:
            for reader in READ_BACK:
                read = lc(*reader, user="赵经理")
                assert read.exit_code == 0 and "Traceback" not in read.stderr, (reader, read.stderr)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
