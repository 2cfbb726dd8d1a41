"""A card's status and a user's role in what a person reads are said in their language (战败, 无效,
销售顾问 …), never as the identifiers JSON uses (lost, invalid, consultant): the refusals of closed
cards, the roles a reopening needs, the cards a name matches, a user added; and a status may be typed
either way."""

from conftest import sales_floor


def closed_floor(lc):
    """王芳's customers: 张三 (A00001) lost, approved; two 李四 (A00002, A00003) marked invalid."""
    sales_floor(lc)
    lc.user = "王芳"
    lc.ok("add", "张三", "--phone", "13800138000", now="2026-05-02T10:00:00")
    lc.ok("add", "李四", "--phone", "13800138001", now="2026-05-02T10:05:00")
    lc.ok("add", "李四", "--phone", "13800138002", now="2026-05-02T10:10:00")
    lc.ok("lose", "张三", "--reason", "价格", "--competitor", "本田雅阁", now="2026-05-02T11:00:00")
    lc.ok("approve", "张三", user="钱主管", now="2026-05-02T12:00:00")
    for ref in ("A00002", "A00003"):
        lc.ok("invalid", ref, "--reason", "空号", now="2026-05-02T12:30:00")
    return lc


def test_a_closed_cards_refusals_name_its_status_in_chinese(lc):
    closed_floor(lc)
    logged = lc("log", "张三", "--channel", "phone", "--content", "回访", now="2026-05-03T10:00:00")
    assert logged.exit_code == 1
    assert logged.stderr == ("leadcard: 卡片 A00001 的状态是 战败：请先重新打开（leadcard reopen A00001），"
                             "再记跟进\n")
    reopened = lc("reopen", "张三", now="2026-05-03T10:00:00")
    assert reopened.exit_code == 1 and "重新打开状态为 战败 的卡片" in reopened.stderr, reopened.stderr
    matched = lc("show", "李四", now="2026-05-03T10:00:00")
    assert matched.exit_code == 1
    lines = [line.split() for line in matched.stderr.splitlines()[1:]]
    assert [(line[0], line[3]) for line in lines] == [("A00002", "无效"), ("A00003", "无效")], matched.stderr
    for said in (logged.stderr, reopened.stderr, matched.stderr):
        assert not {"lost", "invalid"} & set(said.replace("：", " ").replace("，", " ").split())


def test_in_english_the_status_is_said_in_english(lc):
    closed_floor(lc)
    logged = lc("log", "张三", "--channel", "phone", "--content", "回访", now="2026-05-03T10:00:00",
                env={"LEADCARD_LANG": "en"})
    assert logged.exit_code == 1 and "Lost" in logged.stderr and "A00001" in logged.stderr, logged.stderr


def test_a_status_is_typed_as_list_prints_it_or_as_its_value(lc):
    closed_floor(lc)
    refs = {word: [c["ref"] for c in lc.json("list", "--status", word, now="2026-05-03T10:00:00")]
            for word in ("lost", "战败", "invalid", "无效", " 无效 ", "open", "跟进中", "INVALID")}
    assert refs["lost"] == refs["战败"] == ["A00001"]
    assert refs["invalid"] == refs["无效"] == refs[" 无效 "] == refs["INVALID"] == ["A00003", "A00002"]
    assert refs["open"] == refs["跟进中"] == []


def test_a_word_that_is_no_status_is_refused_in_chinese_with_the_words_there_are(lc):
    closed_floor(lc)
    refused = lc("list", "--status", "已关闭", now="2026-05-03T10:00:00")
    assert refused.exit_code == 2
    assert refused.stderr == ("leadcard: 不认识的状态 `已关闭`：可用 `open`、`dormant`、`won`、`delivered`、"
                              "`lost-pending`、`lost`、`invalid`（或 跟进中、休眠、成交、已交车、战败待审、战败、无效）\n")


def test_a_loan_step_that_is_no_step_is_refused_in_chinese(lc):
    closed_floor(lc)
    lc.ok("add", "王五", "--phone", "13800138009", now="2026-05-03T09:00:00")
    refused = lc("finance", "王五", "--status", "审核中", now="2026-05-03T10:00:00")
    assert refused.exit_code == 2
    assert refused.stderr == ("leadcard: 不认识的贷款进度 `审核中`：可用 `applied`、`approved`、`rejected`"
                              "（或 已申请、已批贷、被拒）\n")


def test_an_imported_rows_unknown_status_or_yes_no_is_told_in_chinese(lc, tmp_path):
    sales_floor(lc)
    sheet = tmp_path / "cards.csv"
    sheet.write_text("姓名,电话,状态,请勿联系\n张三,13800138000,已关闭,是\n李四,13800138001,跟进中,也许\n",
                     encoding="utf-8")
    report = lc("import", str(sheet), "--json", now="2026-05-03T10:00:00")
    assert report.exit_code == 1
    reasons = {e["line"]: e["reason"] for e in report.json()["errors"]}
    assert "不认识的状态 `已关闭`" in reasons[2] and "跟进中" in reasons[2], reasons
    assert "不认识的是否 `也许`：可用 `是` 或 `否`" in reasons[3], reasons
    assert not [r for r in reasons.values() if "status" in r or "yes/no" in r]


def test_a_user_added_is_confirmed_with_the_role_as_the_floor_says_it(lc):
    assert lc.ok("user", "add", "赵经理", "--role", "manager").stdout == "已添加 赵经理（销售经理）\n"
    added = lc.ok("user", "add", "王芳", "--role", "顾问", "--team", "一组", user="赵经理")
    assert added.stdout == "已添加 王芳（销售顾问，一组）\n"
    english = lc.ok("user", "add", "钱主管", "--role", "supervisor", "--team", "一组", user="赵经理",
                    env={"LEADCARD_LANG": "en"})
    assert english.stdout == "added 钱主管 (Supervisor, 一组)\n"
    roles = {u["name"]: u["role"] for u in lc.json("user", "list", user="赵经理")}
    assert roles == {"赵经理": "manager", "王芳": "consultant", "钱主管": "supervisor"}  # JSON keeps the identifiers


def test_a_source_and_an_outcome_in_a_refusal_are_said_as_the_floor_says_them(lc):
    closed_floor(lc)
    platform = lc("add", "周七", "--phone", "13800138111", "--source", "展厅", "--platform", "汽车之家",
                  now="2026-05-03T10:00:00")
    assert platform.exit_code == 2
    assert platform.stderr == "leadcard: 平台（汽车之家）只属于网络线索（online），不属于来源 展厅\n"
    referred = lc("add", "周八", "--phone", "13800138112", "--referred-by", "A00001", "--source", "来电",
                  now="2026-05-03T10:00:00")
    assert referred.exit_code == 2
    assert referred.stderr == "leadcard: 由 A00001 转介绍的卡片，来源是 referral，不能是 来电\n"
    lc.ok("add", "周九", "--phone", "13800138113", now="2026-05-03T10:00:00")
    drive = lc("log", "周九", "--channel", "test-drive", "--outcome", "unreachable", "--content", "试驾",
               now="2026-05-03T11:00:00")
    assert drive.exit_code == 2 and drive.stderr == "leadcard: 试驾是和客户一起做的：结果不能是 未接通\n"
