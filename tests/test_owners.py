"""After delivery (seed 003: "已购车客户追踪回访"; DOMAIN.md "After the order"): the owner is visited the
next day, after 3 days, a week and a month, reminded of the first service and greeted on their
birthday; the audit finds the customer dropped between order and delivery and the visits not made."""

from __future__ import annotations

import pytest

from test_lifecycle import card, refused, team


def due(lc, day, user="王芳"):
    return [(i["ref"], i["reason"], i["due_at"][:10], i["overdue_days"])
            for i in lc.json("today", "--date", day, user=user)["items"]]


def findings(lc, rule, day, user="钱主管"):
    return lc.json("audit", "--rule", rule, "--date", day, user=user)["findings"]


def call(lc, at, content="交车后回访：用车顺利，讲解了自适应巡航", outcome="reached", ref="A00001"):
    lc.ok("log", ref, "--channel", "phone", "--content", content, "--outcome", outcome, now=at, user="王芳")


def delivered(lc, at="2026-05-20T15:00:00", *add):
    """刘先生 (A00001, 王芳's) orders on 3 May and takes his car on `at`."""
    team(lc)
    lc.now = "2026-09-01T00:00:00"  # audits of any day before
    for args in add:
        lc.ok("add", *args, user="王芳", now="2026-05-01T10:00:00")
    lc.ok("win", "A00001", "--delivery", "2026-05-20", now="2026-05-03T16:00:00", user="王芳")
    for at_ in ("2026-05-10T10:00:00", "2026-05-17T10:00:00"):
        call(lc, at_, "告知车辆进度：已下线，正在发运")
    lc.ok("deliver", "A00001", "--handover-to", "售后 陈工", now=at, user="王芳")


def test_the_card_followed_to_delivery_and_after_it(lc):
    delivered(lc)
    assert findings(lc, "order-gap", "2026-05-20") == []
    assert due(lc, "2026-05-20") == []
    assert "下次跟进  2026-05-21（交车回访）" in lc.ok("show", "A00001", user="王芳").stdout
    [visit] = lc.json("today", "--date", "2026-05-21", user="王芳")["items"]
    assert (visit["reason"], visit["due_at"]) == ("after-delivery", "2026-05-21T00:00:00+08:00")
    assert visit["purpose"] == "交车后第 1 天：问用车情况，讲解功能，了解满意度"
    call(lc, "2026-05-21T10:00:00")
    assert due(lc, "2026-05-22") == []
    assert due(lc, "2026-05-23") == [("A00001", "after-delivery", "2026-05-23", 0)]
    call(lc, "2026-05-23T10:00:00")
    assert due(lc, "2026-05-27") == [("A00001", "after-delivery", "2026-05-27", 0)]
    call(lc, "2026-05-27T10:00:00")
    assert due(lc, "2026-06-19") == [("A00001", "after-delivery", "2026-06-19", 0)]
    call(lc, "2026-06-19T10:00:00")
    [service] = lc.json("today", "--date", "2026-08-20", user="王芳")["items"]
    assert (service["reason"], service["due_at"][:10]) == ("first-service", "2026-08-20")
    assert service["purpose"] == "交车满 3 个月：邀约回店首次保养"
    call(lc, "2026-08-20T10:00:00", "首保提醒，约好下周六到店保养")
    assert card(lc)["due_at"] is None  # nothing left to do for an owner without a birthday on the card
    assert findings(lc, "after-delivery-late", "2026-08-21") == []


def test_an_after_delivery_visit_is_made_on_or_after_its_day_by_a_contact_that_reached_the_owner(lc):
    delivered(lc)
    call(lc, "2026-05-20T18:00:00", "交车当晚发微信感谢")  # before the next day: not the visit
    assert due(lc, "2026-05-21") == [("A00001", "after-delivery", "2026-05-21", 0)]
    call(lc, "2026-05-22T10:00:00", outcome="unreachable", content="未接通")  # an attempt satisfies nothing
    assert due(lc, "2026-05-22") == [("A00001", "after-delivery", "2026-05-21", 1)]
    call(lc, "2026-05-24T10:00:00")  # late, and it stands for the third day's visit too
    assert due(lc, "2026-05-27") == [("A00001", "after-delivery", "2026-05-27", 0)]


def test_a_planned_date_after_the_delivery_comes_first(lc):
    delivered(lc)
    lc.ok("log", "A00001", "--channel", "phone", "--content", "客户问上牌进度", "--next", "2026-05-22 10:00",
          "--purpose", "告知上牌结果", now="2026-05-21T10:00:00", user="王芳")
    [item] = lc.json("today", "--date", "2026-05-22", user="王芳")["items"]
    assert (item["reason"], item["purpose"]) == ("planned", "告知上牌结果")


def test_the_policy_sets_the_visits_and_the_first_service(lc, tmp_path):
    policy = tmp_path / "store.toml"
    policy.write_text("after_delivery_days = [10, 2]\nfirst_service_months = 6\n", encoding="utf-8")
    lc.ok("init", "--policy-file", str(policy))
    shown = lc.json("policy", "show")
    assert (shown["order_update_days"], shown["after_delivery_days"], shown["first_service_months"]) == (7, [2, 10], 6)
    assert "交车后第 2、10 天回访 · 交车 6 个月首保提醒" in lc.ok("policy", "show").stdout
    delivered(lc)
    assert due(lc, "2026-05-21") == []
    assert due(lc, "2026-05-22") == [("A00001", "after-delivery", "2026-05-22", 0)]
    call(lc, "2026-05-22T10:00:00")
    call(lc, "2026-05-30T10:00:00")
    assert due(lc, "2026-11-20") == [("A00001", "first-service", "2026-11-20", 0)]


@pytest.mark.parametrize("setting", ["after_delivery_days = [0]", "after_delivery_days = [1.5]",
                                     "after_delivery_days = 7", "first_service_months = 0",
                                     "order_update_days = 0", "after_delivery_days = [nan]"])
def test_a_bad_after_sales_number_is_bad_input(lc, tmp_path, setting):
    policy = tmp_path / "store.toml"
    policy.write_text(setting + "\n", encoding="utf-8")
    result = lc("init", "--policy-file", str(policy))
    assert result.exit_code == 2 and result.stderr.startswith("leadcard: 政策："), result.stderr


def test_an_owners_birthday_comes_every_year_and_a_29_february_on_the_28th(lc):
    delivered(lc, "2026-05-20T15:00:00")
    lc.ok("add", "周女士", "--phone", "13900139001", "--birthday", "2月29日", "--model", "RAV4", user="王芳",
          now="2026-05-01T10:00:00")
    assert lc.json("show", "周女士", user="王芳")["birthday"] == "02-29"
    assert any(line.split()[1:3] == ["生日", "02-29"] for line in lc.ok("show", "周女士", user="王芳").stdout.splitlines())
    assert ("A00002", "birthday") not in [i[:2] for i in due(lc, "2027-02-28")]  # a prospect: no greeting yet
    lc.ok("win", "周女士", now="2026-05-02T10:00:00", user="王芳")
    lc.ok("deliver", "周女士", now="2026-05-09T10:00:00", user="王芳")
    for at in ("2026-05-10", "2026-05-12", "2026-05-16", "2026-06-08", "2026-08-09"):
        call(lc, at + "T10:00:00", ref="A00002")
    [greeting] = [i for i in lc.json("today", "--date", "2027-02-28", user="王芳")["items"] if i["ref"] == "A00002"]
    assert (greeting["reason"], greeting["due_at"][:10], greeting["purpose"]) == (
        "birthday", "2027-02-28", "发送生日问候，送上保养或精品优惠")
    lc.ok("log", "A00002", "--channel", "wechat", "--content", "生日祝福，送保养券", now="2027-02-28T09:00:00",
          user="王芳")
    assert card(lc, "A00002")["due_at"] == "2028-02-29T00:00:00+08:00"


@pytest.mark.parametrize("birthday", ["02-30", "13-01", "04-31", "生日", "0229", "2-"])
def test_a_birthday_that_is_no_day_is_bad_input(lc, birthday):
    result = lc("add", "周女士", "--phone", "13900139001", "--birthday", birthday)
    assert result.exit_code == 2 and "不是生日" in result.stderr
    assert lc.json("list") == []


@pytest.mark.parametrize("born, kept", [("1992-02-29", "02-29"), ("2000-02-29", "02-29"), ("1990-02-28", "02-28"),
                                        ("1990年3月1日", "03-01"), ("1990-12-31", "12-31")])
def test_a_date_of_birth_keeps_its_month_and_day(lc, born, kept):
    assert lc.json("add", "周女士", "--phone", "13900139001", "--birthday", born)["birthday"] == kept


@pytest.mark.parametrize("born, told", [("1990-02-29", "1990 年没有 2 月 29 日"), ("1900-02-29", "1900 年没有 2 月 29 日"),
                                        ("1990年2月29日", "1990 年没有 2 月 29 日")])
def test_a_date_of_birth_its_year_lacks_is_bad_input(lc, born, told):
    result = lc("add", "周女士", "--phone", "13900139001", "--birthday", born)
    assert result.exit_code == 2
    assert result.stderr == f"leadcard: 不是生日：`{born}`（{told}）\n"
    assert lc.json("list") == []


# -- the audit ---------------------------------------------------------------------------------------


def test_the_customer_dropped_between_order_and_delivery_is_found_by_audit(lc):
    team(lc)
    lc.now = "2026-09-01T00:00:00"
    lc.ok("win", "A00001", "--delivery", "2026-06-10", now="2026-05-03T16:00:00", user="王芳")
    assert findings(lc, "order-gap", "2026-05-10") == []  # exactly a week: in time
    [finding] = findings(lc, "order-gap", "2026-05-11")  # a day past it
    assert (finding["ref"], finding["owner"], finding["severity"]) == ("A00001", "王芳", "error")
    assert finding["message"] == "订车后最后一次联系是订车（05-03），已 8 天没有告知客户车辆进度（订车后每 7 天一次）"
    assert (finding["expected"], finding["actual"]) == ("≤ 7 天", "8 天")
    # Nobody called; on the 20th the customer cancels. The neglect stays on the record, dated.
    lc.ok("cancel-order", "A00001", "--reason", "一直没人告诉我车什么时候到", now="2026-05-20T10:00:00", user="王芳")
    [after] = findings(lc, "order-gap", "2026-05-20")
    assert after["message"] == "订车（05-03）到退订（05-20）相隔 17 天没有联系客户（订车后每 7 天告知车辆进度）"
    explained = lc.json("audit", "--explain", "order-gap", user="钱主管")
    assert explained["limits"]["limit_days"] == 7 and "跟进至最终交车" in explained["reason"]


def test_weekly_news_of_the_car_keeps_the_order_gap_away_and_a_late_delivery_is_counted_to_it(lc):
    delivered(lc, "2026-05-26T15:00:00")  # calls on the 10th and the 17th, the car on the 26th
    [finding] = findings(lc, "order-gap", "2026-05-26")
    assert finding["message"] == "第 3 次（05-17）到交车（05-26）相隔 9 天没有联系客户（订车后每 7 天告知车辆进度）"
    assert findings(lc, "order-gap", "2026-05-24") == []
    assert [f["actual"] for f in findings(lc, "order-gap", "2026-05-25")] == ["8 天"]


def test_an_after_delivery_visit_not_made_on_its_day_is_late(lc):
    delivered(lc)  # on 20 May: the first visit is due on the 21st
    assert findings(lc, "after-delivery-late", "2026-05-21") == []
    [missed] = findings(lc, "after-delivery-late", "2026-05-22")
    assert (missed["owner"], missed["severity"]) == ("王芳", "warning")
    assert missed["message"] == "交车（05-20）后第 1 天的回访（05-21）没有做，已过 1 天"
    call(lc, "2026-05-22T10:00:00")
    [late] = findings(lc, "after-delivery-late", "2026-05-22")
    assert late["message"] == "交车（05-20）后第 1 天的回访（05-21）到第 4 次（05-22）才做，晚 1 天"
    assert late["followup"] == 4


def test_an_after_delivery_visit_still_not_made_is_todays_work_whatever_the_window(lc):
    """Like a date passed with no contact, a visit not made is still to be made: an audit of the days
    since its deadline names it (the first the card owes, counting the others), until a contact that
    reaches the owner makes them late ones, dated before that window."""
    delivered(lc)  # visits due on the 21st and the 23rd, their deadlines the 22nd and the 24th
    since = ("--since", "2026-05-24")
    [missed] = lc.json("audit", "--rule", "after-delivery-late", "--date", "2026-05-25", *since, user="钱主管")["findings"]
    assert (missed["message"], missed["count"]) == ("交车（05-20）后第 1 天的回访（05-21）没有做，已过 4 天", 2)
    call(lc, "2026-05-26T10:00:00")
    assert lc.json("audit", "--rule", "after-delivery-late", "--date", "2026-05-26", "--since", "2026-05-25",
                   user="钱主管")["findings"] == []


def test_an_after_delivery_visit_on_its_day_is_in_time_and_the_policy_may_give_grace(lc, tmp_path):
    policy = tmp_path / "store.toml"
    policy.write_text("[audit.after-delivery-late]\ngrace_days = 1\n", encoding="utf-8")
    lc.ok("init", "--policy-file", str(policy))
    delivered(lc)
    call(lc, "2026-05-22T21:00:00")  # the first day's visit, a day late: within the grace
    assert findings(lc, "after-delivery-late", "2026-05-24") == []
    call(lc, "2026-05-25T10:00:00")  # the third day's visit (23rd), two days late
    [late] = findings(lc, "after-delivery-late", "2026-05-25")
    assert "第 3 天的回访（05-23）到第 5 次（05-25）才做，晚 2 天" in late["message"]
    explained = lc.json("audit", "--explain", "after-delivery-late", user="钱主管")
    assert explained["limits"]["grace_days"] == 1 and explained["limits"]["after_delivery_days"] == [1, 3, 7, 30]


def test_refusals_leave_an_owner_as_it_was(lc):
    delivered(lc)
    refused(lc, "lose", "A00001", "--reason", "price", user="王芳")
    refused(lc, "grade", "A00001", "A", user="王芳")
    refused(lc, "log", "A00001", "--channel", "phone", "--content", "回访满意", "--grade", "A", user="王芳")
    refused(lc, "win", "A00001", user="王芳")


# -- the owners who refer (基盘/保客, 转介绍) -----------------------------------------------------------


def test_a_friend_referred_by_an_owner_is_linked_to_the_owners_card(lc):
    delivered(lc)
    made = lc.json("add", "张先生", "--phone", "13900139002", "--model", "RAV4", "--referred-by", "刘先生",
                   user="王芳", now="2026-06-01T10:00:00")
    assert made["source"] == "referral"
    friend = lc.json("show", "张先生", user="王芳")
    assert friend["referred_by"] == {"ref": "A00001", "name": "刘先生", "status": "delivered", "owner": "王芳"}
    owner = lc.json("show", "刘先生", user="王芳")
    assert [c["ref"] for c in owner["referrals"]] == ["A00002"]
    lines = lc.ok("show", "张先生", user="王芳").stdout.splitlines()
    assert any(line.split()[1:4] == ["转介绍人", "A00001", "刘先生"] for line in lines)
    assert any(line.split()[1:4] == ["介绍的客户", "A00002", "张先生"] for line in lc.ok("show", "A00001", user="王芳").stdout.splitlines())
    lc.ok("add", "钱先生", "--phone", "13900139003", "--referred-by", "A00001", "--source", "转介绍", user="王芳")
    assert [c["ref"] for c in lc.json("show", "A00001", user="王芳")["referrals"]] == ["A00002", "A00003"]


def test_a_referral_link_is_checked_before_the_card_is_written(lc):
    delivered(lc)
    lc.ok("add", "孙先生", "--phone", "13900139009", "--owner", "孙丽", user="赵经理")
    refused(lc, "add", "张先生", "--phone", "13900139002", "--referred-by", "A00001", "--source", "展厅",
            user="王芳", code=2)  # a referral comes by referral
    refused(lc, "add", "张先生", "--phone", "13900139002", "--referred-by", "A00099", user="王芳")
    refused(lc, "add", "张先生", "--phone", "13900139002", "--referred-by", "孙先生", user="王芳")  # not hers to see
    refused(lc, "add", "刘太太", "--phone", "13800138000", "--referred-by", "A00001", user="王芳")  # the same phone


def test_a_referrer_the_reader_may_not_see_is_not_shown(lc):
    delivered(lc)
    lc.ok("add", "张先生", "--phone", "13900139002", "--referred-by", "A00001", user="王芳")
    lc.ok("assign", "张先生", "孙丽", user="赵经理")
    friend = lc.json("show", "张先生", user="孙丽")
    assert (friend["source"], friend["referred_by"]) == ("referral", None)
    assert "A00001" not in lc.ok("show", "张先生", user="孙丽").stdout
    assert lc.json("show", "A00001", user="王芳")["referrals"] == []


def test_the_demo_has_orders_waiting_for_their_car_owners_and_owners_who_referred(lc):
    lc.now = "2026-11-23T08:30:00"
    lc.ok("demo")
    cards = lc.json("list", user="赵经理")
    assert {"won", "delivered"} <= {c["status"] for c in cards}
    waiting = [c for c in cards if c["status"] == "won"]
    assert all(c["outcome"]["delivery"] and c["due_at"] for c in waiting)
    reasons = {i["reason"] for i in lc.json("today", "--all", user="赵经理")["items"]}
    assert {"after-delivery", "first-service"} <= reasons
    month = lc.json("report", "monthly", user="赵经理")
    assert month["orders"]["count"] and month["deliveries"]["count"] and month["referrers"]
    rules = {f["rule"] for f in lc.json("audit", user="赵经理")["findings"]}
    assert {"order-gap", "after-delivery-late"} <= rules  # the sloppy consultant's customers
