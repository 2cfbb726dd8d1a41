"""Cards and follow-ups through the CLI: add, log, grade, show, list, and finding a card."""

import sqlite3

import pytest
from conftest import database, empty_store


def rows(db, sql):
    with database(db) as conn:
        return conn.execute(sql).fetchall()


def test_add_returns_the_contract_keys_and_is_due_for_first_touch(lc):
    card = lc.json("add", "张三", "--phone", "138-0013-8000", "--model", "凯美瑞 双擎", "--grade", "A", "--source", "展厅")
    assert card["ref"] == "A00001"
    assert card["name"] == "张三"
    assert card["phone"] == "13800138000"
    assert card["grade"] == "A"
    assert card["status"] == "open"
    assert card["created_at"] == "2026-05-03T10:00:00+08:00"
    assert card["due_reason"] == "first-touch"
    assert card["due_at"] == "2026-05-03T13:00:00+08:00"


def test_add_without_grade_takes_the_schemes_default(lc):
    assert lc.json("add", "张三", "--phone", "13800138000")["grade"] == "B"
    lc2_card = lc.json("add", "李四", "--phone", "13900139000", "--source", "来电")
    assert lc2_card["source"] == "phone-in"


def test_every_field_of_the_paper_card_is_kept(lc):
    lc.ok("add", "王丽", "--phone", "13912345678", "--model", "汉兰达", "--grade", "A", "--gender", "女", "--age", "36",
          "--wechat", "wangli88", "--vehicle", "本田飞度", "--occupation", "教师", "--residence", "天河区",
          "--driver", "本人", "--payment", "贷款", "--use", "家用", "--call-time", "晚上 7 点后",
          "--household", "三口之家", "--income", "年收入 30 万", "--colour", "珍珠白", "--budget", "30 万",
          "--purchase-type", "换购", "--concern", "安全", "--concern", "空间", "--competitor", "本田 CR-V",
          "--competitor", "大众途观L", "--liked", "七座", "--decision-maker", "丈夫", "--timeline", "一个月内",
          "--notes", "周末才有空")
    card = lc.json("show", "王丽")
    expected = {"gender": "女", "age": 36, "wechat": "wangli88", "current_vehicle": "本田飞度", "occupation": "教师",
                "residence": "天河区", "main_driver": "本人", "payment": "贷款", "usage": "家用",
                "best_call_time": "晚上 7 点后", "household": "三口之家", "income": "年收入 30 万", "model": "汉兰达",
                "colour": "珍珠白", "budget": "30 万", "purchase_type": "换购", "concerns": "安全,空间",
                "competitors": "本田 CR-V,大众途观L", "liked": "七座", "decision_maker": "丈夫",
                "timeline": "一个月内", "notes": "周末才有空"}
    assert {k: card[k] for k in expected} == expected
    shown = lc.ok("show", "王丽").stdout
    for text in ("意向客户管理卡", "建卡时间", "2026-05-03 10:00", "客户信息", "购车意向", "汉兰达", "周末才有空"):
        assert text in shown


def test_more_than_five_competitors_is_bad_input(lc):
    lc.ok("add", "张三", "--phone", "13800138000")
    args = ["add", "王丽", "--phone", "13912345678"]
    for model in ("雅阁", "帕萨特", "天籁", "汉", "秦L", "Model Y"):
        args += ["--competitor", model]
    result = lc(*args)
    assert result.exit_code == 2
    assert rows(lc.db, "SELECT count(*) FROM cards") == [(1,)]


def test_a_phone_on_an_open_card_is_refused_naming_the_card_and_owner(lc):
    lc.ok("user", "add", "赵经理", "--role", "manager")
    lc.user = "赵经理"
    lc.ok("user", "add", "王芳", "--role", "consultant", "--team", "一组")
    lc.ok("add", "张三", "--phone", "13800138000", "--owner", "王芳")
    result = lc("add", "张先生", "--phone", "+86 138 0013 8000")
    assert result.exit_code == 1
    assert "A00001" in result.stderr and "张三" in result.stderr and "王芳" in result.stderr
    assert rows(lc.db, "SELECT count(*) FROM cards") == [(1,)]


def test_log_records_every_field_and_numbers_follow_ups(lc):
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "B")
    first = lc.json("log", "张三", "--channel", "wechat", "--content", "感谢到店，发送配置表", now="2026-05-03T10:20:00")
    assert first["seq"] == 1
    second = lc.json("log", "A00001", "--channel", "phone", "--content", "确认预算 20 万，对比雅阁",
                     "--impression", "理性比较", "--problem", "担心保值率", "--solution", "讲解官方回购",
                     "--feasibility", "可行", "--competition", "雅阁降价 1 万", "--bottleneck", "价格高于雅阁",
                     "--plan", "准备五年用车成本对比", "--next", "2026-05-09 10:00", "--purpose", "邀约试驾",
                     now="2026-05-03T16:00:00")
    assert second["seq"] == 2
    assert second["channel"] == "phone"
    assert second["at"] == "2026-05-03T16:00:00+08:00"
    assert second["next_at"] == "2026-05-09T10:00:00+08:00"
    assert second["due_reason"] == "planned"
    card = lc.json("show", "张三")
    f = card["followups"][1]
    assert (f["impression"], f["problem"], f["solution"], f["feasibility"], f["competition"], f["bottleneck"],
            f["plan"], f["purpose"]) == ("理性比较", "担心保值率", "讲解官方回购", "可行", "雅阁降价 1 万",
                                         "价格高于雅阁", "准备五年用车成本对比", "邀约试驾")
    shown = lc.ok("show", "张三").stdout
    for text in ("第 1 次", "第 2 次", "瓶颈分析：价格高于雅阁", "跟踪方案：准备五年用车成本对比", "下次访问：2026-05-09 10:00"):
        assert text in shown


def test_log_with_grade_regrades_in_the_same_transaction(lc):
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "B")
    result = lc.json("log", "张三", "--channel", "visit", "--content", "带爱人来店试驾，基本认可", "--grade", "H",
                     "--bottleneck", "等周末付定金")
    assert result["grade"] == "H"
    card = lc.json("show", "张三")
    assert card["grade"] == "H"
    assert [(g["from"], g["to"]) for g in card["grades"]] == [(None, "B"), ("B", "H")]
    assert card["grades"][1]["followup"] == 1
    assert card["grades"][1]["reason"] == "等周末付定金"


def test_log_with_an_unknown_grade_writes_nothing(lc):
    lc.ok("add", "张三", "--phone", "13800138000")
    result = lc("log", "张三", "--channel", "phone", "--content", "电话沟通", "--grade", "Z")
    assert result.exit_code == 2
    assert rows(lc.db, "SELECT count(*) FROM followups") == [(0,)]


def test_back_dated_paper_records_keep_when_they_were_typed(lc):
    lc.ok("add", "张三", "--phone", "13800138000", "--at", "2026-04-20 15:00")
    lc.ok("log", "张三", "--channel", "sms", "--content", "感谢到店", "--at", "2026-04-20 15:30")
    card = lc.json("show", "张三")
    assert card["created_at"] == "2026-04-20T15:00:00+08:00"
    assert card["recorded_at"] == "2026-05-03T10:00:00+08:00"
    assert card["followups"][0]["at"] == "2026-04-20T15:30:00+08:00"
    assert card["followups"][0]["recorded_at"] == "2026-05-03T10:00:00+08:00"
    assert "补录于" in lc.ok("show", "张三").stdout


@pytest.mark.parametrize("at, message", [("2026-05-04 09:00", "联系时间不能在将来"), ("2026-05-03 09:00", "联系时间不能早于建卡时间")])
def test_contacts_cannot_be_in_the_future_or_before_the_card(lc, at, message):
    lc.ok("add", "张三", "--phone", "13800138000", "--at", "2026-05-03 09:30")
    result = lc("log", "张三", "--channel", "sms", "--content", "感谢", "--at", at)
    assert result.exit_code == 2
    assert message in result.stderr


def test_corrections_are_new_entries_never_edits(lc):
    lc.ok("add", "张三", "--phone", "13800138000")
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户说下周来", "--next", "2026-05-10")
    lc.ok("log", "张三", "--corrects", "1", "--content", "客户说下下周来", "--next", "2026-05-17")
    card = lc.json("show", "张三")
    assert [f["content"] for f in card["followups"]] == ["客户说下周来", "客户说下下周来"]
    assert card["followups"][0]["corrected_by"] == 2
    assert card["followups"][1]["corrects"] == 1
    assert card["followups"][1]["channel"] == "phone"  # taken from the entry it corrects
    assert card["followups"][1]["at"] == card["followups"][0]["at"]
    assert card["next_at"] == "2026-05-17T00:00:00+08:00"
    listed = lc.json("list")
    assert listed[0]["followups"] == 1  # the corrected entry no longer counts
    assert "已由第 2 次更正" in lc.ok("show", "张三").stdout
    again = lc("log", "张三", "--corrects", "1", "--content", "第三种说法")
    assert again.exit_code == 1


def test_a_customers_own_contact_is_marked_and_a_correction_keeps_or_drops_the_mark(lc, tmp_path):
    lc.ok("add", "张三", "--phone", "13800138000")
    lc.ok("log", "张三", "--channel", "wechat", "--content", "客户微信问价", "--inbound", "--next", "2026-05-10")
    lc.ok("log", "张三", "--corrects", "1", "--content", "客户微信问落地价", "--next", "2026-05-10")
    lc.ok("log", "张三", "--channel", "wechat", "--content", "推送报价单", "--next", "2026-05-11")
    lc.ok("log", "张三", "--corrects", "3", "--outbound", "--content", "推送报价单和金融方案", "--next", "2026-05-11")
    card = lc.json("show", "张三")
    assert [f["inbound"] for f in card["followups"]] == [True, True, False, False]
    assert "第 1 次  2026-05-03 10:00  微信（客户主动）" in lc.ok("show", "张三").stdout
    refused = lc("log", "张三", "--channel", "phone", "--content", "客户来电没听到", "--inbound", "--outcome", "unreachable")
    assert refused.exit_code == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert refused.stderr.strip() == "leadcard: 客户主动联系（--inbound）就是联系上了：结果不能是未接通"
    assert len(lc.json("show", "张三")["followups"]) == 4
    # The mark travels in an export and back.
    lc.ok("export", "--output", str(tmp_path / "all.csv"))
    with open(tmp_path / "all.followups.csv", encoding="utf-8-sig") as f:
        assert [line.split(",")[6] for line in f.read().splitlines()] == ["客户主动", "是", "是", "", ""]
    other = empty_store(tmp_path / "new.db")
    other.ok("import", str(tmp_path / "all.csv"))
    assert [f["inbound"] for f in other.json("show", "张三")["followups"]] == [True, True, False, False]


def test_follow_ups_cannot_be_edited_or_deleted_in_the_file(lc):
    lc.ok("add", "张三", "--phone", "13800138000")
    lc.ok("log", "张三", "--channel", "phone", "--content", "电话沟通")
    with database(lc.db) as conn:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("UPDATE followups SET content = 'x'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("DELETE FROM grade_changes")


def test_grade_keeps_the_whole_history(lc):
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "B")
    assert lc.json("grade", "张三", "A", "--reason", "预算确定") == {"ref": "A00001", "from": "B", "to": "A"}
    lc.ok("grade", "张三", "H", now="2026-05-05T09:00:00")
    history = lc.json("show", "张三")["grades"]
    assert [(g["from"], g["to"], g["reason"]) for g in history] == [(None, "B", "建卡"), ("B", "A", "预算确定"),
                                                                    ("A", "H", None)]
    assert history[2]["at"] == "2026-05-05T09:00:00+08:00"


def test_grade_outside_the_policy_is_bad_input(lc):
    lc.ok("add", "张三", "--phone", "13800138000")
    result = lc("grade", "张三", "重点")
    assert result.exit_code == 2
    assert "H A B C" in result.stderr


def test_four_tier_store_grades_in_chinese(lc):
    lc.ok("init", "--policy", "four-tier")
    card = lc.json("add", "张三", "--phone", "13800138000", "--grade", "key")
    assert card["grade"] == "重点"
    assert lc.json("grade", "张三", "意向")["to"] == "意向"
    assert lc("grade", "张三", "H").exit_code == 2


@pytest.mark.parametrize("ref", ["A00001", "a1", "1", "13800138000", "138-0013-8000", "+86 13800138000", "张三"])
def test_a_card_is_found_by_number_phone_or_name(lc, ref):
    lc.ok("add", "张三", "--phone", "13800138000")
    assert lc.json("show", ref)["ref"] == "A00001"


def test_an_ambiguous_name_lists_the_candidates(lc):
    lc.ok("add", "王伟", "--phone", "13800138000")
    lc.ok("add", "王伟", "--phone", "13900139000")
    result = lc("show", "王伟")
    assert result.exit_code == 1
    assert "A00001" in result.stderr and "A00002" in result.stderr
    assert lc.json("show", "13900139000")["ref"] == "A00002"


def test_an_unknown_card_is_not_found(lc):
    lc.ok("add", "张三", "--phone", "13800138000")
    for ref in ("A00009", "李四", "13900139000"):
        result = lc("show", ref)
        assert result.exit_code == 1
        assert result.stderr.startswith("leadcard: 没有")


def test_list_filters_and_searches(lc):
    lc.ok("add", "张三", "--phone", "13800138000", "--model", "凯美瑞", "--grade", "A")
    lc.ok("add", "李四", "--phone", "13900139000", "--model", "汉兰达", "--grade", "B", "--notes", "想要七座")
    lc.ok("add", "王五", "--phone", "13700137000", "--model", "凯美瑞 双擎", "--grade", "B")
    assert [c["ref"] for c in lc.json("list")] == ["A00003", "A00002", "A00001"]
    assert [c["name"] for c in lc.json("list", "--grade", "B")] == ["王五", "李四"]
    assert [c["name"] for c in lc.json("list", "--search", "凯美瑞")] == ["王五", "张三"]
    assert [c["name"] for c in lc.json("list", "--search", "七座")] == ["李四"]
    assert [c["name"] for c in lc.json("list", "--search", "139-0013")] == ["李四"]
    assert [c["name"] for c in lc.json("list", "--search", "李")] == ["李四"]
    assert lc.json("list", "--search", "%") == []
    assert lc.json("list", "--status", "won") == []
    assert len(lc.json("list", "--status", "open")) == 3
    assert lc("list", "--status", "sold").exit_code == 2
    table = lc.ok("list").stdout
    assert "卡号" in table and "张三" in table and "共 3 张" in table


def test_the_list_lines_up_chinese_and_latin_names_by_display_width(lc):
    from rich.cells import cell_len

    lc.ok("add", "欧阳娜娜", "--phone", "13800138000", "--model", "凯美瑞 双擎", "--grade", "A")
    lc.ok("add", "Li Lei", "--phone", "13900139000", "--model", "RAV4", "--grade", "B")
    lc.ok("add", "王五", "--phone", "13700137000", "--grade", "C")
    lines = lc.ok("list").stdout.splitlines()
    header, rows_ = lines[0], lines[2:5]
    phone_at = cell_len(header[: header.index("电话")])
    assert [cell_len(r[: r.index("13")]) for r in rows_] == [phone_at] * 3
    model_at = cell_len(header[: header.index("车型")])
    assert cell_len(rows_[2][: rows_[2].index("欧阳")]) == 7 and cell_len(rows_[2][: rows_[2].index("凯美瑞")]) == model_at


def test_search_treats_quotes_and_sql_as_text(lc):
    lc.ok("add", "O'Brien", "--phone", "13800138000", "--notes", "'; DROP TABLE cards; --")
    assert [c["name"] for c in lc.json("list", "--search", "'; DROP")] == ["O'Brien"]
    assert rows(lc.db, "SELECT count(*) FROM cards") == [(1,)]


def test_a_dormant_card_is_listed_as_dormant_and_woken_by_a_contact(lc):
    lc.ok("add", "张三", "--phone", "13800138000", "--at", "2026-01-05 10:00", now="2026-01-05T10:00:00")
    lc.now = "2026-07-10T10:00:00"
    assert lc.json("show", "张三")["status"] == "dormant"
    assert [c["name"] for c in lc.json("list", "--status", "dormant")] == ["张三"]
    assert lc.json("list", "--status", "open") == []
    lc.ok("log", "张三", "--channel", "wechat", "--content", "端午节问候，介绍新款")
    assert lc.json("show", "张三")["status"] == "open"


def _cards(lc, n: int) -> None:
    for i in range(n):
        lc.ok("add", f"客户{i:02d}", "--phone", f"1380013{i:04d}")


@pytest.mark.parametrize("cards, shown, more", [(50, 50, 0), (51, 50, 1), (55, 50, 5)])
def test_list_shows_fifty_rows_and_says_how_many_more(lc, cards, shown, more):
    _cards(lc, cards)
    out = lc.ok("list").stdout
    assert sum(1 for line in out.splitlines() if line.startswith("A0")) == shown
    assert "客户00" not in out if more else "客户00" in out  # newest first: the oldest is cut
    tail = out.strip().splitlines()[-1]
    assert tail == (f"共 {cards} 张，另有 {more} 张未列出（--limit N 或 --all 列出更多）" if more else f"共 {cards} 张")


def test_list_limit_all_and_json(lc):
    _cards(lc, 53)
    assert lc.ok("list", "--limit", "3").stdout.strip().splitlines()[-1].startswith("共 53 张，另有 50 张")
    everything = lc.ok("list", "--all").stdout
    assert "客户00" in everything and everything.strip().splitlines()[-1] == "共 53 张"
    assert len(lc.json("list")) == 53  # a script gets every match
    assert [c["name"] for c in lc.json("list", "--limit", "2")] == ["客户52", "客户51"]
    both = lc("list", "--limit", "3", "--all")
    assert both.exit_code == 2 and "--limit" in both.stderr


def test_show_wraps_a_long_chinese_record_under_its_label_never_inside_a_number(lc):
    """rich breaks only at blanks: a consultant's long 洽谈内容 used to jump to a line of its own, or
    break a budget in two (`19` / `万`), at the left margin."""
    from rich.cells import cell_len

    content = "电话回访：确认预算19万左右、购车时间一个月内，对比本田雅阁和凯美瑞2.0HS的五年用车成本，判定A级；邀约周六试驾"
    lc.ok("add", "张三", "--phone", "13800000001")
    lc.ok("log", "张三", "--channel", "phone", "--content", content, "--plan", "第一行\n第二行")
    lc.ok("comment", "张三", "客户价格敏感，可申请店内补贴，额度找我；试驾后当天报价，别拖，晨会上说一下结果和下一步")
    for width in (40, 60, 80, 120):
        lines = lc.ok("show", "张三", env={"COLUMNS": str(width)}).stdout.splitlines()
        assert all(cell_len(line) <= width for line in lines), (width, lines)
        start = next(i for i, line in enumerate(lines) if line.startswith("    洽谈内容："))
        end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("      "))
        assert "".join(line.strip() for line in lines[start:end]) == "洽谈内容：" + content
        for whole in ("19万", "2.0HS", "A级；"):
            assert any(whole in line for line in lines[start:end]), (width, whole, lines[start:end])
        planned = [line for line in lines if "第一行" in line or "第二行" in line]
        assert planned == ["    跟踪方案：第一行", "      第二行"]
        signed = next(i for i, line in enumerate(lines) if line.startswith("    主管批示"))
        rest = next(i for i in range(signed + 1, len(lines)) if not lines[i].startswith("      "))
        assert "".join(line.strip() for line in lines[signed:rest]).endswith("晨会上说一下结果和下一步")
