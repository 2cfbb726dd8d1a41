"""A consultant leaves: `assign --from USER --to USER [--grade G] [--status S]` moves their cards in one
step, and `user deactivate NAME --reassign-to USER` deactivates them and hands over what they still
have in hand, in one transaction. Every card keeps the move in its history."""

import pytest

from conftest import sales_floor
from test_lifecycle import refused


@pytest.fixture
def leaving(lc):
    """王芳 (一组) leaves: 张三 A (due), 李四 B, 王五 A (loss requested), 赵六 won, 钱七 do-not-contact;
    李强 has 孙八. 二组's supervisor is 周主管."""
    sales_floor(lc, ("周主管", "supervisor", "二组"))
    made = "2026-05-01T10:00:00"
    for name, phone, grade, owner in (("张三", "13800000001", "A", "王芳"), ("李四", "13800000002", "B", "王芳"),
                                      ("王五", "13800000003", "A", "王芳"), ("赵六", "13800000004", "A", "王芳"),
                                      ("钱七", "13800000005", "C", "王芳"), ("孙八", "13800000006", "A", "李强")):
        lc.ok("add", name, "--phone", phone, "--grade", grade, "--owner", owner, now=made)
    lc.ok("lose", "王五", "--reason", "价格", now="2026-05-02T10:00:00", user="王芳")
    lc.ok("win", "赵六", "--model", "凯美瑞", now="2026-05-02T11:00:00", user="王芳")
    lc.ok("do-not-contact", "钱七", now="2026-05-02T12:00:00", user="王芳")
    lc.user = None
    return lc


def owners(lc) -> dict[str, str]:
    cards = lc.json("list", "--all", user="赵经理") + lc.json("list", "--do-not-contact", user="赵经理")
    return {c["name"]: c["owner"] for c in cards}


def test_a_supervisor_moves_a_departing_consultants_cards_in_hand_to_a_colleague_in_one_step(leaving):
    moved = leaving.json("assign", "--from", "王芳", "--to", "李强", user="钱主管")
    assert (moved["from"], moved["to"], moved["moved"]) == ("王芳", "李强", 4)
    assert sorted(moved["refs"]) == ["A00001", "A00002", "A00003", "A00005"]
    assert owners(leaving) == {"张三": "李强", "李四": "李强", "王五": "李强", "赵六": "王芳", "钱七": "李强", "孙八": "李强"}
    events = leaving.json("show", "张三", user="赵经理")["events"]
    assert [(e["from"], e["to"], e["by"]) for e in events if e["kind"] == "assigned"] == [("王芳", "李强", "钱主管")]
    assert "A00001" in [i["ref"] for i in leaving.json("today", "--date", "2026-05-03", user="李强")["items"]]
    # Nothing left to move: the won card stays with its seller.
    assert "0 张卡片已转给" in leaving.ok("assign", "--from", "王芳", "--to", "李强", user="钱主管").stdout


def test_only_the_grade_or_status_asked_for_moves(leaving):
    assert leaving.json("assign", "--from", "王芳", "--to", "李强", "--grade", "A", user="钱主管")["refs"] == [
        "A00003", "A00001"]
    assert leaving.json("assign", "--from", "王芳", "--to", "李强", "--status", "won", user="钱主管")["refs"] == ["A00004"]
    assert owners(leaving)["李四"] == "王芳"


def test_the_due_time_follows_the_new_owner(leaving):
    """A return visit received by 李强 is due to 王芳 as `returned`; once the card is 李强's, it is not."""
    leaving.ok("log", "李四", "--channel", "wechat", "--content", "感谢到店", now="2026-05-01T10:30:00", user="王芳")
    leaving.ok("log", "李四", "--channel", "phone", "--content", "确认预算", "--next", "2026-05-10",
               now="2026-05-01T11:00:00", user="王芳")
    leaving.ok("visit", "add", "--phone", "13800000002", "--at", "2026-05-03 09:00", user="李强")
    assert leaving.json("show", "李四", user="赵经理")["due_reason"] == "returned"
    leaving.ok("assign", "--from", "王芳", "--to", "李强", "--grade", "B", user="钱主管")
    card = leaving.json("show", "李四", user="赵经理")
    assert (card["due_reason"], card["due_at"]) == ("planned", "2026-05-10T00:00:00+08:00")


def test_a_supervisor_moves_cards_only_within_the_team_the_manager_anywhere(leaving):
    refused(leaving, "assign", "--from", "王芳", "--to", "孙丽", user="钱主管")  # 孙丽 is in 二组
    refused(leaving, "assign", "--from", "王芳", "--to", "孙丽", user="周主管")  # 王芳 is not in 二组
    refused(leaving, "assign", "--from", "王芳", "--to", "李强", user="王芳")  # consultants do not move cards
    assert leaving.json("assign", "--from", "王芳", "--to", "孙丽", user="赵经理")["moved"] == 4
    assert owners(leaving)["张三"] == "孙丽"


@pytest.mark.parametrize("args, code", [
    (("A00001", "--from", "王芳", "--to", "李强"), 2),  # a card and a consultant's cards at once
    (("--from", "王芳"), 2),
    (("--to", "李强"), 2),
    (("--grade", "A"), 2),
    (("A00001",), 2),
    (("--from", "王芳", "--to", "李强", "--grade", "Z"), 2),
    (("--from", "王芳", "--to", "李强", "--status", "gone"), 2),
    (("--from", "无名", "--to", "李强"), 1),
    (("--from", "王芳", "--to", "无名"), 1),
    (("--from", "王芳", "--to", "王芳"), 1),
])
def test_bad_combinations_are_refused_and_move_nothing(leaving, args, code):
    refused(leaving, "assign", *args, user="赵经理", code=code)


def test_cards_never_go_to_a_deactivated_user(leaving):
    leaving.ok("user", "deactivate", "李强", user="赵经理")
    refused(leaving, "assign", "--from", "王芳", "--to", "李强", user="赵经理")


def test_deactivating_with_reassign_to_hands_over_every_card_in_hand_at_once(leaving):
    done = leaving.json("user", "deactivate", "王芳", "--reassign-to", "李强", user="赵经理")
    assert done["active"] is False and done["reassigned"]["to"] == "李强" and done["reassigned"]["moved"] == 4
    assert owners(leaving) == {"张三": "李强", "李四": "李强", "王五": "李强", "赵六": "王芳", "钱七": "李强", "孙八": "李强"}
    assert leaving("today", user="王芳").exit_code == 1
    events = leaving.json("show", "王五", user="赵经理")["events"]
    assert [(e["from"], e["to"], e["by"]) for e in events if e["kind"] == "assigned"] == [("王芳", "李强", "赵经理")]


@pytest.mark.parametrize("target", ["无名", "王芳"])
def test_deactivating_with_a_bad_reassign_to_changes_nothing(leaving, target):
    refused(leaving, "user", "deactivate", "王芳", "--reassign-to", target, user="赵经理")
    leaving.ok("user", "deactivate", "孙丽", user="赵经理")
    refused(leaving, "user", "deactivate", "王芳", "--reassign-to", "孙丽", user="赵经理")  # inactive
