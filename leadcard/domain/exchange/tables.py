"""Tables from the files a store keeps in Excel: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030, UTF-16
"Unicode text"; commas, tabs or semicolons) and XLSX workbooks, each streamed row by row with its
line number, so an import never holds a whole file."""

from __future__ import annotations

import codecs
import csv
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from leadcard.errors import BadInput
from leadcard.domain.exchange.layout import CARD_SHEET, FOLLOWUP_SHEET, INSTRUCTION_SHEET, header_key


@dataclass
class Table:
    """One sheet or CSV file: its header and its rows, streamed with their line numbers."""

    part: str
    path: Path
    header: list[str]
    rows: Iterator[tuple[int, list]]
    encoding: str | None = None


def is_workbook(path: Path) -> bool:
    return path.suffix.lower() in (".xlsx", ".xlsm")


def open_tables(stack: ExitStack, path: Path, more: dict[str, Path | None]) -> dict[str, Table]:
    """The tables by part (意向客户, 跟进记录, 主管批示): a workbook's sheets, or a file each."""
    if not path.is_file():
        raise BadInput(f"no file {path}")
    tables = _xlsx_tables(stack, path) if is_workbook(path) else {CARD_SHEET: _csv_table(stack, path, CARD_SHEET)}
    for part, extra in more.items():
        if extra is None:
            continue
        if part in tables:
            raise BadInput(f"{path.name} already has a {part} sheet: leave out the file for it")
        extra = Path(extra)
        if not extra.is_file():
            raise BadInput(f"no file {extra}")
        tables[part] = _xlsx_tables(stack, extra)[CARD_SHEET] if is_workbook(extra) else _csv_table(stack, extra, part)
        tables[part].part = part
    return tables


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
        first_line = f.readline()
    except UnicodeDecodeError:
        raise BadInput(f"cannot read {path.name}: neither UTF-8 nor GBK/GB18030 text") from None
    f.seek(0)
    # Excel saves "CSV" with commas, or tabs ("Unicode text"), or semicolons in some locales.
    delimiter = next((d for d in ",\t;" if d in first_line), ",")
    reader = csv.reader(f, delimiter=delimiter)

    def rows() -> Iterator[tuple[int, list]]:
        try:
            yield from enumerate(reader, start=2)
        except UnicodeDecodeError:
            raise BadInput(f"cannot read {path.name}: neither UTF-8 nor GBK/GB18030 text") from None
        except csv.Error as exc:
            raise BadInput(f"{path.name} line {reader.line_num}: {exc}") from None

    header = next(reader, None)
    if not header:
        raise BadInput(f"{path.name} is empty: the first line must name the columns (姓名, 电话, …)")
    return Table(part, path, header, rows(), "utf-8-bom" if encoding == "utf-8-sig" else encoding)


def _xlsx_tables(stack: ExitStack, path: Path) -> dict[str, Table]:
    """The first sheet holds the cards; sheets titled 跟进记录 and 主管批示 the rest (an untitled
    second sheet is taken for the history). Empty sheets are left out."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors for a bad file
        raise BadInput(f"cannot read {path.name} as an Excel workbook ({type(exc).__name__})") from None
    stack.callback(book.close)
    sheets = book.worksheets
    titled = {header_key(s.title): s for s in sheets[1:]}
    found = {CARD_SHEET: sheets[0]}
    for part in (FOLLOWUP_SHEET, INSTRUCTION_SHEET):
        if header_key(part) in titled:
            found[part] = titled[header_key(part)]
    if FOLLOWUP_SHEET not in found and len(sheets) > 1 and sheets[1] is not found.get(INSTRUCTION_SHEET):
        found[FOLLOWUP_SHEET] = sheets[1]
    tables = {part: _sheet_table(path, sheet, part) for part, sheet in found.items()}
    if not tables[CARD_SHEET].header:
        raise BadInput(f"{path.name}: the first sheet is empty; its first row must name the columns (姓名, 电话, …)")
    return {part: table for part, table in tables.items() if table.header}


def _sheet_table(path: Path, sheet, part: str) -> Table:
    sheet.reset_dimensions()  # some writers store wrong dimensions; read what is there
    rows = enumerate(sheet.iter_rows(values_only=True), start=1)
    first = next(rows, None)
    header = [("" if v is None else str(v)) for v in first[1]] if first else []
    while header and not header[-1].strip():
        header.pop()
    return Table(part, path, header, ((n, list(values)) for n, values in rows))
