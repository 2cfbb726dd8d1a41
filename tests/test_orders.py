"""The sale's second half (seed 003: "订车后…跟进至最终交车"): the order (成交/订车) keeps the card on its
owner's list until the car is delivered (交车); a cancellation (退订) reopens it and its supervisor hears
of it; the owner is handed to after-sales one working day after the delivery."""

from __future__ import annotations

from conftest import database, sales_floor
from test_lifecycle import card, refused, team


def items(lc, day, user="王芳"):
    return [(i["ref"], i["reason"], i["overdue_days"]) for i in lc.json("today", "--date", day, user=user)["items"]]


def ordered(lc, *more, now="2026-05-03T16:00:00"):
    """刘先生 (A00001, 王芳's) orders a 凯美瑞 双擎 on Sunday 3 May, the car expected on 25 May."""
    team(lc)
    lc.ok("log", "A00001", "--channel", "visit", "--content", "到店签合同，付定金，确认颜色和交车时间",
          "--next", "2026-05-04", now="2026-05-03T15:00:00", user="王芳")
    lc.ok("win", "A00001", "--model", "凯美瑞 双擎", "--price", "189800", "--deposit", "5000",
          "--delivery", "2026-05-25", *more, now=now, user="王芳")


def test_an_order_keeps_the_card_on_its_owners_list_with_weekly_news_of_the_car(lc):
    ordered(lc)
    won = card(lc)
    assert won["status"] == "won"
    assert {k: won["outcome"][k] for k in ("model", "price", "deposit", "delivery")} == {
        "model": "凯美瑞 双擎", "price": 189800, "deposit": 5000, "delivery": "2026-05-25"}
    [event] = [e for e in won["events"] if e["kind"] == "won"]
    assert (event["model"], event["price"], event["deposit"], event["delivery"]) == ("凯美瑞 双擎", 189800, 5000, "2026-05-25")
    assert [c["ref"] for c in lc.json("list", "--status", "won", user="王芳")] == ["A00001"]
    lines = lc.ok("show", "A00001", user="王芳").stdout.splitlines()
    assert any(line.split()[1:3] == ["预计交车", "2026-05-25"] for line in lines)
    # A week after the order (3 May 16:00) he hears of the car; the plan made before the order is done with.
    assert items(lc, "2026-05-09") == []
    [item] = lc.json("today", "--date", "2026-05-10", user="王芳")["items"]
    assert (item["ref"], item["reason"], item["due_at"]) == ("A00001", "cadence", "2026-05-10T16:00:00+08:00")
    assert "告知车辆进度" in item["purpose"] and "每 7 天" in item["purpose"]
    lc.ok("log", "A00001", "--channel", "phone", "--content", "车辆已下线，预计 20 日到店", now="2026-05-10T11:00:00",
          user="王芳")
    assert card(lc)["due_at"] == "2026-05-17T11:00:00+08:00"
    lc.ok("log", "A00001", "--channel", "wechat", "--content", "车辆已发运，发送物流照片", now="2026-05-18T09:00:00",
          user="王芳")
    # The next news would be due on the 25th: the delivery day comes first on the list.
    assert items(lc, "2026-05-25") == [("A00001", "delivery", 0)]
    [item] = lc.json("today", "--date", "2026-05-25", user="王芳")["items"]
    assert item["purpose"] == "确认车辆到店、约好交车时间，交车后完善车主档案（leadcard deliver A00001）"
    assert "交车：确认车辆到店" in lc.ok("today", "--date", "2026-05-25", user="王芳").stdout


def test_an_order_without_a_delivery_day_is_followed_at_the_policys_cadence(lc, tmp_path):
    policy = tmp_path / "store.toml"
    policy.write_text("order_update_days = 3\n", encoding="utf-8")
    lc.ok("init", "--policy-file", str(policy))
    team(lc)
    lc.ok("win", "A00001", now="2026-05-03T16:00:00", user="王芳")
    assert card(lc)["outcome"]["delivery"] is None
    assert items(lc, "2026-05-05") == []
    assert items(lc, "2026-05-06") == [("A00001", "cadence", 0)]


def test_a_planned_date_after_the_order_is_kept(lc):
    ordered(lc)
    lc.ok("log", "A00001", "--channel", "phone", "--content", "客户想加装行车记录仪", "--next", "2026-05-06 10:00",
          "--purpose", "报精品加装价格", now="2026-05-04T10:00:00", user="王芳")
    [item] = lc.json("today", "--date", "2026-05-06", user="王芳")["items"]
    assert (item["reason"], item["purpose"], item["suggested"]) == ("planned", "报精品加装价格", False)


def test_an_order_is_checked_before_it_is_written(lc):
    team(lc)
    refused(lc, "win", "A00001", "--price", "150000", "--deposit", "200000", user="王芳", code=2)
    refused(lc, "win", "A00001", "--delivery", "2026-05-01", user="王芳", code=2)  # before the order
    refused(lc, "win", "A00001", "--price", "0", user="王芳", code=2)
    refused(lc, "win", "A00001", "--delivery", "下下周", user="王芳", code=2)
    refused(lc, "win", "A00001", user="孙丽")  # not hers to see


def test_a_cancelled_order_reopens_the_card_keeps_its_events_and_tells_the_supervisor(lc):
    ordered(lc)
    refused(lc, "cancel-order", "A00001", "--reason", " ", user="王芳", code=2)
    refused(lc, "cancel-order", "A00001", "--reason", "交车太慢", user="孙丽")  # another team's card
    lc.ok("cancel-order", "A00001", "--reason", "交车周期太长，改买现车", now="2026-05-12T10:00:00", user="王芳")
    reopened = card(lc)
    assert (reopened["status"], reopened["outcome"]) == ("open", None)
    assert [e["kind"] for e in reopened["events"]][-2:] == ["won", "order-cancelled"]
    assert reopened["events"][-1]["reason"] == "交车周期太长，改买现车"
    assert "退订" in lc.ok("show", "A00001", user="王芳").stdout
    refused(lc, "cancel-order", "A00001", "--reason", "again", user="王芳")  # no order any more
    # Open again: due by its last plan (4 May) at once.
    assert items(lc, "2026-05-12") == [("A00001", "planned", 8)]
    [cancelled] = lc.json("today", user="钱主管", now="2026-05-12T11:00:00")["waiting"]["cancellations"]
    assert (cancelled["ref"], cancelled["owner"], cancelled["model"], cancelled["reason"], cancelled["by"]) == (
        "A00001", "王芳", "凯美瑞 双擎", "交车周期太长，改买现车", "王芳")
    assert cancelled["commands"] == ["leadcard show A00001"]
    lines = lc.ok("today", user="钱主管", now="2026-05-12T11:00:00").stdout.splitlines()
    start = lines.index("退订（近 7 天）1：")
    assert lines[start + 1:start + 3] == ["  A00001 刘先生（王芳）05-12 10:00 退订 凯美瑞 双擎：交车周期太长，改买现车",
                                          "    → leadcard show A00001"]
    assert lc.json("today", user="周主管", now="2026-05-12T11:00:00")["waiting"]["cancellations"] == []
    assert lc.json("today", user="钱主管", now="2026-05-20T11:00:00")["waiting"]["cancellations"] == []


def test_a_cancellation_waits_for_the_supervisor_seven_days_to_the_minute(lc):
    ordered(lc)
    lc.ok("cancel-order", "A00001", "--reason", "交车周期太长", now="2026-05-12T10:00:00", user="王芳")
    waiting = [c["ref"] for c in lc.json("today", user="钱主管", now="2026-05-19T10:00:00")["waiting"]["cancellations"]]
    assert waiting == ["A00001"]  # 7 days to the minute: still the week's
    assert lc.json("today", user="钱主管", now="2026-05-19T10:01:00")["waiting"]["cancellations"] == []


def test_a_delivery_makes_the_customer_an_owner(lc):
    ordered(lc)
    lc.now = "2026-05-22T16:00:00"
    refused(lc, "handover", "A00001", "--to", "售后 陈工", user="王芳")  # no car delivered yet
    refused(lc, "deliver", "A00001", "--at", "2026-05-02 10:00", user="王芳", code=2)  # before the order
    refused(lc, "deliver", "A00001", "--at", "2026-06-30 10:00", user="王芳", code=2, env={})  # in the future
    refused(lc, "deliver", "A00002", user="王芳")  # no such card
    to_whom = refused(lc, "deliver", "A00001", "--handover-at", "2026-05-22 15:30", user="王芳", code=2)
    assert "--handover-to" in to_whom.stderr
    lc.ok("deliver", "A00001", "--at", "2026-05-22 15:00", now="2026-05-22T16:00:00", user="王芳")
    delivered = card(lc)
    assert delivered["status"] == "delivered"
    assert delivered["outcome"]["delivered_at"] == "2026-05-22T15:00:00+08:00"
    assert [e["kind"] for e in delivered["events"]][-1] == "delivered"
    assert [c["ref"] for c in lc.json("list", "--status", "delivered", user="王芳")] == ["A00001"]
    assert lc.json("list", "--status", "won", user="王芳") == []
    refused(lc, "deliver", "A00001", user="王芳")  # delivered once
    refused(lc, "cancel-order", "A00001", "--reason", "后悔", user="王芳")  # too late to cancel
    text = lc.ok("show", "A00001", user="王芳").stdout
    assert "已交车" in text and "交车      2026-05-22 15:00" in text and "成交价 189800" in text


def test_a_friday_delivery_is_handed_over_on_monday(lc):
    ordered(lc)
    lc.ok("deliver", "A00001", now="2026-05-15T15:00:00", user="王芳")  # Friday 15 May
    assert card(lc)["handover_due"] == "2026-05-18T23:59:59+08:00"  # by the end of Monday
    [waiting] = lc.json("today", user="钱主管", now="2026-05-15T16:00:00")["waiting"]["handovers"]
    assert (waiting["ref"], waiting["due_at"]) == ("A00001", "2026-05-18T23:59:59+08:00")
    lc.ok("handover", "A00001", "--to", "售后 陈工", now="2026-05-18T09:00:00", user="王芳")
    assert card(lc)["handover_due"] is None
    refused(lc, "handover", "A00001", "--to", "售后 李工", user="王芳")


def test_a_delivery_on_the_friday_before_a_swapped_saturday_is_handed_over_on_that_saturday(lc):
    team(lc)
    lc.ok("win", "A00001", now="2026-09-20T10:00:00", user="王芳")
    # Friday 9 October 2026; Saturday the 10th is a swapped workday (调休), so the deadline is then.
    lc.ok("deliver", "A00001", now="2026-10-09T15:00:00", user="王芳")
    assert card(lc)["handover_due"] == "2026-10-10T23:59:59+08:00"
    assert "尚未交接，截止 2026-10-10（工作日）" in lc.ok("show", "A00001", user="王芳", now="2026-10-09T16:00:00").stdout


def test_a_delivery_before_national_day_is_handed_over_after_the_holiday(lc):
    team(lc)
    lc.ok("add", "李先生", "--phone", "13900139000", "--owner", "王芳", user="王芳")
    for ref in ("A00001", "A00002"):
        lc.ok("win", ref, "--model", "凯美瑞", now="2026-09-20T10:00:00", user="王芳")
    lc.ok("deliver", "A00001", "--at", "2026-09-30 15:00", "--handover-to", "售后 陈工", "--handover-at",
          "2026-09-30 16:00", now="2026-09-30T17:00:00", user="王芳")
    handed = card(lc)
    assert (handed["outcome"]["handover_to"], handed["handover_due"]) == ("售后 陈工", None)
    assert [e["kind"] for e in handed["events"]][-2:] == ["delivered", "handover"]
    lc.now = "2026-09-30T18:00:00"
    refused(lc, "deliver", "A00002", "--handover-to", "售后 陈工", "--handover-at", "2026-09-30 12:00",
            user="王芳", code=2)  # handed over before it was delivered
    lc.ok("deliver", "A00002", user="王芳")
    assert card(lc, "A00002")["handover_due"] == "2026-10-08T23:59:59+08:00"
    refused(lc, "reopen", "A00002", user="钱主管")  # an owner who buys again gets a new card


def test_the_supervisor_and_the_manager_see_cancellations_but_not_their_own(lc):
    sales_floor(lc)
    lc.ok("add", "陈女士", "--phone", "13900139000", "--owner", "钱主管")
    lc.ok("win", "陈女士", "--model", "RAV4", user="钱主管")
    lc.ok("cancel-order", "陈女士", "--reason", "贷款未过", user="钱主管")
    assert lc.json("today", user="钱主管")["waiting"]["cancellations"] == []
    assert [c["ref"] for c in lc.json("today", user="赵经理")["waiting"]["cancellations"]] == ["A00001"]


# -- a store from before orders were kept ---------------------------------------------------------------


def test_a_deal_won_before_orders_were_kept_was_ordered_and_delivered_that_day(tmp_path):
    import json
    import shutil
    from pathlib import Path

    from conftest import run_process

    db = tmp_path / "leadcard.db"
    shutil.copy(Path(__file__).parent / "fixtures" / "store-v1.db", db)
    with database(db) as conn:
        won = dict(conn.execute("SELECT id, outcome FROM cards WHERE status = 'won'").fetchall())
        won_at = dict(conn.execute("SELECT card_id, at FROM card_events WHERE kind = 'won'").fetchall())
    assert len(won) == 10

    def leadcard(*args):
        env = {"LEADCARD_DB": str(db), "LEADCARD_NOW": "2026-05-20T10:00:00", "LEADCARD_USER": "赵经理",
               "NO_COLOR": "1"}
        result = run_process(*args, env=env)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout) if "--json" in args else result.stdout

    delivered = leadcard("list", "--status", "delivered", "--json")
    assert sorted(int(c["ref"][1:]) for c in delivered) == sorted(won)
    assert leadcard("list", "--status", "won", "--json") == []
    for c in delivered:
        before = json.loads(won[int(c["ref"][1:])])
        assert c["outcome"] == {**before, "delivered_at": before["at"], "legacy": True}
        assert c["due_at"] is None  # no after-delivery visit is asked of a deal made on paper
    with database(db) as conn:
        events = conn.execute("SELECT card_id, at, detail FROM card_events WHERE kind = 'delivered'").fetchall()
    assert {card_id: at for card_id, at, _ in events} == won_at  # delivered the moment it was won
    assert {detail for _, _, detail in events} == {'{"legacy": true}'}
    shown = leadcard("show", "A00003")
    assert "已交车" in shown and "（成交当日，订车记录前）" in shown
    audit = leadcard("audit", "--since", "2025-09-01", "--json")
    assert not [f for f in audit["findings"] if f["rule"] in ("order-gap", "after-delivery-late")]
    handovers = [f["ref"] for f in audit["findings"] if f["rule"] == "handover-late"]
    assert "A00003" in handovers  # handed over two days after the deal, as before the change
    today = leadcard("today", "--all", "--json")
    assert not {i["ref"] for i in today["items"]} & {c["ref"] for c in delivered}


# -- the calendar, export and import --------------------------------------------------------------------


def test_the_calendar_feed_holds_the_delivery_day_and_then_the_after_delivery_visit(lc, tmp_path):
    from test_transfer import events

    ordered(lc)
    lc.ok("log", "A00001", "--channel", "phone", "--content", "车辆已到店，约好 25 日交车", now="2026-05-20T10:00:00",
          user="王芳")
    feed = tmp_path / "due.ics"
    lc.ok("calendar", "--output", str(feed), "--days", "7", now="2026-05-20T11:00:00", user="王芳")
    [delivery] = events(feed).values()
    assert str(delivery["summary"]).startswith("交车 刘先生") and "leadcard deliver A00001" in str(delivery["description"])
    assert delivery["dtstart"].dt.isoformat() == "2026-05-25"  # the whole day: no alarm at midnight
    lc.ok("deliver", "A00001", now="2026-05-25T11:00:00", user="王芳")
    lc.ok("calendar", "--output", str(feed), "--days", "7", now="2026-05-25T12:00:00", user="王芳")
    [visit] = events(feed).values()
    assert str(visit["summary"]).startswith("交车回访 刘先生") and "交车后第 1 天" in str(visit["description"])
    assert visit["dtstart"].dt.isoformat() == "2026-05-26"


def test_orders_and_deliveries_go_out_and_come_back_in(lc, tmp_path):
    from test_transfer import _same_floor, write_csv

    sales_floor(lc)
    lc.user = "王芳"
    for name, phone in (("刘先生", "13800138000"), ("周女士", "13900139001")):
        lc.ok("add", name, "--phone", phone, "--model", "凯美瑞", "--birthday", "03-15", now="2026-05-01T10:00:00")
    lc.ok("win", "刘先生", "--price", "189800", "--delivery", "2026-05-25", now="2026-05-03T16:00:00")
    lc.ok("win", "周女士", now="2026-05-02T10:00:00")
    lc.ok("deliver", "周女士", now="2026-05-09T10:00:00")
    exported = tmp_path / "all.csv"
    lc.ok("export", "--output", str(exported))
    other = type(lc)(tmp_path / "new.db")
    other.ok("init")
    _same_floor(other)
    report = other.json("import", str(exported), user="赵经理", now="2026-05-10T10:00:00")  # after the export
    assert report["errors"] == [] and report["imported"]["cards"] == 2
    for name, status, kinds in (("刘先生", "won", ["created", "imported", "won"]),
                                ("周女士", "delivered", ["created", "imported", "won", "delivered"])):
        before, after = lc.json("show", name), other.json("show", name, user="赵经理")
        assert (after["status"], after["birthday"], after["outcome"]) == (status, "03-15", before["outcome"])
        assert sorted(e["kind"] for e in after["events"]) == sorted(kinds)
        assert (after["due_at"], after["due_reason"]) == (before["due_at"], before["due_reason"])
    # A paper sheet's 成交 is a customer who bought: delivered when the card closed, no visits asked.
    paper = write_csv(tmp_path / "paper.csv", [["陈先生", "13700137000", "成交", "2026-03-01", "2026-03-20 10:00"]],
                      header=["姓名", "电话", "状态", "建卡日期", "结案时间"])
    other.ok("import", str(paper), user="赵经理")
    bought = other.json("show", "陈先生", user="赵经理")
    assert (bought["status"], bought["outcome"]["legacy"], bought["due_at"]) == ("delivered", True, None)
    assert bought["outcome"]["delivered_at"] == bought["outcome"]["at"] == "2026-03-20T10:00:00+08:00"
    bad = write_csv(tmp_path / "bad.csv", [["吴先生", "13600136000", "已交车", "02-30"]],
                    header=["姓名", "电话", "状态", "生日"])
    result = other("import", str(bad), user="赵经理")
    assert result.exit_code == 1 and "不是生日" in result.stdout + result.stderr
