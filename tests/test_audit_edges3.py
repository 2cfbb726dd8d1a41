"""The audit's own edges (leadcard/domain/audit.py and leadcard/store/audit.py), from the mutants the
rules' edge tests left alive there: cards on one phone, showroom visits without a card, dormancy at a
month's edge, which occurrence a finding tells, the warning `log` gives, the words of a refusal; which
cards and records the store reads at the audit's moment and from its window's first second (a lost
customer's comebacks included), 跟进及时率, and each owner's summary.

As in test_audit_edges, every finding is checked whole, and each boundary exactly at its limit and
one second (or day) past it.
"""

import csv
from datetime import timedelta

import pytest

from conftest import database, sales_floor
from test_audit_edges import kept_card, new_card, objection, policy
from test_audit_edges2 import SHANGHAI, tomorrow_at_ten, written
from test_audit_floor import GOOD, findings, one
from test_identity import REAL_CLOCK, bound_floor


def told(found: list[dict]) -> list[tuple]:
    """What each finding tells: its card, whose it is, when it arose, the message, expected and actual."""
    return [(f["ref"], f["name"], f["owner"], f["at"], f["message"], f["expected"], f["actual"]) for f in found]


def same_phone(lc, *card_ids: int, phone: str = "13800138000") -> None:
    """Cards put on one phone, as a store kept before duplicates were refused has them."""
    with database(lc.db) as db:
        for card_id in card_ids:
            db.execute(f"UPDATE cards SET phone = '{phone}' WHERE id = {card_id}")


# -- duplicate-phone ------------------------------------------------------------------------------------


def test_two_open_cards_on_one_phone_are_each_told_whole_and_a_closed_one_is_no_conflict(lc):
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "A", now="2026-05-01T10:00:00")
    lc.ok("add", "李四", "--phone", "13900139000", "--grade", "A", now="2026-05-02T11:00:00")
    # A phone shared with a card found invalid comes first in phone order: no conflict, and the next
    # phone is still judged.
    lc.ok("add", "王五", "--phone", "13700137000", "--grade", "A", now="2026-05-02T12:00:00")
    lc.ok("invalid", "王五", "--reason", "空号", now="2026-05-02T13:00:00")
    lc.ok("add", "赵六", "--phone", "13600136000", "--grade", "A", now="2026-05-02T14:00:00")
    same_phone(lc, 2)
    same_phone(lc, 4, phone="13700137000")
    assert told(findings(lc, "duplicate-phone", now="2026-05-03T10:00:00")) == [
        ("A00001", "张三", None, "2026-05-02T11:00:00+08:00",
         "电话与 A00002（无人，05-02 建卡） 相同：同一客户有 2 张在跟卡片，归属冲突", "一位客户一张卡", "2 张"),
        ("A00002", "李四", None, "2026-05-02T11:00:00+08:00",
         "电话与 A00001（无人，05-01 建卡） 相同：同一客户有 2 张在跟卡片，归属冲突", "一位客户一张卡", "2 张"),
    ]


def test_cards_on_one_phone_are_judged_as_they_stood_on_the_day_audited(lc):
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "A", now="2026-05-01T10:00:00")
    lc.ok("add", "李四", "--phone", "13900139000", "--grade", "A", now="2026-05-02T11:00:00")
    same_phone(lc, 2)
    lc.ok("invalid", "李四", "--reason", "重复建卡", now="2026-05-03T10:00:00")
    assert [f["ref"] for f in findings(lc, "duplicate-phone", "--date", "2026-05-02", now="2026-05-04T10:00:00")] == [
        "A00001", "A00002"]
    assert findings(lc, "duplicate-phone", now="2026-05-04T10:00:00") == []


def test_a_consultant_reads_her_own_cards_on_a_shared_phone_by_name_and_another_teams_by_count(lc):
    sales_floor(lc)
    lc.ok("add", "王客户", "--phone", "13800138000", "--grade", "A", user="王芳", now="2026-05-01T10:00:00")
    lc.ok("add", "王二", "--phone", "13900139000", "--grade", "A", user="王芳", now="2026-05-02T10:00:00")
    lc.ok("add", "孙客户", "--phone", "13700137000", "--grade", "A", user="孙丽", now="2026-05-02T11:00:00")
    same_phone(lc, 2, 3)
    # The conflict arose, as far as she may know, when her own second card was made: the other
    # team's card, made an hour later, is not dated to her.
    assert told(findings(lc, "duplicate-phone", user="王芳", now="2026-05-03T10:00:00")) == [
        ("A00001", "王客户", "王芳", "2026-05-02T10:00:00+08:00",
         "电话与 A00002（王芳，05-02 建卡）、1 张你看不到的卡片（请问主管） 相同：同一客户有 3 张在跟卡片，归属冲突",
         "一位客户一张卡", "3 张"),
        ("A00002", "王二", "王芳", "2026-05-02T10:00:00+08:00",
         "电话与 A00001（王芳，05-01 建卡）、1 张你看不到的卡片（请问主管） 相同：同一客户有 3 张在跟卡片，归属冲突",
         "一位客户一张卡", "3 张"),
    ]
    assert [f["at"] for f in findings(lc, "duplicate-phone", user="赵经理", now="2026-05-03T10:00:00")] == [
        "2026-05-02T11:00:00+08:00"] * 3


def test_a_card_another_team_holds_on_the_phone_is_judged_as_it_stood_on_the_day_audited(lc):
    """Her card and another team's on one phone: that card was found invalid before the day's end and
    reopened only the next day, so the day's audit has no conflict, for her as for the manager;
    today's has one."""
    sales_floor(lc)
    lc.ok("add", "王客户", "--phone", "13800138000", "--grade", "A", user="王芳", now="2026-05-01T10:00:00")
    lc.ok("add", "孙客户", "--phone", "13700137000", "--grade", "A", user="孙丽", now="2026-05-02T09:00:00")
    lc.ok("invalid", "孙客户", "--reason", "空号", user="孙丽", now="2026-05-02T09:05:00")
    lc.ok("reopen", "A00002", user="赵经理", now="2026-05-03T09:10:00")
    same_phone(lc, 2)
    for user in ("王芳", "赵经理"):
        assert findings(lc, "duplicate-phone", "--date", "2026-05-02", user=user, now="2026-05-03T10:00:00") == []
    assert [f["ref"] for f in findings(lc, "duplicate-phone", user="王芳", now="2026-05-03T10:00:00")] == ["A00001"]
    # The other way round: open on the day audited, found invalid only since.
    lc.ok("invalid", "A00002", "--reason", "空号", user="赵经理", now="2026-05-04T09:00:00")
    assert [f["ref"] for f in findings(lc, "duplicate-phone", "--date", "2026-05-03", user="王芳",
                                       now="2026-05-04T10:00:00")] == ["A00001"]
    assert findings(lc, "duplicate-phone", user="王芳", now="2026-05-04T10:00:00") == []


LOSE = ("lose", "A00002", "--reason", "推迟购买")
WIN = ("win", "A00002")


@pytest.mark.parametrize("steps, active", [
    ([], True),  # open on the day, closed only since: no status event by then
    ([WIN], False),  # an order
    ([WIN, ("deliver", "A00002")], False),
    ([WIN, ("cancel-order", "A00002", "--reason", "资金不够")], True),  # open again
    ([LOSE], True),  # waiting on its loss
    ([LOSE, ("approve", "A00002")], False),
    ([LOSE, ("reject", "A00002", "--note", "再跟")], True),
    ([("invalid", "A00002", "--reason", "空号")], False),
])
def test_another_teams_card_on_the_phone_counts_by_its_status_event_on_the_day_audited(lc, steps, active):
    """Each event that sets a card's status, on another team's card, decides whether it held the
    phone against hers on the day audited; what happened to it since does not."""
    sales_floor(lc)
    lc.ok("add", "王客户", "--phone", "13800138000", "--grade", "A", user="王芳", now="2026-05-01T10:00:00")
    lc.ok("add", "孙客户", "--phone", "13700137000", "--grade", "A", "--model", "凯美瑞", user="孙丽",
          now="2026-05-02T09:00:00")
    for minute, step in enumerate(steps):  # the verdicts on a loss are the manager's, the rest her own
        lc.ok(*step, user="赵经理" if step[0] in ("approve", "reject") else "孙丽", now=f"2026-05-02T10:{minute:02d}:00")
    same_phone(lc, 2)
    if active:
        lc.ok("invalid", "A00002", "--reason", "重复建卡", user="赵经理", now="2026-05-03T09:00:00")
    found = findings(lc, "duplicate-phone", "--date", "2026-05-02", user="王芳", now="2026-05-03T10:00:00")
    assert [f["ref"] for f in found] == (["A00001"] if active else [])


def test_an_imported_card_on_a_phone_taken_before_the_import_is_a_conflict_to_resolve_not_history(lc, tmp_path):
    cards_file = tmp_path / "cards.csv"
    with open(cards_file, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["姓名", "电话", "级别", "建卡时间", "意向车型", "购车预算", "购车时间"],
                                 ["张伟", "13800138000", "A", "2026-03-01 09:00", "凯美瑞", "20 万", "一个月内"]])
    lc.ok("add", "李四", "--phone", "13900139000", "--grade", "A", now="2026-04-10T10:00:00")
    lc.ok("import", str(cards_file), now="2026-04-20T09:00:00")
    same_phone(lc, 2, phone="13900139000")
    found = findings(lc, "duplicate-phone", now="2026-04-21T10:00:00")
    assert [(f["ref"], f["severity"], f.get("imported", False)) for f in found] == [
        ("A00001", "error", False), ("A00002", "error", False)]
    assert found[1]["message"] == "电话与 A00001（无人，04-10 建卡） 相同：同一客户有 2 张在跟卡片，归属冲突"


# -- visit-without-card ---------------------------------------------------------------------------------


def visit(lc, phone="13900139000", *more, user=None):
    """A customer in the showroom from 09:00 to 09:40 on 3 May who left a phone."""
    lc.ok("visit", "add", "--at", "2026-05-03 09:00", "--left", "2026-05-03 09:40", "--phone", phone, *more,
          user=user, now="2026-05-03T09:45:00")


def test_a_visit_without_a_card_a_second_past_half_an_hour_is_told_whole(lc):
    visit(lc)
    assert told(findings(lc, "visit-without-card", now="2026-05-03T10:10:01")) == [
        ("来店#1", "（未留名）", None, "2026-05-03T10:10:00+08:00",
         "来店登记 #1（05-03 09:40 离店，留电话 13900139000）已 30分1秒，还没有建卡（时限 30分钟）", "≤ 30分钟", "30分1秒 未建卡")]


def test_a_visit_without_a_card_exactly_half_an_hour_after_is_not_yet_late(lc):
    visit(lc)
    assert findings(lc, "visit-without-card", now="2026-05-03T10:10:00") == []


def test_a_card_made_exactly_half_an_hour_after_the_visit_is_in_time_and_one_made_at_the_audits_moment_is_late(lc):
    visit(lc)
    visit(lc, "13900139001")
    lc.ok("add", "陈女士", "--phone", "13900139000", "--visit", "1", now="2026-05-03T10:10:00")
    lc.ok("add", "刘先生", "--phone", "13900139001", "--visit", "2", now="2026-05-03T10:40:00")
    # The line takes the name of the card made from it.
    assert told(findings(lc, "visit-without-card", now="2026-05-03T10:40:00")) == [
        ("来店#2", "刘先生", None, "2026-05-03T10:10:00+08:00",
         "来店登记 #2（05-03 09:40 离店，留电话 13900139001）1小时 后才建卡（时限 30分钟）", "≤ 30分钟", "1小时")]


def test_a_card_made_a_second_past_half_an_hour_after_the_visit_is_late(lc):
    """The audit leaves out in SQL the visits whose card came well within the limit; one that came a
    second past it is still judged, and late."""
    visit(lc)
    lc.ok("add", "陈女士", "--phone", "13900139000", "--visit", "1", now="2026-05-03T10:10:01")
    assert told(findings(lc, "visit-without-card", now="2026-05-03T11:00:00")) == [
        ("来店#1", "陈女士", None, "2026-05-03T10:10:00+08:00",
         "来店登记 #1（05-03 09:40 离店，留电话 13900139000）30分1秒 后才建卡（时限 30分钟）", "≤ 30分钟", "30分1秒")]


def test_a_visit_without_a_card_is_the_consultants_who_received_it_and_only_theirs_with_owner(lc):
    sales_floor(lc)
    visit(lc, "13900139000", "--name", "陈女士", user="李强")
    visit(lc, "13900139001", user="王芳")
    late = ("已 1小时20分，还没有建卡（时限 30分钟）", "≤ 30分钟", "1小时20分 未建卡")
    first = ("来店#1", "陈女士", "李强", "2026-05-03T10:10:00+08:00",
             "来店登记 #1（05-03 09:40 离店，留电话 13900139000）" + late[0], *late[1:])
    second = ("来店#2", "（未留名）", "王芳", "2026-05-03T10:10:00+08:00",
              "来店登记 #2（05-03 09:40 离店，留电话 13900139001）" + late[0], *late[1:])
    assert told(findings(lc, "visit-without-card", now="2026-05-03T11:00:00")) == [first, second]
    hers = lc.json("audit", "--rule", "visit-without-card", "--owner", "王芳", now="2026-05-03T11:00:00")
    assert (hers["owner"], told(hers["findings"])) == ("王芳", [second])


def test_a_visit_without_a_card_comes_before_the_consultants_cards_in_the_list(lc):
    sales_floor(lc)
    new_card(lc, "张三", "13800138000", "A", "2026-05-01T10:00:00", "--owner", "王芳")
    visit(lc, user="王芳")
    found = lc.json("audit", "--rule", "visit-without-card", "--rule", "first-touch-late", now="2026-05-03T11:00:00")
    assert [(f["ref"], f["at"]) for f in found["findings"]] == [
        ("来店#1", "2026-05-03T10:10:00+08:00"), ("A00001", "2026-05-01T13:00:00+08:00")]


# -- dormancy at a month's edge -------------------------------------------------------------------------


def test_a_card_last_reached_on_31_january_sleeps_a_month_later_on_28_february_at_that_very_time(lc, tmp_path):
    policy(lc, tmp_path, "dormant_after_months = 1\n")
    new_card(lc, grade="H", made="2026-01-30T10:00:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户说下个月再定", now="2026-01-31T10:00:00")
    assert findings(lc, "neglected-to-dormant", now="2026-02-28T09:59:59") == []
    assert told([one(lc, "neglected-to-dormant", now="2026-02-28T10:00:00")]) == [
        ("A00001", "张三", None, "2026-02-28T10:00:00+08:00",
         "H 级客户自 01-31 起 1 个月没有联系，02-28 转入休眠，其间没有降级（H 级每天联系一次）",
         "H 级每天联系一次，或降级", "1 个月未联系")]


def test_a_card_last_reached_on_1_march_is_awake_all_of_31_march(lc, tmp_path):
    policy(lc, tmp_path, "dormant_after_months = 1\n")
    new_card(lc, grade="H", made="2026-02-28T10:00:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户说下个月再定", now="2026-03-01T10:00:00")
    assert findings(lc, "neglected-to-dormant", now="2026-03-31T23:59:59") == []
    assert findings(lc, "neglected-to-dormant", now="2026-04-01T09:59:59") == []
    assert one(lc, "neglected-to-dormant", now="2026-04-01T10:00:00")["at"] == "2026-04-01T10:00:00+08:00"


# -- which occurrence a finding tells -------------------------------------------------------------------


def test_two_objections_of_one_call_handled_late_are_told_by_the_first_raised_not_the_first_in_words(lc):
    kept_card(lc)
    objection(lc, "张三", "2026-05-02T11:00:00", "financing", "resale")
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户认可金融方案", "--plan", "准备三家银行的贷款对比",
          "--next", "2026-05-06", now="2026-05-03T12:00:00")
    found = one(lc, "objection-unhandled", now="2026-05-05T10:00:00")
    assert (found["count"], found["message"]) == (
        2, "第 3 次（05-02）客户提出「贷款/金融」，1天1小时 后才有处理方案（时限 24 小时）")


# -- the warning `log` gives, and a refusal -------------------------------------------------------------


def test_a_day_of_grace_forgives_a_plan_a_day_beyond_the_cadence_at_once_and_warns_of_two_in_words(lc, tmp_path):
    policy(lc, tmp_path, "[audit.plan-beyond-cadence]\ngrace_days = 1\n")
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "H", now="2026-05-03T10:00:00")
    within = lc.ok("log", "张三", "--channel", "phone", "--content", "确认订车细节", "--next", "2026-05-05",
                   now="2026-05-03T10:30:00")
    assert within.stderr == ""
    beyond = lc.ok("log", "张三", "--channel", "phone", "--content", "确认订车细节", "--next", "2026-05-07",
                   now="2026-05-04T10:30:00")
    assert beyond.stderr == "提醒：下次访问在 3 天后，超出 H 级的联系周期（每 1 天）；跟进已记录，请确认日期或调整级别。\n"


def test_an_unknown_rule_is_refused_with_every_rule_named(lc):
    result = lc("audit", "--rule", "nosuch")
    assert (result.exit_code, result.stderr) == (
        2, "leadcard: 没有稽核规则 `nosuch`；规则有：`first-touch-late, first-call-late, cadence-gap, no-next-date, "
           "overdue, vague-record, unsigned, stale-grade, gave-up-early, lost-without-reason, approval-pending, "
           "late-record, incomplete-card, duplicate-phone, handover-late, objection-unhandled, visit-without-card, "
           "false-loss, neglected-to-dormant, plan-beyond-cadence, plan-update-late, order-gap, after-delivery-late, quote-expired, "
           "purchase-plan-late, clock-override`\n")


# -- which cards the audit reads: made by its moment, closed in its window --------------------------------


def summary(lc, *args, **kwargs) -> tuple[int, int]:
    """The cards the audit counted, and the findings."""
    found = lc.json("audit", *args, **kwargs)
    return found["summary"]["cards"], len(found["findings"])


def test_a_card_made_at_the_very_second_audited_is_read(lc):
    lc.ok("add", "张三", "--phone", "13800138000", now="2026-05-03T10:00:00")
    assert summary(lc, "--rule", "incomplete-card", now="2026-05-03T09:59:59") == (0, 0)
    assert summary(lc, "--rule", "incomplete-card", now="2026-05-03T10:00:00") == (1, 1)


@pytest.mark.parametrize("closed, counted", [("2026-04-10T00:00:00", 1), ("2026-04-09T23:59:59", 0)],
                         ids=["as-the-window-opens", "a-second-before"])
def test_a_card_closed_as_the_window_opens_is_audited_and_one_closed_a_second_before_is_not(lc, closed, counted):
    lc.ok("add", "张三", "--phone", "13800138000", now="2026-04-01T10:00:00")
    lc.ok("invalid", "张三", "--reason", "空号", now=closed)
    assert summary(lc, "--since", "2026-04-10", now="2026-04-20T10:00:00")[0] == counted


@pytest.mark.parametrize("delivered, counted", [("2026-03-10T00:00:00", 1), ("2026-03-09T23:59:59", 0)],
                         ids=["visits-run-into-the-window", "visits-over-a-second-before"])
def test_a_delivered_card_is_audited_while_its_visits_and_a_day_of_grace_run_into_the_window(lc, delivered, counted):
    """The last visit after delivery is 30 days on, and a day more to make it: a delivery 31 days before
    the window opens is still judged."""
    new_card(lc, made="2026-03-01T10:00:00")
    lc.ok("win", "张三", now="2026-03-02T10:00:00")
    lc.ok("deliver", "张三", now=delivered)
    assert summary(lc, "--since", "2026-04-10", now="2026-04-20T10:00:00")[0] == counted


# -- the records as they stood at the moment ---------------------------------------------------------------


def test_a_paper_thank_you_typed_in_at_the_very_second_audited_is_read(lc):
    new_card(lc)
    lc.ok("log", "张三", "--channel", "wechat", "--content", "感谢到店，发送配置表", "--at", "2026-05-01 12:00",
          now="2026-05-01T14:00:00")
    assert findings(lc, "first-touch-late", now="2026-05-01T14:00:00") == []
    assert one(lc, "first-touch-late", "--date", "2026-05-01", now="2026-05-01T13:59:59")["actual"] == "3小时59分 未做"


@pytest.mark.parametrize("at", [(), ("--at", "2026-05-20 09:00")], ids=["as-it-happens", "typed-in-later"])
def test_a_regrade_at_the_very_second_audited_is_the_grade_judged(lc, at):
    kept_card(lc, grade="H")
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户说下个月再定", "--grade", "C", "--next", "2026-05-25",
          *at, now="2026-05-20T10:00:00")
    assert findings(lc, "stale-grade", now="2026-05-20T10:00:00") == []
    assert one(lc, "stale-grade", now="2026-05-20T09:59:59")["actual"] == "19 天"


def test_an_instruction_written_at_the_very_second_audited_signs_the_follow_ups(lc):
    sales_floor(lc)
    lc.user = "王芳"
    kept_card(lc)
    lc.ok("comment", "A00001", "周末邀约夫妻试驾，准备对比表", user="钱主管", now="2026-05-03T10:21:00")
    assert findings(lc, "unsigned", user="钱主管", now="2026-05-03T10:21:00") == []
    assert one(lc, "unsigned", user="钱主管", now="2026-05-03T10:20:59")["actual"] == "2 天未批"


# -- a phone shared by the moment -----------------------------------------------------------------------


def test_a_second_card_on_a_phone_made_at_the_very_second_audited_is_a_conflict(lc):
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "A", now="2026-05-01T10:00:00")
    lc.ok("add", "李四", "--phone", "13900139000", "--grade", "A", now="2026-05-02T11:00:00")
    same_phone(lc, 2)
    assert findings(lc, "duplicate-phone", now="2026-05-02T10:59:59") == []
    assert [f["ref"] for f in findings(lc, "duplicate-phone", now="2026-05-02T11:00:00")] == ["A00001", "A00002"]


# -- a lost customer back: the comebacks' window ------------------------------------------------------------


def lost_long_ago(lc, tmp_path, approved="2026-03-31T00:00:00"):
    """张三 lost, the loss approved ten days (the store's limit) before 10 April, when the audit's window
    opens: only a comeback inside the window is still to be explained."""
    policy(lc, tmp_path, "[audit.false-loss]\nwithin_days = 10\n")
    lc.ok("add", "张三", "--phone", "13800000001", "--grade", "B", now="2026-03-01T10:00:00")
    lc.ok("lose", "张三", "--reason", "推迟购买", now="2026-03-30T09:00:00")
    lc.ok("approve", "张三", now=approved)


def false_losses(lc, now="2026-04-20T10:00:00"):
    return [(f["ref"], f["at"], f["actual"]) for f in findings(lc, "false-loss", "--since", "2026-04-10", now=now)]


@pytest.mark.parametrize("approved, found", [
    ("2026-03-31T00:00:00", [("A00001", "2026-04-10T00:00:00+08:00", "10 天后到店登记")]),
    ("2026-03-30T23:59:59", []),
], ids=["ten-days-after-the-approval", "a-second-more"])
def test_a_lost_customer_back_in_the_showroom_as_the_window_opens_ten_days_on(lc, tmp_path, approved, found):
    lost_long_ago(lc, tmp_path, approved)
    lc.ok("visit", "add", "--at", "2026-04-10 00:00", "--left", "2026-04-10 00:30", "--phone", "13800000001",
          now="2026-04-10T01:00:00")
    assert false_losses(lc) == found


def test_a_lost_customer_whose_new_card_is_made_as_the_window_opens(lc, tmp_path):
    lost_long_ago(lc, tmp_path)
    lc.ok("add", "张三", "--phone", "13800000001", "--grade", "B", now="2026-04-10T00:00:00")
    assert false_losses(lc) == [("A00001", "2026-04-10T00:00:00+08:00", "10 天后新建卡片")]


def test_a_lost_customer_who_orders_on_another_card_as_the_window_opens(lc, tmp_path):
    lc.ok("add", "李四", "--phone", "13900000002", "--grade", "B", "--model", "凯美瑞", now="2026-03-01T09:00:00")
    lost_long_ago(lc, tmp_path)
    same_phone(lc, 1, phone="13800000001")  # a second card on the phone, older than the loss
    lc.ok("win", "李四", now="2026-04-10T00:00:00")
    assert false_losses(lc) == [("A00002", "2026-04-10T00:00:00+08:00", "10 天后订车成交")]


@pytest.mark.parametrize("how", ["card", "visit", "order"])
def test_a_lost_customers_comeback_recorded_at_the_very_second_audited_is_read(lc, tmp_path, how):
    """The loss approved the day before the window opens, the customer back nine days into it."""
    if how == "order":
        lc.ok("add", "李四", "--phone", "13900000002", "--grade", "B", "--model", "凯美瑞", now="2026-03-01T09:00:00")
    lost_long_ago(lc, tmp_path, "2026-04-09T10:00:00")
    if how == "order":
        same_phone(lc, 1, phone="13800000001")
        lc.ok("win", "李四", now="2026-04-19T10:00:00")
    elif how == "card":
        lc.ok("add", "张三", "--phone", "13800000001", "--grade", "B", now="2026-04-19T10:00:00")
    else:
        lc.ok("visit", "add", "--at", "2026-04-19 09:00", "--left", "2026-04-19 09:30", "--phone", "13800000001",
              now="2026-04-19T10:00:00")
    assert false_losses(lc, now="2026-04-19T09:59:59") == []
    assert [ref for ref, _, _ in false_losses(lc, now="2026-04-19T10:00:00")] == [
        "A00002" if how == "order" else "A00001"]


# -- records written under a set clock, by the moment audited ----------------------------------------------


def test_a_record_written_under_a_set_clock_at_the_very_second_audited_is_named(lc):
    bound_floor(lc)
    for n, name in enumerate(("刘先生", "周女士", "吴先生", "郑女士")):
        lc.ok("add", name, "--phone", f"1380013800{n}", user="王芳", env=REAL_CLOCK)
    ahead = {"user": "赵经理", "now": f"{tomorrow_at_ten():%Y-%m-%dT%H:%M:%S}"}
    lc.ok("grade", "刘先生", "H", "--reason", "周末订车", **ahead)
    lc.ok("comment", "周女士", "周六约试驾", **ahead)
    lc.ok("lose", "吴先生", "--reason", "price", "--competitor", "本田雅阁", **ahead)
    lc.ok("log", "郑女士", "--channel", "phone", "--content", "电话确认预算与车型", **ahead)
    for card_id, table in enumerate(("grade_changes", "instructions", "card_events", "followups"), start=1):
        at = written(lc, table, card_id).astimezone(SHANGHAI)
        named = [[f["ref"] for f in findings(lc, "clock-override", user="赵经理", now=f"{moment:%Y-%m-%dT%H:%M:%S}")]
                 for moment in (at - timedelta(seconds=1), at)]
        assert (f"A0000{card_id}" in named[0], f"A0000{card_id}" in named[1]) == (False, True), table


# -- 跟进及时率: the first follow-up within the first-call limit ------------------------------------------------


def timeliness(lc, *args, now) -> tuple[int, int]:
    """Cards followed up in time, out of those the rate counts."""
    found = lc.json("audit", *args, now=now)["summary"]
    return found["timely"], found["timeliness_base"]


@pytest.mark.parametrize("first, counted", [("2026-05-02T10:00:00", (2, 2)), ("2026-05-02T10:00:01", (1, 2))],
                         ids=["exactly-24-hours-after", "a-second-later"])
def test_a_first_follow_up_exactly_24_hours_after_the_card_is_timely_and_a_second_later_is_not(lc, first, counted):
    new_card(lc)
    new_card(lc, "李四", "13900139000")
    lc.ok("log", "张三", "--channel", "phone", "--content", "确认预算 20 万，对比雅阁", now=first)
    lc.ok("log", "李四", "--channel", "phone", "--content", "确认预算 20 万，对比雅阁", now="2026-05-01T15:00:00")
    assert timeliness(lc, now="2026-05-03T10:00:00") == counted


def test_a_card_not_yet_followed_up_counts_against_the_rate_only_once_its_24_hours_have_passed(lc):
    new_card(lc)
    new_card(lc, "李四", "13900139000")
    assert timeliness(lc, now="2026-05-02T10:00:00") == (0, 0)
    assert timeliness(lc, now="2026-05-02T10:00:01") == (0, 2)


@pytest.mark.parametrize("made, counted", [("2026-04-10T00:00:00", (0, 1)), ("2026-04-09T23:59:59", (0, 0))],
                         ids=["as-the-window-opens", "a-second-before"])
def test_the_rate_counts_the_cards_made_from_the_windows_first_second(lc, made, counted):
    new_card(lc, made=made)
    assert timeliness(lc, "--since", "2026-04-10", now="2026-04-20T10:00:00") == counted


# -- the store's word lists ---------------------------------------------------------------------------------


def test_a_store_without_vague_words_still_finds_a_record_too_short_to_say_anything(lc, tmp_path):
    policy(lc, tmp_path, "[audit.vague-record]\nvague_contents = []\n")
    kept_card(lc)
    lc.ok("log", "张三", "--channel", "phone", "--content", "在考虑", "--next", "2026-05-05", *GOOD,
          now="2026-05-02T10:00:00")
    assert one(lc, "vague-record", now="2026-05-02T11:00:00")["message"] == (
        "第 3 次（05-02）：内容只有「在考虑」；跟踪方案与第 2 次相同")


# -- a card closed without dated events (a store kept before imports wrote them) ---------------------------


def test_a_card_closed_without_events_stands_as_its_stored_status_says_from_its_status_time(lc):
    new_card(lc)
    with database(lc.db) as db:
        db.execute("UPDATE cards SET status = 'lost', status_at = '2026-05-02T02:00:00Z' WHERE id = 1")
    assert [f["message"] for f in findings(lc, "lost-without-reason", now="2026-05-03T10:00:00")] == [
        "战败申请没有写原因（05-02 申请）"]
    assert findings(lc, "lost-without-reason", "--date", "2026-05-01", now="2026-05-03T10:00:00") == []


def test_a_store_whose_cards_sleep_at_once_finds_a_hot_card_asleep_the_moment_it_is_made(lc, tmp_path):
    policy(lc, tmp_path, "dormant_after_months = 0\n")
    new_card(lc, grade="H", made="2026-05-01T10:00:00")
    assert one(lc, "neglected-to-dormant", now="2026-05-01T10:00:00")["at"] == "2026-05-01T10:00:00+08:00"


# -- the window's first second --------------------------------------------------------------------------


@pytest.mark.parametrize("made, found", [("2026-04-09T21:00:00", ["2026-04-10T00:00:00+08:00"]),
                                         ("2026-04-09T20:59:59", [])], ids=["late-as-it-opens", "a-second-before"])
def test_a_thank_you_owed_from_the_windows_first_second_and_sent_late_is_in_the_window(lc, made, found):
    new_card(lc, made=made)
    lc.ok("log", "张三", "--channel", "wechat", "--content", "感谢到店，发送配置表", now="2026-04-10T01:00:00")
    assert [f["at"] for f in findings(lc, "first-touch-late", "--since", "2026-04-10", now="2026-04-20T10:00:00")] == (
        found)


def test_the_follow_ups_counted_are_those_from_the_windows_first_second(lc):
    new_card(lc, made="2026-04-01T10:00:00")
    for at in ("2026-04-09T23:59:59", "2026-04-10T00:00:00"):
        lc.ok("log", "张三", "--channel", "wechat", "--content", "节日问候，发送新车型资料", now=at)
    assert lc.json("audit", "--since", "2026-04-10", now="2026-04-20T10:00:00")["summary"]["followups"] == 1


def test_an_audit_of_tomorrow_is_refused_with_the_day_named(lc):
    result = lc("audit", "--date", "2026-05-04", now="2026-05-03T23:59:59")
    assert (result.exit_code, result.stderr) == (2, "leadcard: 不能稽核 2026-05-04：这一天还没到\n")


def test_a_window_opening_after_the_day_audited_is_refused_with_both_days_named(lc):
    result = lc("audit", "--date", "2026-05-02", "--since", "2026-05-03", now="2026-05-03T10:00:00")
    assert (result.exit_code, result.stderr) == (2, "leadcard: --since 2026-05-03 晚于稽核的日期（2026-05-02）\n")


def test_a_card_closed_without_events_is_closed_from_the_very_second_of_its_status_time(lc):
    new_card(lc)
    with database(lc.db) as db:
        db.execute("UPDATE cards SET status = 'lost', status_at = '2026-05-02T02:00:00Z' WHERE id = 1")
    assert findings(lc, "lost-without-reason", now="2026-05-02T09:59:59") == []
    assert one(lc, "lost-without-reason", now="2026-05-02T10:00:00")["message"] == "战败申请没有写原因（05-02 申请）"


def test_the_call_in_which_the_customer_ordered_is_judged_as_a_sales_contact(lc):
    new_card(lc)
    lc.ok("log", "张三", "--channel", "phone", "--content", "订了", now="2026-05-03T16:00:00")
    lc.ok("win", "张三", now="2026-05-03T16:00:00")
    assert one(lc, "vague-record", now="2026-05-03T17:00:00")["message"] == "第 1 次（05-03）：内容只有「订了」"


@pytest.mark.parametrize("delivered, counted", [("2026-03-08T00:00:00", 1), ("2026-03-07T23:59:59", 0)],
                         ids=["visits-and-grace-run-into-the-window", "over-a-second-before"])
def test_two_days_of_grace_for_the_visits_keep_a_delivery_audited_two_days_longer(lc, tmp_path, delivered, counted):
    assert audited_after_delivery(lc, tmp_path, "[audit.after-delivery-late]\ngrace_days = 2\n", delivered) == counted


@pytest.mark.parametrize("delivered, counted", [("2026-04-09T00:00:00", 1), ("2026-04-08T23:59:59", 0)],
                         ids=["a-day-before-the-window", "a-second-more"])
def test_a_store_without_visits_after_delivery_audits_a_delivered_card_a_day_after(lc, tmp_path, delivered, counted):
    assert audited_after_delivery(lc, tmp_path, "after_delivery_days = []\n", delivered) == counted


def audited_after_delivery(lc, tmp_path, store_policy: str, delivered: str) -> int:
    """The cards an audit from 10 April counts, under the policy, of one won on 2 March and delivered then."""
    policy(lc, tmp_path, store_policy)
    new_card(lc, made="2026-03-01T10:00:00")
    lc.ok("win", "张三", now="2026-03-02T10:00:00")
    lc.ok("deliver", "张三", now=delivered)
    return summary(lc, "--since", "2026-04-10", now="2026-04-20T10:00:00")[0]


# -- a thousand cards -------------------------------------------------------------------------------------


def test_an_audit_of_a_thousand_cards_off_a_terminal_checks_them_all_without_a_word_on_stderr(lc):
    lc.ok("demo", "--cards", "1000")
    audited = lc("audit", "--since", "2025-01-01", "--json", user="赵经理")
    assert (audited.exit_code, audited.stderr) == (0, "")
    assert audited.json()["summary"]["cards"] == 1000


# -- the records read only for the rules that need them -------------------------------------------------------


def test_a_quote_lapsed_is_read_when_its_rule_runs_alone(lc):
    new_card(lc, made="2026-05-02T10:00:00")
    lc.ok("quote", "张三", "--price", "199800", "--valid-until", "2026-05-10", now="2026-05-03T10:00:00")
    assert [f["actual"] for f in findings(lc, "quote-expired", now="2026-05-11T00:00:00")] == ["过期 1 天未联系"]


# -- each owner's summary ------------------------------------------------------------------------------------


def test_a_consultants_summary_counts_every_card_of_hers_and_every_follow_up(lc):
    sales_floor(lc)
    for name, phone in (("张三", "13800138000"), ("李四", "13900139000")):
        new_card(lc, name, phone, "A", "2026-05-01T10:00:00", "--owner", "王芳")
        lc.ok("log", name, "--channel", "wechat", "--content", "感谢到店，发送配置表", user="王芳", now="2026-05-01T10:20:00")
    lc.ok("log", "李四", "--channel", "phone", "--content", "确认预算 20 万，对比雅阁", user="王芳", now="2026-05-01T15:00:00")
    [hers] = [s for s in lc.json("audit", now="2026-05-03T10:00:00")["summary"]["by_owner"] if s["owner"] == "王芳"]
    assert (hers["cards"], hers["followups"]) == (2, 3)


def test_a_loss_asked_before_the_window_and_approved_in_it_is_audited_without_the_false_loss_rule(lc):
    new_card(lc, made="2026-03-01T10:00:00")
    lc.ok("lose", "张三", "--reason", "推迟购买", now="2026-04-05T10:00:00")
    lc.ok("approve", "张三", now="2026-04-12T10:00:00")
    assert summary(lc, "--rule", "first-touch-late", "--since", "2026-04-10", now="2026-04-20T10:00:00") == (0, 0)


def test_each_owners_findings_are_counted_by_rule_and_severity_even_for_one_without_cards(lc):
    sales_floor(lc)
    for name, phone in (("张三", "13800138000"), ("李四", "13900139000")):
        lc.ok("add", name, "--phone", phone, "--owner", "王芳", now="2026-05-03T09:00:00")
    visit(lc, "13700137000", user="李强")
    found = lc.json("audit", "--rule", "incomplete-card", "--rule", "visit-without-card", now="2026-05-03T11:00:00")
    owners = {s["owner"]: (s["cards"], s["by_rule"], s["by_severity"]) for s in found["summary"]["by_owner"]}
    assert owners == {"王芳": (2, {"incomplete-card": 2}, {"info": 2, "warning": 0, "error": 0}),
                      "李强": (0, {"visit-without-card": 1}, {"info": 0, "warning": 1, "error": 0})}


def test_findings_and_summaries_are_listed_by_owner_with_the_cards_of_nobody_last(lc):
    sales_floor(lc)
    for name, phone, owner in (("张三", "13800138000", "王芳"), ("李四", "13900139000", "王芳"),
                               ("赵五", "13600136000", "李强"), ("钱六", "13500135000", "李强")):
        lc.ok("add", name, "--phone", phone, "--owner", owner, now="2026-05-03T09:00:00")
    with database(lc.db) as db:  # a card nobody owns
        db.execute("UPDATE cards SET owner_id = NULL WHERE id = 4")
    for name, owner in (("张三", "王芳"), ("赵五", "李强")):
        lc.ok("log", name, "--channel", "wechat", "--content", "感谢到店，发送配置表", user=owner, now="2026-05-03T09:10:00")
    visit(lc, "13700137000", user="李强")
    found = lc.json("audit", "--rule", "incomplete-card", "--rule", "visit-without-card", now="2026-05-03T11:00:00")
    assert [(f["owner"], f["ref"]) for f in found["findings"]] == [
        ("李强", "来店#1"), ("李强", "A00003"), ("王芳", "A00001"), ("王芳", "A00002"), (None, "A00004")]
    assert [(s["owner"], s["cards"], s["followups"]) for s in found["summary"]["by_owner"]] == [
        ("李强", 1, 1), ("王芳", 2, 1), (None, 1, 0)]
    total = found["summary"]
    assert (total["cards"], total["followups"], total["findings"], total["timely"], total["timeliness_base"]) == (
        4, 2, 5, 2, 2)
    assert (total["by_rule"], total["by_severity"]) == (
        {"incomplete-card": 4, "visit-without-card": 1}, {"info": 4, "warning": 1, "error": 0})
