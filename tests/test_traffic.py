"""The morning meeting's numbers (展厅客流) in the weekly and monthly report: first and return visits,
phone-ins apart, 留档率 over first visits, 试驾率, 邀约到店率 and 成交率, per consultant and in total,
each with its numerator and denominator, from dated records only."""

import io

import pytest

from conftest import sales_floor

WEEK = "2026-W47"  # Monday 16 to Sunday 22 November 2026
AFTER = "2026-11-25T10:00:00"


def visit(lc, who, at, *args):
    """Logged as the customer leaves (at the time given by --left, if any): a leaving time is never ahead."""
    logged = args[args.index("--left") + 1] if "--left" in args else at
    return lc.json("visit", "add", "--at", at, *args, user=who, now=logged.replace(" ", "T") + ":00")


def log(lc, who, ref, at, channel, *args, content="跟进"):
    lc.ok("log", ref, "--channel", channel, "--content", content, "--at", at, *args, user=who,
          now=at.replace(" ", "T") + ":00")


@pytest.fixture
def week(lc):
    """Week 47 on the floor:
    王芳 receives 陈女士 (first visit, leaves her phone, test-drives that morning, carded), a browser who
    leaves nothing, a phone-in, and 陈女士's return visit on Wednesday — the day she was invited for —
    and wins her on Friday. 李强 receives 刘先生 (first visit, phone, 试驾 ticked on the log), invites
    him for Thursday (he does not come) and 赵先生 for Friday (re-planned on Wednesday: he is away)."""
    sales_floor(lc)
    visit(lc, "王芳", "2026-11-15 10:00", "--phone", "13900000009")  # the week before
    visit(lc, "王芳", "2026-11-16 10:00", "--phone", "13900000001", "--name", "陈女士", "--left", "2026-11-16 11:00")
    lc.ok("add", "陈女士", "--phone", "13900000001", "--visit", "2", "--model", "凯美瑞", "--at", "2026-11-16 10:10",
          user="王芳", now="2026-11-16T11:10:00")
    log(lc, "王芳", "陈女士", "2026-11-16 10:40", "test-drive", "--licence-checked")
    visit(lc, "王芳", "2026-11-16 14:00")
    visit(lc, "王芳", "2026-11-17 11:00", "--source", "来电", "--phone", "13900000002")
    log(lc, "王芳", "陈女士", "2026-11-16 18:00", "phone", "--next", "2026-11-18 15:00", "--purpose", "邀约周三到店看车")
    log(lc, "王芳", "陈女士", "2026-11-17 18:00", "wechat", "--next", "2026-11-18 15:00", "--purpose", "确认明天到店")
    liu = visit(lc, "李强", "2026-11-17 10:00", "--phone", "13900000003", "--name", "刘先生", "--test-drive")["id"]
    lc.ok("add", "刘先生", "--phone", "13900000003", "--visit", str(liu), "--at", "2026-11-17 10:30", user="李强",
          now="2026-11-17T10:40:00")
    visit(lc, "王芳", "2026-11-18 15:00", "--phone", "13900000001")  # 陈女士 is back
    log(lc, "李强", "刘先生", "2026-11-17 18:00", "phone", "--next", "2026-11-19 10:00", "--purpose", "邀约到店试驾")
    lc.ok("add", "赵先生", "--phone", "13900000004", "--owner", "李强", "--at", "2026-11-16 09:00", user="李强",
          now="2026-11-16T09:00:00")
    log(lc, "李强", "赵先生", "2026-11-16 12:00", "phone", "--next", "2026-11-20 10:00", "--plan", "周五邀约到店试驾")
    log(lc, "李强", "赵先生", "2026-11-18 12:00", "phone", "--next", "2026-11-25 10:00", "--purpose", "出差回来再约",
        content="客户临时出差")
    log(lc, "李强", "赵先生", "2026-11-18 13:00", "wechat", "--next", "2026-11-21 10:00", "--purpose", "发送报价单")
    lc.ok("win", "陈女士", "--model", "凯美瑞", user="王芳", now="2026-11-20T16:00:00")
    return lc


def traffic(lc, user="赵经理", now=AFTER, period=("weekly", "--week", WEEK)):
    return lc.json("report", *period, user=user, now=now)["traffic"]


def owners(data) -> dict:
    return {t["owner"]: t for t in data["by_consultant"]}


def ratio(t, key):
    return (t[key]["numerator"], t[key]["denominator"], t[f"{key}_rate"])


def test_the_week_counts_first_and_return_visits_with_phone_ins_apart(week):
    t = traffic(week)
    assert {k: t[k] for k in ("first_visits", "return_visits", "phone_ins", "walk_ins", "test_drives")} == {
        "first_visits": 3, "return_visits": 1, "phone_ins": 1, "walk_ins": 4, "test_drives": 1}
    assert ratio(t, "card") == (2, 3, 0.6667)  # the browser left nothing; the return visit is not in it
    assert ratio(t, "test_drive") == (2, 4, 0.5)  # 陈女士's registered drive ticked her visit; 刘先生's log
    assert ratio(t, "invitation") == (1, 2, 0.5)  # 陈女士 came; 刘先生 did not; 赵先生's was re-planned
    assert ratio(t, "close") == (1, 3, 0.3333)


def test_each_consultant_has_the_traffic_they_received_invited_and_closed(week):
    by = owners(traffic(week))
    assert set(by) == {"王芳", "李强"}
    wang, li = by["王芳"], by["李强"]
    assert (wang["first_visits"], wang["return_visits"], wang["phone_ins"]) == (2, 1, 1)
    assert [ratio(wang, k) for k in ("card", "test_drive", "invitation", "close")] == [
        (1, 2, 0.5), (1, 3, 0.3333), (1, 1, 1.0), (1, 2, 0.5)]
    assert [ratio(li, k) for k in ("card", "test_drive", "invitation", "close")] == [
        (1, 1, 1.0), (1, 1, 1.0), (0, 1, 0.0), (0, 1, 0.0)]
    by_owner = {o["owner"]: o for o in week.json("report", "weekly", "--week", WEEK, user="赵经理", now=AFTER)["by_owner"]}
    assert ratio(by_owner["王芳"]["traffic"], "close") == (1, 2, 0.5)


def test_a_leads_first_walk_in_is_a_first_visit_and_only_a_customer_who_came_before_returns(lc):
    """The log attaches a walk-in whose phone is on a card to that card (its owner hears of it), but the
    showroom counts it as a return visit only if the customer came before: an online lead or a caller
    walking in for the first time is a first visit (首次进店), and 留档 by the card's phone."""
    sales_floor(lc)
    for name, phone, source in (("网络", "13900000031", "online"), ("来电", "13900000032", "phone-in"),
                                ("展厅", "13900000033", "walk-in"), ("邀约", "13900000034", "online")):
        lc.ok("add", name, "--phone", phone, "--source", source, "--owner", "王芳", "--at", "2026-11-16 09:00",
              user="王芳", now="2026-11-16T09:00:00")
    log(lc, "王芳", "邀约", "2026-11-17 10:00", "visit", content="邀约到店看车")  # came in: a visit on the card
    for phone, at in (("13900000031", "2026-11-18 10:00"), ("13900000032", "2026-11-18 11:00"),
                      ("13900000033", "2026-11-18 12:00"), ("13900000034", "2026-11-18 13:00"),
                      ("13900000031", "2026-11-19 10:00")):
        visit(lc, "王芳", at, "--phone", phone)
    t = traffic(lc)
    assert (t["first_visits"], t["return_visits"], t["phone_ins"]) == (2, 3, 0)
    assert ratio(t, "card") == (2, 2, 1.0)
    # Each was attached to its card, and the owner was told of none: she received them herself.
    assert all(v["card"] for v in lc.json("visit", "list", "--date", "2026-11-18", user="王芳")["visits"])


def test_a_visit_at_the_moment_the_walk_in_card_was_made_or_its_visit_was_logged_is_the_first(lc):
    sales_floor(lc)
    lc.ok("add", "甲", "--phone", "13900000041", "--owner", "王芳", "--at", "2026-11-18 10:00", user="王芳",
          now="2026-11-18T10:00:00")
    visit(lc, "王芳", "2026-11-18 10:00", "--phone", "13900000041")
    visit(lc, "王芳", "2026-11-18 10:01", "--phone", "13900000041")
    lc.ok("add", "乙", "--phone", "13900000042", "--source", "online", "--owner", "王芳", "--at", "2026-11-17 10:00",
          user="王芳", now="2026-11-17T10:00:00")
    log(lc, "王芳", "乙", "2026-11-18 11:00", "visit", content="邀约到店看车")  # this very visit, on the card
    visit(lc, "王芳", "2026-11-18 11:00", "--phone", "13900000042")
    t = traffic(lc)
    assert (t["first_visits"], t["return_visits"]) == (2, 1)


def test_nothing_to_divide_is_null_never_zero(week):
    t = traffic(week, user="孙丽")
    assert (t["first_visits"], t["by_consultant"]) == (0, [])
    assert [t[f"{k}_rate"] for k in ("card", "test_drive", "invitation", "close")] == [None] * 4


def test_a_supervisor_reads_the_teams_traffic(week):
    week.ok("visit", "add", "--at", "2026-11-17 09:00", "--phone", "13900000005", user="孙丽", now="2026-11-17T09:00:00")
    assert traffic(week, user="钱主管")["first_visits"] == 3
    assert traffic(week, user="赵经理")["first_visits"] == 4
    assert set(owners(traffic(week, user="钱主管"))) == {"王芳", "李强"}


def test_a_past_week_reads_the_same_after_what_came_later(week):
    before = traffic(week)
    visit(week, "王芳", "2026-11-23 10:00", "--phone", "13900000006")
    log(week, "李强", "刘先生", "2026-11-24 10:00", "test-drive", "--licence-checked")
    week.ok("visit", "add", "--at", "2026-11-24 09:50", "--phone", "13900000003", user="李强", now="2026-11-24T11:00:00")
    week.ok("win", "刘先生", "--model", "雅阁", user="李强", now="2026-11-24T16:00:00")
    assert traffic(week, now="2026-11-26T10:00:00") == before


def test_an_invitation_kept_early_counts_and_one_kept_a_day_late_does_not(lc):
    sales_floor(lc)
    for name, phone in (("早到", "13900000011"), ("晚到", "13900000012")):
        lc.ok("add", name, "--phone", phone, "--owner", "王芳", "--at", "2026-11-16 09:00", user="王芳",
              now="2026-11-16T09:00:00")
        log(lc, "王芳", name, "2026-11-16 10:00", "phone", "--next", "2026-11-19 10:00", "--purpose", "邀约到店")
    log(lc, "王芳", "早到", "2026-11-18 16:00", "visit", content="提前一天来店")
    log(lc, "王芳", "晚到", "2026-11-20 10:00", "visit", content="晚了一天才来")
    assert ratio(traffic(lc), "invitation") == (1, 2, 0.5)


def test_a_plan_that_invites_nobody_is_no_invitation(lc):
    sales_floor(lc)
    lc.ok("add", "王五", "--phone", "13900000021", "--owner", "王芳", "--at", "2026-11-16 09:00", user="王芳",
          now="2026-11-16T09:00:00")
    log(lc, "王芳", "王五", "2026-11-16 10:00", "phone", "--next", "2026-11-19 10:00", "--purpose", "电话回访报价",
        "--plan", "准备五年用车成本对比")
    assert ratio(traffic(lc), "invitation") == (0, 0, None)


def test_the_month_report_and_every_format_carry_the_traffic(week, tmp_path):
    month = traffic(week, period=("monthly", "--month", "2026-11"), now="2026-12-02T10:00:00")
    assert (month["first_visits"], month["return_visits"]) == (4, 1)  # the 15th is in November too
    md = week.ok("report", "weekly", "--week", WEEK, "--format", "md", user="赵经理", now=AFTER).stdout
    assert "## 展厅客流指标" in md and "| 留档率 | 2 | 3 | 66.7% |" in md and "| 邀约到店率 | 1 | 2 | 50.0% |" in md
    assert "| 王芳 | 2 | 1 | 1 | 1 | 50.0% | 33.3% | 100.0% | 50.0% |" in md
    csv_text = week.ok("report", "weekly", "--week", WEEK, "--format", "csv", user="赵经理", now=AFTER).stdout
    assert "展厅客流指标" in csv_text and "成交率,1,3,33.3%" in csv_text
    out = tmp_path / "w47.xlsx"
    week.ok("report", "weekly", "--week", WEEK, "--format", "xlsx", "--output", str(out), user="赵经理", now=AFTER)
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(out.read_bytes()))
    rows = list(book["展厅客流指标"].iter_rows(values_only=True))
    assert rows[0] == ("指标", "分子", "分母", "比率", "说明") and rows[1][:4] == ("留档率", 2, 3, 2 / 3)


def test_the_demo_has_a_showroom_log_a_deal_desk_and_targets(lc):
    lc.now = "2026-11-23T08:30:00"
    lc.ok("demo", "--cards", "300")
    data = lc.json("report", "weekly", "--week", "2026-W46", user="赵经理")
    t = data["traffic"]
    assert t["first_visits"] > 0 and t["card_rate"] is not None and t["close_rate"] is not None
    assert all(s["target"] for s in data["targets"]["by_consultant"] if s["owner"] in ("王芳", "李强", "张敏"))
    shown = [lc.json("show", f"A{n:05d}", user="赵经理") for n in range(1, 301)]
    assert any(c["test_drives"] for c in shown) and any(c["trade_ins"] for c in shown)
    statuses = {q["status"] for c in shown for q in c["quotes"]}
    assert {"quoted", "approved"} <= statuses
    assert {f["status"] for c in shown for f in c["finance"]} == {"applied", "approved", "rejected"}


def test_the_consultants_come_by_name_and_visits_nobody_received_come_last(lc):
    """A showroom that began its log on one PC before it had users: the visits of those days were
    received by nobody in particular. Once the floor's people are added, the week's traffic lists its
    consultants by name and the visits nobody received last (each in its own row)."""
    lc.ok("visit", "add", "--at", "2026-11-16 09:30", "--phone", "13900000007", now="2026-11-16T09:30:00")
    sales_floor(lc)
    visit(lc, "王芳", "2026-11-16 10:00", "--phone", "13900000001")
    visit(lc, "李强", "2026-11-17 10:00", "--phone", "13900000003")
    rows = traffic(lc)["by_consultant"]
    assert [(t["owner"], t["first_visits"]) for t in rows] == [("李强", 1), ("王芳", 1), (None, 1)]
    assert traffic(lc)["first_visits"] == 3
