"""Excel in, Excel out: import, export, the calendar feed, backup, restore and doctor."""

import csv
import json
import os
import sqlite3
import stat
from datetime import date

import pytest

import leadcard.store

from conftest import database, HeldLock, Leadcard, dormant_card, empty_store, sales_floor, sqlite_only

HEADER = ["姓名", "电话", "意向车型", "级别", "来源", "建卡日期", "备注"]


def write_csv(path, rows, header=HEADER, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as f:
        out = csv.writer(f)
        out.writerow(header)
        out.writerows(rows)
    return path


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def cards(lc, *args):
    return lc.json("list", *args)


SHOWROOM = [
    ["张伟", "13800138000", "凯美瑞 双擎", "A", "展厅", "2026-04-28", "周末带太太来"],
    ["李娜", "139-1234-5678", "汉兰达 2.0T", "H", "来电", "2026/4/30", ""],
    ["王强", "+86 137 0000 1111", "雷凌 185T", "C", "车展", "2026-05-01 15:30", "车展登记"],
]


# -- encodings and headers -------------------------------------------------------------------------


def test_a_gbk_file_saved_by_chinese_excel_imports(lc, tmp_path):
    path = write_csv(tmp_path / "意向客户.csv", SHOWROOM, encoding="gbk")
    report = lc.json("import", str(path))
    assert report["encoding"] == "gb18030"
    assert report["imported"] == {"cards": 3, "followups": 0, "instructions": 0} and report["written"]
    found = {c["name"]: c for c in cards(lc)}
    assert found["李娜"]["phone"] == "13912345678" and found["李娜"]["grade"] == "H"
    assert found["王强"]["source"] == "show" and found["王强"]["phone"] == "13700001111"
    assert found["张伟"]["created_at"] == "2026-04-28T00:00:00+08:00"
    assert found["李娜"]["created_at"] == "2026-04-30T00:00:00+08:00"
    assert lc.json("show", "王强")["notes"] == "车展登记"


def test_a_utf8_file_with_bom_imports_without_a_stray_header_character(lc, tmp_path):
    path = write_csv(tmp_path / "cards.csv", SHOWROOM[:1], encoding="utf-8-sig")
    report = lc.json("import", str(path))
    assert report["encoding"] == "utf-8-bom" and report["unknown_columns"] == {}
    assert [c["name"] for c in cards(lc)] == ["张伟"]


def test_excel_unicode_text_is_utf16_with_tabs(lc, tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_text("姓名\t电话\t意向车型\r\n张伟\t13800138000\t凯美瑞\r\n", encoding="utf-16")
    report = lc.json("import", str(path))
    assert report["encoding"] == "utf-16" and report["imported"]["cards"] == 1
    assert cards(lc)[0]["model"] == "凯美瑞"


def test_english_headers_and_synonyms_name_the_same_columns(lc, tmp_path):
    english = write_csv(tmp_path / "en.csv", [["Zhang Wei", "13800138000", "Camry", "a", "walk-in", "2026-05-01"]],
                        header=["Name", "Phone", "Model", "Grade", "Source", "Created"])
    synonyms = write_csv(tmp_path / "cn.csv", [["李娜", "13912345678", "汉兰达", "B", "网络", "2026-05-02"]],
                         header=["客户姓名", "手机号码", "车型", "意向级别", "信息来源", "建卡日期"])
    lc.ok("import", str(english))
    lc.ok("import", str(synonyms))
    found = {c["name"]: c for c in cards(lc)}
    assert (found["Zhang Wei"]["grade"], found["Zhang Wei"]["model"], found["Zhang Wei"]["source"]) == ("A", "Camry", "walk-in")
    assert (found["李娜"]["grade"], found["李娜"]["source"]) == ("B", "online")


def test_unknown_columns_are_reported_and_kept_in_the_notes(lc, tmp_path):
    path = write_csv(tmp_path / "cards.csv", [["张伟", "13800138000", "老客户介绍", "朝阳店"]],
                     header=["姓名", "电话", "客户备注2", "登记门店"])
    report = lc.json("import", str(path))
    assert report["unknown_columns"] == {"意向客户": ["客户备注2", "登记门店"]}
    assert lc.json("show", "张伟")["notes"] == "客户备注2：老客户介绍；登记门店：朝阳店"


def test_a_file_without_a_phone_column_is_bad_input(lc, tmp_path):
    path = write_csv(tmp_path / "cards.csv", [["张伟", "凯美瑞"]], header=["姓名", "车型"])
    result = lc("import", str(path))
    assert result.exit_code == 2 and "电话" in result.stderr and "Traceback" not in result.stderr


# -- all or nothing ----------------------------------------------------------------------------------


BAD_ROWS = [
    ["张伟", "13800138000", "凯美瑞", "A", "展厅", "2026-04-28", ""],
    ["李娜", "12345", "汉兰达", "A", "展厅", "2026-04-28", ""],  # line 3: not a phone
    ["王强", "13700001111", "雷凌", "Z", "展厅", "2026-04-28", ""],  # line 4: no such grade
    ["赵敏", "13600001111", "雷凌", "B", "路过", "2026-04-28", ""],  # line 5: unknown source
    ["钱多多", "13500001111", "雷凌", "B", "展厅", "2026-06-01", ""],  # line 6: created in the future
    ["", "13400001111", "雷凌", "B", "展厅", "2026-04-28", ""],  # line 7: no name
    ["孙悦", "13300001111", "威兰达", "B", "转介绍", "2026-04-29", ""],
]


def test_one_bad_row_means_nothing_is_written_and_every_bad_line_is_named(lc, tmp_path):
    path = write_csv(tmp_path / "cards.csv", BAD_ROWS)
    result = lc("import", str(path), "--json")
    assert result.exit_code == 1
    report = result.json()
    assert not report["written"]
    assert [e["line"] for e in report["errors"]] == [3, 4, 5, 6, 7]
    reasons = {e["line"]: e["reason"] for e in report["errors"]}
    assert "电话号码" in reasons[3] and "级别" in reasons[4] and "来源" in reasons[5]
    assert "在未来" in reasons[6] and "姓名" in reasons[7]
    assert cards(lc) == []


def test_the_table_names_each_bad_line_for_a_person(lc, tmp_path):
    path = write_csv(tmp_path / "cards.csv", BAD_ROWS)
    result = lc("import", str(path))
    assert result.exit_code == 1
    assert "有误的行" in result.stdout and "12345" in result.stdout
    assert "未写入任何数据" in result.stderr


STATUS_HEADER = ["姓名", "电话", "状态", "建卡时间", "状态时间"]


def test_a_card_closed_before_the_day_it_was_made_is_refused_whole_and_nothing_is_written(lc, tmp_path):
    path = write_csv(tmp_path / "cards.csv", [
        ["张伟", "13800138000", "战败", "2026-04-20 09:00", "2026-04-20 08:00"],  # the day it was made: from then on
        ["李娜", "13900139000", "战败", "2026-04-20 09:00", "2026-04-19 23:59"],  # the day before: refused
        ["王强", "13700001111", "成交", "2026-04-20 09:00", "2026-05-03 10:02"],  # a minute past the file's moment
    ], header=STATUS_HEADER)
    result = lc("import", str(path), "--json", now="2026-05-03T10:00:00")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    report = result.json()
    assert not report["written"]
    assert {e["line"]: e["reason"] for e in report["errors"]} == {
        3: "状态时间 2026-04-19 23:59 早于建卡时间 2026-04-20 09:00", 4: "状态时间 2026-05-03 10:02 在未来"}
    assert cards(lc) == []


def test_a_closing_date_of_the_day_the_card_was_made_counts_from_its_making(lc, tmp_path):
    """A sheet's bare date of the day the card was made: the card was closed that day, not before it
    existed, so it is closed from its making on."""
    path = write_csv(tmp_path / "cards.csv", [
        ["张伟", "13800138000", "战败", "2026-04-20 09:00", "2026-04-20"],
        ["李娜", "13900139000", "战败", "2026-04-20 09:00", "2026-05-03 10:01"],  # the file's moment's minute
    ], header=STATUS_HEADER)
    lc.ok("import", str(path), now="2026-05-03T10:00:00")
    exported = json.loads(lc.ok("export", "--format", "json", now="2026-05-03T10:00:00").stdout)
    assert [(c["name"], c["status_at"]) for c in exported["cards"]] == [
        ("张伟", "2026-04-20T09:00:00+08:00"), ("李娜", "2026-05-03T10:01:00+08:00")]


def test_a_bad_row_late_in_a_long_file_rolls_back_the_rows_already_inserted(lc, tmp_path, monkeypatch):
    from leadcard.domain.exchange import importing

    monkeypatch.setattr(importing, "CHUNK", 3)  # several chunks are inserted before the bad row is read
    rows = [[f"客户{i}", f"1390000{i:04d}", "凯美瑞", "B", "展厅", "2026-04-28", ""] for i in range(10)]
    rows[8][1] = "不是电话"
    path = write_csv(tmp_path / "cards.csv", rows)
    report = lc("import", str(path), "--json").json()
    assert [e["line"] for e in report["errors"]] == [10]
    assert cards(lc) == []


def test_skip_bad_imports_the_good_rows_and_writes_the_rejects_beside_the_file(lc, tmp_path):
    path = write_csv(tmp_path / "cards.csv", BAD_ROWS)
    report = lc.json("import", str(path), "--skip-bad")
    assert report["written"] and report["imported"]["cards"] == 2
    assert report["rejects"] == [str(tmp_path / "cards.rejects.csv")]
    rejects = read_csv(tmp_path / "cards.rejects.csv")
    assert rejects[0] == [*HEADER, "原行号", "错误原因"]
    assert [r[-2] for r in rejects[1:]] == ["3", "4", "5", "6", "7"]
    assert rejects[1][:2] == ["李娜", "12345"]
    assert sorted(c["name"] for c in cards(lc)) == ["孙悦", "张伟"]


def test_a_corrected_rejects_file_imports_as_it_is(lc, tmp_path):
    path = write_csv(tmp_path / "cards.csv", BAD_ROWS[:2])
    lc.json("import", str(path), "--skip-bad")
    rejects = read_csv(tmp_path / "cards.rejects.csv")
    rejects[1][1] = "13912345678"
    fixed = write_csv(tmp_path / "fixed.csv", rejects[1:], header=rejects[0])
    report = lc.json("import", str(fixed))
    assert report["imported"]["cards"] == 1 and report["unknown_columns"] == {}
    assert lc.json("show", "李娜")["notes"] is None


def test_dry_run_reports_the_same_and_writes_nothing(lc, tmp_path):
    good = write_csv(tmp_path / "good.csv", SHOWROOM)
    report = lc.json("import", str(good), "--dry-run")
    assert report["imported"]["cards"] == 3 and report["dry_run"] and not report["written"]
    assert cards(lc) == []
    bad = write_csv(tmp_path / "bad.csv", BAD_ROWS)
    result = lc("import", str(bad), "--dry-run", "--skip-bad", "--json")
    assert result.exit_code == 0 and [e["line"] for e in result.json()["errors"]] == [3, 4, 5, 6, 7]
    assert not (tmp_path / "bad.rejects.csv").exists()
    assert lc("import", str(bad), "--dry-run").exit_code == 1
    assert cards(lc) == []


def test_a_phone_already_on_a_card_or_twice_in_the_file_is_reported_not_duplicated(lc, tmp_path):
    lc.ok("add", "张伟", "--phone", "13800138000")
    rows = [
        ["张伟", "138 0013 8000", "凯美瑞", "A", "展厅", "2026-04-28", ""],
        ["李娜", "13912345678", "汉兰达", "H", "来电", "2026-04-30", ""],
        ["李娜（重复登记）", "139-1234-5678", "汉兰达", "H", "来电", "2026-04-30", ""],
    ]
    report = lc.json("import", str(write_csv(tmp_path / "cards.csv", rows)))
    assert report["imported"]["cards"] == 1
    duplicates = {d["line"]: d["reason"] for d in report["duplicates"]}
    assert "A00001" in duplicates[2] and "第 3 行" in duplicates[4]
    assert sorted(c["name"] for c in cards(lc)) == ["张伟", "李娜"]
    again = lc.json("import", str(tmp_path / "cards.csv"))  # importing the same file twice adds nothing
    assert again["imported"]["cards"] == 0 and len(again["duplicates"]) == 3


# -- owners and today --------------------------------------------------------------------------------


def test_imported_cards_belong_to_the_named_consultant_and_appear_in_their_today(lc, tmp_path):
    lc.ok("user", "add", "赵经理", "--role", "manager")
    lc.user = "赵经理"
    lc.ok("user", "add", "王芳", "--role", "consultant", "--team", "一组")
    rows = [["张伟", "13800138000", "A", "2026-05-01 09:00", "王芳"],
            ["李娜", "13912345678", "B", "2026-05-02 09:00", "李强"]]
    header = ["姓名", "电话", "级别", "建卡时间", "销售顾问"]
    report = lc("import", str(write_csv(tmp_path / "cards.csv", rows, header=header)), "--json").json()
    assert report["errors"] == [{"part": "意向客户", "line": 3,
                                 "reason": "销售顾问「李强」不是本店的用户（经理可加 --create-users --team 小组，把其建为顾问）"}]
    lc.ok("import", str(tmp_path / "cards.csv"), "--skip-bad")
    [item] = lc.json("today", user="王芳")["items"]
    # Made on 1 May with no contact since: the thank-you SMS was due 3 hours later.
    assert (item["name"], item["reason"], item["due_at"], item["overdue_days"]) == (
        "张伟", "first-touch", "2026-05-01T12:00:00+08:00", 2)


def test_a_consultant_imports_only_their_own_cards(lc, tmp_path):
    lc.ok("user", "add", "赵经理", "--role", "manager")
    lc.user = "赵经理"
    lc.ok("user", "add", "王芳", "--role", "consultant", "--team", "一组")
    lc.ok("user", "add", "李强", "--role", "consultant", "--team", "一组")
    path = write_csv(tmp_path / "cards.csv", [["张伟", "13800138000", "李强"]], header=["姓名", "电话", "销售顾问"])
    result = lc("import", str(path), "--json", user="王芳")
    assert result.exit_code == 1 and "王芳 是顾问" in result.json()["errors"][0]["reason"]


# -- follow-up history ----------------------------------------------------------------------------


FOLLOWUP_HEADER = ["电话", "跟进时间", "方式", "洽谈内容", "下次访问时间", "访问目的"]


def test_history_from_a_second_file_keyed_by_phone_sets_the_due_date(lc, tmp_path):
    cards_file = write_csv(tmp_path / "cards.csv", SHOWROOM[:2])
    history = write_csv(tmp_path / "history.csv", [
        ["13800138000", "2026-04-28 10:20", "微信", "感谢到店，发送配置表", "", ""],
        ["13800138000", "2026-04-28 16:00", "电话", "确认预算 20 万，对比雅阁", "2026-05-03 10:00", "邀约周六试驾"],
        ["13912345678", "2026-05-01 09:00", "短信", "发送汉兰达报价", "", ""],
        ["13700009999", "2026-05-01 09:00", "短信", "发送报价", "", ""],
    ], header=FOLLOWUP_HEADER)
    result = lc("import", str(cards_file), "--followups", str(history), "--json")
    assert result.exit_code == 1
    assert result.json()["errors"] == [{"part": "跟进记录", "line": 5,
                                        "reason": "本次导入中没有电话为 13700009999 的卡片"}]
    assert cards(lc) == []
    report = lc.json("import", str(cards_file), "--followups", str(history), "--skip-bad")
    assert report["imported"] == {"cards": 2, "followups": 3, "instructions": 0}
    assert report["rejects"] == [str(tmp_path / "history.rejects.csv")]
    items = {i["name"]: i for i in lc.json("today")["items"]}
    assert (items["张伟"]["reason"], items["张伟"]["purpose"], items["张伟"]["followups"]) == ("planned", "邀约周六试驾", 2)
    assert items["李娜"]["reason"] == "first-call"
    assert [f["seq"] for f in lc.json("show", "张伟")["followups"]] == [1, 2]


def test_a_sheets_customer_who_reached_out_was_reached(lc, tmp_path):
    cards_file = write_csv(tmp_path / "cards.csv", SHOWROOM[:1])
    history = write_csv(tmp_path / "history.csv", [
        ["13800138000", "2026-04-28 10:20", "微信", "客户微信问价", "是", "接通"],
        ["13800138000", "2026-04-28 16:00", "电话", "客户来电没接到", "是", "未接通"],
    ], header=["电话", "时间", "方式", "内容", "客户主动", "结果"])
    result = lc("import", str(cards_file), "--followups", str(history), "--json")
    assert result.exit_code == 1 and cards(lc) == []
    assert result.json()["errors"] == [{"part": "跟进记录", "line": 3,
                                        "reason": "客户主动联系就是联系上了：结果不能是未接通（客户主动）"}]


def test_an_excel_workbook_with_a_history_sheet(lc, tmp_path):
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "客户登记"
    sheet.append(["客户姓名", "手机", "意向车型", "意向级别", "建卡日期", "年龄"])
    sheet.append(["张伟", 13800138000, "凯美瑞 双擎", "A", datetime(2026, 4, 28, 14, 30), 35])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["李娜", "13912345678", "汉兰达", "X", datetime(2026, 4, 29), None])
    history = book.create_sheet("跟进记录")
    history.append(["手机", "时间", "跟进方式", "内容"])
    history.append([13800138000, datetime(2026, 4, 28, 15, 0), "微信", "发送配置表"])
    path = tmp_path / "showroom.xlsx"
    book.save(path)
    result = lc("import", str(path), "--json")
    assert result.exit_code == 1 and result.json()["errors"][0]["line"] == 4  # the blank row 3 still counts
    report = lc.json("import", str(path), "--skip-bad")
    assert report["imported"] == {"cards": 1, "followups": 1, "instructions": 0}
    card = lc.json("show", "张伟")
    assert (card["phone"], card["age"], card["created_at"]) == ("13800138000", 35, "2026-04-28T14:30:00+08:00")
    assert card["followups"][0]["channel"] == "wechat"
    assert (tmp_path / "showroom.rejects.csv").exists()


# -- export and the round trip ----------------------------------------------------------------------


def _same_floor(lc: Leadcard) -> None:
    """The demo's people, so that owners and authors resolve in a new store."""
    lc.ok("user", "add", "赵经理", "--role", "manager", user="")
    for name, role in (("钱主管", "supervisor"), ("王芳", "consultant"), ("李强", "consultant"), ("张敏", "consultant")):
        lc.ok("user", "add", name, "--role", role, "--team", "一组", user="赵经理")


def without_card_numbers(rows, column):
    return [row[:column] + row[column + 1:] for row in rows]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_into_an_empty_store_round_trips_every_card_and_follow_up(lc, tmp_path, fmt):
    lc.ok("demo", "--cards", "40")
    lc.user = "赵经理"
    lc.ok("log", "A00040", "--channel", "phone", "--content", "打错了客户", "--next", "2026-05-06")
    lc.ok("log", "A00040", "--corrects", "1", "--content", "电话沟通，客户周三到店", "--next", "2026-05-06",
          "--purpose", "到店试驾")
    lc.ok("do-not-contact", "A00039", "--note", "客户要求不再联系")
    lc.ok("add", "周杰", "--phone", "13511112222", "--grade", "B", "--owner", "王芳", now="2026-05-01T10:00:00")
    lc.ok("log", "周杰", "--channel", "wechat", "--content", "感谢到店", now="2026-05-01T10:30:00")
    lc.ok("log", "周杰", "--channel", "phone", "--content", "预算确定，对比雅阁", "--grade", "A", "--next", "+2d",
          now="2026-05-01T16:00:00")
    lc.ok("log", "周杰", "--channel", "visit", "--content", "到店看车，本周订车", "--grade", "H", "--next", "tomorrow",
          "--objection", "price", "--objection", "交车周期")
    # The clocks travel: an online lead's platform, and when a customer left (离店时间).
    lc.ok("add", "吴敏", "--phone", "13522223333", "--source", "汽车之家", "--owner", "王芳", now="2026-05-02T20:50:00")
    lc.ok("add", "郑凯", "--phone", "13533334444", "--left", "2026-05-02 18:00", "--owner", "王芳")
    exported = tmp_path / f"all.{fmt}"
    lc.ok("export", "--output", str(exported))
    other = empty_store(tmp_path / "new.db")
    _same_floor(other)
    # A CSV export's history is written beside its cards, and read from there with them.
    report = other.json("import", str(exported), user="赵经理")
    assert report["errors"] == [] and report["imported"]["cards"] == 43
    assert report["beside"] == ([str(tmp_path / "all.followups.csv"), str(tmp_path / "all.instructions.csv")]
                                if fmt == "csv" else [])
    for a, b in ((lc, "before.csv"), (other, "after.csv")):
        a.ok("export", "--output", str(tmp_path / b), user="赵经理")
    assert without_card_numbers(read_csv(tmp_path / "after.csv"), 0) == without_card_numbers(read_csv(tmp_path / "before.csv"), 0)
    for part in ("followups", "instructions"):
        assert without_card_numbers(read_csv(tmp_path / f"after.{part}.csv"), 1) == \
            without_card_numbers(read_csv(tmp_path / f"before.{part}.csv"), 1)
    assert report["imported"]["instructions"] > 0
    # The derived schedule too: the same cards are due, for the same reasons. The playbook (话术库) is
    # the store's, not the cards': an objection's script does not travel. The deal desk's records are
    # exported for reading only: the quotes under the items, and the cards a rejected loan made due,
    # stay behind.
    source = lc.json("today", "--all")["items"]
    loans = {i["phone"] for i in source if i["reason"] == "finance-rejected"}
    strip = lambda items: [{k: [o["tag"] for o in v] if k == "objections" else v  # noqa: E731
                            for k, v in i.items() if k not in ("ref", "quote")} for i in items
                           if i["phone"] not in loans]
    due = strip(source)
    assert due and strip(other.json("today", "--all", user="赵经理")["items"]) == due
    before, after = lc.json("show", "A00040"), other.json("show", "A00040", user="赵经理")
    assert [f["corrected_by"] for f in after["followups"]] == [f["corrected_by"] for f in before["followups"]]
    assert other.json("show", "A00039", user="赵经理")["do_not_contact"] is True
    for name, key in (("吴敏", "platform"), ("郑凯", "left_at")):
        assert other.json("show", name, user="赵经理")[key] == lc.json("show", name)[key] is not None
    # Grade history is rebuilt from the grade made with (建卡级别) and the grade judged at each contact
    # (who typed the card in is not exported: an imported card's first grade is its consultant's).
    def grades(store):
        return [(g["at"], g["from"], g["to"], g["followup"]) for g in store.json("show", "周杰", user="赵经理")["grades"]]
    assert grades(other) == grades(lc) and [g[2] for g in grades(lc)] == ["B", "A", "H"]
    # 客户异议 raised at the latest contact travel with it, and `today` offers the same scripts.
    assert other.json("show", "周杰", user="赵经理")["followups"][-1]["objections"] == ["price", "delivery"]


def _exported_with_history(lc: Leadcard, tmp_path) -> None:
    """all.csv, with a follow-up by 王芳 and an instruction by 钱主管 beside it."""
    sales_floor(lc)
    lc.ok("add", "张三", "--phone", "13800138000", "--owner", "王芳", now="2026-05-01T10:00:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "预算二十万", "--next", "2026-05-03", user="王芳",
          now="2026-05-01T11:00:00")
    lc.ok("comment", "张三", "约试驾", user="钱主管", now="2026-05-01T18:00:00")
    lc.ok("export", "--output", str(tmp_path / "all.csv"))


def test_a_file_given_for_a_part_of_the_history_is_read_instead_of_the_one_beside(lc, tmp_path):
    _exported_with_history(lc, tmp_path)
    write_csv(tmp_path / "calls.csv", [["13800138000", "2026-05-01 11:00", "phone", "另记的通话", "王芳"]],
              header=["电话", "时间", "方式", "内容", "记录人"])
    other = empty_store(tmp_path / "new.db")
    sales_floor(other)
    told = other.ok("import", str(tmp_path / "all.csv"), "--followups", str(tmp_path / "calls.csv"))
    assert told.stderr.strip() == f"同时读取旁边的跟进记录、主管批示：{tmp_path / 'all.instructions.csv'}"
    assert told.stdout.strip() == "已导入 1 张卡片、1 条跟进记录、1 条主管批示"
    shown = other.json("show", "张三")
    assert [f["content"] for f in shown["followups"]] == ["另记的通话"]
    assert [i["text"] for i in shown["instructions"]] == ["约试驾"]


def test_a_history_written_by_someone_not_yet_a_user_says_whom_to_add(lc, tmp_path):
    _exported_with_history(lc, tmp_path)
    other = empty_store(tmp_path / "new.db")
    other.ok("user", "add", "赵经理", "--role", "manager")
    other.user = "赵经理"
    refused = other("import", str(tmp_path / "all.csv"), "--create-users", "--team", "一组")
    assert refused.exit_code == 1
    # The consultant is made from the cards; the supervisor who signed is not a consultant to make.
    assert "主管批示：第 2 行：没有名为 钱主管 的用户（批示人）：先添加（leadcard user add 钱主管 --role supervisor）" \
        in refused.stdout.replace("\n", "")
    assert other.json("list") == [] and [u["name"] for u in other.json("user", "list")] == ["赵经理"]
    other.ok("user", "add", "钱主管", "--role", "supervisor", "--team", "一组")
    assert other.json("import", str(tmp_path / "all.csv"), "--create-users", "--team", "一组")["imported"] == {
        "cards": 1, "followups": 1, "instructions": 1}


def test_a_sheet_naming_the_platform_as_source_and_the_leaving_time_imports_both(lc, tmp_path):
    header = ["姓名", "电话", "来源", "平台", "建卡时间", "离店时间"]
    path = write_csv(tmp_path / "leads.csv", [["周八", "13300133000", "懂车帝", "", "2026-05-02 20:50", ""],
                                             ["吴九", "13300133001", "网络", "抖音", "2026-05-03 09:00", ""],
                                             ["郑十", "13300133002", "展厅", "", "2026-05-03 08:00", "2026-05-02 18:00"]],
                     header=header)
    lc.ok("import", str(path))
    shown = {name: lc.json("show", name) for name in ("周八", "吴九", "郑十")}
    assert [(c["source"], c["platform"]) for c in shown.values()] == [
        ("online", "懂车帝"), ("online", "抖音"), ("walk-in", None)]
    assert shown["郑十"]["left_at"] == "2026-05-02T18:00:00+08:00"
    due = {i["name"]: (i["reason"], i["due_at"]) for i in lc.json("today", "--date", "2026-05-03")["items"]}
    assert due["周八"] == ("first-call", "2026-05-03T09:20:00+08:00")
    assert due["郑十"] == ("first-touch", "2026-05-02T21:00:00+08:00")


def test_a_platform_on_a_walk_in_row_is_a_bad_row(lc, tmp_path):
    path = write_csv(tmp_path / "leads.csv", [["周八", "13300133000", "展厅", "汽车之家"]],
                     header=["姓名", "电话", "来源", "平台"])
    result = lc("import", str(path))
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert cards(lc) == []


def test_export_files_are_excel_friendly_and_private(lc, tmp_path):
    lc.ok("add", "张伟", "--phone", "13800138000", "--model", "凯美瑞")
    lc.ok("export", "--output", str(tmp_path / "cards.csv"))
    raw = (tmp_path / "cards.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "卡号,姓名,电话".encode() in raw
    assert stat.S_IMODE(os.stat(tmp_path / "cards.csv").st_mode) == 0o600
    lc.ok("export", "--output", str(tmp_path / "cards.xlsx"))
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "cards.xlsx")
    sheet = book["意向客户"]
    assert sheet.freeze_panes == "A2" and sheet["B1"].value == "姓名" and sheet["C2"].value == "13800138000"
    assert sheet.column_dimensions["C"].width > 10
    assert book.sheetnames == ["意向客户", "跟进记录", "主管批示", "来店登记", "试驾登记", "报价", "置换评估", "贷款申请"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_export_as_json_is_one_document(lc):
    lc.ok("add", "张伟", "--phone", "13800138000")
    lc.ok("log", "张伟", "--channel", "wechat", "--content", "感谢到店")
    data = json.loads(lc.ok("export", "--format", "json").stdout)
    assert [c["name"] for c in data["cards"]] == ["张伟"] and data["followups"][0]["channel"] == "wechat"


def test_the_showroom_log_is_exported_beside_the_cards_as_each_user_may_see_it(lc, tmp_path):
    sales_floor(lc)
    lc.ok("visit", "add", "--at", "2026-05-03 09:00", "--left", "2026-05-03 09:40", "--party", "3", "--model", "RAV4荣放",
          "--test-drive", "--name", "陈女士", "--phone", "13900139000", now="2026-05-03T09:45:00", user="王芳")
    lc.ok("add", "陈女士", "--phone", "13900139000", "--visit", "1", now="2026-05-03T09:50:00", user="王芳")
    lc.ok("visit", "add", "--at", "2026-05-03 09:30", "--source", "来电", "--model", "卡罗拉",
          now="2026-05-03T09:50:00", user="孙丽")
    lc.ok("export", "--output", str(tmp_path / "all.csv"), user="赵经理")
    with open(tmp_path / "all.visits.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["到店时间"], r["接待顾问"], r["来源"], r["试驾"], r["留档"], r["电话"], r["卡号"]) for r in rows] == [
        ("2026-05-03 09:00", "王芳", "展厅", "是", "是", "13900139000", "A00001"),
        ("2026-05-03 09:30", "孙丽", "来电", "", "", "", ""),
    ]
    lc.ok("export", "--output", str(tmp_path / "all.xlsx"), user="赵经理")
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "all.xlsx")["来店登记"]
    assert [c.value for c in sheet[1]][:3] == ["到店时间", "离店时间", "人数"] and sheet.max_row == 3
    assert [v["consultant"] for v in json.loads(lc.ok("export", "--format", "json", user="王芳").stdout)["visits"]] == [
        "王芳"]
    seen_by_supervisor = json.loads(lc.ok("export", "--format", "json", user="钱主管").stdout)["visits"]
    assert [(v["consultant"], v["phone"], v["card"]) for v in seen_by_supervisor] == [("王芳", "13900139000", "A00001")]


def test_a_consultant_exports_only_their_own_cards(lc, tmp_path):
    lc.ok("demo", "--cards", "30")
    mine = json.loads(lc.ok("export", "--format", "json", user="王芳").stdout)["cards"]
    everyone = json.loads(lc.ok("export", "--format", "json", user="赵经理").stdout)["cards"]
    assert {c["owner"] for c in mine} == {"王芳"} and len(everyone) == 30


# -- calendar ------------------------------------------------------------------------------------------


def events(path):
    from icalendar import Calendar

    return {str(e["uid"]): e for e in Calendar.from_ical(path.read_bytes()).walk("VEVENT")}


def test_the_calendar_has_one_event_per_due_card_with_uids_stable_across_exports(lc, tmp_path):
    lc.ok("add", "张伟", "--phone", "13800138000", "--grade", "A")
    lc.ok("add", "李娜", "--phone", "13912345678", "--grade", "B")
    lc.ok("calendar", "--output", str(tmp_path / "due.ics"))
    first = events(tmp_path / "due.ics")
    assert len(first) == 2
    assert all("首次触达" in str(e["summary"]) for e in first.values())
    lc.ok("log", "张伟", "--channel", "wechat", "--content", "感谢到店", now="2026-05-03T10:30:00")
    lc.ok("calendar", "--output", str(tmp_path / "due.ics"), now="2026-05-03T10:40:00")
    second = events(tmp_path / "due.ics")
    assert set(second) == set(first)  # the same events, moved: a phone calendar updates them
    zhang = next(uid for uid in second if uid.startswith("A00001"))
    assert "首次电话" in str(second[zhang]["summary"])
    assert second[zhang]["dtstart"].dt != first[zhang]["dtstart"].dt


def test_the_calendar_marks_the_wake_up_days_with_the_customers_dormant_by_then(lc, tmp_path):
    dormant_card(lc)  # 张三: dormant from 21 May 2026
    lc.ok("add", "李娜", "--phone", "13912345678", "--grade", "A", now="2026-06-25T10:00:00")
    lc.ok("calendar", "--output", str(tmp_path / "due.ics"), "--days", "10", now="2026-06-25T11:00:00")
    feed = events(tmp_path / "due.ics")
    wake = [e for uid, e in feed.items() if uid.startswith("wake-")]
    assert len(feed) == 2 and len(wake) == 1  # 李娜's first touch, and 1 July (a quarter's first day)
    assert wake[0]["dtstart"].dt == date(2026, 7, 1)
    assert str(wake[0]["summary"]) == "休眠唤醒 1 位客户" and "张三" in str(wake[0]["description"])
    summary = lc.ok("calendar", "--output", str(tmp_path / "due.ics"), "--days", "10", now="2026-06-25T11:00:00")
    assert "1 个休眠唤醒日" in summary.stdout + summary.stderr
    assert set(events(tmp_path / "due.ics")) == set(feed)  # re-exported, the same UIDs
    lc.ok("calendar", "--output", str(tmp_path / "june.ics"), "--days", "4", now="2026-06-25T11:00:00")
    assert not [uid for uid in events(tmp_path / "june.ics") if uid.startswith("wake-")]  # 1 July not in reach


def test_the_calendar_shows_only_the_acting_consultants_cards(lc, tmp_path):
    lc.ok("demo", "--cards", "30")
    lc.ok("calendar", "--output", str(tmp_path / "wang.ics"), user="王芳")
    lc.ok("calendar", "--output", str(tmp_path / "li.ics"), user="李强")
    wang, li = events(tmp_path / "wang.ics"), events(tmp_path / "li.ics")
    assert wang and li and not set(wang) & set(li)
    assert all("A" in uid for uid in wang)


# -- backup, restore, doctor ------------------------------------------------------------------------


@sqlite_only("an SQLite file as the backup (on a server: pg_dump's, test_postgres)")
def test_a_backup_is_a_private_sound_copy(lc, tmp_path):
    lc.ok("add", "张伟", "--phone", "13800138000")
    backup = tmp_path / "nightly.db"
    copy = lc.json("backup", str(backup))
    assert copy["sound"] and copy["counts"]["cards"] == 1
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if "nightly" in p.name) == ["nightly.db"]  # one file
    assert lc.json("doctor", env={"LEADCARD_DB": str(backup)})["sound"]


def test_only_a_manager_backs_up_a_shared_store(lc, tmp_path):
    lc.ok("demo", "--cards", "10")
    result = lc("backup", str(tmp_path / "b.db"), user="王芳")
    assert result.exit_code == 1 and "只有经理才能给整个数据库做备份" in result.stderr
    lc.ok("backup", str(tmp_path / "b.db"), user="赵经理")


@sqlite_only("an SQLite file as the backup (on a server: pg_dump's, test_postgres)")
def test_restore_brings_back_the_backup_and_keeps_the_store_it_replaces(lc, tmp_path):
    lc.ok("add", "张伟", "--phone", "13800138000")
    lc.ok("backup", str(tmp_path / "monday.db"))
    lc.ok("add", "李娜", "--phone", "13912345678")
    restored = lc.json("restore", str(tmp_path / "monday.db"))
    assert [c["name"] for c in cards(lc)] == ["张伟"]
    kept = restored["kept"]
    assert kept.endswith(".bak") and os.path.exists(kept)
    assert lc.json("list", env={"LEADCARD_DB": kept})[0]["name"] == "李娜"
    second = lc.json("restore", str(tmp_path / "monday.db"))
    assert second["kept"] != kept and os.path.exists(kept)  # an earlier kept store is never overwritten


def corrupt(path):
    """Zero four pages of the main file, after folding the WAL into it: otherwise a store connection
    not yet collected in this process keeps the WAL, whose copies of those pages hide the damage."""
    import gc

    gc.collect()
    with database(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with open(path, "r+b") as f:
        f.seek(4096 * 2)
        f.write(b"\x00" * 4096 * 4)


@sqlite_only("damages an SQLite file")
def test_restore_refuses_what_is_not_a_sound_leadcard_store(lc, tmp_path):
    lc.ok("add", "张伟", "--phone", "13800138000")
    (tmp_path / "notes.txt").write_text("不是数据库")
    other = sqlite3.connect(tmp_path / "other.db")
    other.execute("CREATE TABLE t (x)")
    other.commit()
    other.close()
    lc.ok("backup", str(tmp_path / "damaged.db"))
    corrupt(tmp_path / "damaged.db")
    for name, words in (("notes.txt", "不是 leadcard 的数据库"), ("other.db", "不是 leadcard 的数据库"),
                        ("damaged.db", "已损坏")):
        result = lc("restore", str(tmp_path / name))
        assert result.exit_code == 1 and words in result.stderr, name
        assert "Traceback" not in result.stderr
    assert [c["name"] for c in cards(lc)] == ["张伟"]


@sqlite_only("damages the store's file")
def test_doctor_passes_a_sound_store_and_fails_a_damaged_one(lc, tmp_path):
    lc.ok("add", "张伟", "--phone", "13800138000")
    report = lc.json("doctor")
    assert report["sound"] and report["integrity"] == ["ok"] and report["counts"]["cards"] == 1
    assert report["schema_version"] == report["expected_version"]
    lc.ok("backup", str(tmp_path / "good.db"))
    corrupt(lc.db)
    result = lc("doctor")
    assert result.exit_code == 1 and "库有问题" in result.stdout
    listing = lc("list")
    assert listing.exit_code == 1 and "数据库读不出来" in listing.stderr and "Traceback" not in listing.stderr
    lc.ok("restore", str(tmp_path / "good.db"))  # a store that no longer opens can still be restored
    assert lc("doctor").exit_code == 0 and [c["name"] for c in cards(lc)] == ["张伟"]


@sqlite_only("SQLite's locks, held by another connection")
@pytest.mark.parametrize("user", ["王芳", "赵经理"])
def test_restore_over_a_store_in_use_is_refused_as_busy_and_moves_nothing(lc, tmp_path, monkeypatch, user):
    """It was taken for a damaged store: moved aside under the writer using it, by anyone at all."""
    sales_floor(lc)
    lc.ok("add", "张伟", "--phone", "13800138000")
    lc.ok("backup", str(tmp_path / "monday.db"))
    lc.ok("add", "李娜", "--phone", "13912345678")
    monkeypatch.setattr(leadcard.store, "BUSY_TIMEOUT_MS", 50)
    with HeldLock(lc.db, readers=True):
        result = lc("restore", str(tmp_path / "monday.db"), user=user)
    assert (result.exit_code, result.stderr) == (1, "leadcard: 数据库正忙（另一条命令正在写入）；请稍后重试\n")
    assert not [p.name for p in tmp_path.iterdir() if "before-restore" in p.name]
    assert sorted(c["name"] for c in cards(lc)) == ["张伟", "李娜"]


@sqlite_only("SQLite's locks, held by another connection")
def test_doctor_tells_a_store_in_use_as_busy_and_never_sends_it_to_restore(lc, monkeypatch):
    lc.ok("add", "张伟", "--phone", "13800138000")
    monkeypatch.setattr(leadcard.store, "BUSY_TIMEOUT_MS", 50)
    with HeldLock(lc.db, readers=True):
        result = lc("doctor")
        as_json = lc("doctor", "--json")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "leadcard: 数据库正忙（另一条命令正在写入）；请稍后重试\n"
    assert (as_json.exit_code, as_json.json()["error"]["code"]) == (1, "store_busy")
    assert lc.json("doctor")["sound"]


@sqlite_only("SQLite's write lock, held by another connection")
def test_a_calendar_writes_nothing_and_is_made_while_another_command_writes(lc, tmp_path, monkeypatch):
    """The store's identity is made with the store: its first calendar was refused as busy (or, on a
    store the login may only read, as read-only) for want of writing it."""
    lc.ok("add", "张伟", "--phone", "13800138000", "--grade", "A")
    with database(lc) as conn:
        uid = conn.execute("SELECT value FROM settings WHERE key = 'store.uid'").fetchone()[0]
    monkeypatch.setattr(leadcard.store, "BUSY_TIMEOUT_MS", 50)
    with HeldLock(lc.db):
        lc.ok("calendar", "--output", str(tmp_path / "due.ics"))
    assert list(events(tmp_path / "due.ics")) == [f"A00001-{uid}@leadcard"]


def test_a_store_restored_from_an_export_without_an_identity_gets_one_that_stays(lc, tmp_path):
    sales_floor(lc)
    lc.ok("add", "张伟", "--phone", "13800138000", "--grade", "A")
    lc.ok("export", "--format", "json", "--output", str(tmp_path / "all.json"))
    document = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    settings = document["store"]["tables"]["settings"]
    settings["rows"] = [row for row in settings["rows"] if row[settings["columns"].index("key")] != "store.uid"]
    (tmp_path / "all.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    restored = empty_store(tmp_path / "restored.db")
    restored.ok("import", str(tmp_path / "all.json"))
    with database(restored) as conn:  # made by the restore itself, not left to a first calendar
        assert conn.execute("SELECT count(*) FROM settings WHERE key = 'store.uid'").fetchone()[0] == 1
    restored.ok("calendar", "--output", str(tmp_path / "one.ics"), user="赵经理")
    restored.ok("calendar", "--output", str(tmp_path / "two.ics"), user="赵经理")
    assert set(events(tmp_path / "one.ics")) == set(events(tmp_path / "two.ics")) != set()
