"""`leadcard edit`: the card is filled in over the weeks, as the paper one was — a budget learned on
the second visit, a need that changed, a name mistyped — and each change stays in its history with
the value before it, who made it and when."""

from conftest import sales_floor


def card(lc, **kwargs):
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "B", "--model", "凯美瑞", "--budget", "15万",
          "--competitor", "雅阁", **kwargs)


def first_due(lc) -> list[tuple[str, str]]:
    """What the morning list asks of the cards on 4 May at 10:06, and by when."""
    return [(i["reason"], i["due_at"]) for i in lc.json("today", now="2026-05-04T10:06:00")["items"]]


def first_call_late(lc, now: str) -> list[str]:
    return [f["ref"] for f in lc.json("audit", "--rule", "first-call-late", now=now)["findings"]]


def edits(lc, ref="张三", **kwargs) -> list[dict]:
    return [e for e in lc.json("show", ref, **kwargs)["events"] if e["kind"] == "edited"]


def test_an_edit_changes_the_fields_named_and_keeps_what_they_were(lc):
    card(lc)
    told = lc.ok("edit", "张三", "--budget", "25万", "--model", "汉兰达", "--payment", "贷款",
                 now="2026-05-04T11:00:00").stdout
    assert told.strip() == "已修改 A00001 张三：付款方式 — → 贷款；意向车型 凯美瑞 → 汉兰达；预算 15万 → 25万"
    shown = lc.json("show", "张三")
    assert (shown["model"], shown["budget"], shown["payment"], shown["competitors"]) == ("汉兰达", "25万", "贷款", "雅阁")
    [edit] = edits(lc)
    assert (edit["at"], edit["fields"]) == ("2026-05-04T11:00:00+08:00",
                                            {"payment": [None, "贷款"], "model": ["凯美瑞", "汉兰达"], "budget": ["15万", "25万"]})
    assert list(edit["fields"]) == ["payment", "model", "budget"]  # the paper card's order
    assert "修改资料  付款方式 — → 贷款；意向车型 凯美瑞 → 汉兰达" in lc.ok("show", "张三").stdout


def test_an_empty_value_clears_a_field_and_repeated_options_replace_the_list(lc):
    card(lc)
    changed = lc.json("edit", "张三", "--budget", "", "--competitor", "天籁", "--competitor", "帕萨特", "--age", "35")
    assert changed["changes"] == {"age": {"from": None, "to": 35}, "budget": {"from": "15万", "to": None},
                                  "competitors": {"from": "雅阁", "to": "天籁,帕萨特"}}
    shown = lc.json("show", "张三")
    assert (shown["budget"], shown["competitors"], shown["age"]) == (None, "天籁,帕萨特", 35)
    assert lc.json("edit", "张三", "--competitor", "")["changes"] == {"competitors": {"from": "天籁,帕萨特", "to": None}}


def test_a_mistyped_name_is_corrected_and_the_card_found_by_its_new_name(lc):
    card(lc)
    assert lc.json("edit", "张三", "--name", " 张叁 ")["changes"] == {"name": {"from": "张三", "to": "张叁"}}
    assert lc.json("show", "张叁")["ref"] == "A00001"
    cleared = lc("edit", "张叁", "--name", " ")
    assert cleared.exit_code == 2 and cleared.stderr.strip() == "leadcard: 客户的姓名不能清空"


def test_a_mistyped_phone_is_corrected_and_the_card_found_by_its_new_number(lc):
    card(lc)
    changed = lc.json("edit", "张三", "--phone", "139-0013-9000", now="2026-05-04T11:00:00")["changes"]
    assert changed == {"phone": {"from": "13800138000", "to": "13900139000"}}
    assert lc.json("show", "13900139000")["ref"] == "A00001"
    assert lc("show", "13800138000").exit_code == 1
    assert "修改资料  电话 13800138000 → 13900139000" in lc.ok("show", "张三").stdout
    # The old number is free for another customer's card.
    lc.ok("add", "李四", "--phone", "13800138000")
    for typed, why in ((" ", "客户的电话不能清空"), ("12345", "不是电话号码：`12345`")):
        refused = lc("edit", "张三", "--phone", typed)
        assert refused.exit_code == 2 and why in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert [e["fields"] for e in edits(lc)] == [{"phone": ["13800138000", "13900139000"]}]


def test_a_phone_on_another_active_card_is_refused_naming_it_only_to_whom_may_see_it(lc):
    sales_floor(lc)
    card(lc, user="王芳")
    lc.ok("add", "李四", "--phone", "13900139000", user="王芳")
    lc.ok("add", "王五", "--phone", "13700137000", user="孙丽")
    seen = lc("edit", "张三", "--phone", "13900139000", user="王芳")
    assert seen.exit_code == 1 and "A00002" in seen.stderr and "李四" in seen.stderr
    unseen = lc("edit", "张三", "--phone", "13700137000", user="王芳")
    assert unseen.exit_code == 1 and "无权查看" in unseen.stderr
    assert "王五" not in unseen.stderr and "孙丽" not in unseen.stderr and "A00003" not in unseen.stderr
    assert edits(lc, user="王芳") == [] and lc.json("show", "张三", user="王芳")["phone"] == "13800138000"
    # An owner's new number, on a card delivered long ago: another card's number is still refused.
    lc.ok("log", "张三", "--channel", "phone", "--content", "确认订车", user="王芳")
    lc.ok("win", "张三", "--price", "150000", "--deposit", "5000", user="王芳")
    assert lc("edit", "张三", "--phone", "13900139000", user="王芳").exit_code == 1
    assert lc.json("edit", "张三", "--phone", "13600136000", user="王芳")["changes"]["phone"]["to"] == "13600136000"


def test_a_lost_or_invalid_card_keeps_the_phone_it_closed_with(lc):
    card(lc)
    lc.ok("lose", "张三", "--reason", "推迟购买")
    refused = lc("edit", "张三", "--phone", "13900139000")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == "leadcard: 卡片 A00001 的状态是 战败待审：电话留作找回客户的记录，不能修改"
    lc.ok("add", "李四", "--phone", "13700137000")
    lc.ok("invalid", "李四", "--reason", "同行询价")
    assert lc("edit", "李四", "--phone", "13900139000").exit_code == 1
    assert lc.json("edit", "张三", "--budget", "20万")["changes"] == {"budget": {"from": "15万", "to": "20万"}}
    assert [e["fields"] for e in edits(lc)] == [{"budget": ["15万", "20万"]}]


def test_values_the_card_already_holds_change_nothing_and_write_nothing(lc):
    card(lc)
    same = lc.ok("edit", "张三", "--budget", "15万", "--model", "凯美瑞")
    assert same.stdout.strip() == "A00001 张三：没有变化，卡片上已是这些内容"
    assert lc.json("edit", "张三", "--budget", "15万")["changes"] == {}
    assert edits(lc) == []


def test_an_edit_without_a_field_is_refused_in_one_line(lc):
    card(lc)
    refused = lc("edit", "张三")
    assert refused.exit_code == 2
    assert refused.stderr.strip() == "leadcard: 没有要修改的栏目：写上要改的，如 --budget 25万、--model 汉兰达"
    too_many = lc("edit", "张三", *[arg for model in ("雅阁", "天籁", "帕萨特", "迈腾", "思域", "轩逸")
                                   for arg in ("--competitor", model)])
    assert too_many.exit_code == 2 and too_many.stderr.strip() == "leadcard: 一张卡最多记 5 个竞品"
    assert lc("edit", "张三", "--age", "121").exit_code == 2
    assert lc("edit", "张三", "--birthday", "13-40").exit_code == 2
    assert edits(lc) == [] and lc.json("show", "张三")["budget"] == "15万"


def test_whoever_may_see_the_card_edits_it_and_nobody_else_learns_it_exists(lc):
    sales_floor(lc)
    card(lc, user="王芳")
    assert lc.json("edit", "张三", "--budget", "20万", user="钱主管")["changes"]["budget"]["to"] == "20万"
    assert edits(lc, user="王芳")[0]["by"] == "钱主管"
    for ref in ("张三", "A00001", "13800138000"):
        hidden, nowhere = lc("edit", ref, "--budget", "1万", user="孙丽"), lc("edit", "A00009", "--budget", "1万", user="孙丽")
        assert hidden.exit_code == nowhere.exit_code == 1
        assert "王芳" not in hidden.stderr and "张三" not in hidden.stderr.replace(ref, "")
    assert lc.json("show", "张三", user="王芳")["budget"] == "20万"


def test_an_owners_new_birthday_brings_the_greeting_on_that_day(lc):
    card(lc)
    lc.ok("log", "张三", "--channel", "phone", "--content", "确认订车")
    lc.ok("win", "张三", "--price", "150000", "--deposit", "5000", now="2026-05-03T11:00:00")
    lc.ok("deliver", "张三", "--handover-to", "周售后", now="2026-05-03T15:00:00")
    for day in ("05-04", "05-06", "05-10", "06-02"):  # the visits 1, 3, 7 and 30 days after the delivery
        lc.ok("log", "张三", "--channel", "phone", "--content", "回访", now=f"2026-{day}T10:00:00")
    assert [i["reason"] for i in lc.json("today", "--date", "2026-06-20", now="2026-06-20T09:00:00")["items"]] == []
    lc.ok("edit", "张三", "--birthday", "6月20日", now="2026-06-20T09:00:00")
    [greeting] = lc.json("today", now="2026-06-20T09:00:00")["items"]
    assert (greeting["reason"], greeting["due_at"]) == ("birthday", "2026-06-20T00:00:00+08:00")
    lc.ok("edit", "张三", "--birthday", "", now="2026-06-20T09:05:00")
    assert lc.json("today", now="2026-06-20T09:05:00")["items"] == []


def test_the_edit_reads_in_english_and_what_was_typed_is_shown_as_text(lc):
    card(lc)
    english = lc.ok("edit", "张三", "--budget", "[red]25万[/red]", env={"LEADCARD_LANG": "en"}).stdout
    assert english.strip() == "Changed A00001 张三: Budget 15万 → [red]25万[/red]"


def test_a_source_typed_wrong_is_corrected_and_the_first_contacts_deadlines_follow_it(lc):
    card(lc, now="2026-05-04T10:00:00")
    assert first_due(lc) == [("first-touch", "2026-05-04T13:00:00+08:00")]
    told = lc.ok("edit", "张三", "--source", "汽车之家", now="2026-05-04T10:05:00").stdout
    assert told.strip() == "已修改 A00001 张三：来源 展厅 → 网络；平台 — → 汽车之家"
    # An online lead is called within 30 minutes of working hours from its arrival.
    assert first_due(lc) == [("first-call", "2026-05-04T10:30:00+08:00")]
    shown = lc.json("show", "张三")
    assert (shown["source"], shown["platform"]) == ("online", "汽车之家")
    assert "修改资料  来源 展厅 → 网络；平台 — → 汽车之家" in lc.ok("show", "张三").stdout
    # Another source drops the platform, which only an online lead has.
    back = lc.json("edit", "张三", "--source", "展厅", now="2026-05-04T10:06:00")["changes"]
    assert back == {"source": {"from": "online", "to": "walk-in"}, "platform": {"from": "汽车之家", "to": None}}
    assert first_due(lc) == [("first-touch", "2026-05-04T13:00:00+08:00")]
    assert [e["fields"] for e in edits(lc)] == [{"source": ["walk-in", "online"], "platform": [None, "汽车之家"]},
                                                {"source": ["online", "walk-in"], "platform": ["汽车之家", None]}]


def test_a_platform_belongs_to_an_online_lead_and_a_referred_card_stays_a_referral(lc):
    card(lc)
    assert lc.json("edit", "张三", "--platform", "懂车帝")["changes"] == {
        "source": {"from": "walk-in", "to": "online"}, "platform": {"from": None, "to": "懂车帝"}}
    assert lc.json("edit", "张三", "--source", "online")["changes"] == {}  # the platform stays
    assert lc.json("edit", "张三", "--platform", " ")["changes"] == {"platform": {"from": "懂车帝", "to": None}}
    lc.ok("add", "李四", "--phone", "13900139000", "--referred-by", "张三")
    for args, why in ((("张三", "--source", "walk-in", "--platform", "易车"), "平台（易车）只属于网络线索（online），不属于来源 展厅"),
                      (("张三", "--source", "火星"), "不认识的线索来源 `火星`"),
                      (("李四", "--source", "online"), "卡片 A00002 记有转介绍人，来源只能是转介绍（referral），不能是 网络"),
                      (("李四", "--platform", "汽车之家"), "卡片 A00002 记有转介绍人，来源只能是转介绍（referral），不能是 网络")):
        refused = lc("edit", *args)
        assert refused.exit_code == 2 and why in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert lc.json("edit", "李四", "--source", "转介绍")["changes"] == {}
    assert lc.json("show", "李四")["source"] == "referral" and edits(lc, "李四") == []
    assert (lc.json("show", "张三")["source"], len(edits(lc))) == ("online", 2)


def test_the_audit_judges_the_first_call_by_the_corrected_source(lc):
    card(lc, now="2026-05-04T10:00:00")
    lc.ok("log", "张三", "--channel", "sms", "--content", "感谢到店", now="2026-05-04T10:10:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "了解需求，邀约试驾", "--plan", "周六试驾",
          "--next", "2026-05-09 10:00", now="2026-05-04T12:00:00")
    assert first_call_late(lc, "2026-05-05T09:00:00") == []  # a walk-in's first call within 24 hours
    lc.ok("edit", "张三", "--source", "online", now="2026-05-05T08:00:00")
    # An online lead's first call is due within 30 minutes of working hours.
    assert first_call_late(lc, "2026-05-05T09:00:00") == ["A00001"]


def test_when_the_customer_left_is_corrected_and_the_first_contacts_are_judged_from_it(lc):
    card(lc, now="2026-05-04T10:00:00")
    assert first_due(lc) == [("first-touch", "2026-05-04T13:00:00+08:00")]
    told = lc.ok("edit", "张三", "--left", "2026-05-04 09:00", now="2026-05-04T10:05:00").stdout
    assert told.strip() == "已修改 A00001 张三：离店时间 — → 2026-05-04 09:00"
    assert first_due(lc) == [("first-touch", "2026-05-04T12:00:00+08:00")]
    assert lc.json("show", "张三")["left_at"] == "2026-05-04T09:00:00+08:00"
    assert "修改资料  离店时间 — → 2026-05-04 09:00" in lc.ok("show", "张三").stdout
    future = lc("edit", "张三", "--left", "2026-05-04 10:07", now="2026-05-04T10:05:00")
    assert future.exit_code == 2 and future.stderr.strip() == "leadcard: 客户离店时间不能在将来（2026-05-04 10:07）"
    lc.ok("log", "张三", "--channel", "sms", "--content", "感谢到店", now="2026-05-04T10:10:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "了解需求，邀约试驾", "--plan", "周六试驾",
          "--next", "2026-05-09 10:00", now="2026-05-05T09:30:00")
    assert first_call_late(lc, "2026-05-06T09:00:00") == ["A00001"]  # 24 hours from 09:00, the leaving time corrected
    assert lc.json("edit", "张三", "--left", "", now="2026-05-06T08:00:00")["changes"] == {
        "left_at": {"from": "2026-05-04T09:00:00+08:00", "to": None}}
    assert first_call_late(lc, "2026-05-06T09:00:00") == []  # 24 hours from the card's making at 10:00
    assert [e["fields"] for e in edits(lc)] == [{"left_at": [None, "2026-05-04T09:00:00+08:00"]},
                                                {"left_at": ["2026-05-04T09:00:00+08:00", None]}]


def test_a_referrer_left_out_at_add_is_named_and_the_card_becomes_a_referral(lc):
    sales_floor(lc)
    card(lc, user="王芳")  # A00001, the owner who refers a friend
    lc.ok("add", "李四", "--phone", "13900139000", "--source", "汽车之家", user="王芳")
    lc.ok("add", "王五", "--phone", "13700137000", user="孙丽")  # another team's: 王芳 cannot see it
    changed = lc.json("edit", "李四", "--referred-by", "张三", user="王芳")["changes"]
    assert changed == {"source": {"from": "online", "to": "referral"}, "platform": {"from": "汽车之家", "to": None},
                       "referred_by": {"from": None, "to": "A00001"}}
    shown = lc.json("show", "张三", user="王芳")
    assert [c["ref"] for c in shown["referrals"]] == ["A00002"]
    assert "修改资料  来源 网络 → 转介绍；平台 汽车之家 → —；转介绍人 — → A00001" in lc.ok("show", "李四", user="王芳").stdout
    for args, code, why in ((("--referred-by", "李四"), 1, "客户不能转介绍自己"),
                            (("--referred-by", "张三", "--source", "展厅"), 2, "来源只能是转介绍")):
        refused = lc("edit", "李四", *args, user="王芳")
        assert refused.exit_code == code and why in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    # A card she may not see is told as one that is not there.
    hidden, nowhere = (lc("edit", "李四", "--referred-by", name, user="王芳") for name in ("王五", "赵六"))
    assert hidden.exit_code == nowhere.exit_code == 1
    assert hidden.stderr.replace("王五", "某") == nowhere.stderr.replace("赵六", "某")
    # Cleared, the card keeps its source, which may then change.
    assert lc.json("edit", "李四", "--referred-by", "", "--source", "展厅", user="王芳")["changes"] == {
        "source": {"from": "referral", "to": "walk-in"}, "referred_by": {"from": "A00001", "to": None}}
    assert lc.json("show", "张三", user="王芳")["referrals"] == []
    assert len(edits(lc, "李四", user="王芳")) == 2


def test_a_referrer_the_reader_may_not_see_is_not_told_by_its_number(lc):
    sales_floor(lc)
    card(lc, user="王芳")  # A00001, the referrer
    lc.ok("add", "李四", "--phone", "13900139000", "--referred-by", "张三", user="王芳")
    lc.ok("edit", "李四", "--referred-by", "", user="王芳")
    lc.ok("edit", "李四", "--referred-by", "张三", user="王芳")
    lc.ok("assign", "张三", "孙丽")  # the referrer's card goes to another team: 王芳 no longer sees it
    assert [e["fields"]["referred_by"] for e in edits(lc, "李四", user="王芳")] == [["…", None], [None, "…"]]
    shown = lc.ok("show", "李四", user="王芳").stdout
    assert "A00001" not in shown and "转介绍人 （你无权查看的卡片） → —" in shown
    # The manager, who sees both cards, reads the numbers.
    assert [e["fields"]["referred_by"] for e in edits(lc, "李四")] == [["A00001", None], [None, "A00001"]]
    assert "转介绍人 A00001 → —" in lc.ok("show", "李四").stdout
    # Cleared by her, the edit tells her of the card no more than show does; the history keeps it.
    assert lc.json("edit", "李四", "--referred-by", "", user="王芳")["changes"] == {
        "referred_by": {"from": "…", "to": None}}
    assert edits(lc, "李四")[-1]["fields"]["referred_by"] == ["A00001", None]
