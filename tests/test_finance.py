"""置换评估 and 贷款 on the card: appraisals and each step of a loan application, with their dates; a
rejected loan brings the card due for a call, and a loss for 贷款未过 names the application."""

import sqlite3
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from conftest import database, row_counts, sales_floor
from leadcard.model import Channel, DueReason
from leadcard.schedule import SCHEMES, Contact, Policy, card_timing

SH = ZoneInfo("Asia/Shanghai")


def rows(lc) -> dict:
    return row_counts(lc, "trade_ins", "finance", "card_events", "followups")


@pytest.fixture
def floor(lc):
    """王芳's customer 张三 (A00001), called on 2 May with the next contact planned for 10 May."""
    sales_floor(lc, ("周主管", "supervisor", "二组"))
    lc.ok("add", "张三", "--phone", "13800138000", "--model", "凯美瑞", "--grade", "A", "--owner", "王芳",
          now="2026-05-02T10:00:00")
    lc.user = "王芳"
    lc.ok("log", "张三", "--channel", "wechat", "--content", "感谢到店", now="2026-05-02T10:30:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "确认贷款购车，首付三成", "--next", "2026-05-10",
          "--purpose", "跟进贷款审批", now="2026-05-02T11:00:00")
    return lc


def test_a_trade_in_appraisal_goes_on_the_card_with_its_date(floor):
    done = floor.json("trade-in", "张三", "--vehicle", "2016 卡罗拉 8万公里", "--appraisal", "6.8万", "--at",
                      "2026-05-02 15:00", now="2026-05-03T09:00:00")
    assert done == {"ref": "A00001", "seq": 1, "at": "2026-05-02T15:00:00+08:00", "author": "王芳",
                    "vehicle": "2016 卡罗拉 8万公里", "appraisal": 68000}
    floor.ok("trade-in", "张三", "--vehicle", "2016 卡罗拉 8万公里", "--appraisal", "72000", now="2026-05-04T09:00:00")
    assert [(t["seq"], t["appraisal"]) for t in floor.json("show", "张三")["trade_ins"]] == [(1, 68000), (2, 72000)]
    assert "第 2 次置换评估 2016 卡罗拉 8万公里 评估价 72,000元" in floor.ok("show", "张三").stdout


def test_a_loan_application_is_kept_step_by_step_and_a_step_keeps_the_bank_and_amount(floor):
    floor.ok("finance", "张三", "--status", "applied", "--bank", "工商银行", "--amount", "15万", now="2026-05-03T10:00:00")
    approved = floor.json("finance", "张三", "--status", "已批贷", now="2026-05-05T16:00:00")
    assert {k: approved[k] for k in ("seq", "at", "status", "bank", "amount")} == {
        "seq": 2, "at": "2026-05-05T16:00:00+08:00", "status": "approved", "bank": "工商银行", "amount": 150000}
    shown = floor.ok("show", "张三", now="2026-05-05T16:00:00").stdout
    assert "贷款第 1 步 工商银行 150,000元 已申请" in shown and "贷款第 2 步 工商银行 150,000元 已批贷" in shown


def test_a_rejected_loan_brings_the_card_due_for_a_call_until_the_customer_is_reached(floor):
    told = floor.ok("finance", "张三", "--status", "rejected", "--bank", "工商银行", now="2026-05-04T11:00:00").stdout
    assert "贷款第 1 步 工商银行 被拒" in told and "请尽快联系客户" in told
    today = floor.json("today", now="2026-05-04T11:00:00")
    [item] = today["items"]
    assert (item["reason"], item["due_at"], item["suggested"]) == ("finance-rejected", "2026-05-04T11:00:00+08:00", True)
    assert today["summary"]["finance_rejected"] == 1
    assert "贷款被拒" in floor.ok("today", now="2026-05-04T11:00:00").stdout
    floor.ok("log", "张三", "--channel", "phone", "--content", "未接", "--outcome", "unreachable",
             now="2026-05-04T14:00:00")
    [item] = floor.json("today", now="2026-05-05T09:00:00")["items"]
    assert (item["reason"], item["overdue_days"]) == ("finance-rejected", 1)
    floor.ok("log", "张三", "--channel", "phone", "--content", "商量提高首付到五成，改走厂家金融", "--next",
             "2026-05-08", now="2026-05-05T10:00:00")
    assert floor.json("today", now="2026-05-05T10:00:00")["items"] == []
    [item] = floor.json("today", "--date", "2026-05-08", now="2026-05-05T10:00:00")["items"]
    assert item["reason"] == "planned"


def test_a_loan_approved_after_its_rejection_owes_no_call(floor):
    floor.ok("finance", "张三", "--status", "rejected", "--bank", "工商银行", now="2026-05-04T11:00:00")
    floor.ok("finance", "张三", "--status", "approved", "--bank", "厂家金融", now="2026-05-04T15:00:00")
    assert floor.json("today", now="2026-05-04T15:00:00")["items"] == []


def test_the_earlier_of_a_return_visit_and_a_rejected_loan_is_due_first():
    policy = Policy(SCHEMES["habc"])
    created = datetime(2026, 5, 2, 10, tzinfo=SH)
    contacts = [Contact(datetime(2026, 5, 2, 10, 30, tzinfo=SH), Channel.WECHAT),
                Contact(datetime(2026, 5, 2, 11, tzinfo=SH), Channel.PHONE, next_at=datetime(2026, 5, 10, tzinfo=SH))]
    rejected, returned = datetime(2026, 5, 4, 11, tzinfo=SH), datetime(2026, 5, 4, 15, tzinfo=SH)
    timing = card_timing(created, "A", contacts, policy, returned_at=returned, finance_rejected_at=rejected)
    assert timing.due == (rejected, DueReason.FINANCE_REJECTED, None)
    timing = card_timing(created, "A", contacts, policy, returned_at=datetime(2026, 5, 4, 9, tzinfo=SH),
                         finance_rejected_at=rejected)
    assert timing.due.reason == DueReason.RETURNED


def test_a_loss_for_a_refused_loan_names_the_application_it_failed_on(floor):
    floor.ok("finance", "张三", "--status", "applied", "--bank", "工商银行", "--amount", "150000", now="2026-05-03T10:00:00")
    floor.ok("finance", "张三", "--status", "rejected", now="2026-05-04T11:00:00")
    floor.ok("lose", "张三", "--reason", "financing", "--note", "征信有逾期，厂家金融也未过", now="2026-05-06T10:00:00")
    card = floor.json("show", "张三", now="2026-05-06T10:00:00")
    linked = {"seq": 2, "at": "2026-05-04T11:00:00+08:00", "status": "rejected", "bank": "工商银行", "amount": 150000}
    assert card["outcome"]["finance"] == linked
    assert [e["finance"] for e in card["events"] if e["kind"] == "lost-requested"] == [linked]
    assert "贷款申请  第 2 步 工商银行 150,000元 被拒" in floor.ok("show", "张三", now="2026-05-06T10:00:00").stdout


def test_a_loss_for_another_reason_names_no_application(floor):
    floor.ok("finance", "张三", "--status", "rejected", "--bank", "工商银行", now="2026-05-04T11:00:00")
    floor.ok("lose", "张三", "--reason", "competitor", "--competitor", "雅阁", now="2026-05-06T10:00:00")
    assert "finance" not in floor.json("show", "张三", now="2026-05-06T10:00:00")["outcome"]


@pytest.mark.parametrize("args, code", [
    (("finance", "张三", "--status", "maybe"), 2),
    (("finance", "张三", "--status", "applied", "--amount", "0"), 2),
    (("finance", "张三", "--status", "applied", "--amount", "很多"), 2),
    (("finance", "张三", "--status", "applied", "--at", "2026-05-09"), 2),
    (("finance", "张三"), 2),
    (("trade-in", "张三", "--vehicle", "卡罗拉"), 2),
    (("trade-in", "张三", "--vehicle", " ", "--appraisal", "60000"), 2),
    (("trade-in", "张三", "--vehicle", "卡罗拉", "--appraisal", "-1"), 2),
    (("trade-in", "张三", "--vehicle", "卡罗拉", "--appraisal", "60000", "--at", "2026-05-01 09:00"), 2),
    (("finance", "A00001", "--status", "applied"), 1),  # 孙丽 may not see 王芳's card
], ids=["unknown-status", "zero-loan", "not-an-amount", "in-the-future", "no-status", "no-appraisal",
        "no-vehicle", "negative-appraisal", "before-the-card", "not-yours"])
def test_a_wrong_desk_record_writes_nothing(floor, args, code):
    before = rows(floor)
    result = floor(*args, user="孙丽" if code == 1 else "王芳", now="2026-05-04T10:00:00")
    assert result.exit_code == code and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert rows(floor) == before


def test_the_team_supervisor_and_the_manager_record_on_the_card_but_another_team_may_not(floor):
    floor.ok("trade-in", "张三", "--vehicle", "卡罗拉", "--appraisal", "60000", user="钱主管")
    floor.ok("finance", "张三", "--status", "applied", "--bank", "工商银行", user="赵经理")
    assert [t["author"] for t in floor.json("show", "张三")["trade_ins"]] == ["钱主管"]
    assert [f["author"] for f in floor.json("show", "张三")["finance"]] == ["赵经理"]
    before = rows(floor)
    assert floor("trade-in", "A00001", "--vehicle", "卡罗拉", "--appraisal", "60000", user="周主管").exit_code == 1
    assert rows(floor) == before


def test_a_closed_card_takes_no_new_desk_records(floor):
    floor.ok("invalid", "张三", "--reason", "非购车客户")
    before = rows(floor)
    refused = floor("finance", "张三", "--status", "applied")
    assert refused.exit_code == 1 and "状态是 无效" in refused.stderr
    assert rows(floor) == before


def test_trade_ins_and_finance_are_append_only(floor):
    floor.ok("trade-in", "张三", "--vehicle", "卡罗拉", "--appraisal", "60000")
    floor.ok("finance", "张三", "--status", "applied")
    with database(floor.db) as db:
        for statement in ("UPDATE trade_ins SET appraisal = 1", "DELETE FROM trade_ins",
                          "UPDATE finance SET status = 'approved'", "DELETE FROM finance"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                db.execute(statement)


# -- export: the desk's records go out beside the cards, for reading ------------------------------


def test_the_desk_records_are_exported_beside_the_cards_as_each_user_may_see_them(floor, tmp_path):
    floor.ok("log", "张三", "--channel", "test-drive", "--content", "试驾", "--licence-checked", now="2026-05-03T10:00:00")
    floor.ok("quote", "张三", "--price", "199800", "--discount", "5000", now="2026-05-03T10:30:00")
    floor.ok("quote", "approve", "张三", "1", user="钱主管", now="2026-05-03T11:00:00")
    floor.ok("trade-in", "张三", "--vehicle", "卡罗拉", "--appraisal", "6万", now="2026-05-03T11:00:00")
    floor.ok("finance", "张三", "--status", "rejected", "--bank", "工商银行", "--amount", "15万", now="2026-05-04T11:00:00")
    floor.ok("add", "王五", "--phone", "13700137000", "--owner", "孙丽", user="孙丽", now="2026-05-03T09:00:00")
    floor.ok("quote", "王五", "--price", "150000", user="孙丽", now="2026-05-03T09:30:00")
    mine = floor.ok("export", "--format", "json", user="王芳", now="2026-05-05T09:00:00").json()
    assert [(q["ref"], q["seq"], q["status"], q["approved_by"]) for q in mine["quotes"]] == [("A00001", 1, "approved", "钱主管")]
    assert [(t["vehicle"], t["licence_checked"]) for t in mine["test_drives"]] == [("凯美瑞", True)]
    assert [(t["vehicle"], t["appraisal"]) for t in mine["trade_ins"]] == [("卡罗拉", 60000)]
    assert [(f["status"], f["bank"], f["amount"]) for f in mine["finance"]] == [("rejected", "工商银行", 150000)]
    assert len(floor.ok("export", "--format", "json", user="赵经理", now="2026-05-05T09:00:00").json()["quotes"]) == 2
    floor.ok("export", "--output", str(tmp_path / "all.csv"), user="王芳", now="2026-05-05T09:00:00")
    quotes = (tmp_path / "all.quotes.csv").read_text(encoding="utf-8-sig").splitlines()
    assert quotes[0].startswith("电话,卡号,报价序号,报价时间,报价人,车型,报价（元）,优惠（元）,成交价（元）")
    assert quotes[1].startswith("13800138000,A00001,1,2026-05-03 10:30,王芳,凯美瑞,199800,5000,194800,,2026-05-10,已批价,钱主管")
    finance = (tmp_path / "all.finance.csv").read_text(encoding="utf-8-sig").splitlines()
    assert finance[1] == "13800138000,A00001,1,2026-05-04 11:00,王芳,被拒,工商银行,150000"
