"""Tables from the files a store keeps in Excel: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030, UTF-16
"Unicode text"; commas, tabs or semicolons) and XLSX workbooks, each streamed row by row with its
line number, so an import never holds a whole file."""

from __future__ import annotations

import codecs
import csv
import re
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from leadcard.errors import BadInput
from leadcard.i18n import _
from leadcard.domain.exchange.layout import CARD_SHEET, header_fit, header_key

# What a table may hold, so that an import's memory stays flat whatever the file: rows are read a
# chunk at a time, and these bound what one row (and a workbook's shared strings) can cost. Excel's
# own limits: a sheet holds 1,048,576 rows, a cell 32,767 characters.
MAX_ROWS = 1_048_576
MAX_CELL_CHARS = 32_767
MAX_COLUMNS = 256  # a card sheet has about 45; more is not a sheet of cards
MAX_LINE_CHARS = 1_000_000  # one CSV line (a record may span several, each within it)
# A table's header is looked for among its first rows: a title (merged cells) may stand above it.
HEADER_ROWS = 10
# A workbook part unpacking beyond this many times its packed size, and beyond this size, is a zip
# bomb rather than a sheet (real sheets pack 3 to 30 times).
MAX_UNPACK_RATIO = 200
MAX_UNPACK_BYTES = 32 << 20


@dataclass
class Table:
    """One sheet or CSV file: its header and its rows, streamed with their line numbers."""

    part: str
    path: Path
    header: list[str]
    rows: Iterator[tuple[int, list]]
    encoding: str | None = None
    sheet: str | None = None  # a workbook's sheet's title


@dataclass(frozen=True)
class IgnoredSheet:
    """A workbook's sheet that holds no part an import reads (统计, 下拉选项 …): left as it is."""

    file: str
    sheet: str
    hidden: bool


def is_blank(row: list | tuple) -> bool:
    """A row with nothing in it, spaces only included (a row a sheet's user cleared with the space bar)."""
    for value in row:  # the first cell is usually filled: most rows cost one look
        if value.__class__ is str:
            if value and not value.isspace():
                return False
        elif value is not None:
            return False
    return True


def is_workbook(path: Path) -> bool:
    return path.suffix.lower() in (".xlsx", ".xlsm")


def open_tables(stack: ExitStack, path: Path,
                more: dict[str, Path | None]) -> tuple[dict[str, Table], list[IgnoredSheet]]:
    """The tables by part (意向客户, 跟进记录, 主管批示): a workbook's sheets, or a file each; and the
    sheets of the workbooks read that hold none of them."""
    if not path.is_file():
        raise BadInput(_("没有文件 {path}").format(path=path))
    _refuse_unreadable_workbook(path)
    given = tuple(part for part, extra in more.items() if extra is not None)
    if is_workbook(path):
        tables, ignored = _xlsx_tables(stack, path, (CARD_SHEET, *(p for p in more if p not in given)), given)
    else:
        tables, ignored = {CARD_SHEET: _csv_table(stack, path, CARD_SHEET)}, []
    for part in given:
        extra = Path(more[part])
        if not extra.is_file():
            raise BadInput(_("没有文件 {path}").format(path=extra))
        _refuse_unreadable_workbook(extra)
        if is_workbook(extra):
            found, more_ignored = _xlsx_tables(stack, extra, (part,))
            tables.update(found)
            ignored += more_ignored
        else:
            tables[part] = _csv_table(stack, extra, part)
    return tables, ignored


# Spreadsheets saved in a format of their own, which only Excel or WPS reads: the old Excel
# workbook (.xls, .xlt), WPS's (.et, .ett) and Excel's binary one (.xlsb). The first two are OLE
# compound files, whatever their name says.
_OTHER_SHEET_SUFFIXES = (".xls", ".xlt", ".et", ".ett", ".xlsb")
_OLE_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")


def _refuse_unreadable_workbook(path: Path) -> None:
    """A spreadsheet openpyxl cannot read, by its name or its first bytes, told how to make it one."""
    with path.open("rb") as f:
        start = f.read(len(_OLE_SIGNATURE))
    if path.suffix.lower() in _OTHER_SHEET_SUFFIXES or start == _OLE_SIGNATURE:
        raise BadInput(_("{file} 是 .xls（旧版 Excel）、.et（WPS）一类的表格格式，无法直接导入："
                         "请在 Excel 或 WPS 中“另存为” .xlsx 或 CSV 文件，再导入").format(file=path.name))


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) if the whole file decodes as such, else GB18030 (a superset of GBK).

    Excel's "Unicode text" is UTF-16 with its BOM (and tabs).
    """
    with path.open("rb") as f:
        start = f.read(3)
        if start == codecs.BOM_UTF8:
            return "utf-8-sig"
        if start[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            return "utf-16"
        f.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := f.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"


def _csv_table(stack: ExitStack, path: Path, part: str) -> Table:
    encoding = detect_encoding(path)
    f = stack.enter_context(path.open(encoding=encoding, newline=""))
    try:
        first_lines = [f.readline(MAX_LINE_CHARS) for _line in range(HEADER_ROWS)]
    except UnicodeDecodeError:
        raise _not_text(path) from None
    f.seek(0)
    # Excel saves "CSV" with commas, or tabs ("Unicode text"), or semicolons in some locales; a
    # title above the header may have none.
    delimiter = next((d for line in first_lines for d in ",\t;" if d in line), ",")
    csv.field_size_limit(MAX_CELL_CHARS)
    # strict: a cell opened by a quote and never closed would otherwise swallow every later row
    # into that one cell, and import a file cut short without a word.
    reader = csv.reader(_lines(f, path), delimiter=delimiter, strict=True)

    def read(row: int):
        """The record that starts on the sheet's row `row` (the header is row 1), or None at the end."""
        try:
            return next(reader, None)
        except UnicodeDecodeError:
            raise _not_text(path) from None
        except csv.Error as exc:
            raise _csv_problem(path, row, str(exc)) from None

    first_rows = []
    while len(first_rows) < HEADER_ROWS and (record := read(len(first_rows) + 1)) is not None:
        first_rows.append(record)
    if all(is_blank(row) for row in first_rows):
        raise BadInput(_("{file} 是空的：第一行必须是列名（姓名、电话……）").format(file=path.name))
    at = header_index(part, first_rows)
    header = first_rows[at]
    width = _width(path, header)
    del header[width:]
    waiting = first_rows[at + 1:]

    def next_row(line: int) -> list | None:
        return waiting.pop(0) if waiting else read(line)

    def rows() -> Iterator[tuple[int, list]]:
        for line in range(at + 2, MAX_ROWS + 2):
            row = next_row(line)
            if row is None:
                return
            yield line, row[:width]  # cells beyond the named columns belong to no field
        if next_row(MAX_ROWS + 2) is not None:
            raise _too_many_rows(path)

    return Table(part, path, header, rows(), "utf-8-bom" if encoding == "utf-8-sig" else encoding)


def header_index(part: str, first_rows: list) -> int:
    """Which of a table's first rows is its header (a title in merged cells, a date or blank rows
    may stand above it): the first that names every field the part needs; else the first naming
    the most of them, so that the refusal says what is missing; else the first with anything in it."""
    best, most = None, 0
    for index, row in enumerate(first_rows):
        complete, known = header_fit(part, row)
        if complete:
            return index
        if known > most:
            best, most = index, known
    if best is not None:
        return best
    return next((index for index, row in enumerate(first_rows) if not is_blank(row)), 0)


def _csv_problem(path: Path, row: int, error: str) -> BadInput:
    """The csv module's complaint about the record starting on `row`, in the reader's words: a quote
    not closed makes the rest of the file one cell, so no row after it can be trusted."""
    if "field limit" in error:
        return _cell_too_long(path, row)
    if "end of data" in error:
        reason = _("引号未闭合：这一格以引号 \" 开头，直到文件末尾都没有与之配对的引号（格内的引号要写成两个 \"\"）")
    elif "expected after" in error:
        reason = _("引号用法有误：以引号 \" 开头的一格，配对的引号后面必须紧接分隔符或换行（格内的引号要写成两个 \"\"）")
    else:
        reason = error
    return BadInput(_("{file} 第 {line} 行：{reason}").format(file=path.name, line=row, reason=reason))


def _not_text(path: Path) -> BadInput:
    return BadInput(_("无法读取 {file}：它不是 UTF-8 或 GBK/GB18030 编码的文本（CSV）；"
                      "若是 Excel 的 .xls 或 WPS 的 .et 表格，请另存为 .xlsx 或 CSV 再导入").format(file=path.name))


def _lines(f, path: Path) -> Iterator[str]:
    """The file's lines, refusing one too long to be a row: the csv module would hold it whole."""
    while line := f.readline(MAX_LINE_CHARS + 1):
        if len(line) > MAX_LINE_CHARS:
            raise BadInput(_("{file}：有一行超过 {limit} 个字符，不是可导入的表格").format(
                file=path.name, limit=f"{MAX_LINE_CHARS:,}"))
        yield line


def _width(path: Path, header: list) -> int:
    """How many columns the header names (trailing blanks left out), within MAX_COLUMNS."""
    width = len(header)
    while width and (header[width - 1] is None or not str(header[width - 1]).strip()):
        width -= 1
    if width > MAX_COLUMNS:
        raise BadInput(_("{file}：共 {width} 列，卡片表最多 {limit} 列").format(
            file=path.name, width=f"{width:,}", limit=MAX_COLUMNS))
    return width


def _cell_too_long(path: Path, line: int) -> BadInput:
    return BadInput(_("{file} 第 {line} 行：有单元格超过 {limit} 个字符（Excel 自身的上限）").format(
        file=path.name, line=line, limit=f"{MAX_CELL_CHARS:,}"))


def _too_many_rows(path: Path) -> BadInput:
    return BadInput(_("{file}：超过 {limit} 行（Excel 自身的上限），请拆分文件").format(
        file=path.name, limit=f"{MAX_ROWS:,}"))


def _xlsx_tables(stack: ExitStack, path: Path, parts: tuple[str, ...],
                 given: tuple[str, ...] = ()) -> tuple[dict[str, Table], list[IgnoredSheet]]:
    """The workbook's sheet of each part, the first of `parts` (the file's own) required: the
    visible sheet titled as the part (跟进记录, 主管批示, as export writes them), else the first
    whose header names what the part needs; else, for the file's own part, its first visible sheet.
    Hidden sheets (下拉选项) and the others (统计) are left out and told; so are empty ones, untold.
    `given`: the parts with a file of their own, which a sheet must not hold too."""
    from openpyxl import load_workbook

    _refuse_zip_bomb(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors for a bad file
        raise BadInput(_("无法把 {file} 当作 Excel 工作簿读取（{error}）").format(
            file=path.name, error=type(exc).__name__)) from None
    stack.callback(book.close)
    visible = [sheet for sheet in book.worksheets if sheet.sheet_state == "visible"]
    first_rows: dict[str, list] = {}

    def head(sheet) -> list:
        if sheet.title not in first_rows:
            first_rows[sheet.title] = _first_rows(sheet)
        return first_rows[sheet.title]

    for sheet in visible:
        if header_key(sheet.title) in map(header_key, given) and not all(is_blank(row) for row in head(sheet)):
            raise BadInput(_("{file} 里已有「{part}」工作表：去掉为它另给的文件").format(file=path.name, part=sheet.title))
    found = {}
    for part in parts:
        titled = next((sheet for sheet in visible if header_key(sheet.title) == header_key(part)), None)
        if titled is not None:
            found[part] = titled
    for part in parts:
        free = [sheet for sheet in visible if sheet not in found.values()]
        if part not in found and free:
            fits = (sheet for sheet in free if any(header_fit(part, row)[0] for row in head(sheet)))
            found[part] = next(fits, free[0] if part == parts[0] else None)
    if found.get(parts[0]) is None:
        raise BadInput(_("{file}：没有可读的工作表（隐藏的工作表不读）").format(file=path.name))
    tables = {part: _sheet_table(path, sheet, part, head(sheet)) for part, sheet in found.items() if sheet}
    if not tables[parts[0]].header:
        raise BadInput(_("{file}：工作表「{sheet}」是空的：它要有一行列名和其下的数据").format(
            file=path.name, sheet=found[parts[0]].title))
    read = [table.sheet for table in tables.values() if table.header]
    ignored = [IgnoredSheet(path.name, sheet.title, sheet.sheet_state != "visible") for sheet in book.worksheets
               if sheet.title not in read and not all(is_blank(row) for row in head(sheet))]
    return {part: table for part, table in tables.items() if table.header}, ignored


def _first_rows(sheet) -> list[list]:
    """A sheet's first rows, where its header is looked for."""
    sheet.reset_dimensions()  # some writers store wrong dimensions; read what is there
    return [[_unescaped(v) if v.__class__ is str else v for v in row]
            for row in sheet.iter_rows(max_row=HEADER_ROWS, values_only=True)]


def _sheet_table(path: Path, sheet, part: str, first_rows: list) -> Table:
    at = header_index(part, first_rows) if first_rows else 0
    header = [("" if v is None else str(v)) for v in first_rows[at]] if first_rows else []
    del header[_width(path, header):]
    if not header:
        return Table(part, path, header, iter(()), sheet=sheet.title)
    # Rows are read only as wide as the header: a stray cell in column XFD would otherwise make every
    # row 16,384 cells wide, and a chunk of them a gigabyte.
    values = sheet.iter_rows(min_row=at + 2, max_col=len(header), values_only=True)

    def rows() -> Iterator[tuple[int, list]]:
        for line, row in zip(range(at + 2, MAX_ROWS + 2), values):
            cells = list(row)
            for index, value in enumerate(cells):
                if value.__class__ is str:
                    if len(value) > MAX_CELL_CHARS:
                        raise _cell_too_long(path, line)
                    if "_x" in value:
                        cells[index] = _unescaped(value)
            yield line, cells
        if next(values, None) is not None:
            raise _too_many_rows(path)

    return Table(part, path, header, rows(), sheet=sheet.title)


# Excel's escape of a character XML cannot hold (OOXML's ST_Xstring): a carriage return is stored
# `_x000D_`, a bell `_x0007_`, and an underscore that would begin such an escape `_x005F_`.
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescaped(text: str) -> str:
    """A workbook's string as typed. openpyxl has taken out the `x005F_` of an escaped underscore
    already (so a text typed as `_x000D_`, stored `_x005F_x000D_`, is read as a carriage return: none
    is typed so). A half of a surrogate pair stays as stored: no text holds one."""
    return _EXCEL_ESCAPE.sub(_escaped_character, text) if "_x" in text else text


def _escaped_character(match: re.Match) -> str:
    code = int(match.group(1), 16)
    return match.group() if 0xD800 <= code <= 0xDFFF else chr(code)


def _refuse_zip_bomb(path: Path) -> None:
    """A workbook is a zip: refuse one whose parts unpack to far more than any sheet does, before
    openpyxl reads its shared strings whole."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as book:
            parts = book.infolist()
    except (zipfile.BadZipFile, OSError):
        return  # openpyxl says what is wrong with it
    for part in parts:
        if part.file_size > MAX_UNPACK_BYTES and part.file_size > MAX_UNPACK_RATIO * max(part.compress_size, 1):
            raise BadInput(_("{file}：其中的 {part} 从 {packed} 字节解压成 {unpacked} 字节，不是可导入的工作簿").format(
                file=path.name, part=part.filename, packed=f"{part.compress_size:,}",
                unpacked=f"{part.file_size:,}"))
