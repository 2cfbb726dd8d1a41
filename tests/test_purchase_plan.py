"""purchase-plan-late: a key customer (重点客户, the scheme's hottest grade) is given a written
purchase plan — a quote — within two days of being judged one (the dealer group's regulation:
重点客户需在2天内出具《购车方案对比表》)."""

import pytest

from conftest import sales_floor, sqlite_only

MADE = "2026-05-04T10:00:00"


@pytest.fixture
def floor(lc):
    """王芳's 张三 (A00001), judged H at its making on 4 May 10:00."""
    sales_floor(lc)
    lc.ok("add", "张三", "--phone", "13800138000", "--model", "凯美瑞", "--grade", "H", "--owner", "王芳", now=MADE)
    lc.user = "王芳"
    return lc


def found(lc, now, *args):
    return lc.json("audit", "--rule", "purchase-plan-late", *args, user="赵经理", now=now)["findings"]


def quote(lc, now, ref="张三"):
    lc.ok("quote", ref, "--price", "199800", "--discount", "2000", now=now)


def test_a_key_customer_without_a_quote_is_found_once_the_two_days_have_passed(floor):
    assert found(floor, "2026-05-06T10:00:00") == []  # the deadline itself: still in time
    [finding] = found(floor, "2026-05-06T10:00:01")
    assert (finding["ref"], finding["owner"], finding["severity"], finding["at"]) == (
        "A00001", "王芳", "warning", "2026-05-06T10:00:00+08:00")
    assert finding["message"] == "05-04 判为 H 级（重点客户），已 48小时0分1秒，还没有书面购车方案（报价），时限 2 天"
    assert (finding["expected"], finding["actual"]) == ("2 天内给出书面购车方案（报价）", "48小时0分1秒未报价")
    [later] = found(floor, "2026-05-09T10:00:00")
    assert later["message"] == "05-04 判为 H 级（重点客户），已 5天，还没有书面购车方案（报价），时限 2 天"
    # Still owed: told however long ago its deadline passed.
    assert len(found(floor, "2026-05-20T10:00:00", "--since", "2026-05-15")) == 1


def test_a_quote_at_the_deadline_is_in_time_and_a_minute_later_is_late(floor, lc):
    quote(floor, "2026-05-06T10:00:00")
    assert found(floor, "2026-05-20T10:00:00") == []
    sales = lc  # the same store: a second customer quoted a minute past its two days
    sales.ok("add", "李四", "--phone", "13900139000", "--grade", "H", "--owner", "王芳", now=MADE)
    quote(sales, "2026-05-06T10:01:00", "李四")
    [late] = found(sales, "2026-05-20T10:00:00")
    assert (late["ref"], late["expected"], late["actual"]) == ("A00002", "2 天内给出书面购车方案（报价）", "48小时1分")
    assert late["message"] == "05-04 判为 H 级（重点客户），48小时1分后才第一次报价（05-06），时限 2 天"
    assert found(sales, "2026-05-20T10:00:00", "--since", "2026-05-07") == []  # over, and before the window


def test_the_clock_starts_when_the_card_is_judged_key_and_a_quote_given_before_counts(lc):
    sales_floor(lc)
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "B", "--owner", "王芳", now=MADE)
    lc.ok("add", "李四", "--phone", "13900139000", "--grade", "B", "--owner", "王芳", now=MADE)
    quote(lc, "2026-05-04T11:00:00", "李四")  # a plan already in the customer's hands
    for ref in ("张三", "李四"):
        lc.ok("log", ref, "--channel", "phone", "--content", "下周就买，约周末签约", "--grade", "H", "--next",
              "2026-05-09", now="2026-05-07T10:00:00", user="王芳")
    assert found(lc, "2026-05-09T10:00:00") == []
    assert [f["ref"] for f in found(lc, "2026-05-09T10:00:01")] == ["A00001"]


@pytest.mark.parametrize("act", [
    ("grade", "张三", "A", "--reason", "客户说要等月底"),  # re-judged within the two days
    ("win", "张三", "--model", "凯美瑞"),  # ordered: the plan is moot
    ("lose", "张三", "--reason", "已在别处购买", "--competitor", "雅阁"),  # closed
])
@pytest.mark.parametrize("when", ["2026-05-05T18:00:00", "2026-05-06T10:00:00"], ids=["within", "at the deadline"])
def test_a_card_re_judged_ordered_or_closed_within_the_two_days_owes_no_plan(floor, act, when):
    floor.ok(*act, now=when)
    assert found(floor, "2026-05-20T10:00:00") == []


@pytest.mark.parametrize("excused", [
    [("grade", "张三", "A", "--reason", "客户说要等月底")],
    [("win", "张三", "--model", "凯美瑞"), ("cancel-order", "张三", "--reason", "资金周转"),
     ("grade", "张三", "B", "--reason", "资金要等半年")],
], ids=["re-judged", "ordered and cancelled"])
def test_each_time_the_customer_is_judged_key_again_the_plan_is_owed_again(floor, excused):
    for act in excused:
        floor.ok(*act, now="2026-05-05T18:00:00")
    floor.ok("log", "张三", "--channel", "phone", "--content", "又要买了，约周末看车", "--grade", "H", "--next",
             "2026-05-09", now="2026-05-08T10:00:00")
    assert found(floor, "2026-05-10T10:00:00") == []
    [finding] = found(floor, "2026-05-10T10:00:01")
    assert finding["message"].startswith("05-08 判为 H 级（重点客户）") and "count" not in finding


def test_a_move_between_other_grades_starts_no_clock_and_one_key_grade_to_another_none_either(lc, tmp_path):
    sales_floor(lc)
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "B", "--owner", "王芳", now=MADE)
    lc.ok("grade", "张三", "A", now="2026-05-05T10:00:00", user="王芳")
    lc.ok("grade", "张三", "H", now="2026-05-06T10:00:00", user="王芳")
    assert found(lc, "2026-05-08T10:00:00") == []  # two days from H, not from A
    assert len(found(lc, "2026-05-08T10:00:01")) == 1
    policy = tmp_path / "store.toml"
    policy.write_text('[audit.purchase-plan-late]\ngrades = ["H", "A"]\n', encoding="utf-8")
    lc.ok("init", "--policy-file", str(policy), user="赵经理")
    [finding] = found(lc, "2026-05-20T10:00:00")  # judged key once, on 5 May: A to H is no new judgement
    assert finding["message"].startswith("05-05 判为 A 级（重点客户）") and "count" not in finding


def test_every_judgement_answered_late_is_told(floor):
    floor.ok("grade", "张三", "A", "--reason", "客户说要等月底", now="2026-05-07T10:00:00")
    floor.ok("grade", "张三", "H", "--reason", "月底提前了", now="2026-05-08T10:00:00")
    quote(floor, "2026-05-11T10:00:00")
    [finding] = found(floor, "2026-05-20T10:00:00")
    assert finding["count"] == 2 and "后才第一次报价（05-11）" in finding["message"]


@pytest.mark.parametrize("judged, ordered", [("2026-05-05T10:00:00", "2026-05-05T10:00:00"),
                                             ("2026-05-05T10:00:00", "2026-05-07T10:00:00")],
                         ids=["the order at the judgement", "the order at the deadline"])
def test_an_order_from_the_judgement_through_the_deadline_excuses_the_plan_though_cancelled_since(lc, judged, ordered):
    sales_floor(lc)
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "B", "--owner", "王芳", now=MADE)
    lc.ok("grade", "张三", "H", now=judged, user="王芳")
    lc.ok("win", "张三", "--model", "凯美瑞", now=ordered, user="王芳")
    lc.ok("cancel-order", "张三", "--reason", "资金周转", now="2026-05-08T10:00:00", user="王芳")
    assert found(lc, "2026-05-20T10:00:00") == []


def test_an_order_cancelled_before_the_customer_was_judged_key_again_does_not_excuse_the_plan(lc):
    sales_floor(lc)
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "B", "--owner", "王芳", now=MADE)
    lc.ok("win", "张三", "--model", "凯美瑞", now="2026-05-05T10:00:00", user="王芳")
    lc.ok("cancel-order", "张三", "--reason", "资金周转", now="2026-05-06T10:00:00", user="王芳")
    lc.ok("log", "张三", "--channel", "phone", "--content", "资金到位，下周重新下订", "--grade", "H", "--next",
          "2026-05-08", now="2026-05-07T10:00:00", user="王芳")
    assert [f["ref"] for f in found(lc, "2026-05-09T10:00:01")] == ["A00001"]


def test_a_card_re_judged_after_the_deadline_keeps_its_finding_but_it_is_no_longer_owed(floor):
    floor.ok("grade", "张三", "A", "--reason", "客户说要等月底", now="2026-05-07T10:00:00")
    [finding] = found(floor, "2026-05-20T10:00:00")
    assert "还没有书面购车方案" in finding["message"]
    assert found(floor, "2026-05-20T10:00:00", "--since", "2026-05-15") == []


def test_a_past_day_is_audited_as_it_stood_the_quote_given_after_it_unseen(floor):
    quote(floor, "2026-05-10T10:00:00")
    [then] = found(floor, "2026-05-20T10:00:00", "--date", "2026-05-08")
    assert "还没有书面购车方案" in then["message"]
    [now] = found(floor, "2026-05-20T10:00:00")
    assert "后才第一次报价（05-10）" in now["message"]


def test_the_store_names_its_key_grades_and_a_grade_it_does_not_have_is_refused(floor, tmp_path):
    floor.ok("add", "李四", "--phone", "13900139000", "--grade", "A", "--owner", "王芳", now=MADE, user="赵经理")
    assert [f["ref"] for f in found(floor, "2026-05-20T10:00:00")] == ["A00001"]
    explained = floor.json("audit", "--explain", "purchase-plan-late", user="赵经理")
    assert explained["limits"] == {"limit_days": 2, "grades": ["H"]} and "购车方案对比表" in explained["reason"]
    policy = tmp_path / "store.toml"
    policy.write_text('[audit.purchase-plan-late]\ngrades = ["H", "A"]\nlimit_days = 3\n', encoding="utf-8")
    floor.ok("init", "--policy-file", str(policy), user="赵经理")
    assert found(floor, "2026-05-07T10:00:00") == []
    assert [f["ref"] for f in found(floor, "2026-05-07T10:00:01")] == ["A00001", "A00002"]
    policy.write_text('[audit.purchase-plan-late]\ngrades = ["S"]\n', encoding="utf-8")
    refused = floor("init", "--policy-file", str(policy), user="赵经理")
    assert refused.exit_code == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert "[audit.purchase-plan-late] 的 grades：没有级别 S（级别有：H, A, B, C）" in refused.stderr


def test_under_the_four_tier_scheme_the_key_customer_is_重点(lc):
    lc.ok("init", "--policy", "four-tier")
    sales_floor(lc)
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "重点", "--owner", "王芳", now=MADE)
    lc.ok("add", "李四", "--phone", "13900139000", "--grade", "意向", "--owner", "王芳", now=MADE)
    [finding] = found(lc, "2026-05-07T10:00:00")
    assert finding["ref"] == "A00001" and "判为 重点 级（重点客户）" in finding["message"]


# -- the morning list: the plan due, before the audit tells it late -----------------------------------


def plans_due(lc, now="2026-05-05T09:00:00", user="王芳"):
    return {i["ref"]: i["plan_due"] for i in lc.json("today", now=now, user=user)["items"]}


def test_the_morning_list_tells_a_key_customers_plan_due_until_a_quote_is_given(floor, tmp_path):
    floor.ok("add", "李四", "--phone", "13900139000", "--grade", "B", "--owner", "王芳", now=MADE)
    assert plans_due(floor) == {"A00001": "2026-05-06T10:00:00+08:00", "A00002": None}
    table = floor.ok("today", now="2026-05-05T09:00:00").stdout
    assert "↳ 重点客户：书面购车方案（报价）时限 05-06 10:00（leadcard quote A00001 --price 价格）" in table
    assert plans_due(floor, now="2026-05-08T09:00:00")["A00001"] == "2026-05-06T10:00:00+08:00"  # late: still owed
    # Judged key later, the plan is due from that judgement.
    floor.ok("log", "李四", "--channel", "phone", "--content", "下周就买，约周末签约", "--grade", "H", "--next",
             "2026-05-06", now="2026-05-05T10:00:00")
    assert plans_due(floor)["A00002"] == "2026-05-07T10:00:00+08:00"
    quote(floor, "2026-05-05T11:00:00")
    assert plans_due(floor, now="2026-05-05T12:00:00") == {"A00001": None, "A00002": "2026-05-07T10:00:00+08:00"}
    policy = tmp_path / "store.toml"
    policy.write_text("[audit.purchase-plan-late]\nenabled = false\n", encoding="utf-8")
    floor.ok("init", "--policy-file", str(policy), user="赵经理")
    assert plans_due(floor, now="2026-05-05T12:00:00") == {"A00001": None, "A00002": None}


def test_the_store_s_key_grades_and_days_set_the_morning_list_s_plans_too(floor, tmp_path):
    floor.ok("add", "李四", "--phone", "13900139000", "--grade", "A", "--owner", "王芳", now=MADE)
    policy = tmp_path / "store.toml"
    policy.write_text('[audit.purchase-plan-late]\ngrades = ["A"]\nlimit_days = 3\n', encoding="utf-8")
    floor.ok("init", "--policy-file", str(policy), user="赵经理")
    assert plans_due(floor) == {"A00001": None, "A00002": "2026-05-07T10:00:00+08:00"}


@sqlite_only("SQLite's query plans (EXPLAIN QUERY PLAN)")
def test_the_morning_list_reads_its_key_customers_grade_histories_through_the_cards_index(floor):
    from zoneinfo import ZoneInfo

    from leadcard.store import Store, judgements_query

    store = Store.open(floor.db, ZoneInfo("Asia/Shanghai"))
    plan = store._plan(*judgements_query([1, 2, 3]))
    store.close()
    assert "grade_changes_card (card_id=?)" in plan and "SCAN grade_changes" not in plan, plan


def test_a_quote_given_at_the_very_moment_audited_is_seen(floor):
    quote(floor, "2026-05-07T10:00:00")
    [finding] = found(floor, "2026-05-07T10:00:00")
    assert "后才第一次报价（05-07）" in finding["message"]
