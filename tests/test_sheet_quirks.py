"""Sheets as they reach a showroom from Excel, WPS and CRM exports: a quote left open, Excel's own
escapes, days written without their year, phones kept as text, a title above the header, more
sheets than the cards, rows of spaces — each imported as meant, or refused saying where."""

from openpyxl import Workbook

NOW = "2026-11-23T08:30:00"


def names(lc):
    return sorted(c["name"] for c in lc.json("list"))


def workbook(path, cards: list, **sheets: list):
    """A workbook with the cards' rows on its first sheet and more sheets by their titles, saved."""
    book = Workbook()
    for row in cards:
        book.active.append(row)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return book


def refused_csv(lc, path, text: bytes, exit_code: int):
    """Importing a CSV of these bytes is refused with this exit code, one line and no traceback,
    and nothing is written."""
    lc.now = NOW
    path.write_bytes(text)
    result = lc("import", str(path))
    assert result.exit_code == exit_code and "Traceback" not in result.stderr
    assert names(lc) == []
    return result


# -- a quote left open in a CSV ---------------------------------------------------------------------


def test_a_quote_left_open_in_a_csv_is_refused_at_its_row_and_nothing_is_imported(lc, tmp_path):
    text = '姓名,电话,备注\n卫一,13800139001,"价格太高\n卫二,13800139002,普通\n'
    refused = refused_csv(lc, tmp_path / "q.csv", text.encode(), 2)
    assert "第 2 行" in refused.stderr and "引号未闭合" in refused.stderr


def test_a_quote_closed_too_early_is_told_at_the_row_it_opened_on(lc, tmp_path):
    text = '姓名,电话,备注\n卫一,13800139001,"价格太高\n卫二,13800139002,他说"好"\n'
    refused = refused_csv(lc, tmp_path / "q.csv", text.encode(), 2)
    assert "第 2 行" in refused.stderr and "引号" in refused.stderr


def test_quotes_inside_a_cell_as_excel_writes_them_still_import(lc, tmp_path):
    lc.now = NOW
    path = tmp_path / "q.csv"
    path.write_bytes('姓名,电话,备注\n卫一,13800139001,他说"好"\n卫二,13800139002,"说""再看看"""\n'
                     '卫三,13800139003,"两行\n备注"\n'.encode())
    lc.ok("import", str(path))
    assert lc.json("show", "卫一")["notes"] == '他说"好"'
    assert lc.json("show", "卫二")["notes"] == '说"再看看"'
    assert lc.json("show", "卫三")["notes"] == "两行\n备注"


# -- a phone kept as text -----------------------------------------------------------------------------


def test_a_phone_behind_excels_text_mark_is_the_phone(lc, tmp_path):
    lc.now = NOW
    cards = tmp_path / "crm.csv"
    cards.write_bytes("姓名,电话,建卡时间\n卫一,'13800138002,2026-11-19\n卫二,'010-12345678,2026-11-19\n".encode())
    history = tmp_path / "跟进.csv"
    history.write_bytes("电话,跟进时间,方式,洽谈内容\n'13800138002,2026-11-20 10:00,电话,问了价格\n".encode())
    report = lc.json("import", str(cards), "--followups", str(history))
    assert report["imported"] == {"cards": 2, "followups": 1, "instructions": 0}
    assert {c["name"]: c["phone"] for c in lc.json("list")} == {"卫一": "13800138002", "卫二": "01012345678"}
    assert lc.json("show", "卫一")["followups"][0]["content"] == "问了价格"


# -- rows of spaces ---------------------------------------------------------------------------------


def test_a_row_of_spaces_is_blank_and_skipped(lc, tmp_path):
    lc.now = NOW
    path = tmp_path / "q.csv"
    path.write_bytes("姓名,电话,备注\n卫一,13800139001,\n  , ,\u3000\n,,\n卫二,13800139002,\n".encode())
    assert lc.json("import", str(path))["imported"]["cards"] == 2
    book = Workbook()
    book.active.append(["姓名", "电话"])
    book.active.append([" ", "  "])
    book.active.append(["卫三", "13800139003"])
    book.save(tmp_path / "q.xlsx")
    assert lc.json("import", str(tmp_path / "q.xlsx"))["imported"]["cards"] == 1
    assert names(lc) == ["卫一", "卫三", "卫二"]


# -- days without their year ------------------------------------------------------------------------


def test_a_day_without_its_year_is_the_latest_such_day_before_the_import(lc, tmp_path):
    """Said on 23 November, 5月20日 is six months ago, not next May: a record's time is past."""
    lc.now = NOW
    cards = tmp_path / "卡.csv"
    cards.write_bytes("姓名,电话,建卡时间\n卫一,13800139001,5月20日\n卫二,13800139002,12月20日\n".encode())
    history = tmp_path / "跟进.csv"
    history.write_bytes("电话,跟进时间,方式,洽谈内容,下次访问时间\n"
                        "13800139001,5月21日 10:00,电话,问了价格,5月28日\n"
                        "13800139002,12月20日 15:00,电话,年底再看,1月5日\n".encode())
    lc.ok("import", str(cards), "--followups", str(history))
    first, second = lc.json("show", "卫一"), lc.json("show", "卫二")
    assert first["created_at"] == "2026-05-20T00:00:00+08:00"
    assert first["followups"][0]["at"] == "2026-05-21T10:00:00+08:00"
    # A contact planned at a follow-up is the first such day after it, across the turn of a year too.
    assert first["followups"][0]["next_at"] == "2026-05-28T00:00:00+08:00"
    assert second["created_at"] == "2025-12-20T00:00:00+08:00"
    assert second["followups"][0]["next_at"] == "2026-01-05T00:00:00+08:00"


def test_a_day_without_its_year_on_the_command_line_is_still_the_nearest(lc):
    lc.now = NOW
    lc.ok("add", "卫三", "--phone", "13800139003")
    assert lc.json("log", "卫三", "--channel", "phone", "--content", "约了", "--next", "5月20日")["next_at"] \
        .startswith("2027-05-20")


# -- Excel's escapes in a workbook's strings ----------------------------------------------------------


def excel_book(path, rows):
    """A workbook as Excel saves it: every text in the shared strings, written as stored there (with
    Excel's `_xHHHH_` escapes) — openpyxl writes its strings inline."""
    import zipfile
    from xml.sax.saxutils import escape

    strings = [text for row in rows for text in row]
    cells = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{chr(65 + c)}{r}" t="s"><v>{strings.index(text)}</v></c>'
                                   for c, text in enumerate(row)) + "</row>"
        for r, row in enumerate(rows, 1))
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    relations = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            '</Types>'),
        "_rels/.rels": (f'<Relationships xmlns="{package}"><Relationship Id="rId1" Type="{relations}/officeDocument" '
                        'Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (f'<workbook xmlns="{main}" xmlns:r="{relations}"><sheets>'
                            '<sheet name="意向客户" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{package}">'
            f'<Relationship Id="rId1" Type="{relations}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{relations}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData>{cells}</sheetData></worksheet>',
        "xl/sharedStrings.xml": (f'<sst xmlns="{main}">'
                                 + "".join(f'<si><t xml:space="preserve">{escape(t)}</t></si>' for t in strings)
                                 + "</sst>"),
    }
    with zipfile.ZipFile(path, "w") as book:
        for name, text in parts.items():
            book.writestr(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + text)
    return path


def test_excels_escapes_in_a_workbook_are_undone_as_excel_does(lc, tmp_path):
    lc.now = NOW
    path = excel_book(tmp_path / "卡.xlsx", [
        ["姓名", "电话", "备注"],
        ["卫一", "13800139001", "价格太高_x000D_\n再看看"],  # a Windows line break in a cell
        ["卫二", "13800139002", "编号_x00_照抄 x000D_"],  # not an escape
    ])
    lc.ok("import", str(path))
    assert lc.json("show", "卫一")["notes"] == "价格太高\n再看看"
    assert lc.json("show", "卫二")["notes"] == "编号_x00_照抄 x000D_"


def test_a_control_character_escaped_in_a_workbook_makes_its_row_bad(lc, tmp_path):
    lc.now = NOW
    path = excel_book(tmp_path / "卡.xlsx", [["姓名", "电话", "备注"], ["卫一", "13800139001", "响铃_x0007_"]])
    refused = lc("import", str(path))
    assert refused.exit_code == 1 and "第 2 行" in refused.stdout and "控制字符" in refused.stdout
    assert names(lc) == []


# -- a title above the header -------------------------------------------------------------------------


def test_a_title_row_above_the_header_is_passed_over(lc, tmp_path):
    lc.now = NOW
    book = Workbook()
    sheet = book.active
    sheet.append(["XX4S店意向客户管理卡"])
    sheet.merge_cells("A1:D1")
    sheet.append(["序号", "客户姓名", "手机号码", "客户级别"])
    sheet.append([1, "卫一", "13800139001", "H级"])
    sheet.append([2, "卫二", "13800139002", "D级"])
    book.save(tmp_path / "卡.xlsx")
    refused = lc("import", str(tmp_path / "卡.xlsx"))
    # The rows keep the numbers Excel shows beside them.
    assert refused.exit_code == 1 and "第 4 行" in refused.stdout and "「D级」" in refused.stdout
    sheet.delete_rows(4)
    book.save(tmp_path / "卡.xlsx")
    lc.ok("import", str(tmp_path / "卡.xlsx"))
    assert lc.json("show", "卫一")["grade"] == "H" and lc.json("show", "卫一")["notes"] is None


def test_a_table_starting_at_b2_is_read(lc, tmp_path):
    lc.now = NOW
    book = Workbook()
    sheet = book.active
    sheet["B2"], sheet["C2"], sheet["B3"], sheet["C3"] = "姓名", "电话", "卫一", "13800139001"
    book.save(tmp_path / "卡.xlsx")
    lc.ok("import", str(tmp_path / "卡.xlsx"))
    assert names(lc) == ["卫一"]


def test_a_csv_with_title_lines_above_its_header_is_read_with_its_own_row_numbers(lc, tmp_path):
    text = "XX4S店意向客户登记表\n2026年11月\n姓名,电话,备注\n卫一,13800139001,\n卫二,,\n"
    assert "第 5 行：没有电话" in refused_csv(lc, tmp_path / "卡.csv", text.encode("gbk"), 1).stdout


def test_a_sheet_without_its_header_in_the_first_rows_still_says_which_columns_are_missing(lc, tmp_path):
    refused = refused_csv(lc, tmp_path / "卡.csv", "客户管理卡\n客户姓名,备注\n卫一,你好\n".encode(), 2)
    assert "缺少这些列：电话" in refused.stderr


# -- more sheets than the cards ---------------------------------------------------------------------


def test_a_hidden_sheet_is_not_read_and_the_cards_are_the_first_visible_one(lc, tmp_path):
    lc.now = NOW
    book = Workbook()
    lists = book.active
    lists.title = "下拉选项"
    for word in ("H级", "A级", "B级"):
        lists.append([word])
    lists.sheet_state = "hidden"
    cards = book.create_sheet("客户")
    cards.append(["姓名", "电话"])
    cards.append(["卫一", "13800139001"])
    book.save(tmp_path / "卡.xlsx")
    result = lc.ok("import", str(tmp_path / "卡.xlsx"))
    assert names(lc) == ["卫一"] and "下拉选项（隐藏）" in result.stderr


def test_a_sheet_after_the_cards_is_history_only_when_its_title_or_header_says_so(lc, tmp_path):
    lc.now = NOW
    workbook(tmp_path / "卡.xlsx", [["姓名", "电话", "建卡时间"], ["卫一", "13800139001", "2026-11-01"]],
             统计=[["级别", "人数"], ["H", 1]],
             Sheet3=[["电话", "跟进时间", "方式", "洽谈内容"], ["13800139001", "2026-11-02 10:00", "电话", "问了价格"]],
             领导意见=[["电话", "批示时间", "批示内容"], ["13800139001", "2026-11-03 09:00", "周末请他来试驾"]])
    report = lc.json("import", str(tmp_path / "卡.xlsx"))
    assert report["imported"] == {"cards": 1, "followups": 1, "instructions": 1}
    assert report["ignored_sheets"] == [{"file": "卡.xlsx", "sheet": "统计", "hidden": False}]
    card = lc.json("show", "卫一")
    assert [f["content"] for f in card["followups"]] == ["问了价格"]


# -- problems that say where they are ------------------------------------------------------------------


def test_a_problem_in_the_history_names_its_sheet_and_a_bad_date_its_column(lc, tmp_path):
    lc.now = NOW
    book = workbook(tmp_path / "卡.xlsx", [["姓名", "电话", "建档日期"], ["卫一", "13800139001", "2026-11-01"]],
                    跟进记录=[["电话", "跟进时间", "方式", "洽谈内容"], ["13800139001", "上周的某天", "电话", "问了价格"]])
    refused = lc("import", str(tmp_path / "卡.xlsx"))
    assert refused.exit_code == 1
    assert "跟进记录：第 2 行：跟进时间：不是日期：`上周的某天`" in refused.stdout
    book.active["C2"] = "十一月一号"
    book.save(tmp_path / "卡.xlsx")
    # A card's date is told by the file's own header of its column.
    assert "第 2 行：建档日期：不是日期：`十一月一号`" in lc("import", str(tmp_path / "卡.xlsx")).stdout


def test_an_unknown_supervisor_is_told_as_the_instructions_column_names_them(lc, tmp_path):
    lc.now = NOW
    lc.ok("user", "add", "经理甲", "--role", "manager")
    lc.user = "经理甲"
    cards = tmp_path / "卡.csv"
    cards.write_bytes("姓名,电话,建卡时间\n卫一,13800139001,2026-11-01\n".encode())
    notes = tmp_path / "批示.csv"
    notes.write_bytes("电话,批示时间,批示人,批示内容\n13800139001,2026-11-02 09:00,张主管,请他来试驾\n".encode())
    refused = lc("import", str(cards), "--instructions", str(notes))
    assert refused.exit_code == 1 and "主管批示：第 2 行：没有名为 张主管 的用户（批示人）" in refused.stdout


def test_an_xls_or_et_file_is_told_to_be_saved_as_xlsx_or_csv(lc, tmp_path):
    ole = bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 504
    for name in ("客户.xls", "客户.et", "客户.csv"):  # the last an .xls renamed
        (tmp_path / name).write_bytes(ole)
        refused = refused_csv(lc, tmp_path / name, ole, 2)
        assert "另存为” .xlsx 或 CSV" in refused.stderr, refused.stderr
    binary = refused_csv(lc, tmp_path / "客户.dat", b"\x81\x30\xff\xfe\x00\x01" * 20, 2)
    assert "不是 UTF-8 或 GBK/GB18030 编码的文本" in binary.stderr and ".xlsx 或 CSV" in binary.stderr
