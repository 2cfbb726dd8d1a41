"""The month's targets and forecast at their edges (issue 22), each written against a wrong change the
stories of tests/test_targets.py and tests/test_desk_edges.py let through: what a refused target
tells, the target read back from two desks a second apart, an order from a referral, a new
consultant weighed by the floor's grade accuracy, and a card nobody owns.

November 2026's targets; the month's report is read on Wednesday 2 December.
"""

from conftest import sales_floor
from test_desk_edges import refused
from test_targets import card, report, weights, win

NOVEMBER = ("monthly", "--month", "2026-11")


def test_a_supervisor_without_a_team_is_told_she_sets_her_own_teams_targets(lc):
    sales_floor(lc)
    lc.ok("user", "add", "周主管", "--role", "supervisor")
    told = refused(lc, "target", "set", "王芳", "--orders", "4", user="周主管", now="2026-11-03T09:00:00", code=1)
    assert told == "leadcard: 周主管 只能设定本组顾问的目标；王芳 的目标由经理设定\n"


def test_a_deactivated_consultant_is_named_when_his_target_is_refused(lc):
    sales_floor(lc)
    lc.ok("user", "deactivate", "李强")
    told = refused(lc, "target", "set", "李强", "--orders", "3", now="2026-11-03T09:00:00", code=1)
    assert told == "leadcard: 用户“李强”已停用\n"


def test_a_month_over_is_refused_with_the_rule(lc):
    sales_floor(lc)
    told = refused(lc, "target", "set", "王芳", "--month", "2026-10", "--orders", "4", now="2026-11-03T09:00:00", code=1)
    assert told == "leadcard: 2026-10 已经过去了：月度目标要在当月结束前设定\n"


def test_each_desk_is_told_the_target_it_set_though_the_other_desks_clock_is_a_second_ahead(lc):
    """赵经理's desk sets 王芳's target at 09:00:01; 钱主管's, whose clock is a second behind, sets
    another at what it takes for 09:00:00. Each is shown the target it set."""
    sales_floor(lc)
    ahead = lc.json("target", "set", "王芳", "--orders", "6", now="2026-11-03T09:00:01")
    behind = lc.json("target", "set", "王芳", "--orders", "4", user="钱主管", now="2026-11-03T09:00:00")
    assert (ahead["orders"], ahead["set_by"]) == (6, "赵经理")
    assert (behind["orders"], behind["set_by"], behind["set_at"]) == (4, "钱主管", "2026-11-03T09:00:00+08:00")


def test_an_order_from_a_referral_and_one_from_the_showroom_are_two_toward_the_target(lc):
    sales_floor(lc)
    lc.ok("target", "set", "王芳", "--month", "2026-11", "--orders", "4", now="2026-11-01T09:00:00")
    card(lc, "甲", "13900000061", "A", "2026-11-02 10:00")
    lc.ok("add", "乙", "--phone", "13900000062", "--source", "referral", "--model", "凯美瑞",
          "--at", "2026-11-02 11:00", user="王芳", now="2026-11-02T11:00:00")
    win(lc, "甲", "2026-11-05 10:00")
    win(lc, "乙", "2026-11-06 10:00")
    [wang] = report(lc, *NOVEMBER)["targets"]["by_consultant"]
    assert wang["forecast"]["orders_so_far"] == 2
    assert wang["attainment"] == {"numerator": 2, "denominator": 4, "rate": 0.5}


def test_a_new_consultant_is_weighed_by_the_floors_accuracy_of_each_grade(lc):
    """王芳 won her H card within its 7 days (H 1/1) and neither of her A cards within 30 (A 0/2). 李强,
    new this month, has no grading whose horizon is over: his open H card is weighed by the floor's H
    accuracy and his A card by its A accuracy, each grade by its own."""
    sales_floor(lc)
    card(lc, "甲", "13900000071", "H", "2026-10-01 10:00")
    win(lc, "甲", "2026-10-05 10:00")
    card(lc, "乙", "13900000072", "A", "2026-09-20 10:00")
    card(lc, "丙", "13900000073", "A", "2026-09-21 10:00")
    card(lc, "丁", "13900000074", "H", "2026-11-25 10:00", owner="李强")
    card(lc, "戊", "13900000075", "A", "2026-11-05 10:00", owner="李强")
    li = {o["owner"]: o for o in report(lc, *NOVEMBER)["by_owner"]}["李强"]
    assert weights(li) == [("H", 1, 1.0, "floor", 1, 1, 1.0), ("A", 1, 0.0, "floor", 0, 2, 0.0)]


def test_the_standings_go_by_name_and_a_card_nobody_owns_comes_last(lc):
    """A hot card carded before anyone had a login has no owner; its line is the last of the standings."""
    lc.ok("add", "周八", "--phone", "13900000090", "--grade", "H", "--at", "2026-11-02 09:00",
          now="2026-11-02T09:00:00")
    sales_floor(lc)
    for n, owner in enumerate(("王芳", "李强", "孙丽", "钱主管", "赵经理")):
        card(lc, f"客户{n}", f"1390000008{n}", "A", "2026-11-03 10:00", owner=owner)
    standings = report(lc, *NOVEMBER)["targets"]["by_consultant"]
    assert [s["owner"] for s in standings] == ["孙丽", "李强", "王芳", "赵经理", "钱主管", None]


def test_the_totals_divide_only_the_orders_and_deliveries_of_those_whose_target_names_them(lc):
    """王芳's target names 3 orders and 2 deliveries, 李强's 2 orders and no deliveries, 孙丽 has none.
    王芳 orders 2 and delivers 1; 李强 orders and delivers 1; 孙丽 orders and delivers 2. The 合计 is 3
    orders of 5 targeted (王芳's and 李强's, not 孙丽's) and 1 delivery of 2 (王芳's alone); the columns
    still add up everyone's. 孙丽's orders alone over no target have nothing to divide."""
    sales_floor(lc)
    lc.ok("target", "set", "王芳", "--month", "2026-11", "--orders", "3", "--deliveries", "2", now="2026-11-01T09:00:00")
    lc.ok("target", "set", "李强", "--month", "2026-11", "--orders", "2", now="2026-11-01T09:00:00")
    for n, owner in enumerate(("王芳", "王芳", "李强", "孙丽", "孙丽")):
        card(lc, f"客户{n}", f"1390000010{n}", "A", "2026-11-02 10:00", owner=owner)
        win(lc, f"客户{n}", "2026-11-05 10:00", owner=owner)
        if n != 1:
            lc.ok("deliver", f"客户{n}", user=owner, now="2026-11-20T10:00:00")
    total = report(lc, *NOVEMBER)["targets"]["total"]
    assert total == {"orders_target": 5, "orders": 5, "attainment": {"numerator": 3, "denominator": 5, "rate": 0.6},
                     "deliveries_target": 2, "deliveries": 4,
                     "delivery_attainment": {"numerator": 1, "denominator": 2, "rate": 0.5}, "forecast": 5.0}
    md = lc.ok("report", *NOVEMBER, "--format", "md", now="2026-12-02T09:00:00").stdout
    assert "| 合计 | 5 | 5 | 60.0% | 2 | 4 | 50.0% | 5.00 |" in md
    # 孙丽 reads her own standing: orders, no target, nothing to divide.
    mine = report(lc, *NOVEMBER, user="孙丽")["targets"]["total"]
    assert (mine["orders_target"], mine["orders"], mine["attainment"], mine["deliveries_target"],
            mine["delivery_attainment"]) == (None, 2, None, None, None)


def test_a_target_of_no_deliveries_counts_its_deliveries_over_nothing(lc):
    """A target naming 0 deliveries names them: 王芳's delivery is divided by 0 — no rate — and 李强's,
    without a delivery target, stays out of it."""
    sales_floor(lc)
    lc.ok("target", "set", "王芳", "--month", "2026-11", "--orders", "1", "--deliveries", "0", now="2026-11-01T09:00:00")
    lc.ok("target", "set", "李强", "--month", "2026-11", "--orders", "1", now="2026-11-01T09:00:00")
    for n, owner in enumerate(("王芳", "李强")):
        card(lc, f"客户{n}", f"1390000011{n}", "A", "2026-11-02 10:00", owner=owner)
        win(lc, f"客户{n}", "2026-11-05 10:00", owner=owner)
        lc.ok("deliver", f"客户{n}", user=owner, now="2026-11-20T10:00:00")
    total = report(lc, *NOVEMBER)["targets"]["total"]
    assert (total["deliveries_target"], total["deliveries"], total["delivery_attainment"]) == (
        0, 2, {"numerator": 1, "denominator": 0, "rate": None})
