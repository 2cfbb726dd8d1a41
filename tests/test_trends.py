"""`leadcard report trend`: Monday's meeting asks whether timeliness is improving since the coaching
and whether a consultant's conversion is falling — each KPI week by week (or month by month), with
its numerator and denominator, in total and per consultant, from dated records only.

The trend is read on Wednesday 25 November 2026: the last complete week is 2026-W47 (16–22 Nov).
"""

import json

import pytest

from conftest import sales_floor
from report_stores import build

READ_ON = "2026-11-25T09:00:00"


def add(lc, name, phone, at, user="王芳"):
    lc.ok("add", name, "--phone", phone, "--at", at, now=at, user=user)


def log(lc, name, at, channel="phone", *args, user="王芳", content="电话沟通需求"):
    lc.ok("log", name, "--channel", channel, "--content", content, "--at", at, *args, now=at, user=user)


def trend(lc, *args, user="赵经理", now=READ_ON):
    return lc.json("report", "trend", *args, now=now, user=user)


def coached_floor(lc):
    """王芳 called late in W45 and W46, was coached, and called within the hour in W47; 李强 in W47 too."""
    sales_floor(lc)
    add(lc, "张三", "13800000001", "2026-11-03 10:00")
    log(lc, "张三", "2026-11-05 10:00")  # 48 h later: late
    add(lc, "李四", "13800000002", "2026-11-10 10:00")
    log(lc, "李四", "2026-11-12 10:00")  # late
    add(lc, "王五", "13800000003", "2026-11-11 10:00")
    log(lc, "王五", "2026-11-11 11:00")  # timely
    add(lc, "赵六", "13800000004", "2026-11-17 10:00")
    log(lc, "赵六", "2026-11-17 10:30", "wechat", content="感谢到店")  # timely
    add(lc, "孙七", "13800000005", "2026-11-18 10:00", user="李强")
    log(lc, "孙七", "2026-11-18 10:20", user="李强")  # timely


def test_timeliness_week_by_week_with_its_numerator_and_denominator(lc):
    coached_floor(lc)
    found = trend(lc)
    assert len(found["periods"]) == 12 and found["periods"][-3:] == ["2026-W45", "2026-W46", "2026-W47"]
    assert found["period"] == "weekly" and found["starts"][-1] == "2026-11-16" and found["ends"][-1] == "2026-11-22"
    assert found["series"]["timeliness_rate"][-3:] == [0.0, 0.5, 1.0]
    assert found["series"]["timeliness_rate"][:9] == [None] * 9  # nothing to divide: null, never 0
    assert [(r["numerator"], r["denominator"]) for r in found["ratios"]["timeliness"][-3:]] == [(0, 1), (1, 2), (2, 2)]
    assert found["counts"]["new_cards"][-3:] == [1, 2, 2]
    assert found["targets"] == {"timeliness_rate": 0.8}
    owners = {o["owner"]: o for o in found["by_owner"]}
    assert owners["王芳"]["series"]["timeliness_rate"][-3:] == [0.0, 0.5, 1.0]
    assert owners["李强"]["series"]["timeliness_rate"][-3:] == [None, None, 1.0]
    assert set(found["series"]) == {f"{k}_rate" for k in found["kpis"]} and "close_rate" in found["series"]


def test_months_and_the_kpis_asked_for(lc):
    coached_floor(lc)
    found = trend(lc, "--months", "3", "--kpi", "timeliness", "--kpi", "conversion_rate")
    assert found["period"] == "monthly" and found["periods"] == ["2026-08", "2026-09", "2026-10"]
    assert set(found["series"]) == {"timeliness_rate", "conversion_rate"} and found["kpis"] == ["timeliness", "conversion"]
    november = trend(lc, "--months", "1", now="2026-12-01T09:00:00")
    assert november["periods"] == ["2026-11"] and november["ratios"]["timeliness"][0] == {
        "numerator": 3, "denominator": 5, "rate": 0.6}


@pytest.mark.parametrize("args", [("--kpi", "nosuch"), ("--weeks", "2", "--months", "2"), ("--weeks", "0"),
                                  ("--weeks", "105"), ("--format", "pdf"), ("--json", "--format", "md")])
def test_a_bad_option_is_one_line_and_exit_2(lc, args):
    result = lc("report", "trend", *args, now=READ_ON)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith("leadcard: ") and len(result.stderr.strip().splitlines()) == 1
    if "--json" in args:  # the failure as the document asked for
        assert json.loads(result.stdout)["error"]["code"] == "bad_input"
    else:
        assert result.stdout == ""


def test_a_past_week_never_changes_when_records_come_later(lc):
    coached_floor(lc)
    before = trend(lc)
    # After W47 ended: 赵六 ordered then cancelled, 王五 moved to 李强, 张三's first call withdrawn,
    # a card and a visit made on Thursday.
    log(lc, "赵六", "2026-11-23 10:00", "visit", content="到店订车")
    lc.ok("win", "赵六", "--model", "凯美瑞", now="2026-11-23T11:00:00", user="王芳")
    lc.ok("cancel-order", "赵六", "--reason", "资金不足", now="2026-11-24T10:00:00", user="王芳")
    lc.ok("assign", "王五", "李强", now="2026-11-24T11:00:00", user="赵经理")
    lc.ok("log", "张三", "--void", "1", "--reason", "记错卡片", now="2026-11-24T12:00:00", user="王芳")
    add(lc, "周八", "13800000008", "2026-11-26 10:00")
    lc.ok("visit", "add", "--name", "吴先生", "--phone", "13900000009", now="2026-11-26T15:00:00", user="王芳")
    after = trend(lc, now="2026-11-28T09:00:00")
    assert after == before
    assert trend(lc, now="2026-11-30T09:00:00")["counts"]["new_cards"][-1] == 1  # W48 now counts 周八


def test_a_call_withdrawn_in_a_later_week_of_the_trend_still_counts_in_its_own(lc):
    """The withdrawal falls before the trend's last end but after W46's: W46 keeps 王五's timely call."""
    coached_floor(lc)
    lc.ok("log", "王五", "--void", "1", "--reason", "记错卡片", now="2026-11-18T12:00:00", user="王芳")
    found = trend(lc)
    assert [(r["numerator"], r["denominator"]) for r in found["ratios"]["timeliness"][-3:]] == [(0, 1), (1, 2), (2, 2)]
    assert found["counts"]["followups"][-2] == 2


def test_a_first_call_moved_by_a_correction_into_the_next_week_stood_at_its_own_weeks_end(lc):
    """张三's card is made on Tuesday 10th (W46) and called within the hour; on Wednesday 18th (W47)
    the call is corrected and moved to the 18th. At W46's end the call stood: W46's point is timely,
    as W46's report is. (A correction dated before the trend's last end is weighed at each period's
    own end.)"""
    sales_floor(lc)
    add(lc, "张三", "13800000001", "2026-11-10 10:00")
    log(lc, "张三", "2026-11-10 10:30")
    lc.ok("log", "张三", "--corrects", "1", "--content", "电话沟通需求（改期）", "--at", "2026-11-18 09:00",
          now="2026-11-18T10:00:00", user="王芳")
    found = trend(lc, "--weeks", "2")
    assert found["periods"] == ["2026-W46", "2026-W47"]
    assert [(r["numerator"], r["denominator"]) for r in found["ratios"]["timeliness"]] == [(1, 1), (0, 0)]
    report = lc.json("report", "weekly", "--week", "2026-W46", now=READ_ON, user="赵经理")
    assert report["kpis"]["timeliness"]["numerator"] == 1


def test_each_point_is_that_periods_report(tmp_path):
    """On a demo store changed after it was built, every week's point of the trend — in total and per
    consultant, for the manager and for a supervisor — is that week's report, and every month's."""
    lc = build(tmp_path, 1)
    now = "2026-11-30T09:00:00"
    for reader in ("赵经理", "钱主管"):
        found = lc.json("report", "trend", "--weeks", "6", now=now, user=reader)
        months = lc.json("report", "trend", "--months", "3", now=now, user=reader)
        for series, kind, option in ((found, "weekly", "--week"), (months, "monthly", "--month")):
            for i, label in enumerate(series["periods"]):
                report = lc.json("report", kind, option, label, now=now, user=reader)
                _same_point(series, i, report, report["totals"], report["kpis"], report.get("traffic"))
                owners = {o["owner"]: o for o in series["by_owner"]}
                for entry in report["by_owner"]:
                    _same_point(owners[entry["owner"]], i, report, entry, entry["kpis"], entry["traffic"])


def _same_point(series, i, report, counts, kpis, traffic):
    for key in ("timeliness", "completeness", "conversion", "reactivation", "referral", "after_delivery",
                "loss_clarity"):
        ratio = series["ratios"][key][i]
        assert (ratio["numerator"], ratio["denominator"]) == (kpis[key]["numerator"], kpis[key]["denominator"]), \
            (report.get("week") or report.get("month"), key)
    for key in ("new_cards", "followups", "wins", "orders", "cancellations", "deliveries"):
        assert series["counts"][key][i] == counts[key], key
    for key in ("card", "test_drive", "invitation", "close"):
        ratio = series["ratios"][key][i]
        expected = (traffic[key]["numerator"], traffic[key]["denominator"]) if traffic else (0, 0)
        assert (ratio["numerator"], ratio["denominator"]) == expected, key


def test_a_trend_reads_no_report_card_states_beside_its_own(lc, monkeypatch):
    """A trend's points read their cards' states as the trend has them (its conversion cohort): the
    report's states of every period's cards, read beside on a connection of their own, would be a
    second pass over the store for nothing. A weekly report does read them there."""
    from leadcard.domain.session import Session

    started = []
    beside = Session.beside
    monkeypatch.setattr(Session, "beside", lambda self, work: started.append(work.__name__) or beside(self, work))
    coached_floor(lc)
    trend(lc)
    assert started and "read_states" not in started, started
    started.clear()
    lc.json("report", "weekly", now=READ_ON, user="赵经理")
    assert "read_states" in started, started


def test_who_sees_whose_trend(lc):
    coached_floor(lc)
    add(lc, "郑九", "13800000009", "2026-11-18 10:00", user="孙丽")
    own = trend(lc, user="王芳")
    assert [o["owner"] for o in own["by_owner"]] == ["王芳"]
    assert own["counts"]["new_cards"][-1] == 1
    team = trend(lc, user="钱主管")
    assert [o["owner"] for o in team["by_owner"]] == ["李强", "王芳"]
    one = trend(lc, "--owner", "李强")
    assert one["owner"] == "李强" and [o["owner"] for o in one["by_owner"]] == ["李强"]
    assert one["counts"]["new_cards"][-1] == 1
    for user, other in (("王芳", "李强"), ("钱主管", "孙丽")):
        refused = lc("report", "trend", "--owner", other, now=READ_ON, user=user)
        assert refused.exit_code == 1 and refused.stdout == "" and len(refused.stderr.strip().splitlines()) == 1
    assert lc("report", "trend", "--owner", "无此人", now=READ_ON).exit_code == 1


def test_the_terminal_shows_a_sparkline_and_the_latest_against_the_target(lc):
    coached_floor(lc)
    table = lc.ok("report", "trend", now=READ_ON, user="赵经理").stdout
    line = next(row for row in table.splitlines() if row.startswith("跟进及时率"))
    assert line.split()[1] == "·" * 9 + "▁▅█"  # nothing to divide, then W45 0 %, W46 50 %, W47 100 %
    assert "100.0%" in line and "目标 80%" in line and "低于目标" not in line
    assert "2026-W45" not in table  # the per-period tables are for the files, too wide for a screen
    below = lc.ok("report", "trend", "--weeks", "2", now="2026-11-18T09:00:00", user="赵经理").stdout
    line = next(row for row in below.splitlines() if row.startswith("跟进及时率"))
    assert "50.0%" in line and "低于目标" in line
    english = lc.ok("report", "trend", now=READ_ON, user="赵经理", env={"LEADCARD_LANG": "en"}).stdout
    assert "Follow-up timeliness" in english and "target 80%" in english


def test_a_card_moved_to_another_team_stays_in_its_old_teams_past_weeks(lc):
    """王五 (王芳's, 一组) moves to 孙丽 (二组) on Friday of W47: 钱主管's W46 still holds it, W47
    no longer, and every reader's trend agrees with their weekly reports."""
    coached_floor(lc)
    lc.ok("assign", "王五", "孙丽", now="2026-11-20T10:00:00", user="赵经理")
    lc.ok("log", "王五", "--channel", "phone", "--content", "新顾问接手", now="2026-11-20T11:00:00", user="孙丽")
    team = trend(lc, "--weeks", "3", user="钱主管")
    conversion = [(r["numerator"], r["denominator"]) for r in team["ratios"]["conversion"]]
    assert conversion[1:] == [(0, 3), (0, 4)]  # W46: 张三, 李四, 王五; W47: 王五 gone, 赵六 and 孙七 new
    for reader in ("钱主管", "王芳", "孙丽", "赵经理"):
        found = trend(lc, "--weeks", "3", user=reader)
        owners = {o["owner"]: o for o in found["by_owner"]}
        for i, week in enumerate(found["periods"]):
            report = lc.json("report", "weekly", "--week", week, now=READ_ON, user=reader)
            _same_point(found, i, report, report["totals"], report["kpis"], report.get("traffic"))
            for entry in report["by_owner"]:
                _same_point(owners[entry["owner"]], i, report, entry, entry["kpis"], entry["traffic"])
    sun = trend(lc, "--weeks", "3", user="孙丽")
    assert [r["denominator"] for r in sun["ratios"]["conversion"]] == [0, 0, 1]
