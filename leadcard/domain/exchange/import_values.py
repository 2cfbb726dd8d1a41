"""A cell's value as the import reads it, each conversion's complaint a row's reason (BadRow): text,
whole numbers, ages, 结案信息's JSON, status and yes/no words, and the columns nobody asked for."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

from leadcard.domain.exchange.import_rows import BadRow
from leadcard.domain.exchange.layout import STATUS_WORDS, YES_NO
from leadcard.errors import BadInput
from leadcard.i18n import _
from leadcard.model import Status
from leadcard.parse import lookup, one_of


def checked(parse, raw: str):
    """One of the shared parsers (the rules of `add` and `log`), its complaint made a row's reason."""
    try:
        return parse(raw)
    except BadInput as exc:
        raise BadRow(str(exc)) from None


# A date column's number is Excel's serial day (a date cell saved without its format, or read as a
# number): 46329 is 2026-11-03. Five digits are the days of 1927–2173.
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?", re.ASCII)
_EXCEL_EPOCH = datetime(1899, 12, 30)  # day 0, as Excel counts (its 1900 leap-year bug included)


def excel_serial(value: object) -> datetime | None:
    """A date column's cell as Excel's serial day (and fraction of it), or None when it is not one."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    if isinstance(value, str) and not _SERIAL.fullmatch(value.strip()):
        return None
    days = float(value)
    if not 10_000 <= days < 100_000:
        return None
    moment = _EXCEL_EPOCH + timedelta(days=days)
    return moment.replace(microsecond=0) + timedelta(seconds=round(moment.microsecond / 1e6))


def as_text(value: object) -> str | None:
    if value.__class__ is str:  # every cell of a CSV: the common case first
        return value.strip() or None
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores 13800138000 and 35 as floats
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    text = str(value).strip()
    return text or None


def joined(text: str | None, extras: list[tuple[str, object]]) -> str | None:
    """Columns nobody asked for are not dropped: they follow the text as `header：value`."""
    if not extras:
        return text
    kept = "；".join(f"{title}：{as_text(value)}" for title, value in extras)
    return f"{text}；{kept}" if text else kept


def as_whole(value: object, what: str) -> int:
    try:
        number = float(str(value).strip())
    except ValueError:
        raise BadRow(_("{column}：不是数字：{value}").format(column=what, value=value)) from None
    if not number.is_integer():
        raise BadRow(_("{column}：不是整数：{value}").format(column=what, value=value))
    return int(number)


def as_age(value: str) -> int:
    age = as_whole(value.removesuffix("岁"), "年龄")
    if not 0 <= age <= 120:
        raise BadRow(_("年龄 {age} 不是有效的年龄").format(age=age))
    return age


def as_outcome(value: object) -> dict:
    if value is None:
        return {}
    try:
        data = json.loads(str(value))
    except ValueError:
        raise BadRow(_("结案信息不是 JSON（导出时写的是 JSON）")) from None
    if not isinstance(data, dict):
        raise BadRow(_("结案信息必须是 JSON 对象"))
    return data


def as_status(raw: str) -> Status:
    return lookup(STATUS_WORDS, raw, _("状态"), _("{values}（或 跟进中、已订车、已交车、战败待审、战败、无效）").format(
        values=one_of(("open", "won", "delivered", "lost-pending", "lost", "invalid"))))


def as_yes_no(raw: str) -> bool:
    return lookup(YES_NO, raw, _("是否"), _("`是` 或 `否`"))
