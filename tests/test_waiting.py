"""A supervisor's and the manager's `today`: their own due cards, then what waits on them."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from rich.cells import cell_len

from conftest import sales_floor, sqlite_only
from leadcard.store import Scope, Store
from leadcard.store.waiting import plans
from test_lean_today import on_both_paths


def waiting(lc, user, **kwargs):
    return lc.json("today", user=user, **kwargs)["waiting"]


@pytest.fixture
def floor(lc):
    """一组: 王芳's 张三 (A00001, delivered 2 May, not handed over) and 周七 (A00004, follow-ups unsigned);
    李强's 李四 (A00002, loss requested). 二组: 孙丽's 王五 (A00003, loss requested)."""
    sales_floor(lc)
    made = "2026-04-28T10:00:00"
    for name, phone, owner in (("张三", "13800000001", "王芳"), ("李四", "13800000002", "李强"),
                               ("王五", "13800000003", "孙丽"), ("周七", "13800000004", "王芳")):
        lc.ok("add", name, "--phone", phone, "--owner", owner, now=made)
    lc.ok("comment", "李四", "已阅", now=made)  # nothing logged yet: signs nothing
    lc.ok("win", "张三", "--model", "凯美瑞", now="2026-05-01T10:00:00", user="王芳")
    lc.ok("deliver", "张三", now="2026-05-02T16:00:00", user="王芳")
    lc.ok("lose", "李四", "--reason", "价格", "--competitor", "雅阁", now="2026-05-02T11:00:00", user="李强")
    lc.ok("lose", "王五", "--reason", "推迟购买", now="2026-05-02T11:00:00", user="孙丽")
    lc.ok("log", "周七", "--channel", "wechat", "--content", "感谢到店，发送配置表", now="2026-04-28T11:00:00", user="王芳")
    lc.ok("log", "周七", "--channel", "phone", "--content", "确认预算二十万", "--next", "2026-05-05",
          now="2026-04-29T10:00:00", user="王芳")
    return lc


def test_a_supervisor_sees_what_waits_on_the_team(floor):
    w = waiting(floor, "钱主管")
    assert [c["ref"] for c in w["loss_requests"]] == ["A00002"]
    assert w["loss_requests"][0]["commands"] == ["leadcard approve A00002", "leadcard reject A00002 --note 驳回理由"]
    assert (w["loss_requests"][0]["reason"], w["loss_requests"][0]["competitor"]) == ("价格", "雅阁")
    [unsigned] = w["unsigned"]
    assert (unsigned["ref"], unsigned["followups"], unsigned["first_seq"]) == ("A00004", 2, 1)
    assert unsigned["commands"] == ["leadcard comment A00004 批示内容"]
    [handover] = w["handovers"]
    assert (handover["ref"], handover["due_at"]) == ("A00001", "2026-05-06T23:59:59+08:00")  # after the May holiday
    assert handover["commands"] == ["leadcard handover A00001 --to 售后顾问"]
    assert w["visits_without_card"] == []


def test_the_manager_sees_every_team_and_a_consultant_nothing_of_it(floor):
    w = waiting(floor, "赵经理")
    assert [c["ref"] for c in w["loss_requests"]] == ["A00002", "A00003"]
    assert [u["ref"] for u in w["unsigned"]] == ["A00004"]
    today = floor.json("today", user="王芳")
    assert "waiting" not in today
    assert "待我处理" not in floor.ok("today", user="王芳").stdout
    assert "waiting" not in floor.json("today", "--owner", "王芳", user="钱主管")


def test_each_line_leaves_when_it_is_acted_on(floor):
    floor.ok("approve", "李四", user="钱主管")
    floor.ok("comment", "周七", "下周邀约试驾，准备竞品对比", user="钱主管")
    floor.ok("handover", "张三", "--to", "售后刘", user="王芳")
    w = waiting(floor, "钱主管")
    assert (w["loss_requests"], w["unsigned"], w["handovers"]) == ([], [], [])
    floor.ok("log", "周七", "--channel", "phone", "--content", "约好周六试驾", "--next", "2026-05-09",
             now="2026-05-03T11:00:00", user="王芳")
    [unsigned] = waiting(floor, "钱主管", now="2026-05-03T11:00:00")["unsigned"]
    assert (unsigned["followups"], unsigned["first_seq"]) == (1, 3)


def test_unsigned_follow_ups_come_from_the_policy_s_last_days(floor):
    # 周七's first follow-up was at 04-28 11:00: seven days on it is still in the window, a minute later not.
    assert waiting(floor, "钱主管", now="2026-05-05T11:00:00")["unsigned"][0]["followups"] == 2
    assert waiting(floor, "钱主管", now="2026-05-05T11:01:00")["unsigned"][0]["followups"] == 1
    assert waiting(floor, "钱主管", now="2026-05-06T10:01:00")["unsigned"] == []


def test_a_supervisor_s_own_cards_wait_on_nobody_in_their_list(floor):
    floor.ok("add", "陈八", "--phone", "13800000005", now="2026-05-01T10:00:00", user="钱主管")
    floor.ok("log", "陈八", "--channel", "sms", "--content", "感谢到店", now="2026-05-01T10:10:00", user="钱主管")
    floor.ok("lose", "陈八", "--reason", "价格", now="2026-05-02T10:00:00", user="钱主管")
    w = waiting(floor, "钱主管")
    assert "A00005" not in [c["ref"] for c in w["loss_requests"]]
    assert "A00005" in [c["ref"] for c in waiting(floor, "赵经理")["loss_requests"]]


def priced(lc, card: str, discount: str, user: str, valid_until: str = "2026-05-06", now: str = "2026-05-03T10:00:00"):
    lc.ok("quote", card, "--price", "199800", "--discount", discount, "--valid-until", valid_until, now=now, user=user)


def approvals(lc, user, now="2026-05-03T11:00:00"):
    return [(a["ref"], a["seq"], a["author"]) for a in waiting(lc, user, now=now)["price_approvals"]]


def test_a_quote_above_the_limit_waits_for_a_price_approval_on_the_team_and_the_manager(floor):
    priced(floor, "周七", "8000", "王芳")  # above the consultant's 3,000
    floor.ok("add", "陈八", "--phone", "13800000005", "--owner", "李强", now="2026-05-03T09:00:00")
    priced(floor, "陈八", "8000", "李强")
    floor.ok("lose", "陈八", "--reason", "价格", now="2026-05-03T10:30:00", user="李强")  # no longer open: no deal to price
    [approval] = waiting(floor, "钱主管", now="2026-05-03T11:00:00")["price_approvals"]
    assert {k: approval[k] for k in ("ref", "name", "owner", "seq", "price", "discount", "net", "valid_until",
                                     "status", "lapsed", "author", "commands")} == {
        "ref": "A00004", "name": "周七", "owner": "王芳", "seq": 1, "price": 199800, "discount": 8000,
        "net": 191800, "valid_until": "2026-05-06", "status": "pending", "lapsed": False, "author": "王芳",
        "commands": ["leadcard quote approve A00004 1"]}
    assert approvals(floor, "赵经理") == [("A00004", 1, "王芳")]
    floor.ok("user", "add", "周主管", "--role", "supervisor", "--team", "二组", user="赵经理")
    assert approvals(floor, "周主管") == []  # another team's
    assert "waiting" not in floor.json("today", user="王芳", now="2026-05-03T11:00:00")
    lines = floor.ok("today", user="钱主管", now="2026-05-03T11:00:00").stdout.splitlines()
    start = lines.index("待批价 1：")
    assert lines[start:start + 3] == [
        "待批价 1：",
        "  A00004 周七（王芳）第 1 次报价 车型未填 199,800元 优惠 8,000元 → 191,800元 有效至 05-06 待批价，05-03 10:00 王芳报",
        "    → leadcard quote approve A00004 1",
    ]
    floor.ok("quote", "approve", "周七", "1", user="钱主管", now="2026-05-03T11:00:00")
    assert approvals(floor, "钱主管") == approvals(floor, "赵经理") == []


def test_a_quote_waits_for_its_approval_through_its_last_valid_day(floor):
    priced(floor, "周七", "8000", "王芳")
    assert approvals(floor, "钱主管", now="2026-05-06T23:59:00") == [("A00004", 1, "王芳")]
    assert approvals(floor, "钱主管", now="2026-05-07T00:00:00") == []  # lapsed: quoted again, not approved


def test_only_the_latest_quote_of_a_card_waits(floor):
    priced(floor, "周七", "8000", "王芳")
    priced(floor, "周七", "3000", "王芳", now="2026-05-03T10:30:00")  # within the limit: the customer holds this one
    assert approvals(floor, "钱主管") == []
    priced(floor, "周七", "9000", "王芳", now="2026-05-03T10:40:00")
    assert approvals(floor, "钱主管") == [("A00004", 3, "王芳")]


def test_nobody_is_asked_to_approve_a_discount_they_gave(floor):
    """A supervisor who quotes on a card of the team waits on the manager, as `quote approve` has it."""
    priced(floor, "周七", "8000", "钱主管")
    assert approvals(floor, "钱主管") == []
    assert approvals(floor, "赵经理") == [("A00004", 1, "钱主管")]


def test_a_discount_on_a_supervisors_own_card_waits_on_another(floor):
    """The manager quotes on 钱主管's own customer: neither the supervisor (their own card) nor the
    manager (their own quote) is asked; a second manager is."""
    floor.ok("add", "吴九", "--phone", "13800000009", "--owner", "钱主管", now="2026-05-01T10:00:00")
    priced(floor, "吴九", "8000", "赵经理")
    assert approvals(floor, "钱主管") == approvals(floor, "赵经理") == []
    floor.ok("user", "add", "孙经理", "--role", "manager", user="赵经理")
    assert approvals(floor, "孙经理") == [("A00005", 1, "赵经理")]


def test_a_visit_with_a_phone_waits_once_thirty_minutes_after_it_left_have_passed(floor):
    floor.ok("visit", "add", "--name", "赵六", "--phone", "13900139000", "--at", "2026-05-03 09:00",
             "--left", "2026-05-03 09:30", now="2026-05-03T09:40:00", user="李强")
    floor.ok("visit", "add", "--phone", "13700137000", "--at", "2026-05-03 09:00", "--left", "2026-05-03 09:30",
             now="2026-05-03T09:40:00", user="孙丽")
    assert waiting(floor, "钱主管", now="2026-05-03T10:00:00")["visits_without_card"] == []  # a card now is in time
    [visit] = waiting(floor, "钱主管", now="2026-05-03T10:00:01")["visits_without_card"]
    assert (visit["visit"], visit["consultant"], visit["phone"]) == (1, "李强", "13900139000")
    assert visit["commands"] == ["leadcard add 赵六 --phone 13900139000 --visit 1"]
    assert [v["visit"] for v in waiting(floor, "赵经理", now="2026-05-03T10:00:01")["visits_without_card"]] == [1, 2]
    floor.ok("add", "赵六", "--phone", "13900139000", "--visit", "1", user="李强")
    assert waiting(floor, "钱主管")["visits_without_card"] == []


def test_the_sections_are_printed_with_their_commands(floor):
    floor.ok("visit", "add", "--name", "赵六", "--phone", "13900139000", "--at", "2026-05-03 09:00",
             "--left", "2026-05-03 09:20", user="李强")
    lines = floor.ok("today", user="钱主管").stdout.splitlines()
    start = lines.index("待我处理")
    assert lines[start:] == [
        "待我处理",
        "战败待审 1：",
        "  A00002 李四（李强）价格 · 购买 雅阁，05-02 11:00 申请，只跟进了 0 次（本店要求至少 4 次，先问清再批）",
        "    → leadcard approve A00002 或 leadcard reject A00002 --note 驳回理由",
        "待批示跟进（近 7 天）1：",
        "  A00004 周七（王芳）2 次跟进未批示，最早第 1 次 04-28",
        "    → leadcard comment A00004 批示内容",
        "留档未建卡 1：",
        "  来店 #1 05-03 09:00 李强接待 赵六 13900139000",
        "    → leadcard add 赵六 --phone 13900139000 --visit 1",
        "待交接售后 1：",
        "  A00001 张三（王芳）交车 05-02 16:00，截止 05-06",
        "    → leadcard handover A00001 --to 售后顾问",
    ]
    narrow = floor.ok("today", user="钱主管", env={"COLUMNS": "40"}).stdout.splitlines()
    assert all(cell_len(line) <= 40 for line in narrow[narrow.index("待我处理"):])
    assert "（已超时）" not in floor.ok("today", now="2026-05-06T23:59:59", user="钱主管").stdout
    late = floor.ok("today", now="2026-05-07T00:00:00", user="钱主管").stdout
    assert "截止 05-06（已超时）" in late


# ASCII ids: the mutation runner collects the tests again and runs them by id (tests/mutation/run).
@pytest.mark.parametrize("line", [("today",), ("today", "--json"), ("--as", "赵经理", "today", "--all")],
                         ids=["today", "today-json", "manager-today-all"])
def test_the_lean_path_draws_the_sections_as_typer_does(floor, line):
    floor.user = "钱主管"
    floor.ok("visit", "add", "--phone", "13900139000", "--at", "2026-05-03 09:00", user="李强")
    lean = on_both_paths(floor, *line)
    assert "A00002" in lean.stdout and "13900139000" in lean.stdout


@sqlite_only("SQLite's query plan")
def test_what_waits_is_read_through_indexes(floor):
    store = Store.open(floor.db, ZoneInfo("Asia/Shanghai"))
    since = datetime(2026, 4, 26, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    for scope in (Scope(), Scope(frozenset({1, 2, 3}))):
        found = plans(store, scope, 2, since)
        assert "cards_lost_pending" in found["loss_requests"] or scope.owner_ids, found
        assert "cards_handover_waiting" in found["handovers"], found
        # The open cards' follow-ups of the window are read from the index alone (migration 22).
        assert "COVERING INDEX followups_card_at" in found["unsigned"], found
        assert "instructions_card_at" in found["unsigned"], found
        assert ("cards_in_hand" if scope.owner_ids is None else "cards_owner_status") in found["unsigned"], found
        assert "visits_waiting_card" in found["visits_without_card"], found
        assert "card_events_kind_at (kind=? AND at>?)" in found["cancellations"], found
        assert "quotes_waiting (valid_until>?)" in found["price_approvals"], found
        # Nor a loss the actor asked for: the latest request of each card, by the card's events.
        assert "card_events_card (card_id=?)" in found["loss_requests"], found
        steps = [step for plan in found.values() for step in plan.split(" | ")]
        assert not [s for s in steps if s.startswith(("SCAN cards", "SCAN visits", "SCAN f")) and "INDEX" not in s]
    store.close()


def test_an_instruction_written_the_minute_a_follow_up_was_recorded_signs_it(floor):
    floor.ok("comment", "周七", "下周邀约试驾", now="2026-04-29T10:00:00", user="钱主管")  # 周七's 2nd was logged then
    assert waiting(floor, "钱主管", now="2026-04-29T12:00:00")["unsigned"] == []


def test_a_card_whose_loss_is_requested_waits_as_a_loss_request_not_for_its_instruction(floor):
    floor.ok("lose", "周七", "--reason", "推迟购买", now="2026-05-03T11:00:00", user="王芳")
    w = waiting(floor, "钱主管", now="2026-05-03T12:00:00")
    assert ([c["ref"] for c in w["loss_requests"]], w["unsigned"]) == (["A00002", "A00004"], [])


def test_a_supervisors_follow_ups_and_a_loss_the_manager_asked_for_on_their_card_wait_on_the_manager(floor):
    """A supervisor neither signs their own follow-ups nor decides a loss on their own card, whoever
    asked for it: both wait on the manager."""
    floor.ok("add", "吴九", "--phone", "13800000009", "--owner", "钱主管", now="2026-04-30T10:00:00")
    floor.ok("log", "吴九", "--channel", "phone", "--content", "确认预算十五万", "--next", "2026-05-06",
             now="2026-04-30T11:00:00", user="钱主管")
    assert [u["ref"] for u in waiting(floor, "钱主管")["unsigned"]] == ["A00004"]
    assert [u["ref"] for u in waiting(floor, "赵经理")["unsigned"]] == ["A00004", "A00005"]
    floor.ok("lose", "吴九", "--reason", "推迟购买", now="2026-05-03T09:00:00", user="赵经理")
    assert [c["ref"] for c in waiting(floor, "钱主管")["loss_requests"]] == ["A00002"]


def test_a_supervisors_lists_ask_for_the_team_once_not_once_a_card(floor, monkeypatch):
    """Whose phones a supervisor sees whole is their team: asked of the store once a list, however
    many cards it shows (a team's hundreds of cards were as many queries)."""
    asked = []
    team_member_ids = Store.team_member_ids
    monkeypatch.setattr(Store, "team_member_ids", lambda store, team: asked.append(team) or team_member_ids(store, team))
    lists = {("today", "--all", "--json"): lambda shown: len(shown["items"]), ("list", "--json"): len}

    def questions(line):
        asked.clear()
        cards = lists[line](floor.json(*line, user="钱主管", now="2026-05-06T09:00:00"))
        assert asked  # the team is asked at all: the count below means something
        return len(asked), cards

    before = {line: questions(line) for line in lists}
    for n in range(5):
        floor.ok("add", f"新客{n}", "--phone", f"1390000000{n}", "--owner", "王芳", now="2026-05-05T10:00:00")
    for line, (count, cards) in before.items():
        assert questions(line) == (count, cards + 5), line


def test_a_loss_request_tells_the_follow_ups_it_came_after_and_too_few_before_the_verdict(lc, tmp_path):
    """80 % of sales close after the 4th follow-up: a loss asked for before the store's minimum
    deserves a question, asked by the supervisor before approving it (the audit's gave-up-early)."""
    sales_floor(lc)
    calls = ("预算二十万，下周来试驾", "试驾满意，和家人商量", "家人觉得贵，再比较")
    for name, phone, made in (("李四", "13800000002", 3), ("王五", "13800000003", 4)):
        lc.ok("add", name, "--phone", phone, "--owner", "李强", now="2026-04-27T10:00:00")
        for n in range(made):
            lc.ok("log", name, "--channel", "phone", "--content", calls[n % 3] + f"（第{n + 1}次）", "--next", "2026-05-06",
                  now=f"2026-04-{27 + n}T15:00:00", user="李强")
    # A follow-up withdrawn and one corrected count once at most, as the audit counts them.
    lc.ok("log", "李四", "--channel", "phone", "--content", "记错了", now="2026-05-01T09:00:00", user="李强")
    lc.ok("log", "李四", "--void", "4", "--reason", "记在了别的客户卡上", now="2026-05-01T09:05:00", user="李强")
    lc.ok("log", "李四", "--corrects", "3", "--channel", "phone", "--content", "家人觉得贵，再比较（更正）",
          "--next", "2026-05-06", now="2026-05-01T09:10:00", user="李强")
    for name in ("李四", "王五"):
        lc.ok("lose", name, "--reason", "价格", now="2026-05-02T11:00:00", user="李强")
    requests = {r["ref"]: (r["followups"], r["gave_up_early"]) for r in waiting(lc, "钱主管")["loss_requests"]}
    assert requests == {"A00001": (3, True), "A00002": (4, False)}  # exactly the minimum is enough
    lines = lc.ok("today", user="钱主管").stdout.splitlines()
    assert "  A00001 李四（李强）价格，05-02 11:00 申请，只跟进了 3 次（本店要求至少 4 次，先问清再批）" in lines
    assert "  A00002 王五（李强）价格，05-02 11:00 申请，跟进 4 次" in lines
    found = {f["ref"] for f in lc.json("audit", "--rule", "gave-up-early", user="钱主管")["findings"]}
    assert found == {"A00001"}  # the list and the audit agree
    # The store's own minimum, and none when it asks none.
    (tmp_path / "store.toml").write_text("[audit.gave-up-early]\nmin_followups = 3\n", encoding="utf-8")
    lc.ok("init", "--policy-file", str(tmp_path / "store.toml"))
    assert [r["gave_up_early"] for r in waiting(lc, "钱主管")["loss_requests"]] == [False, False]
    (tmp_path / "store.toml").write_text("[audit.gave-up-early]\nmin_followups = 5\n", encoding="utf-8")
    lc.ok("init", "--policy-file", str(tmp_path / "store.toml"))
    assert "只跟进了 4 次（本店要求至少 5 次" in lc.ok("today", user="钱主管").stdout
    (tmp_path / "store.toml").write_text("[audit.gave-up-early]\nenabled = false\n", encoding="utf-8")
    lc.ok("init", "--policy-file", str(tmp_path / "store.toml"))
    assert [r["gave_up_early"] for r in waiting(lc, "钱主管")["loss_requests"]] == [False, False]
    assert "跟进 3 次" in lc.ok("today", user="钱主管").stdout
