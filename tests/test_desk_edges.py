"""The deal desk, the showroom's traffic and the month's targets at their edges (issue 22): a quote on
its last valid day and the first minute after it, a paper record typed in at the card's first minute
or a minute ahead of the clock, an invitation kept at the last minute of its day, a target set the
last minute before its month is over."""

import pytest

from conftest import sales_floor


@pytest.fixture
def desk(lc):
    """王芳's customer 张三 (A00001, 凯美瑞), carded on 2 May at 10:00 and called at 11:00."""
    sales_floor(lc)
    lc.ok("add", "张三", "--phone", "13800138000", "--model", "凯美瑞", "--grade", "A", "--owner", "王芳",
          now="2026-05-02T10:00:00")
    lc.user = "王芳"
    lc.ok("log", "张三", "--channel", "phone", "--content", "确认配置，约到店谈价", "--next", "2026-05-03 10:00",
          now="2026-05-02T11:00:00")
    return lc


# -- quotes ------------------------------------------------------------------------------------------------


def test_a_quote_valid_through_today_is_given_and_one_that_ended_yesterday_is_refused(desk):
    given = desk.json("quote", "张三", "--price", "199800", "--valid-until", "2026-05-03", now="2026-05-03T20:00:00")
    assert given["valid_until"] == "2026-05-03"
    refused = desk("quote", "张三", "--price", "199800", "--valid-until", "2026-05-02", now="2026-05-03T20:00:00")
    assert refused.exit_code == 2 and "2026-05-02" in refused.stderr


def test_a_discount_one_yuan_below_the_price_is_a_quote(desk):
    assert desk.json("quote", "张三", "--price", "1000", "--discount", "999")["net"] == 1


def test_a_quote_lapses_at_the_first_minute_after_its_last_valid_day(desk):
    desk.ok("quote", "张三", "--price", "199800", "--discount", "2000", "--valid-until", "2026-05-10",
            now="2026-05-03T10:00:00")

    def lapsed(now):
        return desk.json("audit", "--rule", "quote-expired", user="赵经理", now=now)["findings"]

    assert lapsed("2026-05-10T23:59:00") == []
    [finding] = lapsed("2026-05-11T00:00:00")
    assert (finding["at"], finding["message"], finding["expected"], finding["actual"]) == (
        "2026-05-11T00:00:00+08:00", "第 1 次报价（05-03，197,800元）有效期至 05-10，已过期 1 天，报价后没有再联系上客户",
        "报价有效期内跟进客户，或重新报价", "过期 1 天未联系")
    # still lapsed a week on: an audit of that day alone names it again
    [later] = desk.json("audit", "--rule", "quote-expired", "--since", "2026-05-18", user="赵经理",
                        now="2026-05-18T09:00:00")["findings"]
    assert (later["at"], later["actual"]) == ("2026-05-11T00:00:00+08:00", "过期 8 天未联系")


# -- paper records typed in: within the card's life ------------------------------------------------------


def test_a_trade_in_typed_in_at_the_cards_first_minute_is_kept_and_a_minute_earlier_is_refused(desk):
    early = desk("trade-in", "张三", "--vehicle", "2016 卡罗拉", "--appraisal", "68000", "--at", "2026-05-02 09:59",
                 now="2026-05-03T09:00:00")
    assert (early.exit_code, early.stderr) == (2, "leadcard: --at 不能早于建卡时间（2026-05-02 10:00）\n")
    kept = desk.json("trade-in", "张三", "--vehicle", "2016 卡罗拉", "--appraisal", "68000", "--at", "2026-05-02 10:00",
                     now="2026-05-03T09:00:00")
    assert kept["at"] == "2026-05-02T10:00:00+08:00"


def test_a_loan_step_a_minute_ahead_of_the_clock_is_kept_and_two_minutes_ahead_is_refused(desk):
    ahead = desk.json("finance", "张三", "--status", "applied", "--bank", "工商银行", "--at", "2026-05-03 09:01",
                      now="2026-05-03T09:00:00")
    assert ahead["at"] == "2026-05-03T09:01:00+08:00"
    refused = desk("finance", "张三", "--status", "approved", "--at", "2026-05-03 09:02", now="2026-05-03T09:00:00")
    assert (refused.exit_code, refused.stderr) == (2, "leadcard: --at 不能是将来的时间（2026-05-03 09:02）\n")


# -- the showroom's traffic: the week is [Monday 00:00, next Monday 00:00) ----------------------------------


def visit(lc, at, *args):
    return lc.json("visit", "add", "--at", at, *args, user="王芳", now=at.replace(" ", "T") + ":00")


def log(lc, ref, at, channel, *args, content="跟进"):
    lc.ok("log", ref, "--channel", channel, "--content", content, "--at", at, *args, user="王芳",
          now=at.replace(" ", "T") + ":00")


def traffic(lc):
    return lc.json("report", "weekly", "--week", "2026-W47", user="赵经理", now="2026-11-25T10:00:00")["traffic"]


def test_a_visit_and_a_test_drive_at_the_weeks_first_instant_count_and_at_the_next_weeks_do_not(lc):
    sales_floor(lc)
    for at, phone in (("2026-11-15 23:59", "13900000001"), ("2026-11-16 00:00", "13900000002"),
                      ("2026-11-23 00:00", "13900000003")):
        visit(lc, at, "--phone", phone)
    lc.ok("add", "甲", "--phone", "13900000009", "--owner", "王芳", "--at", "2026-11-15 10:00", user="王芳",
          now="2026-11-15T10:00:00")
    for at in ("2026-11-16 00:00", "2026-11-23 00:00"):
        log(lc, "甲", at, "test-drive", "--licence-checked", content="上门试驾")
    week = traffic(lc)
    assert (week["first_visits"], week["test_drives"]) == (1, 1)


def test_an_invitation_kept_at_the_last_minute_of_its_day_counts_and_at_midnight_does_not(lc):
    sales_floor(lc)
    for name, phone in (("乙", "13900000011"), ("丙", "13900000012"), ("丁", "13900000013"), ("戊", "13900000014")):
        lc.ok("add", name, "--phone", phone, "--owner", "王芳", "--at", "2026-11-15 09:00", user="王芳",
              now="2026-11-15T09:00:00")
    log(lc, "乙", "2026-11-15 10:00", "phone", "--next", "2026-11-16 00:00", "--purpose", "邀约到店")  # the first instant
    log(lc, "乙", "2026-11-16 23:59", "visit", content="晚上才来店")
    log(lc, "丙", "2026-11-15 10:00", "phone", "--next", "2026-11-18 10:00", "--purpose", "邀约到店")
    log(lc, "丙", "2026-11-19 00:00", "visit", content="次日零点才到")
    log(lc, "丁", "2026-11-15 10:00", "phone", "--next", "2026-11-23 00:00", "--purpose", "邀约到店")  # next week's
    log(lc, "戊", "2026-11-17 10:00", "visit", "--next", "2026-11-20 10:00", "--purpose", "邀约再次到店试驾",
        content="到店看车")  # invited in the showroom; that visit is not the one invited for
    week = traffic(lc)
    assert (week["invitation"]["numerator"], week["invitation"]["denominator"]) == (1, 3)


# -- the month's target ------------------------------------------------------------------------------------


def test_a_target_is_set_until_the_last_minute_of_its_month_and_not_at_midnight_after(lc):
    sales_floor(lc)
    assert lc.json("target", "set", "王芳", "--month", "2026-11", "--orders", "0", user="赵经理",
                   now="2026-11-30T23:59:00")["orders"] == 0
    refused = lc("target", "set", "王芳", "--month", "2026-11", "--orders", "4", user="赵经理", now="2026-12-01T00:00:00")
    assert refused.exit_code == 1 and "2026-11" in refused.stderr


def test_a_target_set_at_the_weeks_last_instant_counts_for_it_and_one_set_at_its_end_does_not(lc):
    sales_floor(lc)
    lc.ok("target", "set", "王芳", "--month", "2026-11", "--orders", "4", user="赵经理", now="2026-11-22T23:59:00")
    lc.ok("target", "set", "王芳", "--month", "2026-11", "--orders", "6", user="赵经理", now="2026-11-23T00:00:00")
    lc.ok("target", "set", "王芳", "--month", "2026-11", "--orders", "8", user="钱主管", now="2026-11-23T00:00:00")

    def target(week):
        [standing] = lc.json("report", "weekly", "--week", week, user="赵经理",
                             now="2026-12-02T09:00:00")["targets"]["by_consultant"]
        return standing["target"] and (standing["target"]["orders"], standing["target"]["set_by"])

    assert target("2026-W47") == (4, "赵经理")
    assert target("2026-W48") == (8, "钱主管")  # set twice in one minute: the later one stands


def test_an_order_at_the_months_first_instant_counts_toward_its_target_and_one_a_minute_earlier_does_not(lc):
    sales_floor(lc)
    lc.ok("target", "set", "王芳", "--month", "2026-11", "--orders", "4", user="赵经理", now="2026-10-20T09:00:00")
    for name, phone, won in (("甲", "13900000001", "2026-10-31T23:59:00"), ("乙", "13900000002", "2026-11-01T00:00:00")):
        lc.ok("add", name, "--phone", phone, "--owner", "王芳", "--at", "2026-10-20 10:00", user="王芳",
              now="2026-10-20T10:00:00")
        lc.ok("win", name, "--model", "凯美瑞", user="王芳", now=won)
    [standing] = lc.json("report", "monthly", "--month", "2026-11", user="赵经理", now="2026-12-02T09:00:00")["by_owner"]
    assert (standing["attainment"], standing["forecast"]["orders_so_far"]) == (
        {"numerator": 1, "denominator": 4, "rate": 0.25}, 1)


# -- what the desk refuses, told in full -------------------------------------------------------------------


def refused(lc, *args, code=2, **kwargs) -> str:
    result = lc(*args, **kwargs)
    assert result.exit_code == code, result.stderr
    return result.stderr


def test_a_quote_named_wrong_is_refused_with_what_was_wrong(desk):
    assert refused(desk, "quote", "张三", "--price", "0") == "leadcard: 报价金额要大于 0（--price）\n"
    assert refused(desk, "quote", "张三", "--price", "1000", "--discount", "1000") == (
        "leadcard: 优惠（1000）要小于报价（1000）\n")
    assert refused(desk, "quote", "张三", "--price", "1000", "--valid-until", "2026-05-01", now="2026-05-02T12:00:00") == (
        "leadcard: 有效期到 2026-05-01 的报价已经过期了：--valid-until 不能早于今天\n")
    assert desk.json("quote", "张三", "--price", "1")["net"] == 1  # a token price is still a price


def test_a_quote_takes_the_cards_model_and_blank_extras_are_none(desk):
    given = desk.json("quote", "张三", "--price", "199800", "--model", "  ", "--extras", "  ")
    assert (given["model"], given["extras"]) == ("凯美瑞", None)
    other = desk.json("quote", "张三", "--price", "209800", "--model", " 凯美瑞 双擎 ", "--extras", " 脚垫 ")
    assert (other["model"], other["extras"]) == ("凯美瑞 双擎", "脚垫")


def test_a_closed_card_takes_no_quote_appraisal_or_approval(desk):
    desk.ok("quote", "张三", "--price", "199800", "--discount", "8000", now="2026-05-03T10:00:00")
    desk.ok("lose", "张三", "--reason", "价格", "--competitor", "本田雅阁", now="2026-05-03T11:00:00")
    desk.ok("approve", "张三", user="钱主管", now="2026-05-03T12:00:00")
    assert refused(desk, "quote", "张三", "--price", "189800", code=1) == (
        "leadcard: 卡片 A00001 的状态是 战败：只有跟进中的卡片才能报价\n")
    assert refused(desk, "quote", "approve", "张三", "1", user="钱主管", code=1) == (
        "leadcard: 卡片 A00001 的状态是 战败：报价已关闭，不能再批价\n")
    assert refused(desk, "trade-in", "张三", "--vehicle", "卡罗拉", "--appraisal", "60000", code=1) == (
        "leadcard: 卡片 A00001 的状态是 战败：不能做置换评估\n")
    assert refused(desk, "finance", "张三", "--status", "applied", code=1) == (
        "leadcard: 卡片 A00001 的状态是 战败：不能记贷款申请\n")


def test_a_trade_in_names_its_car(desk):
    assert refused(desk, "trade-in", "张三", "--vehicle", "", "--appraisal", "60000") == (
        "leadcard: 置换的是哪辆车？--vehicle（品牌、车型、年份、里程）\n")
    kept = desk.json("trade-in", "张三", "--vehicle", " 2016 卡罗拉 ", "--appraisal", "60000", now="2026-05-03T09:00:00")
    assert (kept["vehicle"], kept["at"], kept["author"]) == ("2016 卡罗拉", "2026-05-03T09:00:00+08:00", "王芳")


def test_a_store_without_users_approves_a_quote_once_by_nobody(lc):
    lc.ok("add", "张三", "--phone", "13800138000", "--model", "凯美瑞", now="2026-05-02T10:00:00")
    lc.ok("quote", "张三", "--price", "199800", "--discount", "8000", now="2026-05-02T11:00:00")
    assert lc.json("quote", "approve", "张三", "1", now="2026-05-02T12:00:00")["approved_by"] is None
    assert refused(lc, "quote", "approve", "张三", "1", code=1) == (
        "leadcard: 卡片 A00001 的第 1 次报价已经批过价\n")


def test_a_loan_step_keeps_the_bank_and_amount_named_before_and_a_loan_of_nothing_is_refused(desk):
    desk.ok("finance", "张三", "--status", "applied", "--bank", "工商银行", "--amount", "150000", now="2026-05-03T09:00:00")
    step = desk.json("finance", "张三", "--status", "approved", "--bank", "  ", now="2026-05-04T09:00:00")
    assert (step["bank"], step["amount"]) == ("工商银行", 150000)
    assert refused(desk, "finance", "张三", "--status", "approved", "--amount", "0") == (
        "leadcard: 贷款金额要大于 0（--amount）\n")
    assert desk.json("finance", "张三", "--status", "approved", "--amount", "1", now="2026-05-05T09:00:00")["amount"] == 1


def test_the_cards_own_consultant_may_not_approve_a_quote_the_manager_gave_and_is_told_what_was_refused(desk):
    desk.ok("quote", "张三", "--price", "199800", "--discount", "8000", user="赵经理")
    told = refused(desk, "quote", "approve", "张三", "1", code=1)
    assert "A00001" in told and "王芳" in told and "须由其他主管或经理来批第 1 次报价" in told
    assert desk.json("show", "张三")["quote"]["status"] == "pending"


def test_every_visit_of_a_kind_is_counted_whatever_else_its_log_line_says(lc):
    sales_floor(lc)
    lc.ok("visit", "add", "--source", "来电", "--at", "2026-11-16 09:00", user="李强", now="2026-11-16T09:00:00")
    visit(lc, "2026-11-16 10:00", "--source", "来电", "--phone", "13900000001")  # a phone-in that left a number
    visit(lc, "2026-11-16 11:00", "--source", "来电")
    visit(lc, "2026-11-16 14:00", "--phone", "13900000002", "--test-drive")  # two first visits that left a number
    visit(lc, "2026-11-16 15:00", "--phone", "13900000003")
    lc.ok("add", "丙", "--phone", "13900000004", "--owner", "王芳", "--at", "2026-11-10 10:00", user="王芳",
          now="2026-11-10T10:00:00")
    visit(lc, "2026-11-17 10:00", "--phone", "13900000004", "--test-drive")  # 丙 back twice, driving once
    visit(lc, "2026-11-18 10:00", "--phone", "13900000004")
    week = traffic(lc)
    wang = next(t for t in week["by_consultant"] if t["owner"] == "王芳")
    assert (wang["phone_ins"], wang["first_visits"], wang["return_visits"]) == (2, 2, 2)
    assert (wang["card"]["numerator"], wang["test_drive"]["numerator"], wang["close"]["numerator"]) == (2, 2, 0)
    assert (week["phone_ins"], week["first_visits"]) == (3, 2)  # 李强's phone-in is counted before 王芳's rows
    li = next(t for t in week["by_consultant"] if t["owner"] == "李强")  # a phone-in, no card: nothing closed
    assert (li["phone_ins"], li["close"]["numerator"]) == (1, 0)


def test_an_invitation_written_only_in_the_plan_is_an_invitation(lc):
    sales_floor(lc)
    lc.ok("add", "丁", "--phone", "13900000031", "--owner", "王芳", "--at", "2026-11-15 09:00", user="王芳",
          now="2026-11-15T09:00:00")
    log(lc, "丁", "2026-11-15 10:00", "phone", "--next", "2026-11-18 10:00", "--plan", "周三邀约到店试驾新款")
    week = traffic(lc)
    assert (week["invitation"]["numerator"], week["invitation"]["denominator"]) == (0, 1)


def test_the_targets_are_listed_as_set_by_the_clocks_second(lc):
    sales_floor(lc)
    lc.ok("target", "set", "王芳", "--month", "2026-11", "--orders", "4", user="赵经理", now="2026-11-03T09:00:00")
    lc.ok("target", "set", "王芳", "--month", "2026-11", "--orders", "6", user="赵经理", now="2026-11-03T09:00:01")

    def listed(now):
        return [t["orders"] for t in lc.json("target", "list", user="赵经理", now=now)["targets"]]

    assert listed("2026-11-03T09:00:00") == [4]  # the one set a second later is not there yet
    assert listed("2026-11-03T09:00:01") == [6]


def test_a_target_of_no_orders_and_no_deliveries_is_a_target(lc):
    sales_floor(lc)
    made = lc.json("target", "set", "王芳", "--month", "2026-11", "--orders", "0", "--deliveries", "0", user="赵经理",
                   now="2026-11-03T09:00:00")
    assert (made["orders"], made["deliveries"]) == (0, 0)


def test_who_may_not_set_a_target_is_told_why(lc):
    sales_floor(lc)
    told = refused(lc, "target", "set", "王芳", "--orders", "4", user="王芳", now="2026-11-03T09:00:00", code=1)
    assert "只有主管或经理才能设定目标" in told
    assert refused(lc, "target", "set", "孙丽", "--orders", "4", user="钱主管", now="2026-11-03T09:00:00", code=1) == (
        "leadcard: 钱主管 只能设定一组顾问的目标；孙丽 的目标由经理设定\n")


def test_a_plan_changed_at_midnight_of_the_invited_day_still_stood_the_day(lc):
    sales_floor(lc)
    lc.ok("add", "戊", "--phone", "13900000041", "--owner", "王芳", "--at", "2026-11-15 09:00", user="王芳",
          now="2026-11-15T09:00:00")
    log(lc, "戊", "2026-11-15 10:00", "phone", "--next", "2026-11-18 10:00", "--purpose", "邀约到店")
    log(lc, "戊", "2026-11-18 00:00", "wechat", "--next", "2026-11-25 10:00", "--purpose", "改约下周")  # on the day
    week = traffic(lc)
    assert (week["invitation"]["numerator"], week["invitation"]["denominator"]) == (0, 1)


def test_two_orders_in_the_month_are_two_toward_the_target(lc):
    sales_floor(lc)
    lc.ok("target", "set", "王芳", "--month", "2026-11", "--orders", "4", user="赵经理", now="2026-11-01T09:00:00")
    for name, phone in (("甲", "13900000051"), ("乙", "13900000052")):
        lc.ok("add", name, "--phone", phone, "--owner", "王芳", "--at", "2026-11-02 10:00", user="王芳",
              now="2026-11-02T10:00:00")
        lc.ok("win", name, "--model", "凯美瑞", user="王芳", now="2026-11-05T10:00:00")
    [standing] = lc.json("report", "monthly", "--month", "2026-11", user="赵经理", now="2026-12-02T09:00:00")["by_owner"]
    assert standing["attainment"] == {"numerator": 2, "denominator": 4, "rate": 0.5}
