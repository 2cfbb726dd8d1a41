"""月度目标, 达成率 and the month's forecast: targets set by the manager anywhere and by a supervisor
for their team; the report weighs each consultant's open H and A cards by their measured grade
accuracy, and shows the weights."""

import pytest

from conftest import row_counts, sales_floor


def target_rows(lc) -> int:
    return row_counts(lc, "sales_targets")["sales_targets"]


@pytest.fixture
def floor(lc):
    sales_floor(lc, ("周主管", "supervisor", "二组"))
    lc.now = "2026-11-03T09:00:00"
    return lc


def test_the_manager_sets_anyones_target_and_a_supervisor_their_teams(floor):
    made = floor.json("target", "set", "王芳", "--month", "2026-11", "--orders", "8", "--deliveries", "6", user="赵经理")
    assert made == {"user": "王芳", "team": "一组", "month": "2026-11", "orders": 8, "deliveries": 6, "set_by": "赵经理",
                    "set_at": "2026-11-03T09:00:00+08:00"}
    assert floor.json("target", "set", "李强", "--orders", "5", user="钱主管")["month"] == "2026-11"
    assert floor.json("target", "set", "孙丽", "--orders", "4", user="周主管")["set_by"] == "周主管"
    assert floor.json("target", "set", "钱主管", "--orders", "2", user="赵经理")["orders"] == 2


@pytest.mark.parametrize("who, whom", [("钱主管", "孙丽"), ("钱主管", "钱主管"), ("王芳", "王芳"), ("王芳", "李强"),
                                       ("周主管", "王芳")])
def test_nobody_else_sets_a_target(floor, who, whom):
    refused = floor("target", "set", whom, "--orders", "8", user=who)
    assert refused.exit_code == 1 and refused.stderr.count("\n") == 1
    assert target_rows(floor) == 0


@pytest.mark.parametrize("args, code", [
    (("王芳", "--orders", "-1"), 2),
    (("王芳", "--orders", "8", "--month", "2026-13"), 2),
    (("王芳", "--orders", "8", "--deliveries", "-2"), 2),
    (("王芳",), 2),
    (("王芳", "--orders", "8", "--month", "2026-10"), 1),  # October is over
    (("无名氏", "--orders", "8"), 1),
])
def test_a_wrong_target_writes_nothing(floor, args, code):
    result = floor("target", "set", *args, user="赵经理")
    assert result.exit_code == code and "Traceback" not in result.stderr
    assert target_rows(floor) == 0


def test_a_deactivated_consultant_gets_no_target(floor):
    floor.ok("user", "deactivate", "李强", user="赵经理")
    assert floor("target", "set", "李强", "--orders", "3", user="赵经理").exit_code == 1
    assert target_rows(floor) == 0


def test_setting_again_replaces_the_target_and_keeps_the_old_one(floor):
    floor.ok("target", "set", "王芳", "--orders", "8", user="赵经理")
    floor.ok("target", "set", "王芳", "--orders", "10", user="钱主管", now="2026-11-05T09:00:00")
    [target] = floor.json("target", "list", user="赵经理", now="2026-11-05T09:00:00")["targets"]
    assert (target["orders"], target["set_by"]) == (10, "钱主管")
    assert target_rows(floor) == 2


def test_each_reads_the_targets_they_may_see(floor):
    for name, n in (("王芳", "8"), ("李强", "5"), ("孙丽", "4")):
        floor.ok("target", "set", name, "--orders", n, user="赵经理")
    floor.ok("target", "set", "王芳", "--month", "2026-12", "--orders", "9", user="赵经理")

    def listed(who, *args):
        return [(t["user"], t["orders"]) for t in floor.json("target", "list", *args, user=who)["targets"]]

    assert listed("王芳") == [("王芳", 8)]
    assert listed("钱主管") == [("李强", 5), ("王芳", 8)]
    assert listed("赵经理") == [("李强", 5), ("王芳", 8), ("孙丽", 4)]
    assert listed("赵经理", "--month", "2026-12") == [("王芳", 9)]
    table = floor.ok("target", "list", user="钱主管").stdout
    assert "2026-11 月度目标" in table and "王芳" in table and "孙丽" not in table


# -- attainment and the forecast in the report -----------------------------------------------------


def card(lc, name, phone, grade, at, owner="王芳"):
    lc.ok("add", name, "--phone", phone, "--grade", grade, "--model", "凯美瑞", "--at", at, user=owner,
          now=at.replace(" ", "T") + ":00")


def win(lc, name, at, owner="王芳"):
    lc.ok("win", name, user=owner, now=at.replace(" ", "T") + ":00")


@pytest.fixture
def november(floor):
    """王芳: H 甲 won within its 7 days, H 乙 not (her H accuracy 1/2); A 丁 won within 30 days, A 戊
    not (A 1/2); H 丙 made on 25 Nov, its horizon not over; 己 won on 12 Nov. At the month's end she
    holds H 乙 and 丙 and A 戊 open, with one order and a target of 4. 李强 holds one A card and has no
    accuracy of his own, nor a target; 孙丽 has a target and nothing else."""
    floor.ok("target", "set", "王芳", "--month", "2026-11", "--orders", "4", user="赵经理", now="2026-11-01T09:00:00")
    floor.ok("target", "set", "孙丽", "--month", "2026-11", "--orders", "3", user="赵经理", now="2026-11-01T09:00:00")
    card(floor, "丁", "13900000004", "A", "2026-09-10 10:00")
    win(floor, "丁", "2026-09-20 10:00")
    card(floor, "戊", "13900000005", "A", "2026-09-12 10:00")
    card(floor, "甲", "13900000001", "H", "2026-10-01 10:00")
    win(floor, "甲", "2026-10-05 10:00")
    card(floor, "乙", "13900000002", "H", "2026-10-10 10:00")
    card(floor, "己", "13900000006", "B", "2026-11-02 10:00")
    win(floor, "己", "2026-11-12 10:00")
    card(floor, "庚", "13900000007", "A", "2026-11-10 10:00", owner="李强")
    card(floor, "丙", "13900000003", "H", "2026-11-25 10:00")
    return floor


def report(lc, *period, user="赵经理", now="2026-12-02T09:00:00"):
    return lc.json("report", *period, user=user, now=now)


def weights(standing):
    return [(w["grade"], w["open_cards"], w["weight"], w["basis"], w["won"], w["graded"], w["expected"])
            for w in standing["forecast"]["weights"]]


def test_the_month_report_weighs_open_hot_cards_by_each_consultants_grade_accuracy(november):
    data = report(november, "monthly", "--month", "2026-11")
    by = {o["owner"]: o for o in data["by_owner"]}
    wang = by["王芳"]
    assert wang["target"]["orders"] == 4
    assert wang["attainment"] == {"numerator": 1, "denominator": 4, "rate": 0.25}
    assert (wang["forecast"]["orders_so_far"], wang["forecast"]["value"], wang["forecast"]["accuracy_days"]) == (1, 2.5, 90)
    assert weights(wang) == [("H", 2, 0.5, "own", 1, 2, 1.0), ("A", 1, 0.5, "own", 1, 2, 0.5)]
    li = by["李强"]
    assert (li["target"], li["attainment"], li["attainment_rate"]) == (None, None, None)
    assert weights(li) == [("H", 0, 0.5, "floor", 1, 2, 0.0), ("A", 1, 0.5, "floor", 1, 2, 0.5)]
    targets = {s["owner"]: s for s in data["targets"]["by_consultant"]}
    assert set(targets) == {"王芳", "李强", "孙丽"}
    assert (targets["孙丽"]["attainment"]["rate"], targets["孙丽"]["forecast"]["value"]) == (0.0, 0.0)
    assert data["targets"]["total"] == {"orders_target": 7, "orders": 1,
                                        "attainment": {"numerator": 1, "denominator": 7, "rate": 0.1429},
                                        "deliveries_target": None, "deliveries": 0, "delivery_attainment": None,
                                        "forecast": 3.0}


def test_the_table_shows_the_forecast_and_how_it_was_made(november):
    md = november.ok("report", "monthly", "--month", "2026-11", "--format", "md", user="赵经理",
                     now="2026-12-02T09:00:00").stdout
    assert "## 月度目标与预测（2026-11）" in md
    assert "| 王芳 | 4 | 1 | 25.0% | — | 0 | — | 2.50 |" in md
    assert "## 预测依据（在跟卡数 × 近 90 天级别准确率）" in md
    assert "| 王芳 | H | 2 | 50.0% | 本人 1/2 | 1.00 |" in md and "| 李强 | A | 1 | 50.0% | 全店 1/2 | 0.50 |" in md


def test_deliveries_count_against_a_target_that_names_them_from_the_months_first_instant(november):
    """王芳's target is set again with 2 deliveries: 甲 is handed over at the first instant of November,
    己 on the 20th; 丁's car left on the last second of October. The month counts 2 of 2; the week of
    9 November counts 甲 alone; 李强, without a target, has no delivery attainment."""
    november.ok("target", "set", "王芳", "--month", "2026-11", "--orders", "4", "--deliveries", "2", user="赵经理",
                now="2026-11-01T09:00:00")
    november.ok("deliver", "丁", user="王芳", now="2026-10-31T23:59:59")
    november.ok("deliver", "甲", user="王芳", now="2026-11-01T00:00:00")
    november.ok("deliver", "己", user="王芳", now="2026-11-20T10:00:00")
    data = report(november, "monthly", "--month", "2026-11")
    wang = {o["owner"]: o for o in data["by_owner"]}["王芳"]
    assert (wang["month_deliveries"], wang["delivery_attainment"], wang["delivery_attainment_rate"]) == (
        2, {"numerator": 2, "denominator": 2, "rate": 1.0}, 1.0)
    assert wang["deliveries"] == 2  # the period's own count, the same days for a month
    targets = {s["owner"]: s for s in data["targets"]["by_consultant"]}
    assert (targets["李强"]["month_deliveries"], targets["李强"]["delivery_attainment"]) == (0, None)
    total = data["targets"]["total"]
    assert (total["deliveries_target"], total["deliveries"], total["delivery_attainment"]) == (
        2, 2, {"numerator": 2, "denominator": 2, "rate": 1.0})
    week = {o["owner"]: o for o in report(november, "weekly", "--week", "2026-W46")["by_owner"]}["王芳"]
    assert (week["deliveries"], week["month_deliveries"], week["delivery_attainment"]["rate"]) == (0, 1, 0.5)
    md = november.ok("report", "monthly", "--month", "2026-11", "--format", "md", user="赵经理",
                     now="2026-12-02T09:00:00").stdout
    assert "| 王芳 | 4 | 1 | 25.0% | 2 | 2 | 100.0% | 2.50 |" in md
    assert "| 合计 | 7 | 1 | 14.3% | 2 | 2 | 100.0% | 3.00 |" in md


def test_a_delivery_counts_under_whoever_holds_the_card_at_the_periods_end(november):
    """己, won on 12 November, is delivered on the 13th and handed to 李强 on the 14th: the week of 16
    November, reading the month so far, counts the delivery as 李强's, not 王芳's."""
    november.ok("deliver", "己", user="王芳", now="2026-11-13T10:00:00")
    november.ok("assign", "己", "李强", user="赵经理", now="2026-11-14T10:00:00")
    week = {o["owner"]: o for o in report(november, "weekly", "--week", "2026-W47")["by_owner"]}
    assert (week["李强"]["month_deliveries"], week["王芳"]["month_deliveries"]) == (1, 0)


def test_with_no_grading_measured_anywhere_the_weight_is_nought(floor):
    card(floor, "庚", "13900000007", "A", "2026-11-10 10:00", owner="李强")
    [li] = report(floor, "monthly", "--month", "2026-11")["by_owner"]
    assert weights(li) == [("H", 0, 0.0, "none", 0, 0, 0.0), ("A", 1, 0.0, "none", 0, 0, 0.0)]
    assert li["forecast"]["value"] == 0.0


def test_a_week_reads_the_months_orders_up_to_its_own_end(november):
    week46 = {o["owner"]: o for o in report(november, "weekly", "--week", "2026-W46")["by_owner"]}
    assert (week46["王芳"]["forecast"]["month"], week46["王芳"]["forecast"]["orders_so_far"]) == ("2026-11", 1)
    week45 = {o["owner"]: o for o in report(november, "weekly", "--week", "2026-W45")["by_owner"]}
    assert week45["王芳"]["attainment"] == {"numerator": 0, "denominator": 4, "rate": 0.0}


def test_a_target_set_after_a_periods_end_stays_out_of_its_report(november):
    november.ok("target", "set", "李强", "--month", "2026-11", "--orders", "2", user="钱主管", now="2026-11-20T09:00:00")
    week46 = {o["owner"]: o for o in report(november, "weekly", "--week", "2026-W46")["by_owner"]}
    assert week46["李强"]["target"] is None
    month = {o["owner"]: o for o in report(november, "monthly", "--month", "2026-11")["by_owner"]}
    assert month["李强"]["target"]["orders"] == 2


def test_a_consultant_reads_only_their_own_standing(november):
    data = report(november, "monthly", "--month", "2026-11", user="王芳")
    assert [s["owner"] for s in data["targets"]["by_consultant"]] == ["王芳"]
