"""A year whose holidays the installed `holidays` only estimates (its schedule not yet announced, or
not yet in that release): the store may write the State Council's schedule into its policy
([calendar.YEAR]), an estimate is worked out again once another `holidays` is installed, and
`policy show` tells which years are which. The working days judge people: a handover's deadline,
the audit's handover-late."""

from __future__ import annotations

import importlib.util
import json
from datetime import date

import pytest

from conftest import database
from leadcard import chinacal
from leadcard.chinacal import YearCalendar, holidays_release
from test_audit import audit
from test_lifecycle import card, refused, team

# `holidays` estimates 2027's Spring Festival as 5–10 February (Friday to Wednesday), with no swapped
# workday. The schedule written here is another (as an announcement may be): 6–12 February off,
# Sunday the 14th worked.
ANNOUNCED_2027 = """
[calendar.2027]
holidays = [2027-01-01, 2027-02-06, 2027-02-07, 2027-02-08, 2027-02-09, 2027-02-10, 2027-02-11, "2027-02-12"]
workdays = [2027-02-14]
"""


def delivered(lc, at: str) -> None:
    """王芳's 刘先生 (A00001) ordered in January 2027 and delivered at `at`, not yet handed over."""
    team(lc)
    lc.ok("win", "A00001", "--model", "凯美瑞", now="2027-01-20T10:00:00", user="王芳")
    lc.ok("deliver", "A00001", now=at, user="王芳")


def handover_late(lc, now: str) -> list[dict]:
    return audit(lc, "--rule", "handover-late", now=now, user="赵经理")["findings"]


def test_by_holidays_estimate_a_thursday_delivery_before_spring_festival_waits_for_the_holiday_to_end(lc):
    assert holidays_release() is not None  # the installed release can be told, so estimates follow it
    delivered(lc, "2027-02-04T15:00:00")  # Thursday 4 February 2027
    assert card(lc)["handover_due"] == "2027-02-11T23:59:59+08:00"
    assert handover_late(lc, "2027-02-11T23:59:59") == []


def test_the_stores_own_calendar_for_a_year_decides_its_working_days(lc, tmp_path):
    policy = tmp_path / "store.toml"
    policy.write_text(ANNOUNCED_2027, encoding="utf-8")
    lc.ok("init", "--policy-file", str(policy))
    delivered(lc, "2027-02-04T15:00:00")
    # Friday the 5th is a working day by the store's calendar: the owner is handed over by then.
    assert card(lc)["handover_due"] == "2027-02-05T23:59:59+08:00"
    assert "尚未交接，截止 2027-02-05（工作日）" in lc.ok("show", "A00001", user="王芳", now="2027-02-05T09:00:00").stdout
    [waiting] = lc.json("today", user="钱主管", now="2027-02-05T09:00:00")["waiting"]["handovers"]
    assert waiting["due_at"] == "2027-02-05T23:59:59+08:00"
    # The audit judges by it too: at the deadline nothing is late, a second past it is.
    assert handover_late(lc, "2027-02-05T23:59:59") == []
    [late] = handover_late(lc, "2027-02-06T00:00:00")
    assert (late["ref"], late["message"]) == ("A00001", "交车（02-04）后还没有交接售后，已过时限（1 个工作日：02-05 当天）")


def test_a_swapped_sunday_in_the_stores_calendar_is_a_working_day(lc, tmp_path):
    policy = tmp_path / "store.toml"
    policy.write_text(ANNOUNCED_2027, encoding="utf-8")
    lc.ok("init", "--policy-file", str(policy))
    delivered(lc, "2027-02-13T15:00:00")  # Saturday the 13th; Sunday the 14th is worked
    assert card(lc)["handover_due"] == "2027-02-14T23:59:59+08:00"


@pytest.mark.parametrize("toml", [
    "[calendar.1900]\nholidays = [1900-01-01]",  # the first year a store may set, and the last
    "[calendar.2199]\nworkdays = [2199-01-05]",
    "[calendar.2027]\nholidays = [2027-10-01]",  # either list may be left out
    "[calendar.2027]\nworkdays = [2027-02-20, 2027-02-14]",  # a Saturday and a Sunday worked
])
def test_the_stores_calendar_takes_any_year_it_may_set_and_either_list_alone(lc, tmp_path, toml):
    policy = tmp_path / "store.toml"
    policy.write_text(toml + "\n", encoding="utf-8")
    lc.ok("init", "--policy-file", str(policy))


def test_policy_show_tells_where_each_years_working_days_come_from(lc, tmp_path):
    release = holidays_release()
    lc.ok("init")
    shown = lc.json("policy", "show", now="2026-11-23T08:30:00")["calendar"]
    assert shown == [{"year": 2026, "source": "announced", "release": release},
                     {"year": 2027, "source": "estimated", "release": release}]
    text = lc.ok("policy", "show", now="2026-11-23T08:30:00").stdout
    assert f"2026 年法定节假日和调休：按国务院安排（holidays {release}）" in text
    assert "2027 年法定节假日和调休：估算" in text and "[calendar.2027]" in " ".join(text.split())
    policy = tmp_path / "store.toml"
    policy.write_text(ANNOUNCED_2027, encoding="utf-8")
    lc.ok("init", "--policy-file", str(policy))
    assert lc.json("policy", "show", now="2026-11-23T08:30:00")["calendar"][1] == {
        "year": 2027, "source": "policy", "release": None}
    assert "2027 年法定节假日和调休：按本店政策文件的 [calendar.2027]" in lc.ok(
        "policy", "show", now="2026-11-23T08:30:00").stdout


def cached(lc, **flags) -> None:
    """2027's calendar as an earlier command cached it (with `flags`), with Wednesday 3 March wrongly
    a holiday."""
    with database(lc.db) as db:
        db.execute("INSERT INTO settings (key, value) VALUES ('calendar.2027', ?) "
                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                   (json.dumps({"year": 2027, "holidays": ["2027-03-03"], "swapped_workdays": [], "festivals": {},
                                **flags}),))


@pytest.mark.parametrize("provisional, release, due", [
    (True, "0.1", "2027-03-03T23:59:59+08:00"),  # an estimate by another release: worked out again
    (True, None, "2027-03-03T23:59:59+08:00"),  # an estimate cached before the release was kept
    (True, "this", "2027-03-04T23:59:59+08:00"),  # by the installed release: kept
    (False, "0.1", "2027-03-04T23:59:59+08:00"),  # an announced schedule: kept
])
def test_an_estimate_cached_by_another_holidays_release_is_worked_out_again(lc, provisional, release, due):
    delivered(lc, "2027-03-02T15:00:00")  # Tuesday 2 March 2027
    cached(lc, provisional=provisional, release=holidays_release() if release == "this" else release)
    assert card(lc)["handover_due"] == due
    with database(lc.db) as db:
        kept = json.loads(db.execute("SELECT value FROM settings WHERE key = 'calendar.2027'").fetchone()[0])
    assert ("2027-03-03" in kept["holidays"]) == (due.startswith("2027-03-04"))


def test_an_estimate_cached_without_its_flags_is_taken_for_one(lc):
    """A cache written before the flags were kept: no swapped workday tells an estimate."""
    delivered(lc, "2027-03-02T15:00:00")
    cached(lc)
    assert card(lc)["handover_due"] == "2027-03-03T23:59:59+08:00"


@pytest.mark.parametrize("toml, message", [
    ("calendar = 3", "政策：[calendar] 须是按年份分的表，例如 [calendar.2027]"),
    ("[calendar.27]", "政策：[calendar.27] 须是年份（1900–2199）"),
    ("[calendar.1899]", "政策：[calendar.1899] 须是年份（1900–2199）"),
    ("[calendar.2200]", "政策：[calendar.2200] 须是年份（1900–2199）"),
    ("[calendar.\"２０２７\"]", "政策：[calendar.２０２７] 须是年份（1900–2199）"),
    ("[calendar]\n2027 = 3", "政策：[calendar.2027] 须是表，写 holidays 和 workdays"),
    ("[calendar.2027]\nholiday = [2027-02-06]", "政策：[calendar.2027] 不认识“holiday”（可写 holidays、workdays）"),
    ("[calendar.2027]\nholidays = 2027-02-06", "政策：[calendar.2027] holidays 须是列表"),
    ("[calendar.2027]\nholidays = [2026-12-31]", "政策：[calendar.2027] holidays 的 2026-12-31 不在 2027 年"),
    ("[calendar.2027]\nholidays = [\"2月6日\"]", "政策：[calendar.2027] holidays 须列出日期（如 2027-02-06），不能是 '2月6日'"),
    ("[calendar.2027]\nworkdays = [\"2月14日\"]", "政策：[calendar.2027] workdays 须列出日期（如 2027-02-06），不能是 '2月14日'"),
    ("[calendar.2027]\nholidays = [2027-02-06T10:00:00]",
     "政策：[calendar.2027] holidays 须列出日期（如 2027-02-06），不能是 2027-02-06T10:00:00"),
    ("[calendar.2027]\nworkdays = [2027-02-15]", "政策：[calendar.2027] 的 workdays 是调休上班的周六、周日，2027-02-15 不是周末"),
    ("[calendar.2027]\nholidays = [2027-02-14]\nworkdays = [2027-02-14]",
     "政策：[calendar.2027] 的 2027-02-14 既是假日又是调休上班日"),
])
def test_a_mistake_in_the_stores_calendar_is_refused_and_nothing_changes(lc, tmp_path, toml, message):
    lc.ok("init")
    policy = tmp_path / "store.toml"
    policy.write_text(toml + "\n", encoding="utf-8")
    result = refused(lc, "init", "--policy-file", str(policy), user=None, code=2)
    assert result.stderr.strip() == f"leadcard: {message}"
    assert lc.json("policy", "show")["calendar"][1]["source"] == "estimated"


# -- the calendar's own values ----------------------------------------------------------------------


def test_a_cached_calendar_reads_back_as_it_was_written():
    calendar = YearCalendar(2030, frozenset({date(2030, 2, 3)}), frozenset({date(2030, 2, 9)}),
                            {"Spring Festival": date(2030, 2, 3)}, True, "0.200")
    assert YearCalendar.from_json(json.loads(json.dumps(calendar.to_json()))) == calendar


@pytest.mark.parametrize("folders, release", [
    (["annotated_types-0.7.0.dist-info", "holidays", "holidays-0.109.dist-info", "zipp-3.0.dist-info"], "0.109"),
    (["holidays", "holidays-0.50-py3.11.egg-info"], "0.50-py3.11"),  # as setuptools' eggs name it
    (["holidays", "Holidays-0.60.dist-info"], "0.60"),
    (["holidays", "holidays_ext-1.0.dist-info"], None),  # another package
])
def test_the_holidays_release_is_read_from_its_metadata_folders_name(tmp_path, monkeypatch, folders, release):
    for folder in folders:
        (tmp_path / folder).mkdir()
    (tmp_path / "holidays" / "__init__.py").write_text("")
    spec = importlib.util.spec_from_file_location("holidays", tmp_path / "holidays" / "__init__.py")
    monkeypatch.setattr(chinacal.importlib.util, "find_spec", lambda name: spec if name == "holidays" else None)
    assert chinacal.holidays_release() == release


def test_without_holidays_installed_its_release_is_not_known(monkeypatch):
    monkeypatch.setattr(chinacal.importlib.util, "find_spec", lambda name: None)
    assert chinacal.holidays_release() is None
