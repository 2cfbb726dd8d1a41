"""The JSON export as a whole store, and `leadcard import` of such a file: a restore.

A JSON export by whoever sees the whole store (a manager, or anyone in single-user mode) carries,
beside its readable keys, every table as it is stored (`"store"`). Importing that file into an
empty store writes those rows back with their ids, sequence numbers, authors and written-at
times, so that a past report, an audit of a past day and the next export read exactly as before.
The file is checked cell by cell before anything is written; the rows go in in one transaction,
and are read back as every command reads them before it commits.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Iterator

from leadcard.domain.session import Session, os_login, store_policy
from leadcard.errors import BadInput, LeadcardError, NotAllowed, NotFound, Refused
from leadcard.i18n import _
from leadcard.model import Role
from leadcard.model.exchange import EXPORT_FORMAT, EXPORT_VERSION
from leadcard.store import EVERYONE, Store
from leadcard.store import deals as desk_sql
from leadcard.store import dump as sql
from leadcard.store import exchange as exchange_sql
from leadcard.store.visits import visits_in

MAX_TEXT = 1_000_000  # characters in one stored value; more is not a value anyone typed
INTEGERS = range(-(2**63), 2**63)  # what SQLite stores as an integer
YEARS = range(1900, 2200)  # as every date a person types (parse.py)
# Columns holding JSON whose moments are checked like the columns' own.
JSON_COLUMNS = {("cards", "outcome"), ("card_events", "detail")}
_MONTH = re.compile(r"\d{4}-\d{2}")
_DAY_OF_YEAR = re.compile(r"\d{2}-\d{2}")


class _Discard(Exception):
    """Raised inside the restore's transaction to roll it back (a dry run)."""


@dataclass
class RestoreReport:
    path: str
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)  # rows restored, table by table
    unbound: list[str] = field(default_factory=list)  # users whose login binding was not restored
    written: bool = False


# -- out -------------------------------------------------------------------------------------------


def whole_store(session: Session) -> tuple[int, Iterator[tuple[str, list[str], Iterator[list]]]] | None:
    """The store's schema version and each of its tables (name, columns, rows as stored), when the
    acting user sees the whole store; None for anyone else, whose export is for reading only."""
    if session.actor is not None and session.actor.role != Role.MANAGER:
        return None
    store = session.store

    def each() -> Iterator[tuple[str, list[str], Iterator[list]]]:
        for table, columns in sql.tables(store).items():
            names = [c.name for c in columns]
            yield table, names, sql.rows(store, table, names)

    return store.schema_version(), each()


# -- back in ---------------------------------------------------------------------------------------


def is_export(path: Path) -> bool:
    """A file `import` restores rather than reads as a sheet."""
    return Path(path).suffix.lower() == ".json"


def restore(session: Session, path: Path, dry_run: bool, acting: str | None = None) -> RestoreReport:
    """The store of a whole-store JSON export, into this empty store: all of it or nothing.

    An empty store has no users, so `session` acts as nobody (as for the first `user add`); a user
    named with --as/LEADCARD_USER is looked for among the file's users, and must be an active
    manager who may act from this login — as for any import."""
    store = session.store
    if not sql.is_empty(store):
        raise Refused(_("数据库里已有数据：JSON 导出只能恢复到空数据库（用 --db 指定一个新文件）"))
    tables = _checked(_read(Path(path)), store)
    report = RestoreReport(str(path), dry_run)
    try:
        with store.transaction():
            sql.begin_restore(store)
            for table, columns, rows in tables:
                sql.load(store, table, columns, rows)
                report.counts[table] = len(rows)
            sql.check_references(store)
            _read_back(store)
            report.unbound = _keep_a_manager(store)
            if acting:
                _may_restore(store, acting)
            if dry_run:
                raise _Discard
    except _Discard:
        pass
    else:
        report.written = True
    return report


def _read(path: Path) -> object:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BadInput(_("没有文件 {path}").format(path=path)) from None
    except OSError as exc:
        raise BadInput(_("读不了文件 {path}：{reason}").format(path=path, reason=exc.strerror)) from None
    try:
        return json.loads(raw.decode("utf-8-sig"), parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:  # not UTF-8, not JSON, a number of 5,000 digits, nesting
        raise BadInput(_("{file} 不是可读的 JSON：{reason}").format(file=path.name, reason=str(exc)[:200])) from None


def _no_constant(name: str) -> None:
    raise ValueError(name)  # NaN, Infinity: not JSON, though Python's reader takes them


def _checked(document: object, store: Store) -> list[tuple[str, list[str], list[list]]]:
    """The file's tables as the store has them (every table, every column), each cell checked."""
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT or "version" not in document:
        raise BadInput(_("这不是 leadcard 的 JSON 导出（没有 format 和 version）"))
    version = document["version"]
    if type(version) is not int or version != EXPORT_VERSION:
        raise BadInput(_("这份导出的格式版本是 {theirs}，本程序读的是 {ours}").format(
            theirs=json.dumps(version)[:20], ours=EXPORT_VERSION))
    whole = document.get("store")
    if whole is None:
        raise Refused(_("这份 JSON 导出不含整个数据库：只有经理（或单用户模式下）导出的 JSON 才能用来恢复"))
    if not isinstance(whole, dict) or not isinstance(whole.get("tables"), dict):
        raise BadInput(_("导出的 store 部分应是一个对象，含 schema 和 tables"))
    schema = whole.get("schema")
    if type(schema) is not int or schema != store.schema_version():
        raise Refused(_("这份导出来自数据库结构版本 {theirs}，本程序的是 {ours}：请用导出它的 leadcard 版本导入").format(
            theirs=json.dumps(schema)[:20], ours=store.schema_version()))
    known = sql.tables(store)
    given = whole["tables"]
    for table in given:
        if table not in known:
            raise BadInput(_("导出里有本数据库没有的表 {table}").format(table=str(table)[:60]))
    return [(table, *_table(table, given.get(table), columns)) for table, columns in known.items()]


def _table(table: str, part: object, columns: tuple[sql.Column, ...]) -> tuple[list[str], list[list]]:
    if part is None:
        raise BadInput(_("导出里缺少表 {table}").format(table=table))
    if not isinstance(part, dict) or not isinstance(part.get("columns"), list) or not isinstance(part.get("rows"), list):
        raise BadInput(_("表 {table} 应是一个对象，含 columns 和 rows 两个列表").format(table=table))
    names = part["columns"]
    expected = {c.name: c for c in columns}
    if any(type(n) is not str for n in names) or len(set(names)) != len(names) or set(names) != set(expected):
        raise BadInput(_("表 {table} 的列应是：{columns}").format(table=table, columns=", ".join(expected)))
    kinds = [expected[n] for n in names]
    for number, row in enumerate(part["rows"], start=1):
        if not isinstance(row, list) or len(row) != len(names):
            raise BadInput(_("表 {table} 第 {row} 行应是 {n} 个值的列表").format(table=table, row=number, n=len(names)))
        for column, value in zip(kinds, row):
            if value is not None:
                _cell(table, number, column, value)
    return names, part["rows"]


def _cell(table: str, number: int, column: sql.Column, value: object) -> None:
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


def _json_cell(text: str, bad) -> None:
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


def _read_back(store: Store) -> None:
    """Every record read as the commands read them, inside the restore's transaction: a value no
    command could read (a grade outside the scheme, a channel nobody knows) is bad input now,
    rather than a crash for whoever reads it later."""
    try:
        policy = store_policy(store)
        default = store.setting("default_user")
        if default is not None and store.user_by_name(default) is None:
            raise ValueError(f"default_user {default[:60]}")
        grades = {g.code for g in policy.grades}
        for card, _at, _first in exchange_sql.cards_in(store, EVERYONE):
            if card.grade not in grades:
                raise ValueError(f"{card.ref}: grade {card.grade}")
        for reader in (exchange_sql.followups_in, exchange_sql.instructions_in, visits_in):
            for _record in reader(store, EVERYONE):
                pass
        for records in desk_sql.desk_in(store, EVERYONE).values():
            for _record in records:
                pass
    except LeadcardError as exc:
        raise BadInput(_("导出里的设置读不出来：{reason}").format(reason=exc)) from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BadInput(_("导出里有读不出来的记录：{reason}").format(reason=str(exc)[:200])) from None


def _may_restore(store: Store, acting: str) -> None:
    user = store.user_by_name(acting)
    if user is None:
        raise NotFound(_("导出里没有名为“{name}”的用户").format(name=acting))
    if user.role != Role.MANAGER or not user.active:
        raise NotAllowed(_("{name} 不是在职的经理：只有经理才能恢复整个数据库").format(name=acting))
    if user.login is not None and user.login != os_login():
        raise NotAllowed(_("{name} 绑定的登录名是“{login}”；当前登录名是“{current}”").format(
            name=user.name, login=user.login, current=os_login()))


def _keep_a_manager(store: Store) -> list[str]:
    """Login bindings are restored as far as safe: when no active manager could act from this
    login afterwards, the managers' bindings are left out (and with no login known here, all of
    them), so that the store is never locked against everyone who may manage it. Returns the
    users left unbound."""
    users = store.users()
    if not any(u.login for u in users):
        return []
    here = os_login()
    if here is not None and any(u.role == Role.MANAGER and u.active and u.login in (None, here) for u in users):
        return []
    loose = [u for u in users if u.login and (here is None or u.role == Role.MANAGER)]
    sql.unbind(store, [u.id for u in loose])
    return [u.name for u in loose]
