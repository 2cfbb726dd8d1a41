"""What the fuzz tests found (issue 17, point 8), each kept from coming back: a file named as the
output that is no file to write, a typed line break splitting a refusal in two, a message left in
English, control characters a store holds reaching a terminal through JSON or a calendar."""

import json
import os
import stat

import pytest

from conftest import database, run_process, sales_floor

OUTPUTS = {
    "export csv": ("export", "--output", "{}"),
    "export xlsx": ("export", "--format", "xlsx", "--output", "{}"),
    "report": ("report", "weekly", "--format", "md", "--output", "{}"),
    "calendar": ("calendar", "--output", "{}"),
    "backup": ("backup", "{}"),
}


@pytest.fixture
def floor(lc):
    sales_floor(lc)
    lc.ok("add", "张三", "--phone", "13800138000", "--owner", "王芳")
    return lc


def written(line, target):
    return [str(target) if arg == "{}" else arg for arg in line]


@pytest.mark.parametrize("command", OUTPUTS)
def test_a_folder_named_as_the_output_is_bad_input_and_left_as_it_was(floor, tmp_path, command):
    folder = tmp_path / "reports"
    folder.mkdir()
    result = floor(*written(OUTPUTS[command], folder))
    assert result.exit_code == 2 and result.stderr == f"leadcard: 无法写入 {folder}：它不是普通文件\n"
    assert folder.is_dir() and list(folder.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("command", OUTPUTS)
def test_a_named_pipe_or_device_named_as_the_output_is_never_replaced_by_a_file(floor, tmp_path, command):
    # As root, `export --output /dev/null` renamed a file over the device; a pipe stands in for it.
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    result = floor(*written(OUTPUTS[command], pipe))
    assert result.exit_code == 2 and "它不是普通文件" in result.stderr
    assert stat.S_ISFIFO(pipe.lstat().st_mode)


def test_an_output_in_a_folder_no_file_can_be_made_in_is_one_line_not_a_traceback(floor):
    result = floor("export", "--output", "/proc/leadcard-export.csv")
    assert result.exit_code == 2
    assert result.stderr.startswith("leadcard: 无法写入 /proc/leadcard-export.csv：") and result.stderr.count("\n") == 1


def test_an_xlsx_export_to_a_missing_folder_says_so_and_nothing_more(lc, tmp_path):
    lc.ok("add", "张三", "--phone", "13800138000")
    target = tmp_path / "missing" / "all.xlsx"
    result = run_process("export", "--output", str(target), env={"LEADCARD_DB": str(lc.db)})
    assert result.returncode == 2
    assert result.stderr == f"leadcard: 无法写入 {target}：目录 {target.parent} 不存在\n"


@pytest.mark.parametrize("typed", ["价格\n交车", "价\t格"], ids=repr)
def test_a_line_break_typed_into_a_value_a_refusal_quotes_keeps_the_refusal_one_line(floor, typed):
    for line in (("playbook", "edit", typed, "话术"), ("show", typed), ("log", "张三", "--channel", "phone",
                                                                            "--content", "沟通", "--objection", typed)):
        result = floor(*line)
        assert result.exit_code in (1, 2) and result.stderr.count("\n") == 1, (line, result.stderr)
        assert typed.replace("\n", "\\n").replace("\t", "\\t") in result.stderr


def test_an_ambiguous_name_still_lists_its_cards_one_a_line(floor):
    floor.ok("add", "张三", "--phone", "13900139000", "--owner", "李强")
    result = floor("show", "张三")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == ["  A00001  张三  13800138000  跟进中  王芳",
                                               "  A00002  张三  13900139000  跟进中  李强"]


def test_an_export_format_mistake_is_told_in_the_readers_language(lc):
    lc.ok("add", "张三", "--phone", "13800138000")
    assert lc("export", "--format", "pdf").stderr == "leadcard: 不认识的导出格式 pdf：请用 csv、xlsx 或 json\n"
    assert lc("export", "--format", "xlsx").stderr == "leadcard: xlsx 导出是文件：请加 --output 文件.xlsx\n"
    english = lc("export", "--format", "xlsx", env={"LEADCARD_LANG": "en"})
    assert english.exit_code == 2 and english.stderr == "leadcard: an xlsx export needs --output FILE.xlsx\n"


def written_by_another_tool(lc):
    """张三's model and notes as an older version or a hand-edited store left them."""
    lc.ok("add", "张三", "--phone", "13800138000", "--model", "凯美瑞", "--notes", "备注")
    with database(lc) as conn:
        conn.execute("UPDATE cards SET model = ?, notes = ?", ("凯美瑞\x9b2J\u202e", "备注\x7f\x85"))


def test_json_writes_c1_controls_and_direction_overrides_as_escapes_that_read_back_the_same(lc, tmp_path):
    written_by_another_tool(lc)
    for line in (("show", "张三", "--json"), ("list", "--json"), ("today", "--json"), ("audit", "--json"),
                 ("export", "--format", "json"), ("report", "weekly", "--format", "json")):
        result = lc.ok(*line)
        assert not any(ch in result.stdout for ch in "\x9b\u202e\x7f\x85"), line
    card = json.loads(lc.ok("show", "张三", "--json").stdout)
    assert (card["model"], card["notes"]) == ("凯美瑞\x9b2J\u202e", "备注\x7f\x85")
    assert '"凯美瑞\\u009b2J\\u202e"' in lc.ok("list", "--json").stdout


def test_the_calendar_writes_out_control_characters_a_card_holds(lc, tmp_path):
    written_by_another_tool(lc)
    with database(lc) as conn:
        conn.execute("UPDATE cards SET name = ?", ("张\x1b[31m三\u202e",))
    lc.ok("calendar", "--output", str(tmp_path / "due.ics"))
    from icalendar import Calendar

    feed = (tmp_path / "due.ics").read_text(encoding="utf-8")
    assert not any(ch in feed for ch in "\x1b\x9b\u202e")
    event = Calendar.from_ical(feed).walk("VEVENT")[0]
    assert "张\\x1b[31m三\\u202e" in event["summary"] and "车型 凯美瑞\\x9b2J\\u202e" in event["description"]


def test_a_visitors_name_in_the_command_a_supervisor_is_told_to_run_is_one_shell_word(floor):
    import shlex

    name = "x; rm -rf ~ $(id) [a]*"
    added = floor("visit", "add", "--name", name, "--phone", "138 0013 9000", user="王芳", now="2026-05-03T09:00:00")
    hint = added.stdout.split("leadcard add ", 1)[1].split()
    assert shlex.split(" ".join(hint))[:3] == [name, "--phone", "13800139000"]
    waiting = floor.json("today", user="钱主管")["waiting"]["visits_without_card"][0]["commands"][0]
    assert shlex.split(waiting)[:5] == ["leadcard", "add", name, "--phone", "13800139000"]
    plain = floor("visit", "add", "--name", "赵六", "--phone", "13900139000", user="王芳", now="2026-05-03T09:00:00")
    assert "leadcard add 赵六 --phone 13900139000 --visit 2" in plain.stdout


def test_a_quote_waiting_for_approval_is_drawn_in_colour_in_the_morning_list_on_a_terminal(floor):
    from conftest import on_a_terminal

    floor.ok("quote", "张三", "--price", "199800", "--discount", "8000", user="王芳")
    drawn = on_a_terminal(floor.db, "today", env={"LEADCARD_USER": "王芳", "LEADCARD_PAGER": "",
                                                  "TERM": "xterm-256color"}, check=True)
    assert "\x1b[33m第 1 次报价" in drawn and "待批价" in drawn
