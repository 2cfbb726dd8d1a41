"""`log REF --void SEQ --reason TEXT`: a follow-up logged on the wrong card is withdrawn (撤回) by a
new record, stays on the card marked, and counts nowhere: not for `today`, the dormant clock, the
audit, the reports, what waits on a supervisor, nor the export read back by import."""

import csv
import json
import sqlite3

import pytest

from conftest import database, Leadcard, dormant_card, sales_floor


def rules(lc, *args, **kwargs):
    return [f["rule"] for f in lc.json("audit", *args, **kwargs)["findings"]]


def thanked_and_called(lc, name="张三", phone="13800138000"):
    """Made 3 May 10:00, thanked at 10:20, called at 15:00 with a visit planned for 8 May 10:00."""
    lc.ok("add", name, "--phone", phone, "--grade", "A", now="2026-05-03T10:00:00")
    lc.ok("log", name, "--channel", "wechat", "--content", "感谢到店，发送配置表", now="2026-05-03T10:20:00")
    lc.ok("log", name, "--channel", "phone", "--content", "确认预算二十万，对比雅阁", "--bottleneck", "价格高于雅阁",
          "--plan", "准备五年用车成本对比", "--next", "2026-05-08 10:00", "--purpose", "邀约周六到店试驾并报价",
          now="2026-05-03T15:00:00")


# -- today ------------------------------------------------------------------------------------------


def test_a_call_logged_on_the_wrong_card_is_withdrawn_and_the_first_call_is_owed_again(lc):
    thanked_and_called(lc)
    assert lc.json("today", "--date", "2026-05-04", now="2026-05-03T16:00:00")["items"] == []
    done = lc.json("log", "张三", "--void", "2", "--reason", "记错卡片：是李四的电话", now="2026-05-03T16:00:00")
    assert done["seq"] == 2 and done["corrections"] == []
    assert done["voided"] == {"at": "2026-05-03T16:00:00+08:00", "by": None, "reason": "记错卡片：是李四的电话"}
    assert (done["due_reason"], done["due_at"]) == ("first-call", "2026-05-04T10:00:00+08:00")
    items = lc.json("today", "--date", "2026-05-04", now="2026-05-03T16:00:00")["items"]
    assert [(i["ref"], i["reason"], i["due_at"]) for i in items] == [("A00001", "first-call", "2026-05-04T10:00:00+08:00")]
    card = lc.json("show", "张三")
    assert [f["voided"] is not None for f in card["followups"]] == [False, True]
    assert card["followups"][1]["content"] == "确认预算二十万，对比雅阁"  # kept, never edited
    assert lc.json("list")[0]["followups"] == 1
    assert "已撤回：记错卡片：是李四的电话" in lc.ok("show", "张三").stdout
    # Withdrawing the thank-you too: the first touch is owed again, and comes first.
    lc.ok("log", "张三", "--void", "1", "--reason", "发错人", now="2026-05-03T16:05:00")
    card = lc.json("show", "张三")
    assert (card["due_reason"], card["due_at"]) == ("first-touch", "2026-05-03T13:00:00+08:00")


def test_a_withdrawn_contact_does_not_keep_a_card_out_of_the_dormant_pool(lc):
    dormant_card(lc)  # 张三, last reached 21 Nov 2025: dormant from 21 May 2026
    lc.ok("log", "张三", "--channel", "phone", "--content", "客户说六月再联系", now="2026-05-10T10:00:00")

    def pool():
        return [c["ref"] for c in lc.json("list", "--status", "dormant", now="2026-06-01T10:00:00")]

    assert pool() == []
    lc.ok("log", "张三", "--void", "3", "--reason", "记错卡片", now="2026-05-12T10:00:00")
    assert pool() == ["A00001"]


def test_a_wake_by_a_withdrawn_entry_was_none_and_the_next_contact_wakes_the_card(lc):
    dormant_card(lc)
    lc.ok("log", "张三", "--channel", "sms", "--content", "端午问候", now="2026-05-25T10:00:00")
    lc.ok("log", "张三", "--void", "3", "--reason", "群发记错了人", now="2026-05-25T11:00:00")
    assert lc.json("show", "张三", now="2026-05-25T11:00:00")["status"] == "dormant"
    lc.ok("log", "张三", "--channel", "sms", "--content", "端午问候，新款上市", now="2026-05-26T10:00:00")
    events = lc.json("show", "张三", now="2026-05-26T10:00:00")["events"]
    assert [e["followup_seq"] for e in events if e["kind"] == "woken"] == [3, 4]
    report = lc.json("report", "weekly", "--week", "2026-W22", now="2026-06-02T09:00:00")
    assert report["totals"]["woken"] == 1


# -- the audit --------------------------------------------------------------------------------------


def test_the_audit_flags_the_late_first_call_once_the_call_is_withdrawn_and_not_before(lc):
    thanked_and_called(lc)
    assert "first-call-late" not in rules(lc, now="2026-05-05T10:00:00")
    lc.ok("log", "张三", "--void", "2", "--reason", "记错卡片", now="2026-05-05T11:00:00")
    assert "first-call-late" in rules(lc, now="2026-05-05T12:00:00")
    # As the store stood the day before the withdrawal, the call was made in time.
    assert "first-call-late" not in rules(lc, "--date", "2026-05-04", now="2026-05-05T12:00:00")


def test_a_withdrawn_vague_record_is_no_longer_flagged(lc):
    thanked_and_called(lc)
    lc.ok("log", "张三", "--channel", "phone", "--content", "电话", now="2026-05-04T10:00:00")
    assert "vague-record" in rules(lc, "--rule", "vague-record", now="2026-05-04T12:00:00")
    lc.ok("log", "张三", "--void", "3", "--reason", "记错卡片", now="2026-05-04T11:00:00")
    assert rules(lc, "--rule", "vague-record", now="2026-05-04T12:00:00") == []


def test_the_audit_of_a_past_day_reads_an_entry_as_it_stood_before_its_correction(lc):
    """Corrections count by when they were written in the audit (what was known then), as withdrawals do."""
    thanked_and_called(lc)
    lc.ok("log", "张三", "--channel", "phone", "--content", "电话", now="2026-05-04T10:00:00")
    lc.ok("log", "张三", "--corrects", "3", "--content", "客户太太不喜欢后排空间，改看汉兰达",
          "--bottleneck", "空间不够", "--plan", "准备汉兰达与竞品的空间对比", "--purpose", "邀约夫妻周末到店看汉兰达",
          now="2026-05-06T10:00:00")
    assert rules(lc, "--rule", "vague-record", now="2026-05-06T12:00:00") == []
    assert rules(lc, "--rule", "vague-record", "--date", "2026-05-05", now="2026-05-06T12:00:00") == ["vague-record"]


# -- the reports ------------------------------------------------------------------------------------


def test_a_follow_up_withdrawn_in_the_week_leaves_its_report_and_one_withdrawn_later_stays_in_it(lc):
    for name, phone, hour in (("张三", "13800000001", 10), ("李四", "13800000002", 11)):
        lc.ok("add", name, "--phone", phone, "--at", f"2026-11-16 {hour}:00", now=f"2026-11-16T{hour}:00:00")
        lc.ok("log", name, "--channel", "wechat", "--content", "感谢到店", now=f"2026-11-16T{hour}:30:00")
        lc.ok("log", name, "--channel", "phone", "--content", "电话沟通需求", "--plan", "准备报价", "--next", "2026-11-25",
              "--objection", "price" if name == "张三" else "delivery", now=f"2026-11-18T{hour}:00:00")

    def week():
        return lc.json("report", "weekly", "--week", "2026-W47", now="2026-11-25T09:00:00")

    assert week()["totals"]["followups"] == 4
    assert sorted(o["tag"] for o in week()["objections"]) == ["delivery", "price"]
    lc.ok("log", "张三", "--void", "2", "--reason", "记错卡片", now="2026-11-19T10:00:00")  # in the week
    lc.ok("log", "李四", "--void", "2", "--reason", "记错卡片", now="2026-11-24T10:00:00")  # after its end
    report = week()
    assert report["totals"]["followups"] == 3
    assert report["followups_by_channel"] == {"wechat": 2, "phone": 1}
    # The thank-you messages before the first call are complete without a next date.
    assert report["kpis"]["completeness"] == {"numerator": 3, "denominator": 3, "rate": 1.0}
    assert [o["tag"] for o in report["objections"]] == ["delivery"]


# -- what waits on a supervisor ----------------------------------------------------------------------


def test_a_withdrawn_entry_no_longer_waits_for_the_supervisors_instruction(lc):
    sales_floor(lc)
    lc.ok("add", "周七", "--phone", "13800000004", "--owner", "王芳", now="2026-05-01T10:00:00")
    lc.ok("log", "周七", "--channel", "wechat", "--content", "感谢到店", now="2026-05-01T11:00:00", user="王芳")
    lc.ok("log", "周七", "--channel", "phone", "--content", "确认预算", now="2026-05-02T10:00:00", user="王芳")

    def unsigned():
        return [(u["ref"], u["followups"]) for u in lc.json("today", user="钱主管")["waiting"]["unsigned"]]

    assert unsigned() == [("A00001", 2)]
    lc.ok("log", "周七", "--void", "2", "--reason", "记错卡片", user="王芳")
    assert unsigned() == [("A00001", 1)]
    lc.ok("log", "周七", "--void", "1", "--reason", "记错卡片", user="王芳")
    assert unsigned() == []


# -- who may, and what is refused ------------------------------------------------------------------------


def test_the_author_a_supervisor_of_the_team_or_the_manager_may_withdraw_no_one_else(lc):
    sales_floor(lc, ("周主管", "supervisor", "二组"))
    lc.ok("add", "张三", "--phone", "13800138000", "--owner", "王芳")
    lc.ok("log", "张三", "--channel", "phone", "--content", "主管代为回访", user="钱主管")
    lc.ok("log", "张三", "--channel", "wechat", "--content", "发送报价", user="王芳")
    refused = lc("log", "张三", "--void", "1", "--reason", "不是我记的", user="王芳")
    assert refused.exit_code == 1 and "钱主管" in refused.stderr and refused.stdout == ""
    for other in ("李强", "周主管"):  # they cannot see the card at all
        assert lc("log", "A00001", "--void", "2", "--reason", "记错", user=other).exit_code == 1
    assert [f["voided"] for f in lc.json("show", "张三")["followups"]] == [None, None]
    assert lc.json("log", "张三", "--void", "2", "--reason", "记错卡片", user="王芳")["voided"]["by"] == "王芳"
    assert lc.json("log", "张三", "--void", "1", "--reason", "记错卡片", user="赵经理")["voided"]["by"] == "赵经理"
    twice = lc("log", "张三", "--void", "1", "--reason", "再撤一次", user="赵经理")
    assert twice.exit_code == 1 and "已经撤回了" in twice.stderr


def test_a_correction_goes_with_the_entry_it_corrects_and_takes_its_grade_with_it(lc):
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "A")
    lc.ok("log", "张三", "--channel", "phone", "--content", "本周订车", "--grade", "H", "--next", "2026-05-04")
    lc.ok("log", "张三", "--corrects", "1", "--content", "本周末订车", "--next", "2026-05-05")
    alone = lc("log", "张三", "--void", "2", "--reason", "记错卡片")
    assert alone.exit_code == 1 and "请撤回 #1" in alone.stderr
    done = lc.json("log", "张三", "--void", "1", "--reason", "记错卡片")
    assert done["corrections"] == [2] and done["grade"] == "A"
    card = lc.json("show", "张三")
    assert [f["voided"]["reason"] for f in card["followups"]] == ["记错卡片", "记错卡片"]
    assert [(g["to"], g["withdrawn"]) for g in card["grades"]] == [("A", False), ("H", True)]
    assert card["grade"] == "A" and card["next_at"] is None
    assert lc("log", "张三", "--corrects", "1", "--content", "再更正").exit_code == 1


@pytest.mark.parametrize("args", [("--void", "1"), ("--reason", "记错"), ("--void", "1", "--reason", "  "),
                                  ("--void", "1", "--reason", "记错", "--content", "新内容")])
def test_a_withdrawal_needs_the_entry_and_a_reason_and_nothing_else(lc, args):
    lc.ok("add", "张三", "--phone", "13800138000")
    lc.ok("log", "张三", "--channel", "phone", "--content", "电话沟通")
    result = lc("log", "张三", *args)
    assert result.exit_code == 2 and result.stderr.startswith("leadcard: ")
    assert lc.json("show", "张三")["followups"][0]["voided"] is None


def test_withdrawing_an_entry_the_card_does_not_have_is_refused(lc):
    lc.ok("add", "张三", "--phone", "13800138000")
    result = lc("log", "张三", "--void", "9", "--reason", "记错")
    assert result.exit_code == 1 and "#9" in result.stderr


def test_withdrawals_cannot_be_edited_or_deleted_in_the_file(lc):
    lc.ok("add", "张三", "--phone", "13800138000")
    lc.ok("log", "张三", "--channel", "phone", "--content", "电话沟通")
    lc.ok("log", "张三", "--void", "1", "--reason", "记错卡片")
    with database(lc.db) as conn:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("UPDATE followup_voids SET reason = 'x'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("DELETE FROM followup_voids")


# -- export and import ------------------------------------------------------------------------------


def test_export_marks_a_withdrawn_entry_and_import_brings_it_back_withdrawn(lc, tmp_path):
    sales_floor(lc)
    lc.user = "王芳"
    thanked_and_called(lc)
    lc.ok("log", "张三", "--void", "2", "--reason", "记错卡片", now="2026-05-03T16:00:00")
    lc.ok("export", "--output", str(tmp_path / "all.csv"), now="2026-05-03T16:00:00")
    with open(tmp_path / "all.followups.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["序号"], r["撤回原因"], r["撤回人"], r["撤回时间"]) for r in rows] == [
        ("1", "", "", ""), ("2", "记错卡片", "王芳", "2026-05-03 16:00")]
    exported = json.loads(lc.ok("export", "--format", "json", now="2026-05-03T16:00:00").stdout)["followups"]
    assert exported[1]["voided"] == {"at": "2026-05-03T16:00:00+08:00", "by": "王芳", "reason": "记错卡片"}
    other = Leadcard(tmp_path / "new.db")
    other.ok("init")
    sales_floor(other)
    other.ok("import", str(tmp_path / "all.csv"), "--followups", str(tmp_path / "all.followups.csv"),
             now="2026-05-03T17:00:00")
    before, after = lc.json("show", "张三"), other.json("show", "张三")
    assert [f["voided"] for f in after["followups"]] == [f["voided"] for f in before["followups"]]
    assert (after["due_reason"], after["due_at"]) == (before["due_reason"], before["due_at"]) == \
        ("first-call", "2026-05-04T10:00:00+08:00")
