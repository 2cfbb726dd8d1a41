"""The audit as the floor lives it: losses approved for customers who came back, hot cards left to
go dormant, plans beyond the grade's cadence, whose finding each is, one finding per card and rule,
and history brought in by `leadcard import`."""

import csv

from conftest import sales_floor

GOOD = ("--bottleneck", "价格高于雅阁，太太觉得后排窄", "--plan", "准备与雅阁的五年用车成本对比，约夫妻同来",
        "--purpose", "邀约周六到店试驾并报价")


def findings(lc, rule, *args, **kwargs):
    return lc.json("audit", "--rule", rule, *args, **kwargs)["findings"]


def one(lc, rule, *args, **kwargs):
    found = findings(lc, rule, *args, **kwargs)
    assert len(found) == 1, found
    return found[0]


def card(lc, name, phone, owner=None, made="2026-05-01T10:00:00", grade="A"):
    """A card kept by the book on its first day: the thank-you, then the call with a date planned."""
    lc.ok("add", name, "--phone", phone, "--grade", grade, "--model", "凯美瑞", "--budget", "20 万",
          "--timeline", "一个月内", *(("--owner", owner) if owner else ()), now=made)
    day = made[:10]
    lc.ok("log", name, "--channel", "wechat", "--content", "感谢到店，发送配置表和顾问名片", now=f"{day}T10:20:00")
    lc.ok("log", name, "--channel", "phone", "--content", "确认预算 20 万，对比雅阁，太太是决策人",
          "--next", f"{day} 18:00", *GOOD, now=f"{day}T15:00:00")


# -- plan-beyond-cadence ----------------------------------------------------------------------------


def test_an_h_customer_booked_for_next_week_is_warned_at_once_and_audited_once_with_a_count(lc):
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "H", now="2026-05-03T10:00:00")
    within = lc.ok("log", "张三", "--channel", "phone", "--content", "确认订车细节", "--next", "2026-05-04",
                   now="2026-05-03T10:30:00")
    assert within.stderr == ""  # H: every day; tomorrow is exactly the cadence
    beyond = lc("log", "张三", "--channel", "phone", "--content", "客户出差，回来再谈", "--next", "2026-05-06",
                now="2026-05-04T10:00:00")
    assert beyond.exit_code == 0 and beyond.stderr.count("\n") == 1
    assert "2 天后，超出 H 级的联系周期（每 1 天）" in beyond.stderr
    assert len(lc.json("show", "张三")["followups"]) == 2  # kept all the same
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户还在出差", "--next", "2026-05-11",
          now="2026-05-06T10:00:00")
    found = one(lc, "plan-beyond-cadence", now="2026-05-06T11:00:00")
    assert (found["followup"], found["count"], found["actual"]) == (2, 2, "2 天")  # told by the first
    assert "×2" in lc.ok("audit", "--rule", "plan-beyond-cadence", now="2026-05-06T11:00:00").stdout


def test_an_a_customer_may_be_booked_a_week_out_but_not_eight_days(lc):
    lc.ok("add", "李四", "--phone", "13900139000", "--grade", "H", now="2026-05-03T10:00:00")
    week = lc.ok("log", "李四", "--channel", "phone", "--content", "月底前定", "--grade", "A", "--next", "+7d",
                 now="2026-05-03T10:30:00")
    assert week.stderr == "" and findings(lc, "plan-beyond-cadence", now="2026-05-03T11:00:00") == []
    late = lc.ok("log", "李四", "--channel", "phone", "--content", "月底前定", "--next", "+8d", now="2026-05-04T10:00:00")
    assert "8 天后，超出 A 级" in late.stderr
    assert one(lc, "plan-beyond-cadence", now="2026-05-04T11:00:00")["followup"] == 2


def test_a_store_that_switches_the_rule_off_is_not_warned(lc, tmp_path):
    policy = tmp_path / "store.toml"
    policy.write_text("[audit.plan-beyond-cadence]\nenabled = false\n", encoding="utf-8")
    lc.ok("init", "--policy-file", str(policy))
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "H")
    assert lc.ok("log", "张三", "--channel", "phone", "--content", "客户出差", "--next", "+5d").stderr == ""
    assert "plan-beyond-cadence" in lc.ok("audit", "--explain", "plan-beyond-cadence").stdout


# -- neglected-to-dormant ---------------------------------------------------------------------------


def test_an_h_customer_nobody_called_for_six_months_went_dormant_still_h(lc):
    for name, phone, grade in (("张三", "13800138000", "H"), ("李四", "13900139000", "H"), ("王五", "13700137000", "B")):
        lc.ok("add", name, "--phone", phone, "--grade", grade, now="2025-11-20T10:00:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户说年后再定", now="2025-11-21T10:00:00")
    lc.ok("log", "李四", "--channel", "phone", "--content", "客户说明年再说", "--grade", "C", now="2025-11-21T10:00:00")
    lc.ok("log", "王五", "--channel", "phone", "--content", "客户说明年再说", now="2025-11-21T10:00:00")
    assert findings(lc, "neglected-to-dormant", now="2026-05-21T09:59:00") == []  # not dormant yet
    found = one(lc, "neglected-to-dormant", now="2026-05-21T10:00:00")  # 李四 was regraded down, 王五 is B
    assert found["ref"] == "A00001" and found["severity"] == "error"
    assert "H 级客户自 2025-11-21 起 6 个月没有联系" in found["message"]
    assert one(lc, "neglected-to-dormant", now="2026-09-01T10:00:00")["ref"] == "A00001"  # stays while it sleeps


def test_the_two_hottest_grades_of_the_four_tier_scheme(lc):
    lc.ok("init", "--policy", "four-tier")
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "意向", now="2025-11-20T10:00:00")
    lc.ok("add", "李四", "--phone", "13900139000", "--grade", "潜在", now="2025-11-20T10:00:00")
    assert one(lc, "neglected-to-dormant", now="2026-05-21T10:00:00")["ref"] == "A00001"


# -- false-loss -------------------------------------------------------------------------------------


def test_a_customer_declared_lost_comes_back_within_ninety_days(lc):
    sales_floor(lc)
    for name, phone in (("张三", "13800000001"), ("李四", "13800000002"), ("王五", "13800000003"),
                        ("赵六", "13800000004"), ("钱七", "13800000005")):
        card(lc, name, phone, owner="王芳", made="2025-12-20T10:00:00")
        lc.ok("lose", name, "--reason", "推迟购买", now="2026-01-01T09:00:00", user="王芳")
        if name != "钱七":
            lc.ok("approve", name, now="2026-01-01T10:00:00", user="钱主管")
    lc.ok("reject", "钱七", "--note", "客户还在比价", now="2026-01-01T10:00:00", user="钱主管")
    # 张三: a colleague's new card exactly 90 days after the approval; 李四: a minute later
    lc.ok("add", "张三", "--phone", "13800000001", now="2026-04-01T10:00:00", user="李强")
    lc.ok("add", "李四", "--phone", "13800000002", now="2026-04-01T10:01:00", user="李强")
    lc.ok("visit", "add", "--at", "2026-01-11 10:00", "--left", "2026-01-11 11:00", "--name", "王五",
          "--phone", "13800000003", now="2026-01-11T11:00:00", user="孙丽")
    lc.ok("reopen", "赵六", now="2026-01-20T10:00:00", user="钱主管")
    lc.ok("win", "赵六", now="2026-01-21T10:00:00", user="王芳")
    lc.ok("log", "钱七", "--channel", "phone", "--content", "客户回心转意，约周末试驾", now="2026-01-05T10:00:00",
          user="王芳")  # a rejected loss was never a loss
    found = {f["name"]: f for f in findings(lc, "false-loss", "--since", "2025-12-01", now="2026-04-02T10:00:00")}
    assert set(found) == {"张三", "王五", "赵六"}
    assert all(f["owner"] == "王芳" and f["severity"] == "error" for f in found.values())
    assert "90 天客户又出现" in found["张三"]["message"] and "A00006（李强）" in found["张三"]["message"]
    assert "到店登记（孙丽）" in found["王五"]["message"] and found["王五"]["actual"] == "10 天后到店登记"
    assert "订车成交" in found["赵六"]["message"]


def test_a_loss_approved_long_before_the_audits_window_is_reported_when_the_customer_comes_back_inside_it(lc):
    """The audit reads comebacks only of losses recent enough to count: the window's 30 days and the
    rule's 90 before them, to the day."""
    sales_floor(lc)
    card(lc, "张三", "13800000001", owner="王芳", made="2025-12-20T10:00:00")
    lc.ok("lose", "张三", "--reason", "推迟购买", now="2026-01-01T09:00:00", user="王芳")
    lc.ok("approve", "张三", now="2026-01-01T10:00:00", user="钱主管")
    lc.ok("reopen", "张三", now="2026-03-05T10:00:00", user="钱主管")
    lc.ok("visit", "add", "--at", "2026-04-01 10:00", "--left", "2026-04-01 11:00", "--name", "张三",
          "--phone", "13800000001", now="2026-04-01T11:00:00", user="孙丽")  # 90 days on
    # The window opens on 03-03: the loss was approved 61 days before it.
    found = findings(lc, "false-loss", now="2026-04-02T10:00:00")
    assert [(f["name"], f["at"][:10]) for f in found] == [("张三", "2026-04-01")]


def test_a_loss_still_closed_from_before_the_window_is_reported_when_the_customer_comes_back_inside_it(lc):
    """The lost card itself is old and closed: the audit skips such cards, except that a customer
    who comes back inside the window makes it a false loss to explain, and only that."""
    sales_floor(lc)
    card(lc, "张三", "13800000001", owner="王芳", made="2025-12-20T10:00:00")
    lc.ok("lose", "张三", "--reason", "推迟购买", now="2026-01-01T09:00:00", user="王芳")
    lc.ok("approve", "张三", now="2026-01-01T10:00:00", user="钱主管")
    card(lc, "李四", "13800000002", owner="王芳", made="2025-12-20T10:00:00")
    lc.ok("lose", "李四", "--reason", "推迟购买", now="2026-01-01T09:00:00", user="王芳")
    lc.ok("approve", "李四", now="2026-01-01T10:00:00", user="钱主管")
    lc.ok("visit", "add", "--at", "2026-04-01 10:00", "--left", "2026-04-01 11:00", "--name", "张三",
          "--phone", "13800000001", now="2026-04-01T11:00:00", user="孙丽")  # 90 days on, inside the window
    lc.ok("visit", "add", "--at", "2026-03-01 10:00", "--left", "2026-03-01 11:00", "--name", "李四",
          "--phone", "13800000002", now="2026-03-01T11:00:00", user="孙丽")  # before the window (03-03)
    result = lc.json("audit", now="2026-04-02T10:00:00", user="赵经理")
    assert [(f["name"], f["at"][:10], f["owner"]) for f in result["findings"] if f["rule"] == "false-loss"] \
        == [("张三", "2026-04-01", "王芳")]
    # Explaining the loss is not following a card up: the old card is not counted among the audited.
    assert result == lc.json("audit", "--date", "2026-04-02", now="2026-04-02T10:00:00", user="赵经理")
    assert result["summary"]["cards"] == 0


# -- who must act -----------------------------------------------------------------------------------


def test_the_supervisor_signs_and_approves_and_the_manager_stands_in_where_there_is_none(lc):
    sales_floor(lc)  # 一组 has 钱主管; 二组 (孙丽) has no supervisor
    card(lc, "张三", "13800000001", owner="王芳")
    card(lc, "李四", "13800000002", owner="孙丽")
    card(lc, "王五", "13800000003", owner="钱主管")
    card(lc, "赵六", "13800000004", owner="王芳")
    lc.ok("lose", "赵六", "--reason", "价格", "--competitor", "本田雅阁", now="2026-05-02T09:00:00", user="王芳")
    unsigned = {f["name"]: f["owner"] for f in findings(lc, "unsigned", now="2026-05-04T10:00:00")}
    assert unsigned == {"张三": "钱主管", "李四": "赵经理", "王五": "赵经理"}
    assert one(lc, "approval-pending", now="2026-05-03T09:01:00")["owner"] == "钱主管"
    assert findings(lc, "approval-pending", now="2026-05-03T09:00:00") == []  # 24 h to decide
    summary = {s["owner"]: s for s in lc.json("audit", "--rule", "unsigned", now="2026-05-04T10:00:00")["summary"]["by_owner"]}
    assert summary["钱主管"]["by_rule"] == {"unsigned": 1} and summary["王芳"]["by_rule"] == {}


# -- imported history -------------------------------------------------------------------------------


def test_paper_history_imported_is_reported_once_as_history_not_blamed_on_the_consultant(lc, tmp_path):
    sales_floor(lc)
    cards_file, history = tmp_path / "cards.csv", tmp_path / "history.csv"
    with open(cards_file, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["姓名", "电话", "级别", "建卡时间", "销售顾问", "意向车型", "购车预算", "购车时间"],
                                 ["张伟", "13800138000", "A", "2026-03-01 09:00", "王芳", "凯美瑞", "20 万", "一个月内"]])
    with open(history, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([
            ["电话", "跟进时间", "方式", "洽谈内容", "下次访问时间", "访问目的"],
            ["13800138000", "2026-03-01 10:00", "微信", "感谢到店，发送配置表", "", ""],
            ["13800138000", "2026-03-05 10:00", "电话", "确认预算 20 万，对比雅阁", "2026-03-20", "邀约试驾"],
            ["13800138000", "2026-03-25 10:00", "电话", "客户去外地，月底回来", "2026-04-30", "邀约试驾"],
        ])
    lc.ok("import", str(cards_file), "--followups", str(history), now="2026-04-20T09:00:00")
    lc.ok("log", "张伟", "--channel", "phone", "--content", "客户提前回来了，约周六试驾", "--next", "2026-04-29",
          *GOOD, now="2026-04-20T11:00:00", user="王芳")  # today's work, beyond the A cadence too
    found = lc.json("audit", "--since", "2026-03-01", now="2026-04-23T12:00:00")["findings"]
    history_found = {f["rule"]: f for f in found if f.get("imported")}
    assert {"first-call-late", "cadence-gap", "plan-beyond-cadence", "late-record"} <= set(history_found)
    assert all(f["severity"] == "info" and f["owner"] is None for f in history_found.values())
    assert history_found["plan-beyond-cadence"]["count"] == 2 and history_found["late-record"]["count"] == 3
    assert history_found["first-call-late"]["message"].startswith("导入的历史：")
    fresh = [(f["rule"], f["owner"], f["severity"]) for f in found if not f.get("imported")]
    assert ("plan-beyond-cadence", "王芳", "warning") in fresh  # what was done here is hers
    unsigned = [f for f in found if f["rule"] == "unsigned"]
    assert len(unsigned) == 1 and unsigned[0]["message"].startswith("1 次跟进没有主管批示")  # paper was signed on paper


# -- plan-update-late -------------------------------------------------------------------------------


def changed_needs(lc, made="2026-06-05T10:00:00", edited="2026-06-08T11:00:00", *change):
    """张三's card kept by the book, then its budget raised (Monday 8 June 2026, a working day)."""
    card(lc, "张三", "13800138000", made=made)
    lc.ok("edit", "张三", *(change or ("--budget", "25 万")), now=edited)


def planned(lc, at):
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户预算提到 25 万，想看汉兰达", "--plan", "准备汉兰达与凯美瑞的对比",
          now=at)


def test_a_changed_need_is_answered_by_a_new_plan_by_the_end_of_the_third_working_day(lc):
    changed_needs(lc)
    assert findings(lc, "plan-update-late", now="2026-06-11T23:59:59") == []
    found = one(lc, "plan-update-late", now="2026-06-12T00:00:00")
    assert (found["at"], found["owner"], found["expected"], found["actual"], found["followup"]) == (
        "2026-06-11T23:59:59+08:00", None, "3 个工作日内更新跟踪方案", "未更新", None)
    assert found["message"] == "06-08 需求变了（预算 20 万 → 25 万），还没有写新的跟踪方案，已过时限（3 个工作日：06-11 当天）"
    planned(lc, "2026-06-11T23:59:00")
    assert findings(lc, "plan-update-late", now="2026-06-12T00:00:00") == []


def test_a_plan_a_working_day_late_is_told_with_the_follow_up_that_brought_it(lc):
    changed_needs(lc)
    planned(lc, "2026-06-12T10:00:00")
    found = one(lc, "plan-update-late", now="2026-06-12T11:00:00")
    assert (found["followup"], found["actual"]) == (3, "4 个工作日")
    assert found["message"] == ("06-08 需求变了（预算 20 万 → 25 万），第 3 次跟进（06-12 10:00）才写新的跟踪方案"
                                "（时限 3 个工作日：06-11 当天）")


def test_the_days_off_of_the_dragon_boat_festival_do_not_count(lc):
    changed_needs(lc, "2026-06-17T10:00:00", "2026-06-18T11:00:00")  # Thursday; Friday 19 June is a holiday
    assert findings(lc, "plan-update-late", now="2026-06-24T23:59:59") == []
    assert one(lc, "plan-update-late", now="2026-06-25T00:00:00")["at"] == "2026-06-24T23:59:59+08:00"


def test_a_plan_written_on_the_call_before_the_edit_that_day_counts_and_one_the_day_before_does_not(lc):
    changed_needs(lc, "2026-06-08T10:00:00", "2026-06-08T16:00:00")  # the card's plan was written at 15:00
    assert findings(lc, "plan-update-late", now="2026-06-15T10:00:00") == []
    lc.ok("edit", "张三", "--model", "汉兰达", now="2026-06-09T09:00:00")
    found = one(lc, "plan-update-late", now="2026-06-15T10:00:00")
    assert "（意向车型 凯美瑞 → 汉兰达）" in found["message"] and found["at"] == "2026-06-12T23:59:59+08:00"


def test_a_blank_filled_in_a_value_cleared_or_a_field_that_is_no_need_asks_for_no_plan(lc):
    changed_needs(lc, "2026-06-05T10:00:00", "2026-06-08T11:00:00", "--payment", "贷款", "--colour", "白色")
    lc.ok("edit", "张三", "--colour", "黑色", "--timeline", "", now="2026-06-08T12:00:00")
    assert findings(lc, "plan-update-late", now="2026-06-20T10:00:00") == []
    lc.ok("edit", "张三", "--payment", "全款", "--concern", "安全", now="2026-06-08T13:00:00")
    found = one(lc, "plan-update-late", now="2026-06-20T10:00:00")
    assert "（付款方式 贷款 → 全款）" in found["message"]


def test_an_order_before_the_deadline_ends_the_plans(lc):
    changed_needs(lc)
    lc.ok("win", "张三", "--price", "250000", "--deposit", "5000", now="2026-06-10T10:00:00")
    assert findings(lc, "plan-update-late", now="2026-06-20T10:00:00") == []


def test_a_store_sets_its_own_needs_and_days(lc, tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text('[audit.plan-update-late]\nlimit_working_days = 0\nfields = ["colour"]\n', encoding="utf-8")
    lc.ok("init", "--policy-file", str(policy))
    changed_needs(lc, "2026-06-05T10:00:00", "2026-06-08T11:00:00", "--colour", "白色")
    lc.ok("edit", "张三", "--colour", "黑色", "--budget", "30 万", now="2026-06-08T12:00:00")
    found = one(lc, "plan-update-late", now="2026-06-09T00:00:00")
    assert (found["at"], found["expected"]) == ("2026-06-08T23:59:59+08:00", "0 个工作日内更新跟踪方案")
    assert "（颜色 白色 → 黑色）" in found["message"] and "预算" not in found["message"]
    policy.write_text('[audit.plan-update-late]\nfields = ["budget", "wish"]\n', encoding="utf-8")
    refused = lc("init", "--policy-file", str(policy))
    assert refused.exit_code == 2
    assert "政策里 [audit.plan-update-late] 的 fields：没有卡片栏目 wish" in refused.stderr


def test_a_follow_up_without_a_plan_is_no_update_and_two_needs_changed_at_once_are_told_together(lc):
    changed_needs(lc, "2026-06-05T10:00:00", "2026-06-08T11:00:00", "--budget", "25 万", "--model", "汉兰达")
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户在外地出差，下周回来再谈", "--next", "2026-06-15",
          now="2026-06-09T10:00:00")
    found = one(lc, "plan-update-late", now="2026-06-12T09:00:00")
    assert found["actual"] == "未更新"
    assert "（意向车型 凯美瑞 → 汉兰达；预算 20 万 → 25 万）" in found["message"]


def test_a_plan_still_owed_is_told_however_old_and_one_come_late_only_inside_the_window(lc):
    changed_needs(lc)  # due by the end of 11 June
    assert one(lc, "plan-update-late", "--since", "2026-06-20", now="2026-06-25T10:00:00")["actual"] == "未更新"
    planned(lc, "2026-06-25T10:30:00")
    assert findings(lc, "plan-update-late", "--since", "2026-06-20", now="2026-06-25T11:00:00") == []
    assert one(lc, "plan-update-late", "--since", "2026-06-11", now="2026-06-25T11:00:00")["followup"] == 3
