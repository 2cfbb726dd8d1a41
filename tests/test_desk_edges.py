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
    assert (finding["at"], finding["actual"]) == ("2026-05-11T00:00:00+08:00", "过期 1 天未联系")


# -- paper records typed in: within the card's life ------------------------------------------------------


def test_a_trade_in_typed_in_at_the_cards_first_minute_is_kept_and_a_minute_earlier_is_refused(desk):
    early = desk("trade-in", "张三", "--vehicle", "2016 卡罗拉", "--appraisal", "68000", "--at", "2026-05-02 09:59",
                 now="2026-05-03T09:00:00")
    assert early.exit_code == 2 and "2026-05-02 10:00" in early.stderr
    kept = desk.json("trade-in", "张三", "--vehicle", "2016 卡罗拉", "--appraisal", "68000", "--at", "2026-05-02 10:00",
                     now="2026-05-03T09:00:00")
    assert kept["at"] == "2026-05-02T10:00:00+08:00"


def test_a_loan_step_a_minute_ahead_of_the_clock_is_kept_and_two_minutes_ahead_is_refused(desk):
    ahead = desk.json("finance", "张三", "--status", "applied", "--bank", "工商银行", "--at", "2026-05-03 09:01",
                      now="2026-05-03T09:00:00")
    assert ahead["at"] == "2026-05-03T09:01:00+08:00"
    refused = desk("finance", "张三", "--status", "approved", "--at", "2026-05-03 09:02", now="2026-05-03T09:00:00")
    assert refused.exit_code == 2 and "future" in refused.stderr
