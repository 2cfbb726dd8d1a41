"""The audit's rules at their edges: exactly at each limit nobody is blamed, a minute past it the
finding names what was expected against what was done (issue 22).

Every finding is checked whole — when the breach arose, the follow-up, the message, the expected
and the actual — and what is still wrong at the audit's moment must survive `--since`, while what
is over does not.
"""

from datetime import timedelta

import pytest

from leadcard.domain.audit_spans import span
from test_audit_floor import GOOD, findings, one


def told(finding: dict) -> tuple:
    """What a finding tells: when it arose, at which follow-up, the message, expected and actual."""
    return finding["at"], finding["followup"], finding["message"], finding["expected"], finding["actual"]


def new_card(lc, name="张三", phone="13800138000", grade="A", made="2026-05-01T10:00:00", *more):
    lc.ok("add", name, "--phone", phone, "--grade", grade, "--model", "凯美瑞 双擎", "--budget", "20 万",
          "--timeline", "一个月内", *more, now=made)


def kept_card(lc, name="张三", phone="13800138000", grade="A", next_at="2026-05-05 10:00"):
    """A card kept by the book on 1 May: made at 10:00, the thank-you at 10:20, the call at 15:00 with a
    date planned."""
    new_card(lc, name, phone, grade)
    lc.ok("log", name, "--channel", "wechat", "--content", "感谢到店，发送配置表和顾问名片", now="2026-05-01T10:20:00")
    next_date = ("--next", next_at) if next_at else ()
    lc.ok("log", name, "--channel", "phone", "--content", "确认预算 20 万，对比雅阁，太太是决策人", *next_date,
          *GOOD, now="2026-05-01T15:00:00")


def floor(lc):
    """赵经理 (manager), 钱主管 (supervisor of 一组) and 王芳 (一组), acting as 王芳."""
    lc.ok("user", "add", "赵经理", "--role", "manager")
    lc.ok("user", "add", "钱主管", "--role", "supervisor", "--team", "一组", user="赵经理")
    lc.ok("user", "add", "王芳", "--role", "consultant", "--team", "一组", user="赵经理")
    lc.user = "王芳"


def policy(lc, tmp_path, text):
    path = tmp_path / "store.toml"
    path.write_text(text, encoding="utf-8")
    lc.ok("init", "--policy-file", str(path))


# -- how long something took, as a supervisor says it ---------------------------------------------------


@pytest.mark.parametrize("delta, said", [
    (timedelta(seconds=59), "0分钟"), (timedelta(minutes=40), "40分钟"), (timedelta(hours=5), "5小时"),
    (timedelta(hours=5, minutes=20, seconds=50), "5小时20分"), (timedelta(days=6), "6天"),
    (timedelta(days=6, hours=19, minutes=59), "6天19小时"), (timedelta(minutes=-5), "0分钟"),
])
def test_a_span_is_told_in_whole_days_hours_and_minutes(delta, said):
    assert span(delta) == said


# -- first touch and first call --------------------------------------------------------------------------


def test_the_thank_you_is_due_three_hours_after_and_late_a_minute_past(lc):
    new_card(lc)
    assert findings(lc, "first-touch-late", now="2026-05-01T13:00:00") == []
    assert told(one(lc, "first-touch-late", now="2026-05-01T13:01:00")) == (
        "2026-05-01T13:00:00+08:00", None, "建卡（05-01 10:00）已 3小时1分，还没有发感谢短信/微信（时限 3 小时）",
        "≤ 3 小时", "3小时1分 未做")
    # Still owed a week later: kept by an audit of the last days only.
    assert one(lc, "first-touch-late", "--since", "2026-05-07", now="2026-05-08T10:00:00")["actual"] == "7天 未做"
    lc.ok("log", "张三", "--channel", "sms", "--content", "感谢到店，发送配置表", now="2026-05-01T13:00:00")
    assert findings(lc, "first-touch-late", now="2026-05-02T09:00:00") == []


def test_a_thank_you_sent_a_minute_past_three_hours_is_late(lc):
    new_card(lc)
    lc.ok("log", "张三", "--channel", "wechat", "--content", "感谢到店，发送配置表", now="2026-05-01T13:01:00")
    assert told(one(lc, "first-touch-late", now="2026-05-02T09:00:00")) == (
        "2026-05-01T13:00:00+08:00", None, "建卡（05-01 10:00）后 3小时1分 才发感谢短信/微信（时限 3 小时）",
        "≤ 3 小时", "3小时1分")
    assert findings(lc, "first-touch-late", "--since", "2026-05-02", now="2026-05-02T09:00:00") == []  # over


def test_a_card_closed_before_the_thank_you_was_due_owes_none_and_one_closed_after_did(lc):
    new_card(lc)
    new_card(lc, "李四", "13900139000")
    lc.ok("invalid", "张三", "--reason", "空号", now="2026-05-01T12:59:00")
    lc.ok("invalid", "李四", "--reason", "空号", now="2026-05-01T14:00:00")
    found = one(lc, "first-touch-late", now="2026-05-02T09:00:00")
    assert found["name"] == "李四"
    assert told(found)[2:] == ("建卡（05-01 10:00）后直到结案（05-01）都没有发感谢短信/微信（时限 3 小时）",
                               "≤ 3 小时", "4小时 未做")


def test_the_first_call_exactly_24_hours_after_is_in_time_and_a_minute_later_is_not(lc):
    new_card(lc)
    new_card(lc, "李四", "13900139000")
    for name in ("张三", "李四"):
        lc.ok("log", name, "--channel", "wechat", "--content", "感谢到店，发送配置表", now="2026-05-01T10:20:00")
    assert findings(lc, "first-call-late", now="2026-05-02T10:00:00") == []
    lc.ok("log", "张三", "--channel", "phone", "--content", "确认预算，约周末试驾", now="2026-05-02T10:00:00")
    lc.ok("log", "李四", "--channel", "phone", "--content", "确认预算，约周末试驾", now="2026-05-02T10:01:00")
    found = one(lc, "first-call-late", now="2026-05-03T09:00:00")
    assert found["name"] == "李四"
    assert told(found) == ("2026-05-02T10:00:00+08:00", None,
                           "建卡（05-01 10:00）后 24小时1分 才电话或当面联系上客户（时限 24 小时）", "≤ 24 小时", "24小时1分")


@pytest.mark.parametrize("sent, took", [
    ("2026-05-01T13:00:59", "3小时0分59秒"),  # rounded to the minute it would read 3小时: within the limit
    ("2026-05-01T13:01:00", "3小时1分"),
    ("2026-05-01T13:59:59", "3小时59分"),
])
def test_a_thank_you_just_past_three_hours_is_never_told_as_three_hours(lc, sent, took):
    new_card(lc)
    lc.ok("log", "张三", "--channel", "wechat", "--content", "感谢到店，发送配置表", now=sent)
    assert told(one(lc, "first-touch-late", now="2026-05-02T09:00:00"))[2:] == (
        f"建卡（05-01 10:00）后 {took} 才发感谢短信/微信（时限 3 小时）", "≤ 3 小时", took)


@pytest.mark.parametrize("called, took", [
    ("2026-05-02T10:00:30", "24小时0分30秒"),
    ("2026-05-02T10:01:00", "24小时1分"),  # in days it would read 1天: the limit itself
    ("2026-05-02T10:59:00", "24小时59分"),
    ("2026-05-02T11:00:00", "1天1小时"),  # past the limit in the usual words: kept so
])
def test_a_first_call_just_past_24_hours_is_never_told_as_a_day(lc, called, took):
    new_card(lc)
    lc.ok("log", "张三", "--channel", "wechat", "--content", "感谢到店，发送配置表", now="2026-05-01T10:20:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "确认预算，约周末试驾", now=called)
    assert told(one(lc, "first-call-late", now="2026-05-03T09:00:00"))[2:] == (
        f"建卡（05-01 10:00）后 {took} 才电话或当面联系上客户（时限 24 小时）", "≤ 24 小时", took)


def test_a_first_call_still_owed_just_past_24_hours_is_told_to_the_second(lc):
    new_card(lc)
    lc.ok("log", "张三", "--channel", "wechat", "--content", "感谢到店，发送配置表", now="2026-05-01T10:20:00")
    assert told(one(lc, "first-call-late", now="2026-05-02T10:00:01"))[2:] == (
        "建卡（05-01 10:00）已 24小时0分1秒，还没有电话或当面联系上客户（时限 24 小时）", "≤ 24 小时", "24小时0分1秒 未做")


def test_a_contact_recorded_just_past_the_hour_is_told_to_the_second(lc):
    kept_card(lc)
    lc.ok("log", "张三", "--channel", "phone", "--content", "确认试驾时间，周六上午十点", "--at", "2026-05-02 10:00",
          "--next", "2026-05-09", *GOOD, now="2026-05-02T11:00:45")
    assert told(one(lc, "late-record", now="2026-05-02T12:00:00"))[2:] == (
        "第 3 次：05-02 10:00 的联系到 05-02 11:00 才记录（晚 1小时0分45秒，时限 1 小时）", "≤ 1 小时", "1小时0分45秒")


def test_an_sms_is_not_the_first_call_however_it_was_answered(lc):
    new_card(lc)
    lc.ok("log", "张三", "--channel", "sms", "--content", "感谢到店，发送配置表", now="2026-05-01T10:20:00")
    lc.ok("log", "张三", "--channel", "wechat", "--content", "客户回复周末再联系", now="2026-05-01T16:00:00")
    found = one(lc, "first-call-late", now="2026-05-02T10:01:00")
    assert "还没有电话或当面联系上客户" in found["message"] and found["severity"] == "error"
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户没接", "--outcome", "unreachable",
          now="2026-05-02T10:30:00")
    assert "还没有电话或当面联系上客户" in one(lc, "first-call-late", now="2026-05-02T11:00:00")["message"]


def test_a_store_that_allows_five_hours_for_the_thank_you_and_two_days_for_the_call(lc, tmp_path):
    policy(lc, tmp_path, "[audit.first-touch-late]\nlimit_hours = 5\n[audit.first-call-late]\nlimit_hours = 48\n")
    new_card(lc)
    assert findings(lc, "first-touch-late", now="2026-05-01T15:00:00") == []
    assert "（时限 5 小时）" in one(lc, "first-touch-late", now="2026-05-01T15:01:00")["message"]
    assert findings(lc, "first-call-late", now="2026-05-03T10:00:00") == []
    assert "（时限 48 小时）" in one(lc, "first-call-late", now="2026-05-03T10:01:00")["message"]


def test_an_evening_autohome_lead_is_counted_in_working_hours_and_never_thanked_for_a_visit(lc):
    new_card(lc, "网友", "13700137000", "B", "2026-05-01T20:50:00", "--source", "汽车之家")
    # Ten minutes tonight, then from nine: the call is due 09:20, the message 11:50.
    assert findings(lc, "first-call-late", now="2026-05-02T09:20:00") == []
    assert told(one(lc, "first-call-late", now="2026-05-02T09:21:00")) == (
        "2026-05-02T09:20:00+08:00", None,
        "线索到达（05-01 20:50）已 12小时31分，还没有电话或当面联系上客户（时限 30 分钟，营业时间 09:00–21:00 内计）",
        "≤ 30 分钟，营业时间 09:00–21:00 内计", "12小时31分 未做")
    assert findings(lc, "first-touch-late", now="2026-05-02T11:50:00") == []
    assert told(one(lc, "first-touch-late", now="2026-05-02T11:51:00"))[2] == (
        "线索到达（05-01 20:50）已 15小时1分，还没有发短信/微信（时限 3 小时，营业时间 09:00–21:00 内计）")


@pytest.mark.parametrize("called, took", [("2026-05-01T10:30:20", "30分20秒"), ("2026-05-01T10:31:00", "31分钟")])
def test_an_online_lead_called_just_past_half_an_hour_is_never_told_as_half_an_hour(lc, called, took):
    new_card(lc, "网友", "13700137000", "B", "2026-05-01T10:00:00", "--source", "汽车之家")
    lc.ok("log", "网友", "--channel", "phone", "--content", "确认预算，约周末到店", now=called)
    assert told(one(lc, "first-call-late", now="2026-05-01T12:00:00"))[2:] == (
        f"线索到达（05-01 10:00）后 {took} 才电话或当面联系上客户（时限 30 分钟，营业时间 09:00–21:00 内计）",
        "≤ 30 分钟，营业时间 09:00–21:00 内计", took)


def test_an_online_lead_who_came_to_the_showroom_is_thanked_for_the_visit(lc):
    new_card(lc, "网友", "13700137000", "B", "2026-05-01T15:00:00", "--source", "汽车之家", "--left",
             "2026-05-01 14:00")
    assert told(one(lc, "first-touch-late", now="2026-05-01T17:01:00"))[2] == (
        "离店（05-01 14:00）已 3小时1分，还没有发感谢短信/微信（时限 3 小时，营业时间 09:00–21:00 内计）")


# -- cadence ------------------------------------------------------------------------------------------------


def test_contact_exactly_at_the_grades_cadence_is_no_gap_and_the_day_after_is(lc):
    kept_card(lc)  # A: every 7 days
    kept_card(lc, "李四", "13900139000")
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户出差刚回来，约周末试驾", "--next", "2026-05-12",
          *GOOD, now="2026-05-08T23:59:00")  # the 7th day, late in the evening
    lc.ok("log", "李四", "--channel", "phone", "--content", "客户出差刚回来，约周末试驾", "--next", "2026-05-12",
          *GOOD, now="2026-05-09T00:00:00")  # the 8th day, at midnight
    found = one(lc, "cadence-gap", now="2026-05-09T09:00:00")
    assert found["name"] == "李四"
    assert told(found) == ("2026-05-08T15:00:00+08:00", 3,
                           "第 2 次（05-01）到第 3 次（05-09）相隔 8 天（A 级每 7 天联系一次）", "≤ 7 天", "8 天")
    assert findings(lc, "cadence-gap", "--since", "2026-05-09", now="2026-05-09T09:00:00") == []  # over


def test_a_gap_is_judged_by_the_grade_held_at_the_time_not_the_grade_since(lc):
    kept_card(lc, next_at="2026-05-08 15:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户周末订车，准备合同", "--next", "2026-05-09", *GOOD,
          now="2026-05-08T15:00:00")
    lc.ok("grade", "张三", "H", "--reason", "周末订车", now="2026-05-08T16:00:00")
    assert findings(lc, "cadence-gap", now="2026-05-09T09:00:00") == []


def test_a_contact_at_the_very_minute_the_loss_is_asked_for_still_counts_its_gap(lc):
    kept_card(lc)
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户已买雅阁，申请战败", *GOOD, now="2026-05-10T10:00:00")
    lc.ok("lose", "张三", "--reason", "竞品品牌", "--competitor", "本田雅阁", "--note", "差价一万",
          now="2026-05-10T10:00:00")
    assert one(lc, "cadence-gap", now="2026-05-10T11:00:00")["actual"] == "9 天"


def test_silence_is_a_gap_only_from_the_day_after_the_cadence(lc):
    kept_card(lc, next_at="2026-05-09 10:00")  # planned beyond the A cadence (8 days)
    assert findings(lc, "cadence-gap", now="2026-05-08T23:59:00") == []
    found = one(lc, "cadence-gap", now="2026-05-09T00:00:00")
    assert told(found) == ("2026-05-08T15:00:00+08:00", 2,
                           "最后一次联系是第 2 次（05-01），已 8 天（A 级每 7 天联系一次）；约定的下次访问 05-09 超出周期",
                           "≤ 7 天", "8 天")
    assert one(lc, "cadence-gap", "--since", "2026-05-20", now="2026-05-20T09:00:00")["actual"] == "19 天"  # still


def test_silence_with_nothing_planned_is_a_gap_without_a_date_to_name(lc):
    kept_card(lc, next_at=None)
    assert one(lc, "cadence-gap", now="2026-05-09T09:00:00")["message"] == (
        "最后一次联系是第 2 次（05-01），已 8 天（A 级每 7 天联系一次）")


def test_a_date_planned_exactly_at_the_cadence_is_watched_by_overdue_not_by_the_gap(lc):
    kept_card(lc, next_at="2026-05-08 10:00")
    assert findings(lc, "cadence-gap", now="2026-05-10T09:00:00") == []
    assert one(lc, "overdue", now="2026-05-10T09:00:00")["actual"] == "过期 2 天"


def test_an_ordered_card_owes_no_more_contact_while_its_car_comes_nor_once_delivered(lc):
    kept_card(lc, grade="H", next_at=None)
    lc.ok("win", "张三", now="2026-05-02T10:00:00")  # the order: the car comes later
    assert findings(lc, "cadence-gap", now="2026-05-20T09:00:00") == []
    assert findings(lc, "stale-grade", now="2026-05-20T09:00:00") == []
    lc.ok("deliver", "张三", "--at", "2026-05-20 10:00", "--handover-to", "售后 陈工", now="2026-05-20T10:00:00")
    assert findings(lc, "cadence-gap", now="2026-05-25T09:00:00") == []
    assert findings(lc, "stale-grade", now="2026-05-25T09:00:00") == []


def test_a_store_that_grants_a_day_of_grace(lc, tmp_path):
    policy(lc, tmp_path, "[audit.cadence-gap]\ngrace_days = 1\n[audit.overdue]\ngrace_days = 1\n"
                         "[audit.stale-grade]\ngrace_days = 1\n")
    kept_card(lc, grade="H", next_at="2026-05-03 10:00")  # H: every day, and bought within 7
    assert findings(lc, "cadence-gap", now="2026-05-03T09:00:00") == []  # two days since: one of grace
    assert one(lc, "cadence-gap", now="2026-05-04T00:00:00")["actual"] == "3 天"
    assert findings(lc, "overdue", now="2026-05-04T23:59:00") == []
    found = one(lc, "overdue", now="2026-05-05T00:00:00")
    assert (found["at"], found["actual"]) == ("2026-05-05T00:00:00+08:00", "过期 2 天")
    assert findings(lc, "stale-grade", now="2026-05-09T09:00:00") == []
    assert one(lc, "stale-grade", now="2026-05-10T00:00:00")["actual"] == "9 天"
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户出差回来，约周末订车", "--next", "2026-05-12",
          *GOOD, now="2026-05-03T15:00:00")
    assert findings(lc, "cadence-gap", now="2026-05-03T16:00:00") == []  # two days to the minute: graced
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户确认周末订车", "--next", "2026-05-07",
          *GOOD, now="2026-05-06T09:00:00")
    assert one(lc, "cadence-gap", "--since", "2026-05-04", now="2026-05-06T10:00:00")["actual"] == "3 天"


# -- the next date --------------------------------------------------------------------------------------


def test_only_the_thank_you_before_the_first_call_may_leave_the_next_date_open(lc):
    new_card(lc)
    lc.ok("log", "张三", "--channel", "wechat", "--content", "感谢到店，发送配置表", now="2026-05-01T10:20:00")
    lc.ok("log", "张三", "--channel", "wechat", "--content", "补发试驾预约链接", now="2026-05-01T11:00:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "确认预算 20 万，对比雅阁", "--next", "2026-05-05", *GOOD,
          now="2026-05-01T15:00:00")
    lc.ok("log", "张三", "--channel", "sms", "--content", "发送雅阁对比表", now="2026-05-02T10:00:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户看了对比表，约周六试驾", "--next", "2026-05-09",
          *GOOD, now="2026-05-03T10:00:00")
    assert told(one(lc, "no-next-date", now="2026-05-03T11:00:00")) == (
        "2026-05-02T10:00:00+08:00", 4, "第 4 次（05-02）没有写下次访问时间", "写明下次访问时间", "未写")
    assert findings(lc, "no-next-date", "--since", "2026-05-03", now="2026-05-03T11:00:00") == []  # over


def test_a_visit_before_the_first_call_must_set_the_next_date_too(lc):
    new_card(lc)
    lc.ok("log", "张三", "--channel", "wechat", "--content", "感谢到店，发送配置表", now="2026-05-01T10:20:00")
    lc.ok("log", "张三", "--channel", "visit", "--content", "客户下午又来看车，谈了配置", now="2026-05-01T14:00:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "确认预算 20 万，对比雅阁", "--next", "2026-05-05", *GOOD,
          now="2026-05-01T18:00:00")
    assert one(lc, "no-next-date", now="2026-05-02T09:00:00")["followup"] == 2


def test_the_contact_that_ended_a_card_needs_no_next_date_an_earlier_one_did(lc):
    kept_card(lc, next_at=None)
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户已在别处订车", *GOOD, now="2026-05-02T10:00:00")
    lc.ok("lose", "张三", "--reason", "已在别处购买", "--competitor", "本田雅阁", now="2026-05-02T10:30:00")
    assert told(one(lc, "no-next-date", now="2026-05-03T10:00:00"))[1:3] == (2, "第 2 次（05-01）没有写下次访问时间")


def test_an_open_card_whose_last_contact_set_no_date_is_still_wrong_days_later(lc):
    kept_card(lc, next_at=None)
    found = one(lc, "no-next-date", "--since", "2026-05-10", now="2026-05-10T10:00:00")
    assert found["message"] == "第 2 次（05-01）没有写下次访问时间，此后 9 天没有联系，也没有结果"


def test_a_planned_date_is_overdue_from_the_next_midnight(lc):
    kept_card(lc)  # next date 5 May
    assert findings(lc, "overdue", now="2026-05-05T23:59:00") == []
    assert told(one(lc, "overdue", now="2026-05-06T00:00:00")) == (
        "2026-05-06T00:00:00+08:00", 2, "下次访问 2026-05-05 已过 1 天，没有联系（第 2 次约定）",
        "2026-05-05 联系", "过期 1 天")
    assert one(lc, "overdue", "--since", "2026-05-20", now="2026-05-20T10:00:00")["actual"] == "过期 15 天"  # still


def test_a_contact_the_day_after_the_planned_date_is_a_day_late(lc):
    kept_card(lc)
    kept_card(lc, "李四", "13900139000")
    lc.ok("log", "张三", "--channel", "phone", "--content", "按约回访，客户周六试驾", "--next", "2026-05-09", *GOOD,
          now="2026-05-05T23:00:00")
    lc.ok("log", "李四", "--channel", "phone", "--content", "晚一天回访，客户周六试驾", "--next", "2026-05-09", *GOOD,
          now="2026-05-06T09:00:00")
    lc.ok("log", "李四", "--channel", "phone", "--content", "确认周六试驾的车型和时间", "--next", "2026-05-09", *GOOD,
          now="2026-05-07T09:00:00")
    found = one(lc, "overdue", now="2026-05-07T10:00:00")
    assert found["name"] == "李四"
    assert told(found) == ("2026-05-06T00:00:00+08:00", 3, "第 2 次约定 2026-05-05 回访，第 3 次到 2026-05-06 才联系（晚 1 天）",
                           "2026-05-05", "2026-05-06")


# -- what a record says ---------------------------------------------------------------------------------


def vague(lc, *args, at, seq):
    lc.ok("log", "张三", "--channel", "phone", *args, now=at)
    found = [f for f in findings(lc, "vague-record", "--since", at[:10], now=at) if f["followup"] == seq]
    return found[0]["message"].split("：", 1)[1] if found else None


def test_a_record_of_four_characters_is_one_word_five_are_not(lc):
    kept_card(lc)
    plan = ("--bottleneck", "预算紧张", "--next", "2026-05-09")
    assert vague(lc, "--content", "确认预算", "--plan", "整理贷款方案", *plan, at="2026-05-02T10:00:00", seq=3) == (
        "内容只有「确认预算」")
    assert vague(lc, "--content", "确认了预算", "--plan", "约夫妻同来试驾", *plan, at="2026-05-03T10:00:00", seq=4) is None
    assert vague(lc, "--content", "好的", "--plan", "发送金融方案", *plan, at="2026-05-04T10:00:00", seq=5) == "内容只有「好的」"


def test_one_word_padded_with_punctuation_is_still_one_word(lc):
    kept_card(lc)
    padded = "电话" + "。" * 22  # 24 characters: the longest text still read word by word
    assert len(padded) == 24
    assert vague(lc, "--content", padded, "--plan", "整理贷款方案", "--bottleneck", "预算紧张", "--next", "2026-05-09",
                 at="2026-05-02T10:00:00", seq=3) == f"内容只有「{padded}」"


def test_a_call_nobody_answered_has_nothing_to_say(lc):
    kept_card(lc)
    assert vague(lc, "--content", "没接", "--outcome", "unreachable", at="2026-05-02T10:00:00", seq=3) is None


def test_a_call_that_reached_them_needs_a_bottleneck_or_the_customers_problem(lc):
    new_card(lc)
    lc.ok("log", "张三", "--channel", "wechat", "--content", "感谢到店，发送配置表和顾问名片", now="2026-05-01T10:20:00")
    assert vague(lc, "--content", "确认预算 20 万，对比雅阁", "--plan", "准备五年用车成本对比", "--next", "2026-05-05",
                 at="2026-05-01T15:00:00", seq=2) == "没有瓶颈分析"
    assert vague(lc, "--content", "客户说雅阁后排更宽", "--problem", "后排空间", "--plan", "约客户带家人试坐",
                 "--next", "2026-05-06", at="2026-05-02T15:00:00", seq=3) is None


def test_follow_ups_without_a_plan_do_not_repeat_one(lc):
    kept_card(lc)
    for day in (2, 3):
        assert vague(lc, "--content", "客户在外地出差，回来再约", "--bottleneck", "人在外地", "--next", "2026-05-09",
                     at=f"2026-05-0{day}T10:00:00", seq=day + 1) is None


def test_every_reason_is_told_in_one_finding(lc):
    kept_card(lc)
    lc.ok("log", "张三", "--channel", "phone", "--content", "电话", "--plan", "电话", "--purpose", "考虑得怎么样了",
          "--next", "2026-05-09", now="2026-05-02T10:00:00")
    found = one(lc, "vague-record", "--since", "2026-05-02", now="2026-05-02T11:00:00")
    reasons = "内容只有「电话」；跟踪方案只写了「电话」；没有瓶颈分析；访问目的「考虑得怎么样了」只是问候"
    assert told(found) == ("2026-05-02T10:00:00+08:00", 3, f"第 3 次（05-02）：{reasons}",
                           "写清客户问题、瓶颈分析、具体方案和目的", reasons)


# -- the supervisor ---------------------------------------------------------------------------------------


def test_follow_ups_wait_two_days_for_the_supervisor_and_not_a_minute_more(lc):
    floor(lc)
    kept_card(lc)
    assert findings(lc, "unsigned", user="钱主管", now="2026-05-03T10:20:00") == []
    assert told(one(lc, "unsigned", user="钱主管", now="2026-05-03T10:21:00")) == (
        "2026-05-03T10:20:00+08:00", 1, "1 次跟进没有主管批示（最早第 1 次，05-01 记录，已 2 天；应在 2 天内批示）",
        "≤ 2 天内批示", "2 天未批")
    assert "2 次跟进没有主管批示" in one(lc, "unsigned", user="钱主管", now="2026-05-03T15:01:00")["message"]
    assert one(lc, "unsigned", "--since", "2026-05-10", user="钱主管", now="2026-05-10T10:00:00")["actual"] == "9 天未批"


def test_paper_follow_ups_typed_in_under_a_set_clock_wait_from_the_day_they_were_recorded(lc):
    floor(lc)
    new_card(lc, made="2026-04-30T10:00:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "确认预算 20 万，对比雅阁", "--next", "2026-05-06", *GOOD,
          now="2026-05-03T10:00:00")
    lc.ok("log", "张三", "--channel", "wechat", "--content", "感谢到店（纸质卡补录）", "--at", "2026-05-01 17:00",
          now="2026-05-01T18:00:00")  # the paper card's contact, typed in with the clock set to that evening
    assert one(lc, "unsigned", user="钱主管", now="2026-05-06T10:00:00")["message"] == (
        "2 次跟进没有主管批示（最早第 2 次，05-01 记录，已 5 天；应在 2 天内批示）")


def test_a_dormant_card_waits_for_no_signature(lc):
    floor(lc)
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "C", now="2025-11-20T10:00:00")
    lc.ok("log", "张三", "--channel", "sms", "--content", "感谢到店", now="2025-11-20T10:30:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "明年再说", now="2025-11-21T10:00:00")
    assert findings(lc, "unsigned", "--since", "2025-11-01", user="钱主管", now="2026-05-20T10:00:00") != []
    assert findings(lc, "unsigned", "--since", "2025-11-01", user="钱主管", now="2026-05-21T10:00:00") == []


def test_a_loss_request_waits_24_hours_for_the_supervisor_and_says_why_it_was_asked(lc):
    floor(lc)
    kept_card(lc)
    lc.ok("lose", "张三", "--reason", "价格", "--competitor", "本田雅阁", "--note", "差价一万", now="2026-05-02T09:00:00")
    assert findings(lc, "approval-pending", now="2026-05-03T09:00:00") == []
    assert told(one(lc, "approval-pending", now="2026-05-03T09:01:00")) == (
        "2026-05-03T09:00:00+08:00", None, "战败申请（05-02 09:00，原因「价格」）已等待 24小时1分 未审批（时限 24 小时）",
        "≤ 24 小时", "24小时1分")
    # Still waiting however old the request: an audit of the last days only names it too.
    assert one(lc, "approval-pending", "--since", "2026-05-06", now="2026-05-06T10:00:00")["actual"] == "4天1小时"
    assert one(lc, "approval-pending", now="2026-06-20T10:00:00")["actual"] == "49天1小时"  # beyond the 30 days


# -- losses -------------------------------------------------------------------------------------------------


def test_a_loss_after_exactly_four_follow_ups_is_not_giving_up_early(lc):
    kept_card(lc, grade="H")
    kept_card(lc, "李四", "13900139000", grade="H")
    for name in ("张三", "李四"):
        lc.ok("log", name, "--channel", "visit", "--content", "到店看车，嫌贵，去了隔壁店", "--next", "2026-05-03",
              *GOOD, now="2026-05-02T15:00:00")
    # The fourth contact and the request in the same minute: the contact counts.
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户已在隔壁店下定", now="2026-05-03T10:00:00")
    for name in ("张三", "李四"):
        lc.ok("lose", name, "--reason", "价格", "--competitor", "本田雅阁", "--note", "对方便宜一万",
              now="2026-05-03T10:00:00")
    found = one(lc, "gave-up-early", now="2026-05-03T11:00:00")
    assert found["name"] == "李四"
    assert told(found) == ("2026-05-03T10:00:00+08:00", None,
                           "H 级客户只跟进了 3 次就申请战败（05-03）；八成成交在第 4–11 次跟进之后（至少 4 次）", "≥ 4 次", "3 次")


def test_a_loss_says_why_and_to_whom_when_the_reason_names_a_competitor(lc):
    for n, name in enumerate(("张三", "李四", "王五")):
        kept_card(lc, name, f"1380000000{n}")
    lc.ok("lose", "张三", "--reason", "竞品品牌", "--competitor", "本田雅阁", now="2026-05-02T10:00:00")
    lc.ok("lose", "李四", "--reason", "other", "--note", "客户家人反对买车", now="2026-05-02T10:00:00")
    lc.ok("lose", "王五", "--reason", "other", now="2026-05-02T10:00:00")
    found = one(lc, "lost-without-reason", now="2026-05-02T11:00:00")
    assert found["name"] == "王五"
    assert told(found) == ("2026-05-02T10:00:00+08:00", None, "战败原因只写了「其他」，没有说明（05-02 申请）",
                           "原因、所购竞品和分析", "战败原因只写了「其他」，没有说明")


def test_a_loss_request_on_a_card_then_found_invalid_asks_nothing_of_the_loss(lc):
    kept_card(lc)
    lc.ok("lose", "张三", "--reason", "other", now="2026-05-02T10:00:00")
    assert {f["rule"] for f in lc.json("audit", now="2026-05-02T11:00:00")["findings"]} >= {
        "gave-up-early", "lost-without-reason"}
    lc.ok("invalid", "张三", "--reason", "空号", now="2026-05-02T12:00:00")
    assert findings(lc, "gave-up-early", now="2026-05-02T13:00:00") == []
    assert findings(lc, "lost-without-reason", now="2026-05-02T13:00:00") == []


def test_a_store_that_wants_a_note_even_for_a_loss_to_a_competitor_hears_both_problems(lc, tmp_path):
    policy(lc, tmp_path, '[audit.lost-without-reason]\nvague_reasons = ["竞品品牌"]\n')
    kept_card(lc)
    lc.ok("lose", "张三", "--reason", "竞品品牌", now="2026-05-02T10:00:00")
    problems = "战败原因只写了「竞品品牌」，没有说明；战败原因是「竞品品牌」，却没有写客户买了哪款车"
    assert told(one(lc, "lost-without-reason", now="2026-05-02T11:00:00"))[2:] == (
        f"{problems}（05-02 申请）", "原因、所购竞品和分析", problems)


def test_paper_cards_closed_as_lost_without_a_reason(lc, tmp_path):
    rows = tmp_path / "cards.csv"
    rows.write_text("姓名,电话,级别,建卡时间,状态,状态时间,意向车型,购车预算,购车时间\n"
                    "张伟,13800138000,A,2026-04-20 09:00,战败,2026-04-28 10:00,凯美瑞,20 万,一个月内\n"
                    "李娜,13900139000,A,2026-04-20 09:00,战败待审,2026-05-01 10:00,凯美瑞,20 万,一个月内\n",
                    encoding="utf-8")
    lc.ok("import", str(rows), now="2026-05-03T10:00:00")
    lost = [told(f) for f in findings(lc, "lost-without-reason", now="2026-05-03T10:00:00")]
    assert lost == [("2026-04-28T10:00:00+08:00", None, "导入的历史：战败申请没有写原因（04-28 申请）",
                     "原因、所购竞品和分析", "战败申请没有写原因"),
                    ("2026-05-01T10:00:00+08:00", None, "导入的历史：战败申请没有写原因（05-01 申请）",
                     "原因、所购竞品和分析", "战败申请没有写原因")]
    assert one(lc, "approval-pending", now="2026-05-03T10:00:00")["message"] == (
        "战败申请（05-01 10:00，原因「—」）已等待 2天 未审批（时限 24 小时）")


# -- records, cards and handovers -----------------------------------------------------------------------


def test_a_contact_recorded_exactly_an_hour_later_is_in_time_and_a_minute_more_is_late(lc):
    kept_card(lc)
    lc.ok("log", "张三", "--channel", "phone", "--content", "电话确认周六试驾时间与车型", "--at", "2026-05-02 09:00",
          "--next", "2026-05-05", *GOOD, now="2026-05-02T10:00:00")
    assert findings(lc, "late-record", now="2026-05-02T11:00:00") == []
    lc.ok("log", "张三", "--channel", "phone", "--content", "电话确认试驾车已备好", "--at", "2026-05-03 09:00",
          "--next", "2026-05-05", *GOOD, now="2026-05-03T10:01:00")
    assert told(one(lc, "late-record", now="2026-05-03T11:00:00")) == (
        "2026-05-03T10:01:00+08:00", 4, "第 4 次：05-03 09:00 的联系到 05-03 10:01 才记录（晚 1小时1分，时限 1 小时）",
        "≤ 1 小时", "1小时1分")


def test_an_incomplete_card_stays_incomplete_until_filled_and_blanks_fill_nothing(lc):
    lc.ok("add", "赵六", "--phone", "13500135000", "--model", "威兰达", "--budget", "", "--timeline", "  ",
          now="2026-05-01T10:00:00")
    assert told(one(lc, "incomplete-card", "--since", "2026-05-20", now="2026-05-20T10:00:00")) == (
        "2026-05-01T10:00:00+08:00", None, "卡片缺少预算、购车时间", "填写意向车型、预算、购车时间", "缺 2 项")


def test_an_h_grade_held_seven_days_is_not_yet_stale_the_eighth_day_is(lc):
    kept_card(lc, grade="H")
    kept_card(lc, "李四", "13900139000", grade="C")  # no horizon: never stale
    assert findings(lc, "stale-grade", now="2026-05-08T23:59:00") == []
    assert told(one(lc, "stale-grade", now="2026-05-09T00:00:00")) == (
        "2026-05-08T10:00:00+08:00", None,
        "H 级（7 天内购车 / 待下订）自 05-01 已保持 8 天未成交（应在 7 天内购车），请重新判断级别", "≤ 7 天", "8 天")
    assert one(lc, "stale-grade", "--since", "2026-05-20", now="2026-05-20T10:00:00")["actual"] == "19 天"


def test_a_friday_delivery_is_handed_over_by_the_end_of_monday_not_by_saturday(lc):
    kept_card(lc)
    lc.ok("win", "张三", now="2026-05-06T16:00:00")  # ordered; only the delivery starts the handover's day
    lc.ok("deliver", "张三", "--at", "2026-05-15 16:00", now="2026-05-15T16:00:00")  # a Friday
    for moment in ("2026-05-16T16:01:00", "2026-05-17T20:00:00", "2026-05-18T16:01:00", "2026-05-18T23:59:59"):
        assert findings(lc, "handover-late", now=moment) == [], moment
    assert told(one(lc, "handover-late", now="2026-05-19T00:00:00")) == (
        "2026-05-18T23:59:59+08:00", None, "交车（05-15）后还没有交接售后，已过时限（1 个工作日：05-18 当天）",
        "≤ 1 个工作日", "2 个工作日")
    assert one(lc, "handover-late", "--since", "2026-05-15", now="2026-05-25T10:00:00")["actual"] == "6 个工作日"


def test_a_delivery_on_the_friday_before_a_swapped_saturday_is_handed_over_that_saturday(lc):
    kept_card(lc)
    lc.ok("win", "张三", now="2026-05-01T16:00:00")  # ordered on Labour Day; the delivery starts the day
    # Saturday 9 May 2026 is worked (调休 after Labour Day)
    lc.ok("deliver", "张三", "--at", "2026-05-08 16:00", now="2026-05-08T16:00:00")
    assert findings(lc, "handover-late", now="2026-05-09T23:59:59") == []
    # Sunday the 10th is a day off: late, and told as the next working day's.
    assert one(lc, "handover-late", now="2026-05-10T00:00:00")["actual"] == "2 个工作日"
    lc.ok("handover", "张三", "--to", "售后 陈工", now="2026-05-11T09:00:00")
    assert told(one(lc, "handover-late", now="2026-05-12T09:00:00")) == (
        "2026-05-09T23:59:59+08:00", None, "交车（05-08）后 05-11 09:00 才交接售后（时限 1 个工作日：05-09 当天）",
        "≤ 1 个工作日", "2 个工作日")
    assert findings(lc, "handover-late", "--since", "2026-05-12", now="2026-05-12T09:00:00") == []  # over


# -- objections ---------------------------------------------------------------------------------------------


def objection(lc, name, at, *tags, seq_next="2026-05-05"):
    lc.ok("log", name, "--channel", "phone", "--content", "客户说提车要等两个月太久",
          *(arg for tag in tags for arg in ("--objection", tag)), "--next", seq_next, now=at)


def test_an_objection_is_unhandled_only_once_24_hours_have_passed(lc):
    kept_card(lc)
    objection(lc, "张三", "2026-05-02T11:00:00", "delivery")
    assert findings(lc, "objection-unhandled", now="2026-05-03T11:00:00") == []
    assert told(one(lc, "objection-unhandled", now="2026-05-03T11:01:00")) == (
        "2026-05-03T11:00:00+08:00", 3,
        "第 3 次（05-02）客户提出「交车周期」，已 24小时1分 没有处理方案：写跟踪方案，或请主管补充话术库（时限 24 小时）",
        "≤ 24 小时 形成异议处理方案", "无方案")
    assert one(lc, "objection-unhandled", "--since", "2026-05-06", now="2026-05-06T10:00:00")["actual"] == "无方案"


def test_an_objection_answered_by_a_plan_exactly_24_hours_later_was_handled_in_time(lc):
    kept_card(lc)
    kept_card(lc, "李四", "13900139000")
    for name in ("张三", "李四"):
        objection(lc, name, "2026-05-02T11:00:00", "delivery")
    lc.ok("log", "张三", "--channel", "phone", "--content", "协调现车", "--plan", "协调兄弟店现车，本周交车",
          "--next", "2026-05-05", now="2026-05-03T11:00:00")
    lc.ok("log", "李四", "--channel", "phone", "--content", "协调现车", "--plan", "协调兄弟店现车，本周交车",
          "--next", "2026-05-05", now="2026-05-03T11:01:00")
    found = one(lc, "objection-unhandled", now="2026-05-03T12:00:00")
    assert found["name"] == "李四"
    assert told(found) == ("2026-05-03T11:00:00+08:00", 3,
                           "第 3 次（05-02）客户提出「交车周期」，24小时1分 后才有处理方案（时限 24 小时）",
                           "≤ 24 小时 形成异议处理方案", "24小时1分")
    assert findings(lc, "objection-unhandled", "--since", "2026-05-04", now="2026-05-04T12:00:00") == []  # over


def test_a_card_closed_exactly_at_the_deadline_owes_no_plan(lc):
    kept_card(lc)
    objection(lc, "张三", "2026-05-02T11:00:00", "delivery")
    lc.ok("win", "张三", now="2026-05-03T11:00:00")
    assert findings(lc, "objection-unhandled", now="2026-05-04T10:00:00") == []


def test_an_objection_still_unhandled_when_the_card_closed_is_told_up_to_the_closing_on_any_later_day(lc):
    """The wait ended when the card closed: the finding names the closing, where an open card's tells how
    long it has waited so far, and an audit twenty days later says the same."""
    kept_card(lc)
    objection(lc, "张三", "2026-05-02T11:00:00", "delivery")
    lc.ok("lose", "张三", "--reason", "价格", now="2026-05-03T11:01:00")
    told_then, told_later = (told(one(lc, "objection-unhandled", now=now))
                             for now in ("2026-05-04T10:00:00", "2026-05-24T10:00:00"))
    assert told_then == told_later == (
        "2026-05-03T11:00:00+08:00", 3,
        "第 3 次（05-02）客户提出「交车周期」，直到结案（05-03）都没有处理方案（时限 24 小时）",
        "≤ 24 小时 形成异议处理方案", "无方案")


def test_each_objection_and_each_of_its_tags_is_judged_on_its_own(lc):
    kept_card(lc)
    objection(lc, "张三", "2026-05-02T11:00:00", "price")
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户认可成本对比", "--plan", "准备五年用车成本对比",
          "--next", "2026-05-05", now="2026-05-02T15:00:00")
    objection(lc, "张三", "2026-05-03T11:00:00", "financing", "delivery")
    lc.ok("playbook", "add", "financing", "三家银行和厂家金融可选，首付两成，当天预审", now="2026-05-04T11:00:00")
    found = one(lc, "objection-unhandled", now="2026-05-05T10:00:00")
    assert (found["followup"], found["message"]) == (
        5, "第 5 次（05-03）客户提出「交车周期」，已 1天23小时 没有处理方案：写跟踪方案，或请主管补充话术库（时限 24 小时）")


def test_a_script_written_after_the_deadline_handles_the_objection_late(lc):
    kept_card(lc)
    kept_card(lc, "李四", "13900139000")
    objection(lc, "张三", "2026-05-02T11:00:00", "financing")
    objection(lc, "李四", "2026-05-02T11:00:00", "range")
    lc.ok("playbook", "add", "financing", "三家银行和厂家金融可选，首付两成，当天预审", now="2026-05-03T11:00:00")
    lc.ok("playbook", "add", "range", "冬季续航实测与充电桩分布图", now="2026-05-04T11:00:00")
    found = one(lc, "objection-unhandled", now="2026-05-05T10:00:00")
    assert found["name"] == "李四"
    assert (found["message"], found["actual"]) == ("第 3 次（05-02）客户提出「续航焦虑」，2天 后才有处理方案（时限 24 小时）", "2天")


# -- the floor's discipline: false losses, hot cards left to sleep, plans beyond the cadence -------------


def lost(lc, name, phone, made="2025-12-20T10:00:00", requested="2026-01-01T09:00:00",
         approved="2026-01-01T10:00:00", **who):
    lc.ok("add", name, "--phone", phone, "--grade", "B", now=made)
    lc.ok("lose", name, "--reason", "推迟购买", now=requested, user=who.get("requester"))
    lc.ok("approve", name, now=approved, user=who.get("approver"))


def test_a_lost_customer_back_in_the_showroom_ten_days_later_in_a_single_user_store(lc):
    lost(lc, "张三", "13800000001")
    lost(lc, "李四", "13800000002")  # never seen again
    lost(lc, "王五", "13800000003")
    lc.ok("visit", "add", "--at", "2026-01-11 10:00", "--left", "2026-01-11 11:00", "--phone", "13800000001",
          now="2026-01-11T11:00:00")
    lc.ok("visit", "add", "--at", "2026-01-01 10:00", "--left", "2026-01-01 10:30", "--phone", "13800000003",
          now="2026-01-01T10:30:00")  # in the showroom at the very minute the loss was approved: not back
    [found] = findings(lc, "false-loss", "--since", "2025-12-01", now="2026-01-12T10:00:00")
    assert found["name"] == "张三"
    assert told(found) == ("2026-01-11T10:00:00+08:00", None,
                           "战败（01-01 批准，— 申请）后 10 天客户又出现：01-11 到店登记（无人），疑似虚假战败",
                           "批准后 90 天内不再出现", "10 天后到店登记")


def test_a_customer_lost_twice_is_judged_against_each_approval(lc):
    lost(lc, "张三", "13800000001")
    lc.ok("reopen", "张三", now="2026-05-01T10:00:00")  # 120 days on: past the first approval's window
    lc.ok("lose", "张三", "--reason", "推迟购买", now="2026-05-02T09:00:00")
    lc.ok("approve", "张三", now="2026-05-02T10:00:00")
    lc.ok("visit", "add", "--at", "2026-05-10 10:00", "--left", "2026-05-10 11:00", "--phone", "13800000001",
          now="2026-05-10T11:00:00")
    [found] = findings(lc, "false-loss", "--since", "2025-12-01", now="2026-05-11T10:00:00")
    assert found["message"].startswith("战败（05-02 批准，— 申请）后 8 天客户又出现")


def test_a_false_loss_is_asked_of_whoever_requested_it(lc):
    floor(lc)
    lc.ok("user", "add", "李强", "--role", "consultant", "--team", "一组", user="赵经理")
    lost(lc, "张三", "13800000001", requester="钱主管", approver="赵经理")  # 王芳's card, the supervisor asked
    lc.ok("add", "张三", "--phone", "13800000001", now="2026-02-01T10:00:00", user="李强")
    [found] = findings(lc, "false-loss", "--since", "2025-12-01", now="2026-02-02T10:00:00", user="赵经理")
    assert (found["owner"], found["ref"]) == ("钱主管", "A00001")
    assert found["message"] == "战败（01-01 批准，钱主管 申请）后 31 天客户又出现：02-01 新建卡片 A00002（李强），疑似虚假战败"


def test_an_h_customer_left_six_months_went_dormant_while_his_grade_said_call_daily(lc):
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "H", now="2025-11-20T10:00:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户说年后再定", now="2025-11-21T10:00:00")
    assert told(one(lc, "neglected-to-dormant", "--since", "2026-05-21", now="2026-06-01T10:00:00")) == (
        "2026-05-21T10:00:00+08:00", None,
        "H 级客户自 2025-11-21 起 6 个月没有联系，05-21 转入休眠，其间没有降级（H 级每天联系一次）",
        "H 级每天联系一次，或降级", "6 个月未联系")


def test_an_a_customer_left_to_sleep_should_have_been_called_weekly(lc):
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "A", now="2025-11-20T10:00:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户说年后再定", now="2025-11-21T10:00:00")
    found = one(lc, "neglected-to-dormant", now="2026-06-01T10:00:00")
    assert (found["message"].split("，其间")[1], found["expected"]) == (
        "没有降级（A 级每 7 天联系一次）", "A 级每 7 天联系一次，或降级")


def test_a_plan_one_day_beyond_the_cadence_is_forgiven_by_a_day_of_grace(lc, tmp_path):
    policy(lc, tmp_path, "[audit.plan-beyond-cadence]\ngrace_days = 1\n")
    new_card(lc, grade="H")
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户出差，后天回来", "--next", "2026-05-03",
          now="2026-05-01T15:00:00")
    assert findings(lc, "plan-beyond-cadence", now="2026-05-01T16:00:00") == []
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户出差延期", "--next", "2026-05-04",
          now="2026-05-01T17:00:00")
    assert told(one(lc, "plan-beyond-cadence", now="2026-05-01T18:00:00")) == (
        "2026-05-01T17:00:00+08:00", 2, "第 2 次（05-01）约定的下次访问 05-04 在 3 天后，超出 H 级的联系周期（每 1 天）",
        "≤ 1 天", "3 天")


def test_half_a_day_of_grace_still_judges_calendar_days_across_midnight(lc, tmp_path):
    policy(lc, tmp_path, "[audit.cadence-gap]\ngrace_days = 0.5\n[audit.plan-beyond-cadence]\ngrace_days = 0.5\n")
    new_card(lc, grade="A")
    lc.ok("log", "张三", "--channel", "wechat", "--content", "感谢到店，发送配置表和顾问名片", now="2026-05-01T10:20:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "确认预算 20 万，对比雅阁，太太是决策人", "--next", "2026-05-08",
          *GOOD, now="2026-05-01T23:00:00")
    # Seven days and ninety minutes later, but eight dates on: beyond 7 + ½.
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户确认周末订车", "--next", "2026-05-12", *GOOD,
          now="2026-05-09T00:30:00")
    assert one(lc, "cadence-gap", now="2026-05-09T01:00:00")["actual"] == "8 天"
    lc.ok("grade", "张三", "H", "--reason", "客户说周末就订", now="2026-05-09T00:40:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户周末到店订车，准备合同", "--next", "2026-05-11", *GOOD,
          now="2026-05-09T23:30:00")  # H: daily; the 11th is two dates on, 24½ hours later
    assert one(lc, "plan-beyond-cadence", now="2026-05-10T00:00:00")["actual"] == "2 天"


def test_a_day_of_grace_forgives_two_dates_between_contacts_more_than_two_days_apart(lc, tmp_path):
    policy(lc, tmp_path, "[audit.cadence-gap]\ngrace_days = 1\n")
    kept_card(lc, grade="H", next_at="2026-05-02 10:00")  # H: every day; the call at 05-01 15:00
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户出差回来，约周末订车", "--next", "2026-05-04",
          *GOOD, now="2026-05-03T16:00:00")  # 49 hours on, two dates on: within 1 + 1
    assert findings(lc, "cadence-gap", now="2026-05-03T17:00:00") == []


def test_a_plan_two_dates_on_is_within_a_day_of_grace_though_more_than_two_days_of_time_away(lc, tmp_path):
    policy(lc, tmp_path, "[audit.plan-beyond-cadence]\ngrace_days = 1\n")
    new_card(lc, grade="H")
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户出差，后天下午回来", "--next", "2026-05-03 16:00",
          now="2026-05-01T15:00:00")  # 49 hours away, two dates on: H's one day and the day of grace
    assert findings(lc, "plan-beyond-cadence", now="2026-05-01T16:00:00") == []
