"""Parsing at the edge: phones and dates as people type them."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from leadcard.errors import BadInput
from leadcard.parse import mask_phone, normalise_phone, parse_source, parse_when

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


@pytest.mark.parametrize("typed", ["2026-02-30", "2026-13-01", "next week", "3d", "+3x", "2026-05-06 25:00", ""])
def test_not_a_date(typed):
    with pytest.raises(BadInput):
        parse_when(typed, NOW, SH)


@pytest.mark.parametrize("typed, source", [("展厅", "walk-in"), ("来电", "phone-in"), ("网络", "online"),
                                           ("车展", "show"), ("转介绍", "referral"), ("400", "hotline"),
                                           ("Referral", "referral"), ("其他", "other")])
def test_sources_in_chinese_and_english(typed, source):
    assert parse_source(typed).value == source
