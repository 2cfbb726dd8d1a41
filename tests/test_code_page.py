"""A Windows PC's output redirected to a file or piped to `more` is written in its code page (GBK),
which lacks a few of leadcard's signs (↳ ✓ ✗) and what a customer's name may hold (an emoji). The
command still writes all it has to say: its signs as GBK's nearest (└ √ ×), anything else GBK lacks
as `?` in text, and as JSON's own escape in JSON, so that a script reading the document gets every
character back. Run as real processes, with Python's standard streams set to GBK."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import sales_floor

NAME = "张三😀"  # an emoji, which GBK lacks


def in_gbk(lc, *args: str, user: str = "王芳") -> tuple[int, str, str]:
    """`leadcard ARGS` in its own process writing GBK, as a redirected Windows console does."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("LEADCARD_", "PYTHONIOENCODING"))}
    environment.update({"LEADCARD_DB": str(lc.db), "LEADCARD_NOW": "2026-05-04T10:00:00", "LEADCARD_USER": user,
                        "LEADCARD_TZ": "Asia/Shanghai", "PYTHONIOENCODING": "gbk", "NO_COLOR": "1", "COLUMNS": "120"})
    done = subprocess.run([sys.executable, "-m", "leadcard", *args], capture_output=True, env=environment, timeout=120)
    return done.returncode, done.stdout.decode("gbk"), done.stderr.decode("gbk")


@pytest.fixture
def floor(lc):
    """王芳's card for 张三😀, made on 2 May and thanked by SMS, due for its first call, with a quote; and
    李四's, made then and never contacted (her 跟进及时率 is 50 %, below the target)."""
    sales_floor(lc)
    lc.ok("add", NAME, "--phone", "13800138000", "--grade", "A", user="王芳", now="2026-05-02T10:00:00")
    lc.ok("log", "A00001", "--channel", "sms", "--content", "感谢到店", user="王芳", now="2026-05-02T10:30:00")
    lc.ok("quote", "A00001", "--price", "199800", user="王芳", now="2026-05-02T11:00:00")
    lc.ok("add", "李四", "--phone", "13900139000", user="王芳", now="2026-05-02T10:00:00")
    return lc


def test_the_morning_list_writes_its_signs_in_gbk_and_a_name_it_lacks_with_a_question_mark(floor):
    code, out, err = in_gbk(floor, "today")
    assert (code, err) == (0, "")
    assert "张三?" in out and "└ 第 1 次报价" in out and "↳" not in out


def test_the_audit_marks_a_rate_below_its_target_with_gbks_cross(floor):
    code, out, err = in_gbk(floor, "audit", user="赵经理")
    assert code in (0, 1) and "Traceback" not in err
    assert "50% ×" in out and "（×）" in out


def test_json_keeps_every_character_as_an_escape_gbk_can_carry(floor):
    code, out, err = in_gbk(floor, "list", "--json")
    assert (code, err) == (0, "")
    assert "\\ud83d\\ude00" in out
    assert sorted(card["name"] for card in json.loads(out)) == [NAME, "李四"]
    code, out, err = in_gbk(floor, "export", "--format", "json", user="赵经理")
    assert code == 0 and "Traceback" not in err
    assert sorted(card["name"] for card in json.loads(out)["cards"]) == [NAME, "李四"]


def test_a_csv_or_a_calendar_on_stdout_is_the_files_own_bytes_whatever_the_code_page(floor):
    """`export > 卡片.csv` on a Chinese Windows PC: the file Excel opens is UTF-8 with its BOM and
    every name as typed (GBK would have made 😀 a `?` in the data itself), its lines ending as CSV's
    and iCalendar's do."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("LEADCARD_", "PYTHONIOENCODING"))}
    environment.update({"LEADCARD_DB": str(floor.db), "LEADCARD_NOW": "2026-05-04T10:00:00", "LEADCARD_USER": "赵经理",
                        "LEADCARD_TZ": "Asia/Shanghai", "PYTHONIOENCODING": "gbk"})

    def stdout_of(*args):
        done = subprocess.run([sys.executable, "-m", "leadcard", *args], capture_output=True, env=environment,
                              timeout=120)
        assert done.returncode == 0, done.stderr.decode("gbk")
        return done.stdout

    for args in (("export", "--format", "csv"), ("report", "weekly", "--format", "csv")):
        data = stdout_of(*args)
        assert data.startswith(b"\xef\xbb\xbf") and b"\r\r\n" not in data
        if args[0] == "export":
            assert NAME in data.decode("utf-8-sig") and data.count(b"\r\n") == 3  # the header and two cards
    calendar = stdout_of("calendar")
    assert calendar.startswith(b"BEGIN:VCALENDAR\r\n") and b"\r\r\n" not in calendar
    assert NAME in calendar.decode("utf-8")
