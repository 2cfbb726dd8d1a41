"""schedule.py is pure: table-driven tests of due dates, cadences, day boundaries and calendars."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from leadcard.errors import BadInput
from leadcard.model import Channel, DueReason
from leadcard.schedule import (
    SCHEMES,
    Contact,
    add_working_days,
    card_timing,
    day_bounds,
    is_working_day,
    load_policy,
    overdue_days,
    wake_up_days,
)

SH = ZoneInfo("Asia/Shanghai")
CREATED = datetime(2026, 5, 3, 10, 0, tzinfo=SH)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 5, day, hour, minute, tzinfo=SH)


HABC = load_policy("habc")

CASES = [
    # (story, grade, contacts, expected due, expected reason)
    ("a new card wants its thank-you within 3 hours", "B", [], at(3, 13), DueReason.FIRST_TOUCH),
    ("after the SMS, the first call is due 24 hours after creation", "B",
     [Contact(at(3, 10, 20), Channel.SMS)], at(4, 10), DueReason.FIRST_CALL),
    ("WeChat counts as the written thank-you", "B",
     [Contact(at(3, 10, 20), Channel.WECHAT)], at(4, 10), DueReason.FIRST_CALL),
    ("a call does not replace the written thank-you", "B",
     [Contact(at(3, 11), Channel.PHONE)], at(3, 13), DueReason.FIRST_TOUCH),
    ("a visit is neither thank-you nor call", "B",
     [Contact(at(3, 11), Channel.SMS), Contact(at(3, 15), Channel.VISIT)], at(4, 10), DueReason.FIRST_CALL),
    ("with both done, the planned next date rules", "A",
     [Contact(at(3, 10, 20), Channel.SMS), Contact(at(3, 15), Channel.PHONE, next_at=at(6, 0))],
     at(6, 0), DueReason.PLANNED),
    ("with nothing planned, the grade's cadence from the latest contact", "A",
     [Contact(at(3, 10, 20), Channel.SMS), Contact(at(3, 15), Channel.PHONE)],
     at(3, 15) + timedelta(days=7), DueReason.CADENCE),
    ("H is called every day", "H",
     [Contact(at(3, 10, 20), Channel.SMS), Contact(at(3, 15), Channel.PHONE)],
     at(4, 15), DueReason.CADENCE),
    ("only the latest follow-up's plan counts", "C",
     [Contact(at(3, 10, 20), Channel.SMS, next_at=at(20, 0)), Contact(at(4, 9), Channel.PHONE)],
     at(4, 9) + timedelta(days=30), DueReason.CADENCE),
    ("contacts are taken in the order they happened, not the order typed", "B",
     [Contact(at(5, 9), Channel.PHONE, next_at=at(9, 0)), Contact(at(3, 11), Channel.SMS, next_at=at(30, 0))],
     at(9, 0), DueReason.PLANNED),
]


@pytest.mark.parametrize("story, grade, contacts, due_at, reason", CASES, ids=[c[0] for c in CASES])
def test_card_timing(story, grade, contacts, due_at, reason):
    timing = card_timing(CREATED, grade, contacts, HABC)
    assert (timing.due.at, timing.due.reason) == (due_at, reason)


@pytest.mark.parametrize("scheme, grade, days", [
    ("habc", "H", 1), ("habc", "A", 7), ("habc", "B", 14), ("habc", "C", 30),
    ("four-tier", "重点", 2), ("four-tier", "意向", 3), ("four-tier", "潜在", 7), ("four-tier", "休眠", 90),
    ("abc", "A", 1), ("abc", "B", 3), ("abc", "C", 7),
])
def test_each_scheme_sets_its_cadence(scheme, grade, days):
    policy = load_policy(scheme)
    contacts = [Contact(at(3, 10, 30), Channel.SMS), Contact(at(3, 12), Channel.PHONE)]
    timing = card_timing(CREATED, grade, contacts, policy)
    assert timing.due.at - at(3, 12) == timedelta(days=days)


def test_four_tier_accepts_english_aliases_and_rejects_others():
    policy = load_policy("four-tier")
    assert policy.grade("key").code == "重点"
    assert policy.grade("dormant").code == "休眠"
    with pytest.raises(BadInput):
        policy.grade("H")


def test_unreached_attempts_do_not_reset_the_dormant_clock():
    contacts = [Contact(at(3, 10, 30), Channel.SMS), Contact(at(3, 12), Channel.PHONE),
                Contact(at(10, 12), Channel.PHONE, reached=False)]
    timing = card_timing(CREATED, "B", contacts, HABC)
    assert timing.last_contact_at == at(3, 12)
    assert timing.dormant_at == datetime(2026, 11, 3, 12, 0, tzinfo=SH)


def test_a_card_never_contacted_goes_dormant_six_months_after_creation():
    assert card_timing(CREATED, "C", [], HABC).dormant_at == datetime(2026, 11, 3, 10, tzinfo=SH)


@pytest.mark.parametrize("due, day, days", [
    (datetime(2026, 5, 3, 23, 30, tzinfo=SH), date(2026, 5, 4), 1),
    # 16:30 UTC on 3 May is 00:30 on 4 May in Shanghai: due that day, not overdue.
    (datetime(2026, 5, 3, 16, 30, tzinfo=ZoneInfo("UTC")), date(2026, 5, 4), 0),
    (datetime(2026, 5, 3, 15, 59, tzinfo=ZoneInfo("UTC")), date(2026, 5, 4), 1),
    (datetime(2026, 5, 4, 9, 0, tzinfo=SH), date(2026, 5, 4), 0),
    (datetime(2026, 5, 6, 9, 0, tzinfo=SH), date(2026, 5, 4), 0),
    (datetime(2026, 2, 28, 9, 0, tzinfo=SH), date(2026, 3, 1), 1),
    (datetime(2026, 12, 31, 23, 59, tzinfo=SH), date(2027, 1, 1), 1),
])
def test_overdue_days_count_shanghai_calendar_days(due, day, days):
    assert overdue_days(due, day, SH) == days


def test_day_bounds_are_local_midnights():
    start, end = day_bounds(date(2026, 5, 4), SH)
    assert start == datetime(2026, 5, 4, tzinfo=SH)
    assert end.astimezone(ZoneInfo("UTC")) == datetime(2026, 5, 4, 15, 59, 59, 999999, tzinfo=ZoneInfo("UTC"))


def test_wake_up_days_are_quarter_starts_and_a_week_before_festivals():
    festivals = {("Dragon Boat Festival", 2026): date(2026, 6, 19),
                 ("Spring Festival", 2027): date(2027, 2, 6),
                 ("Tomb-Sweeping Day", 2026): date(2026, 4, 5)}
    days = wake_up_days(2026, festivals, HABC)
    assert {date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1), date(2026, 10, 1)} <= days
    assert date(2026, 6, 12) in days
    assert date(2026, 3, 29) not in days  # not a wake-up festival
    assert date(2027, 1, 30) not in days  # next year's Spring Festival wakes cards next year


def test_working_days_follow_swapped_workdays():
    holidays = {date(2026, 10, d) for d in range(1, 8)}
    swapped = {date(2026, 10, 10)}
    assert not is_working_day(date(2026, 10, 5), holidays, swapped)
    assert is_working_day(date(2026, 10, 10), holidays, swapped)  # a Saturday made a workday
    assert not is_working_day(date(2026, 10, 11), holidays, swapped)
    won = datetime(2026, 9, 30, 15, 0, tzinfo=SH)
    assert add_working_days(won, 1, holidays, swapped) == datetime(2026, 10, 8, 15, 0, tzinfo=SH)
    friday = datetime(2026, 10, 9, 15, 0, tzinfo=SH)
    assert add_working_days(friday, 1, holidays, swapped) == datetime(2026, 10, 10, 15, 0, tzinfo=SH)


def test_policy_overrides_numbers_from_toml():
    policy = load_policy("habc", 'first_call_hours = 12\n[grades.H]\ncadence_days = 2\n[audit.vague-record]\nenabled = false\n')
    assert policy.first_call_hours == 12
    assert policy.grade("H").cadence_days == 2
    assert policy.grade("A").cadence_days == 7
    assert policy.audit["vague-record"]["enabled"] is False


@pytest.mark.parametrize("toml", [
    "first_call_hours = 'soon'",
    "[grades.Z]\ncadence_days = 2",
    "[grades.H]\nspeed = 2",
    "colour = 'red'",
    "not toml at all [",
])
def test_bad_policy_files_are_bad_input(toml):
    with pytest.raises(BadInput):
        load_policy("habc", toml)


def test_the_three_schemes_are_known():
    assert set(SCHEMES) == {"habc", "four-tier", "abc"}
    assert [g.code for g in SCHEMES["habc"].grades] == ["H", "A", "B", "C"]
