"""The audit's edges the mutants of leadcard/domain/audit.py and leadcard/store/audit.py still showed after
test_audit_edges3: how long a record may be and still be read word by word, and the count of cards the
audit tells a terminal as it goes; what the store reads only for the rules that need it, a correction, a
loss stored on a card closed without events, the query plans the index tests guard, an order the deal's
reopening ended, who held a card at a past moment, a card stored as won or delivered without events, a
call written in later with an earlier time, and a grade held again once the regrade between was
withdrawn, an audit of a consultant the reader may not see, and who signs once a team's supervisor
and the first manager have left, a grade held from the regrade that gave it, and a card restored without
its grade history or its status time; the follow-ups before the window, which overdue and
plan-beyond-cadence pass over, and the plan of a card's very first follow-up. And one the
reports' store left (leadcard/store/report_events.py): the after-delivery visits of more cards than one
query asks about.

As in test_audit_edges, each boundary exactly at its limit and one past it.
"""

import json
import os
from datetime import datetime, timedelta

import pytest

from conftest import database, empty_store, on_a_terminal, sales_floor, sqlite_only
from leadcard.store import Scope, Store
from leadcard.store.audit import plans
from test_audit import good_card
from test_audit_edges import kept_card, new_card, policy, told, vague
from test_audit_edges2 import SHANGHAI, ordered_in_a_call
from test_audit_edges3 import same_phone
from test_audit_floor import GOOD, findings, one
from test_lifecycle import team
from test_report_edges import add, log, ratio, weekly

# -- how long a one-word record can be ----------------------------------------------------------------------


@pytest.mark.parametrize("store, limit", [
    # The default words' longest has 8 characters: 2 × 8 + 8.
    ("", 24),
    # A store's own word of 10 characters, longer than the 5 a record needs: 2 × 10 + 8.
    ('[audit.vague-record]\nvague_contents = ["客户说回去再商量一下"]\n', 28),
], ids=["default-words", "a-stores-longer-word"])
def test_one_word_padded_to_twice_the_longest_word_and_8_more_is_read_and_one_character_more_is_not(
        lc, tmp_path, store, limit):
    if store:
        policy(lc, tmp_path, store)
    kept_card(lc)
    plan = ("--bottleneck", "预算紧张", "--next", "2026-05-09")
    at_limit = "电话" + "。" * (limit - 2)
    past = "电话" + "。" * (limit - 1)
    assert vague(lc, "--content", at_limit, "--plan", "整理贷款方案", *plan, at="2026-05-02T10:00:00", seq=3) == (
        f"内容只有「{at_limit}」")
    # Longer text is taken to say something without being read: the audit's shortcut past the word lists.
    assert vague(lc, "--content", past, "--plan", "约夫妻同来试驾", *plan, at="2026-05-03T10:00:00",
                 seq=4) is None


# -- the count of cards checked, on a terminal ----------------------------------------------------------------


def audit_on_a_terminal(lc, now: str) -> str:
    """What an audit of every card since 2025 shows on stderr when that is a terminal."""
    return on_a_terminal(lc.db, "--as", "赵经理", "audit", "--since", "2025-01-01", "--json", stream="stderr",
                         env={"LEADCARD_NOW": now, "LEADCARD_TZ": "Asia/Shanghai"}, check=True)


@pytest.mark.skipif(os.name == "nt", reason="pseudo-terminals are POSIX")
def test_an_audit_tells_a_terminal_its_count_from_the_5000th_card_checked_and_not_at_the_4999th(lc):
    """The audit tells its count every 1,000 cards, and a bar is worth showing from 5,000 on: 4,999 cards
    show nothing, the 5,000th is counted as such."""
    lc.ok("demo", "--cards", "4999")
    lc.ok("add", "张三", "--phone", "19912345678", user="赵经理", now="2026-05-03T10:00:01")
    cards = [lc.json("audit", "--since", "2025-01-01", user="赵经理", now=now)["summary"]["cards"]
             for now in ("2026-05-03T10:00:00", "2026-05-03T10:00:01")]
    assert cards == [4999, 5000]
    assert "审计" not in audit_on_a_terminal(lc, "2026-05-03T10:00:00")
    shown = audit_on_a_terminal(lc, "2026-05-03T10:00:01")
    assert "审计" in shown and "5000/" in shown


# -- a thousand deliveries of one day: their visits asked about 500 cards a query (store/report_events.py) -----


def cloned(lc, cards: int) -> None:
    """Card 1 copied, with its events, into cards 2 … `cards` (named c2 …): making each by the
    commands would take minutes."""
    with database(lc.db) as db:
        for n in range(2, cards + 1):
            db.execute(f"INSERT INTO cards (id, created_at, recorded_at, source, owner_id, name, phone, model, grade, "
                       f"status, status_at, outcome) SELECT {n}, created_at, recorded_at, source, owner_id, 'c{n}', "
                       f"'1390000{n:04d}', model, grade, status, status_at, outcome FROM cards WHERE id = 1")
            db.execute(f"INSERT INTO card_events (card_id, at, kind, by_id, detail) "
                       f"SELECT {n}, at, kind, by_id, detail FROM card_events WHERE card_id = 1 ORDER BY id")


def test_the_visits_of_a_thousand_cards_delivered_on_one_day_are_all_asked_about_past_500_a_query(lc):
    """1,000 cars delivered on Monday 16 November: each has its day-1 and day-3 visits due in W47. The
    500th card ends the first query's batch, the 501st opens the second, the 1,000th ends it; each
    called the next day has its visit made."""
    add(lc, "c1", "13900000001", "2026-11-02 10:00", "--model", "凯美瑞")
    lc.ok("win", "c1", now="2026-11-03T10:00:00")
    lc.ok("deliver", "c1", now="2026-11-16T15:00:00")
    cloned(lc, 1000)
    for name in ("c500", "c501", "c1000"):
        log(lc, name, "2026-11-17 10:00", content="交车后第一天回访")
    report = weekly(lc)
    assert (report["totals"]["deliveries"], report["kpis"]["after_delivery"]) == (1000, ratio(3, 2000))


# -- what the store reads for the rules that run (store/audit.py) ------------------------------------------------


def test_cards_on_one_phone_are_no_finding_when_the_duplicate_phone_rule_does_not_run(lc):
    """The phones are looked up only for that rule: its conflicts are not told when it is left out."""
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "A", now="2026-05-01T10:00:00")
    lc.ok("add", "李四", "--phone", "13900139000", "--grade", "A", now="2026-05-02T11:00:00")
    same_phone(lc, 2)
    alone = findings(lc, "incomplete-card", now="2026-05-02T11:00:00")
    assert [(f["rule"], f["ref"]) for f in alone] == [("incomplete-card", "A00001"), ("incomplete-card", "A00002")]
    assert [f["ref"] for f in findings(lc, "duplicate-phone", now="2026-05-02T11:00:00")] == ["A00001", "A00002"]


def test_a_correction_typed_in_two_days_after_the_call_is_not_a_late_record(lc):
    """A correction (--corrects) keeps the call's time: only what was first recorded is judged late."""
    kept_card(lc)
    lc.ok("log", "张三", "--channel", "phone", "--content", "更正：确认预算 22 万，对比雅阁",
          "--corrects", "2", "--next", "2026-05-05 10:00", *GOOD, now="2026-05-03T10:00:00")
    assert findings(lc, "late-record", now="2026-05-03T10:00:00") == []


@pytest.mark.parametrize("outcome, found", [
    ('{"reason": "推迟购买", "note": "客户明年再换车"}', []),
    (None, ["战败申请没有写原因（05-02 申请）"]),
], ids=["its-reason-stored", "none-stored"])
def test_a_card_nobody_owns_closed_without_events_is_judged_by_its_stored_loss(lc, outcome, found):
    """A store kept before events were written: the loss's reason is in the card's stored outcome."""
    new_card(lc)
    with database(lc.db) as db:
        db.execute("UPDATE cards SET status = 'lost', status_at = '2026-05-02T02:00:00Z', outcome = "
                   + (f"'{outcome}'" if outcome else "NULL") + " WHERE id = 1")
    assert [f["message"] for f in findings(lc, "lost-without-reason", now="2026-05-02T10:00:00")] == found


@sqlite_only("SQLite's query plans (EXPLAIN QUERY PLAN)")
def test_the_plans_guarded_include_the_lost_customers_comebacks_looked_up_by_their_indexes(lc):
    """test_audit_plans reads `plans`: it must plan the cards' query as an audit with the false-loss rule
    runs it, whose comebacks (a card made, a visit, an order since the window) go through indexes too."""
    sales_floor(lc)
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "A", user="王芳")
    store = Store.open(lc.db, SHANGHAI)
    moment = datetime(2026, 5, 3, 21, tzinfo=SHANGHAI)
    found = plans(store, Scope(), moment, moment - timedelta(days=30), ("model",), moment - timedelta(days=62))
    store.close()
    for step in ("SEARCH cards USING INDEX cards_created (created_at>?)",
                 "SEARCH visits USING INDEX visits_arrived (arrived_at>?)",
                 "SEARCH o USING COVERING INDEX card_events_kind_at (kind=? AND at>? AND at<?)"):
        assert step in found["cards"], found["cards"]


# -- a store's [audit.RULE] tables refused in words -------------------------------------------------------------


FIX = "；改好政策文件后运行 leadcard init --policy-file 文件\n"


@pytest.mark.parametrize("table, refused", [
    ("[audit.nosuch]\nlimit = 1\n",
     "政策里的 [audit.nosuch] 不是稽核规则（规则有：first-touch-late, first-call-late, cadence-gap, no-next-date, "
     "overdue, vague-record, unsigned, stale-grade, gave-up-early, lost-without-reason, approval-pending, late-record, "
     "incomplete-card, duplicate-phone, handover-late, objection-unhandled, visit-without-card, false-loss, "
     "neglected-to-dormant, plan-beyond-cadence, plan-update-late, order-gap, after-delivery-late, quote-expired, "
     "purchase-plan-late, clock-override）"),
    ("[audit.unsigned]\nenabled = 1\n", "政策里 [audit.unsigned] 的 enabled 只能是 true 或 false"),
    ('[audit.unsigned]\nseverity = "fatal"\n', "政策里 [audit.unsigned] 的 severity 只能是 info、warning 或 error"),
    ("[audit.unsigned]\nnosuch = 1\n",
     "政策里 [audit.unsigned] 的 nosuch：没有这项设置（可设：enabled, severity, after_days）"),
    # The grades' own numbers, described by the rule, are set in the grades' table.
    ("[audit.cadence-gap]\ncadence_days = 3\n",
     "政策里 [audit.cadence-gap] 的 cadence_days：没有这项设置（可设：enabled, severity, grace_days）"),
    ('[audit.vague-record]\nvague_contents = ["在考虑", 1]\n', "政策里 [audit.vague-record] 的 vague_contents 必须是一组词"),
    ("[audit.unsigned]\nafter_days = -1\n", "政策里 [audit.unsigned] 的 after_days 必须是不小于 0 的数"),
    # TOML's true is no number of days, nor is a number written as text.
    ("[audit.unsigned]\nafter_days = true\n", "政策里 [audit.unsigned] 的 after_days 必须是不小于 0 的数"),
    ('[audit.unsigned]\nafter_days = "3"\n', "政策里 [audit.unsigned] 的 after_days 必须是不小于 0 的数"),
    ("[audit.unsigned]\nafter_days = 8785\n", "政策里 [audit.unsigned] 的 after_days 不能大于 8784"),
    ('[audit.incomplete-card]\nfields = ["model", "nosuch"]\n',
     "政策里 [audit.incomplete-card] 的 fields：没有卡片栏目 nosuch（栏目有：gender, age, wechat, current_vehicle, "
     "occupation, residence, main_driver, payment, usage, best_call_time, household, income, model, colour, budget, "
     "purchase_type, concerns, competitors, liked, decision_maker, timeline, notes）"),
], ids=["not-a-rule", "enabled-not-a-bool", "no-such-severity", "no-such-setting", "a-grades-number",
        "words-not-all-text", "a-day-below-none", "a-bool-for-days", "text-for-days", "an-hour-past-a-year-of-hours",
        "no-such-field"])
def test_an_audit_table_that_names_no_rule_or_sets_a_limit_it_has_not_is_refused_naming_both(
        lc, tmp_path, table, refused):
    """Refused by `init`, which keeps the policy, before the audit ever reads it."""
    path = tmp_path / "store.toml"
    path.write_text(table, encoding="utf-8")
    result = lc("init", "--policy-file", str(path), now="2026-05-03T10:00:00")
    assert (result.exit_code, result.stderr) == (2, f"leadcard: {refused}{FIX}")


@pytest.mark.parametrize("limit", ["0", "8784"], ids=["none", "a-year-of-hours"])
def test_a_limit_of_nothing_or_of_a_leap_years_hours_is_taken(lc, tmp_path, limit):
    policy(lc, tmp_path, f"[audit.unsigned]\nafter_days = {limit}\n")
    result = lc("audit", now="2026-05-03T10:00:00")
    assert (result.exit_code, result.stderr) == (0, "")


@pytest.mark.parametrize("enabled, found", [("true", ["A00001"]), ("false", [])], ids=["on", "off"])
def test_a_rule_switched_on_in_so_many_words_runs_and_one_switched_off_does_not(lc, tmp_path, enabled, found):
    policy(lc, tmp_path, f"[audit.incomplete-card]\nenabled = {enabled}\n")
    lc.ok("add", "张三", "--phone", "13800138000", now="2026-05-03T10:00:00")
    assert [f["ref"] for f in findings(lc, "incomplete-card", now="2026-05-03T10:00:00")] == found


def test_a_rules_severity_set_by_the_store_is_the_findings(lc, tmp_path):
    policy(lc, tmp_path, '[audit.incomplete-card]\nseverity = "error"\n')
    lc.ok("add", "张三", "--phone", "13800138000", now="2026-05-03T10:00:00")
    assert [(f["ref"], f["severity"]) for f in findings(lc, "incomplete-card", now="2026-05-03T10:00:00")] == [
        ("A00001", "error")]


# -- a record changed at the audit's very moment --------------------------------------------------------------
# The audit reads the store as it stood at its moment, that moment included: a correction or a
# withdrawal written in the same second as the audit (a supervisor auditing right after a consultant
# fixed a record) already stands.

AT_ONCE = "2026-05-02T10:00:00"


def test_a_correction_written_at_the_audits_moment_already_replaces_what_it_corrects(lc):
    kept_card(lc)
    lc.ok("log", "张三", "--channel", "phone", "--content", "好的", "--plan", "整理贷款方案", "--bottleneck", "预算紧张",
          "--next", "2026-05-09", now="2026-05-02T09:00:00")
    assert [f["followup"] for f in findings(lc, "vague-record", now="2026-05-02T09:30:00")] == [3]
    lc.ok("log", "张三", "--corrects", "3", "--content", "确认贷款首付三成，太太同意周末来试驾", "--plan", "整理贷款方案",
          "--bottleneck", "预算紧张", "--next", "2026-05-09", now=AT_ONCE)
    assert findings(lc, "vague-record", now=AT_ONCE) == []


def test_a_withdrawal_written_at_the_audits_moment_already_leaves_its_record_out(lc):
    kept_card(lc)
    lc.ok("log", "张三", "--channel", "phone", "--content", "好的", now="2026-05-02T09:00:00")
    assert [f["followup"] for f in findings(lc, "vague-record", now="2026-05-02T09:30:00")] == [3]
    lc.ok("log", "张三", "--void", "3", "--reason", "记错卡片", now=AT_ONCE)
    assert findings(lc, "vague-record", now=AT_ONCE) == []


def test_a_regrade_withdrawn_at_the_audits_moment_no_longer_sets_the_cadence(lc):
    """Regraded to C (a contact every 30 days) at a follow-up, and planned 20 days ahead at the next:
    within C's cadence, beyond A's once the regrade is withdrawn."""
    kept_card(lc)
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户说明年再换车，先看看", "--grade", "C",
          "--next", "2026-05-20", *GOOD, now="2026-05-02T09:00:00")
    lc.ok("log", "张三", "--channel", "wechat", "--content", "发送明年新款的预告资料，客户表示感兴趣",
          "--next", "2026-05-22", *GOOD, now="2026-05-02T09:30:00")
    assert findings(lc, "plan-beyond-cadence", now="2026-05-02T09:45:00") == []
    lc.ok("log", "张三", "--void", "3", "--reason", "记错卡片", now=AT_ONCE)
    assert [f["followup"] for f in findings(lc, "plan-beyond-cadence", now=AT_ONCE)] == [4]


# -- the card as it stood at the moment audited ---------------------------------------------------------------


def test_an_order_the_supervisor_reopens_is_judged_up_to_the_reopening_and_not_after(lc):
    """刘先生 orders on 3 May and hears nothing; on the 13th 钱主管 reopens the deal. The ten days
    without news while the order stood are a gap; the days after, on an open card, are the sales rules'."""
    ordered_in_a_call(lc)
    lc.ok("reopen", "刘先生", "--note", "客户资金未到位，订单作废", user="钱主管", now="2026-05-13T09:00:00")
    assert told(one(lc, "order-gap", user="钱主管", now="2026-05-30T09:00:00")) == (
        "2026-05-10T16:00:00+08:00", None, "订车（05-03）到重新打开（05-13）相隔 10 天没有联系客户（订车后每 7 天告知车辆进度）",
        "≤ 7 天", "10 天")


def test_a_past_days_findings_name_who_held_the_card_then_though_other_events_came_before_its_reassignment(lc):
    """王芳's card, vaguely recorded on the 4th; on the 6th she marks it invalid and takes that back,
    and on the 7th 钱主管 hands it to 李强. The audit of the 5th blames 王芳, who held it then."""
    team(lc)
    lc.ok("log", "刘先生", "--channel", "phone", "--content", "好", "--next", "2026-05-06", user="王芳",
          now="2026-05-04T10:00:00")
    lc.ok("invalid", "刘先生", "--reason", "空号", user="王芳", now="2026-05-06T10:00:00")
    lc.ok("reopen", "刘先生", user="王芳", now="2026-05-06T10:05:00")
    lc.ok("assign", "刘先生", "李强", user="钱主管", now="2026-05-07T10:00:00")
    vague_then = findings(lc, "vague-record", "--date", "2026-05-05", user="钱主管", now="2026-05-20T09:00:00")
    assert [(f["ref"], f["owner"], f["followup"]) for f in vague_then] == [("A00001", "王芳", 2)]
    vague_now = findings(lc, "vague-record", user="钱主管", now="2026-05-20T09:00:00")
    assert [(f["ref"], f["owner"], f["followup"]) for f in vague_now] == [("A00001", "李强", 2)]


def closed_without_events(lc, status: str) -> None:
    """张三's card, kept by the book on 1 May and called on the 3rd with one word, stored as won or
    delivered on the 2nd at 10:00 without the events (a store kept before they were written)."""
    kept_card(lc)
    lc.ok("log", "张三", "--channel", "phone", "--content", "好", "--next", "2026-05-06", now="2026-05-03T10:00:00")
    with database(lc.db) as db:
        db.execute(f"UPDATE cards SET status = '{status}', status_at = '2026-05-02T02:00:00Z' WHERE id = 1")


def test_a_card_stored_as_won_without_events_is_judged_by_the_sales_rules_up_to_its_win_only(lc):
    closed_without_events(lc, "won")
    # The call after the win is the order's: not a sales record to judge.
    assert findings(lc, "vague-record", now="2026-05-04T10:00:00") == []
    # Nor is an order from before orders were kept judged for news of the car (17 days without by the 20th).
    assert findings(lc, "order-gap", now="2026-05-20T10:00:00") == []


def test_a_car_stored_as_delivered_without_events_is_to_be_handed_over_from_its_stored_time(lc):
    """Delivered on Saturday 2 May at 10:00, inside the May Day holiday (1–5 May): handed over by the end
    of Wednesday the 6th, the first working day after it."""
    closed_without_events(lc, "delivered")
    assert findings(lc, "handover-late", now="2026-05-06T23:59:59") == []
    assert told(one(lc, "handover-late", now="2026-05-07T00:00:00")) == (
        "2026-05-06T23:59:59+08:00", None, "交车（05-02）后还没有交接售后，已过时限（1 个工作日：05-06 当天）",
        "≤ 1 个工作日", "2 个工作日")
    # Its visits after delivery were not asked of a car delivered before orders were kept.
    assert findings(lc, "after-delivery-late", now="2026-05-20T10:00:00") == []


def test_a_call_written_in_later_with_an_earlier_time_is_judged_in_its_place_in_time(lc):
    """The 4th call, written on the 12th for the 4th, comes between the 2nd (1 May) and the 3rd (12 May)."""
    kept_card(lc, next_at="2026-05-03 10:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "确认周末来店试驾，带太太一起", "--next", "2026-05-20",
          *GOOD, now="2026-05-12T10:00:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "电话沟通预算与贷款方案，客户倾向首付三成",
          "--at", "2026-05-04 10:00", "--next", "2026-05-08", *GOOD, now="2026-05-12T11:00:00")
    assert [told(f) for f in findings(lc, "cadence-gap", now="2026-05-13T10:00:00")] == [
        ("2026-05-11T10:00:00+08:00", 3, "第 4 次（05-04）到第 3 次（05-12）相隔 8 天（A 级每 7 天联系一次）", "≤ 7 天", "8 天")]
    assert [told(f) for f in findings(lc, "overdue", now="2026-05-13T10:00:00")] == [
        ("2026-05-04T00:00:00+08:00", 4, "第 2 次约定 2026-05-03 回访，第 4 次到 2026-05-04 才联系（晚 1 天）",
         "2026-05-03", "2026-05-04")]


def test_a_grade_held_again_once_the_regrade_between_is_withdrawn_is_held_since_it_was_first_given(lc):
    """A from 1 May; H on the 2nd, A again on the 3rd; the call that made it H withdrawn: A since 1 May,
    held its 30 days on the 31st and one day more on 1 June."""
    new_card(lc)
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户说本周内就订车，约周六来店", "--grade", "H",
          "--next", "2026-05-03", now="2026-05-02T10:00:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户改口，要等月底发奖金再定", "--grade", "A",
          "--next", "2026-05-09", now="2026-05-03T10:00:00")
    lc.ok("log", "张三", "--void", "1", "--reason", "记错卡片", now="2026-05-03T11:00:00")
    assert findings(lc, "stale-grade", now="2026-05-31T23:59:00") == []
    assert told(one(lc, "stale-grade", now="2026-06-01T00:00:00")) == (
        "2026-05-31T10:00:00+08:00", None, "A 级（1 个月内购车）自 05-01 已保持 31 天未成交（应在 30 天内购车），请重新判断级别",
        "≤ 30 天", "31 天")


def test_a_grade_given_at_a_regrade_is_held_from_the_regrade_not_from_the_cards_making(lc):
    """Made B on 1 May, regraded A on the 10th: A held its 30 days on 9 June, one day more on the 10th."""
    new_card(lc, grade="B")
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户说下个月就订，约周末试驾", "--grade", "A",
          "--next", "2026-05-16", now="2026-05-10T10:00:00")
    assert findings(lc, "stale-grade", now="2026-06-09T23:59:00") == []
    assert told(one(lc, "stale-grade", now="2026-06-10T00:00:00")) == (
        "2026-06-09T10:00:00+08:00", None, "A 级（1 个月内购车）自 05-10 已保持 31 天未成交（应在 30 天内购车），请重新判断级别",
        "≤ 30 天", "31 天")


def test_a_card_without_a_grade_history_holds_its_stored_grade_from_its_making(lc, tmp_path):
    """A card restored from a file that carries no grade changes for it (a store's history kept
    elsewhere): A, as stored, since it was made on 1 May — held its 30 days on the 31st and one day
    more on 1 June."""
    new_card(lc)
    lc.ok("export", "--format", "json", "--output", str(tmp_path / "all.json"))
    document = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    document["store"]["tables"]["grade_changes"]["rows"] = []
    (tmp_path / "all.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    restored = empty_store(tmp_path / "restored.db")
    restored.ok("import", str(tmp_path / "all.json"))
    assert findings(restored, "stale-grade", now="2026-05-31T23:59:00") == []
    assert told(one(restored, "stale-grade", now="2026-06-01T00:00:00")) == (
        "2026-05-31T10:00:00+08:00", None, "A 级（1 个月内购车）自 05-01 已保持 31 天未成交（应在 30 天内购车），请重新判断级别",
        "≤ 30 天", "31 天")


def test_a_card_restored_without_its_status_time_is_audited_as_any_open_card(lc, tmp_path):
    """A file may carry a card with no time for its status (the store allows it): the open card is
    read all the same, and its first call, due 24 hours after its making, is late a minute after."""
    new_card(lc)
    lc.ok("export", "--format", "json", "--output", str(tmp_path / "all.json"))
    document = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    cards = document["store"]["tables"]["cards"]
    at = cards["columns"].index("status_at")
    for row in cards["rows"]:
        row[at] = None
    (tmp_path / "all.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    restored = empty_store(tmp_path / "restored.db")
    restored.ok("import", str(tmp_path / "all.json"))
    assert findings(restored, "first-call-late", now="2026-05-02T10:00:00") == []
    assert one(restored, "first-call-late", now="2026-05-02T10:01:00")["ref"] == "A00001"


def test_an_audit_of_a_consultant_the_reader_may_not_see_is_refused_naming_both(lc):
    sales_floor(lc)
    refused = lc("audit", "--owner", "李强", user="王芳")
    assert (refused.exit_code, refused.stderr, refused.stdout) == (1, "leadcard: 王芳 看不到 李强 的卡片\n", "")


def test_with_the_teams_supervisor_and_the_first_manager_gone_the_manager_still_active_signs(lc):
    """王芳's follow-ups wait for an instruction; 钱主管 (her supervisor) and 赵经理 have left: 孙总,
    the manager still here, is who must sign — never a colleague, nor someone who has left."""
    sales_floor(lc, ("孙总", "manager", ""))
    lc.user = "王芳"
    good_card(lc)
    for name in ("钱主管", "赵经理"):
        lc.ok("user", "deactivate", name, user="孙总")
    assert one(lc, "unsigned", user="孙总", now="2026-05-04T10:00:00")["owner"] == "孙总"


# -- the contacts before the window: passed over by the rules that could only tell them before it ---------------


def test_a_plan_beyond_the_cadence_made_at_the_windows_first_instant_is_told_and_one_a_second_before_is_not(lc):
    """A (a contact every 7 days): both follow-ups plan 10 days ahead; only the one made inside the window
    (--since 10 May, from its midnight) is told."""
    kept_card(lc)
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户出差，回来再约试驾", "--next", "2026-05-19", *GOOD,
          now="2026-05-09T23:59:59")
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户出差延期，再约试驾", "--next", "2026-05-20", *GOOD,
          now="2026-05-10T00:00:00")
    found = findings(lc, "plan-beyond-cadence", "--since", "2026-05-10", now="2026-05-10T01:00:00")
    assert [(f["followup"], f["at"]) for f in found] == [(4, "2026-05-10T00:00:00+08:00")]


def test_plans_made_before_the_window_are_judged_by_the_contacts_inside_it_that_came_after_them(lc):
    """Two plans made before the window (--since 10 May), each missed: the first (5 May, the contact on
    the 6th) is not told, the second (9 May) is, by its contact inside the window (missed from 10 May, the
    window's first day); audited from April, both, the first told."""
    kept_card(lc)  # its plan: 5 May
    lc.ok("log", "张三", "--channel", "phone", "--content", "确认太太周末有空，约试驾", "--next", "2026-05-09", *GOOD,
          now="2026-05-06T10:00:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "试驾后客户要对比报价", "--next", "2026-05-14", *GOOD,
          now="2026-05-12T10:00:00")
    found = findings(lc, "overdue", "--since", "2026-05-10", now="2026-05-12T11:00:00")
    assert [(f["followup"], f["at"], f["actual"], f.get("count")) for f in found] == [
        (4, "2026-05-10T00:00:00+08:00", "2026-05-12", None)]
    assert [(f["followup"], f["actual"], f.get("count")) for f in findings(lc, "overdue", now="2026-05-12T11:00:00")] == [
        (3, "2026-05-06", 2)]


def test_the_plan_of_a_cards_very_first_follow_up_is_watched_too(lc):
    """The first contact is the call (no thank-you written), its date the 3rd: missed the next morning."""
    new_card(lc)
    lc.ok("log", "张三", "--channel", "phone", "--content", "确认预算 20 万，对比雅阁，太太是决策人", "--next", "2026-05-03",
          *GOOD, now="2026-05-01T15:00:00")
    assert [(f["followup"], f["actual"]) for f in findings(lc, "overdue", now="2026-05-04T10:00:00")] == [(1, "过期 1 天")]


def test_a_plan_kept_past_its_grace_was_missed_from_the_day_after_the_grace(lc, tmp_path):
    """A day of grace: the plan of 5 May, kept on the 8th, was missed from the 7th (as a plan never kept)."""
    policy(lc, tmp_path, "[audit.overdue]\ngrace_days = 1\n")
    kept_card(lc)
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户出差回来，约周末试驾", "--next", "2026-05-12", *GOOD,
          now="2026-05-08T10:00:00")
    found = one(lc, "overdue", now="2026-05-08T11:00:00")
    assert (found["at"], found["actual"]) == ("2026-05-07T00:00:00+08:00", "2026-05-08")
