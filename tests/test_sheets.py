"""A real dealer's sheet imports on the first try (issue 24): values as the floor writes them, in an
import and on the command line alike; consultants the store does not have; problems told once per
kind with their rows; a dry run that shows how the sheet was read."""

import csv
from datetime import date, datetime

from conftest import sales_floor

# How a showroom's own sheet is headed (GBK, saved by Chinese Excel, with its row numbers).
SHOWROOM_HEADER = ["序号", "客户姓名", "手机号码", "意向车型", "客户级别", "信息来源", "建档日期", "销售顾问", "备注"]
SHOWROOM_ROWS = [
    ["1", "张伟", "138 0013 8000", "凯美瑞", "H级", "自然到店", "2026年11月3日", "王芳", "周末带太太来"],
    ["2", "李娜", "+86 139-1234-5678", "汉兰达", "Ａ级", "老客户介绍", "2026.11.05", "王芳", ""],
    ["3", "王强", "010-12345678", "雷凌", " b ", "400电话", "2026/11/04", "李强", ""],
    ["4", "赵敏", "0755 1234 5678", "RAV4", "C级", "汽车之家", "2026-11-3", "王芳", ""],
    ["5", "钱多", "１３７００００１１１１", "RAV4", "A", "懂车帝", "2026-11-06", "李强", "比价中"],
    ["6", "孙悦", "0086 136 0000 2222", "威兰达", "B", "转介绍", "2026-11-07", "王芳", ""],
    ["7", "周全", "13500003333", "卡罗拉", "b级", "来电", "2026-11-08", "王芳", ""],
]
NOW = "2026-11-20T10:00:00"


def write_sheet(path, rows, header=SHOWROOM_HEADER, encoding="gbk"):
    with open(path, "w", encoding=encoding, newline="") as f:
        out = csv.writer(f)
        out.writerow(header)
        out.writerows(rows)
    return path


def by_name(lc, *args):
    return {c["name"]: c for c in lc.json("list", *args)}


# -- values as the floor writes them ---------------------------------------------------------------


def test_a_showroom_sheet_saved_as_gbk_imports_on_the_first_try(lc, tmp_path):
    lc.now = NOW
    report = lc.json("import", str(write_sheet(tmp_path / "意向客户登记表.csv", SHOWROOM_ROWS)))
    assert report["written"] and report["imported"]["cards"] == 7 and report["errors"] == []
    assert report["encoding"] == "gb18030" and report["unknown_columns"] == {}
    cards = by_name(lc)
    assert {n: c["grade"] for n, c in cards.items()} == {
        "张伟": "H", "李娜": "A", "王强": "B", "赵敏": "C", "钱多": "A", "孙悦": "B", "周全": "B"}
    assert {n: (c["source"], c["platform"]) for n, c in cards.items()} == {
        "张伟": ("walk-in", None), "李娜": ("referral", None), "王强": ("hotline", None),
        "赵敏": ("online", "汽车之家"), "钱多": ("online", "懂车帝"), "孙悦": ("referral", None),
        "周全": ("phone-in", None)}
    assert {n: c["created_at"][:10] for n, c in cards.items()} == {
        "张伟": "2026-11-03", "李娜": "2026-11-05", "王强": "2026-11-04", "赵敏": "2026-11-03",
        "钱多": "2026-11-06", "孙悦": "2026-11-07", "周全": "2026-11-08"}
    assert {n: c["phone"] for n, c in cards.items()} == {
        "张伟": "13800138000", "李娜": "13912345678", "王强": "01012345678", "赵敏": "075512345678",
        "钱多": "13700001111", "孙悦": "13600002222", "周全": "13500003333"}
    # 序号 is the sheet's own numbering: not a note on the customer's card.
    assert lc.json("show", "张伟")["notes"] == "周末带太太来"
    assert lc.json("show", "王强")["notes"] is None


def test_a_workbook_with_real_date_cells_and_date_serials_imports_their_days(lc, tmp_path):
    from openpyxl import Workbook

    lc.now = NOW
    book = Workbook()
    sheet = book.active
    sheet.append(["客户姓名", "手机号码", "客户级别", "信息来源", "建档日期", "生日"])
    sheet.append(["张伟", 13800138000, "H级", "易车", datetime(2026, 11, 3, 14, 30), date(1985, 3, 15)])
    sheet.append(["李娜", "13912345678", "Ａ级", "自然进店", date(2026, 11, 5), None])
    sheet.append(["王强", "13700001111", "B", "老客户介绍", 46330, 31121])  # Excel's day numbers: 2026-11-04, 1985-03-15
    sheet.cell(row=4, column=5).number_format = "General"
    path = tmp_path / "客户.xlsx"
    book.save(path)
    report = lc.json("import", str(path))
    assert report["written"] and report["imported"]["cards"] == 3, report["errors"]
    cards = by_name(lc)
    assert cards["张伟"]["created_at"] == "2026-11-03T14:30:00+08:00"
    assert cards["李娜"]["created_at"] == "2026-11-05T00:00:00+08:00"
    assert cards["王强"]["created_at"] == "2026-11-04T00:00:00+08:00"
    assert (cards["张伟"]["source"], cards["张伟"]["platform"]) == ("online", "易车")
    assert cards["张伟"]["phone"] == "13800138000" and cards["王强"]["birthday"] == "03-15"
    assert cards["张伟"]["birthday"] == "03-15"


def test_the_floor_writes_the_same_words_on_the_command_line(lc):
    lc.now = NOW
    added = lc.json("add", "张伟", "--phone", "0755 1234 5678", "--grade", "H级", "--source", "老客户介绍",
                    "--at", "2026年11月3日")
    assert (added["phone"], added["grade"], added["created_at"]) == ("075512345678", "H", "2026-11-03T00:00:00+08:00")
    online = lc.json("add", "李娜", "--phone", "+86 139 1234 5678", "--grade", "Ａ级", "--source", "懂车帝",
                     "--at", "2026.11.05")
    assert (online["phone"], online["grade"], online["created_at"][:10]) == ("13912345678", "A", "2026-11-05")
    shown = lc.json("show", "李娜")
    assert (shown["source"], shown["platform"]) == ("online", "懂车帝")
    assert lc.json("show", "张伟")["source"] == "referral"
    assert lc.json("grade", "张伟", " b ")["to"] == "B"
    assert lc.json("log", "李娜", "--channel", "phone", "--content", "报价", "--grade", "C级")["ref"]
    assert lc.json("show", "李娜")["grade"] == "C"
    visit = lc.json("visit", "add", "--source", "自然到店", "--at", "2026/11/04 10:00", "--left", "2026-11-4 11:00")
    assert visit["source"] == "walk-in"
    refused = lc("add", "王强", "--phone", "13700001111", "--grade", "D级")
    assert refused.exit_code == 2 and "D级" in refused.stderr


def test_a_store_adds_its_own_source_words_and_platforms_in_its_policy_file(lc, tmp_path):
    policy = tmp_path / "本店.toml"
    policy.write_text('[sources.referral]\nwords = ["车友会"]\n\n[sources.online.platforms]\n"瓜子" = "瓜子二手车"\n\n'
                      '[grades.H]\naliases = ["热"]\n', encoding="utf-8")
    lc.ok("init", "--policy-file", str(policy))
    lc.now = NOW
    path = write_sheet(tmp_path / "s.csv", [["1", "张伟", "13800138000", "凯美瑞", "热", "车友会", "2026-11-03", "", ""],
                                            ["2", "李娜", "13912345678", "汉兰达", "A", "瓜子", "2026-11-03", "", ""]])
    lc.ok("import", str(path))
    cards = by_name(lc)
    assert (cards["张伟"]["grade"], cards["张伟"]["source"]) == ("H", "referral")
    assert (cards["李娜"]["source"], cards["李娜"]["platform"]) == ("online", "瓜子二手车")
    assert lc.json("add", "王强", "--phone", "13700001111", "--source", "瓜子")["ref"]
    assert lc.json("show", "王强")["platform"] == "瓜子二手车"
    words = lc.json("policy", "show")
    assert words["source_words"]["referral"][-1] == "车友会" and words["platforms"]["瓜子"] == "瓜子二手车"


def test_a_store_without_the_words_in_its_policy_refuses_them(lc, tmp_path):
    policy = tmp_path / "bad.toml"
    policy.write_text('[sources.referral]\nplatforms = { "瓜子" = "瓜子二手车" }\n', encoding="utf-8")
    result = lc("init", "--policy-file", str(policy))
    assert result.exit_code == 2 and "sources.referral" in result.stderr
    assert lc("add", "张伟", "--phone", "13800138000", "--source", "车友会").exit_code == 2


# -- consultants the store does not have ----------------------------------------------------------


def test_a_store_without_users_keeps_the_consultants_name_until_that_user_is_added(lc, tmp_path):
    lc.now = NOW
    lc.ok("import", str(write_sheet(tmp_path / "s.csv", SHOWROOM_ROWS)))
    zhang = lc.json("show", "张伟")
    assert zhang["owner"] is None and zhang["named_owner"] == "王芳"
    assert "王芳（尚未添加为用户）" in lc.ok("show", "张伟").stdout
    manager = lc.ok("user", "add", "赵经理", "--role", "manager")
    assert "张卡片" not in manager.stdout  # nobody's cards were kept under the manager's name
    lc.user = "赵经理"
    # Before 王芳 is a user, the manager finds her cards by the name the sheet gave; a consultant
    # (who sees none of them) is told there is no such user, as for any other name.
    assert set(by_name(lc, "--owner", "王芳")) == {"孙悦", "周全", "张伟", "李娜", "赵敏"}
    assert lc("list", "--owner", "王二芳").exit_code == 1
    lc.ok("user", "add", "孙丽", "--role", "consultant", "--team", "二组")
    hidden, unknown = lc("list", "--owner", "王芳", user="孙丽"), lc("list", "--owner", "王二芳", user="孙丽")
    assert hidden.exit_code == unknown.exit_code == 1
    assert hidden.stderr.replace("王芳", "某") == unknown.stderr.replace("王二芳", "某")
    added = lc.ok("user", "add", "王芳", "--role", "consultant", "--team", "一组")
    assert "导入时记在 王芳 名下的 5 张卡片现由其负责" in added.stdout
    mine = by_name(lc, "--owner", "王芳")
    assert set(mine) == {"孙悦", "周全", "张伟", "李娜", "赵敏"}
    assert "named_owner" not in lc.json("show", "张伟")
    assert lc.json("show", "张伟")["events"][-1] == {"at": "2026-11-20T10:00:00+08:00", "kind": "assigned",
                                                    "by": "赵经理", "from": None, "to": "王芳"}
    assert lc.json("show", "王强")["named_owner"] == "李强"  # 李强's cards wait for 李强
    english = lc.ok("user", "add", "李强", "--role", "consultant", env={"LEADCARD_LANG": "en"})
    assert "2 cards an import kept under 李强's name are now theirs" in english.stdout
    assert set(by_name(lc, "--owner", "李强")) == {"王强", "钱多"}


def test_a_store_with_users_names_each_missing_consultant_once_with_their_rows(lc, tmp_path):
    sales_floor(lc)
    lc.now = NOW
    rows = [[str(i), f"客户{i}", f"1390000{i:04d}", "凯美瑞", "B", "展厅", "2026-11-03", owner, ""]
            for i, owner in enumerate(["孙七", "王芳", "孙七", "周八", "孙七"], start=1)]
    path = write_sheet(tmp_path / "s.csv", rows)
    result = lc("import", str(path))
    assert result.exit_code == 1
    assert "第 2、4、6 行：销售顾问「孙七」不是本店的用户（经理可加 --create-users --team 小组，把其建为顾问）" in result.stdout
    assert "第 5 行：销售顾问「周八」不是本店的用户" in result.stdout
    assert result.stdout.count("孙七") == 1
    problems = lc("import", str(path), "--json").json()["problems"]
    assert [(p["kind"], p["lines"]) for p in problems] == [("owner", [2, 4, 6]), ("owner", [5])]
    assert lc.json("list") == []


def test_a_manager_creates_the_missing_consultants_in_a_team(lc, tmp_path):
    sales_floor(lc)
    lc.now = NOW
    rows = [["1", "张伟", "13800138000", "凯美瑞", "H级", "展厅", "2026-11-03", "孙七", ""],
            ["2", "李娜", "13912345678", "汉兰达", "A", "展厅", "2026-11-03", "孙七", ""],
            ["3", "王强", "13700001111", "雷凌", "B", "展厅", "2026-11-03", "王芳", ""]]
    path = write_sheet(tmp_path / "s.csv", rows)
    dry = lc.ok("import", str(path), "--create-users", "--team", "二组", "--dry-run")
    assert "将新建二组的顾问：孙七" in dry.stdout and "孙七 → 新建为顾问（2 行）" in dry.stdout
    assert "孙七" not in [u["name"] for u in lc.json("user", "list")]
    done = lc.ok("import", str(path), "--create-users", "--team", "二组")
    assert "已新建二组的顾问：孙七" in done.stdout
    sun = next(u for u in lc.json("user", "list") if u["name"] == "孙七")
    assert (sun["role"], sun["team"]) == ("consultant", "二组")
    assert sorted(by_name(lc, "--owner", "孙七")) == ["张伟", "李娜"]


def test_only_a_manager_creates_users_and_only_in_a_store_that_has_users(lc, tmp_path):
    path = write_sheet(tmp_path / "s.csv", [["1", "张伟", "13800138000", "凯美瑞", "H", "展厅", "2026-05-01", "孙七", ""]])
    alone = lc("import", str(path), "--create-users")
    assert alone.exit_code == 1 and "user add" in alone.stderr and "Traceback" not in alone.stderr
    assert lc("import", str(path), "--team", "一组").exit_code == 2
    sales_floor(lc)
    refused = lc("import", str(path), "--create-users", "--team", "一组", user="钱主管")
    assert refused.exit_code == 1 and "只有经理" in refused.stderr
    assert [u["name"] for u in lc.json("user", "list")].count("孙七") == 0


# -- problems, once per kind ----------------------------------------------------------------------

EVERY_PROBLEM = [
    ["1", "张伟", "13800138000", "凯美瑞", "D", "展厅", "2026-11-03", "王芳", ""],      # 2: grade
    ["2", "李娜", "12345", "汉兰达", "A", "展厅", "2026-11-03", "王芳", ""],            # 3: phone
    ["3", "王强", "13700001111", "雷凌", "D级", "展厅", "2026-11-03", "王芳", ""],      # 4: grade
    ["4", "赵敏", "13600001111", "雷凌", "B", "路过", "2026-11-03", "王芳", ""],        # 5: source
    ["5", "钱多", "13500001111", "雷凌", "B", "展厅", "2026-12-24", "王芳", ""],        # 6: future
    ["6", "", "13400001111", "雷凌", "B", "展厅", "2026-11-03", "王芳", ""],            # 7: no name
    ["7", "孙悦", "13300001111", "威兰达", "B", "展厅", "十一月三号", "王芳", ""],      # 8: date
    ["8", "周全", "13800138001", "卡罗拉", "B", "展厅", "2026-11-03", "王芳", ""],      # 9: on a card already
    ["9", "吴用", "abc", "卡罗拉", "B", "展厅", "2026-11-03", "王芳", ""],              # 10: phone
    ["10", "郑和", "13200001111", "卡罗拉", "D", "展厅", "2026-11-03", "王芳", ""],     # 11: grade
    ["11", "冯远", "13100001111", "卡罗拉", "B", "展厅", "2026-11-03", "孙七", ""],     # 12: consultant
    ["12", "陈亮", "13900001111", "卡罗拉", "B", "自然到店", "2026-11-03", "王芳", ""],  # good
]
CHINESE_LINES = [
    "第 2、11 行：级别「D」不在本店的分级中（H A B C）",
    "第 3、10 行：不是电话号码（12345、abc）",
    "第 4 行：级别「D级」不在本店的分级中（H A B C）",
    "第 6 行：建卡时间 2026-12-24 00:00 在未来",
    "第 7 行：没有姓名（姓名）",
    "第 12 行：销售顾问「孙七」不是本店的用户（经理可加 --create-users --team 小组，把其建为顾问）",
    "第 9 行：电话 13800138001 已在卡片 A00001（周全）上，不再导入",
]
ENGLISH_LINES = [
    "Rows 2, 11: grade “D” is not one of this store's grades (H A B C)",
    "Rows 3, 10: not a phone number (12345, abc)",
    "Row 12: consultant “孙七” is not a user of this store (a manager may add --create-users --team TEAM to make "
    "them a consultant)",
    "Row 9: phone 13800138001 is already on card A00001 (周全): not imported again",
]


def every_problem(lc):
    """The usual floor, with 周全 already on a card."""
    sales_floor(lc)
    lc.now = NOW
    lc.ok("add", "周全", "--phone", "13800138001", "--owner", "王芳")


def test_a_sheet_with_every_problem_at_once_tells_each_kind_once_with_its_rows(lc, tmp_path):
    every_problem(lc)
    path = write_sheet(tmp_path / "s.csv", EVERY_PROBLEM)
    result = lc("import", str(path), env={"COLUMNS": "200"})
    assert result.exit_code == 1 and "未写入任何数据" in result.stderr
    shown = [line.strip() for line in result.stdout.splitlines()]
    for line in CHINESE_LINES:
        assert line in shown
    assert any(line.startswith("第 5 行：不认识的线索来源 `路过`") for line in shown)
    # A date's problem names its column as the sheet heads it.
    assert any(line.startswith("第 8 行：建档日期：不是日期：`十一月三号`（可写 2026-05-03") for line in shown)
    english = lc("import", str(path), env={"LEADCARD_LANG": "en", "COLUMNS": "200"})
    shown = [line.strip() for line in english.stdout.splitlines()]
    for line in ENGLISH_LINES:
        assert line in shown
    assert any(line.startswith("Row 8: 建档日期: not a date: '十一月三号' (use 2026-05-03") for line in shown)
    report = lc("import", str(path), "--json").json()
    kinds = [(p["kind"], p["lines"]) for p in report["problems"]]
    assert kinds == [("grade", [2, 11]), ("phone", [3, 10]), ("grade", [4]), ("source", [5]), ("future", [6]),
                     ("name", [7]), ("date", [8]), ("owner", [12]), ("duplicate", [9])]
    assert [e["line"] for e in report["errors"]] == [2, 3, 4, 5, 6, 7, 8, 10, 11, 12]


def test_skip_bad_still_writes_each_rejected_row_with_its_own_reason(lc, tmp_path):
    every_problem(lc)
    path = write_sheet(tmp_path / "s.csv", EVERY_PROBLEM)
    report = lc.json("import", str(path), "--skip-bad")
    assert report["imported"]["cards"] == 1 and report["written"]
    with open(tmp_path / "s.rejects.csv", encoding="utf-8-sig", newline="") as f:
        rejects = list(csv.reader(f))
    assert rejects[0] == [*SHOWROOM_HEADER, "原行号", "错误原因"]
    assert [r[-2] for r in rejects[1:]] == ["2", "3", "4", "5", "6", "7", "8", "10", "11", "12"]
    assert rejects[2][-1].startswith("不是电话号码：`12345`")
    assert set(by_name(lc)) == {"周全", "陈亮"}


def test_thousands_of_rows_with_one_problem_make_one_short_line(lc, tmp_path):
    lc.now = NOW
    rows = [[str(i), f"客户{i}", f"139{i:08d}", "凯美瑞", "D", "展厅", "2026-11-03", "", ""] for i in range(1, 5557)]
    path = write_sheet(tmp_path / "s.csv", rows)
    result = lc("import", str(path))
    lines = [line.strip() for line in result.stdout.splitlines() if "级别" in line]
    assert lines == ["第 2、3、4…共 5,556 行：级别「D」不在本店的分级中（H A B C）"]
    english = lc("import", str(path), env={"LEADCARD_LANG": "en"})
    assert "Rows 2, 3, 4… 5,556 rows in all: grade “D” is not one of this store's grades (H A B C)" in english.stdout


def test_six_rows_are_listed_in_full_and_seven_are_shortened(lc, tmp_path):
    lc.now = NOW
    rows = [[str(i), f"客户{i}", f"139{i:08d}", "凯美瑞", "D", "展厅", "2026-11-03", "", ""] for i in range(1, 8)]
    six = lc("import", str(write_sheet(tmp_path / "six.csv", rows[:6]))).stdout
    seven = lc("import", str(write_sheet(tmp_path / "seven.csv", rows))).stdout
    assert "第 2、3、4、5、6、7 行：" in six
    assert "第 2、3、4…共 7 行：" in seven


# -- a dry run shows how the sheet was read --------------------------------------------------------


def test_a_dry_run_shows_each_column_and_each_way_of_writing_a_source_grade_and_consultant(lc, tmp_path):
    lc.now = NOW
    path = write_sheet(tmp_path / "s.csv", [*SHOWROOM_ROWS, ["8", "吴用", "13200001111", "卡罗拉", "H级", "自然到店",
                                                             "2026-11-09", "王芳", ""]],
                       header=[*SHOWROOM_HEADER, "登记门店"])
    result = lc.ok("import", str(path), "--dry-run", env={"COLUMNS": "200"})
    shown = [line.strip() for line in result.stdout.splitlines()]
    for line in ("序号 → 不导入", "客户姓名 → 姓名 `name`", "手机号码 → 电话 `phone`", "客户级别 → 级别 `grade`",
                 "信息来源 → 来源 `source`", "建档日期 → 建卡时间 `created_at`", "销售顾问 → 销售顾问 `owner`",
                 "登记门店 → 备注（未识别的列）",
                 "H级 → `H`（2 行）", "Ａ级 → `A`（1 行）", "b → `B`（1 行）",
                 "自然到店 → `walk-in`（2 行）", "老客户介绍 → `referral`（1 行）", "400电话 → `hotline`（1 行）",
                 "汽车之家 → `online/汽车之家`（1 行）", "王芳 → 记在卡片上（尚无此用户）（6 行）"):
        assert line in shown, line
    assert "将导入 8 张卡片" in result.stdout and lc.json("list") == []
    english = lc.ok("import", str(path), "--dry-run", env={"LEADCARD_LANG": "en", "COLUMNS": "200"}).stdout
    assert "Grade as read:" in english and "H级 → `H` (2 rows)" in english and "not imported (column 序号)" in english
    assert "`name` (column 客户姓名, exported as 姓名)" in english
    report = lc.json("import", str(path), "--dry-run")
    assert {"header": "序号", "field": "_ignored"} in report["columns"]["意向客户"]
    assert {"written": "汽车之家", "read_as": "online/汽车之家", "rows": 1} in report["understood"]["source"]


def test_a_consultant_kept_by_name_goes_out_with_export_and_comes_back_in(lc, tmp_path):
    from conftest import empty_store

    lc.now = NOW
    lc.ok("import", str(write_sheet(tmp_path / "s.csv", SHOWROOM_ROWS[:1])))
    lc.ok("export", "--output", str(tmp_path / "out.csv"))
    other = empty_store(tmp_path / "other.db")
    other.now = NOW
    other.ok("import", str(tmp_path / "out.csv"))
    assert other.json("show", "张伟")["named_owner"] == "王芳"


def test_a_row_is_told_every_problem_it_has_not_only_the_first(lc, tmp_path):
    """A bad grade used to hide a bad phone on the same row: the consultant fixed one, ran the import
    again, and only then heard of the other."""
    sales_floor(lc)
    lc.now = NOW
    rows = [["1", "张伟", "12345", "凯美瑞", "Q级", "展厅", "2026年13月3日", "孙七", ""],
            ["2", "李娜", "13912345678", "汉兰达", "Z", "展厅", "2026-11-05", "王芳", ""],
            ["3", "王强", "13912345679", "雷凌", "B", "展厅", "2026-11-04", "王芳", ""]]
    failed = lc("import", str(write_sheet(tmp_path / "s.csv", rows)), "--json")
    assert failed.exit_code == 1
    result = failed.json()
    assert sorted({(line, g["kind"]) for g in result["problems"] for line in g["lines"]}) == [
        (2, "date"), (2, "grade"), (2, "owner"), (2, "phone"), (3, "grade")]
    told = lc("import", str(write_sheet(tmp_path / "s.csv", rows)))
    assert "导入失败：2 行有误" in told.stderr
    skipped = lc.ok("import", str(write_sheet(tmp_path / "s.csv", rows)), "--skip-bad")
    assert "跳过有误 2 行" in skipped.stdout
    with open(tmp_path / "s.rejects.csv", encoding="utf-8-sig") as f:
        rejected = list(csv.reader(f))
    assert [r[1] for r in rejected[1:]] == ["张伟", "李娜"]
    assert rejected[1][-1].count("；") == 3  # the four problems of 张伟's row, side by side
    assert [c["name"] for c in lc.json("list")] == ["王强"]


def test_a_cell_left_empty_is_empty_on_its_card_whatever_the_rows_around_it_hold(lc, tmp_path):
    """Cards are written a chunk of rows at a time, each row made from the same blank: an empty cell
    takes nothing from the row above, and a column the first row leaves empty keeps what a later row
    gives it."""
    lc.now = NOW
    rows = [["李娜", "13912345671", "", "", "", ""],
            ["张伟", "13912345670", "凯美瑞", "zw888", "35", "周末来"],
            ["王强", "13912345672", "", "wq999", "", ""]]
    path = write_sheet(tmp_path / "s.csv", rows, header=["姓名", "电话", "意向车型", "微信", "年龄", "备注"])
    lc.ok("import", str(path))
    cards = {name: lc.json("show", name) for name in ("李娜", "张伟", "王强")}
    assert {n: (c["model"], c["wechat"], c["age"], c["notes"]) for n, c in cards.items()} == {
        "李娜": (None, None, None, None), "张伟": ("凯美瑞", "zw888", 35, "周末来"), "王强": (None, "wq999", None, None)}
