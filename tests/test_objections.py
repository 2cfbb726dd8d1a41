"""Objections (客户异议), the script library (话术库) and the case library (案例库)."""

import sqlite3
from zoneinfo import ZoneInfo

from rich.cells import cell_len

from conftest import database, run_process, sales_floor, sqlite_only
from leadcard.store import Store
from leadcard.store import objections as objection_sql

PRICE_SCRIPT = "同配置对比：比雅阁多 6 年质保和终身免费保养，五年用车成本反而低 8000 元"


def floor_with_cards(lc):
    """王芳 owns 张三 (凯美瑞), 李强 owns 李四; both thanked and called on 1 May."""
    sales_floor(lc)
    for name, phone, owner in (("张三", "13800138000", "王芳"), ("李四", "13900139000", "李强")):
        lc.ok("add", name, "--phone", phone, "--model", "凯美瑞 双擎", "--grade", "A", "--owner", owner,
              now="2026-05-01T10:00:00")
        lc.ok("log", name, "--channel", "wechat", "--content", "感谢到店，发送配置表", user=owner,
              now="2026-05-01T10:20:00")


def objections_on(lc, ref, **kwargs):
    return [f["objections"] for f in lc.json("show", ref, **kwargs)["followups"]]


# -- 1. objections as data ------------------------------------------------------------------------


def test_the_store_starts_with_the_seeds_frequent_objections(lc):
    listed = {o["tag"]: o["label"] for o in lc.json("objection", "list")}
    assert listed["price"] == "价格高于竞品" and listed["delivery"] == "交车周期"
    assert {"range", "brand", "financing", "resale"} <= set(listed)
    assert "续航焦虑" in lc.ok("objection", "list").stdout


def test_a_customer_who_finds_it_dearer_than_the_accord_and_the_wait_too_long(lc):
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "A")
    logged = lc.json("log", "张三", "--channel", "phone", "--content", "客户说比雅阁贵两万，提车要等两个月",
                     "--objection", "price", "--objection", "交车周期", "--objection", "PRICE")
    assert logged["objections"] == ["price", "delivery"]  # tag or Chinese label, each once
    assert objections_on(lc, "张三") == [["price", "delivery"]]
    assert "客户异议：价格高于竞品、交车周期" in lc.ok("show", "张三").stdout


def test_an_unknown_objection_is_bad_input_and_nothing_is_written(lc):
    lc.ok("add", "张三", "--phone", "13800138000")
    result = lc("log", "张三", "--channel", "phone", "--content", "嫌油耗高", "--objection", "油耗太高")
    assert result.exit_code == 2 and "不认识的异议" in result.stderr and "price" in result.stderr
    assert lc.json("show", "张三")["followups"] == []


def test_a_correction_keeps_the_objections_of_the_entry_it_corrects(lc):
    lc.ok("add", "张三", "--phone", "13800138000")
    lc.ok("log", "张三", "--channel", "phone", "--content", "嫌贵", "--objection", "price")
    lc.ok("log", "张三", "--corrects", "1", "--content", "嫌比雅阁贵两万，太太更在意保值率")
    lc.ok("log", "张三", "--corrects", "2", "--content", "嫌比雅阁贵两万，太太更在意保值率",
          "--objection", "resale")
    assert objections_on(lc, "张三") == [["price"], ["price"], ["resale"]]


def test_supervisors_and_the_manager_edit_the_list_consultants_may_not(lc):
    sales_floor(lc)
    refused = lc("objection", "add", "insurance", "保险费用高", user="王芳")
    assert refused.exit_code == 1 and "王芳 是顾问" in refused.stderr
    assert "insurance" not in {o["tag"] for o in lc.json("objection", "list")}
    assert lc("objection", "edit", "price", "--label", "太贵", user="王芳").exit_code == 1
    assert lc.json("objection", "add", "insurance", "保险费用高", user="钱主管") == {
        "tag": "insurance", "label": "保险费用高", "active": True}
    assert lc("objection", "add", "insurance", "保险贵", user="钱主管").exit_code == 1  # already there
    assert lc("objection", "add", "保险", "保险贵", user="钱主管").exit_code == 2  # a tag is English
    lc.ok("objection", "edit", "insurance", "--label", "保险报价高", user="赵经理")
    lc.ok("objection", "edit", "brand", "--retire", user="赵经理")
    listed = {o["tag"]: o for o in lc.json("objection", "list", "--all")}
    assert listed["insurance"]["label"] == "保险报价高" and not listed["brand"]["active"]
    assert "brand" not in {o["tag"] for o in lc.json("objection", "list")}
    lc.ok("add", "张三", "--phone", "13800138000", "--owner", "王芳")
    retired = lc("log", "张三", "--channel", "phone", "--content", "觉得国产品牌不够档次", "--objection", "brand",
                 user="王芳")
    assert retired.exit_code == 2 and "已从本店的异议清单停用" in retired.stderr
    lc.ok("log", "张三", "--channel", "phone", "--content", "保险报价比别家高", "--objection", "保险报价高",
          user="王芳")


# -- 2. the script library, under the card in today and show ---------------------------------------


def test_the_playbook_is_written_by_supervisors_and_keeps_every_version(lc):
    sales_floor(lc)
    refused = lc("playbook", "add", "price", "便宜点卖你", user="王芳")
    assert refused.exit_code == 1
    assert lc.json("playbook", "show", "price")["script"] is None
    first = lc.json("playbook", "add", "price", "先问清对比的配置，再算五年用车成本", user="钱主管",
                    now="2026-05-02T09:00:00")
    assert (first["version"], first["author"]) == (1, "钱主管")
    assert lc("playbook", "add", "price", "又一条", user="钱主管").exit_code == 1  # edit writes new versions
    assert lc("playbook", "edit", "交车周期", "现车资源协调", user="王芳").exit_code == 1
    assert lc("playbook", "edit", "delivery", "现车资源协调", user="钱主管").exit_code == 1  # none yet
    lc.ok("playbook", "edit", "价格高于竞品", PRICE_SCRIPT, user="赵经理", now="2026-05-03T09:00:00")
    shown = lc.json("playbook", "show", "price")
    assert (shown["script"], shown["author"], shown["version"]) == (PRICE_SCRIPT, "赵经理", 2)
    assert [(h["version"], h["author"]) for h in shown["history"]] == [(1, "钱主管"), (2, "赵经理")]
    text = lc.ok("playbook", "show", "price").stdout
    assert PRICE_SCRIPT in text and "先问清对比的配置" in text and "历史版本" in text
    listed = {s["tag"]: s for s in lc.json("playbook", "list")}
    assert listed["price"]["script"] == PRICE_SCRIPT and listed["delivery"]["script"] is None
    assert "还没有话术" in lc.ok("playbook", "list").stdout


def test_today_prints_the_script_under_a_card_whose_latest_follow_up_raised_the_objection(lc):
    floor_with_cards(lc)
    lc.ok("playbook", "add", "price", PRICE_SCRIPT, user="钱主管", now="2026-05-01T09:00:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "比雅阁贵两万，还要等车", "--objection", "price",
          "--objection", "delivery", "--plan", "做五年成本对比表", "--next", "2026-05-03 10:00", user="王芳",
          now="2026-05-01T15:00:00")
    lc.ok("log", "李四", "--channel", "phone", "--content", "嫌贵", "--objection", "price", user="李强",
          now="2026-05-01T15:00:00")
    lc.ok("log", "李四", "--channel", "phone", "--content", "同意周六来试驾", "--next", "2026-05-03 11:00",
          user="李强", now="2026-05-01T16:00:00")
    items = {i["name"]: i for i in lc.json("today", "--all", user="钱主管")["items"]}
    assert [(o["tag"], o["script"]) for o in items["张三"]["objections"]] == [
        ("price", PRICE_SCRIPT), ("delivery", None)]
    assert items["李四"]["objections"] == []  # the latest follow-up raised nothing
    env = {"LEADCARD_DB": str(lc.db), "LEADCARD_NOW": "2026-05-03T08:00:00", "LEADCARD_USER": "钱主管",
           "COLUMNS": "80"}
    table = run_process("today", "--all", env=env)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    zhang = next(n for n, line in enumerate(lines) if "张三" in line)
    li = next(n for n, line in enumerate(lines) if "李四" in line)
    assert zhang < li
    under = "\n".join(lines[zhang + 1:li])
    assert "↳ 「价格高于竞品」话术：同配置对比" in under and "↳ 「交车周期」话术库暂无" in under
    assert "话术" not in "\n".join(lines[li:])
    assert all(cell_len(line) <= 80 for line in lines)


def test_show_prints_the_script_of_the_latest_objection(lc):
    lc.ok("add", "张三", "--phone", "13800138000")
    lc.ok("playbook", "add", "range", "冬季实测续航 420 公里，小区可装家充，高速服务区快充 30 分钟到 80%")
    lc.ok("log", "张三", "--channel", "visit", "--content", "担心冬天续航不够跑老家", "--objection", "续航焦虑")
    detail = lc.json("show", "张三")
    assert detail["objections"][0]["label"] == "续航焦虑" and "420 公里" in detail["objections"][0]["script"]
    text = lc.ok("show", "张三").stdout
    assert "异议话术" in text and "冬季实测续航 420 公里" in text


@sqlite_only("SQLite's query plan")
def test_the_script_lookup_of_today_is_an_indexed_query(lc):
    lc.ok("objection", "list")
    store = Store.open(lc.db, ZoneInfo("Asia/Shanghai"))
    plan = objection_sql.plan_of_latest_scripts(store, ["price", "delivery"])
    store.close()
    assert "SCAN playbook" not in plan and "playbook_tag" in plan, plan


# -- 3. audit: objection-unhandled -----------------------------------------------------------------


def test_an_objection_with_no_plan_within_24_hours_is_unhandled(lc):
    lc.ok("add", "张三", "--phone", "13800138000", now="2026-05-01T10:00:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户说提车要等两个月太久", "--objection", "delivery",
          now="2026-05-01T11:00:00")
    assert lc.json("audit", "--rule", "objection-unhandled", now="2026-05-02T10:00:00")["findings"] == []
    [finding] = lc.json("audit", "--rule", "objection-unhandled", now="2026-05-02T12:00:00")["findings"]
    assert finding["ref"] == "A00001" and "「交车周期」" in finding["message"] and "没有处理方案" in finding["message"]
    lc.ok("log", "张三", "--channel", "phone", "--content", "协调到店现车", "--plan", "协调兄弟店现车，本周交车",
          now="2026-05-03T09:00:00")
    [late] = lc.json("audit", "--rule", "objection-unhandled", now="2026-05-03T10:00:00")["findings"]
    assert "后才有处理方案" in late["message"]


def test_a_plan_or_a_playbook_script_in_time_handles_the_objection(lc):
    lc.ok("add", "张三", "--phone", "13800138000", now="2026-05-01T10:00:00")
    lc.ok("add", "李四", "--phone", "13900139000", now="2026-05-01T10:00:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "比雅阁贵两万", "--objection", "price",
          "--plan", "准备与雅阁的五年用车成本对比", now="2026-05-01T11:00:00")
    lc.ok("log", "李四", "--channel", "phone", "--content", "担心贷款批不下来", "--objection", "financing",
          now="2026-05-01T11:00:00")
    lc.ok("playbook", "add", "financing", "三家银行和厂家金融可选，首付两成，当天预审", now="2026-05-02T09:00:00")
    assert lc.json("audit", "--rule", "objection-unhandled", now="2026-05-05T10:00:00")["findings"] == []


# -- 4. the case library ---------------------------------------------------------------------------


def won_and_lost(lc):
    """张三 (王芳) won after a price objection; 李四 (李强) lost to the Accord over delivery."""
    floor_with_cards(lc)
    lc.ok("log", "张三", "--channel", "phone", "--content", "比雅阁贵两万", "--objection", "price", user="王芳",
          now="2026-05-01T15:00:00")
    lc.ok("win", "张三", "--model", "凯美瑞 双擎 豪华版", user="王芳", now="2026-05-05T10:00:00")
    lc.ok("log", "李四", "--channel", "phone", "--content", "等不了两个月", "--objection", "delivery", user="李强",
          now="2026-05-01T15:00:00")
    lc.ok("lose", "李四", "--reason", "竞品品牌", "--competitor", "雅阁", user="李强", now="2026-05-06T10:00:00")


def test_a_won_or_lost_card_becomes_a_case_for_the_morning_meeting(lc):
    won_and_lost(lc)
    case = lc.json("case", "add", "张三", "--lesson", "用五年成本对比化解价格异议，太太到店后当场定车", user="王芳",
                   now="2026-05-06T09:00:00")
    assert (case["ref"], case["outcome"], case["objections"]) == ("A00001", "won", ["price"])
    pending = lc("case", "add", "李四", "--lesson", "交车周期没有提前协调", user="钱主管")
    assert pending.exit_code == 1 and "状态是 战败待审" in pending.stderr  # the loss is not approved yet
    lc.ok("approve", "李四", user="钱主管", now="2026-05-06T12:00:00")
    lc.ok("case", "add", "李四", "--lesson", "交车周期异议没有在 24 小时内协调现车", user="钱主管",
          now="2026-05-07T09:00:00")
    assert lc("case", "add", "李四", "--lesson", "再记一次", user="钱主管").exit_code == 1
    assert [c["ref"] for c in lc.json("case", "list")] == ["A00002", "A00001"]
    assert [c["ref"] for c in lc.json("case", "list", "--outcome", "won")] == ["A00001"]
    [lost] = lc.json("case", "list", "--objection", "交车周期")
    assert (lost["outcome"], lost["competitor"]) == ("lost", "雅阁")
    assert lc("case", "list", "--outcome", "maybe").exit_code == 2
    assert lc("case", "list", "--objection", "nothing").exit_code == 2
    text = lc.ok("case", "list", "--outcome", "战败").stdout
    assert "李四" in text and "购买 雅阁" in text and "交车周期" in text and "张三" not in text


def test_an_open_card_is_not_a_case(lc):
    lc.ok("add", "张三", "--phone", "13800138000")
    result = lc("case", "add", "张三", "--lesson", "还在跟")
    assert result.exit_code == 1 and "只有成交或战败的卡片" in result.stderr
    with database(lc.db) as conn:
        assert conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 0


def test_cases_follow_the_cards_visibility(lc):
    won_and_lost(lc)
    lc.ok("approve", "李四", user="钱主管", now="2026-05-06T12:00:00")
    assert lc("case", "add", "张三", "--lesson", "别人的客户", user="李强").exit_code == 1  # not his to see
    lc.ok("case", "add", "张三", "--lesson", "成本对比化解价格异议", user="王芳")
    lc.ok("case", "add", "李四", "--lesson", "交车周期没有提前协调", user="李强")
    assert [c["name"] for c in lc.json("case", "list", user="李强")] == ["李四"]
    assert [c["name"] for c in lc.json("case", "list", user="孙丽")] == []
    assert sorted(c["name"] for c in lc.json("case", "list", user="钱主管")) == ["张三", "李四"]
    assert lc("show", "张三", user="李强").exit_code == 1  # nor the objections on his colleague's card


# -- the weekly report ------------------------------------------------------------------------------


def test_the_weekly_report_lists_the_top_objections_with_their_win_rates(lc, tmp_path):
    floor_with_cards(lc)
    lc.ok("log", "张三", "--channel", "phone", "--content", "比雅阁贵两万", "--objection", "price", user="王芳",
          now="2026-05-01T15:00:00")  # week 18
    lc.ok("add", "王五", "--phone", "13700137000", "--owner", "王芳", now="2026-05-04T10:00:00")
    lc.ok("log", "王五", "--channel", "phone", "--content", "也嫌贵", "--objection", "price", user="王芳",
          now="2026-05-04T11:00:00")
    lc.ok("log", "张三", "--channel", "visit", "--content", "太太来看车，还在比价", "--objection", "price",
          user="王芳", now="2026-05-04T16:00:00")
    lc.ok("log", "李四", "--channel", "phone", "--content", "等不了两个月", "--objection", "delivery", user="李强",
          now="2026-05-05T11:00:00")
    lc.ok("win", "张三", "--model", "凯美瑞 双擎 豪华版", user="王芳", now="2026-05-06T10:00:00")
    lc.ok("lose", "李四", "--reason", "竞品品牌", "--competitor", "雅阁", user="李强", now="2026-05-06T10:00:00")
    lc.now = "2026-05-12T09:00:00"
    report = lc.json("report", "weekly", "--week", "2026-W19", user="赵经理")
    assert report["objections"] == [
        {"tag": "price", "label": "价格高于竞品", "cards": 2, "won": 1, "win_rate": 0.5},
        {"tag": "delivery", "label": "交车周期", "cards": 1, "won": 0, "win_rate": 0.0},
    ]
    assert lc.json("report", "weekly", "--week", "2026-W18")["objections"][0]["won"] == 0  # not won by then
    mine = lc.json("report", "weekly", "--week", "2026-W19", user="李强")["objections"]
    assert [o["tag"] for o in mine] == ["delivery"]
    md = lc.ok("report", "weekly", "--week", "2026-W19", "--format", "md").stdout
    assert "## 客户异议" in md and "| 价格高于竞品 | price | 2 | 1 | 50.0% |" in md
    assert "价格高于竞品,price,2,1,50.0%" in lc.ok("report", "weekly", "--week", "2026-W19", "--format", "csv").stdout
    assert "价格高于竞品" in lc.ok("report", "weekly", "--week", "2026-W19").stdout
    from openpyxl import load_workbook

    lc.ok("report", "weekly", "--week", "2026-W19", "--format", "xlsx", "--output", str(tmp_path / "w.xlsx"))
    sheet = load_workbook(tmp_path / "w.xlsx")["客户异议"]
    assert [c.value for c in sheet[2]] == ["价格高于竞品", "price", 2, 1, 0.5]


def test_objections_on_follow_ups_are_append_only(lc):
    lc.ok("add", "张三", "--phone", "13800138000")
    lc.ok("log", "张三", "--channel", "phone", "--content", "嫌贵", "--objection", "price")
    with database(lc.db) as conn:
        for sql in ("UPDATE followup_objections SET tag = 'delivery'", "DELETE FROM followup_objections"):
            try:
                conn.execute(sql)
            except sqlite3.IntegrityError as exc:
                assert "append-only" in str(exc)
            else:
                raise AssertionError(f"{sql} was allowed")


def test_the_demo_floor_hears_objections_and_has_scripts_for_the_common_ones(lc):
    lc.now = "2026-11-23T08:30:00"
    lc.ok("demo")
    items = lc.json("today", "--all", user="赵经理")["items"]
    scripts = [o for i in items for o in i["objections"]]
    assert any(o["script"] for o in scripts), "a due card whose last contact raised a scripted objection"
    assert {s["tag"] for s in lc.json("playbook", "list") if s["script"]} == {"price", "delivery", "financing"}
    assert lc.json("audit", "--rule", "objection-unhandled", user="赵经理")["findings"]


def test_the_brand_objection_reads_joint_venture_vs_chinas_own_brands(lc, tmp_path):
    """合资vs自主, not 合资vs国产 (a joint-venture car is made in China too): new stores get it, a store
    made with the old wording is relabelled on upgrade, a store that chose its own label keeps it."""
    from leadcard.store.migrations import m006_brand_objection_label

    labels = lambda: {o["tag"]: o["label"] for o in lc.json("objection", "list", "--all")}
    lc.ok("init")
    assert labels()["brand"] == "合资vs自主"
    for wording, expected in (("合资vs国产", "合资vs自主"), ("进口还是国产", "进口还是国产")):
        with database(lc.db) as conn:
            conn.execute("UPDATE objections SET label = ? WHERE tag = 'brand'", (wording,))
            m006_brand_objection_label(conn)  # the upgrade of a store as it stood before the fix
        assert labels()["brand"] == expected
