"""The clocks as the floor lives them: first touch and first call run from when the customer left
(离店), any contact that reached the customer by voice or face to face is the first call, online and
400 leads are called within working minutes, and a failed attempt never moves a planned date."""

import pytest

from conftest import run_process


def items(lc, *args, **kwargs):
    return lc.json("today", *args, **kwargs)["items"]


def audit_rules(lc, rule, **kwargs):
    return [f for f in lc.json("audit", "--rule", rule, **kwargs)["findings"]]


# -- the clock starts when the customer left --------------------------------------------------------


def test_a_card_typed_next_morning_for_a_customer_who_left_at_six_is_already_late(lc):
    lc.now = "2026-05-03T09:00:00"
    card = lc.json("add", "张三", "--phone", "13800138000", "--left", "2026-05-02 18:00")
    assert card["left_at"] == "2026-05-02T18:00:00+08:00"
    [item] = items(lc)
    assert (item["reason"], item["due_at"], item["overdue_days"]) == ("first-touch", "2026-05-02T21:00:00+08:00", 1)
    assert lc.json("show", "张三")["left_at"] == "2026-05-02T18:00:00+08:00"
    assert "离店时间" in lc.ok("show", "张三").stdout
    lc.ok("log", "张三", "--channel", "sms", "--content", "感谢到店，发送配置表", now="2026-05-03T09:10:00")
    [item] = items(lc, "--date", "2026-05-03", now="2026-05-03T09:10:00")
    assert (item["reason"], item["due_at"]) == ("first-call", "2026-05-03T18:00:00+08:00")


def test_first_touch_late_is_measured_from_the_leaving_at_its_edges(lc):
    lc.now = "2026-05-03T09:00:00"
    lc.ok("add", "张三", "--phone", "13800138000", "--left", "2026-05-03 08:00")
    assert audit_rules(lc, "first-touch-late", now="2026-05-03T11:00:00") == []  # exactly 3 h
    [finding] = audit_rules(lc, "first-touch-late", now="2026-05-03T11:01:00")  # one minute past
    assert "离店（05-03 08:00）已 3小时1分，还没有发感谢短信/微信" in finding["message"]


def test_a_card_made_from_a_visit_runs_from_the_visits_leaving_time(lc):
    lc.now = "2026-05-03T16:00:00"
    visit = lc.json("visit", "add", "--at", "2026-05-03 10:00", "--left", "2026-05-03 11:30", "--name", "李四",
                    "--phone", "13900139000")
    card = lc.json("add", "李四", "--phone", "13900139000", "--visit", str(visit["id"]))
    assert card["left_at"] == "2026-05-03T11:30:00+08:00"
    [item] = items(lc)
    assert (item["reason"], item["due_at"]) == ("first-touch", "2026-05-03T14:30:00+08:00")


def test_without_a_leaving_time_the_clock_starts_at_the_cards_creation(lc):
    card = lc.json("add", "张三", "--phone", "13800138000")
    assert card["left_at"] is None
    assert items(lc)[0]["due_at"] == "2026-05-03T13:00:00+08:00"


@pytest.mark.parametrize("left, code", [("2026-05-04 10:00", 2), ("昨天下午", 2)])
def test_a_leaving_time_in_the_future_or_unreadable_is_bad_input(lc, left, code):
    result = lc("add", "张三", "--phone", "13800138000", "--left", left)
    assert result.exit_code == code
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert lc.json("list") == []


# -- any contact that reached the customer by voice or face to face is the first call ---------------


def test_a_customer_who_came_back_and_test_drove_six_hours_later_is_not_first_call_late(lc):
    lc.ok("add", "王五", "--phone", "13600136000", "--grade", "A", now="2026-05-03T10:00:00")
    lc.ok("log", "王五", "--channel", "wechat", "--content", "感谢到店，发送配置表", now="2026-05-03T10:20:00")
    lc.ok("log", "王五", "--channel", "test-drive", "--content", "回店试驾双擎，认可油耗", "--next", "2026-05-06 10:00",
          "--purpose", "报价并邀约太太同来", now="2026-05-03T16:00:00")
    [item] = items(lc, "--date", "2026-05-06", now="2026-05-03T16:00:00")
    assert (item["reason"], item["purpose"]) == ("planned", "报价并邀约太太同来")
    assert items(lc, "--date", "2026-05-05", now="2026-05-03T16:00:00") == []  # no 首次电话 due on the 4th
    assert audit_rules(lc, "first-call-late", now="2026-05-05T10:00:00") == []


@pytest.mark.parametrize("channel", ["visit", "home", "phone"])
def test_every_voice_or_face_to_face_channel_is_the_first_call(lc, channel):
    lc.ok("add", "王五", "--phone", "13600136000", now="2026-05-03T10:00:00")
    lc.ok("log", "王五", "--channel", "sms", "--content", "感谢到店", now="2026-05-03T10:20:00")
    lc.ok("log", "王五", "--channel", channel, "--content", "沟通需求，确认级别 B", now="2026-05-03T15:00:00")
    assert items(lc, "--date", "2026-05-04", now="2026-05-03T15:00:00") == []
    assert audit_rules(lc, "first-call-late", now="2026-05-05T10:00:00") == []


def test_a_call_nobody_answered_confirms_no_grade_and_the_first_call_stays_owed(lc):
    lc.ok("add", "赵六", "--phone", "13700137000", now="2026-05-03T10:00:00")
    lc.ok("log", "赵六", "--channel", "sms", "--content", "感谢到店", now="2026-05-03T10:20:00")
    lc.ok("log", "赵六", "--channel", "phone", "--outcome", "unreachable", "--content", "未接通",
          now="2026-05-03T15:00:00")
    [item] = items(lc, "--date", "2026-05-04", now="2026-05-03T15:00:00")
    assert (item["reason"], item["due_at"]) == ("first-call", "2026-05-04T10:00:00+08:00")
    assert audit_rules(lc, "first-call-late", now="2026-05-04T10:00:00") == []  # exactly 24 h
    [finding] = audit_rules(lc, "first-call-late", now="2026-05-04T10:01:00")
    assert "还没有电话或当面联系上客户" in finding["message"]


# -- a failed attempt never moves a planned date ------------------------------------------------------


def planned_card(lc):
    lc.ok("add", "孙七", "--phone", "13500135000", "--grade", "A", now="2026-05-03T10:00:00")
    lc.ok("log", "孙七", "--channel", "sms", "--content", "感谢到店", now="2026-05-03T10:20:00")
    lc.ok("log", "孙七", "--channel", "phone", "--content", "确认预算，对比雅阁", "--next", "2026-05-08 10:00",
          "--purpose", "邀约周六试驾", now="2026-05-03T15:00:00")


def test_an_unanswered_call_without_a_date_keeps_the_planned_date_and_purpose(lc):
    planned_card(lc)
    lc.ok("log", "孙七", "--channel", "phone", "--outcome", "unreachable", "--content", "未接通",
          now="2026-05-08T10:05:00")
    [item] = items(lc, now="2026-05-08T10:05:00")
    assert (item["reason"], item["due_at"], item["purpose"]) == ("planned", "2026-05-08T10:00:00+08:00", "邀约周六试驾")
    [item] = items(lc, now="2026-05-10T09:00:00")
    assert item["overdue_days"] == 2  # still owed, and later every day


def test_an_unanswered_call_with_a_date_sets_a_retry_for_the_same_purpose(lc):
    planned_card(lc)
    lc.ok("log", "孙七", "--channel", "phone", "--outcome", "refused", "--content", "挂断",
          "--next", "2026-05-08 16:00", now="2026-05-08T10:05:00")
    [item] = items(lc, now="2026-05-08T10:05:00")
    assert (item["reason"], item["due_at"], item["purpose"]) == ("planned", "2026-05-08T16:00:00+08:00", "邀约周六试驾")


# -- leads that never visited: platform, working minutes, no thanks for a visit ------------------------


def test_an_autohome_lead_is_online_and_keeps_its_platform(lc):
    card = lc.json("add", "周八", "--phone", "13300133000", "--source", "汽车之家")
    assert (card["source"], card["platform"]) == ("online", "汽车之家")
    shown = lc.json("show", "周八")
    assert (shown["source"], shown["platform"]) == ("online", "汽车之家")
    assert "网络（汽车之家）" in lc.ok("show", "周八").stdout
    other = lc.json("add", "吴九", "--phone", "13300133001", "--platform", "懂车帝")
    assert (other["source"], other["platform"]) == ("online", "懂车帝")
    walk_in = lc.json("add", "郑十", "--phone", "13300133002")
    assert (walk_in["source"], walk_in["platform"]) == ("walk-in", None)


@pytest.mark.parametrize("args", [("--source", "展厅", "--platform", "汽车之家"),
                                  ("--source", "易车", "--platform", "抖音"),
                                  ("--platform", " ")])
def test_a_platform_that_contradicts_the_source_is_bad_input(lc, args):
    result = lc("add", "周八", "--phone", "13300133000", *args)
    assert result.exit_code == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert lc.json("list") == []


def test_a_400_lead_at_ten_to_nine_in_the_evening_is_due_twenty_past_nine_next_morning(lc):
    lc.ok("add", "周八", "--phone", "13300133000", "--source", "400", now="2026-05-03T20:50:00")
    [item] = items(lc, "--date", "2026-05-04", now="2026-05-03T20:50:00")
    assert (item["reason"], item["due_at"]) == ("first-call", "2026-05-04T09:20:00+08:00")
    assert "营业时间 30 分钟" in item["purpose"]


def test_an_online_lead_at_ten_is_called_by_half_past_and_late_a_minute_after(lc):
    lc.ok("add", "周八", "--phone", "13300133000", "--source", "懂车帝", now="2026-05-03T10:00:00")
    [item] = items(lc, now="2026-05-03T10:00:00")
    assert (item["reason"], item["due_at"]) == ("first-call", "2026-05-03T10:30:00+08:00")
    assert audit_rules(lc, "first-call-late", now="2026-05-03T10:30:00") == []
    [finding] = audit_rules(lc, "first-call-late", now="2026-05-03T10:31:00")
    assert "线索到达（05-03 10:00）" in finding["message"] and "30 分钟" in finding["message"]


def test_a_lead_that_never_visited_is_not_thanked_for_the_visit(lc):
    lc.ok("add", "周八", "--phone", "13300133000", "--source", "汽车之家", now="2026-05-03T10:00:00")
    lc.ok("log", "周八", "--channel", "phone", "--content", "了解需求，邀约周末到店", now="2026-05-03T10:10:00")
    lc.ok("add", "郑十", "--phone", "13300133002", now="2026-05-03T10:00:00")
    listed = {i["name"]: i for i in items(lc, now="2026-05-03T10:10:00")}
    assert listed["周八"]["reason"] == listed["郑十"]["reason"] == "first-touch"
    assert "到店" not in listed["周八"]["purpose"].split("邀约")[0]
    assert "感谢" not in listed["周八"]["purpose"]
    assert "感谢到店" in listed["郑十"]["purpose"]
    lean = run_process("today", env={"LEADCARD_DB": str(lc.db), "LEADCARD_NOW": "2026-05-03T10:10:00"})
    assert lean.returncode == 0, lean.stderr


# -- the policy's new numbers --------------------------------------------------------------------------


def test_the_stores_working_hours_and_online_minutes_come_from_its_policy_file(lc, tmp_path):
    policy = tmp_path / "store.toml"
    policy.write_text('working_hours = "08:30-18:00"\n[sources.online]\nfirst_call_minutes = 15\n', encoding="utf-8")
    lc.ok("init", "--policy-file", str(policy))
    lc.ok("add", "周八", "--phone", "13300133000", "--source", "易车", now="2026-05-03T17:50:00")
    [item] = items(lc, "--date", "2026-05-04", now="2026-05-03T17:50:00")
    assert item["due_at"] == "2026-05-04T08:35:00+08:00"


@pytest.mark.parametrize("text", ['working_hours = "21:00-09:00"', "[sources.online]\nfirst_call_minutes = nan",
                                  "[sources.online]\nfirst_call_minutes = -5", "first_call_hours = inf"])
def test_a_bad_policy_file_is_one_clear_line_and_exit_2(lc, tmp_path, text):
    policy = tmp_path / "store.toml"
    policy.write_text(text + "\n", encoding="utf-8")
    result = lc("init", "--policy-file", str(policy))
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "政策" in result.stderr
    assert "Traceback" not in result.stderr


# -- the report's timeliness runs from the same clock ---------------------------------------------------


def test_timeliness_counts_from_when_the_customer_left_not_from_the_typing(lc):
    # Left on Monday at 10:00, card typed on Tuesday at 09:00, first follow-up Tuesday at 11:00: 25 h.
    lc.ok("add", "张三", "--phone", "13800000001", "--left", "2026-11-16 10:00", now="2026-11-17T09:00:00")
    lc.ok("log", "张三", "--channel", "wechat", "--content", "感谢到店", now="2026-11-17T11:00:00")
    # Left on Tuesday at 10:00, card typed at 12:00, thanked the next day at 10:00: exactly 24 h.
    lc.ok("add", "李四", "--phone", "13800000002", "--left", "2026-11-17 10:00", now="2026-11-17T12:00:00")
    lc.ok("log", "李四", "--channel", "wechat", "--content", "感谢到店", now="2026-11-18T10:00:00")
    report = lc.json("report", "weekly", "--week", "2026-W47", now="2026-11-24T08:00:00")
    assert (report["kpis"]["timeliness"]["numerator"], report["kpis"]["timeliness"]["denominator"]) == (1, 2)


def test_policy_show_names_the_working_hours_and_the_online_minutes(lc, tmp_path):
    policy = tmp_path / "store.toml"
    policy.write_text('working_hours = "08:30-18:00"\n[sources.hotline]\nfirst_call_minutes = 10\n', encoding="utf-8")
    lc.ok("init", "--policy-file", str(policy))
    shown = lc.json("policy", "show")
    assert shown["working_hours"] == "08:30-18:00"
    assert shown["sources"] == {"online": {"first_call_minutes": 30}, "hotline": {"first_call_minutes": 10}}
    assert "营业时间 08:30–18:00" in lc.ok("policy", "show").stdout
