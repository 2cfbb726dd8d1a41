"""More of the report's figures at their edges (issue 22), each written against a wrong change that
the stories before it let through: whose line a figure goes on, the first and last instant of a
period and of a window inside it, and a period asked for on its first day.

Week 2026-W47 runs from Monday 16 to Sunday 22 November 2026; it is read on Wednesday 25th.
"""

from conftest import sales_floor
from test_report_edges import add, log, ratio, weekly


def delivered(lc, name, phone, owner, at):
    add(lc, name, phone, "2026-11-02 10:00", "--owner", owner, "--model", "凯美瑞")
    lc.ok("win", name, now="2026-11-03T10:00:00", user=owner)
    lc.ok("deliver", name, now=at, user=owner)


# -- periods -------------------------------------------------------------------------------------------------


def test_a_week_asked_for_in_the_last_second_before_its_monday_is_refused_in_one_line(lc):
    refused = lc("report", "weekly", "--week", "2026-W48", now="2026-11-22T23:59:59")
    assert (refused.exit_code, refused.stderr) == (2, "leadcard: 2026-W48 还没有开始（今天是 2026-11-22）\n")
    assert lc.json("report", "weekly", "--week", "2026-W48", now="2026-11-23T00:00:00")["start"] == "2026-11-23"


# -- the week's first and last instant, and a first call's 24 hours -------------------------------------------


def test_a_first_call_exactly_24_hours_after_the_card_is_timely_and_a_minute_later_is_not(lc):
    add(lc, "张三", "13800000001", "2026-11-17 10:00")
    log(lc, "张三", "2026-11-18 10:00")
    add(lc, "李四", "13800000002", "2026-11-17 10:00")
    log(lc, "李四", "2026-11-18 10:01")
    timeliness = weekly(lc)["kpis"]["timeliness"]
    assert (timeliness["numerator"], timeliness["denominator"]) == (1, 2)


def test_complete_follow_ups_at_the_weeks_first_instant_count_and_at_the_next_weeks_do_not(lc):
    """张三's call at midnight opening W47 has content, plan and next date; so has the one at midnight
    opening W48, which is not W47's."""
    add(lc, "张三", "13800000001", "2026-11-10 10:00")
    for at, next_day in (("2026-11-16 00:00", "2026-11-20"), ("2026-11-23 00:00", "2026-11-27")):
        log(lc, "张三", at, "phone", "--plan", "准备报价单", "--next", next_day)
    log(lc, "张三", "2026-11-18 10:00", "wechat")  # nor plan nor next date
    report = weekly(lc)
    assert (report["totals"]["followups"], report["kpis"]["completeness"]) == (2, ratio(1, 2))


def test_a_card_made_and_ordered_at_the_next_weeks_first_instant_is_not_in_the_week(lc):
    add(lc, "丙", "13800000003", "2026-11-23 00:00", "--model", "凯美瑞")
    lc.ok("win", "丙", now="2026-11-23T00:00:00")
    add(lc, "丁", "13800000004", "2026-11-17 10:00", "--grade", "A")
    report = weekly(lc)
    assert (report["totals"]["new_cards"], report["totals"]["open_at_end"], report["funnel"]["A"]) == (1, 1, 1)
    assert report["kpis"]["conversion"] == ratio(0, 1)


# -- whose line a figure goes on ----------------------------------------------------------------------


def test_each_consultants_after_delivery_visits_are_on_their_own_line(lc):
    """王芳's customer takes his car on Monday 16th and is called the next day; 李强's — handed to him by
    孙丽 in October — on Tuesday 17th, and is not called until the 20th, a day after his day-1 visit
    and on the day of his day-3."""
    sales_floor(lc)
    delivered(lc, "张三", "13800000001", "王芳", "2026-11-16T15:00:00")
    add(lc, "李四", "13800000002", "2026-10-20 10:00", "--owner", "孙丽", "--model", "凯美瑞")
    lc.ok("assign", "李四", "李强", now="2026-10-21T10:00:00")
    lc.ok("win", "李四", now="2026-11-03T10:00:00", user="李强")
    lc.ok("deliver", "李四", now="2026-11-17T15:00:00", user="李强")
    log(lc, "张三", "2026-11-17 10:00", content="交车后第一天回访", user="王芳")
    log(lc, "李四", "2026-11-20 10:00", content="交车后回访", user="李强")
    report = weekly(lc)
    owners = {o["owner"]: o["kpis"]["after_delivery"] for o in report["by_owner"]}
    assert owners == {"王芳": ratio(1, 2), "李强": ratio(1, 2)}
    assert report["kpis"]["after_delivery"] == ratio(2, 4)
    # 李强's customer cancels another order on Friday: his line, not 王芳's, and not in her report.
    add(lc, "王五", "13800000003", "2026-11-02 10:00", "--owner", "李强", "--model", "凯美瑞")
    lc.ok("win", "王五", now="2026-11-18T10:00:00", user="李强")
    lc.ok("cancel-order", "王五", "--reason", "价格", now="2026-11-20T10:00:00", user="李强")
    lines = {o["owner"]: (o["deliveries"], o["cancellations"]) for o in weekly(lc)["by_owner"]}
    assert lines == {"王芳": (1, 0), "李强": (1, 1)}
    # 孙丽 hands 周八 his car on Friday 20th: not in 王芳's report either.
    delivered(lc, "周八", "13800000008", "孙丽", "2026-11-20T15:00:00")
    hers = weekly(lc, user="王芳")
    assert (hers["deliveries"]["count"], hers["kpis"]["after_delivery"], hers["cancellations"]["count"]) == (
        1, ratio(1, 2), 0)


def test_consultants_whose_only_cards_were_closed_before_the_week_keep_their_place_by_name(lc):
    """Before anyone had a login, 周八 was lost in October; 孙丽's only customer, 张三, was lost then too.
    In W47 neither she nor nobody has a card in hand, yet each has a line in the manager's report, in
    name order (孙 before 王, nobody last). 王五, handed from 李强 to 王芳 in October, ordered then and
    still waits for his car at the week's end. A consultant sees only her own line, the supervisor of
    一组 his team's."""
    add(lc, "周八", "13800000008", "2026-10-05 10:00")
    lc.ok("lose", "周八", "--reason", "推迟购买", now="2026-10-06T10:00:00")
    lc.ok("approve", "周八", now="2026-10-06T18:00:00")
    sales_floor(lc)
    add(lc, "张三", "13800000001", "2026-10-05 10:00", "--owner", "孙丽")
    lc.ok("lose", "张三", "--reason", "推迟购买", now="2026-10-06T10:00:00", user="孙丽")
    lc.ok("approve", "张三", now="2026-10-06T18:00:00")
    add(lc, "王五", "13800000003", "2026-10-05 10:00", "--owner", "李强", "--model", "凯美瑞")
    lc.ok("assign", "王五", "王芳", now="2026-10-07T10:00:00")
    lc.ok("win", "王五", "--delivery", "2026-12-20", now="2026-10-08T10:00:00", user="王芳")
    add(lc, "李四", "13800000002", "2026-11-17 10:00", "--owner", "王芳")
    report = weekly(lc)
    assert [(o["owner"], o["new_cards"], o["open_at_end"]) for o in report["by_owner"]] == [
        ("孙丽", 0, 0), ("王芳", 1, 1), (None, 0, 0)]
    assert report["orders"]["waiting_for_delivery_at_end"] == 1
    for user, owners, waiting in (("王芳", ["王芳"], 1), ("孙丽", ["孙丽"], 0), ("钱主管", ["王芳"], 1)):
        theirs = weekly(lc, user=user)
        assert ([o["owner"] for o in theirs["by_owner"]], theirs["orders"]["waiting_for_delivery_at_end"]) == (
            owners, waiting)


# -- after-delivery visits due on the week's first and last day -------------------------------------------


def test_a_months_visit_due_on_the_weeks_first_day_is_the_weeks(lc):
    """王五 took his car on Saturday 17 October: his day-30 visit falls on Monday 16 November, W47's
    first day, and he is called that afternoon, later in the day than he drove off (a call logged on
    his card by mistake that morning withdrawn)."""
    add(lc, "王五", "13800000003", "2026-10-10 10:00", "--model", "凯美瑞")
    lc.ok("win", "王五", now="2026-10-11T10:00:00")
    lc.ok("deliver", "王五", now="2026-10-17T15:00:00")
    for day in ("2026-10-18", "2026-10-20", "2026-10-24"):
        log(lc, "王五", f"{day} 10:00", content="交车后回访")
    log(lc, "王五", "2026-11-16 09:00", content="打错电话")
    lc.ok("log", "王五", "--void", "4", "--reason", "记错卡片", now="2026-11-16T09:30:00")
    log(lc, "王五", "2026-11-16 16:00", content="交车满月回访")
    # 赵六 took his the day before 王五: his month's visit fell on Sunday 15th, none in W47.
    add(lc, "赵六", "13800000004", "2026-10-10 10:00", "--model", "凯美瑞")
    lc.ok("win", "赵六", now="2026-10-11T10:00:00")
    lc.ok("deliver", "赵六", now="2026-10-16T10:00:00")
    report = weekly(lc)
    assert report["kpis"]["after_delivery"] == ratio(1, 1)
    assert report["deliveries"]["count"] == 0


def test_a_visit_due_on_the_weeks_last_day_is_the_weeks(lc):
    """李四 takes his car on Saturday 21st: his day-1 visit falls on Sunday 22nd, W47's last day, and he
    is called that evening, after a call logged on his card by mistake and withdrawn."""
    add(lc, "李四", "13800000002", "2026-11-02 10:00", "--model", "凯美瑞")
    lc.ok("win", "李四", now="2026-11-03T10:00:00")
    lc.ok("deliver", "李四", now="2026-11-21T15:00:00")
    log(lc, "李四", "2026-11-22 19:00", content="打错电话")
    lc.ok("log", "李四", "--void", "1", "--reason", "记错卡片", now="2026-11-22T19:30:00")
    log(lc, "李四", "2026-11-22 20:00", content="交车后第一天回访")
    assert weekly(lc)["kpis"]["after_delivery"] == ratio(1, 1)


def test_an_after_delivery_call_withdrawn_in_its_week_made_no_visit(lc):
    """张三's day-1 call on Tuesday 17th was logged on his card by mistake and withdrawn on Friday 20th:
    neither his day-1 nor his day-3 visit was made. 李四, who took his car the day before, was called on
    Monday 16th for his day-1 visit: one of his three visits due in the week was made."""
    add(lc, "李四", "13800000002", "2026-11-02 10:00", "--model", "凯美瑞")
    lc.ok("win", "李四", now="2026-11-03T10:00:00")
    lc.ok("deliver", "李四", now="2026-11-15T15:00:00")
    log(lc, "李四", "2026-11-16 10:00", content="交车后第一天回访")
    add(lc, "张三", "13800000001", "2026-11-02 10:00", "--model", "凯美瑞")
    lc.ok("win", "张三", now="2026-11-03T10:00:00")
    lc.ok("deliver", "张三", now="2026-11-16T15:00:00")
    log(lc, "张三", "2026-11-17 10:00", content="交车后第一天回访")
    lc.ok("log", "张三", "--void", "1", "--reason", "记错卡片", now="2026-11-20T10:00:00")
    assert weekly(lc)["kpis"]["after_delivery"] == ratio(1, 5)


def test_an_after_delivery_call_withdrawn_at_the_next_weeks_first_instant_made_the_weeks_visit(lc):
    """赵六, who took his car at 07:00 on Monday 16th (Sunday still in UTC), has his day-1 call on Tuesday
    17th withdrawn at midnight on Monday 23rd: it stood all W47."""
    add(lc, "赵六", "13800000004", "2026-11-02 10:00", "--model", "凯美瑞")
    lc.ok("win", "赵六", now="2026-11-03T10:00:00")
    lc.ok("deliver", "赵六", now="2026-11-16T07:00:00")
    log(lc, "赵六", "2026-11-17 10:00", content="交车后第一天回访")
    lc.ok("log", "赵六", "--void", "1", "--reason", "记错卡片", now="2026-11-23T00:00:00")
    assert weekly(lc)["kpis"]["after_delivery"] == ratio(1, 2)


def test_with_a_days_grace_a_visit_made_the_day_after_its_own_is_in_time(lc, tmp_path):
    """The store allows a day's grace: 张三, who took his car on Monday 16th, is called on Wednesday 18th
    for his day-1 visit (Tuesday) and on Friday 20th for his day-3 (Thursday): both in time."""
    path = tmp_path / "store.toml"
    path.write_text("[audit.after-delivery-late]\ngrace_days = 1\n", encoding="utf-8")
    lc.ok("init", "--policy-file", str(path))
    add(lc, "张三", "13800000001", "2026-11-02 10:00", "--model", "凯美瑞")
    lc.ok("win", "张三", now="2026-11-03T10:00:00")
    lc.ok("deliver", "张三", now="2026-11-16T15:00:00")
    log(lc, "张三", "2026-11-18 10:00", content="交车后回访，晚了一天")
    log(lc, "张三", "2026-11-20 10:00", content="交车后回访，晚了一天")
    # 李四 the same day, called on the 18th after a call logged on his card by mistake and withdrawn;
    # his day-3 visit not made.
    add(lc, "李四", "13800000002", "2026-11-02 10:00", "--model", "凯美瑞")
    lc.ok("win", "李四", now="2026-11-03T10:00:00")
    lc.ok("deliver", "李四", now="2026-11-16T15:00:00")
    log(lc, "李四", "2026-11-17 10:00", content="打错电话")
    lc.ok("log", "李四", "--void", "1", "--reason", "记错卡片", now="2026-11-17T10:30:00")
    log(lc, "李四", "2026-11-18 10:00", content="交车后回访，晚了一天")
    assert weekly(lc)["kpis"]["after_delivery"] == ratio(3, 4)


def test_a_visit_made_at_the_next_weeks_first_instant_is_not_the_weeks_though_within_the_grace(lc, tmp_path):
    """With a day's grace, 李四 — who took his car on Saturday 21st — is called for his day-1 visit
    (Sunday 22nd) at midnight exactly, the first instant of W48: in time, yet not made in W47. In W48 his
    day-3 and day-7 visits are not made. The trend's two weeks say the same as their reports."""
    path = tmp_path / "store.toml"
    path.write_text("[audit.after-delivery-late]\ngrace_days = 1\n", encoding="utf-8")
    lc.ok("init", "--policy-file", str(path))
    add(lc, "李四", "13800000002", "2026-11-02 10:00", "--model", "凯美瑞")
    lc.ok("win", "李四", now="2026-11-03T10:00:00")
    lc.ok("deliver", "李四", now="2026-11-21T10:00:00")
    log(lc, "李四", "2026-11-23 00:00", content="交车后回访")
    # 王五 the same, after a call logged on his card by mistake on Saturday and withdrawn.
    add(lc, "王五", "13800000003", "2026-11-02 10:00", "--model", "凯美瑞")
    lc.ok("win", "王五", now="2026-11-03T10:00:00")
    lc.ok("deliver", "王五", now="2026-11-21T10:00:00")
    log(lc, "王五", "2026-11-21 12:00", content="打错电话")
    lc.ok("log", "王五", "--void", "1", "--reason", "记错卡片", now="2026-11-21T12:30:00")
    log(lc, "王五", "2026-11-23 00:00", content="交车后回访")
    read_on = "2026-11-30T09:00:00"
    weeks = [weekly(lc, week, now=read_on)["kpis"]["after_delivery"] for week in ("2026-W47", "2026-W48")]
    assert weeks == [ratio(0, 2), ratio(0, 4)]
    trend = lc.json("report", "trend", "--weeks", "2", now=read_on)["ratios"]["after_delivery"]
    assert trend == weeks


def test_a_consultant_handed_a_delivered_customer_sees_only_the_visits_due_since_in_her_trend(lc):
    """李强 hands 张三 his car on Wednesday 18th; the card goes to 王芳 on Monday 23rd. She calls him on
    Wednesday 25th for his day-7 visit, after a call logged on his card by mistake the day before and
    withdrawn. Her trend has no visit of his in W47 (李强's then) and his day-7 visit made in W48."""
    sales_floor(lc)
    add(lc, "张三", "13800000001", "2026-11-02 10:00", "--owner", "李强", "--model", "凯美瑞")
    lc.ok("win", "张三", now="2026-11-03T10:00:00", user="李强")
    lc.ok("deliver", "张三", now="2026-11-18T15:00:00", user="李强")
    lc.ok("assign", "张三", "王芳", now="2026-11-23T09:00:00")
    log(lc, "张三", "2026-11-24 10:00", content="打错电话", user="王芳")
    lc.ok("log", "张三", "--void", "1", "--reason", "记错卡片", now="2026-11-24T10:30:00", user="王芳")
    log(lc, "张三", "2026-11-25 10:00", content="交车一周回访", user="王芳")
    trend = lc.json("report", "trend", "--weeks", "2", now="2026-11-30T09:00:00", user="王芳")
    assert trend["ratios"]["after_delivery"] == [ratio(0, 0), ratio(1, 1)]


def test_a_showroom_that_makes_no_after_delivery_visits_has_none_due(lc, tmp_path):
    """A store whose policy lists no after-delivery days: 张三's delivery on the 18th is counted, and
    no visit is due, so the measure has nothing to divide."""
    path = tmp_path / "store.toml"
    path.write_text("after_delivery_days = []\n", encoding="utf-8")
    lc.ok("init", "--policy-file", str(path))
    add(lc, "张三", "13800000001", "2026-11-02 10:00", "--model", "凯美瑞")
    lc.ok("win", "张三", now="2026-11-10T10:00:00")
    lc.ok("deliver", "张三", now="2026-11-18T15:00:00")
    log(lc, "张三", "2026-11-19 10:00", content="交车后回访")
    report = weekly(lc)
    assert (report["deliveries"]["count"], report["kpis"]["after_delivery"]) == (1, ratio(0, 0))


def test_a_car_handed_over_at_seven_in_the_morning_has_its_visits_counted_from_that_day(lc):
    """张三 takes his car at 07:00 on Monday 16th, still Sunday in UTC: his day-1 visit is on Tuesday
    17th (called that day), his day-3 on Thursday 19th (not made), his day-7 in the next week."""
    add(lc, "张三", "13800000001", "2026-11-02 10:00", "--model", "凯美瑞")
    lc.ok("win", "张三", now="2026-11-03T10:00:00")
    lc.ok("deliver", "张三", now="2026-11-16T07:00:00")
    log(lc, "张三", "2026-11-17 10:00", content="交车后第一天回访")
    # 王五 took his at 07:00 on Monday 9th: his day-7 visit is on Monday 16th, and he is called then.
    add(lc, "王五", "13800000003", "2026-11-02 10:00", "--model", "凯美瑞")
    lc.ok("win", "王五", now="2026-11-03T10:00:00")
    lc.ok("deliver", "王五", now="2026-11-09T07:00:00")
    for day in ("2026-11-10", "2026-11-12", "2026-11-16"):
        log(lc, "王五", f"{day} 10:00", content="交车后回访")
    assert weekly(lc)["kpis"]["after_delivery"] == ratio(2, 3)


# -- records a sheet brought in ----------------------------------------------------------------------------


def test_paper_cards_imported_without_a_reason_or_a_model_are_counted_under_none(lc, tmp_path):
    """The paper card of 张三 says 战败 on the 17th and nothing more; 李四's says 成交 on the 18th, with
    no model (an old deal: ordered and delivered that day). The week counts the loss under no reason
    and no competitor — a request that is not clear — and the order under no model."""
    sheet = tmp_path / "cards.csv"
    sheet.write_text("姓名,电话,状态,建卡时间,状态时间\n张三,13800000001,战败,2026-11-02 10:00,2026-11-17 10:00\n"
                     "李四,13800000002,成交,2026-11-02 10:00,2026-11-18 10:00\n", encoding="utf-8")
    lc.ok("import", str(sheet), now="2026-11-20T10:00:00")
    # 王五's car, handed over on the 19th the usual way, after 李四's old deal: his day-1 visit is made.
    add(lc, "王五", "13800000003", "2026-11-02 10:00", "--model", "凯美瑞")
    lc.ok("win", "王五", now="2026-11-03T10:00:00")
    lc.ok("deliver", "王五", now="2026-11-19T15:00:00")
    log(lc, "王五", "2026-11-20 10:00", content="交车后第一天回访")
    report = weekly(lc)
    assert (report["totals"]["losses"], report["loss_reasons"], report["loss_competitors"]) == (1, {"": 1}, {"": 1})
    assert report["kpis"]["loss_clarity"] == ratio(0, 1)
    assert (report["orders"]["count"], report["orders"]["by_model"]) == (1, {"": 1})
    assert (report["deliveries"]["count"], report["deliveries"]["order_to_delivery_days"]["deliveries"]) == (2, 1)
    assert report["kpis"]["after_delivery"] == ratio(1, 2)  # 王五's day 1 and 3: none for an old deal


# -- orders and deliveries -----------------------------------------------------------------------------------


def test_an_order_from_before_the_week_still_waiting_for_its_car_is_waiting_at_the_weeks_end(lc):
    """王五 ordered in October and still waits for his car; 赵六 orders on Thursday 19th: two orders wait
    at W47's end."""
    add(lc, "王五", "13800000003", "2026-10-02 10:00", "--model", "凯美瑞")
    lc.ok("win", "王五", "--delivery", "2026-12-20", now="2026-10-08T10:00:00")
    add(lc, "赵六", "13800000004", "2026-11-02 10:00", "--model", "凯美瑞")
    lc.ok("win", "赵六", now="2026-11-19T10:00:00")
    report = weekly(lc)
    assert (report["orders"]["count"], report["orders"]["waiting_for_delivery_at_end"]) == (1, 2)


def test_a_car_delivered_after_its_card_changed_hands_is_the_new_owners_delivery(lc):
    """张三 ordered from 王芳; his card goes to 李强 on Wednesday 18th, who hands over the car on Friday
    20th and calls him on Saturday for the day-1 visit — a first call logged on the card by mistake
    that morning is withdrawn."""
    sales_floor(lc)
    add(lc, "张三", "13800000001", "2026-11-02 10:00", "--owner", "王芳", "--model", "凯美瑞")
    lc.ok("win", "张三", now="2026-11-03T10:00:00", user="王芳")
    lc.ok("assign", "张三", "李强", now="2026-11-18T10:00:00")
    lc.ok("deliver", "张三", now="2026-11-20T15:00:00", user="李强")
    log(lc, "张三", "2026-11-21 09:00", content="打错电话", user="李强")
    lc.ok("log", "张三", "--void", "1", "--reason", "记错卡片", now="2026-11-21T09:30:00", user="李强")
    log(lc, "张三", "2026-11-21 10:00", content="交车后第一天回访", user="李强")
    report = weekly(lc)
    assert [(o["owner"], o["deliveries"], o["kpis"]["after_delivery"]) for o in report["by_owner"]] == [
        ("李强", 1, ratio(1, 1))]
    assert report["deliveries"]["count"] == 1


def test_cars_delivered_in_the_week_stay_the_sellers_deliveries_when_the_cards_move_after_it(lc):
    """王芳 hands 张三 and 李四 their cars on Thursday 19th and calls them on Friday (their day-3 visits,
    on Sunday, are not made); on Tuesday 24th both cards go to 李强: W47's deliveries and their visits
    are still hers."""
    sales_floor(lc)
    for n, name in enumerate(("张三", "李四"), start=1):
        add(lc, name, f"1380000000{n}", "2026-11-02 10:00", "--owner", "王芳", "--model", "凯美瑞")
        lc.ok("win", name, now="2026-11-03T10:00:00", user="王芳")
        lc.ok("deliver", name, now="2026-11-19T15:00:00", user="王芳")
        log(lc, name, "2026-11-20 10:00", content="交车后第一天回访", user="王芳")
        lc.ok("assign", name, "李强", now="2026-11-24T10:00:00")
    assert [(o["owner"], o["deliveries"], o["kpis"]["after_delivery"]) for o in weekly(lc)["by_owner"]] == [
        ("王芳", 2, ratio(2, 4))]


def test_an_order_cancelled_at_the_next_weeks_first_instant_stood_at_the_weeks_end(lc):
    """赵六 orders on Thursday 19th and cancels at midnight opening W48: W47 keeps his order standing."""
    add(lc, "赵六", "13800000004", "2026-11-02 10:00", "--model", "凯美瑞")
    lc.ok("win", "赵六", now="2026-11-19T10:00:00")
    lc.ok("cancel-order", "赵六", "--reason", "贷款未过", now="2026-11-23T00:00:00")
    report = weekly(lc)
    assert (report["totals"]["wins"], report["orders"]["standing"], report["cancellations"]["count"]) == (1, 1, 0)


def test_days_from_order_to_delivery_are_the_store_days_between_them(lc):
    """张三 orders at 07:30 on Tuesday 10th and takes his car at 07:00 on Wednesday 18th — both still the
    day before in UTC: eight days."""
    add(lc, "张三", "13800000001", "2026-11-02 10:00", "--model", "凯美瑞")
    lc.ok("win", "张三", now="2026-11-10T07:30:00")
    lc.ok("deliver", "张三", now="2026-11-18T07:00:00")
    days = weekly(lc)["deliveries"]["order_to_delivery_days"]
    assert days == {"deliveries": 1, "average": 8.0, "longest": 8}


def test_a_friend_sent_at_the_weeks_first_instant_is_the_weeks_referral_and_one_at_the_next_weeks_is_not(lc):
    add(lc, "刘先生", "13800000009", "2026-10-01 10:00", "--model", "凯美瑞")
    add(lc, "张三", "13800000001", "2026-11-16 00:00", "--referred-by", "刘先生")
    add(lc, "李四", "13800000002", "2026-11-23 00:00", "--referred-by", "刘先生")
    report = weekly(lc)
    assert [(r["name"], r["referrals"]) for r in report["referrers"]] == [("刘先生", 1)]
    assert report["totals"]["referrals"] == 1


def test_referrers_the_consultant_may_not_see_are_counted_together_unnamed_in_her_report(lc):
    """李强's customers 刘先生 and 陈女士 send 王芳 one friend and two in W47, and 孙丽's customer 吴先生 one
    (the first to come); her own customer 周先生 sends her one, who orders on Thursday. Her report names
    周先生 and counts the other four together, unnamed, last; the manager's names them all, the most
    referrals first, then the most orders, then by card."""
    sales_floor(lc)
    add(lc, "刘先生", "13800000009", "2026-10-01 10:00", "--owner", "李强", "--model", "凯美瑞")
    add(lc, "陈女士", "13800000008", "2026-10-01 10:00", "--owner", "李强", "--model", "凯美瑞")
    add(lc, "周先生", "13800000007", "2026-10-01 10:00", "--owner", "王芳", "--model", "凯美瑞")
    add(lc, "吴先生", "13800000006", "2026-10-01 10:00", "--owner", "孙丽", "--model", "凯美瑞")
    referred = (("孙七", "吴先生"), ("张三", "刘先生"), ("李四", "陈女士"), ("赵六", "陈女士"), ("王五", "周先生"))
    for n, (name, referrer) in enumerate(referred, start=1):
        add(lc, name, f"1380000000{n}", "2026-11-17 10:00", "--owner", "王芳", "--referred-by", referrer,
            "--model", "凯美瑞")
    lc.ok("win", "王五", now="2026-11-19T10:00:00", user="王芳")
    assert weekly(lc, user="王芳")["referrers"] == [
        {"ref": "A00003", "name": "周先生", "owner": "王芳", "referrals": 1, "won": 1},
        {"ref": None, "name": None, "owner": None, "referrals": 4, "won": 0}]
    report = weekly(lc)
    assert [(o["owner"], o["referrals"]) for o in report["by_owner"]] == [("孙丽", 0), ("李强", 0), ("王芳", 5)]
    assert [(r["ref"], r["name"], r["owner"], r["referrals"], r["won"]) for r in report["referrers"]] == [
        ("A00002", "陈女士", "李强", 2, 0), ("A00003", "周先生", "王芳", 1, 1), ("A00001", "刘先生", "李强", 1, 0),
        ("A00004", "吴先生", "孙丽", 1, 0)]


def test_two_consultants_wins_after_one_follow_up_each_add_up(lc):
    """王芳 and 李强 each win a customer on Wednesday 18th after a single call: two wins after one
    follow-up in W47, one on each line."""
    sales_floor(lc)
    for n, (name, owner) in enumerate((("张三", "王芳"), ("李四", "李强")), start=1):
        add(lc, name, f"1380000000{n}", "2026-11-16 10:00", "--owner", owner, "--model", "凯美瑞")
        log(lc, name, "2026-11-16 11:00", content="试驾满意", user=owner)
        lc.ok("win", name, now="2026-11-18T10:00:00", user=owner)
    report = weekly(lc)
    assert [b["wins"] for b in report["followups_per_win"]] == [0, 2, 0, 0, 0]
    assert [[b["wins"] for b in o["followups_per_win"]] for o in report["by_owner"]] == [[0, 1, 0, 0, 0]] * 2


def test_grade_accuracy_goes_by_grader_then_by_grade(lc):
    """李强 graded 张三 A on 20 October, whose 30 days end in W47; 王芳 graded 李四 H on Monday 9th, whose
    7 days end in it too: 李强's line comes first, though H is the hotter grade."""
    sales_floor(lc)
    add(lc, "张三", "13800000001", "2026-10-01 10:00", "--owner", "李强")
    add(lc, "李四", "13800000002", "2026-10-01 10:00", "--owner", "王芳")
    lc.ok("grade", "张三", "A", now="2026-10-20T10:00:00", user="李强")
    lc.ok("grade", "李四", "H", now="2026-11-09T10:00:00", user="王芳")
    accuracy = [(g["grader"], g["grade"], g["numerator"], g["denominator"]) for g in weekly(lc)["grade_accuracy"]]
    assert accuracy == [("李强", "A", 0, 1), ("王芳", "H", 0, 1)]


def test_a_grading_whose_call_was_withdrawn_after_the_week_still_counts_in_it(lc):
    """王五 was graded H at a call on Monday 9th; the call is withdrawn on Tuesday 24th as logged on the
    wrong card. In W47, where the grade's 7 days ended, it stood: one H grading, not won."""
    add(lc, "王五", "13800000003", "2026-11-01 10:00", "--model", "凯美瑞")
    log(lc, "王五", "2026-11-09 10:00", "phone", "--grade", "H", content="客户说本周订车")
    lc.ok("log", "王五", "--void", "1", "--reason", "记错卡片", now="2026-11-24T10:00:00")
    accuracy = [(g["grader"], g["grade"], g["numerator"], g["denominator"]) for g in weekly(lc)["grade_accuracy"]]
    assert accuracy == [(None, "H", 0, 1)]


def test_paper_cards_made_at_the_next_weeks_first_instant_are_not_in_the_week(lc, tmp_path):
    """Two paper cards the manager imports say they were made at midnight opening W48 and lost that
    morning; one of them is handed to 王芳 since. Neither is in W47: the manager and 王芳 hold nothing
    then. (A closing date before the card's own day is refused by the import.)"""
    sales_floor(lc)
    sheet = tmp_path / "cards.csv"
    sheet.write_text("姓名,电话,状态,建卡时间,状态时间\n周八,13800000008,战败,2026-11-23 00:00,2026-11-23 10:00\n"
                     "吴九,13800000009,战败,2026-11-23 00:00,2026-11-23 10:00\n", encoding="utf-8")
    lc.ok("import", str(sheet), now="2026-11-24T10:00:00")
    lc.ok("assign", "A00002", "王芳", now="2026-11-24T11:00:00")
    add(lc, "张三", "13800000001", "2026-11-17 10:00", "--owner", "李强")
    assert [o["owner"] for o in weekly(lc)["by_owner"]] == ["李强"]


def test_what_happens_at_midnight_opening_w48_is_w48s_in_the_trend_too(lc):
    """At 00:00 on Monday 23rd: 乙's card is made, 戊 orders, 丁 cancels the order he placed on the 10th,
    壬 asks to be given up, 辛 — dormant since March — answers a call, and so does 寅, whom an SMS woke
    on Wednesday 18th. The trend's W47 has none of it; its W48 has all of it."""
    add(lc, "乙", "13800000002", "2026-11-23 00:00")
    for n, name in ((5, "戊"), (4, "丁"), (6, "壬")):
        add(lc, name, f"1380000000{n}", "2026-11-02 10:00", "--model", "凯美瑞")
    lc.ok("win", "戊", now="2026-11-23T00:00:00")
    lc.ok("win", "丁", now="2026-11-10T10:00:00")
    lc.ok("cancel-order", "丁", "--reason", "价格", now="2026-11-23T00:00:00")
    lc.ok("lose", "壬", "--reason", "价格", "--competitor", "本田雅阁", now="2026-11-23T00:00:00")
    for n, name in ((7, "辛"), (8, "寅")):
        add(lc, name, f"1380000000{n}", "2026-03-02 10:00", "--grade", "C")
        log(lc, name, "2026-03-03 10:00")
    log(lc, "寅", "2026-11-18 10:00", "sms", content="新款上市问候")
    log(lc, "寅", "2026-11-23 00:00")
    log(lc, "辛", "2026-11-23 00:00")
    trend = lc.json("report", "trend", "--weeks", "2", now="2026-11-30T09:00:00")
    counts = {key: trend["counts"][key] for key in ("new_cards", "followups", "wins", "orders", "cancellations")}
    assert counts == {"new_cards": [0, 1], "followups": [1, 2], "wins": [0, 1], "orders": [0, 1],
                      "cancellations": [0, 1]}
    assert trend["ratios"]["loss_clarity"] == [ratio(0, 0), ratio(0, 1)]
    assert trend["ratios"]["reactivation"] == [ratio(0, 1), ratio(1, 1)]


def test_a_wake_up_by_a_message_withdrawn_in_the_week_was_none_and_one_withdrawn_after_it_stands(lc):
    """丑 and 寅, dormant since March, are each woken on Tuesday 17th: 丑 by an SMS that turns out to be
    logged on the wrong card and is withdrawn the next day; 寅 by a call he answered, withdrawn on
    Tuesday 24th for the same reason. W47 had one wake-up, answered."""
    for n, name in ((1, "丑"), (2, "寅")):
        add(lc, name, f"1380000000{n}", "2026-03-02 10:00", "--grade", "C")
        log(lc, name, "2026-03-03 10:00")
    log(lc, "丑", "2026-11-17 10:00", "sms", content="新款上市问候")
    lc.ok("log", "丑", "--void", "2", "--reason", "记错卡片", now="2026-11-18T10:00:00")
    log(lc, "寅", "2026-11-17 10:00", content="客户接听，下月看车")
    lc.ok("log", "寅", "--void", "2", "--reason", "记错卡片", now="2026-11-24T10:00:00")
    report = weekly(lc)
    assert (report["totals"]["woken"], report["kpis"]["reactivation"]) == (1, ratio(1, 1))


def test_a_call_withdrawn_in_the_week_is_neither_counted_nor_a_contact_and_one_withdrawn_after_it_is(lc):
    """卯 and 辰, last reached in April, are each called on Monday 16th, logged on the wrong card: 卯's
    call is withdrawn on Wednesday 18th, 辰's on Tuesday 24th. W47 counts one follow-up (辰's), and
    ends with 卯 dormant — his call never was one — and 辰 in the funnel."""
    for n, name in ((1, "卯"), (2, "辰")):
        add(lc, name, f"1380000000{n}", "2026-04-01 10:00", "--grade", "C")
        log(lc, name, "2026-04-02 10:00")
        log(lc, name, "2026-11-16 10:00")
    lc.ok("log", "卯", "--void", "2", "--reason", "记错卡片", now="2026-11-18T10:00:00")
    lc.ok("log", "辰", "--void", "2", "--reason", "记错卡片", now="2026-11-24T10:00:00")
    report = weekly(lc)
    assert (report["totals"]["followups"], report["followups_by_channel"]["phone"]) == (1, 1)
    assert (report["totals"]["dormant_at_end"], report["funnel"]["C"]) == (1, 1)


def test_a_supervisor_judges_the_first_grading_made_in_the_team_of_a_card_graded_before_it_came(lc):
    """午, 孙丽's card in 二组, is graded A by her on Sunday 18 October, handed to 王芳 in 一组 on the 19th,
    graded B by 王芳 on the 20th and A again on the 21st: both A gradings in the A grade's 30-day window
    that ends in W47. The manager judges 孙丽's, the card's first there; 钱主管, who never saw hers,
    王芳's."""
    sales_floor(lc)
    add(lc, "午", "13800000001", "2026-10-17 10:00", "--owner", "孙丽")
    log(lc, "午", "2026-10-18 10:00", "phone", "--grade", "A", user="孙丽")
    lc.ok("assign", "午", "王芳", now="2026-10-19T10:00:00")
    log(lc, "午", "2026-10-20 10:00", "phone", "--grade", "B", user="王芳")
    log(lc, "午", "2026-10-21 10:00", "phone", "--grade", "A", user="王芳")

    def judged(user):
        return [(g["grader"], g["grade"], g["denominator"]) for g in weekly(lc, user=user)["grade_accuracy"]]

    assert judged("赵经理") == [("孙丽", "A", 1)]
    assert judged("钱主管") == [("王芳", "A", 1)]
