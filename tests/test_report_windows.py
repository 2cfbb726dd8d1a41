"""A trend reads all its weeks in one pass, each record put in its week in SQL, and each week's point
is that week's report: at the edges of the days and weeks it puts a record in — a day of the store's
own time zone the day its clocks go back, a contact withdrawn after the week it counted in, a visit
made just after the week it was due in.

Week 2026-W47 runs from Monday 16 to Sunday 22 November 2026, W48 from 23 to 29 November."""

from __future__ import annotations

from test_reports import add, log

READ_ON = "2026-11-30T09:00:00"
BERLIN = {"LEADCARD_TZ": "Europe/Berlin"}


def after_delivery(lc, week: str) -> tuple[int, int]:
    ratio = lc.json("report", "weekly", "--week", week, now=READ_ON)["kpis"]["after_delivery"]
    return ratio["numerator"], ratio["denominator"]


def trend_after_delivery(lc) -> list[tuple[int, int]]:
    """W47 and W48's points, read on the 30th."""
    points = lc.json("report", "trend", "--weeks", "2", now=READ_ON)["ratios"]["after_delivery"]
    return [(p["numerator"], p["denominator"]) for p in points]


def delivered(lc, name: str, phone: str, at: str) -> None:
    add(lc, name, phone, "2026-11-02 10:00", "--model", "凯美瑞")
    lc.ok("win", name, now="2026-11-03T10:00:00")
    lc.ok("deliver", name, now=at)


def test_an_invitation_for_the_day_the_clocks_go_back_is_kept_until_that_days_own_midnight(lc):
    """In Berlin the clocks go back at 3 a.m. on Sunday 25 October 2026: that Sunday lasts 25 hours.
    施密特, invited for the Sunday, comes at 23:30 that night; 穆勒, invited too, at 00:30 on Monday."""
    for name, phone, came in (("施密特", "13800000001", "2026-10-25 23:30"), ("穆勒", "13800000002", "2026-10-26 00:30")):
        lc.ok("add", name, "--phone", phone, "--at", "2026-10-19 10:00", now="2026-10-19T10:00:00", env=BERLIN)
        lc.ok("log", name, "--channel", "phone", "--content", "邀约", "--at", "2026-10-23 10:00",
              "--next", "2026-10-25 15:00", "--purpose", "邀约周日到店", now="2026-10-23T10:00:00", env=BERLIN)
        lc.ok("visit", "add", "--at", came, "--phone", phone, now=came.replace(" ", "T") + ":00", env=BERLIN)
    week = lc.json("report", "weekly", "--week", "2026-W43", now="2026-10-28T09:00:00", env=BERLIN)
    assert week["traffic"]["invitation"] == {"numerator": 1, "denominator": 2, "rate": 0.5}
    point = lc.json("report", "trend", "--weeks", "1", now="2026-10-28T09:00:00", env=BERLIN)["ratios"]["invitation"]
    assert point == [{"numerator": 1, "denominator": 2, "rate": 0.5}]


def test_an_after_delivery_call_withdrawn_after_its_week_still_made_that_weeks_visit(lc):
    """张三 takes his car on Monday 16th: the day-1 call on the 17th is made (withdrawn on the 26th, as
    logged on the wrong card), the day-3 visit is not; the day-7 call on the 23rd is made."""
    delivered(lc, "张三", "13800000001", "2026-11-16T15:00:00")
    log(lc, "张三", "2026-11-17 10:00", content="交车后第一天回访")
    log(lc, "张三", "2026-11-23 10:00", content="交车一周回访")
    before = after_delivery(lc, "2026-W47")
    lc.ok("log", "张三", "--void", "1", "--reason", "记错卡片", now="2026-11-26T10:00:00")
    assert before == after_delivery(lc, "2026-W47") == (1, 2)
    assert after_delivery(lc, "2026-W48") == (1, 1)
    assert trend_after_delivery(lc) == [(1, 2), (1, 1)]


def test_a_visit_made_the_day_after_its_week_is_not_that_weeks_though_within_the_grace(lc, tmp_path):
    """With a day's grace, 李四 — who takes his car on Saturday 21st — is called on Monday 23rd for his
    day-1 visit (Sunday, the week's last day): in time by the grace, yet not in W47, over before it;
    his day-3 visit, on Tuesday 24th, is made that day, his day-7 one not."""
    path = tmp_path / "store.toml"
    path.write_text("[audit.after-delivery-late]\ngrace_days = 1\n", encoding="utf-8")
    lc.ok("init", "--policy-file", str(path))
    delivered(lc, "李四", "13800000002", "2026-11-21T10:00:00")
    log(lc, "李四", "2026-11-23 10:00", content="交车后回访，晚了一天")
    log(lc, "李四", "2026-11-24 10:00", content="交车后第三天回访")
    assert after_delivery(lc, "2026-W47") == (0, 1)
    assert after_delivery(lc, "2026-W48") == (1, 2)  # and the day-7 visit, on Saturday 28th, not made
    assert trend_after_delivery(lc) == [(0, 1), (1, 2)]


def test_an_after_delivery_visit_is_made_from_its_days_first_minute_to_the_grace_days_last(lc, tmp_path):
    """With a day and a half's grace (whole days count: one), 王五 takes his car on Monday 16th at
    15:00. A call that evening is no visit; the day-1 visit (17th) is missed by an unanswered call on
    the 17th but made at 23:59 on the 18th, the grace's last minute; the day-3 one (19th) is made at
    midnight on the 21st, a minute too late. 赵六, delivered the same day, is reached at midnight
    starting his day-1 visit: in time."""
    path = tmp_path / "store.toml"
    path.write_text("[audit.after-delivery-late]\ngrace_days = 1.5\n", encoding="utf-8")
    lc.ok("init", "--policy-file", str(path))
    delivered(lc, "王五", "13800000003", "2026-11-16T15:00:00")
    delivered(lc, "赵六", "13800000004", "2026-11-16T15:00:00")
    log(lc, "王五", "2026-11-16 18:00", content="交车当晚致电")
    log(lc, "王五", "2026-11-17 10:00", "phone", "--outcome", "unreachable", content="未接")
    log(lc, "王五", "2026-11-18 23:59", content="交车后回访")
    log(lc, "王五", "2026-11-21 00:00", content="交车后第三天回访，晚了")
    log(lc, "赵六", "2026-11-17 00:00", content="交车后第一天回访")
    assert after_delivery(lc, "2026-W47") == (2, 4)  # 王五's day 1 and 3, 赵六's day 1 and 3
    assert trend_after_delivery(lc)[0] == (2, 4)
