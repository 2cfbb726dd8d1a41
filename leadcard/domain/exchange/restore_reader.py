"""Reading a whole-store JSON export as a stream, each cell checked as it is read.

The file is parsed event by event (ijson), so memory stays flat however large the store was: the
readable keys (`cards`, `followups` …) are skipped unread, and the store's tables come one row at
a time. The document's shape is the one export writes: `format` and `version` before `store`,
`schema` before `tables`, a table's `columns` before its `rows`.
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Callable, Iterator

from leadcard.errors import BadInput, Refused
from leadcard.i18n import _
from leadcard.model.exchange import EXPORT_FORMAT, EXPORT_VERSION
from leadcard.usertext import UNSAFE, escaped
from leadcard.store.dump import Column

MAX_TEXT = 1_000_000  # characters in one stored value; more is not a value anyone typed
INTEGERS = range(-(2**63), 2**63)  # what SQLite stores as an integer
YEARS = range(1900, 2200)  # as every date a person types (parse.py)
# Columns holding JSON whose moments are checked like the columns' own.
JSON_COLUMNS = {("cards", "outcome"), ("card_events", "detail")}
_MONTH = re.compile(r"\d{4}-\d{2}")
_DAY_OF_YEAR = re.compile(r"\d{2}-\d{2}")
_BOM = b"\xef\xbb\xbf"
_SCALARS = {"null", "boolean", "number", "string"}
_OPENING = frozenset(("start_map", "start_array"))
_CLOSING = frozenset(("end_map", "end_array"))
_COMPOUND = object()  # what a scalar's place held when it was an object or a list


@contextmanager
def events(path: Path) -> Iterator[Iterator[tuple[str, object]]]:
    """The file's parse events; a file that is no JSON is bad input, named by its first error
    (raised where the events are read, inside the block)."""
    import ijson

    try:
        file = open(path, "rb")
    except FileNotFoundError:
        raise BadInput(_("没有文件 {path}").format(path=path)) from None
    except OSError as exc:
        raise BadInput(_("读不了文件 {path}：{reason}").format(path=path, reason=exc.strerror)) from None
    with file:
        if file.read(len(_BOM)) != _BOM:  # an editor on Windows may have put one
            file.seek(0)
        try:
            yield ijson.basic_parse(file, use_float=True)
        except (ijson.JSONError, OverflowError) as exc:
            reason = exc.args[0] if exc.args else ""
            reason = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
            raise BadInput(_("{file} 不是可读的 JSON：{reason}").format(
                file=Path(path).name, reason=(reason.splitlines() or [""])[0][:200])) from None


class Document:
    """The export's tables, read in the file's order: `tables()` yields (table, columns, rows), the
    rows a generator to be used up before the next table is asked for."""

    def __init__(self, stream: Iterator[tuple[str, object]], known: dict[str, tuple[Column, ...]], schema: int):
        self.stream = stream
        self.known = known
        self.schema = schema
        self.header: dict[str, object] = {}
        self.seen: set[str] = set()

    def _next(self) -> tuple[str, object]:
        found = next(self.stream, None)
        if found is None:
            raise BadInput(_("这不是 leadcard 的 JSON 导出（没有 format 和 version）"))
        return found

    def _skip(self, event: str) -> None:
        """The rest of a value whose first event was `event`, unread."""
        if event not in _OPENING:
            return
        depth = 1
        for event, _value in self.stream:
            if event in _OPENING:
                depth += 1
            elif event in _CLOSING:
                depth -= 1
                if not depth:
                    return

    def _scalar(self) -> object:
        event, value = self._next()
        if event in _SCALARS:
            return value
        self._skip(event)
        return _COMPOUND

    def tables(self) -> Iterator[tuple[str, list[str], Iterator[list]]]:
        if self._next()[0] != "start_map":
            raise BadInput(_("这不是 leadcard 的 JSON 导出（没有 format 和 version）"))
        while True:
            event, key = self._next()
            if event == "end_map":
                break
            if key == "store" and "store" not in self.header:
                self._check_header()
                self.header["store"] = True
                yield from self._store()
            elif key in ("format", "version"):
                self.header[key] = self._scalar()
            else:
                self._skip(self._next()[0])
        for _extra in self.stream:  # ijson reports trailing text itself; a second document, were it read
            raise BadInput(_("这不是 leadcard 的 JSON 导出（没有 format 和 version）"))
        self._check_header()
        if "store" not in self.header:
            raise Refused(_("这份 JSON 导出不含整个数据库：只有经理（或单用户模式下）导出的 JSON 才能用来恢复"))
        for table in self.known:
            if table not in self.seen:
                raise BadInput(_("导出里缺少表 {table}").format(table=table))

    def _check_header(self) -> None:
        if self.header.get("format") != EXPORT_FORMAT or "version" not in self.header:
            raise BadInput(_("这不是 leadcard 的 JSON 导出（没有 format 和 version）"))
        version = self.header["version"]
        if type(version) is not int or version != EXPORT_VERSION:
            raise BadInput(_("这份导出的格式版本是 {theirs}，本程序读的是 {ours}").format(
                theirs=_shown(version), ours=EXPORT_VERSION))

    def _store(self) -> Iterator[tuple[str, list[str], Iterator[list]]]:
        shape = BadInput(_("导出的 store 部分应是一个对象，含 schema 和 tables"))
        if self._next()[0] != "start_map":
            raise shape
        schema = None
        while True:
            event, key = self._next()
            if event == "end_map":
                return
            if key == "schema":
                schema = self._scalar()
                if type(schema) is not int or schema != self.schema:
                    raise Refused(_("这份导出来自数据库结构版本 {theirs}，本程序的是 {ours}：请用导出它的 leadcard 版本导入")
                                  .format(theirs=_shown(schema), ours=self.schema))
            elif key == "tables" and schema is not None:
                if self._next()[0] != "start_map":
                    raise shape
                yield from self._tables()
            elif key == "tables":
                raise shape
            else:
                self._skip(self._next()[0])

    def _tables(self) -> Iterator[tuple[str, list[str], Iterator[list]]]:
        while True:
            event, table = self._next()
            if event == "end_map":
                return
            if table not in self.known:
                raise BadInput(_("导出里有本数据库没有的表 {table}").format(table=str(table)[:60]))
            if table in self.seen:
                raise BadInput(_("导出里表 {table} 出现了两次").format(table=table))
            self.seen.add(table)
            names = self._columns(table)
            yield table, names, self._rows(table, names)

    def _columns(self, table: str) -> list[str]:
        shape = BadInput(_("表 {table} 应是一个对象，含 columns 和 rows 两个列表").format(table=table))
        expected = {c.name for c in self.known[table]}
        wrong = BadInput(_("表 {table} 的列应是：{columns}").format(
            table=table, columns=", ".join(c.name for c in self.known[table])))
        if self._next()[0] != "start_map" or self._next() != ("map_key", "columns") or self._next()[0] != "start_array":
            raise shape
        names: list[str] = []
        while True:
            event, name = self._next()
            if event == "end_array":
                break
            if event != "string" or name not in expected or name in names:
                raise wrong
            names.append(name)
        if len(names) != len(expected):
            raise wrong
        if self._next() != ("map_key", "rows") or self._next()[0] != "start_array":
            raise shape
        return names

    def _rows(self, table: str, names: list[str]) -> Iterator[list]:
        columns = {c.name: c for c in self.known[table]}
        kinds = [columns[n] for n in names]
        following = self._next  # the hot loop: every cell of the store passes here
        number = 0
        while True:
            event, _value = following()
            if event == "end_array":
                break
            number += 1
            if event != "start_array":
                raise self._short(table, number, names)
            row = []
            for column in kinds:
                event, value = following()
                if event not in _SCALARS:
                    if event == "end_array":
                        raise self._short(table, number, names)
                    self._skip(event)
                    value = _COMPOUND
                if value is not None:
                    check_cell(table, number, column, value)
                row.append(value)
            if following()[0] != "end_array":
                raise self._short(table, number, names)
            yield row
        if following()[0] != "end_map":
            raise BadInput(_("表 {table} 应是一个对象，含 columns 和 rows 两个列表").format(table=table))

    @staticmethod
    def _short(table: str, number: int, names: list[str]) -> BadInput:
        return BadInput(_("表 {table} 第 {row} 行应是 {n} 个值的列表").format(table=table, row=number, n=len(names)))


def _shown(value: object) -> str:
    return "?" if value is _COMPOUND else json.dumps(value, default=str)[:20]


def check_cell(table: str, number: int, column: Column, value: object) -> None:
    """One stored value as the schema and the commands reading it need it."""
    def bad(what: str) -> BadInput:
        return BadInput(_("表 {table} 第 {row} 行的 {column}：{what}").format(
            table=table, row=number, column=column.name, what=what))

    if column.kind == "INTEGER":
        if type(value) is not int or value not in INTEGERS:
            raise bad(_("应是整数"))
        if column.name == "id" and value < 1:
            raise bad(_("编号应大于 0"))
        return
    if type(value) is not str:
        raise bad(_("应是文本"))
    if len(value) > MAX_TEXT:
        raise bad(_("文本超过 {n} 个字符").format(n=MAX_TEXT))
    if "\x00" in value:
        raise bad(_("含有 NUL 字符"))
    # What people typed holds no control character however it came in (the commands and import
    # refuse them): one in a restored name would reach colleagues' screens and reports as it is.
    # The settings are the program's own (a policy file's text among them).
    if table != "settings" and not value.isprintable() and (found := UNSAFE.search(value)) is not None:
        raise bad(_("含有控制字符（{character}）").format(character=escaped(found.group())))
    name = column.name
    if name == "at" or name.endswith("_at") or name in ("clock_override", "valid_until"):
        if not _moment(value):
            raise bad(_("不是 1900–2199 年之间的时间：{value}").format(value=value[:40]))
    elif name == "month" and not _month(value):
        raise bad(_("不是 1900–2199 年之间的月份：{value}").format(value=value[:40]))
    elif name == "birthday" and not _day_of_year(value):
        raise bad(_("不是“月-日”：{value}").format(value=value[:40]))
    elif (table, name) in JSON_COLUMNS:
        _json_cell(value, bad)


def _moment(text: str) -> bool:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return moment.year in YEARS


def _month(text: str) -> bool:
    return bool(_MONTH.fullmatch(text)) and int(text[:4]) in YEARS and 1 <= int(text[5:]) <= 12


def _day_of_year(text: str) -> bool:
    if not _DAY_OF_YEAR.fullmatch(text):
        return False
    try:
        date(2000, int(text[:2]), int(text[3:]))  # a leap year: 02-29 is a birthday
    except ValueError:
        return False
    return True


def _json_cell(text: str, bad: Callable[[str], BadInput]) -> None:
    """A card's outcome or an event's detail: a JSON object whose moments are moments."""
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise bad(_("不是 JSON 对象")) from None
    if not isinstance(value, dict):
        raise bad(_("不是 JSON 对象"))
    for key, inner in value.items():
        if (key == "at" or key.endswith("_at")) and inner is not None and not (isinstance(inner, str) and _moment(inner)):
            raise bad(_("{key} 不是 1900–2199 年之间的时间").format(key=key))


def _no_constant(name: str) -> None:
    raise ValueError(name)  # NaN, Infinity: not JSON, though Python's reader takes them
