"""`leadcard today`: what is due, why, and in what order."""

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.cells import cell_len

from conftest import database, dormant_card, run_process, sales_floor, sqlite_only
from leadcard.store import CardFilter, Scope, Store


def items(lc, *args, **kwargs):
    return lc.json("today", *args, **kwargs)["items"]


def test_the_contract_keys(lc):
    lc.ok("add", "张三", "--phone", "13800138000", "--model", "凯美瑞", "--grade", "A")
    today = lc.json("today")
    assert today["date"] == "2026-05-03"
    [item] = today["items"]
    assert set(item) >= {"ref", "name", "phone", "grade", "owner", "due_at", "overdue_days", "reason", "purpose",
                         "last_contact_at", "followups"}
    assert (item["ref"], item["reason"], item["due_at"], item["overdue_days"]) == (
        "A00001", "first-touch", "2026-05-03T13:00:00+08:00", 0)
    assert item["followups"] == 0 and item["last_contact_at"] is None


def test_a_card_walks_through_first_touch_first_call_planned_and_cadence(lc):
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "A")
    assert items(lc)[0]["reason"] == "first-touch"
    lc.ok("log", "张三", "--channel", "sms", "--content", "感谢到店", now="2026-05-03T10:30:00")
    assert items(lc) == []  # the first call is due tomorrow at 10:00
    [item] = items(lc, "--date", "tomorrow")
    assert (item["reason"], item["due_at"]) == ("first-call", "2026-05-04T10:00:00+08:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "确认级别 A", "--next", "2026-05-08",
          "--purpose", "邀约周六试驾", now="2026-05-04T09:00:00")
    [item] = items(lc, "--date", "2026-05-08", now="2026-05-04T09:00:00")
    assert (item["reason"], item["purpose"]) == ("planned", "邀约周六试驾")
    lc.ok("log", "张三", "--channel", "visit", "--content", "到店试驾，认可空间", now="2026-05-08T15:00:00")
    assert items(lc, "--date", "2026-05-14", now="2026-05-08T16:00:00") == []
    [item] = items(lc, "--date", "2026-05-15", now="2026-05-08T16:00:00")
    assert (item["reason"], item["due_at"]) == ("cadence", "2026-05-15T15:00:00+08:00")
    assert item["purpose"]  # the grade's suggested action when nothing was planned
    assert item["followups"] == 3


def test_the_textbook_failure_is_listed_overdue_for_its_first_call(lc):
    # Card made 3 May, first contact 10 May: on 5 May it is already two days late.
    lc.ok("add", "刘先生", "--phone", "13800138000", "--grade", "H", now="2026-05-03T16:00:00")
    lc.ok("log", "刘先生", "--channel", "wechat", "--content", "感谢到店", now="2026-05-03T16:20:00")
    [item] = items(lc, now="2026-05-06T08:00:00")
    assert (item["reason"], item["overdue_days"]) == ("first-call", 2)


def test_urgency_order_overdue_then_hotter_grade_then_due_time(lc):
    def card(name, phone, grade, made, next_at):
        lc.ok("add", name, "--phone", phone, "--grade", grade, now=made)
        lc.ok("log", name, "--channel", "sms", "--content", "感谢到店", now=made)
        lc.ok("log", name, "--channel", "phone", "--content", "电话确认需求", "--next", next_at, now=made)

    card("赵一", "13800000001", "C", "2026-04-20T10:00:00", "2026-04-25")  # 8 days overdue
    card("钱二", "13800000002", "C", "2026-04-20T10:00:00", "2026-04-30")  # 3 days overdue, C
    card("孙三", "13800000003", "H", "2026-04-20T10:00:00", "2026-04-30")  # 3 days overdue, H
    card("李四", "13800000004", "B", "2026-04-20T10:00:00", "2026-05-03 16:00")  # today, later
    card("周五", "13800000005", "B", "2026-04-20T10:00:00", "2026-05-03 09:00")  # today, earlier
    card("吴六", "13800000006", "H", "2026-04-20T10:00:00", "2026-05-03 18:00")  # today, hotter
    card("郑七", "13800000007", "H", "2026-04-20T10:00:00", "2026-05-04 09:00")  # tomorrow: not listed
    listed = items(lc, now="2026-05-03T08:00:00")
    assert [i["name"] for i in listed] == ["赵一", "孙三", "钱二", "吴六", "周五", "李四"]
    assert [i["overdue_days"] for i in listed] == [8, 3, 3, 0, 0, 0]


def test_the_table_has_a_summary_and_fits_80_columns_with_chinese(tmp_path):
    env = {"LEADCARD_DB": str(tmp_path / "s.db"), "LEADCARD_NOW": "2026-05-03T10:00:00", "COLUMNS": "80"}
    run_process("init", env=env)
    run_process("add", "欧阳娜娜", "--phone", "13800138000", "--model", "凯美瑞 双擎 豪华版", "--grade", "H",
                "--at", "2026-05-01 10:00", env=env)
    run_process("add", "王伟", "--phone", "13900139000", "--model", "汉兰达", env=env)
    result = run_process("today", env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("2026-05-03 周日")
    assert "待跟进 2" in lines[0] and "逾期 1" in lines[0] and "待首次触达 2" in lines[0]
    assert all(cell_len(line) <= 80 for line in lines)
    assert "欧阳娜娜" in result.stdout and "2天" in result.stdout
    assert "\x1b[" not in result.stdout  # no colour when not a terminal
    header = next(line for line in lines if "客户" in line)
    row = next(line for line in lines if "欧阳娜娜" in line)
    # Columns line up by display width, not by character count.
    assert cell_len(header[: header.index("电话")]) == cell_len(row[: row.index("138")])


def test_an_empty_day_says_so(lc):
    result = lc.ok("today")
    assert "待跟进 0" in result.stdout and "今天没有到期的跟进" in result.stdout


def test_owner_and_all_choose_whose_cards(lc):
    sales_floor(lc)
    lc.ok("add", "张三", "--phone", "13800000001", "--owner", "王芳")
    lc.ok("add", "李四", "--phone", "13800000002", "--owner", "李强")
    lc.ok("add", "王五", "--phone", "13800000003", "--owner", "孙丽")
    assert [i["name"] for i in items(lc, user="王芳")] == ["张三"]
    assert [i["name"] for i in items(lc, "--owner", "李强")] == ["李四"]
    assert sorted(i["name"] for i in items(lc, user="钱主管")) == ["张三", "李四"]
    assert sorted(i["name"] for i in items(lc, "--all")) == ["张三", "李四", "王五"]
    refused = lc("today", "--owner", "孙丽", user="钱主管")
    assert refused.exit_code == 1
    assert lc("today", "--owner", "李强", "--all").exit_code == 2
    team_phones = items(lc, user="钱主管")  # a supervisor sees the team's phones whole
    assert {i["phone"] for i in team_phones} == {"13800000001", "13800000002"}
    assert items(lc, user="王芳")[0]["phone"] == "13800000001"


def test_a_dormant_card_is_listed_only_on_wake_up_days(lc):
    dormant_card(lc)
    lc.now = "2026-06-01T08:00:00"
    assert items(lc) == []  # dormant since 21 May: off the daily list
    [item] = items(lc, "--date", "2026-07-01")  # the first day of a quarter
    assert (item["reason"], item["overdue_days"]) == ("wake-up", 0)
    assert items(lc, "--date", "2026-07-02") == []
    [item] = items(lc, "--date", "2026-06-12")  # a week before the Dragon Boat festival (19 June)
    assert item["reason"] == "wake-up"
    lc.ok("log", "张三", "--channel", "wechat", "--content", "端午问候，介绍新款双擎")
    [item] = items(lc, "--date", "2026-07-01")
    assert item["reason"] == "cadence"


@sqlite_only("SQLite's query plan")
def test_today_is_an_indexed_range_query(lc):
    lc.ok("add", "张三", "--phone", "13800138000")
    store = Store.open(lc.db, ZoneInfo("Asia/Shanghai"))
    until = datetime(2026, 5, 3, 23, 59, tzinfo=ZoneInfo("Asia/Shanghai"))
    for scope, index in ((Scope(), "cards_due"), (Scope(frozenset({1})), "cards_owner_due"),
                         (Scope(frozenset({1, 2})), "cards_owner_due")):
        plan = store.plan_of_due(until, scope)
        assert f"USING INDEX {index}" in plan, plan
        assert "SCAN cards" not in plan
    store.close()


@sqlite_only("SQLite's query plan")
def test_list_by_owner_and_status_uses_an_index(lc):
    lc.ok("add", "张三", "--phone", "13800138000")
    store = Store.open(lc.db, ZoneInfo("Asia/Shanghai"))
    now = datetime(2026, 5, 3, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    plan = store.plan_of_list(CardFilter(status="won"), Scope(frozenset({1})), now, limit=50)
    assert "USING INDEX cards_owner_status" in plan, plan
    plan = store.plan_of_list(CardFilter(), Scope(), now, limit=50)
    assert "SCAN cards" in plan and "TEMP B-TREE" not in plan, plan  # newest first straight off the rowid
    store.close()


def test_closed_statuses_are_never_due(lc):
    lc.ok("add", "张三", "--phone", "13800138000")
    with database(lc.db) as conn:
        due = conn.execute("SELECT due_at, due_reason FROM cards").fetchone()
    assert due == ("2026-05-03T05:00:00Z", "first-touch")


def test_the_dormant_pool_stays_listed_through_the_wake_up_window(lc):
    # Dragon Boat 2026 falls on 19 June: the pool is listed from 12 June through 19 June.
    dormant_card(lc)
    lc.now = "2026-06-01T08:00:00"
    assert items(lc, "--date", "2026-06-11") == []
    for day in ("2026-06-12", "2026-06-15", "2026-06-19"):
        [item] = items(lc, "--date", day)
        assert (item["reason"], item["overdue_days"]) == ("wake-up", 0), day
    assert items(lc, "--date", "2026-06-20") == []


def test_a_quarter_start_has_its_window_too(lc):
    dormant_card(lc)
    lc.now = "2026-06-01T08:00:00"
    assert items(lc, "--date", "2026-06-23") == []
    assert [i["reason"] for i in items(lc, "--date", "2026-06-24")] == ["wake-up"]
    assert [i["reason"] for i in items(lc, "--date", "2026-07-01")] == ["wake-up"]
    assert items(lc, "--date", "2026-07-02") == []


def test_a_card_contacted_in_the_window_leaves_the_wake_up_list(lc):
    dormant_card(lc)
    lc.now = "2026-06-13T09:00:00"
    assert [i["reason"] for i in items(lc)] == ["wake-up"]  # the consultant was off on the 12th
    lc.ok("log", "张三", "--channel", "phone", "--content", "端午问候，介绍新款", "--outcome", "unreachable")
    assert [i["reason"] for i in items(lc)] == ["wake-up"]  # an attempt that did not reach them is no contact
    lc.ok("log", "张三", "--channel", "wechat", "--content", "端午问候，客户回复在考虑换车", "--next", "2026-06-20")
    assert items(lc) == [] and items(lc, "--date", "2026-06-19") == []


def reached(lc, day: str) -> None:
    """张三, grade C, thanked and reached by phone at 10:10 on `day`: dormant six months on, at 10:10."""
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "C", now=f"{day}T10:00:00")
    lc.ok("log", "张三", "--channel", "wechat", "--content", "感谢到店", now=f"{day}T10:05:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "明年再说", now=f"{day}T10:10:00")


def listed(lc, *args, now):
    return [(i["ref"], i["reason"], i["overdue_days"]) for i in items(lc, *args, now=now)]


def test_a_card_is_due_on_the_day_it_turns_dormant_until_the_moment_it_does(lc):
    reached(lc, "2026-08-31")  # due 30 September, dormant 28 February 2027 at 10:10
    assert lc.json("show", "张三", now="2027-02-28T10:09:59")["status"] == "open"
    assert listed(lc, now="2027-02-28T08:30:00") == [("A00001", "cadence", 151)]
    assert listed(lc, now="2027-02-28T10:09:59") == [("A00001", "cadence", 151)]
    assert lc.json("show", "张三", now="2027-02-28T10:10:00")["status"] == "dormant"
    assert listed(lc, now="2027-02-28T10:10:00") == []  # no wake-up day: off the list until one comes


def test_a_day_to_come_is_listed_as_it_begins_and_a_past_one_as_it_ended(lc):
    reached(lc, "2026-08-31")
    assert listed(lc, "--date", "2027-02-28", now="2027-02-27T20:00:00") == [("A00001", "cadence", 151)]
    assert listed(lc, "--date", "2027-03-01", now="2027-02-27T20:00:00") == []  # dormant before that day began
    assert listed(lc, "--date", "2027-02-27", now="2027-02-28T12:00:00") == [("A00001", "cadence", 150)]
    assert listed(lc, "--date", "2027-02-28", now="2027-03-01T09:00:00") == []  # dormant before that day ended


def test_a_card_turning_dormant_on_a_wake_up_day_is_listed_once_due_then_woken(lc, tmp_path):
    reached(lc, "2026-10-01")  # dormant 1 April 2027 at 10:10: a quarter's first day
    assert listed(lc, now="2027-04-01T08:30:00") == [("A00001", "cadence", 152)]
    assert listed(lc, now="2027-04-01T10:10:00") == [("A00001", "wake-up", 0)]
    feed = tmp_path / "due.ics"
    for now, due, woken in (("2027-04-01T08:30:00", 1, 0), ("2027-04-01T10:10:00", 0, 1)):
        lc.ok("calendar", "--output", str(feed), "--days", "0", now=now)
        uids = [line for line in feed.read_text(encoding="utf-8").splitlines() if line.startswith("UID:")]
        assert (sum("A00001-" in u for u in uids), sum("UID:wake-" in u for u in uids)) == (due, woken), now


def test_the_wake_up_line_names_its_reason_once(lc):
    dormant_card(lc)
    table = lc.ok("today", "--date", "2026-06-12", now="2026-06-01T08:00:00").stdout
    assert "休眠唤醒：节日问候或新品资讯，了解近况" in table
    assert "休眠唤醒：休眠唤醒" not in table
    [item] = items(lc, "--date", "2026-06-12", now="2026-06-01T08:00:00")
    assert item["purpose"] == "节日问候或新品资讯，了解近况"
