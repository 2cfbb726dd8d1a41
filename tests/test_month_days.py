"""Days of a month as the floor says them: `下个月5号` (the customer is paid on the 5th), `本月15日`,
`上月30号` (a paper card back-filled), `月底`, `下个月底`; and a day of the month alone (`5号`), the
next one to come, as a weekday alone is: a next date is planned ahead, and one in the past would make
the card overdue at once."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from leadcard.errors import BadInput
from leadcard.parse import carries_time, parse_day, parse_when
from test_said_times import ascii_id, refused_next_date

SH = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 12, 4)


@pytest.mark.parametrize("typed, expected", [
    ("下个月5号", date(2027, 1, 5)),  # across the turn of the year
    ("下月5日", date(2027, 1, 5)),
    ("下个月十五号", date(2027, 1, 15)),
    ("下月二十号", date(2027, 1, 20)),
    ("下个月两号", date(2027, 1, 2)),
    ("下个月三十一号", date(2027, 1, 31)),
    ("本月15号", date(2026, 12, 15)),
    ("这个月5号", date(2026, 12, 5)),
    ("这月31日", date(2026, 12, 31)),
    ("本月4号", TODAY),
    ("本月1号", date(2026, 12, 1)),  # this month's, even when it is gone: as 本周一 is
    ("上个月5号", date(2026, 11, 5)),
    ("上月30号", date(2026, 11, 30)),
    ("下个月５号", date(2027, 1, 5)),  # full-width, as a Chinese IME types it
    ("月底", date(2026, 12, 31)),
    ("月末", date(2026, 12, 31)),
    ("本月底", date(2026, 12, 31)),
    ("这个月月底", date(2026, 12, 31)),
    ("下个月底", date(2027, 1, 31)),
    ("下月末", date(2027, 1, 31)),
    ("上个月底", date(2026, 11, 30)),
    ("上月月底", date(2026, 11, 30)),
], ids=ascii_id)
def test_days_of_a_month_as_the_floor_says_them(typed, expected):
    assert parse_day(typed, TODAY) == expected


@pytest.mark.parametrize("today, typed, expected", [
    (date(2026, 1, 31), "下个月底", date(2026, 2, 28)),
    (date(2028, 1, 31), "下个月底", date(2028, 2, 29)),  # a leap year's February
    (date(2026, 1, 5), "上个月5号", date(2025, 12, 5)),  # back across the turn of the year
    (date(2026, 1, 5), "上月底", date(2025, 12, 31)),
    (date(2026, 11, 30), "下个月底", date(2026, 12, 31)),
    (date(2026, 12, 31), "月底", date(2026, 12, 31)),  # on the last day: today
    (date(2026, 12, 1), "上个月底", date(2026, 11, 30)),
], ids=ascii_id)
def test_a_month_counted_from_this_one_ends_on_its_own_last_day(today, typed, expected):
    assert parse_day(typed, today) == expected


@pytest.mark.parametrize("typed", [
    "下个月31号",  # January has 31 days, but February (below, from January) does not
    "下个月0号", "下个月32号", "下个月三十二号", "下个月十十号",
], ids=ascii_id)
def test_a_day_the_month_does_not_have_is_refused(typed):
    today = date(2026, 1, 5) if typed == "下个月31号" else TODAY
    with pytest.raises(BadInput, match=f"不是日期：`{typed}`（没有这一天）"):
        parse_day(typed, today)


@pytest.mark.parametrize("today, typed, expected", [
    (TODAY, "5号", date(2026, 12, 5)),  # tomorrow
    (TODAY, "15日", date(2026, 12, 15)),
    (TODAY, "十五号", date(2026, 12, 15)),
    (TODAY, "两号", date(2027, 1, 2)),  # gone this month: next month's, across the turn of the year
    (TODAY, "3号", date(2027, 1, 3)),
    (TODAY, "4号", date(2027, 1, 4)),  # today's number: the next one, as 周五 said on a Friday is
    (TODAY, "三十一号", date(2026, 12, 31)),
    (TODAY, "５号", date(2026, 12, 5)),  # full-width
    (date(2026, 1, 30), "31号", date(2026, 1, 31)),
    (date(2026, 1, 31), "1号", date(2026, 2, 1)),
    (date(2028, 2, 28), "29号", date(2028, 2, 29)),  # a leap year's February has it
    (date(2026, 3, 31), "30号", date(2026, 4, 30)),
], ids=ascii_id)
def test_a_day_of_the_month_alone_is_the_next_one_to_come(today, typed, expected):
    assert parse_day(typed, today) == expected


@pytest.mark.parametrize("today, typed", [
    (date(2026, 1, 31), "30号"),  # next month's, and February has no 30th
    (date(2026, 1, 31), "31号"),
    (date(2026, 2, 27), "29号"),  # still to come this month, which has no 29th
    (TODAY, "0号"), (TODAY, "32号"), (TODAY, "三十二号"),
], ids=ascii_id)
def test_a_day_of_the_month_alone_that_its_month_lacks_is_refused(today, typed):
    with pytest.raises(BadInput, match=f"不是日期：`{typed}`（没有这一天）"):
        parse_day(typed, today)


@pytest.mark.parametrize("typed", ["底", "下个月", "下下个月5号", "月5号", "5", "5号号"], ids=ascii_id)
def test_a_day_without_its_month_is_not_a_date(typed):
    with pytest.raises(BadInput, match=f"不是日期：`{typed}`（可写 .*下个月5号、月底；"):
        parse_day(typed, TODAY)


@pytest.mark.parametrize("typed, expected", [
    ("下个月5号下午3点", datetime(2027, 1, 5, 15, 0, tzinfo=SH)),
    ("下个月5号 15:00", datetime(2027, 1, 5, 15, 0, tzinfo=SH)),
    ("月底下午5点半", datetime(2026, 12, 31, 17, 30, tzinfo=SH)),
], ids=ascii_id)
def test_a_time_may_follow_the_day(typed, expected):
    assert parse_when(typed, datetime(2026, 12, 4, 9, 0, tzinfo=SH), SH) == expected
    assert carries_time(typed)


def test_a_day_of_the_month_alone_is_the_whole_day():
    assert not carries_time("下个月5号") and not carries_time("月底")


def test_a_consultant_plans_the_next_call_for_pay_day(lc):
    """Made on Sunday 3 May 2026: the customer will decide once paid, on the 5th of next month."""
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "B")
    lc.ok("log", "张三", "--channel", "wechat", "--content", "感谢到店，发了车型资料")
    planned = lc.json("log", "张三", "--channel", "phone", "--content", "客户下月5号发工资后再定",
                      "--next", "下个月5号")
    assert (planned["next_at"], planned["next_all_day"]) == ("2026-06-05T00:00:00+08:00", True)


def test_a_consultant_plans_the_next_call_for_the_coming_fifth(lc):
    """Made on Sunday 3 May 2026: 5号 is the Tuesday after, for the whole day; 2号 next month's."""
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "B")
    planned = lc.json("log", "张三", "--channel", "wechat", "--content", "感谢到店，客户说5号再来看车",
                      "--next", "5号")
    assert (planned["next_at"], planned["next_all_day"]) == ("2026-05-05T00:00:00+08:00", True)
    planned = lc.json("log", "张三", "--channel", "phone", "--content", "客户2号发工资后再定",
                      "--next", "2号下午3点")
    assert (planned["next_at"], planned["next_all_day"]) == ("2026-06-02T15:00:00+08:00", False)


def test_a_day_of_the_month_it_lacks_writes_nothing(lc):
    told = refused_next_date(lc, "32号")
    assert "`32号`" in told and "没有这一天" in told
