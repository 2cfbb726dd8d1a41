"""schedule.py is pure: table-driven tests of due dates, cadences, day boundaries and calendars."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from leadcard.chinacal import is_working_day, working_days_end
from leadcard.errors import BadInput
from leadcard.model import Channel, DueReason
from leadcard.schedule import (
    SCHEMES,
    Contact,
    add_working_minutes,
    card_timing,
    day_bounds,
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
    ("a visit is no thank-you", "B", [Contact(at(3, 11), Channel.VISIT)], at(3, 13), DueReason.FIRST_TOUCH),
    ("a customer who came back and test-drove was reached better than by phone", "B",
     [Contact(at(3, 11), Channel.SMS), Contact(at(3, 16), Channel.TEST_DRIVE, next_at=at(5, 10))],
     at(5, 10), DueReason.PLANNED),
    ("a call that did not reach the customer confirms no grade: the first call is still owed", "B",
     [Contact(at(3, 11), Channel.SMS), Contact(at(3, 15), Channel.PHONE, reached=False)],
     at(4, 10), DueReason.FIRST_CALL),
    ("an unreachable retry date does not hide the first call's deadline", "B",
     [Contact(at(3, 11), Channel.SMS), Contact(at(3, 15), Channel.PHONE, reached=False, next_at=at(6, 10))],
     at(4, 10), DueReason.FIRST_CALL),
    ("a failed attempt without a date keeps the planned date", "A",
     [Contact(at(3, 11), Channel.SMS), Contact(at(3, 15), Channel.PHONE, next_at=at(8, 10), purpose="邀约试驾"),
      Contact(at(8, 10, 5), Channel.PHONE, reached=False)],
     at(8, 10), DueReason.PLANNED),
    ("a failed attempt with a date sets the retry", "A",
     [Contact(at(3, 11), Channel.SMS), Contact(at(3, 15), Channel.PHONE, next_at=at(8, 10)),
      Contact(at(8, 10, 5), Channel.PHONE, reached=False, next_at=at(8, 16))],
     at(8, 16), DueReason.PLANNED),
    ("a failed attempt does not restart the cadence", "A",
     [Contact(at(3, 11), Channel.SMS), Contact(at(3, 15), Channel.PHONE),
      Contact(at(10, 9), Channel.PHONE, reached=False)],
     at(10, 15), DueReason.CADENCE),
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
    assert working_days_end(won, 1, holidays, swapped) == datetime(2026, 10, 8, 23, 59, 59, tzinfo=SH)
    friday = datetime(2026, 10, 9, 15, 0, tzinfo=SH)
    assert working_days_end(friday, 1, holidays, swapped) == datetime(2026, 10, 10, 23, 59, 59, tzinfo=SH)


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


# -- the clocks start when the customer left; leads that never visited count working minutes ------


def test_the_clocks_run_from_the_moment_the_customer_left_not_from_the_typing():
    left = at(2, 18)
    timing = card_timing(CREATED, "B", [], HABC, left_at=left)
    assert (timing.due.at, timing.due.reason) == (at(2, 21), DueReason.FIRST_TOUCH)
    timing = card_timing(CREATED, "B", [Contact(at(3, 10, 5), Channel.SMS)], HABC, left_at=left)
    assert (timing.due.at, timing.due.reason) == (at(3, 18), DueReason.FIRST_CALL)


def test_an_online_lead_is_called_within_thirty_working_minutes_before_its_thank_you():
    timing = card_timing(CREATED, "B", [], HABC, source="online")
    assert (timing.due.at, timing.due.reason) == (at(3, 10, 30), DueReason.FIRST_CALL)
    called = card_timing(CREATED, "B", [Contact(at(3, 10, 20), Channel.PHONE)], HABC, source="online")
    assert (called.due.at, called.due.reason) == (at(3, 13), DueReason.FIRST_TOUCH)


def test_an_evening_lead_gets_no_message_at_midnight_its_thank_you_counts_working_hours_too():
    timing = card_timing(at(3, 20, 50), "B", [Contact(at(4, 9, 10), Channel.PHONE)], HABC, source="online")
    assert (timing.due.at, timing.due.reason) == (at(4, 11, 50), DueReason.FIRST_TOUCH)


def test_a_400_lead_at_ten_to_nine_in_the_evening_is_due_at_twenty_past_nine_next_morning():
    timing = card_timing(at(3, 20, 50), "B", [], HABC, source="hotline")
    assert (timing.due.at, timing.due.reason) == (at(4, 9, 20), DueReason.FIRST_CALL)


OPEN_HOURS = (time(9), time(21))


@pytest.mark.parametrize("story, start, minutes, due", [
    ("in the middle of the day", at(3, 14), 30, at(3, 14, 30)),
    ("ten minutes before closing: ten tonight, twenty tomorrow", at(3, 20, 50), 30, at(4, 9, 20)),
    ("one minute before closing", at(3, 20, 59), 30, at(4, 9, 29)),
    ("exactly at closing: counted from the next opening", at(3, 21), 30, at(4, 9, 30)),
    ("a deadline that falls exactly at closing stays tonight", at(3, 20, 30), 30, at(3, 21)),
    ("overnight", at(3, 23, 40), 30, at(4, 9, 30)),
    ("arriving before opening: counted from opening", at(4, 7, 15), 30, at(4, 9, 30)),
    ("exactly at opening", at(4, 9), 30, at(4, 9, 30)),
    ("a whole working day that ends at closing", at(3, 20), 60 * 13, at(4, 21)),
    ("more than a working day spans two nights", at(3, 20), 60 * 13 + 30, at(5, 9, 30)),
])
def test_working_minutes(story, start, minutes, due):
    assert add_working_minutes(start, minutes, OPEN_HOURS) == due


def test_working_hours_and_source_minutes_come_from_the_policy():
    policy = load_policy("habc", 'working_hours = "08:30-18:00"\n[sources.online]\nfirst_call_minutes = 15\n')
    assert policy.working_hours == (time(8, 30), time(18))
    timing = card_timing(at(3, 17, 50), "B", [], policy, source="online")
    assert timing.due.at == at(4, 8, 35)
    assert card_timing(at(3, 17, 50), "B", [], policy, source="hotline").due.at == at(4, 8, 50)


@pytest.mark.parametrize("toml", [
    'first_call_hours = nan',
    'first_touch_hours = inf',
    'first_call_hours = -1',
    'timeliness_target = 1.5',
    'working_hours = "21:00-09:00"',
    'working_hours = "9点到6点"',
    'working_hours = 9',
    '[sources.online]\nfirst_call_minutes = 0',
    '[sources.online]\nfirst_call_minutes = nan',
    '[sources.online]\nfirst_call_minutes = 20000',
    '[sources.online]\nfirst_call_minutes = "30"',
    '[sources.online]\nfirst_touch_minutes = 30',
    '[sources.autohome]\nfirst_call_minutes = 30',
    '[grades.H]\ncadence_days = nan',
])
def test_a_bad_policy_number_is_refused(toml):
    with pytest.raises(BadInput):
        load_policy("habc", toml)


def test_policy_limits_are_inclusive():
    policy = load_policy("habc", "timeliness_target = 1\n[sources.online]\nfirst_call_minutes = 1\n")
    assert policy.timeliness_target == 1
    assert policy.source_first_call_minutes["online"] == 1
    assert policy.source_first_call_minutes["hotline"] == 30
