"""`leadcard report weekly|monthly` on hand-built weeks: every KPI, the funnel, losses, formats, cron.

Week 2026-W47 runs from Monday 16 to Sunday 22 November 2026; the reports are read on Wednesday 25th.
"""

import csv
import io
import json
from contextlib import contextmanager

import pytest

from conftest import run_process, sales_floor

READ_ON = "2026-11-25T09:00:00"


def add(lc, name, phone, at, *args):
    lc.ok("add", name, "--phone", phone, "--at", at, *args, now=at)


def log(lc, name, at, channel="phone", *args, content="电话沟通需求"):
    lc.ok("log", name, "--channel", channel, "--content", content, "--at", at, *args, now=at)


def weekly(lc, *args, week="2026-W47", user=None):
    return lc.json("report", "weekly", "--week", week, *args, now=READ_ON, user=user)


def team(lc):
    sales_floor(lc)


# -- periods ---------------------------------------------------------------------------------------


def test_an_empty_week_shows_n_a_never_zero(lc):
    report = weekly(lc)
    assert (report["week"], report["start"], report["end"]) == ("2026-W47", "2026-11-16", "2026-11-22")
    for key in ("timeliness_rate", "completeness_rate", "conversion_rate", "reactivation_rate", "referral_rate"):
        assert report["kpis"][key] is None
    assert report["kpis"]["timeliness"] == {"numerator": 0, "denominator": 0, "rate": None, "target": 0.8,
                                             "below_target": None}
    assert report["funnel"] == {"H": 0, "A": 0, "B": 0, "C": 0}
    assert report["totals"]["new_cards"] == 0 and report["loss_reasons"] == {}
    table = lc.ok("report", "weekly", "--week", "2026-W47", now=READ_ON).stdout
    kpi_lines = [line for line in table.splitlines() if line.startswith(("跟进及时率", "转化率", "转介绍率"))]
    assert len(kpi_lines) == 3 and all("n/a" in line and "0.0%" not in line for line in kpi_lines)


def test_by_default_the_last_complete_week_and_month(lc):
    monday = "2026-11-23T07:00:00"
    report = lc.json("report", "weekly", now=monday)
    assert (report["week"], report["start"], report["end"]) == ("2026-W47", "2026-11-16", "2026-11-22")
    month = lc.json("report", "monthly", now=monday)
    assert (month["month"], month["start"], month["end"]) == ("2026-10", "2026-10-01", "2026-10-31")
    january = lc.json("report", "monthly", now="2027-01-04T07:00:00")
    assert (january["month"], january["end"]) == ("2026-12", "2026-12-31")


@pytest.mark.parametrize("args", [("weekly", "--week", "2026-47"), ("weekly", "--week", "2026-W54"),
                                  ("weekly", "--week", "2026-W50"), ("monthly", "--month", "2026-13"),
                                  ("weekly", "--format", "pdf")])
def test_a_bad_or_future_period_or_format_is_bad_input(lc, args):
    result = lc("report", *args, now=READ_ON)
    assert result.exit_code == 2
    assert result.stderr.startswith("leadcard: ") and len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_help_defines_every_kpi_and_the_conversion_cohort(lc):
    text = lc.ok("report", "weekly", "--help").stdout
    for name in ("跟进及时率", "记录完整率", "转化率", "休眠激活率", "转介绍率", "战败明确率", "级别准确率"):
        assert name in text
    assert "本期在手的有效卡" in text and "记为 n/a，不记 0" in text
    assert "客户自己回复，`log --inbound`" in text  # what answers a wake-up, as the rate counts it
    english = lc.ok("report", "weekly", "--help", env={"LEADCARD_LANG": "en"}).stdout
    assert "Timeliness (跟进及时率)" in english and "Grade accuracy (级别准确率)" in english
    assert "valid cards in hand during it" in english and "n/a, never 0" in english


# -- the KPIs ----------------------------------------------------------------------------------------


def test_timeliness_is_first_follow_up_within_24_hours_of_cards_made_in_the_week(lc):
    add(lc, "张三", "13800000001", "2026-11-16 10:00")  # thanked within the hour: timely
    log(lc, "张三", "2026-11-16 10:30", "wechat", content="感谢到店")
    add(lc, "李四", "13800000002", "2026-11-17 10:00")  # first contact 30 h later: late
    log(lc, "李四", "2026-11-18 16:00")
    add(lc, "王五", "13800000003", "2026-11-18 10:00")  # never contacted: late
    add(lc, "赵六", "13800000004", "2026-11-22 20:00")  # called next Monday within its 24 h: not this week's to judge
    log(lc, "赵六", "2026-11-23 09:00")
    add(lc, "孙七", "13800000005", "2026-11-13 10:00")  # made the week before: not counted
    log(lc, "孙七", "2026-11-16 09:00")
    add(lc, "周八", "13800000006", "2026-11-21 23:59")  # its 24 h ran out a minute before the week's end: late
    add(lc, "吴九", "13800000007", "2026-11-22 00:00")  # its 24 h end with the week: not yet late
    report = weekly(lc)
    assert report["kpis"]["timeliness"] == {"numerator": 1, "denominator": 4, "rate": 0.25, "target": 0.8,
                                             "below_target": True}
    assert report["kpis"]["timeliness_rate"] == 0.25
    assert report["totals"]["new_cards"] == 6
    assert report["new_by_source"] == {"walk-in": 6}
    table = lc.ok("report", "weekly", "--week", "2026-W47", now=READ_ON).stdout
    assert "低于目标：一对一辅导" in table and "25.0%" in table and "▼ 辅导" in table


def test_completeness_counts_content_plan_and_next_date_and_a_correction_once(lc):
    add(lc, "张三", "13800000001", "2026-11-10 10:00")
    log(lc, "张三", "2026-11-16 10:00", "phone", "--plan", "准备五年用车成本对比", "--next", "2026-11-20")  # complete
    log(lc, "张三", "2026-11-17 10:00", "wechat", "--next", "2026-11-21")  # no plan
    log(lc, "张三", "2026-11-18 10:00", "visit", "--plan", "试驾后报价")  # no next date
    log(lc, "张三", "2026-11-19 10:00", "phone")  # corrected below, so counted as corrected
    lc.ok("log", "张三", "--corrects", "4", "--content", "确认周六试驾", "--plan", "安排试驾车",
          "--next", "2026-11-21", now="2026-11-19T11:00:00")
    log(lc, "张三", "2026-11-23 10:00", "phone", "--plan", "跟进", "--next", "2026-11-26")  # the week after
    report = weekly(lc)
    assert report["kpis"]["completeness"] == {"numerator": 2, "denominator": 4, "rate": 0.5}
    assert report["totals"]["followups"] == 4
    assert report["followups_by_channel"] == {"wechat": 1, "phone": 2, "visit": 1}


def test_completeness_judges_the_sales_contacts_not_an_orders_or_an_owners_calls(lc):
    add(lc, "张三", "13800000001", "2026-11-10 10:00", "--model", "凯美瑞")
    log(lc, "张三", "2026-11-16 10:00", "visit", "--plan", "签单后安排交车")  # no next date: not the last contact
    lc.ok("win", "张三", now="2026-11-17T10:00:00")
    log(lc, "张三", "2026-11-17 10:00")  # at the order's very moment: still the sale's, and the contact that ended it
    log(lc, "张三", "2026-11-18 10:00", content="告知车辆到港")  # the order's progress: no next date asked
    lc.ok("deliver", "张三", now="2026-11-19T10:00:00")
    log(lc, "张三", "2026-11-20 10:00", content="交车三日回访，用车满意")  # an owner's care
    add(lc, "李四", "13800000002", "2026-11-10 10:00", "--model", "雷凌")
    lc.ok("win", "李四", now="2026-11-16T10:00:00")
    lc.ok("cancel-order", "李四", "--reason", "资金周转", now="2026-11-17T10:00:00")
    log(lc, "李四", "2026-11-18 10:00")  # being sold again after the cancelled order, and incomplete
    report = weekly(lc)
    assert report["kpis"]["completeness"] == {"numerator": 1, "denominator": 3, "rate": 0.3333}
    assert report["totals"]["followups"] == 5  # every follow-up is still work done
    by_owner = {o["owner"]: o["kpis"]["completeness"] for o in report["by_owner"]}
    assert by_owner == {None: {"numerator": 1, "denominator": 3, "rate": 0.3333}}


def test_completeness_asks_no_next_date_of_the_thank_you_before_the_first_call_nor_of_the_contact_that_ended_a_card(lc):
    add(lc, "张三", "13800000001", "2026-11-16 10:00")
    log(lc, "张三", "2026-11-16 10:30", "wechat", content="感谢到店")  # the thank-you: complete as it is
    log(lc, "张三", "2026-11-17 10:00", "phone", "--plan", "准备报价", "--next", "2026-11-19")  # complete
    log(lc, "张三", "2026-11-17 12:00", "wechat", content="发送报价单")  # after the call: a plan is asked
    add(lc, "李四", "13800000002", "2026-11-16 11:00")
    log(lc, "李四", "2026-11-16 11:30", "phone")  # before the last contact: incomplete
    log(lc, "李四", "2026-11-17 11:30", "phone", content="客户已在别处订车")  # the contact that ended it
    lc.ok("lose", "李四", "--reason", "竞品品牌", "--competitor", "本田雅阁", now="2026-11-17T12:00:00")
    add(lc, "王五", "13800000003", "2026-11-16 12:00")
    log(lc, "王五", "2026-11-16 12:30", "phone", "--plan", "邀约试驾", "--next", "2026-11-17")  # complete
    log(lc, "王五", "2026-11-17 12:30", "phone", content="客户说不买了")
    lc.ok("lose", "王五", "--reason", "推迟购买", now="2026-11-17T13:00:00")
    lc.ok("reject", "王五", "--note", "再约一次试驾", now="2026-11-18T09:00:00")  # open again: a plan is asked
    report = weekly(lc)
    assert report["kpis"]["completeness"] == {"numerator": 4, "denominator": 7, "rate": 0.5714}


def test_a_message_logged_after_a_call_at_the_same_minute_is_no_thank_you_and_one_logged_before_it_is(lc):
    add(lc, "甲", "13800000001", "2026-11-16 09:00")
    log(lc, "甲", "2026-11-16 10:00", "phone", "--plan", "准备报价", "--next", "2026-11-18")
    log(lc, "甲", "2026-11-16 10:00", "wechat", content="发送配置表")  # after the call: a plan is asked
    add(lc, "乙", "13800000002", "2026-11-16 09:00")
    log(lc, "乙", "2026-11-16 10:00", "wechat", content="感谢到店")  # the thank-you, then the call
    log(lc, "乙", "2026-11-16 10:00", "phone", "--plan", "准备报价", "--next", "2026-11-18")
    assert weekly(lc)["kpis"]["completeness"] == {"numerator": 3, "denominator": 4, "rate": 0.75}


def test_funnel_at_the_weeks_end_comes_from_the_grade_history_and_status_events(lc):
    add(lc, "张三", "13800000001", "2026-11-09 10:00", "--grade", "A")
    lc.ok("grade", "张三", "H", "--reason", "周末订车", now="2026-11-18T10:00:00")
    lc.ok("grade", "张三", "C", "--reason", "预算推迟", now="2026-11-24T10:00:00")  # after the week
    add(lc, "李四", "13800000002", "2026-11-10 10:00", "--grade", "B", "--model", "汉兰达")
    lc.ok("win", "李四", now="2026-11-24T10:00:00")  # won after the week: still in the funnel
    add(lc, "王五", "13800000003", "2026-11-11 10:00", "--grade", "C")
    lc.ok("invalid", "王五", "--reason", "空号", now="2026-11-19T10:00:00")
    add(lc, "赵六", "13800000004", "2026-11-23 10:00", "--grade", "H")  # made after the week
    add(lc, "钱七", "13800000005", "2026-04-01 10:00", "--grade", "B")  # no contact since April: dormant
    report = weekly(lc)
    assert report["funnel"] == {"H": 1, "A": 0, "B": 1, "C": 0}
    assert report["totals"]["open_at_end"] == 2
    assert report["totals"]["dormant_at_end"] == 1
    table = lc.ok("report", "weekly", "--week", "2026-W47", now=READ_ON).stdout
    assert "期末漏斗" in table and "█" * 30 in table


def test_conversion_referral_and_follow_ups_per_win_through_win_and_invalid(lc):
    add(lc, "张三", "13800000001", "2026-11-02 10:00", "--source", "转介绍", "--model", "凯美瑞")
    for day in ("03", "05", "09", "12"):
        log(lc, "张三", f"2026-11-{day} 10:00")
    lc.ok("win", "张三", now="2026-11-19T10:00:00")  # a referral won after four follow-ups
    add(lc, "李四", "13800000002", "2026-11-16 10:00", "--model", "汉兰达")
    log(lc, "李四", "2026-11-16 11:00", "test-drive", content="试驾满意")
    lc.ok("win", "李四", now="2026-11-20T10:00:00")  # a walk-in won after one
    add(lc, "王五", "13800000003", "2026-11-17 10:00")  # still open
    add(lc, "赵六", "13800000004", "2026-11-17 11:00")
    lc.ok("invalid", "赵六", "--reason", "同行询价", now="2026-11-18T10:00:00")  # not a valid card
    add(lc, "孙七", "13800000005", "2026-11-01 10:00", "--model", "雷凌")
    lc.ok("win", "孙七", now="2026-11-10T10:00:00")  # closed before the week: not in hand
    report = weekly(lc)
    assert report["kpis"]["conversion"] == {"numerator": 2, "denominator": 3, "rate": 0.6667}
    assert report["kpis"]["referral"] == {"numerator": 1, "denominator": 2, "rate": 0.5}
    assert report["totals"]["wins"] == 2
    per_win = {b["followups"]: (b["wins"], b["benchmark"]) for b in report["followups_per_win"]}
    assert per_win == {"0": (0, 0.02), "1": (1, 0.03), "2": (0, 0.05), "3": (0, 0.10), "4+": (1, 0.80)}


def test_a_wins_contacts_are_counted_as_corrected_by_the_date_each_correction_gives_them(lc):
    """张三 and 李四 are each called twice and win on Thursday 12th (W46); on Wednesday 18th the first
    call of each is corrected: 张三's as it was dated, so the correction counts in its place, not
    beside it; 李四's moved to the 18th, after the win, so as W46 ended his first call stood. Two
    contacts each."""
    for name, phone in (("张三", "13800000001"), ("李四", "13800000002")):
        add(lc, name, phone, "2026-11-09 10:00", "--model", "凯美瑞")
        log(lc, name, "2026-11-10 10:00")
        log(lc, name, "2026-11-11 10:00")
        lc.ok("win", name, now="2026-11-12T10:00:00")
    lc.ok("log", "张三", "--corrects", "1", "--channel", "phone", "--content", "电话沟通需求（更正）",
          now="2026-11-18T10:00:00")
    lc.ok("log", "李四", "--corrects", "1", "--channel", "phone", "--content", "电话沟通需求（改期）",
          "--at", "2026-11-18 09:00", now="2026-11-18T10:00:00")
    report = weekly(lc, week="2026-W46")
    assert report["totals"]["wins"] == 2
    assert {b["followups"]: b["wins"] for b in report["followups_per_win"] if b["wins"]} == {"2": 2}


def test_losses_by_reason_and_competitor_and_loss_clarity(lc):
    for i, name in enumerate(("张三", "李四", "王五", "赵六"), start=1):
        add(lc, name, f"1380000000{i}", "2026-11-02 10:00")
    lc.ok("lose", "张三", "--reason", "价格", "--competitor", "本田雅阁", now="2026-11-17T10:00:00")
    lc.ok("approve", "张三", now="2026-11-17T18:00:00")  # clear: reason and competitor
    lc.ok("lose", "李四", "--reason", "推迟购买", now="2026-11-18T10:00:00")
    lc.ok("approve", "李四", now="2026-11-18T18:00:00")  # clear: a postponed purchase names no competitor
    lc.ok("lose", "王五", "--reason", "价格", "--competitor", "大众帕萨特", now="2026-11-19T10:00:00")
    lc.ok("reject", "王五", "--note", "客户还在比价，再约试驾", now="2026-11-19T18:00:00")
    lc.ok("lose", "赵六", "--reason", "竞品品牌", "--competitor", "比亚迪汉", now="2026-11-22T10:00:00")
    lc.ok("approve", "赵六", now="2026-11-23T10:00:00")  # approved after the week
    report = weekly(lc)
    assert report["kpis"]["loss_clarity"] == {"numerator": 2, "denominator": 4, "rate": 0.5}
    assert report["loss_reasons"] == {"价格": 1, "推迟购买": 1}
    assert report["loss_competitors"] == {"": 1, "本田雅阁": 1}
    assert (report["totals"]["losses"], report["totals"]["loss_requests"]) == (2, 4)
    assert report["totals"]["lost_pending_at_end"] == 1
    assert report["funnel"]["B"] == 1  # 王五, back to work after the rejection
    assert "（未填）" in lc.ok("report", "weekly", "--week", "2026-W47", "--format", "md", now=READ_ON).stdout


def test_loss_clarity_asks_a_competitor_only_of_the_reasons_that_name_one(lc):
    for i, name in enumerate(("张三", "李四", "王五", "赵六"), start=1):
        add(lc, name, f"1380000000{i}", "2026-11-02 10:00")
    for name, reason in (("张三", "贷款未过"), ("李四", "竞品品牌"), ("王五", "已在别处购买")):
        lc.ok("lose", name, "--reason", reason, now="2026-11-17T10:00:00")
        lc.ok("approve", name, now="2026-11-17T18:00:00")
    lc.ok("lose", "赵六", "--reason", "bought-elsewhere", "--competitor", "比亚迪汉", now="2026-11-18T10:00:00")
    lc.ok("approve", "赵六", now="2026-11-18T18:00:00")
    # clear: the refused loan, and the customer who bought a named car elsewhere; not the two
    # losses to a competitor that the request leaves unnamed
    assert weekly(lc)["kpis"]["loss_clarity"] == {"numerator": 2, "denominator": 4, "rate": 0.5}


def dormant(lc, name, phone):
    add(lc, name, phone, "2026-03-02 10:00", "--grade", "C")
    log(lc, name, "2026-03-02 11:00", "wechat", content="感谢到店")
    log(lc, name, "2026-03-03 10:00", "phone", content="明年再说")


def test_reactivation_counts_wake_ups_answered_within_30_days_and_before_the_weeks_end(lc):
    dormant(lc, "张三", "13800000001")
    log(lc, "张三", "2026-11-17 10:00", "sms", content="新款双擎上市问候")  # wakes it
    log(lc, "张三", "2026-11-19 10:00", "phone", content="客户回电询价")  # and they answer
    dormant(lc, "李四", "13800000002")
    log(lc, "李四", "2026-11-18 10:00", "sms", content="节日问候")  # no answer
    dormant(lc, "王五", "13800000003")
    log(lc, "王五", "2026-11-20 10:00", "phone", content="接通，考虑明年换车")  # the wake call is an answer
    dormant(lc, "赵六", "13800000004")
    log(lc, "赵六", "2026-11-21 10:00", "sms", content="问候")
    log(lc, "赵六", "2026-11-24 10:00", "phone", content="回电")  # answered, but after the week
    dormant(lc, "孙七", "13800000005")
    log(lc, "孙七", "2026-11-22 10:00", "phone", "--outcome", "unreachable", content="未接通")  # an attempt
    report = weekly(lc)
    assert report["kpis"]["reactivation"] == {"numerator": 2, "denominator": 5, "rate": 0.4}
    assert report["totals"]["woken"] == 5


def test_grade_accuracy_per_consultant_counts_gradings_whose_horizon_ended_in_the_week(lc):
    team(lc)
    add(lc, "张三", "13800000001", "2026-11-01 10:00", "--owner", "王芳", "--model", "凯美瑞")
    add(lc, "李四", "13800000002", "2026-11-01 10:00", "--owner", "王芳")
    add(lc, "王五", "13800000003", "2026-11-01 10:00", "--owner", "李强", "--model", "汉兰达")
    lc.ok("grade", "张三", "H", now="2026-11-10T10:00:00", user="王芳")  # horizon ends 17 Nov
    lc.ok("win", "张三", now="2026-11-15T10:00:00", user="王芳")  # won within 7 days
    lc.ok("grade", "李四", "H", now="2026-11-11T10:00:00", user="王芳")  # never won
    lc.ok("grade", "王五", "H", now="2026-11-12T10:00:00", user="李强")
    lc.ok("win", "王五", now="2026-11-20T10:00:00", user="李强")  # 8 days: outside H's horizon
    report = weekly(lc)
    accuracy = {(g["grader"], g["grade"]): (g["numerator"], g["denominator"]) for g in report["grade_accuracy"]}
    assert accuracy[("王芳", "H")] == (1, 2)
    assert accuracy[("李强", "H")] == (0, 1)
    assert all(g["horizon_days"] == 7 for g in report["grade_accuracy"] if g["grade"] == "H")


# -- per consultant, visibility, reproducibility --------------------------------------------------


def test_per_consultant_follow_ups_by_author_and_cards_by_owner_at_the_weeks_end(lc):
    team(lc)
    add(lc, "张三", "13800000001", "2026-11-16 10:00", "--owner", "王芳")
    lc.ok("log", "张三", "--channel", "phone", "--content", "确认预算", "--at", "2026-11-16 11:00",
          now="2026-11-16T11:00:00", user="王芳")
    lc.ok("assign", "张三", "李强", now="2026-11-18T10:00:00", user="钱主管")
    lc.ok("log", "张三", "--channel", "phone", "--content", "接手回访", "--at", "2026-11-18 11:00",
          now="2026-11-18T11:00:00", user="李强")
    add(lc, "李四", "13800000002", "2026-11-17 10:00", "--owner", "王芳")
    lc.ok("assign", "李四", "李强", now="2026-11-24T10:00:00", user="钱主管")  # after the week
    add(lc, "王五", "13800000003", "2026-11-17 10:00", "--owner", "孙丽")
    by_owner = {o["owner"]: o for o in weekly(lc)["by_owner"]}
    assert by_owner["王芳"]["new_cards"] == 1 and by_owner["王芳"]["followups"] == 1  # 李四, and her call
    assert by_owner["李强"]["new_cards"] == 1 and by_owner["李强"]["followups"] == 1  # 张三, and his call
    assert by_owner["孙丽"]["new_cards"] == 1
    assert by_owner["王芳"]["kpis"]["timeliness"]["denominator"] == 1
    seen_by_supervisor = weekly(lc, user="钱主管")
    assert seen_by_supervisor["totals"]["new_cards"] == 2
    assert {o["owner"] for o in seen_by_supervisor["by_owner"]} == {"王芳", "李强"}
    assert weekly(lc, user="孙丽")["totals"]["new_cards"] == 1


def test_a_card_moved_to_another_team_after_the_week_stays_in_the_reports_of_the_team_that_held_it(lc):
    sales_floor(lc, ("周主管", "supervisor", "二组"))
    add(lc, "张三", "13800000001", "2026-11-17 10:00", "--owner", "王芳")
    lc.ok("log", "张三", "--channel", "phone", "--content", "确认预算", "--at", "2026-11-17 11:00",
          now="2026-11-17T11:00:00", user="王芳")
    add(lc, "李四", "13800000002", "2026-11-18 10:00", "--owner", "孙丽")
    lc.ok("assign", "张三", "孙丽", now="2026-11-24T10:00:00", user="赵经理")  # after the week
    first_team = weekly(lc, user="钱主管")
    assert first_team["totals"]["new_cards"] == 1 and first_team["totals"]["followups"] == 1
    assert [o["owner"] for o in first_team["by_owner"] if o["new_cards"]] == ["王芳"]
    assert weekly(lc, user="王芳")["totals"]["new_cards"] == 1
    second_team = weekly(lc, user="周主管")
    assert second_team["totals"]["new_cards"] == 1 and second_team["totals"]["followups"] == 0
    assert "王芳" not in {o["owner"] for o in second_team["by_owner"]}
    assert weekly(lc, user="孙丽")["totals"]["new_cards"] == 1  # 李四 only
    assert weekly(lc, user="赵经理")["totals"]["new_cards"] == 2


def test_a_past_week_gives_the_same_figures_after_later_records(lc):
    add(lc, "张三", "13800000001", "2026-11-16 10:00", "--grade", "A", "--model", "凯美瑞")
    log(lc, "张三", "2026-11-16 10:30", "wechat", "--plan", "邀约试驾", "--next", "2026-11-18", content="感谢到店")
    add(lc, "李四", "13800000002", "2026-11-17 10:00", "--grade", "H")
    lc.ok("lose", "李四", "--reason", "价格", "--competitor", "本田雅阁", now="2026-11-20T10:00:00")
    before = weekly(lc)
    # The next week: more contacts, a regrade, a win, an approval, a correction, a new card.
    log(lc, "张三", "2026-11-23 10:00", "phone", "--grade", "H", "--plan", "报价", "--next", "2026-11-24")
    lc.ok("log", "张三", "--corrects", "1", "--channel", "wechat", "--content", "感谢到店（更正）",
          "--at", "2026-11-24 09:00", now="2026-11-24T09:00:00")
    lc.ok("win", "张三", now="2026-11-24T10:00:00")
    lc.ok("approve", "李四", now="2026-11-23T10:00:00")
    add(lc, "王五", "13800000003", "2026-11-23 10:00")
    after = weekly(lc)
    assert after == before
    assert before["funnel"]["A"] == 1 and before["totals"]["lost_pending_at_end"] == 1


# -- formats and cron ---------------------------------------------------------------------------------


def busy_week(lc):
    add(lc, "张三", "13800000001", "2026-11-16 10:00", "--grade", "H", "--model", "凯美瑞", "--source", "转介绍")
    log(lc, "张三", "2026-11-16 10:30", "wechat", "--plan", "邀约试驾", "--next", "2026-11-18", content="感谢到店")
    lc.ok("win", "张三", now="2026-11-20T10:00:00")
    add(lc, "李四", "13800000002", "2026-11-17 10:00", "--grade", "A")
    lc.ok("lose", "李四", "--reason", "价格", "--competitor", "本田雅阁", now="2026-11-19T10:00:00")
    lc.ok("approve", "李四", now="2026-11-19T18:00:00")


def test_csv_is_utf8_with_bom_and_parses_back(lc, tmp_path):
    busy_week(lc)
    target = tmp_path / "周报.csv"
    lc.ok("report", "weekly", "--week", "2026-W47", "--format", "csv", "--output", str(target), now=READ_ON)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["销售周报 2026-W47（2026-11-16 至 2026-11-22）"]
    kpis = rows[rows.index(["关键指标"]) + 1:]
    assert kpis[0] == ["指标", "分子", "分母", "比率", "说明"]
    assert kpis[1][:4] == ["跟进及时率", "1", "2", "50.0%"]
    assert ["转介绍率", "1", "1", "100.0%", ""] in kpis
    assert ["价格", "1"] in rows
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_json_output_file_matches_stdout(lc, tmp_path):
    busy_week(lc)
    target = tmp_path / "w47.json"
    lc.ok("report", "weekly", "--week", "2026-W47", "--format", "json", "-o", str(target), now=READ_ON)
    assert json.loads(target.read_text(encoding="utf-8")) == weekly(lc)
    assert weekly(lc)["loss_reasons"] == {"价格": 1}


def test_xlsx_has_a_sheet_per_table_with_chinese_headers_frozen_and_widths(lc, tmp_path):
    from openpyxl import load_workbook

    busy_week(lc)
    target = tmp_path / "w47.xlsx"
    lc.ok("report", "weekly", "--week", "2026-W47", "--format", "xlsx", "--output", str(target), now=READ_ON)
    book = load_workbook(target)
    assert {"关键指标", "期末漏斗", "战败原因", "顾问", "级别准确率"} <= set(book.sheetnames)
    kpis = book["关键指标"]
    assert [c.value for c in kpis[1]] == ["指标", "分子", "分母", "比率", "说明"]
    assert kpis.freeze_panes == "A2"
    assert [c.value for c in kpis[2]][:4] == ["跟进及时率", 1, 2, 0.5]
    assert kpis["D2"].number_format == "0.0%"
    reactivation = next(row for row in kpis.iter_rows(values_only=True) if row[0] == "休眠激活率")
    assert reactivation[3] == "n/a"
    assert kpis.column_dimensions["A"].width >= 10
    funnel = {row[0]: row[1] for row in book["期末漏斗"].iter_rows(min_row=2, values_only=True)}
    assert funnel == {"H": 0, "A": 0, "B": 0, "C": 0}


def test_markdown_is_pasteable_tables(lc):
    busy_week(lc)
    md = lc.ok("report", "weekly", "--week", "2026-W47", "--format", "md", now=READ_ON).stdout
    assert md.startswith("# 销售周报 2026-W47")
    assert "## 关键指标" in md and "| 跟进及时率 | 1 | 2 | 50.0% | 目标 80%，低于目标：一对一辅导 |" in md


def test_monthly_report_covers_the_calendar_month(lc):
    add(lc, "张三", "13800000001", "2026-10-31 23:00")
    add(lc, "李四", "13800000002", "2026-11-01 00:00")
    add(lc, "王五", "13800000003", "2026-11-30 23:59")
    add(lc, "赵六", "13800000004", "2026-12-01 00:00")
    report = lc.json("report", "monthly", "--month", "2026-11", now="2026-12-01T07:00:00")
    assert (report["month"], report["start"], report["end"]) == ("2026-11", "2026-11-01", "2026-11-30")
    assert report["totals"]["new_cards"] == 2


def test_an_output_that_cannot_be_written_is_one_line_and_no_file(lc, tmp_path):
    result = lc("report", "weekly", "--format", "csv", "--output", str(tmp_path / "missing" / "w.csv"), now=READ_ON)
    assert result.exit_code == 2
    assert result.stderr.startswith("leadcard: 无法写入") and "Traceback" not in result.stderr


def test_cron_writes_the_weekly_export_without_colour_or_prompts(tmp_path):
    env = {"LEADCARD_DB": str(tmp_path / "s.db"), "LEADCARD_NOW": "2026-11-23T07:00:00"}
    assert run_process("init", env=env).returncode == 0
    assert run_process("add", "张三", "--phone", "13800138000", "--at", "2026-11-17 10:00", env=env).returncode == 0
    shown = run_process("report", "weekly", env=env)
    assert shown.returncode == 0, shown.stderr
    assert "\x1b[" not in shown.stdout and "销售周报 2026-W47" in shown.stdout
    export = run_process("report", "weekly", "--format", "xlsx", "--output", str(tmp_path / "w.xlsx"), env=env)
    assert export.returncode == 0 and export.stdout == "" and (tmp_path / "w.xlsx").stat().st_size > 0
    failed = run_process("report", "weekly", "--week", "W47", env=env)
    assert failed.returncode == 2 and failed.stderr.count("\n") == 1


def test_a_reports_progress_counts_whole_cards_up_to_all_of_the_stores(lc, monkeypatch):
    """A large store's report draws its bar on a terminal (tests/test_progress.py) from what it tells
    `step(done, total)`; recorded here in-process, where no bar is drawn: the store's cards as the
    total, whole cards done, never going back, and all of them once the last part is done."""
    told = []

    @contextmanager
    def recording(_label):
        yield lambda done, total: told.append((done, total))

    monkeypatch.setattr("leadcard.commands.progress.progress", recording)
    busy_week(lc)
    for n in range(3, 14):
        add(lc, f"客户{n}", f"138000000{n:02d}", "2026-11-18 10:00")
    # Thirteen cards, one more than the report's parts (REPORT_PARTS): no part's share is a whole card,
    # and counting one part too many goes past the total.
    for report in (("weekly", "--week", "2026-W47"), ("monthly", "--month", "2026-11")):
        told.clear()
        lc.json("report", *report, now=READ_ON)
        done = [d for d, _total in told]
        assert {total for _done, total in told} == {13}, report
        assert all(isinstance(d, int) for d in done) and done == sorted(done) and done[-1] == 13, (report, done)


# -- the file's name picks the format ---------------------------------------------------------------------


def test_weekly_output_to_a_named_file_writes_the_format_its_suffix_says(lc, tmp_path):
    from openpyxl import load_workbook

    busy_week(lc)
    for name in ("w.xlsx", "w.csv", "w.json", "w.md", "w.markdown", "w.txt"):
        lc.ok("report", "weekly", "--week", "2026-W47", "--output", str(tmp_path / name), now=READ_ON)
    assert "关键指标" in load_workbook(tmp_path / "w.xlsx").sheetnames
    assert (tmp_path / "w.csv").read_bytes().startswith("\ufeff销售周报 2026-W47".encode())
    assert json.loads((tmp_path / "w.json").read_text(encoding="utf-8")) == weekly(lc)
    for markdown in ("w.md", "w.markdown", "w.txt"):  # a name that says nothing gets the tables as Markdown
        assert (tmp_path / markdown).read_text(encoding="utf-8").startswith("# 销售周报 2026-W47")
    lc.ok("report", "weekly", "--week", "2026-W47", "--format", "table", "--output", str(tmp_path / "t.md"), now=READ_ON)
    assert (tmp_path / "t.md").read_text(encoding="utf-8").startswith("# 销售周报")


@pytest.mark.parametrize("line", [
    ("report", "weekly", "--format", "md", "--output", "w.xlsx"),
    ("report", "weekly", "--format", "table", "--output", "w.xlsx"),
    ("report", "weekly", "--json", "--output", "w.csv"),
    ("report", "monthly", "--format", "xlsx", "--output", "m.json"),
    ("export", "--format", "json", "--output", "e.csv"),
    ("export", "--format", "csv", "--output", "e.xlsx"),
    ("calendar", "--output", "c.csv"),
], ids=" ".join)
def test_a_format_the_file_name_contradicts_is_bad_input_and_nothing_is_written(lc, tmp_path, line):
    busy_week(lc)
    *options, name = line
    result = lc(*options, str(tmp_path / name), now=READ_ON)
    assert result.exit_code == 2 and result.stderr.startswith(f"leadcard: {name} 的文件名表示 ")
    assert not (tmp_path / name).exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_what_people_typed_is_text_in_the_markdown_report_never_html_or_a_link(lc):
    """The report is pasted into a mail client or a wiki that renders Markdown: a competitor a
    consultant typed must not become an image tag, a link or emphasis on the manager's screen."""
    add(lc, "李四", "13800000002", "2026-11-17 10:00", "--grade", "A")
    typed = "<img src=x onerror=alert(1)>[点我](http://x)*粗*"
    lc.ok("lose", "李四", "--reason", "竞品品牌", "--competitor", typed, now="2026-11-19T10:00:00")
    lc.ok("approve", "李四", now="2026-11-19T18:00:00")
    md = lc.ok("report", "weekly", "--week", "2026-W47", "--format", "md", now=READ_ON).stdout
    assert "\\<img src=x onerror=alert(1)\\>\\[点我\\](http://x)\\*粗\\*" in md
    assert "<img" not in md.replace("\\<img", "") and "[点我]" not in md.replace("\\[点我\\]", "")


def test_a_direction_override_in_a_name_is_written_out_in_the_html_report(lc):
    """U+202E reorders what follows it on the reader's screen: the html page shows it as the
    terminal does, `\\u202e`, rather than letting it turn a row around."""
    sales_floor(lc)
    lc.ok("user", "add", "王\u202e芳", "--role", "consultant", "--team", "一组")
    add(lc, "张三", "13800000001", "2026-11-17 10:00", "--owner", "王\u202e芳")
    page = lc.ok("report", "weekly", "--week", "2026-W47", "--format", "html", now=READ_ON).stdout
    assert "\u202e" not in page and "王\\u202e芳" in page
