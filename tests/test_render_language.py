"""What the floor reads every day — the morning list, a card, the weekly report, an import's problems —
is Chinese by default and English with LEADCARD_LANG=en (CONTRACT.md, "language"). Only what people
typed stays as typed: names, models, follow-ups' words, a file's own column and sheet names."""

import csv
import re

from conftest import sales_floor

EN = {"LEADCARD_LANG": "en"}
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Typed by people: customers, staff, models, a follow-up's words and purpose, a loss reason, a file's sheet.
TYPED = ("张三", "李四", "王五", "赵六", "王芳", "李强", "孙丽", "钱主管", "赵经理", "一组", "二组", "凯美瑞", "汉兰达",
         "客户想先看配置单", "周末带太太来", "发配置单并约试驾", "价格", "意向客户", "名单.csv")
# Typed as they are in either language: grades, statuses, options, commands, the store's file formats.
KEPT = {"leadcard", "quote", "csv", "json", "xlsx", "md", "skip-bad", "limit", "all", "ISO", "UTF", "GBK", "GB"}


def english_words(text: str) -> list[str]:
    text = re.sub(r"A\d{5}|--[\w-]+|`[^`]*`|\d{4}-W\d{2}|[\w.-]+\.(?:csv|xlsx)", " ", text)
    return [w for w in re.findall(r"[A-Za-z][A-Za-z'-]{2,}", text) if w not in KEPT]


def chinese_left(text: str) -> list[str]:
    """Chinese in an English page once typed text and a file's column names in brackets are gone."""
    for typed in TYPED:
        text = text.replace(typed, " ")
    return CJK.findall(re.sub(r"\([^()]*\)", " ", text))


def floor_of_the_week(lc):
    """王芳's week: 张三 walked in Monday and waits for his thank-you; 李四 was called Monday, a test drive
    planned for Thursday; 王五 came to the showroom and ordered on Tuesday; 赵六 gave up on price."""
    sales_floor(lc)
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "A", "--owner", "王芳", "--model", "凯美瑞",
          now="2026-05-04T10:00:00")
    lc.ok("add", "李四", "--phone", "13900139000", "--grade", "H", "--owner", "王芳", "--model", "汉兰达",
          now="2026-05-04T11:00:00")
    lc.ok("log", "李四", "--channel", "wechat", "--content", "周末带太太来", user="王芳", now="2026-05-04T11:30:00")
    lc.ok("log", "李四", "--channel", "phone", "--content", "客户想先看配置单", "--next", "2026-05-07 10:00",
          "--purpose", "发配置单并约试驾", user="王芳", now="2026-05-04T15:00:00")
    lc.ok("add", "王五", "--phone", "13700137000", "--grade", "H", "--owner", "王芳", now="2026-05-04T12:00:00")
    lc.ok("log", "王五", "--channel", "visit", "--content", "周末带太太来", user="王芳", now="2026-05-05T10:00:00")
    lc.ok("win", "王五", "--model", "凯美瑞", user="王芳", now="2026-05-05T11:00:00")
    lc.ok("add", "赵六", "--phone", "13600136000", "--grade", "B", "--owner", "王芳", now="2026-05-04T13:00:00")
    lc.ok("log", "赵六", "--channel", "phone", "--content", "价格", user="王芳", now="2026-05-05T14:00:00")
    lc.ok("lose", "赵六", "--reason", "价格", user="王芳", now="2026-05-06T09:00:00")
    lc.ok("approve", "赵六", user="钱主管", now="2026-05-06T10:00:00")


def test_wang_fangs_morning_list_reads_in_chinese_and_in_english(lc):
    floor_of_the_week(lc)
    chinese = lc.ok("today", user="王芳", now="2026-05-07T08:30:00").stdout
    for said in ("2026-05-07 周四", "待跟进", "逾期", "首次触达", "发送感谢短信/微信：感谢到店看车", "计划回访",
                 "发配置单并约试驾", "事由 / 目的"):
        assert said in chinese, said
    assert english_words(chinese) == [], chinese
    english = lc.ok("today", user="王芳", now="2026-05-07T08:30:00", env=EN).stdout
    for said in ("2026-05-07 Thu", "due", "overdue", "First touch", "send a thank-you SMS/WeChat for the visit",
                 "Planned", "Reason / purpose"):
        assert said in english, said
    assert chinese_left(english) == [], english


def test_a_card_reads_like_the_paper_form_in_either_language(lc):
    floor_of_the_week(lc)
    chinese = lc.ok("show", "李四", user="王芳", now="2026-05-07T08:30:00").stdout
    for said in ("意向客户管理卡", "跟进中", "建卡时间", "资料来源", "展厅", "跟踪洽谈记录", "第 2 次", "电话",
                 "洽谈内容：客户想先看配置单", "下次访问：2026-05-07 10:00", "下次跟进", "计划回访"):
        assert said in chinese, said
    assert english_words(chinese) == [], chinese
    english = lc.ok("show", "李四", user="王芳", now="2026-05-07T08:30:00", env=EN).stdout
    for said in ("Customer card", "Open", "Created", "Source", "Showroom", "Follow-ups", "No. 2", "Phone",
                 "Content: 客户想先看配置单", "Next contact: 2026-05-07 10:00", "Next follow-up", "Planned"):
        assert said in english, said
    assert chinese_left(english) == [], english


def test_the_weekly_report_reads_in_chinese_and_in_english_in_every_text_format(lc):
    floor_of_the_week(lc)
    for fmt in ("table", "md", "csv"):
        chinese = lc.ok("report", "weekly", "--week", "2026-W19", "--format", fmt, now="2026-05-11T09:00:00").stdout
        for said in ("销售周报 2026-W19（2026-05-04 至 2026-05-10）", "关键指标", "跟进及时率", "新建卡来源",
                     "展厅", "跟进渠道", "到店", "战败原因", "顾问", "合计"):
            assert said in chinese, (fmt, said)
        assert english_words(chinese) == [], chinese
        english = lc.ok("report", "weekly", "--week", "2026-W19", "--format", fmt, now="2026-05-11T09:00:00",
                        env=EN).stdout
        for said in ("Weekly sales report 2026-W19 (2026-05-04 to 2026-05-10)", "Key figures",
                     "Follow-up timeliness", "New cards by source", "Showroom", "Follow-ups by channel", "Visit",
                     "Loss reasons", "Consultant", "Total"):
            assert said in english, (fmt, said)
        assert chinese_left(english) == [], english
    assert lc.json("report", "weekly", "--week", "2026-W19", now="2026-05-11T09:00:00") == \
        lc.json("report", "weekly", "--week", "2026-W19", now="2026-05-11T09:00:00", env=EN)


def test_an_import_with_bad_rows_tells_each_row_s_problem_in_the_language_asked_for(lc, tmp_path):
    sales_floor(lc)
    lc.ok("add", "张三", "--phone", "13800138000", user="王芳", now="2026-05-04T10:00:00")
    sheet = tmp_path / "名单.csv"
    with open(sheet, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([
            ["姓名", "电话", "级别", "建卡日期"],
            ["李四", "13900139000", "A", "2026-05-01"],
            ["", "13700137000", "B", "2026-05-01"],
            ["王五", "13600136000", "B", "2026-06-01"],
            ["赵六", "13800138000", "B", "2026-05-01"],
        ])
    chinese = lc("import", str(sheet), "--skip-bad", "--dry-run", user="王芳", now="2026-05-06T10:00:00")
    assert chinese.exit_code == 0, chinese.stderr
    for said in ("有误的行", "没有姓名", "建卡时间 2026-06-01 00:00 在未来", "重复的电话（未导入）",
                 "电话 13800138000 已在卡片 A00001（张三）上，不再导入", "将导入 1 张卡片", "跳过有误 2 行",
                 "（试运行，未写入）"):
        assert said in chinese.stdout, said
    assert english_words(chinese.stdout) == [], chinese.stdout
    english = lc("import", str(sheet), "--skip-bad", "--dry-run", user="王芳", now="2026-05-06T10:00:00", env=EN)
    assert english.exit_code == 0, english.stderr
    for said in ("Rows with errors", "no name", "is in the future", "Duplicate phones (not imported)",
                 "phone 13800138000 is already on card A00001 (张三): not imported again", "Would import 1 cards",
                 "skipped 2 rows with errors", "(dry run,"):
        assert said in english.stdout, said
    assert chinese_left(english.stdout) == [], english.stdout
