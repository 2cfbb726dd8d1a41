"""Reading an import's tables: which column holds which field, each row's cells as values, a chunk
of rows at a time, and where the rows left out go (the report's errors; with --skip-bad, a CSV)."""

from __future__ import annotations

import csv
import os
import tempfile
from contextlib import ExitStack
from itertools import islice
from pathlib import Path
from typing import Callable, Iterator

from leadcard.domain.exchange.import_report import ImportReport, Problem
from leadcard.domain.exchange.layout import CARD_SHEET, LAYOUTS, Column, header_key
from leadcard.domain.exchange.tables import Table, is_blank, is_workbook
from leadcard.errors import BadInput
from leadcard.i18n import _
from leadcard.usertext import check_text, from_cell, to_cell

class BadRow(Exception):
    """Why a row cannot be imported: raised by its checks, reported by the Rows it came from. `kind`,
    `summary` and `value` group it with rows alike (import_report.Problem)."""

    def __init__(self, reason: str, kind: str = "other", summary: str | None = None, value: str | None = None):
        super().__init__(reason)
        self.kind, self.summary, self.value = kind, summary, value
        self.others: list[BadRow] = []  # the row's other problems, found by checks of other cells

    @classmethod
    def of(cls, problems: list["BadRow"]) -> "BadRow":
        """Every problem of a row at once: a bad grade must not hide a bad phone on the same row."""
        first = problems[0]
        first.others = problems[1:]
        return first

    def again(self) -> "BadRow":
        """The same complaint for another row with the same value (a cached parse)."""
        return BadRow(str(self), self.kind, self.summary, self.value)


class Rows:
    """A table's rows validated a chunk at a time: iterating yields (line, cells, row) of the good
    ones, `parse` making each row of its values; the bad ones are reported (and written to the
    rejects file) as they come. Blank rows (spaces only too) are skipped."""

    def __init__(self, stack: ExitStack, table: Table, report: ImportReport,
                 parse: Callable[[dict, list], dict], chunk: int,
                 step: Callable[[int, int | None], None] | None = None):
        self.table, self.report, self.parse, self.chunk, self.step = table, report, parse, chunk, step
        self.part = table.part
        self.rejects = _rejects(stack, table, report)
        self.mapping = _columns(table, *LAYOUTS[table.part], report)
        # The fields the table has a column for: a row's values are among them.
        self.fields = frozenset(key for key, _index, _title in self.mapping if key[0] != "?")

    def __iter__(self) -> Iterator[list[tuple[int, list, dict]]]:
        rows, mapping, parse, reject = self.table.rows, self.mapping, self.parse, self.reject
        read = 0
        while chunk := list(islice(rows, self.chunk)):
            read += len(chunk)
            good = []
            for line, raw in chunk:
                if is_blank(raw):
                    continue
                try:
                    good.append((line, raw, parse(*_cells(raw, mapping))))
                except BadRow as exc:
                    reject(line, raw, exc, *exc.others)
            yield good
            if self.step is not None:
                self.step(read, None)

    def reject(self, line: int, raw: list, *problems: BadRow) -> None:
        """A bad row and every problem found in it, by its checks or by the writing (no such card, no
        such follow-up): each grouped with rows alike, all of them beside the row in the rejects file."""
        for problem in problems:
            self.report.errors.append(Problem(self.part, line, str(problem), problem.kind, problem.summary,
                                              problem.value))
        if self.rejects is not None:
            self.rejects.write(raw, line, _("；").join(str(p) for p in problems))


def _columns(table: Table, words: dict[str, Column], required: tuple[str, ...], report: ImportReport) -> list:
    """Which column of the file holds which field, by its header there; unknown ones are reported and
    kept as notes."""
    mapping: list[tuple[str, int, str]] = []
    seen: dict[str, str] = {}
    unknown: list[str] = []
    understood = report.columns.setdefault(table.part, [])
    for index, title in enumerate(table.header):
        title = str(title).strip()
        if not title:
            continue
        column = words.get(header_key(title))
        if column is None:
            understood.append((title, "_notes", None))
            unknown.append(title)
            mapping.append(("?" + title, index, title))
            continue
        if column.key in seen:
            raise BadInput(_("{file}：列「{first}」和「{second}」都表示{column}").format(
                file=table.path.name, first=seen[column.key], second=title, column=column.header))
        seen[column.key] = title
        understood.append((title, "_ignored" if column.key.startswith("_") else column.key, column.header))
        if not column.key.startswith("_"):
            mapping.append((column.key, index, title))
    missing = [key for key in required if key not in seen]
    if missing:
        names = [next(c for c in words.values() if c.key == key) for key in missing]
        raise BadInput(_("{file}：缺少这些列：{columns}").format(file=table.path.name, columns=_("、").join(
            f"{c.header}（{'/'.join((c.header, *c.synonyms[:3]))}）" for c in names)))
    if unknown:
        report.unknown_columns[table.part] = unknown
    return mapping


def _cells(raw: list, mapping: list) -> tuple[dict[str, object], list[tuple[str, object]]]:
    values: dict[str, object] = {}
    extras: list[tuple[str, object]] = []
    width = len(raw)
    for key, index, title in mapping:
        if index >= width:
            continue
        value = raw[index]
        if value.__class__ is str:
            value = value.strip()
            if not value:
                continue
            if value[0] == "'" or not value.isprintable():  # most cells need nothing undone
                value = _as_typed(value, title)
        elif value is None:
            continue
        if key[0] == "?":
            extras.append((key[1:], value))
        else:
            values[key] = value
    return values, extras


def _as_typed(text: str, title: str) -> str:
    """A cell's text as it was typed: without the quote export puts before a formula character,
    Windows line breaks made plain; a control character makes the row bad, told by the column's
    header in the file."""
    if text[0] == "'":
        text = from_cell(text)
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    try:
        return check_text(text, _("列「{column}」").format(column=title))
    except BadInput as exc:
        raise BadRow(str(exc)) from None


def _rejects(stack: ExitStack, table: Table, report: ImportReport):
    """A writer for the rows --skip-bad leaves out: a CSV beside the input, kept only if written."""
    if not report.skip_bad or report.dry_run:
        return None
    suffix = "" if table.part == CARD_SHEET or not is_workbook(table.path) else f".{table.part}"
    target = table.path.with_name(f"{table.path.stem}{suffix}.rejects.csv")
    return stack.enter_context(_RejectsFile(target, [*table.header, _("原行号"), _("错误原因")], report))


class _RejectsFile:
    def __init__(self, target: Path, header: list[str], report: ImportReport):
        self.target, self.header, self.report = target, header, report
        self.count = 0

    def __enter__(self):
        try:
            fd, self.temp = tempfile.mkstemp(dir=self.target.parent, prefix=".rejects-", suffix=".csv")
        except OSError as exc:  # asked for before any row is read: nothing is imported
            raise BadInput(_("--skip-bad 要把有问题的行写到 {target}，但那个文件夹写不进去（{reason}）：请把表格放到可写的文件夹再导入")
                           .format(target=self.target, reason=exc.strerror)) from None
        self.file = os.fdopen(fd, "w", encoding="utf-8-sig", newline="")
        self.writer = csv.writer(self.file)
        self.writer.writerow(self.header)
        return self

    def write(self, raw: list, line: int, reason: str) -> None:
        # As inert as export's cells, and read back by import as the original was.
        cells = ["" if v is None else to_cell(from_cell(v) if v.__class__ is str else v)
                 for v in raw][: len(self.header) - 2]
        cells += [""] * (len(self.header) - 2 - len(cells))
        self.writer.writerow([*cells, line, reason])
        self.count += 1

    def __exit__(self, exc_type, exc, tb):
        self.file.close()
        # Kept only when the import was committed with rows left out; the report says where.
        if exc_type is None and self.count and not self.report.failed:
            os.replace(self.temp, self.target)
            self.report.rejects.append(str(self.target))
        else:
            os.unlink(self.temp)
        return False
