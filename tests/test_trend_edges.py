"""The trend at its edges (issue 22), each written against a wrong change the stories of
tests/test_trends.py let through: the longest trend, a KPI named with a dash or not at all, a
consultant who only received walk-ins, a card nobody owns, a consultant with nothing in the weeks
asked for, and one whose every card was closed before them.

Read on Wednesday 25 November 2026: the last complete week is 2026-W47 (16–22 Nov).
"""

from conftest import sales_floor
from test_trends import READ_ON, _same_point, add, coached_floor, log, trend


def test_a_two_year_trend_has_104_weeks_and_one_more_is_refused_with_the_bounds(lc):
    sales_floor(lc)
    found = trend(lc, "--weeks", "104")
    assert len(found["periods"]) == 104 and found["periods"][0] == "2024-W48"
    refused = lc("report", "trend", "--weeks", "105", now=READ_ON)
    assert (refused.exit_code, refused.stderr) == (2, "leadcard: 周期数必须在 1 到 104 之间\n")


def test_a_kpi_is_named_with_a_dash_or_its_series_name_and_an_unknown_one_lists_them_all(lc):
    sales_floor(lc)
    found = trend(lc, "--weeks", "2", "--kpi", "after-delivery", "--kpi", "loss_clarity_rate", "--kpi", " Close ")
    assert found["kpis"] == ["after_delivery", "loss_clarity", "close"]
    refused = lc("report", "trend", "--kpi", "speed", now=READ_ON)
    assert (refused.exit_code, refused.stderr) == (2, (
        "leadcard: 没有指标 'speed'：请用 timeliness, completeness, conversion, reactivation, referral, "
        "after_delivery, loss_clarity, card, test_drive, invitation, close 之一\n"))


def test_a_consultant_who_only_received_walk_ins_has_her_line_of_showroom_figures(lc):
    """孙丽 carded nobody: in W46 she received a browser who left nothing, in W47 a walk-in who left
    his phone and test-drove, and a phone-in. Her line has those visits and rates and no cards."""
    sales_floor(lc)
    for at, *more in (("2026-11-10 14:00",), ("2026-11-17 10:00", "--phone", "13900000011", "--test-drive"),
                      ("2026-11-18 11:00", "--source", "来电", "--phone", "13900000012")):
        lc.ok("visit", "add", "--at", at, *more, user="孙丽", now=at.replace(" ", "T") + ":00")
    found = trend(lc, "--weeks", "3")
    [sun] = found["by_owner"]
    assert sun["owner"] == "孙丽"
    counts = sun["counts"]
    assert (counts["first_visits"], counts["phone_ins"]) == ([0, 1, 1], [0, 0, 1])
    assert (counts["new_cards"], counts["followups"], counts["orders"]) == ([0, 0, 0], [0, 0, 0], [0, 0, 0])
    for kpi in ("card", "test_drive"):
        assert [(r["numerator"], r["denominator"]) for r in sun["ratios"][kpi]] == [(0, 0), (0, 1), (1, 1)]
    assert found["counts"]["first_visits"] == [0, 1, 1]


def test_the_line_of_the_cards_nobody_owns_comes_after_the_consultants_by_name(lc):
    """周八 was carded and called before anyone had a login, in W47 like 王芳's and 李强's cards."""
    add(lc, "周八", "13800000008", "2026-11-16 09:00", user=None)
    log(lc, "周八", "2026-11-16 09:30", user=None)
    coached_floor(lc)
    found = trend(lc, "--weeks", "1")
    assert [o["owner"] for o in found["by_owner"]] == ["李强", "王芳", None]
    assert found["by_owner"][-1]["counts"]["new_cards"] == [1]


def test_a_consultant_with_nothing_in_the_weeks_has_an_empty_line_not_the_floors(lc):
    coached_floor(lc)
    found = trend(lc, "--weeks", "3", "--owner", "孙丽")
    assert found["owner"] == "孙丽" and [o["owner"] for o in found["by_owner"]] == []
    assert found["counts"]["new_cards"] == [0, 0, 0] and found["counts"]["followups"] == [0, 0, 0]
    assert found["series"]["timeliness_rate"] == [None, None, None]


def test_a_consultant_whose_every_card_closed_before_the_weeks_has_no_line(lc):
    """孙丽's only customer was lost and the loss approved in October: nothing of hers is in W45–W47."""
    coached_floor(lc)
    add(lc, "郑九", "13800000009", "2026-10-05 10:00", user="孙丽")
    lc.ok("lose", "郑九", "--reason", "价格", now="2026-10-06T10:00:00", user="孙丽")
    lc.ok("approve", "郑九", now="2026-10-06T18:00:00", user="赵经理")
    found = trend(lc, "--weeks", "3")
    assert [o["owner"] for o in found["by_owner"]] == ["李强", "王芳"]


def test_a_customer_handed_over_at_the_first_instant_of_w48_stays_in_w47_with_the_consultant_before(lc):
    coached_floor(lc)
    lc.ok("assign", "王五", "李强", now="2026-11-23T00:00:00", user="赵经理")
    owners = {o["owner"]: o for o in trend(lc, "--weeks", "1")["by_owner"]}
    assert [r["denominator"] for r in owners["王芳"]["ratios"]["conversion"]] == [4]  # 张三, 李四, 王五, 赵六
    assert [r["denominator"] for r in owners["李强"]["ratios"]["conversion"]] == [1]  # 孙七


def test_a_supervisors_trend_counts_her_teams_cards_after_another_teams(lc):
    """孙丽 (二组) carded 郑九 first and won him in W47; 王芳 (一组) carded 吴十 after and lost him the
    same week. 钱主管's W47 holds 吴十 among 王芳's cards, as her weekly report does."""
    coached_floor(lc)
    add(lc, "郑九", "13800000009", "2026-11-08 10:00", user="孙丽")
    add(lc, "吴十", "13800000010", "2026-11-09 10:00")
    lc.ok("win", "郑九", "--model", "凯美瑞", now="2026-11-18T10:00:00", user="孙丽")
    lc.ok("lose", "吴十", "--reason", "价格", now="2026-11-19T10:00:00", user="王芳")
    team = trend(lc, "--weeks", "1", user="钱主管")
    report = lc.json("report", "weekly", "--week", "2026-W47", now=READ_ON, user="钱主管")
    assert [r["denominator"] for r in team["ratios"]["conversion"]] == [report["kpis"]["conversion"]["denominator"]] == [6]


def test_a_card_nobody_owned_handed_to_a_consultant_reads_in_each_week_as_in_its_report(lc):
    """周八, carded before anyone had a login, is handed to 王芳 on Wednesday of W47."""
    add(lc, "周八", "13800000008", "2026-11-02 09:00", user=None)
    coached_floor(lc)
    lc.ok("assign", "周八", "王芳", now="2026-11-18T10:00:00", user="赵经理")
    found = trend(lc, "--weeks", "3")
    owners = {o["owner"]: o for o in found["by_owner"]}
    for i, week in enumerate(found["periods"]):
        report = lc.json("report", "weekly", "--week", week, now=READ_ON)
        _same_point(found, i, report, report["totals"], report["kpis"], report.get("traffic"))
        for entry in report["by_owner"]:
            _same_point(owners[entry["owner"]], i, report, entry, entry["kpis"], entry["traffic"])


def test_a_customer_won_at_the_first_instant_of_the_trends_first_week_was_in_hand_when_it_began(lc):
    """周八, carded on 9 November, orders at 00:00 on Monday 16th: W47's cohort holds him, won in it."""
    coached_floor(lc)
    add(lc, "周八", "13800000008", "2026-11-09 10:00")
    lc.ok("win", "周八", "--model", "凯美瑞", now="2026-11-16T00:00:00", user="王芳")
    [conversion] = trend(lc, "--weeks", "1")["ratios"]["conversion"]
    report = lc.json("report", "weekly", "--week", "2026-W47", now=READ_ON)
    assert (conversion["numerator"], conversion["denominator"]) == (1, 6)
    assert report["kpis"]["conversion"]["denominator"] == 6


def test_cards_made_at_the_first_instant_after_the_trends_last_week_are_not_in_it(lc):
    """周八 and 吴十 are carded at 00:00 on Monday 23rd, W48's first instant; 吴十 is handed to 李强."""
    coached_floor(lc)
    before = trend(lc, "--weeks", "1")
    add(lc, "周八", "13800000008", "2026-11-23 00:00")
    add(lc, "吴十", "13800000010", "2026-11-23 00:00")
    lc.ok("assign", "吴十", "李强", now="2026-11-23T09:00:00", user="赵经理")
    assert trend(lc, "--weeks", "1") == before
