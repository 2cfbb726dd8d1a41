"""A return visit (再次到店): the customer of an existing card comes back and whoever receives them
logs the visit; it goes on the card, and the card's owner is told through `today`."""

import pytest

from conftest import sales_floor


def items(lc, *args, **kwargs):
    return lc.json("today", *args, **kwargs)["items"]


@pytest.fixture
def floor(lc):
    """王芳's customer 张三 (A00001), called 1 May with the next contact planned for 10 May."""
    sales_floor(lc)
    lc.ok("add", "张三", "--phone", "13800138000", "--owner", "王芳", "--grade", "A", now="2026-05-01T10:00:00")
    lc.ok("log", "张三", "--channel", "wechat", "--content", "感谢到店", now="2026-05-01T10:30:00", user="王芳")
    lc.ok("log", "张三", "--channel", "phone", "--content", "确认预算", "--next", "2026-05-10",
          now="2026-05-01T11:00:00", user="王芳")
    return lc


def test_a_colleague_receiving_the_customer_learns_only_that_there_is_a_card(floor):
    assert items(floor, user="王芳") == []
    told = floor.ok("visit", "add", "--phone", "138-0013-8000", "--name", "张先生", "--at", "2026-05-03 09:00",
                    "--left", "2026-05-03 09:40", user="李强").stdout
    assert "已有意向卡" in told and "记入原卡" in told
    assert "A00001" not in told and "王芳" not in told and "张三" not in told and "leadcard add" not in told
    visit = floor.json("visit", "list", user="李强")["visits"][0]
    assert (visit["card"], visit["return_visit"]) == (None, True)
    assert "A00001" not in floor.ok("visit", "list", user="李强").stdout
    refused = floor("add", "张先生", "--phone", "13800138000", "--visit", "1", user="李强")
    assert refused.exit_code == 1 and "A00001" not in refused.stderr and "王芳" not in refused.stderr


def test_the_owner_sees_the_card_returned_until_a_contact_is_logged_after_the_visit(floor):
    floor.ok("visit", "add", "--phone", "13800138000", "--at", "2026-05-03 09:00", user="李强")
    [item] = items(floor, user="王芳")
    assert (item["ref"], item["reason"], item["due_at"], item["overdue_days"]) == (
        "A00001", "returned", "2026-05-03T09:00:00+08:00", 0)
    assert "05-03 09:00 再次到店" in item["purpose"]
    assert "李强" not in item["purpose"]
    [item] = items(floor, now="2026-05-05T09:00:00", user="王芳")
    assert (item["reason"], item["overdue_days"]) == ("returned", 2)
    assert "再次到店" in floor.ok("today", user="王芳").stdout
    assert items(floor, user="李强") == []  # the receiver's list does not carry a card that is not theirs
    # A back-dated entry from before the visit is not a contact after it.
    floor.ok("log", "张三", "--channel", "sms", "--content", "发送配置表", "--at", "2026-05-02 18:00",
             "--next", "2026-05-10", user="王芳")
    assert [i["reason"] for i in items(floor, user="王芳")] == ["returned"]
    floor.ok("log", "张三", "--channel", "phone", "--content", "客户上午来店看车，约周六试驾", "--next", "2026-05-09",
             now="2026-05-03T11:00:00", user="王芳")
    assert items(floor, now="2026-05-03T11:00:00", user="王芳") == []
    [item] = items(floor, "--date", "2026-05-09", now="2026-05-03T11:00:00", user="王芳")
    assert item["reason"] == "planned"


def test_a_visit_received_by_the_owner_goes_on_the_card_without_a_reminder(floor):
    told = floor.ok("visit", "add", "--phone", "13800138000", user="王芳").stdout
    assert "A00001" in told
    assert items(floor, user="王芳") == []
    assert floor.json("visit", "list", user="王芳")["visits"][0]["card"] == "A00001"


def test_a_supervisor_who_may_see_the_card_is_told_which_it_is(floor):
    told = floor.ok("visit", "add", "--phone", "13800138000", user="钱主管").stdout
    assert "A00001" in told and "王芳" in told
    [visit] = floor.json("visit", "list", user="赵经理")["visits"]
    assert (visit["card"], visit["return_visit"]) == ("A00001", True)
    assert "A00001（再次到店）" in floor.ok("visit", "list", user="赵经理").stdout
    assert [i["reason"] for i in items(floor, user="王芳")] == ["returned"]


def test_a_return_visit_is_no_visit_without_a_card_in_the_audit(floor):
    floor.ok("visit", "add", "--phone", "13800138000", "--at", "2026-05-03 08:00", "--left", "2026-05-03 08:30",
             user="李强")
    floor.ok("visit", "add", "--phone", "13900139000", "--at", "2026-05-03 08:00", "--left", "2026-05-03 08:30",
             user="李强")
    findings = floor.json("audit", "--rule", "visit-without-card", user="赵经理")["findings"]
    assert len(findings) == 1 and "13900139000" in findings[0]["message"]
    assert [v["phone"] for v in floor.json("visit", "list", "--no-card", user="李强")["visits"]] == ["13900139000"]


def test_a_closed_card_does_not_take_the_visit(floor):
    floor.ok("invalid", "张三", "--reason", "非购车客户", user="王芳")
    told = floor.ok("visit", "add", "--phone", "13800138000", user="李强").stdout
    assert "leadcard add" in told
    visit = floor.json("visit", "list", user="李强")["visits"][0]
    assert (visit["card"], visit["return_visit"]) == (None, False)


def test_a_return_visit_takes_a_dormant_card_out_of_the_pool(lc):
    sales_floor(lc)
    lc.ok("add", "张三", "--phone", "13800138000", "--owner", "王芳", "--grade", "C", now="2025-11-20T10:00:00")
    lc.ok("log", "张三", "--channel", "sms", "--content", "感谢到店", now="2025-11-20T10:30:00", user="王芳")
    lc.ok("log", "张三", "--channel", "phone", "--content", "明年再说", now="2025-11-21T10:00:00", user="王芳")
    lc.now = "2026-06-01T10:00:00"  # dormant since 21 May, and no wake-up window today
    assert items(lc, user="王芳") == []
    assert [c["ref"] for c in lc.json("list", "--status", "dormant", user="王芳")] == ["A00001"]
    lc.ok("visit", "add", "--phone", "13800138000", user="李强")
    [item] = items(lc, user="王芳")
    assert item["reason"] == "returned"
    assert lc.json("list", "--status", "dormant", user="王芳") == []
    lc.ok("log", "张三", "--channel", "phone", "--content", "回访：客户想换车，约周末到店", "--next", "2026-06-06",
          user="王芳")
    assert items(lc, user="王芳") == []
    # Not a wake-up by the consultant: the customer came back on his own.
    assert "woken" not in [e["kind"] for e in lc.json("show", "张三", user="王芳")["events"]]
