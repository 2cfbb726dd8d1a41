"""The team and the card's whole life: roles, instructions, won/lost with approval, dormancy, the
showroom log — end to end through the CLI with a fixed clock."""

from __future__ import annotations

import json
import sqlite3

import pytest

from conftest import database, dormant_card, sales_floor, table_names


def team(lc):
    """A store: manager 赵经理; team 一组 = supervisor 钱主管 + 王芳, 李强; team 二组 = 周主管 + 孙丽."""
    sales_floor(lc, ("周主管", "supervisor", "二组"))
    lc.ok("add", "刘先生", "--phone", "13800138000", "--model", "凯美瑞", "--grade", "H", "--owner", "王芳")
    lc.ok("log", "刘先生", "--channel", "wechat", "--content", "感谢到店，发送车型资料", user="王芳")
    lc.user = None


def counts(lc) -> dict:
    """Rows per table: a refused command must leave every one unchanged."""
    with database(lc.db) as db:
        tables = table_names(db)
        snapshot = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
        snapshot["cards-state"] = db.execute("SELECT group_concat(status || owner_id || do_not_contact) FROM cards").fetchone()[0]
        snapshot["users-state"] = db.execute("SELECT group_concat(active) FROM users").fetchone()[0]
    return snapshot


def refused(lc, *args, user, code=1, env=None):
    before = counts(lc)
    result = lc(*args, user=user, env=env)
    assert result.exit_code == code, (args, result.stdout, result.stderr)
    assert result.stderr.startswith("leadcard: ") and result.stderr.count("\n") == 1, result.stderr
    assert counts(lc) == before
    return result


def card(lc, ref="A00001", user="赵经理"):
    return lc.json("show", ref, user=user)


# -- users and roles ------------------------------------------------------------------------------


def test_a_manager_deactivates_a_consultant_whose_cards_stay_readable_and_can_be_assigned(lc):
    team(lc)
    refused(lc, "user", "deactivate", "王芳", user="钱主管")
    lc.ok("user", "deactivate", "王芳", user="赵经理")
    assert lc("today", user="王芳").exit_code == 1  # can no longer act
    assert card(lc)["owner"] == "王芳"  # the card is still there and readable
    assert card(lc, user="钱主管")["name"] == "刘先生"
    refused(lc, "assign", "A00001", "王芳", user="钱主管")  # cannot take new cards
    lc.ok("assign", "A00001", "李强", user="钱主管")
    assert card(lc)["owner"] == "李强"
    lc.ok("user", "activate", "王芳", user="赵经理")
    assert {u["name"]: u["active"] for u in lc.json("user", "list", user="赵经理")}["王芳"] is True


def test_assign_is_for_a_supervisor_within_the_team_or_the_manager_and_kept_in_history(lc):
    team(lc)
    refused(lc, "assign", "A00001", "李强", user="王芳")  # consultants do not move cards
    refused(lc, "assign", "A00001", "孙丽", user="钱主管")  # 孙丽 is not in 一组
    refused(lc, "assign", "A00001", "李强", user="周主管")  # 周主管 cannot see 一组's card
    lc.ok("assign", "A00001", "李强", user="钱主管")
    lc.ok("assign", "A00001", "孙丽", user="赵经理", now="2026-05-04T09:00:00")
    moves = [(e["from"], e["to"], e["by"]) for e in card(lc)["events"] if e["kind"] == "assigned"]
    assert moves == [("王芳", "李强", "钱主管"), ("李强", "孙丽", "赵经理")]
    assert lc("show", "A00001", user="王芳").exit_code == 1  # no longer 王芳's to see
    assert lc.json("show", "A00001", user="孙丽")["phone"] == "13800138000"
    shown = lc.ok("show", "A00001", user="赵经理").stdout
    assert "转交  王芳 → 李强" in shown


def phones_seen(lc, user: str) -> set[str]:
    """Every phone of 刘先生 (王芳's card in 一组) that `user` sees: show, list, today, export."""
    seen = set()
    shown = lc("show", "A00001", "--json", user=user)
    if shown.exit_code == 0:
        seen.add(shown.json()["phone"])
    seen |= {c["phone"] for c in lc.json("list", user=user)}
    seen |= {i["phone"] for i in lc.json("today", "--date", "2026-05-04", user=user)["items"]}
    exported = json.loads(lc.ok("export", "--format", "json", user=user).stdout)
    seen |= {row["phone"] for table in ("cards", "followups") for row in exported[table]}
    return seen


def test_a_supervisor_sees_the_teams_phones_whole_the_manager_all_and_another_team_nothing(lc):
    team(lc)
    assert phones_seen(lc, "钱主管") == {"13800138000"}  # 一组's supervisor: their own team's customer
    assert phones_seen(lc, "赵经理") == {"13800138000"}
    assert phones_seen(lc, "王芳") == {"13800138000"}  # the card's own consultant
    assert phones_seen(lc, "周主管") == set()  # 二组's supervisor: neither the card nor its phone
    assert phones_seen(lc, "李强") == set()  # a teammate: not their customer
    assert "13800138000" in lc.ok("show", "A00001", user="钱主管").stdout



# -- supervisor instructions ----------------------------------------------------------------------


def test_a_supervisor_instruction_stands_under_its_follow_up(lc):
    team(lc)
    lc.ok("log", "A00001", "--channel", "phone", "--content", "确认级别，约周六试驾", "--next", "+2d", user="王芳")
    refused(lc, "comment", "A00001", "明天必须回访", user="王芳")
    refused(lc, "comment", "A00001", "明天必须回访", "--followup", "9", user="钱主管")
    lc.ok("comment", "A00001", "先发对比表，再约试驾", "--followup", "1", user="钱主管")
    lc.ok("comment", "A00001", "试驾后当天报价", user="赵经理")  # under the latest follow-up
    shown = card(lc)["instructions"]
    assert [(i["author"], i["followup"]) for i in shown] == [("钱主管", 1), ("赵经理", 2)]
    text = lc.ok("show", "A00001", user="王芳").stdout
    first, second = text.index("第 1 次"), text.index("第 2 次")
    assert first < text.index("主管批示（钱主管") < second < text.index("主管批示（赵经理")


# -- outcomes -------------------------------------------------------------------------------------


def test_a_lost_sale_is_requested_by_the_consultant_and_approved_by_the_teams_supervisor(lc):
    team(lc)
    lc.ok("lose", "A00001", "--reason", "price", "--competitor", "本田雅阁", "--note", "对方优惠两万", user="王芳")
    pending = card(lc)
    assert pending["status"] == "lost-pending"
    assert pending["outcome"]["reason"] == "价格"
    assert lc.json("today", "--date", "2026-05-10", user="王芳")["items"] == []
    refused(lc, "approve", "A00001", user="王芳")  # never the card's own consultant
    refused(lc, "approve", "A00001", user="李强")  # a consultant
    refused(lc, "approve", "A00001", user="周主管")  # another team's supervisor
    lc.ok("approve", "A00001", "--note", "同意", user="钱主管", now="2026-05-04T18:00:00")
    lost = card(lc)
    assert lost["status"] == "lost"
    assert (lost["outcome"]["decided_by"], lost["outcome"]["verdict"]) == ("钱主管", "approved")
    text = lc.ok("show", "A00001", user="王芳").stdout
    assert "战败原因  价格 · 购买 本田雅阁" in text
    assert "批准      钱主管  2026-05-04 18:00：同意" in text


def test_a_supervisor_never_approves_their_own_cards_loss(lc):
    team(lc)
    lc.ok("add", "黄女士", "--phone", "13900139000", user="钱主管")
    lc.ok("lose", "黄女士", "--reason", "推迟购买", user="钱主管")
    refused(lc, "approve", "黄女士", user="钱主管")
    lc.ok("approve", "黄女士", user="赵经理")
    assert lc.json("show", "黄女士", user="赵经理")["status"] == "lost"


def test_a_rejected_loss_goes_back_to_work_with_the_note_as_an_instruction(lc):
    team(lc)
    lc.ok("lose", "A00001", "--reason", "竞品品牌", "--competitor", "比亚迪汉", user="王芳")
    refused(lc, "reject", "A00001", "--note", "再跟", user="李强")
    refused(lc, "reject", "A00001", "--note", "  ", user="钱主管", code=2)
    lc.ok("reject", "A00001", "--note", "只联系了一次，约一次试驾再说", user="钱主管")
    back = card(lc)
    assert back["status"] == "open" and back["due_at"] is not None
    assert back["instructions"][-1]["text"].endswith("只联系了一次，约一次试驾再说")
    assert [e["kind"] for e in back["events"]][-2:] == ["lost-requested", "lost-rejected"]
    assert [i["ref"] for i in lc.json("today", "--date", "2026-05-10", user="王芳")["items"]] == ["A00001"]


def test_a_loss_asked_for_before_the_fourth_follow_up_reminds_the_consultant_at_once(lc, tmp_path):
    """80 % of sales close after the 4th follow-up: the tool asks the question the paper card left to
    the supervisor, when the consultant gives up; the request is made all the same."""
    team(lc)  # A00001 has one follow-up, the thank-you
    early = lc("lose", "A00001", "--reason", "价格", user="王芳")
    assert early.exit_code == 0 and early.stdout.strip() == "A00001 刘先生：战败申请（价格）等待主管审批"
    assert early.stderr.strip() == ("提醒：H 级客户只跟进了 1 次就申请战败；八成成交在第 4–11 次跟进之后（本店要求至少 4 次）。"
                                    "申请已提交，主管审批时会看到跟进次数。")
    assert card(lc)["status"] == "lost-pending"
    lc.ok("reopen", "A00001", user="王芳")
    reminders = []
    for content in ("电话确认预算二十万", "约周末试驾", "试驾后和家人商量"):
        lc.ok("log", "A00001", "--channel", "phone", "--content", content, "--next", "2026-05-20", user="王芳")
        asked = lc("lose", "A00001", "--reason", "价格", "--json", user="王芳")
        assert asked.exit_code == 0 and json.loads(asked.stdout)["status"] == "lost-pending"  # JSON stays whole
        reminders.append(asked.stderr)
        lc.ok("reopen", "A00001", user="王芳")
    assert ["只跟进了 2 次" in reminders[0], "只跟进了 3 次" in reminders[1], reminders[2]] == [True, True, ""]
    (tmp_path / "store.toml").write_text("[audit.gave-up-early]\nenabled = false\n", encoding="utf-8")
    lc.ok("init", "--policy-file", str(tmp_path / "store.toml"), user="赵经理")
    lc.ok("add", "周女士", "--phone", "13900139001", "--owner", "王芳", user="赵经理")
    assert lc("lose", "周女士", "--reason", "推迟购买", user="王芳").stderr == ""  # the store asks no minimum


def test_loss_reasons_are_the_stores_fixed_list(lc):
    team(lc)
    refused(lc, "lose", "A00001", "--reason", "客户太穷", user="王芳", code=2)
    for typed, stored in (("bought-elsewhere", "已在别处购买"), ("贷款未过", "贷款未过")):
        lc.ok("lose", "A00001", "--reason", typed, user="王芳")
        assert card(lc)["outcome"]["reason"] == stored
        lc.ok("reopen", "A00001", user="王芳")  # the consultant withdraws the request


def test_an_invalid_card_leaves_the_lists_and_a_supervisor_reopens_closed_cards(lc):
    team(lc)
    refused(lc, "invalid", "A00001", "--reason", "空号", user="孙丽")  # not hers to see
    lc.ok("invalid", "A00001", "--reason", "空号", user="王芳")
    assert card(lc)["status"] == "invalid"
    assert lc.json("today", "--date", "2026-05-10", user="王芳")["items"] == []
    assert lc.json("list", "--search", "刘", user="王芳")[0]["status"] == "invalid"
    lc.ok("reopen", "A00001", "--note", "号码核实有效", user="王芳")
    lc.ok("win", "A00001", user="王芳")
    refused(lc, "reopen", "A00001", user="王芳")  # a deal is reopened by a supervisor
    lc.ok("reopen", "A00001", user="钱主管")
    reopened = card(lc)
    assert reopened["status"] == "open"
    assert [e["from"] for e in reopened["events"] if e["kind"] == "reopened"] == ["invalid", "won"]


def test_reopening_refuses_a_phone_already_back_on_another_open_card(lc):
    team(lc)
    lc.ok("invalid", "A00001", "--reason", "重复建卡", user="王芳")
    lc.ok("add", "刘先生", "--phone", "13800138000", "--owner", "李强", user="钱主管")
    refused(lc, "reopen", "A00001", user="钱主管")


def test_single_user_mode_runs_the_whole_lifecycle(lc):
    lc.ok("add", "刘先生", "--phone", "13800138000", "--model", "卡罗拉")
    lc.ok("lose", "刘先生", "--reason", "price")
    lc.ok("approve", "刘先生")
    assert lc.json("show", "刘先生")["status"] == "lost"
    assert lc("comment", "刘先生", "下次注意").exit_code == 0


# -- dormant pool ---------------------------------------------------------------------------------


def test_a_contact_wakes_a_dormant_card_and_the_wake_up_is_recorded_once(lc):
    dormant_card(lc)
    lc.now = "2026-07-01T09:00:00"
    assert lc.json("show", "张三")["status"] == "dormant"
    assert [c["ref"] for c in lc.json("list", "--status", "dormant")] == ["A00001"]
    lc.ok("log", "张三", "--channel", "phone", "--outcome", "unreachable", "--content", "季度唤醒，未接")
    still = lc.json("show", "张三")
    assert still["status"] == "dormant"  # an attempt is not a contact for the dormant clock
    lc.ok("log", "张三", "--channel", "wechat", "--content", "发送新款资料，客户回复想看看", now="2026-07-01T15:00:00")
    woken = lc.json("show", "张三")
    assert woken["status"] == "open"
    assert [(e["kind"], e["followup_seq"]) for e in woken["events"] if e["kind"] == "woken"] == [("woken", 3)]
    assert "休眠唤醒  第 3 次跟进" in lc.ok("show", "张三").stdout


# -- showroom log ---------------------------------------------------------------------------------


def test_a_visit_that_left_contact_details_becomes_a_card(lc):
    team(lc)
    lc.user = "王芳"
    lc.ok("visit", "add", "--at", "2026-05-03 09:00", "--left", "2026-05-03 09:40", "--party", "3",
          "--model", "RAV4荣放", "--test-drive", "--name", "陈女士", "--phone", "139 0013 9000", now="2026-05-03T09:45:00")
    lc.ok("visit", "add", "--at", "2026-05-03 09:30", "--source", "来电", "--model", "卡罗拉", now="2026-05-03T09:50:00")
    log = lc.json("visit", "list", now="2026-05-03T10:00:00")
    assert (log["total"], log["contact_left"], log["contact_rate"]) == (2, 1, 0.5)
    assert lc.json("visit", "list", "--no-card", now="2026-05-03T10:00:00")["visits"] == []  # 20 min: not yet late
    at_limit = lc.json("visit", "list", now="2026-05-03T10:10:00")["visits"]
    assert [v["card_overdue"] for v in at_limit] == [False, False]  # a card made at 10:10 is in time
    assert lc.json("visit", "list", "--no-card", now="2026-05-03T10:10:00")["visits"] == []
    assert [v["id"] for v in lc.json("visit", "list", "--no-card", now="2026-05-03T10:10:01")["visits"]] == [1]
    late = lc.json("visit", "list", "--no-card", now="2026-05-03T10:11:00")["visits"]
    assert [(v["id"], v["phone"], v["card_overdue"]) for v in late] == [(1, "13900139000", True)]
    made = lc.json("add", "陈女士", "--phone", "13900139000", "--visit", "1", now="2026-05-03T10:15:00")
    shown = lc.json("show", made["ref"])
    assert (shown["source"], shown["model"]) == ("walk-in", "RAV4荣放")
    assert lc.json("visit", "list")["visits"][0]["card"] == made["ref"]
    assert lc.json("visit", "list", "--no-card", now="2026-05-03T12:00:00")["visits"] == []
    refused(lc, "add", "陈先生", "--phone", "13900139001", "--visit", "1", user="王芳")  # one visit, one card
    refused(lc, "visit", "add", "--consultant", "李强", user="王芳")  # consultants log their own
    refused(lc, "visit", "add", "--at", "2026-05-03 11:00", "--left", "2026-05-03 10:00", user="王芳", code=2)


def test_visits_are_visible_like_cards(lc):
    team(lc)
    lc.ok("visit", "add", "--phone", "13700137000", user="孙丽")
    assert lc.json("visit", "list", user="王芳")["visits"] == []
    assert len(lc.json("visit", "list", user="周主管")["visits"]) == 1
    refused(lc, "add", "某人", "--phone", "13700137000", "--visit", "1", user="王芳")


# -- attempts and do-not-contact ------------------------------------------------------------------


def test_failed_attempts_are_kept_and_after_five_today_suggests_invalid(lc):
    lc.ok("add", "吴先生", "--phone", "13600136000", "--grade", "A")
    lc.ok("log", "吴先生", "--channel", "sms", "--content", "感谢到店")
    for day in range(4, 9):
        lc.ok("log", "吴先生", "--channel", "phone", "--outcome", "unreachable", "--content", "未接通",
              now=f"2026-05-0{day}T10:00:00")
        item = lc.json("today", "--date", "2026-05-20")["items"][0]
        assert item["suggest_invalid"] is (day == 8)
    assert "建议核实后标记无效" in item["purpose"]
    shown = lc.json("show", "吴先生")
    assert [f["outcome"] for f in shown["followups"]][-5:] == ["unreachable"] * 5
    assert shown["failed_attempts"] == 5
    assert "（未接通）" in lc.ok("show", "吴先生").stdout
    lc.ok("log", "吴先生", "--channel", "phone", "--content", "终于接通，下周来店", now="2026-05-09T10:00:00")
    assert lc.json("today", "--date", "2026-05-30")["items"][0]["suggest_invalid"] is False


def test_a_customer_who_asks_not_to_be_contacted_leaves_every_list(lc):
    lc.ok("add", "郑先生", "--phone", "13500135000")
    lc.ok("do-not-contact", "郑先生", "--note", "客户要求不要再打电话")
    assert lc.json("today", "--date", "2026-05-20")["items"] == []
    assert lc.json("list") == []
    assert [c["name"] for c in lc.json("list", "--do-not-contact")] == ["郑先生"]
    assert lc.json("show", "郑先生")["do_not_contact"] is True
    assert lc("do-not-contact", "郑先生").exit_code == 1
    lc.ok("do-not-contact", "郑先生", "--undo")
    assert [i["name"] for i in lc.json("today", "--date", "2026-05-20")["items"]] == ["郑先生"]


def test_a_v1_store_gains_failed_attempt_counts_on_upgrade(lc, tmp_path):
    from leadcard.store import migrations

    path = tmp_path / "v1.db"
    db = sqlite3.connect(path)
    db.execute("BEGIN")
    migrations.MIGRATIONS[0](db)
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO cards (id, created_at, recorded_at, source, name, phone, grade) "
               "VALUES (1, '2026-05-01T02:00:00Z', '2026-05-01T02:00:00Z', 'walk-in', '老客户', '13800138000', 'B')")
    for seq, outcome in enumerate(("reached", "unreachable", "refused"), start=1):
        db.execute("INSERT INTO followups (card_id, seq, at, recorded_at, channel, outcome, content) "
                   f"VALUES (1, {seq}, '2026-05-0{seq + 1}T02:00:00Z', '2026-05-0{seq + 1}T02:00:00Z', 'phone', ?, '…')",
                   (outcome,))
    db.commit()
    db.close()
    lc.db = path
    assert lc.json("show", "A00001")["failed_attempts"] == 2
    assert list(tmp_path.glob("v1.db.v1.bak"))


@pytest.mark.parametrize("command", [
    ("win", "A00009"), ("lose", "A00009", "--reason", "price"), ("approve", "A00009"),
    ("reject", "A00009", "--note", "x"), ("invalid", "A00009", "--reason", "x"), ("reopen", "A00009"),
    ("assign", "A00009", "李强"), ("comment", "A00009", "x"), ("do-not-contact", "A00009"),
])
def test_lifecycle_commands_name_a_missing_card_in_one_line(lc, command):
    team(lc)
    result = refused(lc, *command, user="赵经理")
    assert "A00009" in result.stderr


# -- identity on a shared showroom PC -------------------------------------------------------------


def test_a_user_bound_to_another_login_cannot_be_acted_as_from_this_one(lc):
    from leadcard.domain.session import os_login

    here = os_login()
    lc.ok("user", "add", "赵经理", "--role", "manager", "--login", here)
    lc.ok("user", "add", "钱主管", "--role", "supervisor", "--team", "一组", "--login", "showroom-boss", user="赵经理")
    lc.ok("user", "add", "王芳", "--role", "consultant", "--team", "一组", user="赵经理")
    lc.ok("add", "刘先生", "--phone", "13800138000", "--owner", "王芳", user="赵经理")
    real_clock = {"LEADCARD_NOW": ""}  # once logins are bound, only a manager may set the clock
    refused(lc, "comment", "刘先生", "明天回访", user="钱主管", env=real_clock)
    # $USER and $LOGNAME are anyone's to set; the binding goes by the process's user id.
    spoofed = {"USER": "showroom-boss", "LOGNAME": "showroom-boss", "USERNAME": "showroom-boss", **real_clock}
    refused(lc, "comment", "刘先生", "明天回访", user="钱主管", env=spoofed)
    refused(lc, "user", "bind", "钱主管", "--unbind", user="钱主管", env=real_clock)
    lc.ok("user", "bind", "钱主管", "--unbind", user="赵经理")
    lc.ok("comment", "刘先生", "明天回访", user="钱主管", env=real_clock)
    logins = {u["name"]: u["login"] for u in lc.json("user", "list", user="赵经理")}
    assert logins == {"赵经理": here, "钱主管": None, "王芳": None}
    assert lc("user", "bind", "钱主管", user="赵经理").exit_code == 2
