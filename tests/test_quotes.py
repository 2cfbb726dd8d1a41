"""报价 and 经理批价: quotes numbered per card; a discount beyond the consultant's limit waits for a
supervisor of the team or the manager, never for whoever gave it; a quote left to lapse is audited."""

import sqlite3

import pytest

from conftest import database, sales_floor


def rows(lc) -> dict:
    with database(lc.db) as db:
        return {
            "quotes": db.execute("SELECT count(*), group_concat(coalesce(approved_at, '-')) FROM quotes").fetchone(),
            "events": db.execute("SELECT count(*) FROM card_events").fetchone()[0],
        }


@pytest.fixture
def floor(lc):
    """王芳's customer 张三 (A00001, 凯美瑞) and 李强's 李四 (A00002); 周主管 leads 二组."""
    sales_floor(lc, ("周主管", "supervisor", "二组"))
    lc.ok("add", "张三", "--phone", "13800138000", "--model", "凯美瑞", "--grade", "A", "--owner", "王芳",
          now="2026-05-01T10:00:00")
    lc.ok("add", "李四", "--phone", "13900139000", "--model", "雅阁", "--owner", "李强", now="2026-05-01T10:00:00")
    lc.user = "王芳"
    return lc


def test_a_discount_exactly_at_the_limit_needs_no_approval(floor):
    given = floor.json("quote", "张三", "--price", "19.98万", "--discount", "3000", "--extras", "脚垫、贴膜")
    assert {k: given[k] for k in ("ref", "seq", "price", "discount", "status")} == {
        "ref": "A00001", "seq": 1, "price": 199800, "discount": 3000, "status": "quoted"}
    assert (given["net"], given["model"], given["valid_until"], given["author"]) == (196800, "凯美瑞", "2026-05-10", "王芳")


def test_a_discount_just_above_the_limit_waits_for_the_managers_price_approval(floor):
    told = floor.ok("quote", "张三", "--price", "199800", "--discount", "3001").stdout
    assert "待批价" in told and "leadcard quote approve A00001 1" in told
    assert floor.json("show", "张三")["quote"]["status"] == "pending"


def test_quotes_are_numbered_per_card(floor):
    assert [floor.json("quote", "张三", "--price", p)["seq"] for p in ("199800", "189800")] == [1, 2]
    assert floor.json("quote", "李四", "--price", "179800", user="李强")["seq"] == 1
    assert [(q["seq"], q["price"]) for q in floor.json("show", "张三")["quotes"]] == [(1, 199800), (2, 189800)]


def test_the_supervisor_of_the_team_approves_and_the_approval_stays_in_the_history(floor):
    floor.ok("quote", "张三", "--price", "199800", "--discount", "8000", now="2026-05-03T10:00:00")
    approved = floor.json("quote", "approve", "A00001", "1", user="钱主管", now="2026-05-03T11:00:00")
    assert (approved["status"], approved["approved_by"], approved["approved_at"]) == (
        "approved", "钱主管", "2026-05-03T11:00:00+08:00")
    events = [e for e in floor.json("show", "张三")["events"] if e["kind"] == "quote-approved"]
    assert events == [{"at": "2026-05-03T11:00:00+08:00", "kind": "quote-approved", "by": "钱主管", "seq": 1,
                       "discount": 8000}]
    shown = floor.ok("show", "张三").stdout
    assert "经理批价  第 1 次报价，优惠 8,000元" in shown and "已批价（钱主管 05-03 11:00）" in shown
    assert "报价记录" in shown
    english = floor.ok("show", "张三", env={"LEADCARD_LANG": "en"}).stdout
    assert "Quotes" in english.splitlines() or any(line.strip() == "Quotes" for line in english.splitlines()), english


def test_nobody_approves_their_own_quote(floor):
    floor.ok("quote", "张三", "--price", "199800", "--discount", "8000")
    floor.ok("quote", "张三", "--price", "199800", "--discount", "9000", user="钱主管")
    before = rows(floor)
    own = floor("quote", "approve", "张三", "1")
    assert own.exit_code == 1 and "第 1 次报价是 王芳 报的" in own.stderr
    supervisor_own = floor("quote", "approve", "张三", "2", user="钱主管")
    assert supervisor_own.exit_code == 1 and "第 2 次报价是 钱主管 报的" in supervisor_own.stderr
    english = floor("quote", "approve", "张三", "2", user="钱主管", env={"LEADCARD_LANG": "en"})
    assert english.exit_code == 1 and "钱主管 gave quote #2" in english.stderr
    assert rows(floor) == before
    assert floor.json("quote", "approve", "张三", "2", user="赵经理")["approved_by"] == "赵经理"
    assert floor.json("quote", "approve", "张三", "1", user="钱主管")["approved_by"] == "钱主管"


@pytest.mark.parametrize("who", ["李强", "孙丽", "周主管"])
def test_a_colleague_or_another_teams_supervisor_may_not_approve(floor, who):
    floor.ok("quote", "张三", "--price", "199800", "--discount", "8000")
    before = rows(floor)
    refused = floor("quote", "approve", "A00001", "1", user=who)
    assert refused.exit_code == 1 and "凯美瑞" not in refused.stderr
    assert rows(floor) == before


@pytest.mark.parametrize("line, message, english", [
    (("quote", "approve", "张三", "1"), "卡片 A00001 的第 1 次报价优惠在顾问权限内，不用批价",
     "within the discount limit"),  # needs no approval
    (("quote", "approve", "张三", "2"), "卡片 A00001 的第 2 次报价已由 钱主管 批过价", "already approved by 钱主管"),
    (("quote", "approve", "张三", "9"), "卡片 A00001 没有第 9 次报价（见 leadcard show A00001）", "no quote #9"),
])
def test_only_a_pending_quote_is_approved_once(floor, line, message, english):
    floor.ok("quote", "张三", "--price", "199800", "--discount", "1000")
    floor.ok("quote", "张三", "--price", "199800", "--discount", "8000")
    floor.ok("quote", "approve", "张三", "2", user="钱主管")
    before = rows(floor)
    refused = floor(*line, user="赵经理")
    assert refused.exit_code == 1 and message in refused.stderr
    assert english in floor(*line, user="赵经理", env={"LEADCARD_LANG": "en"}).stderr
    assert rows(floor) == before


def test_the_limit_is_the_stores_policy(floor, tmp_path):
    policy = tmp_path / "store.toml"
    policy.write_text("quote_discount_limit = 10000\nquote_valid_days = 3\n", encoding="utf-8")
    floor.ok("init", "--policy-file", str(policy), user="赵经理")
    shown = floor.json("policy", "show")
    assert (shown["quote_discount_limit"], shown["quote_valid_days"]) == (10000, 3)
    assert "顾问报价优惠权限 10,000 元" in floor.ok("policy", "show").stdout
    given = floor.json("quote", "张三", "--price", "199800", "--discount", "10000")
    assert (given["status"], given["valid_until"]) == ("quoted", "2026-05-06")
    assert floor.json("quote", "张三", "--price", "199800", "--discount", "10001")["status"] == "pending"


@pytest.mark.parametrize("args", [
    ("张三",),
    ("张三", "--price", "很便宜"),
    ("张三", "--price", "199800", "--discount", "199800"),
    ("张三", "--price", "0"),
    ("张三", "--price", "199800", "--valid-until", "2026-05-02"),
    ("approve", "张三"),
    ("approve", "张三", "1", "--price", "199800"),
    ("张三", "1", "--price", "199800"),
], ids=["no-price", "not-a-price", "discount-the-whole-price", "zero-price", "lapsed-already", "approve-without-seq",
        "approve-with-a-price", "stray-argument"])
def test_a_malformed_quote_is_bad_input_and_writes_nothing(floor, args):
    before = rows(floor)
    result = floor("quote", *args)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert rows(floor) == before


def test_the_quote_goes_with_the_deal_to_its_delivery_and_no_further(floor):
    floor.ok("quote", "张三", "--price", "199800", "--discount", "2000", now="2026-05-02T10:00:00")
    floor.ok("win", "张三", "--model", "凯美瑞", "--delivery", "2026-05-20", now="2026-05-03T10:00:00")
    [waiting] = [i for i in floor.json("today", "--date", "2026-05-20")["items"] if i["ref"] == "A00001"]
    assert waiting["quote"]["net"] == 197800  # an order waiting for its car: the price it was taken at
    floor.ok("deliver", "张三", now="2026-05-20T15:00:00")
    [visit] = [i for i in floor.json("today", "--date", "2026-05-21")["items"] if i["ref"] == "A00001"]
    assert (visit["reason"], visit["quote"]) == ("after-delivery", None)  # an owner's visit: the price is history
    assert "报价" not in floor.ok("today", "--date", "2026-05-21").stdout


def test_a_quote_is_given_on_an_open_card_only(floor):
    floor.ok("win", "张三", "--model", "凯美瑞", user="王芳")
    refused = floor("quote", "张三", "--price", "199800")
    assert refused.exit_code == 1 and "状态是 成交" in refused.stderr
    assert floor("quote", "李四", "--price", "179800").exit_code == 1  # not 王芳's card


def test_show_and_today_carry_the_latest_quote(floor):
    floor.ok("log", "张三", "--channel", "phone", "--content", "客户嫌贵，要求再让", "--next", "2026-05-04",
             now="2026-05-03T09:00:00")
    floor.ok("quote", "张三", "--price", "199800", now="2026-05-03T10:00:00")
    floor.ok("quote", "张三", "--price", "199800", "--discount", "5000", "--extras", "脚垫", "--valid-until", "5月8日",
             now="2026-05-03T10:30:00")
    [item] = floor.json("today", "--date", "2026-05-04")["items"]
    assert {k: item["quote"][k] for k in ("seq", "net", "status", "valid_until")} == {
        "seq": 2, "net": 194800, "status": "pending", "valid_until": "2026-05-08"}
    table = floor.ok("today", "--date", "2026-05-04").stdout
    assert "↳ 第 2 次报价 凯美瑞 199,800元 优惠 5,000元 → 194,800元 精品：脚垫 有效至 05-08 待批价" in table
    assert floor.json("show", "张三")["quote"]["seq"] == 2
    assert [(i["ref"], i["quote"]) for i in floor.json("today", "--date", "2026-05-04", user="李强")["items"]] == [
        ("A00002", None)]


@pytest.fixture
def lapsing(floor):
    """张三 due 4 May; quoted 3 May through 10 May (the policy's 7 days), then again with a discount
    to approve, through 8 May."""
    floor.ok("log", "张三", "--channel", "phone", "--content", "客户嫌贵，要求再让", "--next", "2026-05-04",
             now="2026-05-03T09:00:00")
    floor.ok("quote", "张三", "--price", "199800", now="2026-05-03T10:00:00")
    floor.ok("quote", "张三", "--price", "199800", "--discount", "5000", "--valid-until", "5月8日",
             now="2026-05-03T10:30:00")
    return floor


def test_a_quote_is_lapsed_from_the_day_after_its_last_valid_day(lapsing):
    on_its_day = lapsing.json("today", now="2026-05-08T18:00:00")["items"][0]["quote"]
    assert (on_its_day["valid_until"], on_its_day["status"], on_its_day["lapsed"]) == ("2026-05-08", "pending", False)
    assert "有效至 05-08 待批价" in lapsing.ok("today", now="2026-05-08T18:00:00").stdout
    day_after = lapsing.json("today", now="2026-05-09T08:00:00")["items"][0]["quote"]
    assert (day_after["seq"], day_after["lapsed"]) == (2, True)
    assert "有效至 05-08（已过期） 待批价" in lapsing.ok("today", now="2026-05-09T08:00:00").stdout
    # The list of a day is as the customer holds the quote that day.
    assert lapsing.json("today", "--date", "2026-05-08", now="2026-05-09T08:00:00")["items"][0]["quote"]["lapsed"] is False
    assert "05-08 (lapsed)" in lapsing.ok("today", now="2026-05-09T08:00:00", env={"LEADCARD_LANG": "en"}).stdout


def test_show_tells_each_quote_held_or_lapsed(lapsing):
    shown = lapsing.json("show", "张三", now="2026-05-09T08:00:00")
    assert [(q["seq"], q["valid_until"], q["lapsed"]) for q in shown["quotes"]] == [
        (1, "2026-05-10", False), (2, "2026-05-08", True)]
    assert shown["quote"]["lapsed"] is True
    assert "有效至 05-08（已过期）" in lapsing.ok("show", "张三", now="2026-05-09T08:00:00").stdout


def test_a_quote_an_order_took_up_does_not_lapse(lapsing):
    """Ordered on 5 May at the quoted price: on the 9th the order's card is due for news of the car,
    and its quote, taken up, is no lapsed offer."""
    lapsing.ok("win", "张三", "--model", "凯美瑞", now="2026-05-05T10:00:00")
    [item] = lapsing.json("today", now="2026-05-12T09:00:00")["items"]
    assert (item["ref"], item["quote"]["seq"], item["quote"]["lapsed"]) == ("A00001", 2, False)
    assert "已过期" not in lapsing.ok("today", now="2026-05-12T09:00:00").stdout
    assert [q["lapsed"] for q in lapsing.json("show", "张三", now="2026-05-12T09:00:00")["quotes"]] == [False, False]


def test_a_lapsed_quote_is_quoted_again_not_approved(lapsing):
    before = rows(lapsing)
    refused = lapsing("quote", "approve", "张三", "2", user="钱主管", now="2026-05-09T00:00:00")
    assert refused.exit_code == 1 and refused.stderr.count("\n") == 1
    assert refused.stderr == ("leadcard: 卡片 A00001 的第 2 次报价有效至 2026-05-08，已经过期：请重新报价"
                              "（leadcard quote A00001 --price …）再批价\n")
    english = lapsing("quote", "approve", "张三", "2", user="钱主管", now="2026-05-09T00:00:00",
                      env={"LEADCARD_LANG": "en"})
    assert "has lapsed" in english.stderr
    assert rows(lapsing) == before
    approved = lapsing.json("quote", "approve", "张三", "2", user="钱主管", now="2026-05-08T23:59:00")  # its last day
    assert (approved["status"], approved["lapsed"]) == ("approved", False)


# -- the audit: quote-expired --------------------------------------------------------------------


@pytest.fixture
def quoted(floor):
    """张三 called 2 May and quoted 3 May at 10:00, valid through 10 May."""
    floor.ok("log", "张三", "--channel", "phone", "--content", "确认配置，约到店谈价", "--next", "2026-05-03 10:00",
             now="2026-05-02T10:00:00")
    floor.ok("quote", "张三", "--price", "199800", "--discount", "2000", "--valid-until", "2026-05-10",
             now="2026-05-03T10:00:00")
    return floor


def expired(lc, day, now="2026-05-20T10:00:00"):
    return [f for f in lc.json("audit", "--rule", "quote-expired", "--date", day, user="赵经理", now=now)["findings"]]


def test_a_quote_lapsed_with_no_contact_after_it_is_found_from_the_day_after_its_last_valid_day(quoted):
    assert expired(quoted, "2026-05-10") == []
    [finding] = expired(quoted, "2026-05-11")
    assert (finding["rule"], finding["ref"], finding["owner"], finding["severity"]) == (
        "quote-expired", "A00001", "王芳", "warning")
    assert "第 1 次报价（05-03，197,800元）有效期至 05-10，已过期 1 天" in finding["message"]


def test_a_contact_that_reached_the_customer_after_the_quote_clears_it(quoted):
    quoted.ok("log", "张三", "--channel", "wechat", "--content", "发送报价单与金融方案", "--next", "2026-05-12",
              now="2026-05-06T10:00:00")
    assert expired(quoted, "2026-05-15") == []


def test_an_attempt_that_did_not_reach_the_customer_is_no_contact(quoted):
    quoted.ok("log", "张三", "--channel", "phone", "--content", "未接", "--outcome", "unreachable",
              now="2026-05-06T10:00:00")
    assert len(expired(quoted, "2026-05-15")) == 1


def test_the_contact_the_quote_was_given_at_is_not_after_it(floor):
    floor.ok("log", "张三", "--channel", "visit", "--content", "到店谈价", "--next", "2026-05-12",
             now="2026-05-03T10:00:00")
    floor.ok("quote", "张三", "--price", "199800", "--valid-until", "2026-05-10", now="2026-05-03T10:00:00")
    assert len(expired(floor, "2026-05-11")) == 1


def test_only_the_latest_quote_counts(quoted):
    quoted.ok("quote", "张三", "--price", "199800", "--discount", "3000", "--valid-until", "2026-05-31",
              now="2026-05-05T10:00:00")
    assert expired(quoted, "2026-05-15") == []


def test_a_closed_card_has_no_quote_to_chase(quoted):
    quoted.ok("win", "张三", now="2026-05-09T10:00:00")
    assert expired(quoted, "2026-05-15") == []


def test_the_rule_explains_itself_and_takes_a_grace_from_the_policy(quoted, tmp_path):
    explained = quoted.json("audit", "--explain", "quote-expired", user="赵经理")
    assert explained["limits"] == {"grace_days": 0} and "9.58万" in explained["reason"]
    policy = tmp_path / "store.toml"
    policy.write_text("[audit.quote-expired]\ngrace_days = 2\n", encoding="utf-8")
    quoted.ok("init", "--policy-file", str(policy), user="赵经理")
    assert expired(quoted, "2026-05-12") == []
    assert len(expired(quoted, "2026-05-13")) == 1


def test_a_quote_takes_no_change_but_its_one_approval(floor):
    floor.ok("quote", "张三", "--price", "199800", "--discount", "8000")
    with database(floor.db) as db:
        for statement in ("UPDATE quotes SET price = 100000", "DELETE FROM quotes",
                          "UPDATE quotes SET approved_at = '2026-05-03T02:00:00Z', discount = 1"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                db.execute(statement)
        db.execute("UPDATE quotes SET approved_at = '2026-05-03T02:00:00Z'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("UPDATE quotes SET approved_at = '2026-05-03T03:00:00Z'")


@pytest.mark.parametrize("setting", ["quote_discount_limit = -1", "quote_discount_limit = nan",
                                     "quote_discount_limit = 20000000", "quote_valid_days = inf"])
def test_a_policy_limit_out_of_range_is_bad_input(lc, tmp_path, setting):
    policy = tmp_path / "store.toml"
    policy.write_text(setting + "\n", encoding="utf-8")
    result = lc("init", "--policy-file", str(policy))
    assert result.exit_code == 2 and "政策：quote_" in result.stderr
