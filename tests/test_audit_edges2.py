"""More of the audit's rules at their edges (issue 22), from the mutants test_audit_edges left alive:
records written under a set clock, the order waiting for its car, the owner's visits after delivery,
a lost customer who came back, objections, copied plans and handovers, and the counts and limits a
finding tells.

Every finding is checked whole, as in test_audit_edges: when the breach arose, the follow-up, the
message, what was expected and what was done.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from conftest import database, sales_floor
from test_audit_edges import kept_card, new_card, objection, policy, told
from test_audit_floor import GOOD, findings, one
from test_identity import REAL_CLOCK, bound_floor
from test_lifecycle import team
from test_transfer import write_csv

SHANGHAI = ZoneInfo("Asia/Shanghai")


# -- records written under a set clock ------------------------------------------------------------------


def md(moment: datetime, today) -> str:
    """A moment as the audit's messages write it: month, day and time, the year when not this one."""
    local = moment.astimezone(SHANGHAI)
    return (f"{local.year}-" if local.year != today.year else "") + f"{local:%m-%d %H:%M}"


def written(lc, table: str, card_id: int) -> datetime:
    """When a record marked as written under a set clock was really written (the store keeps it)."""
    with database(lc) as db:
        [(value,)] = db.execute(f"SELECT clock_override FROM {table} WHERE card_id = ? AND clock_override IS NOT NULL",
                                (card_id,)).fetchall()
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def overridden(lc) -> tuple[list[dict], object]:
    found = lc.json("audit", "--rule", "clock-override", user="赵经理", env=REAL_CLOCK)
    return found["findings"], datetime.fromisoformat(found["as_of"]).date()


def tomorrow_at_ten() -> datetime:
    return datetime.now(SHANGHAI).replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=1)


def test_a_call_logged_under_a_clock_set_to_tomorrow_is_the_managers_to_vouch_for(lc):
    bound_floor(lc)
    lc.ok("add", "刘先生", "--phone", "13800138000", user="王芳", env=REAL_CLOCK)
    dated = tomorrow_at_ten()  # set to look at tomorrow's list, then a call logged under it
    lc.ok("log", "刘先生", "--channel", "phone", "--content", "客户确认预算 20 万，约周末试驾", user="赵经理",
          now=f"{dated:%Y-%m-%dT%H:%M:%S}")
    [found], today = overridden(lc)
    at = written(lc, "followups", 1)
    assert found["owner"] == "赵经理" and "count" not in found  # one record, his to vouch for
    assert told(found) == (
        at.astimezone(SHANGHAI).isoformat(), 1,
        f"第 1 次跟进记为 {md(dated, today)}，实际 {md(at, today)} 由 赵经理 改了时钟（LEADCARD_NOW）写入："
        "时间是手填的，补录等规则无法判断，请核实", "按真实时钟记录", "改过的时钟")


def test_a_regrade_an_instruction_and_a_loss_request_under_a_set_clock_are_each_named(lc):
    bound_floor(lc)
    for n, name in enumerate(("刘先生", "周女士", "吴先生")):
        lc.ok("add", name, "--phone", f"1380013800{n}", user="王芳", env=REAL_CLOCK)
    lc.ok("log", "周女士", "--channel", "phone", "--content", "电话确认预算与车型", user="王芳", env=REAL_CLOCK)
    dated = tomorrow_at_ten()
    ahead = {"user": "赵经理", "now": f"{dated:%Y-%m-%dT%H:%M:%S}"}
    lc.ok("grade", "刘先生", "H", "--reason", "周末订车", **ahead)
    lc.ok("comment", "周女士", "周六约试驾", **ahead)
    lc.ok("lose", "吴先生", "--reason", "price", "--competitor", "本田雅阁", **ahead)
    found, today = overridden(lc)
    tables = ("grade_changes", "instructions", "card_events")
    assert [(f["ref"], f["followup"], f["message"], f["expected"], f["actual"]) for f in found] == [
        (f"A0000{n + 1}", None, f"{what}记为 {md(dated, today)}，实际 {md(written(lc, table, n + 1), today)} 由 赵经理 "
         "改了时钟（LEADCARD_NOW）写入：时间是手填的，补录等规则无法判断，请核实", "按真实时钟记录", "改过的时钟")
        for n, (what, table) in enumerate(zip(("级别变更", "主管批示", "战败申请"), tables))]


# -- the order waiting for its car ---------------------------------------------------------------------


def ordered_in_a_call(lc):
    """刘先生 (A00001, 王芳's) orders on 3 May at 16:00, in the very call that is logged then."""
    team(lc)
    lc.ok("log", "刘先生", "--channel", "phone", "--content", "客户电话里确认订车，交定金 5000", user="王芳",
          now="2026-05-03T16:00:00")
    lc.ok("win", "刘先生", "--delivery", "2026-06-10", user="王芳", now="2026-05-03T16:00:00")


def test_the_call_in_which_the_customer_ordered_is_no_news_of_the_car(lc):
    ordered_in_a_call(lc)
    assert findings(lc, "order-gap", user="钱主管", now="2026-05-10T23:59:00") == []
    assert told(one(lc, "order-gap", user="钱主管", now="2026-05-11T00:00:00")) == (
        "2026-05-10T16:00:00+08:00", None, "订车后最后一次联系是订车（05-03），已 8 天没有告知客户车辆进度（订车后每 7 天一次）",
        "≤ 7 天", "8 天")
    # Still owed: an audit of the last days names it too.
    assert one(lc, "order-gap", "--since", "2026-05-20", user="钱主管", now="2026-05-20T09:00:00")["actual"] == "17 天"


def test_news_given_at_the_very_minute_the_car_is_handed_over_counts(lc):
    ordered_in_a_call(lc)
    lc.ok("log", "刘先生", "--channel", "phone", "--content", "告知车辆已到店，约 18 日交车", user="王芳",
          now="2026-05-10T10:00:00")
    lc.ok("log", "刘先生", "--channel", "visit", "--content", "到店提车，讲解功能", user="王芳", now="2026-05-18T10:00:00")
    lc.ok("deliver", "刘先生", "--handover-to", "售后 陈工", user="王芳", now="2026-05-18T10:00:00")
    assert told(one(lc, "order-gap", user="钱主管", now="2026-05-18T11:00:00")) == (
        "2026-05-17T10:00:00+08:00", None, "第 3 次（05-10）到第 4 次（05-18）相隔 8 天没有联系客户（订车后每 7 天告知车辆进度）",
        "≤ 7 天", "8 天")
    assert findings(lc, "order-gap", "--since", "2026-05-18", user="钱主管", now="2026-05-18T11:00:00") == []  # over


# -- the owner's visits after delivery -----------------------------------------------------------------


def delivered_on_the_20th(lc):
    """刘先生 ordered on 3 May, told of his car weekly, delivered on 20 May at 15:00."""
    ordered_in_a_call(lc)
    for at in ("2026-05-10T10:00:00", "2026-05-17T10:00:00"):
        lc.ok("log", "刘先生", "--channel", "phone", "--content", "告知车辆进度：已下线，正在发运", user="王芳", now=at)
    lc.ok("deliver", "刘先生", "--handover-to", "售后 陈工", user="王芳", now="2026-05-20T15:00:00")


def test_the_first_days_visit_not_made_is_late_from_the_midnight_after_it(lc):
    delivered_on_the_20th(lc)
    assert findings(lc, "after-delivery-late", user="钱主管", now="2026-05-21T23:59:00") == []
    assert told(one(lc, "after-delivery-late", user="钱主管", now="2026-05-22T00:00:00")) == (
        "2026-05-22T00:00:00+08:00", None, "交车（05-20）后第 1 天的回访（05-21）没有做，已过 1 天", "第 1 天回访", "未回访")


def test_a_visit_made_at_half_past_seven_the_morning_after_its_day_is_a_day_late(lc):
    delivered_on_the_20th(lc)
    lc.ok("log", "刘先生", "--channel", "phone", "--content", "交车后回访：用车顺利，讲解了自适应巡航", user="王芳",
          now="2026-05-22T07:30:00")  # still the 21st in London
    assert told(one(lc, "after-delivery-late", user="钱主管", now="2026-05-22T12:00:00")) == (
        "2026-05-22T00:00:00+08:00", 5, "交车（05-20）后第 1 天的回访（05-21）到第 5 次（05-22）才做，晚 1 天", "第 1 天回访",
        "晚 1 天")


def test_a_deal_won_on_paper_asks_for_no_visits_after_its_delivery(lc, tmp_path):
    team(lc)
    write_csv(tmp_path / "纸卡.csv", [["陈先生", "13700137000", "王芳", "成交", "2026-05-01", "2026-05-20 10:00"]],
              header=["姓名", "电话", "顾问", "状态", "建卡日期", "结案时间"])
    lc.ok("import", str(tmp_path / "纸卡.csv"), user="赵经理", now="2026-05-21T10:00:00")
    rules = {f["rule"] for f in lc.json("audit", user="钱主管", now="2026-06-01T10:00:00")["findings"]
             if f["ref"] == "A00002"}
    assert "handover-late" in rules and not rules & {"order-gap", "after-delivery-late"}


# -- a lost customer who came back -----------------------------------------------------------------------


def test_a_lost_customer_back_with_the_consultant_herself_is_named_and_with_another_team_is_not(lc):
    sales_floor(lc)
    for name, phone in (("张三", "13800000001"), ("王五", "13800000003")):
        lc.ok("add", name, "--phone", phone, "--grade", "B", user="王芳", now="2025-12-20T10:00:00")
        lc.ok("lose", name, "--reason", "推迟购买", user="王芳", now="2026-01-01T09:00:00")
        lc.ok("approve", name, user="钱主管", now="2026-01-01T10:00:00")
    lc.ok("visit", "add", "--at", "2026-01-11 10:00", "--left", "2026-01-11 11:00", "--phone", "13800000001",
          user="王芳", now="2026-01-11T11:00:00")  # received by the consultant who asked for the loss
    lc.ok("add", "王五", "--phone", "13800000003", user="孙丽", now="2026-01-15T10:00:00")  # another team's card
    found = findings(lc, "false-loss", "--since", "2025-12-01", user="王芳", now="2026-01-16T10:00:00")
    assert [told(f) for f in found] == [
        ("2026-01-11T10:00:00+08:00", None, "战败（01-01 批准，王芳 申请）后 10 天客户又出现：01-11 到店登记（王芳），疑似虚假战败",
         "批准后 90 天内不再出现", "10 天后到店登记"),
        ("2026-01-15T10:00:00+08:00", None,
         "战败（01-01 批准，王芳 申请）后 14 天客户又出现：01-15 新建卡片（你看不到的记录，请问主管），疑似虚假战败",
         "批准后 90 天内不再出现", "14 天后新建卡片")]


# -- the rules of the sale: objections, plans, handovers ---------------------------------------------------


def test_an_objection_with_a_script_in_time_still_leaves_the_next_objection_of_that_call_to_answer(lc):
    kept_card(lc)
    lc.ok("playbook", "add", "delivery", "协调兄弟店现车，最快一周交车", now="2026-05-02T09:00:00")
    objection(lc, "张三", "2026-05-02T11:00:00", "delivery", "price")
    assert told(one(lc, "objection-unhandled", now="2026-05-03T11:01:00")) == (
        "2026-05-03T11:00:00+08:00", 3,
        "第 3 次（05-02）客户提出「价格高于竞品」，已 24小时1分 没有处理方案：写跟踪方案，或请主管补充话术库（时限 24 小时）",
        "≤ 24 小时 形成异议处理方案", "无方案")


def test_a_plan_copied_from_the_last_follow_up_is_named_by_its_number(lc):
    kept_card(lc)
    for day in (2, 3):
        lc.ok("log", "张三", "--channel", "phone", "--content", "客户还在比较雅阁，约周末再谈", "--bottleneck", "价格",
              "--plan", "准备五年用车成本对比", "--next", "2026-05-06", now=f"2026-05-0{day}T10:00:00")
    found = one(lc, "vague-record", "--since", "2026-05-03", now="2026-05-03T11:00:00")
    assert (found["followup"], found["message"], found["actual"]) == (
        4, "第 4 次（05-03）：跟踪方案与第 3 次相同", "跟踪方案与第 3 次相同")


def test_a_car_never_handed_over_is_still_owed_however_late_the_audits_window_opens(lc):
    kept_card(lc)
    lc.ok("win", "张三", now="2026-05-06T16:00:00")
    lc.ok("deliver", "张三", "--at", "2026-05-15 16:00", now="2026-05-15T16:00:00")  # a Friday: due on Monday
    assert told(one(lc, "handover-late", "--since", "2026-05-25", now="2026-06-01T10:00:00")) == (
        "2026-05-18T23:59:59+08:00", None, "交车（05-15）后还没有交接售后，已过时限（1 个工作日：05-18 当天）",
        "≤ 1 个工作日", "11 个工作日")


# -- counts in a message: one, two, and a limit as a store writes it ---------------------------------------


@pytest.mark.parametrize("made, said", [(1, "1 次"), (2, "2 次")])
def test_a_loss_after_one_or_two_follow_ups_says_how_many(lc, made, said):
    new_card(lc, grade="B")
    for n in range(made):
        lc.ok("log", "张三", "--channel", "phone", "--content", "客户说再考虑考虑", "--next", "2026-05-06", *GOOD,
              now=f"2026-05-0{n + 1}T15:00:00")
    lc.ok("lose", "张三", "--reason", "价格", "--competitor", "本田雅阁", "--note", "差价一万", now="2026-05-03T10:00:00")
    found = one(lc, "gave-up-early", now="2026-05-03T11:00:00")
    assert (found["message"], found["actual"]) == (
        f"B 级客户只跟进了 {said}就申请战败（05-03）；八成成交在第 4–11 次跟进之后（至少 4 次）", said)


@pytest.mark.parametrize("months, said, slept", [(1, "1 个月", "05-01"), (2, "2 个月", "06-01")])
def test_a_store_whose_cards_sleep_after_one_or_two_months(lc, tmp_path, months, said, slept):
    policy(lc, tmp_path, f"dormant_after_months = {months}\n")
    new_card(lc, grade="H", made="2026-03-31T10:00:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户说下个月再定", now="2026-04-01T10:00:00")
    found = one(lc, "neglected-to-dormant", now="2026-06-02T10:00:00")
    assert (found["message"], found["actual"]) == (
        f"H 级客户自 04-01 起 {said}没有联系，{slept} 转入休眠，其间没有降级（H 级每天联系一次）", f"{said}未联系")


def lost_and_back(lc):
    """张三, lost on 1 January, back in the showroom ten days later."""
    lc.ok("add", "张三", "--phone", "13800000001", "--grade", "B", now="2025-12-20T10:00:00")
    lc.ok("lose", "张三", "--reason", "推迟购买", now="2026-01-01T09:00:00")
    lc.ok("approve", "张三", now="2026-01-01T10:00:00")
    lc.ok("visit", "add", "--at", "2026-01-11 10:00", "--left", "2026-01-11 11:00", "--phone", "13800000001",
          now="2026-01-11T11:00:00")


@pytest.mark.parametrize("within, said", [("90.0", "90 天"), ("8784", "8784 天")])
def test_a_limit_is_told_as_a_whole_number_up_to_a_year_of_hours(lc, tmp_path, within, said):
    policy(lc, tmp_path, f"[audit.false-loss]\nwithin_days = {within}\n")
    lost_and_back(lc)
    assert one(lc, "false-loss", "--since", "2025-12-01", now="2026-01-12T10:00:00")["expected"] == f"批准后 {said}内不再出现"


@pytest.mark.parametrize("within", ["8785", "1000000", "inf"])
def test_a_limit_beyond_a_year_of_hours_is_refused_with_one_line(lc, tmp_path, within):
    path = tmp_path / "store.toml"
    path.write_text(f"[audit.false-loss]\nwithin_days = {within}\n", encoding="utf-8")
    result = lc("init", "--policy-file", str(path))
    assert (result.exit_code, result.stderr) == (2, "leadcard: 政策里 [audit.false-loss] 的 within_days 不能大于 8784；"
                                                    "改好政策文件后运行 leadcard init --policy-file 文件\n")


def test_one_day_one_working_day_one_month_and_one_follow_up_are_singular_in_english(lc, tmp_path):
    policy(lc, tmp_path, "dormant_after_months = 1\n")
    new_card(lc, "李四", "13900139000", "H", "2026-04-01T10:00:00")  # left to sleep a month
    lc.ok("log", "李四", "--channel", "phone", "--content", "客户说下个月再定", "--next", "2026-04-02",
          now="2026-04-01T11:00:00")
    new_card(lc)
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户已买雅阁", *GOOD, now="2026-05-01T15:00:00")
    lc.ok("lose", "张三", "--reason", "价格", "--competitor", "本田雅阁", "--note", "差价一万", now="2026-05-03T10:00:00")
    new_card(lc, "王五", "13700137000", "H", "2026-05-06T10:00:00")
    lc.ok("log", "王五", "--channel", "phone", "--content", "客户出差，回来再谈", "--next", "2026-05-09",
          now="2026-05-06T11:00:00")
    lc.ok("win", "王五", now="2026-05-07T16:00:00")
    lc.ok("deliver", "王五", "--at", "2026-05-15 16:00", now="2026-05-15T16:00:00")  # a Friday
    found = {f["rule"]: f for f in lc.json("audit", now="2026-05-19T00:00:00", env={"LEADCARD_LANG": "en"})["findings"]}
    assert found["neglected-to-dormant"]["actual"] == "no contact for 1 month"
    assert found["gave-up-early"]["actual"] == "1 follow-up"
    assert found["plan-beyond-cadence"]["expected"] == "≤ 1 day"
    assert (found["handover-late"]["expected"], found["handover-late"]["actual"]) == (
        "≤ 1 working day", "2 working days")
