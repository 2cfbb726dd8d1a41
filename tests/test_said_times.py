"""Times as the floor says them: `明天下午3点`, `周六上午10点半`, `今晚8点`; 下下周一, 上周五, 12.5. An
hour of 1–12 said without the part of the day (`明天3点`) is refused, never guessed: a next date
wrong by twelve hours is a card overdue before anyone could act."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, strategies as st

from leadcard.errors import BadInput
from leadcard.parse import carries_time, parse_when

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 5, 3, 10, 0, tzinfo=SH)  # a Sunday


def ascii_id(value) -> str | None:
    """A test id without Chinese: the mutation runner collects tests twice in one process, and pytest
    escapes a Chinese id again the second time, so the test would not be found."""
    return "".join(c if c.isascii() and not c.isspace() else f"u{ord(c):x}" for c in value) if isinstance(value, str) else None


def at(day: int, hour: int = 0, minute: int = 0, month: int = 5) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


@pytest.mark.parametrize("typed, expected", [
    ("下午3点", at(3, 15)),  # a time alone is today's
    ("明天下午3点", at(4, 15)),
    ("明天 下午3点", at(4, 15)),
    ("明天下午 3点", at(4, 15)),
    ("明天下午3点半", at(4, 15, 30)),
    ("明天下午3点整", at(4, 15)),
    ("明天下午3点一刻", at(4, 15, 15)),
    ("明天下午3点三刻", at(4, 15, 45)),
    ("明天下午3点5分", at(4, 15, 5)),
    ("明天下午3点05", at(4, 15, 5)),
    ("明天下午3时30分", at(4, 15, 30)),
    ("明天下午两点", at(4, 14)),
    ("明天下午三点零五", at(4, 15, 5)),
    ("周六上午10点15分", at(9, 10, 15)),
    ("周六上午十点", at(9, 10)),
    ("下周一早上9点", at(4, 9)),
    ("晚上七点", at(3, 19)),
    ("今晚8点", at(3, 20)),
    ("明晚8点半", at(4, 20, 30)),
    ("明早9点", at(4, 9)),
    ("中午12点", at(3, 12)),
    ("中午1点", at(3, 13)),
    ("凌晨0点", at(3, 0)),
    ("下午3:30", at(3, 15, 30)),
    ("明天下午３点", at(4, 15)),  # full-width, as a Chinese IME types it
    ("15点", at(3, 15)),  # the 24-hour clock needs no part of the day
    ("15点30", at(3, 15, 30)),
    ("二十点", at(3, 20)),
    ("二十三点五十九分", at(3, 23, 59)),
    ("0点", at(3, 0)),
    ("12月5日下午2点", at(5, 14, month=12)),
    ("12.5", at(5, month=12)),
    ("12.5 下午2点", at(5, 14, month=12)),
    ("下下周一", at(11)),  # Sunday's next week begins tomorrow; the week after it on the 11th
    ("下下周三 10:00", at(13, 10)),
    ("上周五", at(24, month=4)),  # a paper card back-filled: the Friday of the week before this one
], ids=ascii_id)
def test_times_as_the_floor_says_them(typed, expected):
    assert parse_when(typed, NOW, SH) == expected


@pytest.mark.parametrize("typed", ["3点", "明天3点", "周六 10点", "1点", "12点", "明天十二点", "两点", "明天3点半"],
                         ids=ascii_id)
def test_an_hour_said_without_morning_or_afternoon_is_asked_about(typed):
    with pytest.raises(BadInput, match="上午还是下午"):
        parse_when(typed, NOW, SH)


def test_the_mistake_repeats_what_was_typed():
    with pytest.raises(BadInput) as asked:
        parse_when("明天3点", NOW, SH)
    assert str(asked.value) == "`明天3点`：是上午还是下午？写成 下午3点、上午10点，或 24 小时制的 15:00"
    with pytest.raises(BadInput) as refused:
        parse_when("下午3点60分", NOW, SH)
    assert str(refused.value) == "不是一天中的时刻：`下午3点60分`"


# Each part of the day at its edges: the hour just inside it and the one just past it.
@pytest.mark.parametrize("typed, expected", [
    ("上午0点", at(3, 0)), ("上午11点", at(3, 11)), ("上午12点", None), ("上午13点", None),
    ("凌晨5点", at(3, 5)),
    ("中午10点", None), ("中午11点", at(3, 11)), ("中午2点", at(3, 14)), ("中午3点", None),
    ("中午14点", at(3, 14)), ("中午15点", None), ("中午0点", None),
    ("下午0点", None), ("下午1点", at(3, 13)), ("下午11点", at(3, 23)), ("下午12点", None),
    ("下午13点", at(3, 13)), ("下午23点", at(3, 23)), ("下午24点", None), ("晚上12点", None),
    ("下午3点59分", at(3, 15, 59)), ("下午3点60分", None), ("下午3:59", at(3, 15, 59)), ("下午3:60", None),
    ("23点", at(3, 23)), ("24点", None), ("13点", at(3, 13)),
], ids=ascii_id)
def test_the_parts_of_the_day_at_their_edges(typed, expected):
    if expected is None:
        with pytest.raises(BadInput, match="不是一天中的时刻"):
            parse_when(typed, NOW, SH)
    else:
        assert parse_when(typed, NOW, SH) == expected


@pytest.mark.parametrize("typed", ["十两点", "两十点", "十十点", "三三点", "二三十点", "十二三点", "下午一二点", "下午3点七十", "明天下午",
                                   "下下周", "下下下周一", "12.32", "13.5", "今晚"], ids=ascii_id)
def test_not_a_time_nor_a_date(typed):
    with pytest.raises(BadInput):
        parse_when(typed, NOW, SH)


_NUMERALS = "零一二三四五六七八九"


def chinese(n: int) -> str:
    """0–59 written in Chinese numerals, as the test's own reference (二十三, 十五, 五)."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _NUMERALS[ones]
    return ("" if tens == 1 else _NUMERALS[tens]) + "十" + (_NUMERALS[ones] if ones else "")


def said(hour: int, minute: int, numerals: bool) -> str:
    """A time of day as a consultant would say it, with the part of the day an hour of 1–12 needs."""
    part, shown = ("凌晨", 0) if hour == 0 else ("上午", hour) if hour < 12 else ("中午", 12) if hour == 12 \
        else ("下午", hour - 12)
    write = chinese if numerals else str
    rest = "" if minute == 0 else "半" if minute == 30 and numerals else f"{write(minute)}分"
    return f"明天{part}{write(shown)}点{rest}"


@given(st.integers(0, 23), st.integers(0, 59), st.booleans())
def test_every_minute_of_the_day_said_reads_back(hour, minute, numerals):
    typed = said(hour, minute, numerals)
    assert parse_when(typed, NOW, SH) == at(4, hour, minute), typed
    assert carries_time(typed)


@pytest.mark.parametrize("typed, timed", [
    ("明天下午3点", True), ("下午3:30", True), ("今晚8点", True), ("15点", True),
    ("下下周一", False), ("12.5", False), ("上周五", False),
], ids=ascii_id)
def test_a_said_time_is_a_time_a_day_alone_is_the_whole_day(typed, timed):
    assert carries_time(typed) is timed


def test_a_consultant_plans_the_call_as_they_would_say_it(lc):
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "B")  # Sunday 3 May 2026, 10:00
    lc.ok("log", "张三", "--channel", "wechat", "--content", "感谢到店，发了车型资料")
    planned = lc.json("log", "张三", "--channel", "phone", "--content", "约了试驾", "--next", "明天下午3点半")
    assert (planned["next_at"], planned["next_all_day"]) == ("2026-05-04T15:30:00+08:00", False)


def refused_next_date(lc, typed: str) -> str:
    """`log --next` of what was typed, on a new card: refused as bad input in one line, writing
    nothing. The line."""
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "B")
    refused = lc("log", "张三", "--channel", "phone", "--content", "约了", "--next", typed)
    assert refused.exit_code == 2
    assert refused.stderr.strip().splitlines() == [refused.stderr.strip()]
    assert lc.json("show", "张三")["followups"] == []
    return refused.stderr


def test_an_hour_without_its_part_of_the_day_writes_nothing(lc):
    told = refused_next_date(lc, "明天3点")
    assert "上午还是下午" in told and "下午3点" in told


# `3:30` typed at the command line: the afternoon's 15:30 written as it is said, or 03:30? An hour
# before any showroom opens, without its leading zero, is asked about; from 9 on it is the morning's.
@pytest.mark.parametrize("typed, expected", [
    ("明天 1:00", None), ("明天 3:30", None), ("明天 8:59", None), ("8:00", None), ("2026-05-06 3:30", None),
    ("明天 9:00", at(4, 9)), ("明天 0:30", at(4, 0, 30)), ("明天 03:30", at(4, 3, 30)), ("明天 08:59", at(4, 8, 59)),
    ("明天 下午3:30", at(4, 15, 30)), ("明天 凌晨3:30", at(4, 3, 30)), ("明天 15:30", at(4, 15, 30)),
    ("明天 12:00", at(4, 12)), ("明天 10:30", at(4, 10, 30)),
], ids=ascii_id)
def test_an_early_hour_typed_without_its_zero_is_asked_about(typed, expected):
    if expected is None:
        with pytest.raises(BadInput, match="是凌晨还是下午"):
            parse_when(typed, NOW, SH, by_hand=True)
    else:
        assert parse_when(typed, NOW, SH, by_hand=True) == expected


def test_a_sheets_early_hour_is_the_time_its_program_wrote():
    assert parse_when("2026-05-06 3:30", NOW, SH) == at(6, 3, 30)
    assert parse_when("明天 8:59", NOW, SH) == at(4, 8, 59)


def test_the_question_gives_both_readings_of_what_was_typed():
    with pytest.raises(BadInput) as asked:
        parse_when("明天 3:05", NOW, SH, by_hand=True)
    assert str(asked.value) == "`明天 3:05`：是凌晨还是下午？写成 下午3:05 或 15:05（凌晨写 03:05）"


def test_a_next_date_at_an_early_hour_without_its_zero_writes_nothing(lc):
    told = refused_next_date(lc, "明天 3:30")
    assert "是凌晨还是下午" in told and "15:30" in told and "03:30" in told
    planned = lc.json("log", "张三", "--channel", "phone", "--content", "约了", "--next", "明天 15:30")
    assert planned["next_at"] == "2026-05-04T15:30:00+08:00"


def test_a_past_contact_typed_at_an_early_hour_is_asked_about_too(lc):
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "B")
    refused = lc("log", "张三", "--channel", "phone", "--content", "打了电话", "--at", "今天 8:30")
    assert refused.exit_code == 2 and "是凌晨还是下午" in refused.stderr
    assert lc.json("show", "张三")["followups"] == []


def test_log_reads_back_the_planned_visit_when_something_else_is_due_first(lc):
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "B")  # Sunday 3 May 2026, 10:00
    called = lc.ok("log", "张三", "--channel", "phone", "--content", "约了试驾", "--next", "明天下午3点半").stdout
    assert "首次触达" in called  # the written thank-you is still owed, and due first
    assert "已约下次访问：2026-05-04 15:30" in called
    whole_day = lc.ok("log", "张三", "--channel", "phone", "--content", "改约", "--next", "5月6日").stdout
    assert "已约下次访问：2026-05-06 全天" in whole_day
    thanked = lc.ok("log", "张三", "--channel", "wechat", "--content", "感谢到店", "--next", "明天 15:30").stdout
    assert "下次：2026-05-04 15:30 计划回访" in thanked and "已约" not in thanked
