"""`leadcard audit`: the supervisor's daily check, rule by rule, with the seeds' textbook cases."""


import pytest

from leadcard.domain.audit import RULE_NAMES
from conftest import database

GOOD = ("--bottleneck", "价格高于雅阁，太太觉得后排窄", "--plan", "准备与雅阁的五年用车成本对比，约夫妻同来",
        "--purpose", "邀约周六到店试驾并报价")


def audit(lc, *args, **kwargs):
    return lc.json("audit", *args, **kwargs)


def rules(lc, *args, **kwargs):
    return [f["rule"] for f in audit(lc, *args, **kwargs)["findings"]]


def one(lc, rule, *args, **kwargs):
    found = [f for f in audit(lc, "--rule", rule, *args, **kwargs)["findings"]]
    assert len(found) == 1, found
    return found[0]


def good_card(lc, name="张三", phone="13800138000", grade="A", made="2026-05-01T10:00:00"):
    """A card kept by the book: thank-you within minutes, the call the same day, a planned next date."""
    lc.ok("add", name, "--phone", phone, "--grade", grade, "--model", "凯美瑞 双擎", "--budget", "20 万",
          "--timeline", "一个月内", now=made)
    day = made[:10]
    lc.ok("log", name, "--channel", "wechat", "--content", "感谢到店，发送配置表和顾问名片", now=f"{day}T10:20:00")
    lc.ok("log", name, "--channel", "phone", "--content", "确认预算 20 万，对比雅阁，太太是决策人",
          "--next", "2026-05-05 10:00", *GOOD, now=f"{day}T15:00:00")


# -- the seeds' textbook cases ----------------------------------------------------------------------


def test_card_made_3_may_first_contact_10_may_is_late_for_the_thank_you_and_the_call(lc):
    lc.ok("add", "刘先生", "--phone", "13800138000", "--grade", "H", "--model", "汉兰达", "--budget", "30 万",
          "--timeline", "一周内", now="2026-05-03T10:00:00")
    lc.ok("log", "刘先生", "--channel", "phone", "--content", "客户说还在比较，周末再说", "--next", "2026-05-17",
          *GOOD, now="2026-05-10T10:00:00")
    found = {f["rule"]: f for f in audit(lc, now="2026-05-10T12:00:00")["findings"]}
    call = found["first-call-late"]
    assert call["severity"] == "error" and call["ref"] == "A00001"
    assert "7天" in call["message"] and "24 小时" in call["message"]
    assert (call["expected"], call["actual"]) == ("≤ 24 小时", "7天")
    assert "first-touch-late" in found  # a call does not replace the written thank-you


def test_after_the_dragon_boat_festival_with_nothing_planned_is_found_a_week_later(lc):
    lc.ok("add", "周女士", "--phone", "13900139000", "--grade", "B", "--model", "雷凌", "--budget", "12 万",
          "--timeline", "端午后", now="2026-05-19T10:00:00")
    lc.ok("log", "周女士", "--channel", "wechat", "--content", "感谢来电咨询，发送雷凌资料", now="2026-05-19T10:10:00")
    lc.ok("log", "周女士", "--channel", "phone", "--content", "客户在外地工作，端午节才回来", "--next", "2026-06-05",
          *GOOD, now="2026-05-19T11:00:00")
    lc.ok("log", "周女士", "--channel", "phone", "--content", "还在外地，不知道端午节回不回来，回来就到店看车",
          "--bottleneck", "人在外地", now="2026-06-05T10:00:00")
    finding = one(lc, "no-next-date", "--date", "2026-06-16", now="2026-06-20T09:00:00")
    assert finding["followup"] == 3
    assert "没有写下次访问时间" in finding["message"] and "此后 11 天没有联系" in finding["message"]


def test_the_yichang_price_shopper_with_one_line_records_and_phone_as_every_plan(lc):
    lc.ok("add", "宜昌客户", "--phone", "13700137000", "--grade", "B", "--model", "致炫", "--budget", "9 万",
          "--timeline", "三个月内", now="2026-05-01T10:00:00")
    for n, (content, day) in enumerate((("客户钱不多，想分期付款", "01"), ("哪里便宜就在哪里买", "04"),
                                         ("最终计划在宜昌买", "08")), start=1):
        lc.ok("log", "宜昌客户", "--channel", "phone", "--content", content, "--plan", "电话",
              "--purpose", "考虑得怎么样", "--next", f"2026-05-{int(day) + 3:02d}", now=f"2026-05-{day}T11:00:00")
    found = audit(lc, "--rule", "vague-record", now="2026-05-09T09:00:00")["findings"]
    assert [(f["followup"], f["count"]) for f in found] == [(1, 3)]  # one finding a card, told by the first
    assert "跟踪方案只写了「电话」" in found[0]["message"] and "「考虑得怎么样」只是问候" in found[0]["message"]
    later = one(lc, "vague-record", "--since", "2026-05-08", now="2026-05-09T09:00:00")  # the third alone
    assert "跟踪方案与第 2 次相同" in later["message"] and "没有瓶颈分析" in later["message"]
    assert later["followup"] == 3 and "count" not in later


def test_an_h_card_lost_after_three_contacts_gave_up_early(lc):
    good_card(lc, grade="H")
    lc.ok("log", "张三", "--channel", "visit", "--content", "到店看车，嫌贵，去了隔壁店", "--next", "2026-05-03",
          *GOOD, now="2026-05-02T15:00:00")
    lc.ok("lose", "张三", "--reason", "价格", "--competitor", "本田雅阁", "--note", "对方便宜一万",
          now="2026-05-03T09:00:00")
    finding = one(lc, "gave-up-early", now="2026-05-03T10:00:00")
    assert "H 级客户只跟进了 3 次就申请战败" in finding["message"]
    assert (finding["expected"], finding["actual"]) == ("≥ 4 次", "3 次")


# -- one positive and one negative test per rule ------------------------------------------------------


def test_a_card_kept_by_the_book_has_no_findings_and_the_audit_says_so_quietly(lc):
    good_card(lc)
    assert audit(lc)["findings"] == []
    out = lc.ok("audit").stdout
    assert out.strip() == "稽核截至 2026-05-03 10:00：自 2026-04-03 起 · 1 张卡片，没有发现问题。"
    english = lc.ok("audit", env={"LEADCARD_LANG": "en"}).stdout
    assert english.strip() == "Audit as of 2026-05-03 10:00: from 2026-04-03 · 1 card, no problems found."


def test_first_touch_late_needs_a_written_thank_you_within_3_hours(lc):
    lc.ok("add", "王五", "--phone", "13600136000", "--model", "锋兰达", "--budget", "12 万", "--timeline", "一个月内")
    assert rules(lc, now="2026-05-03T12:59:00") == []
    finding = one(lc, "first-touch-late", now="2026-05-03T14:00:00")
    assert "已 4小时，还没有发感谢短信/微信（时限 3 小时）" in finding["message"]
    lc.ok("log", "王五", "--channel", "sms", "--content", "感谢到店，已发锋兰达配置表", now="2026-05-03T14:30:00")
    assert "4小时30分 才发感谢短信/微信" in one(lc, "first-touch-late", now="2026-05-03T15:00:00")["message"]


def test_first_call_within_24_hours_is_not_late(lc):
    good_card(lc)
    assert rules(lc, "--rule", "first-call-late", now="2026-05-03T10:00:00") == []


def test_cadence_gap_longer_than_the_grade_allows(lc):
    good_card(lc)  # A: every 7 days
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户出差刚回来，约周末试驾", "--next", "2026-05-16",
          *GOOD, now="2026-05-12T10:00:00")
    finding = one(lc, "cadence-gap", now="2026-05-12T11:00:00")
    assert "第 2 次（05-01）到第 3 次（05-12）相隔 11 天（A 级每 7 天联系一次）" in finding["message"]
    lc.ok("grade", "张三", "B", now="2026-05-12T11:00:00")
    assert rules(lc, "--rule", "cadence-gap", "--since", "2026-05-12", now="2026-05-12T12:00:00") == []


def test_overdue_next_date_passed_with_no_contact(lc):
    good_card(lc)  # next date 2026-05-05
    assert rules(lc, "--rule", "overdue", now="2026-05-05T20:00:00") == []
    finding = one(lc, "overdue", now="2026-05-16T10:00:00")
    assert finding["severity"] == "error"
    assert "下次访问 2026-05-05 已过 11 天，没有联系" in finding["message"]


def test_unsigned_follow_ups_wait_for_a_supervisors_instruction(lc):
    lc.ok("user", "add", "赵经理", "--role", "manager")
    lc.ok("user", "add", "钱主管", "--role", "supervisor", "--team", "一组", user="赵经理")
    lc.ok("user", "add", "王芳", "--role", "consultant", "--team", "一组", user="赵经理")
    lc.user = "王芳"
    good_card(lc)
    finding = one(lc, "unsigned", user="钱主管", now="2026-05-04T10:00:00")
    assert "2 次跟进没有主管批示" in finding["message"] and finding["owner"] == "钱主管"  # who must sign
    lc.ok("comment", "A00001", "周末邀约夫妻试驾，准备对比表", user="钱主管", now="2026-05-04T11:00:00")
    assert rules(lc, "--rule", "unsigned", user="钱主管", now="2026-05-04T12:00:00") == []


def test_unsigned_is_off_in_a_single_user_store(lc):
    good_card(lc)
    assert rules(lc, "--rule", "unsigned", now="2026-05-04T12:00:00") == []


def test_stale_h_grade_held_past_7_days_without_an_order(lc):
    good_card(lc, grade="H")
    for day in range(2, 12):
        lc.ok("log", "张三", "--channel", "phone", "--content", "每日确认订车细节，客户还在等年终奖",
              "--next", f"2026-05-{day + 1:02d}", *GOOD, now=f"2026-05-{day:02d}T10:00:00")
    assert rules(lc, "--rule", "stale-grade", now="2026-05-08T11:00:00") == []
    finding = one(lc, "stale-grade", now="2026-05-11T11:00:00")
    assert "H 级" in finding["message"] and "已保持 10 天未成交" in finding["message"]


def test_lost_without_reason_or_competitor(lc):
    good_card(lc)
    good_card(lc, "李四", "13900000001")
    lc.ok("lose", "张三", "--reason", "other", now="2026-05-03T09:00:00")
    lc.ok("lose", "李四", "--reason", "bought-elsewhere", "--note", "客户已提车", now="2026-05-03T09:00:00")
    found = {f["ref"]: f["message"] for f in audit(lc, "--rule", "lost-without-reason")["findings"]}
    assert "只写了「其他」" in found["A00001"]
    assert "却没有写客户买了哪款车" in found["A00002"]
    good_card(lc, "王五", "13900000002")
    lc.ok("lose", "王五", "--reason", "价格", "--competitor", "本田雅阁", now="2026-05-03T09:30:00")
    good_card(lc, "赵六", "13900000003")
    lc.ok("lose", "赵六", "--reason", "贷款未过", now="2026-05-03T09:30:00")  # a refused loan names no competitor
    found = {f["ref"] for f in audit(lc, "--rule", "lost-without-reason")["findings"]}
    assert found == {"A00001", "A00002"}


def test_approval_pending_for_more_than_a_day(lc):
    lc.ok("user", "add", "赵经理", "--role", "manager")
    lc.ok("user", "add", "王芳", "--role", "consultant", "--team", "一组", user="赵经理")
    lc.user = "王芳"
    good_card(lc, made="2026-04-20T10:00:00")
    lc.ok("lose", "张三", "--reason", "价格", "--competitor", "本田雅阁", "--note", "差价一万", now="2026-05-01T09:00:00")
    assert "已等待 2天1小时 未审批" in one(lc, "approval-pending", now="2026-05-03T10:00:00")["message"]
    lc.ok("approve", "张三", user="赵经理", now="2026-05-03T10:05:00")
    assert rules(lc, "--rule", "approval-pending", now="2026-05-03T11:00:00") == []


def test_late_record_of_a_contact_typed_in_two_days_later(lc):
    good_card(lc)
    assert rules(lc, "--rule", "late-record") == []
    lc.ok("log", "张三", "--channel", "phone", "--content", "电话确认周六试驾时间与车型", "--at", "2026-05-01 18:00",
          "--next", "2026-05-05", *GOOD, now="2026-05-03T10:00:00")
    finding = one(lc, "late-record", now="2026-05-03T10:00:00")
    assert "05-01 18:00 的联系到 05-03 10:00 才记录（晚 1天16小时，时限 1 小时）" in finding["message"]


def test_incomplete_card_misses_budget_and_timeline(lc):
    lc.ok("add", "赵六", "--phone", "13500135000", "--model", "威兰达")
    assert one(lc, "incomplete-card")["message"] == "卡片缺少预算、购车时间"
    good_card(lc)
    assert {f["ref"] for f in audit(lc, "--rule", "incomplete-card")["findings"]} == {"A00001"}


def test_duplicate_phone_two_open_cards_for_one_customer(lc):
    good_card(lc)
    good_card(lc, "张三丰", "13900000001")
    assert rules(lc, "--rule", "duplicate-phone") == []
    # The CLI refuses a second open card on a phone; an old store or an outside tool may not have.
    with database(lc.db) as db:
        db.execute("UPDATE cards SET phone = '13800138000' WHERE id = 2")
    found = audit(lc, "--rule", "duplicate-phone")["findings"]
    assert [f["ref"] for f in found] == ["A00001", "A00002"]
    assert "电话与 A00002" in found[0]["message"] and "归属冲突" in found[0]["message"]


def test_handover_late_counts_china_working_days(lc):
    good_card(lc, made="2026-04-27T10:00:00")
    good_card(lc, "李四", "13900000001", made="2026-04-27T10:00:00")
    # Delivered on Thursday 30 April; 1–5 May is the Labour Day holiday, so one working day runs to 6 May.
    for name in ("张三", "李四"):
        lc.ok("win", name, now="2026-04-29T16:00:00")
    lc.ok("deliver", "张三", now="2026-04-30T16:00:00")
    lc.ok("deliver", "李四", "--handover-to", "售后 陈工", now="2026-04-30T16:00:00")
    assert rules(lc, "--rule", "handover-late", now="2026-05-06T23:59:59") == []
    finding = one(lc, "handover-late", now="2026-05-07T00:00:00")
    assert finding["ref"] == "A00001"
    assert finding["message"] == "交车（04-30）后还没有交接售后，已过时限（1 个工作日：05-06 当天）"


# -- the options --------------------------------------------------------------------------------------


def test_date_audits_the_store_as_it_stood_that_day_whenever_it_is_run(lc):
    good_card(lc)  # next date 5 May, then silence
    before = audit(lc, "--date", "2026-05-08", now="2026-05-09T09:00:00")
    assert "overdue" in [f["rule"] for f in before["findings"]]
    # Later work: a contact, a regrade, a loss request, a new card — none of it existed on 8 May.
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户说下月再买，先看看", now="2026-05-10T10:00:00")
    lc.ok("grade", "张三", "C", now="2026-05-10T10:05:00")
    lc.ok("lose", "张三", "--reason", "other", now="2026-05-11T10:00:00")
    lc.ok("add", "新客户", "--phone", "13900000009", now="2026-05-11T11:00:00")
    again = audit(lc, "--date", "2026-05-08", now="2026-06-01T09:00:00")
    assert again == before


def test_since_keeps_what_is_still_wrong_and_drops_what_is_old(lc):
    good_card(lc, made="2026-03-01T10:00:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户说下周再联系看车", "--at", "2026-03-06 10:00",
          "--next", "2026-03-10", *GOOD, now="2026-03-09T10:00:00")  # recorded three days late
    found = rules(lc, "--since", "2026-05-01")
    assert "overdue" in found and "late-record" not in found
    assert "late-record" in rules(lc, "--since", "2026-03-01")


def test_fail_on_sets_the_exit_code(lc):
    good_card(lc)
    assert lc("audit", "--fail-on", "info", now="2026-05-16T10:00:00").exit_code == 1  # overdue: an error
    assert lc("audit", "--fail-on", "error", "--ignore", "overdue", now="2026-05-04T10:00:00").exit_code == 0
    result = lc("audit", "--fail-on", "fatal")
    assert result.exit_code == 2 and "没有严重程度 `fatal`" in result.stderr
    assert "unknown severity `fatal`" in lc("audit", "--fail-on", "fatal", env={"LEADCARD_LANG": "en"}).stderr


def test_rule_and_ignore_take_only_known_names(lc):
    good_card(lc)
    lc.ok("add", "王五", "--phone", "13600136000", now="2026-05-15T10:00:00")
    assert set(rules(lc, "--rule", "overdue,incomplete-card", now="2026-05-16T10:00:00")) == {"overdue", "incomplete-card"}
    assert "overdue" not in rules(lc, "--ignore", "overdue", now="2026-05-16T10:00:00")
    for option in ("--rule", "--ignore"):
        result = lc("audit", option, "late-call")
        assert result.exit_code == 2 and "没有稽核规则 `late-call`" in result.stderr
        assert "no audit rule `late-call`" in lc("audit", option, "late-call", env={"LEADCARD_LANG": "en"}).stderr


def test_owner_limits_the_audit_to_one_consultant(lc):
    lc.ok("user", "add", "赵经理", "--role", "manager")
    for name in ("王芳", "李强"):
        lc.ok("user", "add", name, "--role", "consultant", "--team", "一组", user="赵经理")
    lc.ok("add", "客户甲", "--phone", "13900000001", "--owner", "王芳", user="赵经理")
    lc.ok("add", "客户乙", "--phone", "13900000002", "--owner", "李强", user="赵经理")
    found = audit(lc, "--owner", "李强", user="赵经理", now="2026-05-04T10:00:00")
    assert {f["owner"] for f in found["findings"]} == {"李强"}
    assert [s["owner"] for s in found["summary"]["by_owner"]] == ["李强"]
    assert lc("audit", "--owner", "李强", user="王芳").exit_code == 1  # not hers to see
    assert {f["owner"] for f in audit(lc, user="王芳", now="2026-05-04T10:00:00")["findings"]} == {"王芳"}


def test_policy_sets_limits_and_switches_rules_off(lc, tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text('[audit.first-call-late]\nlimit_hours = 48\n[audit.first-touch-late]\nenabled = false\n'
                      '[audit.vague-record]\nseverity = "info"\n', encoding="utf-8")
    lc.ok("init", "--policy-file", str(policy))
    lc.ok("add", "王五", "--phone", "13600136000", "--model", "锋兰达", "--budget", "12 万", "--timeline", "一个月内")
    assert rules(lc, now="2026-05-05T09:00:00") == []  # 47 h, and the thank-you rule is off
    assert rules(lc, now="2026-05-05T11:00:00") == ["first-call-late"]
    explained = lc.json("audit", "--explain", "first-call-late")
    assert explained["limits"] == {"limit_hours": 48} and explained["enabled"] is True
    assert "24 小时" in explained["reason"]
    assert "24 hours" in lc.json("audit", "--explain", "first-call-late", env={"LEADCARD_LANG": "en"})["reason"]
    out = lc.ok("audit", "--explain", "first-touch-late").stdout
    assert "已在本店政策中关闭" in out and "limit_hours = 3" in out and "感谢短信或微信" in out
    assert lc("audit", "--explain", "nosuch").exit_code == 2
    policy.write_text("[audit.first-call-late]\nlimit_minutes = 5\n", encoding="utf-8")
    result = lc("init", "--policy-file", str(policy))
    assert result.exit_code == 2 and "limit_minutes：没有这项设置" in result.stderr
    assert "leadcard init --policy-file" in result.stderr  # how to put it right


def test_json_keys_and_the_summary_per_consultant(lc):
    lc.ok("add", "刘先生", "--phone", "13800138000", "--model", "汉兰达", now="2026-05-01T10:00:00")
    good_card(lc, "李四", "13900000001")
    data = audit(lc)
    assert set(data) >= {"date", "findings", "summary"} and data["date"] == "2026-05-03"
    assert set(data["findings"][0]) >= {"rule", "severity", "ref", "owner", "message", "expected", "actual"}
    assert {f["rule"] for f in data["findings"]} <= set(RULE_NAMES)
    total = data["summary"]
    assert (total["cards"], total["followups"], total["timely"], total["timeliness_base"]) == (2, 2, 1, 2)
    assert total["timeliness_rate"] == 0.5 and total["needs_coaching"] is True
    out = lc.ok("audit").stdout
    assert out.index("A00001 刘先生") < out.index("顾问")  # findings first, the table after
    assert "50% ✗" in out and "低于 80%（✗）需一对一辅导" in out


@pytest.mark.parametrize("name", RULE_NAMES)
def test_every_rule_is_explained_with_its_reason(lc, name):
    explained = lc.json("audit", "--explain", name)
    assert explained["rule"] == name and explained["severity"] in ("info", "warning", "error")
    assert len(explained["reason"]) > 40


def test_visit_without_card_names_a_showroom_visit_that_left_a_phone_but_has_no_card(lc):
    lc.ok("visit", "add", "--at", "2026-05-03 09:00", "--left", "2026-05-03 09:40", "--name", "陈女士",
          "--phone", "13900139000", now="2026-05-03T09:45:00")
    lc.ok("visit", "add", "--at", "2026-05-03 09:10", "--left", "2026-05-03 09:20", now="2026-05-03T09:45:00")
    assert lc.json("audit", "--rule", "visit-without-card", now="2026-05-03T10:05:00")["findings"] == []
    [finding] = lc.json("audit", "--rule", "visit-without-card", now="2026-05-03T10:30:00")["findings"]
    assert finding["ref"] == "来店#1" and "还没有建卡（时限 30分钟）" in finding["message"]
    lc.ok("add", "陈女士", "--phone", "13900139000", "--visit", "1", now="2026-05-03T11:00:00")
    [late] = lc.json("audit", "--rule", "visit-without-card", now="2026-05-03T12:00:00")["findings"]
    assert "1小时20分 后才建卡" in late["message"]
    text = lc.ok("audit", "--rule", "visit-without-card", now="2026-05-03T12:00:00").stdout
    assert "来店#1" in text and "陈女士" in text


def test_two_customers_left_without_a_card_are_told_each_under_their_own_visit(lc):
    """Neither visit has a card (both are card 0): the second customer must not read as the first's."""
    lc.ok("visit", "add", "--at", "2026-05-03 09:00", "--left", "2026-05-03 09:40", "--name", "陈女士",
          "--phone", "13900139000", now="2026-05-03T09:45:00")
    lc.ok("visit", "add", "--at", "2026-05-03 09:30", "--left", "2026-05-03 10:00", "--name", "刘先生",
          "--phone", "13900139001", now="2026-05-03T10:05:00")
    lines = lc.ok("audit", "--rule", "visit-without-card", now="2026-05-03T12:00:00").stdout.splitlines()
    heads = [line.strip() for line in lines if line.startswith("  来店#")]
    assert heads == ["来店#1 陈女士", "来店#2 刘先生"]
    second = lines.index("  来店#2 刘先生")
    assert "来店登记 #2（" in lines[second + 1]


def test_visit_without_card_is_quiet_when_the_card_came_in_time(lc):
    lc.ok("visit", "add", "--at", "2026-05-03 09:00", "--left", "2026-05-03 09:40", "--phone", "13900139000",
          now="2026-05-03T09:45:00")
    lc.ok("add", "陈女士", "--phone", "13900139000", "--visit", "1", now="2026-05-03T09:50:00")
    assert lc.json("audit", "--rule", "visit-without-card", now="2026-05-04T10:00:00")["findings"] == []
