"""A date without a time is a whole day: `log --next 2026-12-05` is due from the start of that day in
`today`, an all-day event in the calendar (no alarm at midnight), and the day alone in the export."""

import csv
from datetime import date, datetime

import pytest
from icalendar import Calendar

from conftest import Leadcard
from leadcard.parse import carries_time

NOW = "2026-12-01T10:00:00"


@pytest.fixture
def planned(lc):
    """张三 to be visited on Saturday 5 December (a day), 李四 on Sunday the 6th at 15:30."""
    for name, phone, when in (("张三", "13800000001", "2026-12-05"), ("李四", "13800000002", "2026-12-06 15:30")):
        lc.ok("add", name, "--phone", phone, "--grade", "B", now="2026-12-01T09:00:00")
        lc.ok("log", name, "--channel", "wechat", "--content", "感谢到店", now="2026-12-01T09:10:00")
        lc.ok("log", name, "--channel", "phone", "--content", "约周末到店", "--next", when, now="2026-12-01T09:30:00")
    lc.now = NOW
    return lc


def events(lc, tmp_path, **kwargs) -> dict:
    path = tmp_path / "due.ics"
    lc.ok("calendar", "--output", str(path), **kwargs)
    return {str(e["summary"]).split()[1]: e for e in Calendar.from_ical(path.read_bytes()).walk("VEVENT")}


def test_a_next_date_without_a_time_is_an_all_day_event_and_one_with_a_time_a_timed_one(planned, tmp_path):
    found = events(planned, tmp_path)
    whole, timed = found["张三"], found["李四"]
    assert whole.decoded("dtstart") == date(2026, 12, 5) and not isinstance(whole.decoded("dtstart"), datetime)
    assert whole["dtstart"].params["VALUE"] == "DATE" and "duration" not in whole
    assert timed.decoded("dtstart") == datetime.fromisoformat("2026-12-06T15:30:00+08:00")
    assert "VALUE" not in timed["dtstart"].params and "duration" in timed


def test_an_overdue_whole_day_moves_to_today_still_all_day(planned, tmp_path):
    whole = events(planned, tmp_path, now="2026-12-07T09:00:00")["张三"]
    assert whole.decoded("dtstart") == date(2026, 12, 7) and "duration" not in whole


def test_a_whole_day_is_due_from_its_start_in_today(planned):
    assert planned.json("today", "--date", "2026-12-04")["items"] == []
    [item] = planned.json("today", "--date", "2026-12-05")["items"]
    assert (item["ref"], item["reason"], item["due_at"], item["overdue_days"]) == (
        "A00001", "planned", "2026-12-05T00:00:00+08:00", 0)


def test_show_and_log_tell_a_whole_day_from_a_time(planned):
    shown = [planned.json("show", name)["followups"][-1]["next_all_day"] for name in ("张三", "李四")]
    assert shown == [True, False]
    told = planned.ok("log", "张三", "--channel", "phone", "--content", "改约下周", "--next", "下周一").stdout
    assert "下次：2026-12-07 全天" in told


def test_export_writes_the_day_alone_and_import_reads_it_back_as_a_whole_day(planned, tmp_path):
    planned.ok("export", "--output", str(tmp_path / "all.csv"))
    with open(tmp_path / "all.followups.csv", encoding="utf-8-sig", newline="") as f:
        assert [r["下次访问时间"] for r in csv.DictReader(f) if r["下次访问时间"]] == ["2026-12-05", "2026-12-06 15:30"]
    other = Leadcard(tmp_path / "new.db")
    other.ok("import", str(tmp_path / "all.csv"), "--followups", str(tmp_path / "all.followups.csv"), now=NOW)
    assert events(other, tmp_path, now=NOW)["张三"].decoded("dtstart") == date(2026, 12, 5)


@pytest.mark.parametrize("typed, timed", [
    ("2026-12-05", False), ("12月5日", False), ("明天", False), ("周六", False), ("下周一", False), ("+3天", False),
    ("2026-12-05 14:30", True), ("明天 15:30", True), ("周六 10:00", True), ("15:30", True), ("now", True),
    ("2026-12-05 00:00", True), ("2026-12-05T09:00+08:00", True),
])
def test_a_typed_date_carries_a_time_only_when_one_is_written(typed, timed):
    assert carries_time(typed) is timed


# -- a whole day ends at midnight: the rest of today is still ahead ---------------------------------


@pytest.fixture
def called(lc):
    """王五 thanked and called on the morning of Monday 23 November 2026."""
    lc.ok("add", "王五", "--phone", "13800000003", "--grade", "B", now="2026-11-23T08:00:00")
    lc.ok("log", "王五", "--channel", "wechat", "--content", "感谢到店", now="2026-11-23T08:10:00")
    return lc


def test_a_whole_day_of_today_is_a_next_date_due_today(called):
    logged = called.json("log", "王五", "--channel", "phone", "--content", "约看车", "--next", "今天",
                         now="2026-11-23T08:30:00")
    assert (logged["next_at"], logged["due_at"], logged["due_reason"]) == (
        "2026-11-23T00:00:00+08:00", "2026-11-23T00:00:00+08:00", "planned")
    assert "下次：2026-11-23 全天" in called.ok("log", "王五", "--channel", "phone", "--content", "再约看车",
                                              "--next", "今天", now="2026-11-23T08:40:00").stdout
    shown = called.json("show", "王五", now="2026-11-23T09:00:00")
    assert (shown["status"], shown["followups"][-1]["next_all_day"]) == ("open", True)
    assert "下次跟进  2026-11-23（计划回访）" in called.ok("show", "王五", now="2026-11-23T09:00:00").stdout
    [item] = called.json("today", now="2026-11-23T09:00:00")["items"]
    assert (item["ref"], item["reason"], item["overdue_days"]) == ("A00001", "planned", 0)


@pytest.mark.parametrize("at, typed, refused", [
    ("2026-11-23T23:59:59", "2026-11-23", None),  # the last second of the day planned
    ("2026-11-24T00:00:00", "2026-11-23", "2026-11-23"),  # the day is over
    ("2026-11-24T00:00:00", "昨天", "2026-11-23"),
    ("2026-11-23T08:30:00", "今天 08:30", "2026-11-23 08:30"),  # a moment: the contact's own is not after it
    ("2026-11-23T08:30:00", "今天 08:31", None),
])
def test_a_whole_day_is_ahead_until_it_ends_and_a_moment_only_after_the_contact(called, at, typed, refused):
    result = called("log", "王五", "--channel", "phone", "--content", "约看车", "--next", typed, now=at)
    assert result.exit_code == (2 if refused else 0), result.stderr
    if refused:
        assert f"下次联系（{refused}）必须晚于这次" in result.stderr


def test_a_back_filled_contact_may_plan_the_rest_of_its_own_day(called):
    logged = called.json("log", "王五", "--channel", "phone", "--content", "约看车", "--at", "2026-11-23 21:00",
                         "--next", "2026-11-23", now="2026-11-24T09:00:00")
    assert logged["next_at"] == "2026-11-23T00:00:00+08:00"
    [item] = called.json("today", now="2026-11-24T09:00:00")["items"]
    assert (item["reason"], item["overdue_days"]) == ("planned", 1)


def test_an_imported_history_plans_a_whole_day_of_its_own_day_but_not_the_day_before(lc, tmp_path):
    cards_file = tmp_path / "cards.csv"
    cards_file.write_text("姓名,电话,级别,建卡日期\n赵六,13800000004,B,2026-11-20 09:00\n", encoding="utf-8")
    history = tmp_path / "history.csv"
    rows = "电话,跟进时间,方式,洽谈内容,下次访问时间\n13800000004,2026-11-22 16:00,电话,约看车,{next}\n"
    history.write_text(rows.format(next="2026-11-22"), encoding="utf-8")
    lc.ok("import", str(cards_file), "--followups", str(history), now="2026-11-23T09:00:00")
    [followup] = lc.json("show", "赵六", now="2026-11-23T09:00:00")["followups"]
    assert (followup["next_at"], followup["next_all_day"]) == ("2026-11-22T00:00:00+08:00", True)
    history.write_text(rows.format(next="2026-11-21"), encoding="utf-8")
    other = Leadcard(tmp_path / "other.db")
    refused = other("import", str(cards_file), "--followups", str(history), "--json", now="2026-11-23T09:00:00")
    assert refused.exit_code == 1
    assert refused.json()["errors"][0]["reason"] == "下次访问时间 2026-11-21 必须在这次联系之后"


def test_an_order_and_an_owners_occasions_are_all_day_events_and_a_cadence_call_a_timed_one(lc, tmp_path):
    """The delivery day and an owner's visits are due from the start of their day for the whole of it:
    a 15-minute event at midnight would ring the consultant's phone then."""
    for name, phone in (("张三", "13800000001"), ("李四", "13800000002"), ("王五", "13800000003")):
        lc.ok("add", name, "--phone", phone, "--grade", "B", now="2026-12-01T09:00:00")
        lc.ok("log", name, "--channel", "wechat", "--content", "感谢到店", now="2026-12-01T09:10:00")
        lc.ok("log", name, "--channel", "phone", "--content", "确认级别", now="2026-12-01T09:30:00")
    lc.ok("win", "张三", "--model", "凯美瑞", "--price", "150000", "--deposit", "5000", "--delivery", "2026-12-03", now="2026-12-01T11:00:00")
    lc.ok("win", "李四", "--model", "凯美瑞", "--price", "150000", "--deposit", "5000", now="2026-12-01T11:00:00")
    lc.ok("deliver", "李四", "--handover-to", "周售后", now="2026-12-01T16:00:00")
    found = events(lc, tmp_path, now="2026-12-02T10:00:00")
    delivery, visit, cadence = found["张三"], found["李四"], found["王五"]
    assert str(delivery["summary"]).startswith("交车 ") and str(visit["summary"]).startswith("交车回访 ")
    for whole, day in ((delivery, date(2026, 12, 3)), (visit, date(2026, 12, 2))):
        assert whole.decoded("dtstart") == day and whole["dtstart"].params["VALUE"] == "DATE"
        assert "duration" not in whole
    assert str(cadence["summary"]).startswith("周期回访 ")
    assert cadence.decoded("dtstart") == datetime.fromisoformat("2026-12-15T09:30:00+08:00") and "duration" in cadence
    # Overdue, the owner's visit moves to today, still the whole day.
    late = events(lc, tmp_path, now="2026-12-05T10:00:00")["李四"]
    assert late.decoded("dtstart") == date(2026, 12, 5) and "duration" not in late
