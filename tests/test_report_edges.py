"""The report's figures at their edges (issue 22): each consultant's own numbers, a ratio with
nothing to divide, a customer who answers exactly 30 days after the wake-up, a deal won on the last
day of a grade's horizon, and the periods that may or may not be asked for yet.

Week 2026-W47 runs from Monday 16 to Sunday 22 November 2026; it is read on Wednesday 25th.
"""

from conftest import sales_floor

READ_ON = "2026-11-25T09:00:00"


def add(lc, name, phone, at, *args, **who):
    lc.ok("add", name, "--phone", phone, "--at", at, *args, now=at, **who)


def log(lc, name, at, channel="phone", *args, content="电话沟通需求", **who):
    lc.ok("log", name, "--channel", channel, "--content", content, "--at", at, *args, now=at, **who)


def weekly(lc, week="2026-W47", user=None, now=READ_ON):
    return lc.json("report", "weekly", "--week", week, now=now, user=user)


def ratio(numerator, denominator):
    return {"numerator": numerator, "denominator": denominator,
            "rate": round(numerator / denominator, 4) if denominator else None}


# -- periods ----------------------------------------------------------------------------------------------


def test_january_and_december_are_months_and_the_thirteenth_is_not(lc):
    january = lc.json("report", "monthly", "--month", "2026-1", now="2027-01-04T07:00:00")
    assert (january["period"], january["month"], january["start"], january["end"]) == (
        "monthly", "2026-01", "2026-01-01", "2026-01-31")
    december = lc.json("report", "monthly", "--month", "2026-12", now="2027-01-04T07:00:00")
    assert (december["start"], december["end"]) == ("2026-12-01", "2026-12-31")
    refused = lc("report", "monthly", "--month", "2026-13", now="2027-01-04T07:00:00")
    assert refused.exit_code == 2 and "不是月份：`2026-13`（格式如 2026-11，年份 1900–2199）" in refused.stderr


def test_this_week_may_be_read_from_its_monday_next_week_not_yet(lc):
    monday = "2026-11-23T07:00:00"
    assert lc.json("report", "weekly", "--week", "2026-W48", now=monday)["start"] == "2026-11-23"
    assert lc.json("report", "monthly", "--month", "2026-12", now="2026-12-01T07:00:00")["end"] == "2026-12-31"
    refused = lc("report", "weekly", "--week", "2026-W49", now=monday)
    assert refused.exit_code == 2 and "2026-W49 还没有开始（今天是 2026-11-23）" in refused.stderr


# -- each consultant's own figures, and ratios with nothing to divide -------------------------------------


def test_each_consultant_is_measured_on_their_own_cards_and_a_ratio_of_nothing_is_n_a(lc):
    # Before anyone had a login: a card nobody owns, and its call.
    add(lc, "周八", "13800000008", "2026-11-16 09:00")
    log(lc, "周八", "2026-11-16 09:30")
    sales_floor(lc)
    # 王芳: two cards made in the week (one won, one lost), one from before; three contacts.
    add(lc, "张三", "13800000001", "2026-11-16 10:00", "--owner", "王芳", "--grade", "A", "--model", "凯美瑞")
    log(lc, "张三", "2026-11-16 10:20", "wechat", content="感谢到店", user="王芳")
    log(lc, "张三", "2026-11-16 15:00", "phone", "--plan", "准备报价单", "--next", "2026-11-18", user="王芳")
    lc.ok("win", "张三", now="2026-11-18T10:00:00", user="王芳")
    add(lc, "李四", "13800000002", "2026-11-17 10:00", "--owner", "王芳", "--grade", "A")
    log(lc, "李四", "2026-11-17 11:00", user="王芳")
    lc.ok("lose", "李四", "--reason", "价格", "--competitor", "本田雅阁", now="2026-11-19T10:00:00", user="王芳")
    lc.ok("approve", "李四", now="2026-11-19T18:00:00", user="钱主管")
    add(lc, "王五", "13800000003", "2026-11-01 10:00", "--owner", "王芳", "--grade", "B")
    # 李强: a card made in the week and never called; a dormant card he woke with an unanswered SMS.
    add(lc, "赵六", "13800000004", "2026-11-18 10:00", "--owner", "李强", "--grade", "C")
    add(lc, "孙七", "13800000005", "2026-03-02 10:00", "--owner", "李强", "--grade", "C")
    log(lc, "孙七", "2026-03-02 11:00", "phone", content="明年再说", user="李强")
    log(lc, "孙七", "2026-11-20 10:00", "sms", content="新款上市问候", user="李强")
    # 孙丽 and 钱主管, a card each and nothing more: four names to put in order.
    add(lc, "吴九", "13800000009", "2026-11-19 10:00", "--owner", "孙丽")
    add(lc, "郑十", "13800000010", "2026-11-19 10:00", "--owner", "钱主管")
    report = weekly(lc)
    owners = {o["owner"]: o for o in report["by_owner"]}
    assert [o["owner"] for o in report["by_owner"]] == ["孙丽", "李强", "王芳", "钱主管", None]  # by name, none last
    figures = {owner: (o["new_cards"], o["followups"], o["wins"], o["losses"], o["loss_requests"], o["open_at_end"],
                       o["funnel"]) for owner, o in owners.items()}
    assert figures == {
        "王芳": (2, 3, 1, 1, 1, 1, {"H": 0, "A": 0, "B": 1, "C": 0}),
        "李强": (1, 1, 0, 0, 0, 2, {"H": 0, "A": 0, "B": 0, "C": 2}),
        None: (1, 1, 0, 0, 0, 1, {"H": 0, "A": 0, "B": 1, "C": 0}),
        "孙丽": (1, 0, 0, 0, 0, 1, {"H": 0, "A": 0, "B": 1, "C": 0}),
        "钱主管": (1, 0, 0, 0, 0, 1, {"H": 0, "A": 0, "B": 1, "C": 0}),
    }
    kpis = {owner: {k: o["kpis"][k] for k in ("completeness", "conversion", "reactivation", "referral", "loss_clarity")}
            for owner, o in owners.items()}
    # 王芳's thank-you before her call and the call before a loss are asked no next date: complete.
    assert kpis["王芳"] == {"completeness": ratio(3, 3), "conversion": ratio(1, 3), "reactivation": ratio(0, 0),
                           "referral": ratio(0, 1), "loss_clarity": ratio(1, 1)}
    assert kpis["李强"] == {"completeness": ratio(0, 1), "conversion": ratio(0, 2), "reactivation": ratio(0, 1),
                           "referral": ratio(0, 0), "loss_clarity": ratio(0, 0)}
    assert owners["李强"]["kpis"]["timeliness"] == {**ratio(0, 1), "target": 0.8, "below_target": True}
    assert owners[None]["kpis"]["timeliness"] == {**ratio(1, 1), "target": 0.8, "below_target": False}
    assert owners["李强"]["kpis"]["referral_rate"] is None  # nothing won: n/a, never 0 %
    assert report["totals"]["woken"] == 1 and report["kpis"]["conversion"] == ratio(1, 8)


def test_a_card_lost_before_the_week_and_reopened_in_it_is_back_in_hand(lc):
    add(lc, "张三", "13800000001", "2026-11-01 10:00", "--model", "凯美瑞")
    lc.ok("lose", "张三", "--reason", "推迟购买", now="2026-11-05T10:00:00")
    lc.ok("approve", "张三", now="2026-11-05T18:00:00")
    lc.ok("reopen", "张三", now="2026-11-17T10:00:00")
    lc.ok("win", "张三", now="2026-11-19T10:00:00")
    assert weekly(lc)["kpis"]["conversion"] == ratio(1, 1)


def test_wins_after_the_same_number_of_follow_ups_add_up(lc):
    for n, name in enumerate(("张三", "李四", "王五"), start=1):
        add(lc, name, f"1380000000{n}", "2026-11-16 10:00", "--model", "凯美瑞")
        log(lc, name, "2026-11-16 11:00", "test-drive", content="试驾满意")
    log(lc, "王五", "2026-11-17 11:00", "phone", content="确认颜色")
    for name in ("张三", "李四", "王五"):
        lc.ok("win", name, now="2026-11-18T10:00:00")
    per_win = {b["followups"]: (b["wins"], b["share"]) for b in weekly(lc)["followups_per_win"]}
    assert per_win == {"0": (0, 0.0), "1": (2, 0.6667), "2": (1, 0.3333), "3": (0, 0.0), "4+": (0, 0.0)}


def test_a_won_card_long_without_contact_is_not_counted_in_the_dormant_pool(lc):
    add(lc, "钱七", "13800000007", "2026-04-01 10:00", "--grade", "B")  # no contact since April
    add(lc, "孙八", "13800000008", "2026-04-01 10:00", "--grade", "B", "--model", "凯美瑞")
    lc.ok("win", "孙八", now="2026-11-18T10:00:00")  # ordered without a contact on the card since April
    assert weekly(lc)["totals"]["dormant_at_end"] == 1


def test_channels_keep_the_cards_order_and_competitors_go_by_how_often(lc):
    for n, name in enumerate(("张三", "李四", "王五", "赵六"), start=1):
        add(lc, name, f"1380000000{n}", "2026-11-02 10:00")
    for name in ("张三", "李四", "王五"):
        log(lc, name, "2026-11-16 10:00", "phone")
    log(lc, "张三", "2026-11-16 11:00", "wechat", content="发送配置表")
    for name, competitor in (("张三", "大众帕萨特"), ("李四", "本田雅阁"), ("王五", "本田雅阁")):
        lc.ok("lose", name, "--reason", "竞品品牌", "--competitor", competitor, now="2026-11-17T10:00:00")
        lc.ok("approve", name, now="2026-11-17T18:00:00")
    lc.ok("lose", "赵六", "--reason", "推迟购买", now="2026-11-17T10:00:00")
    lc.ok("approve", "赵六", now="2026-11-17T18:00:00")
    report = weekly(lc)
    assert list(report["followups_by_channel"].items()) == [("wechat", 1), ("phone", 3)]
    assert list(report["loss_competitors"].items()) == [("本田雅阁", 2), ("", 1), ("大众帕萨特", 1)]
    assert list(report["loss_reasons"].items()) == [("竞品品牌", 3), ("推迟购买", 1)]


# -- reactivation: answered within 30 days of the wake-up ------------------------------------------------


def dormant(lc, name, phone):
    add(lc, name, phone, "2026-03-02 10:00", "--grade", "C")
    log(lc, name, "2026-03-02 11:00", "wechat", content="感谢到店")
    log(lc, name, "2026-03-03 10:00", "phone", content="明年再说")


def test_a_customer_who_answers_exactly_30_days_after_the_wake_up_was_reactivated(lc):
    for n, name in enumerate(("张三", "李四", "王五", "赵六"), start=1):
        dormant(lc, name, f"1380000000{n}")
    log(lc, "张三", "2026-12-01 10:00", "sms", content="新款双擎上市问候")
    log(lc, "张三", "2026-12-31 10:00", "phone", content="客户回电询价")  # exactly 30 days later
    log(lc, "李四", "2026-12-01 10:00", "sms", content="新款双擎上市问候")
    log(lc, "李四", "2026-12-31 10:01", "phone", content="客户回电询价")  # a minute past
    log(lc, "王五", "2026-12-02 10:00", "phone", "--outcome", "unreachable", content="未接通")  # the attempt wakes it
    log(lc, "王五", "2026-12-03 10:00", "phone", content="客户回电：明年开春换车")  # and they answer
    log(lc, "赵六", "2026-12-02 10:00", "sms", content="节日问候")
    lc.ok("log", "赵六", "--corrects", "3", "--channel", "sms", "--content", "节日问候，附新款资料",
          now="2026-12-02T10:30:00")  # the waking message corrected: the wake-up stands
    log(lc, "赵六", "2026-12-05 10:00", "phone", content="客户回电")
    report = lc.json("report", "monthly", "--month", "2026-12", now="2027-01-04T07:00:00")
    assert report["kpis"]["reactivation"] == ratio(3, 4)


def test_only_a_two_way_contact_answers_a_wake_up_not_a_message_sent_after_it(lc):
    """Four dormant cards woken on 1 December by a festival SMS: 张三 is sent a WeChat push after it,
    李四 another SMS — neither answers; 王五 is called and does not pick up; 赵六 is called on the 30th
    day and answers. A message sent reaches nobody who answers: 1 of 4."""
    for n, name in enumerate(("张三", "李四", "王五", "赵六"), start=1):
        dormant(lc, name, f"1380000000{n}")
        log(lc, name, "2026-12-01 10:00", "sms", content="节日问候")
    log(lc, "张三", "2026-12-03 10:00", "wechat", content="推送新车资讯")
    log(lc, "李四", "2026-12-03 10:00", "sms", content="新款上市短信")
    log(lc, "王五", "2026-12-03 10:00", "phone", "--outcome", "unreachable", content="未接通")
    log(lc, "赵六", "2026-12-31 10:00", "home", content="上门拜访，客户有意开春换车")
    report = lc.json("report", "monthly", "--month", "2026-12", now="2027-01-04T07:00:00")
    assert report["kpis"]["reactivation"] == ratio(1, 4)


def test_a_customers_own_written_reply_answers_a_wake_up_and_a_push_does_not(lc):
    """Woken by an SMS on 1 December: 张三 replies on WeChat (客户主动), 李四 is only pushed to, 王五's
    reply is logged as a push and then corrected into the reply it was, 赵六 replies on the 31st day."""
    for n, name in enumerate(("张三", "李四", "王五", "赵六"), start=1):
        dormant(lc, name, f"1380000000{n}")
        log(lc, name, "2026-12-01 10:00", "sms", content="新款双擎上市问候")
    log(lc, "张三", "2026-12-02 09:00", "wechat", "--inbound", content="客户微信回复：开春想换车")
    log(lc, "李四", "2026-12-02 09:00", "wechat", content="推送新车资讯")
    log(lc, "王五", "2026-12-02 09:00", "wechat", content="客户微信回复：问价格")
    lc.ok("log", "王五", "--corrects", "4", "--inbound", "--content", "客户微信回复：问价格", now="2026-12-02T09:30:00")
    log(lc, "赵六", "2026-12-31 10:01", "wechat", "--inbound", content="客户回复：年后再说")  # a minute past 30 days
    report = lc.json("report", "monthly", "--month", "2026-12", now="2027-01-04T07:00:00")
    assert report["kpis"]["reactivation"] == ratio(2, 4)


def test_a_wake_up_message_whose_time_was_corrected_into_last_month_leaves_the_wake_up_unanswered(lc):
    dormant(lc, "张三", "13800000001")
    log(lc, "张三", "2026-12-01 10:00", "sms", content="新款上市问候")
    lc.ok("log", "张三", "--corrects", "3", "--channel", "sms", "--content", "新款上市问候（实为前一天发送）",
          "--at", "2026-11-30 10:00", now="2026-12-01T11:00:00")
    report = lc.json("report", "monthly", "--month", "2026-12", now="2027-01-04T07:00:00")
    assert (report["totals"]["woken"], report["kpis"]["reactivation"]) == (1, ratio(0, 1))


# -- grade accuracy: won within the grade's horizon -------------------------------------------------------


def test_a_deal_on_the_last_day_of_the_horizon_proves_the_grade_right(lc):
    add(lc, "周八", "13800000008", "2026-10-01 10:00")
    lc.ok("grade", "周八", "H", now="2026-11-12T10:00:00")  # graded before anyone had a login
    sales_floor(lc)
    for n, (name, owner) in enumerate((("张三", "王芳"), ("李四", "王芳"), ("王五", "李强"), ("赵六", "王芳")), start=1):
        add(lc, name, f"1380000000{n}", "2026-10-01 10:00", "--owner", owner, "--model", "凯美瑞")
    lc.ok("grade", "张三", "H", now="2026-11-09T10:00:00", user="王芳")
    lc.ok("win", "张三", now="2026-11-16T10:00:00", user="王芳")  # exactly 7 days later
    lc.ok("grade", "李四", "H", now="2026-11-09T11:00:00", user="王芳")
    lc.ok("grade", "李四", "A", now="2026-11-10T11:00:00", user="王芳")
    lc.ok("grade", "李四", "H", now="2026-11-11T11:00:00", user="王芳")  # H again: judged once
    lc.ok("grade", "王五", "H", now="2026-11-12T10:00:00", user="李强")
    lc.ok("grade", "赵六", "A", now="2026-10-20T10:00:00", user="王芳")  # A's 30 days end in the week
    accuracy = [(g["grader"], g["grade"], g["numerator"], g["denominator"]) for g in weekly(lc)["grade_accuracy"]]
    assert accuracy == [("李强", "H", 0, 1), ("王芳", "H", 1, 2), ("王芳", "A", 0, 1), (None, "H", 0, 1)]


# -- the week is [Monday 00:00, next Monday 00:00): its first instant counts, the next week's does not ------


def test_a_record_at_the_first_instant_of_the_week_counts_and_one_at_the_first_instant_of_the_next_does_not(lc):
    start, end = "2026-11-16 00:00", "2026-11-23 00:00"
    now = {"start": "2026-11-16T00:00:00", "end": "2026-11-23T00:00:00"}
    add(lc, "甲", "13800000001", start)
    log(lc, "甲", start)
    lc.ok("win", "甲", "--model", "凯美瑞", now=now["start"])  # won at the first instant, after one contact
    add(lc, "乙", "13800000002", end)
    log(lc, "乙", end)
    add(lc, "卯", "13800000003", "2026-11-22 23:00")
    log(lc, "卯", end)  # its first contact an hour later, in the next week: not yet to be judged in this one
    for name, phone, reopened in (("丙", "13800000004", now["start"]), ("丁", "13800000005", now["end"])):
        add(lc, name, phone, "2026-11-01 10:00", "--grade", "C")
        lc.ok("lose", name, "--reason", "推迟购买", now="2026-11-05T10:00:00")
        lc.ok("approve", name, now="2026-11-05T18:00:00")
        lc.ok("reopen", name, now=reopened)
    add(lc, "戊", "13800000006", "2026-11-02 10:00", "--grade", "A")
    lc.ok("win", "戊", "--model", "凯美瑞", now=now["end"])
    add(lc, "己", "13800000007", "2026-11-02 10:00")
    lc.ok("grade", "己", "H", now=now["end"])
    add(lc, "庚", "13800000008", "2026-05-01 10:00")
    log(lc, "庚", "2026-05-23 00:00")  # exactly six months before the week's end: not yet dormant
    add(lc, "辛", "13800000009", "2026-04-01 10:00")
    log(lc, "辛", end)  # dormant through the week; woken at the next week's first instant
    add(lc, "壬", "13800000010", "2026-11-02 10:00")
    lc.ok("lose", "壬", "--reason", "价格", "--competitor", "本田雅阁", now=now["start"])
    lc.ok("approve", "壬", now=now["end"])
    add(lc, "癸", "13800000011", "2026-11-02 10:00")
    lc.ok("lose", "癸", "--reason", "价格", "--competitor", "本田雅阁", now="2026-11-15T10:00:00")
    lc.ok("approve", "癸", now=now["start"])
    add(lc, "子", "13800000012", "2026-11-02 10:00")
    log(lc, "子", "2026-11-17 10:00")
    lc.ok("log", "子", "--corrects", "1", "--channel", "phone", "--content", "电话沟通需求（更正）", "--at", end,
          now=now["end"])  # corrected in the next week: the week keeps the entry as it stood
    lc.ok("lose", "子", "--reason", "推迟购买", now=now["end"])
    for name, phone in (("丑", "13800000013"), ("寅", "13800000014")):
        add(lc, name, phone, "2026-03-02 10:00", "--grade", "C")
        log(lc, name, "2026-03-03 10:00")
    log(lc, "丑", start)  # woken at the first instant by a call that reached him
    log(lc, "寅", "2026-11-18 10:00", "sms", content="新款上市问候")
    log(lc, "寅", end)  # answered at the next week's first instant
    report = weekly(lc)
    totals = report["totals"]
    assert (totals["new_cards"], totals["followups"], totals["wins"], totals["losses"], totals["loss_requests"]) == (
        2, 4, 1, 1, 1)
    assert (totals["open_at_end"], totals["dormant_at_end"], totals["lost_pending_at_end"], totals["woken"]) == (
        8, 1, 1, 2)
    assert report["funnel"] == {"H": 0, "A": 1, "B": 4, "C": 3}
    assert list(report["followups_by_channel"].items()) == [("sms", 1), ("phone", 3)]
    kpis = report["kpis"]
    assert (kpis["timeliness"]["numerator"], kpis["timeliness"]["denominator"]) == (1, 1)
    assert (kpis["conversion"], kpis["reactivation"], kpis["loss_clarity"]) == (ratio(1, 12), ratio(1, 2), ratio(0, 1))
    assert [b["wins"] for b in report["followups_per_win"]] == [0, 1, 0, 0, 0]
    assert (report["loss_reasons"], report["loss_competitors"]) == ({"价格": 1}, {"本田雅阁": 1})


def test_a_call_withdrawn_at_the_first_instant_of_the_next_week_still_stands_for_completeness(lc):
    """Withdrawn at the week's very end, a call stood all week: a message after it is no thank-you, and
    a contact before it is not the one that ended the card."""
    end = "2026-11-23T00:00:00"
    add(lc, "丙", "13800000001", "2026-11-16 09:00")
    log(lc, "丙", "2026-11-18 10:00", "phone", "--plan", "准备报价", "--next", "2026-11-20")  # complete
    log(lc, "丙", "2026-11-18 12:00", "wechat", content="发送报价单")  # after the call: incomplete
    lc.ok("log", "丙", "--void", "1", "--reason", "记错卡片", now=end)
    add(lc, "丁", "13800000002", "2026-11-16 09:00", "--model", "凯美瑞")
    log(lc, "丁", "2026-11-17 10:00", "phone")  # incomplete: the card went on
    log(lc, "丁", "2026-11-18 10:00", "phone", content="客户决定订车")  # the contact that ended it
    lc.ok("win", "丁", now="2026-11-19T10:00:00")
    lc.ok("log", "丁", "--void", "2", "--reason", "记错卡片", now=end)
    assert weekly(lc)["kpis"]["completeness"] == ratio(2, 4)


def test_a_card_handed_to_another_team_at_midnight_counts_for_the_team_that_held_it_all_week(lc):
    sales_floor(lc)
    add(lc, "张三", "13800000001", "2026-11-17 10:00", "--owner", "王芳")
    lc.ok("assign", "张三", "孙丽", now="2026-11-23T00:00:00")
    assert [(o["owner"], o["new_cards"]) for o in weekly(lc)["by_owner"]] == [("王芳", 1)]
    assert weekly(lc, user="钱主管")["totals"]["new_cards"] == 1
    assert weekly(lc, week="2026-W48", user="钱主管")["totals"]["open_at_end"] == 0


def test_gradings_count_from_the_first_instant_of_their_window_and_a_deal_at_the_grading_proves_it(lc):
    for n, name in enumerate(("张三", "李四", "王五"), start=1):
        add(lc, name, f"1380000000{n}", "2026-11-01 10:00", "--model", "凯美瑞")
    lc.ok("grade", "张三", "H", now="2026-11-09T00:00:00")  # 7 days before the week: its horizon ends on Monday
    lc.ok("win", "张三", now="2026-11-16T00:00:00")
    lc.ok("grade", "李四", "H", now="2026-11-16T00:00:00")  # its horizon ends in the next week
    lc.ok("grade", "王五", "H", now="2026-11-10T10:00:00")
    lc.ok("win", "王五", now="2026-11-10T10:00:00")  # ordered the moment the grade was given
    accuracy = [(g["grader"], g["grade"], g["numerator"], g["denominator"]) for g in weekly(lc)["grade_accuracy"]]
    assert accuracy == [(None, "H", 2, 2)]
