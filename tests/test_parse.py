"""Parsing at the edge: phones and dates as people type them."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from leadcard.errors import BadInput
from leadcard.parse import mask_phone, normalise_phone, parse_source, parse_when
from leadcard.schedule import load_policy

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 5, 3, 10, 0, tzinfo=SH)  # a Sunday


@pytest.mark.parametrize("typed", [
    "13800138000", "138-0013-8000", "138 0013 8000", "+86 13800138000", "+86-138-0013-8000",
    "0086 13800138000", "8613800138000", "１３８００１３８０００", "(138)0013-8000",
])
def test_one_customer_however_the_phone_is_typed(typed):
    assert normalise_phone(typed) == "13800138000"


@pytest.mark.parametrize("typed, stored", [("010-12345678", "01012345678"), ("0755 2345 6789", "075523456789"),
                                           ("0571-8765432", "05718765432")])
def test_landlines_keep_their_area_code(typed, stored):
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize("typed", ["", "12345", "12800138000", "1380013800", "138001380001", "abc", "10086",
                                   "+1 4155552671"])
def test_not_a_phone(typed):
    with pytest.raises(BadInput):
        normalise_phone(typed)


def test_masking_keeps_the_ends():
    assert mask_phone("13800135678") == "138****5678"
    assert mask_phone("01012345678") == "010****5678"


@pytest.mark.parametrize("typed, expected", [
    ("2026-05-06", datetime(2026, 5, 6, tzinfo=SH)),
    ("2026-05-06 14:30", datetime(2026, 5, 6, 14, 30, tzinfo=SH)),
    ("2026-05-06T9:05", datetime(2026, 5, 6, 9, 5, tzinfo=SH)),
    ("2026-05-06T06:30:00Z", datetime(2026, 5, 6, 14, 30, tzinfo=SH)),
    ("today", datetime(2026, 5, 3, tzinfo=SH)),
    ("tomorrow", datetime(2026, 5, 4, tzinfo=SH)),
    ("明天", datetime(2026, 5, 4, tzinfo=SH)),
    ("+3d", datetime(2026, 5, 6, tzinfo=SH)),
    ("+2w", datetime(2026, 5, 17, tzinfo=SH)),
    ("-1d", datetime(2026, 5, 2, tzinfo=SH)),
    ("saturday", datetime(2026, 5, 9, tzinfo=SH)),
    ("Sunday", datetime(2026, 5, 10, tzinfo=SH)),  # the next one, not today
    ("周五", datetime(2026, 5, 8, tzinfo=SH)),
])
def test_dates_people_type(typed, expected):
    assert parse_when(typed, NOW, SH) == expected


# NOW is Sunday 3 May 2026, 10:00; its week (Monday first, as on a Chinese calendar) began 27 April.
@pytest.mark.parametrize("typed, expected", [
    ("今天", datetime(2026, 5, 3, tzinfo=SH)),
    ("后天", datetime(2026, 5, 5, tzinfo=SH)),
    ("大后天", datetime(2026, 5, 6, tzinfo=SH)),
    ("昨天", datetime(2026, 5, 2, tzinfo=SH)),
    ("星期五", datetime(2026, 5, 8, tzinfo=SH)),
    ("周日", datetime(2026, 5, 10, tzinfo=SH)),  # the next one, not today
    ("下周一", datetime(2026, 5, 4, tzinfo=SH)),  # Sunday's next week begins tomorrow
    ("下星期三", datetime(2026, 5, 6, tzinfo=SH)),
    ("本周五", datetime(2026, 5, 1, tzinfo=SH)),
    ("12月5日", datetime(2026, 12, 5, tzinfo=SH)),
    ("5月3号", datetime(2026, 5, 3, tzinfo=SH)),
    ("12-5", datetime(2026, 12, 5, tzinfo=SH)),
    ("2026/12/05", datetime(2026, 12, 5, tzinfo=SH)),
    ("2026-12-8", datetime(2026, 12, 8, tzinfo=SH)),
    ("2026.11.05", datetime(2026, 11, 5, tzinfo=SH)),
    ("2026年11月3日", datetime(2026, 11, 3, tzinfo=SH)),
    ("+3天", datetime(2026, 5, 6, tzinfo=SH)),
    ("+2周", datetime(2026, 5, 17, tzinfo=SH)),
    ("周六 10:00", datetime(2026, 5, 9, 10, 0, tzinfo=SH)),
    ("明天 15:30", datetime(2026, 5, 4, 15, 30, tzinfo=SH)),
    ("明天15:30", datetime(2026, 5, 4, 15, 30, tzinfo=SH)),
    ("明天 １５：３０", datetime(2026, 5, 4, 15, 30, tzinfo=SH)),  # full-width, as a Chinese IME types it
    ("12月5日 9:00", datetime(2026, 12, 5, 9, 0, tzinfo=SH)),
    ("2026/12/05 09:30", datetime(2026, 12, 5, 9, 30, tzinfo=SH)),
    ("16:00", datetime(2026, 5, 3, 16, 0, tzinfo=SH)),  # a time alone is today
])
def test_dates_as_chinese_staff_write_them(typed, expected):
    assert parse_when(typed, NOW, SH) == expected


@pytest.mark.parametrize("today, typed, expected", [
    (datetime(2026, 12, 20, tzinfo=SH), "1月5日", datetime(2027, 1, 5, tzinfo=SH)),  # planning into the new year
    (datetime(2026, 1, 3, tzinfo=SH), "12月30日", datetime(2025, 12, 30, tzinfo=SH)),  # back-filling the old one
    (datetime(2026, 12, 1, tzinfo=SH), "11月30日", datetime(2026, 11, 30, tzinfo=SH)),
    (datetime(2026, 12, 1, tzinfo=SH), "9月1日", datetime(2026, 9, 1, tzinfo=SH)),  # a paper card of 3 months ago
    (datetime(2026, 12, 1, tzinfo=SH), "6-2", datetime(2026, 6, 2, tzinfo=SH)),  # 182 days past: this year's
    (datetime(2026, 12, 1, tzinfo=SH), "6-1", datetime(2026, 6, 1, tzinfo=SH)),  # 183 days past: still this year's
    (datetime(2026, 12, 1, tzinfo=SH), "5-31", datetime(2027, 5, 31, tzinfo=SH)),  # 184 days past: next year's
    (datetime(2026, 3, 1, tzinfo=SH), "11-30", datetime(2026, 11, 30, tzinfo=SH)),  # 274 days ahead: this year's
    (datetime(2026, 3, 1, tzinfo=SH), "12-1", datetime(2025, 12, 1, tzinfo=SH)),  # 275 days ahead: last year's
])
def test_a_day_without_a_year_is_this_years_except_across_new_year(today, typed, expected):
    assert parse_when(typed, today, SH) == expected


@pytest.mark.parametrize("typed", ["2026-02-30", "2026-13-01", "next week", "3d", "+3x", "2026-05-06 25:00", "",
                                   "2026/2/30", "13月1日", "2月30日", "下周八", "明天 9:60", "周六 24:00", "+3月",
                                   "2月29日"])  # 2026 is not a leap year
def test_not_a_date(typed):
    with pytest.raises(BadInput):
        parse_when(typed, NOW, SH)


def test_a_bad_date_names_the_forms_that_work():
    with pytest.raises(BadInput, match="下周一.*明天 15:30"):
        parse_when("next week", NOW, SH)


@pytest.mark.parametrize("typed, source", [("展厅", "walk-in"), ("来电", "phone-in"), ("网络", "online"),
                                           ("车展", "show"), ("转介绍", "referral"), ("400", "hotline"),
                                           ("Referral", "referral"), ("其他", "other")])
def test_sources_in_chinese_and_english(typed, source):
    assert parse_source(typed, load_policy("habc")).value == source


def test_a_consultant_plans_the_next_call_as_they_would_say_it(lc):
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "B")  # Sunday 3 May 2026, 10:00
    lc.ok("log", "张三", "--channel", "wechat", "--content", "感谢到店，发了车型资料")
    planned = lc.json("log", "张三", "--channel", "phone", "--content", "下周一来试驾", "--next", "下周一 10:30")
    assert planned["next_at"] == "2026-05-04T10:30:00+08:00"
    assert lc.json("today", "--date", "5月4日")["items"][0]["reason"] == "planned"


def test_a_date_nobody_can_read_is_refused_with_the_forms_that_work(lc):
    lc.ok("add", "张三", "--phone", "13800138000")
    refused = lc("log", "张三", "--channel", "phone", "--content", "约了", "--next", "下下周")
    assert refused.exit_code == 2
    assert "下周一" in refused.stderr and "明天 15:30" in refused.stderr
    assert len(lc.json("show", "张三")["followups"]) == 0


# -- a date that can only be to come: a year-less day is the first such day not before today ---------


def _next_date(lc, typed: str, now: str):
    return lc("log", "张三", "--channel", "phone", "--content", "约看车", "--next", typed, "--json", now=now)


@pytest.mark.parametrize("now, typed, expected", [
    ("2026-12-30T10:00:00", "7月1日", "2027-07-01"),  # half a year past, not more: still next year's
    ("2026-12-30T10:00:00", "6月1日", "2027-06-01"),
    ("2026-12-30T10:00:00", "12月30日", "2026-12-30"),  # today itself: the rest of it is ahead
    ("2026-12-30T10:00:00", "12-29", "2027-12-29"),  # yesterday's date: next year's
    ("2026-12-30T10:00:00", "1月5日 15:00", "2027-01-05"),
    ("2026-05-03T10:00:00", "5月4日", "2026-05-04"),
    ("2027-12-01T10:00:00", "2月29日", "2028-02-29"),  # the next leap year's
    ("2028-02-29T10:00:00", "2月29日", "2028-02-29"),
    ("2028-03-01T10:00:00", "2月29日", "2032-02-29"),
    ("2097-03-01T10:00:00", "2月29日", "2104-02-29"),  # 2100 is no leap year
])
def test_a_next_date_without_a_year_is_the_first_such_day_to_come(lc, now, typed, expected):
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "B", now=now)
    result = _next_date(lc, typed, now)
    assert result.exit_code == 0, result.stderr
    assert result.json()["next_at"][:10] == expected


def test_a_day_no_year_has_is_still_refused_as_a_next_date(lc):
    lc.ok("add", "张三", "--phone", "13800138000", now="2026-12-30T10:00:00")
    refused = _next_date(lc, "2月30日", "2026-12-30T10:00:00")
    assert refused.exit_code == 2 and "没有这一天" in refused.stderr


def test_a_quote_and_a_delivery_day_without_a_year_are_to_come_too(lc):
    lc.ok("add", "张三", "--phone", "13800138000", "--model", "凯美瑞", now="2026-12-30T10:00:00")
    quote = lc.json("quote", "张三", "--price", "180000", "--valid-until", "7月1日", now="2026-12-30T10:00:00")
    assert quote["valid_until"] == "2027-07-01"
    lc.ok("win", "张三", "--delivery", "7月1日", now="2026-12-30T10:00:00")
    assert lc.json("show", "张三")["outcome"]["delivery"] == "2027-07-01"


def test_a_back_filled_moment_without_a_year_keeps_the_nearest_such_day(lc):
    made = lc.json("add", "张三", "--phone", "13800138000", "--at", "7月1日 10:00", "--left", "7月1日 09:30",
                   now="2026-12-30T10:00:00")
    assert (made["created_at"], made["left_at"]) == ("2026-07-01T10:00:00+08:00", "2026-07-01T09:30:00+08:00")
    logged = lc.json("log", "张三", "--channel", "phone", "--content", "补录", "--at", "12月29日 16:00",
                     now="2026-12-30T10:00:00")
    assert logged["at"] == "2026-12-29T16:00:00+08:00"
