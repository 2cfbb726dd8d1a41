"""The rules that judge people, at their edges: exactly at each limit and just past it.

A boundary wrong by one is a person wrongly blamed (issue 22): each test here was written against a
mutant of `tests/mutation/run` that no other test noticed — a `>` turned `>=`, a Saturday taken for
a working day, an SMS taken for the first call — and reads as the floor's story at that edge.
"""

import re
import tomllib
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from leadcard import i18n
from leadcard.chinacal import compute_year, is_working_day, working_days_end
from leadcard.errors import BadInput
from leadcard.model import Channel, DueReason
from leadcard.schedule import (
    Contact,
    Deal,
    Due,
    add_working_minutes,
    after_delivery_day,
    after_delivery_visits,
    card_timing,
    days_between,
    days_planned_ahead,
    deal_due,
    in_wake_up_window,
    load_policy,
    next_birthday,
    owner_occasions,
    wake_up_days,
)

SH = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")
HABC = load_policy("habc")


@pytest.fixture
def english(monkeypatch: pytest.MonkeyPatch):
    """The policy's messages read through the English catalog, as with LEADCARD_LANG=en."""
    monkeypatch.setenv("LEADCARD_LANG", "en")
    i18n.reset()
    yield
    monkeypatch.delenv("LEADCARD_LANG")
    i18n.reset()


def at(day: int, hour: int, minute: int = 0, month: int = 5, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=SH)


def china(*years: int) -> tuple[set[date], set[date]]:
    holidays: set[date] = set()
    swapped: set[date] = set()
    for year in years:
        calendar = compute_year(year)
        holidays |= calendar.holidays
        swapped |= calendar.swapped_workdays
    return holidays, swapped


def festivals(year: int) -> dict[tuple[str, int], date]:
    """As `today` passes them: the festivals of the day's year and the next."""
    return {(name, y): day for y in (year, year + 1) for name, day in compute_year(y).festivals.items()}


# -- working days: China's calendar, 调休 included ------------------------------------------------------


def test_friday_is_a_working_day_and_the_weekend_is_not():
    holidays, swapped = china(2026)
    friday, saturday, sunday, monday = (date(2026, 5, d) for d in (15, 16, 17, 18))
    assert [is_working_day(d, holidays, swapped) for d in (friday, saturday, sunday, monday)] == [True, False, False, True]


def test_a_friday_deal_is_handed_over_by_the_end_of_monday_the_first_working_day_after_it():
    holidays, swapped = china(2026)
    friday = at(15, 16)
    assert working_days_end(friday, 1, holidays, swapped) == at(18, 23, 59, second=59)
    assert working_days_end(friday, 2, holidays, swapped) == at(19, 23, 59, second=59)
    assert working_days_end(friday, 0, holidays, swapped) == at(15, 23, 59, second=59)
    # A delivery on a day off counts its first working day whole too.
    assert working_days_end(at(16, 10), 1, holidays, swapped) == at(18, 23, 59, second=59)


def test_a_swapped_saturday_after_labour_day_is_a_working_day_of_2026():
    holidays, swapped = china(2026)
    assert date(2026, 5, 9) in swapped and date(2026, 2, 14) in swapped  # 调休: Saturdays worked
    assert is_working_day(date(2026, 5, 9), holidays, swapped)
    assert working_days_end(at(8, 16), 1, holidays, swapped) == at(9, 23, 59, second=59)  # Friday's deal: due Saturday
    assert working_days_end(at(13, 16, month=2), 1, holidays, swapped) == at(14, 23, 59, month=2, second=59)


# -- the dormant pool's wake-up windows: the day before each and the day itself -----------------------


def _windows_2026() -> set[date]:
    """From a week before each occasion through the occasion (quarter starts; Spring Festival 17 Feb,
    Dragon Boat 19 Jun, Mid-Autumn 25 Sep, National Day 1 Oct), and the week before 1 January 2027."""
    spans = [(date(2026, 1, 1), date(2026, 1, 1)), (date(2026, 2, 10), date(2026, 2, 17)),
             (date(2026, 3, 25), date(2026, 4, 1)), (date(2026, 6, 12), date(2026, 6, 19)),
             (date(2026, 6, 24), date(2026, 7, 1)), (date(2026, 9, 18), date(2026, 10, 1)),
             (date(2026, 12, 25), date(2026, 12, 31))]
    return {first + timedelta(days=n) for first, last in spans for n in range((last - first).days + 1)}


def test_the_pool_is_listed_exactly_in_the_wake_up_windows_of_2026():
    listed = {date(2026, 1, 1) + timedelta(days=n) for n in range(365)
              if in_wake_up_window(date(2026, 1, 1) + timedelta(days=n), festivals(2026), HABC)}
    assert listed == _windows_2026()


@pytest.mark.parametrize("occasion", [date(2026, 4, 1), date(2026, 7, 1), date(2026, 6, 19), date(2026, 2, 17),
                                      date(2027, 1, 1)])
def test_the_day_before_a_window_is_quiet_its_first_day_and_the_occasion_are_listed(occasion):
    first = occasion - timedelta(days=7)
    assert not in_wake_up_window(first - timedelta(days=1), festivals(first.year), HABC)
    assert in_wake_up_window(first, festivals(first.year), HABC)
    assert in_wake_up_window(occasion, festivals(occasion.year), HABC)


def test_a_store_without_quarterly_wake_ups_wakes_only_for_festivals():
    policy = load_policy("habc", "wake_quarterly = false\nwake_days_before_festival = 3")
    assert not in_wake_up_window(date(2026, 7, 1), festivals(2026), policy)
    assert not in_wake_up_window(date(2026, 6, 15), festivals(2026), policy)  # four days before Dragon Boat
    assert in_wake_up_window(date(2026, 6, 16), festivals(2026), policy)
    assert wake_up_days(2026, festivals(2026), policy) == {date(2026, 2, 14), date(2026, 6, 16), date(2026, 9, 22),
                                                           date(2026, 9, 28)}


def test_wake_up_days_of_2026_for_the_calendar_feed():
    assert wake_up_days(2026, festivals(2026), HABC) == {
        date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1), date(2026, 10, 1),  # quarters
        date(2026, 2, 10), date(2026, 6, 12), date(2026, 9, 18), date(2026, 9, 24),  # a week before festivals
    }


# -- due dates: what `today` is told ------------------------------------------------------------------


def test_the_plan_in_force_is_due_with_its_purpose_and_the_timing_keeps_every_moment():
    contacts = [Contact(at(3, 10, 20), Channel.SMS), Contact(at(3, 15), Channel.PHONE, next_at=at(6, 10),
                                                            purpose="邀约试驾", objections=("price",))]
    timing = card_timing(at(3, 10), "A", contacts, HABC)
    assert timing.due == (at(6, 10), DueReason.PLANNED, "邀约试驾")
    assert (timing.first_touch_at, timing.first_call_at, timing.last_contact_at) == (at(3, 10, 20), at(3, 15), at(3, 15))
    assert (timing.next_at, timing.next_purpose, timing.objections) == (at(6, 10), "邀约试驾", ("price",))
    assert card_timing(at(3, 10), "A", [], HABC).objections == ()


def test_when_the_thank_you_and_the_call_fall_due_at_once_the_thank_you_is_asked_first():
    policy = load_policy("habc", "first_call_hours = 3")
    assert card_timing(at(3, 10), "B", [], policy).due[:2] == (at(3, 13), DueReason.FIRST_TOUCH)


def test_when_the_customer_is_back_the_minute_the_loan_is_refused_the_return_is_answered_first():
    contacts = [Contact(at(2, 10, 30), Channel.WECHAT), Contact(at(2, 11), Channel.PHONE, next_at=at(10, 10))]
    timing = card_timing(at(2, 10), "A", contacts, HABC, returned_at=at(4, 11), finance_rejected_at=at(4, 11))
    assert timing.due == (at(4, 11), DueReason.RETURNED, None)


def test_a_grade_the_store_no_longer_has_is_called_at_its_hottest_cadence():
    four_tier = load_policy("four-tier")
    contacts = [Contact(at(3, 10, 20), Channel.SMS), Contact(at(3, 15), Channel.PHONE)]
    assert card_timing(at(3, 10), "H", contacts, four_tier).due[:2] == (at(5, 15), DueReason.CADENCE)  # 重点: 2 days


def test_an_attempt_logged_at_the_same_minute_as_the_call_that_reached_them_is_no_failure_after_it():
    contacts = [Contact(at(3, 10, 20), Channel.SMS), Contact(at(3, 15), Channel.PHONE),
                Contact(at(3, 15), Channel.WECHAT, reached=False)]
    assert card_timing(at(3, 10), "A", contacts, HABC).failed_attempts == 0
    contacts.append(Contact(at(3, 16), Channel.PHONE, reached=False))
    assert card_timing(at(3, 10), "A", contacts, HABC).failed_attempts == 1


def test_a_customer_back_at_the_minute_something_was_logged_is_no_longer_owed_the_return():
    contacts = [Contact(at(3, 10, 20), Channel.SMS), Contact(at(3, 15), Channel.PHONE, next_at=at(9, 10))]
    came_back = card_timing(at(3, 10), "A", contacts, HABC, returned_at=at(5, 11))
    assert came_back.due[:2] == (at(5, 11), DueReason.RETURNED)
    contacts.append(Contact(at(5, 11), Channel.VISIT, next_at=at(9, 10)))
    assert card_timing(at(3, 10), "A", contacts, HABC, returned_at=at(5, 11)).due[:2] == (at(9, 10), DueReason.PLANNED)


def test_days_are_counted_on_the_stores_calendar_not_the_machines():
    late_evening = datetime(2026, 5, 3, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai
    after_midnight = datetime(2026, 5, 3, 16, 30, tzinfo=UTC)  # 00:30 on the 4th in Shanghai
    assert days_planned_ahead(late_evening, after_midnight, SH) == 1
    assert days_planned_ahead(after_midnight, datetime(2026, 5, 4, 15, 0, tzinfo=UTC), SH) == 0
    assert days_between(after_midnight, date(2026, 5, 4), SH) == 0
    assert days_between(late_evening, date(2026, 5, 4), SH) == 1


def test_a_lead_at_closing_time_with_no_minutes_to_spare_waits_for_the_morning():
    hours = (time(9), time(21))
    assert add_working_minutes(at(3, 21), 0, hours) == at(4, 9)
    assert add_working_minutes(at(3, 20, 59), 1, hours) == at(3, 21)


# -- the store's policy: limits checked where they are loaded -----------------------------------------


@pytest.mark.parametrize("toml, message", [
    ("[grades.H]\ncadence_days = 0", "policy: grades.H.cadence_days must be a number from 1 to 3660"),
    ("[grades.H]\ncadence_days = 3661", "policy: grades.H.cadence_days must be a number from 1 to 3660"),
    ("[grades.A]\nhorizon_days = 0", "policy: grades.A.horizon_days must be a number from 1 to 3660"),
    ("first_call_hours = -0.5", "policy: first_call_hours must be a number from 0 to 8784"),
    ("first_call_hours = true", "policy: first_call_hours must be a number from 0 to 8784"),
    ("wake_quarterly = 1", "policy: wake_quarterly must be true or false"),
    ("[sources.online]\nfirst_call_minutes = 0", "policy: sources.online.first_call_minutes must be a number from 1 to 10080"),
    ("sources = 3", "policy: [sources] must be a table keyed by source"),
    ("[sources.autohome]\nfirst_call_minutes = 30",
     "policy: unknown source 'autohome' in [sources] (use walk-in, phone-in, online, show, referral, hotline, other)"),
    ("[sources.online]\nfirst_touch_minutes = 30",
     "policy: [sources.online] may set only first_call_minutes, platforms, words"),
    ('[sources.referral]\nplatforms = { "瓜子" = "瓜子二手车" }',
     "policy: [sources.referral] may set only first_call_minutes, words"),
    ('[sources.referral]\nwords = ["  "]', "policy: sources.referral.words must hold words, not '  '"),
    ('[sources.referral]\nwords = "车友会"', "policy: sources.referral.words must be a list"),
    ('[sources.online]\nplatforms = ["瓜子"]', "policy: [sources.online.platforms] must be a table of “word = platform”"),
    ('[grades.H]\naliases = ["热", 3]', "policy: grades.H.aliases must hold words, not 3"),
    ('[grades.H]\naliases = "热"', "policy: grades.H.aliases must be a list"),
    ('[sources.online.platforms]\n"" = "瓜子二手车"', "policy: sources.online.platforms must hold words, not ''"),
    ('[sources.online.platforms]\n"瓜子" = 3', "policy: sources.online.platforms must hold words, not 3"),
    ("grades = 3", "policy: [grades] must be a table keyed by grade"),
    ("[grades]\nH = 3", "policy: [grades.H] must be a table of settings"),
    ("[grades.Z]\ncadence_days = 2", "policy: grade 'Z' is not in the habc scheme"),
    ("[grades.H]\nspeed = 2", "policy: grade H: unknown setting 'speed'"),
    ("audit = 3", "policy: [audit] must be a table of rules"),
    ("[audit]\nvague-record = 1", "policy: [audit.vague-record] must be a table of limits"),
    ("wake_festivals = \"Spring Festival\"", "policy: wake_festivals must be a list"),
    ("loss_reasons = \"价格\"", "policy: loss_reasons must be a list"),
    ("colour = 'red'", "policy: unknown setting 'colour'"),
    ('working_hours = "21:00-21:00"',
     "policy: working_hours must read like \"09:00-21:00\" (opening before closing), not '21:00-21:00'"),
    ('working_hours = "09:00-21:00+08:00"',
     "policy: working_hours must read like \"09:00-21:00\" (opening before closing), not '09:00-21:00+08:00'"),
    ('working_hours = "09:00+08:00-21:00"',
     "policy: working_hours must read like \"09:00-21:00\" (opening before closing), not '09:00+08:00-21:00'"),
    ('working_hours = "9am-9pm"',
     "policy: working_hours must read like \"09:00-21:00\" (opening before closing), not '9am-9pm'"),
    ('working_hours = "09:00"', "policy: working_hours must read like \"09:00-21:00\" (opening before closing), not '09:00'"),
    ("working_hours = 9", "policy: working_hours must read like \"09:00-21:00\" (opening before closing), not 9"),
])
def test_a_policy_mistake_is_named_in_one_line(toml, message, english):
    with pytest.raises(BadInput) as refused:
        load_policy("habc", toml)
    assert str(refused.value) == message


def test_a_policy_mistake_reads_in_chinese_by_default():
    with pytest.raises(BadInput, match=r"^政策：\[audit\.vague-record\] 须是按限值分的表$"):
        load_policy("habc", "[audit]\nvague-record = 1")
    with pytest.raises(BadInput, match=r"^政策：\[grades\.H\] 须是按设置分的表$"):
        load_policy("habc", "[grades]\nH = 3")
    with pytest.raises(BadInput, match=r"^政策：working_hours 应写成"):
        load_policy("habc", 'working_hours = "09:00-21:00+08:00"')


def test_an_unknown_scheme_or_broken_toml_is_named(english):
    with pytest.raises(BadInput, match=r"^unknown policy 'hx': use one of habc, four-tier, abc$"):
        load_policy("hx")
    with pytest.raises(tomllib.TOMLDecodeError) as broken:
        tomllib.loads("first_call_hours = ")
    with pytest.raises(BadInput, match=rf"^policy file is not valid TOML: {re.escape(str(broken.value))}$"):
        load_policy("habc", "first_call_hours = ")
    with pytest.raises(BadInput, match=r"^unknown grade 'Z': this store's grades \(habc\) are H A B C$"):
        HABC.grade("Z")


def test_a_policy_nested_too_deep_for_the_toml_reader_is_named():
    with pytest.raises(BadInput, match=r"^政策文件不是有效的 TOML：嵌套太深$"):
        load_policy("habc", "a = " + "[" * 5000 + "]" * 5000)


def test_a_policy_at_its_limits_is_taken_as_written():
    policy = load_policy("habc", """
first_call_hours = 0
wake_quarterly = false
wake_festivals = ["Spring Festival"]
loss_reasons = ["价格", "其他"]
working_hours = " 08:30 - 18:00 "
scheme = "habc"
[grades.H]
cadence_days = 1
horizon_days = 3660
label = "三天内订车"
action = "每天电话"
[grades.C]
cadence_days = 3660
[audit.cadence-gap]
grace_days = 1
""")
    assert (policy.first_call_hours, policy.wake_quarterly) == (0, False)
    assert policy.wake_festivals == ("Spring Festival",) and policy.loss_reasons == ("价格", "其他")
    assert policy.working_hours == (time(8, 30), time(18))
    h = policy.grade("H")
    assert (h.cadence_days, h.horizon_days, h.label, h.action) == (1, 3660, "三天内订车", "每天电话")
    assert policy.grade("C").cadence_days == 3660
    assert policy.audit == {"cadence-gap": {"grace_days": 1}}


def test_a_stores_own_words_match_however_the_floor_types_them_and_a_platform_keeps_its_name():
    policy = load_policy("habc", '[grades.H]\naliases = ["Hot Lead"]\n[sources.referral]\nwords = ["VIP 转介绍"]\n'
                                 '[sources.online.platforms]\n"Che 168" = "Che168 二手车"\n')
    assert policy.grade("ｈｏｔ lead").code == "H"
    assert policy.source_words["vip转介绍"] == "referral"
    assert policy.platforms["che168"] == "Che168 二手车"


def test_a_grade_is_read_as_staff_type_it():
    assert HABC.grade(" ｈ ").code == "H"  # full width, lower case, spaces
    assert HABC.grade("a").code == "A"
    assert HABC.grade("H级").code == "H" and HABC.grade("Ｂ类客户").code == "B"  # as a sheet writes it
    with pytest.raises(BadInput):
        HABC.grade("级")  # a suffix alone is no grade
    assert load_policy("four-tier").grade("Key").code == "重点"
    with pytest.raises(BadInput):
        HABC.grade("")
    with pytest.raises(BadInput):
        HABC.grade(None)
    assert HABC.known_grade("Z") is None and HABC.rank("Z") == 4 and HABC.rank("A") == 1


# -- after the order: the car's progress, the after-delivery visits, the owner's birthday ------------------


def test_a_birthday_is_greeted_on_its_day_and_from_the_day_after_a_year_later():
    assert next_birthday("05-15", date(2026, 5, 15)) == date(2026, 5, 15)
    assert next_birthday("05-15", date(2026, 5, 16)) == date(2027, 5, 15)
    assert next_birthday("12-31", date(2026, 12, 31)) == date(2026, 12, 31)
    assert next_birthday("01-01", date(2026, 12, 31)) == date(2027, 1, 1)


@pytest.mark.parametrize("year, day", [(2027, 28), (2028, 29), (2100, 28), (2000, 29)])
def test_a_leap_day_birthday_falls_on_the_28th_in_other_years(year, day):
    assert next_birthday("02-29", date(year, 1, 1)) == date(year, 2, day)


def test_an_order_without_news_is_due_a_week_after_the_last_call_that_reached_the_customer():
    deal = Deal(ordered_at=at(1, 10))
    assert deal_due(deal, [], HABC, SH) == Due(at(8, 10), DueReason.CADENCE)
    called_before = [Contact(at(1, 9), Channel.PHONE)]  # before the order: its week starts at the order
    assert deal_due(deal, called_before, HABC, SH) == Due(at(8, 10), DueReason.CADENCE)
    told = [Contact(at(3, 15), Channel.PHONE), Contact(at(4, 15), Channel.PHONE, reached=False)]
    assert deal_due(deal, told, HABC, SH) == Due(at(10, 15), DueReason.CADENCE)


def test_a_date_planned_at_the_minute_of_the_order_stands_for_it():
    planned = [Contact(at(1, 10), Channel.VISIT, next_at=at(5, 10), purpose="通知到车进度")]
    assert deal_due(Deal(ordered_at=at(1, 10)), planned, HABC, SH) == Due(at(5, 10), DueReason.PLANNED, "通知到车进度")


def test_the_delivery_day_comes_first_when_the_weekly_news_falls_on_it_too():
    deal = Deal(ordered_at=at(1, 0), delivery_day=date(2026, 5, 8))
    assert deal_due(deal, [], HABC, SH) == Due(at(8, 0), DueReason.DELIVERY)
    assert deal_due(deal._replace(delivery_day=date(2026, 5, 9)), [], HABC, SH) == Due(at(8, 0), DueReason.CADENCE)


def test_a_delivered_car_is_visited_the_day_after_then_on_the_third_and_seventh_day():
    deal = Deal(ordered_at=at(1, 10), delivered_at=at(15, 16))
    assert deal_due(deal, [], HABC, SH) == Due(at(16, 0), DueReason.AFTER_DELIVERY)
    at_midnight = [Contact(at(16, 0), Channel.PHONE)]  # reached at the first minute of the visit's day
    assert deal_due(deal, at_midnight, HABC, SH) == Due(at(18, 0), DueReason.AFTER_DELIVERY)
    the_evening_before = [Contact(at(15, 23, 59), Channel.PHONE)]
    assert deal_due(deal, the_evening_before, HABC, SH) == Due(at(16, 0), DueReason.AFTER_DELIVERY)
    planned = [Contact(at(15, 16), Channel.VISIT, next_at=at(15, 20), purpose="交车当晚问候")]
    assert deal_due(deal, planned, HABC, SH) == Due(at(15, 20), DueReason.PLANNED, "交车当晚问候")


def test_a_legacy_delivery_owes_only_the_birthday_and_nothing_without_one():
    legacy = Deal(ordered_at=at(1, 10), delivered_at=at(15, 16), legacy=True)
    assert deal_due(legacy, [], HABC, SH) is None
    assert deal_due(legacy._replace(birthday="05-15"), [], HABC, SH) == Due(at(15, 0), DueReason.BIRTHDAY)
    greeted = [Contact(at(15, 18), Channel.WECHAT)]  # greeted on the day: next year's
    assert deal_due(legacy._replace(birthday="05-15"), greeted, HABC, SH) == Due(
        datetime(2027, 5, 15, tzinfo=SH), DueReason.BIRTHDAY)


def test_the_owners_occasions_in_order_the_first_service_three_months_on():
    deal = Deal(ordered_at=at(1, 10), delivered_at=at(15, 16), birthday="06-01")
    assert [(d.at.date(), d.reason) for d in owner_occasions(deal, HABC, SH)] == [
        (date(2026, 5, 16), DueReason.AFTER_DELIVERY), (date(2026, 5, 18), DueReason.AFTER_DELIVERY),
        (date(2026, 5, 22), DueReason.AFTER_DELIVERY), (date(2026, 6, 1), DueReason.BIRTHDAY),
        (date(2026, 6, 14), DueReason.AFTER_DELIVERY), (date(2026, 8, 15), DueReason.FIRST_SERVICE)]
    later = owner_occasions(deal, HABC, SH, after=at(31, 23, 59))
    assert [d.at.date() for d in later if d.reason == DueReason.BIRTHDAY] == [date(2026, 6, 1)]
    past = owner_occasions(deal, HABC, SH, after=datetime(2026, 6, 1, 0, 0, tzinfo=SH))
    assert [d.at.date() for d in past if d.reason == DueReason.BIRTHDAY] == [date(2027, 6, 1)]


def test_an_after_delivery_visit_is_made_on_its_day_or_late_and_a_call_on_delivery_day_is_none():
    reached = [at(15, 18), at(16, 0), at(19, 10), at(23, 23, 59)]  # delivery evening, day 1, day 4, day 8
    visits = after_delivery_visits(at(15, 16), reached, HABC, SH)
    assert [(v.days, v.day, v.made_at, v.in_time) for v in visits] == [
        (1, date(2026, 5, 16), at(16, 0), True), (3, date(2026, 5, 18), at(19, 10), False),
        (7, date(2026, 5, 22), at(23, 23, 59), False), (30, date(2026, 6, 14), None, False)]
    graced = after_delivery_visits(at(15, 16), reached, HABC, SH, grace_days=1)
    assert [v.in_time for v in graced] == [True, True, True, False]


def test_a_store_may_visit_owners_from_the_day_after_delivery_on_whole_days_only():
    assert load_policy("habc", "after_delivery_days = [30, 1, 3, 1]").after_delivery_days == (1, 3, 30)
    for toml, message in (("after_delivery_days = [0, 3]", "政策：after_delivery_days 须是 1 到 3660 之间的数"),
                          ("after_delivery_days = [1, 2.5]", "政策：after_delivery_days 须列出整天数，不能是 2.5"),
                          ("after_delivery_days = 7", "政策：after_delivery_days 须是列表")):
        with pytest.raises(BadInput) as refused:
            load_policy("habc", toml)
        assert str(refused.value) == message


def test_a_car_delivered_after_midnight_is_visited_the_next_day_on_the_stores_calendar():
    deal = Deal(ordered_at=at(1, 10), delivered_at=at(15, 1))  # 01:00 in Shanghai is the 14th in UTC
    assert [d.at for d in owner_occasions(deal, HABC, SH)][:1] == [at(16, 0)]


def test_two_calls_typed_in_at_the_same_minute_keep_the_order_they_were_logged_in():
    deal = Deal(ordered_at=at(1, 10))
    same_minute = [Contact(at(2, 10), Channel.PHONE, next_at=at(4, 10), purpose="通知到车进度"),
                   Contact(at(2, 10), Channel.PHONE, next_at=None)]  # the later one took the plan back
    assert deal_due(deal, same_minute, HABC, SH) == Due(at(9, 10), DueReason.CADENCE)
    assert deal_due(deal, same_minute[::-1], HABC, SH) == Due(at(4, 10), DueReason.PLANNED, "通知到车进度")


def test_a_date_planned_for_the_first_minute_of_an_after_delivery_visit_is_told_with_its_purpose():
    deal = Deal(ordered_at=at(1, 10), delivered_at=at(15, 16))
    planned = [Contact(at(15, 17), Channel.PHONE, next_at=at(16, 0), purpose="交车次日回访")]
    assert deal_due(deal, planned, HABC, SH) == Due(at(16, 0), DueReason.PLANNED, "交车次日回访")


def test_a_call_that_reached_the_customer_at_the_minute_the_loan_was_rejected_answers_the_rejection():
    contacts = [Contact(at(2, 10, 30), Channel.WECHAT), Contact(at(2, 11), Channel.PHONE, next_at=at(10, 10)),
                Contact(at(4, 11), Channel.PHONE, next_at=at(6, 10), purpose="商量提高首付")]
    timing = card_timing(at(2, 10), "A", contacts, HABC, finance_rejected_at=at(4, 11))
    assert timing.due == Due(at(6, 10), DueReason.PLANNED, "商量提高首付")


def test_on_the_first_service_day_the_reminder_comes_before_the_birthday_greeting():
    deal = Deal(ordered_at=at(1, 10), delivered_at=at(15, 16), birthday="08-15")
    assert [(d.at.date(), d.reason) for d in owner_occasions(deal, HABC, SH)][-2:] == [
        (date(2026, 8, 15), DueReason.FIRST_SERVICE), (date(2026, 8, 15), DueReason.BIRTHDAY)]
    reached = [Contact(datetime(2026, 6, 14, 10, tzinfo=SH), Channel.PHONE)]  # the 30th day's visit made
    assert deal_due(deal, reached, HABC, SH) == Due(datetime(2026, 8, 15, tzinfo=SH), DueReason.FIRST_SERVICE)


def test_the_visit_after_a_delivery_past_midnight_is_the_first_day_on_the_stores_calendar():
    assert after_delivery_day(at(15, 1), at(16, 0), SH) == 1


def test_after_delivery_visits_are_counted_in_the_stores_days_around_midnight():
    visits = after_delivery_visits(at(15, 1), [at(16, 9), at(19, 0, 30)], HABC, SH)  # delivered past midnight
    assert [(v.days, v.day, v.made_at, v.in_time) for v in visits][:2] == [
        (1, date(2026, 5, 16), at(16, 9), True), (3, date(2026, 5, 18), at(19, 0, 30), False)]  # half an hour late
