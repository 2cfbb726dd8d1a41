"""Sheets as they reach a showroom from Excel, WPS and CRM exports: a quote left open, Excel's own
escapes, days written without their year, phones kept as text, a title above the header, more
sheets than the cards, rows of spaces — each imported as meant, or refused saying where."""

from openpyxl import Workbook

NOW = "2026-11-23T08:30:00"


def names(lc):
    return sorted(c["name"] for c in lc.json("list"))


# -- a quote left open in a CSV ---------------------------------------------------------------------


def test_a_quote_left_open_in_a_csv_is_refused_at_its_row_and_nothing_is_imported(lc, tmp_path):
    lc.now = NOW
    path = tmp_path / "q.csv"
    path.write_bytes('姓名,电话,备注\n卫一,13800139001,"价格太高\n卫二,13800139002,普通\n'.encode())
    refused = lc("import", str(path))
    assert refused.exit_code == 2 and "Traceback" not in refused.stderr
    assert "第 2 行" in refused.stderr and "引号未闭合" in refused.stderr
    assert names(lc) == []


def test_a_quote_closed_too_early_is_told_at_the_row_it_opened_on(lc, tmp_path):
    lc.now = NOW
    path = tmp_path / "q.csv"
    path.write_bytes('姓名,电话,备注\n卫一,13800139001,"价格太高\n卫二,13800139002,他说"好"\n'.encode())
    refused = lc("import", str(path))
    assert refused.exit_code == 2 and "第 2 行" in refused.stderr and "引号" in refused.stderr
    assert names(lc) == []


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
        ["卫二", "13800139002", "编号_x005F_x000D_照抄"],  # the text `_x000D_` as typed
    ])
    lc.ok("import", str(path))
    assert lc.json("show", "卫一")["notes"] == "价格太高\n再看看"
    assert lc.json("show", "卫二")["notes"] == "编号_x000D_照抄"


def test_a_control_character_escaped_in_a_workbook_makes_its_row_bad(lc, tmp_path):
    lc.now = NOW
    path = excel_book(tmp_path / "卡.xlsx", [["姓名", "电话", "备注"], ["卫一", "13800139001", "响铃_x0007_"]])
    refused = lc("import", str(path))
    assert refused.exit_code == 1 and "第 2 行" in refused.stdout and "控制字符" in refused.stdout
    assert names(lc) == []
