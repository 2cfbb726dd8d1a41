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
