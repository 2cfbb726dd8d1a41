"""The clock and the store's time zone, read once at the edge: `LEADCARD_NOW`, `LEADCARD_TZ`."""

from __future__ import annotations

import os
from datetime import datetime, tzinfo

from leadcard.errors import BadInput
from leadcard.i18n import _

DEFAULT_TZ = "Asia/Shanghai"


def store_tz() -> tzinfo:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = os.environ.get("LEADCARD_TZ") or DEFAULT_TZ
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInput(_("LEADCARD_TZ：没有时区 {name}（例如 Asia/Shanghai）").format(name=repr(name))) from None


def overridden() -> bool:
    """Whether LEADCARD_NOW replaces the clock."""
    return bool(os.environ.get("LEADCARD_NOW"))


def real_now(tz: tzinfo) -> datetime:
    """The computer's clock, whatever LEADCARD_NOW says: kept on records written under it."""
    return datetime.now(tz).replace(microsecond=0)


def now(tz: tzinfo) -> datetime:
    """The current moment in the store's zone; LEADCARD_NOW (ISO 8601, local if no offset) replaces it."""
    fixed = os.environ.get("LEADCARD_NOW")
    if not fixed:
        return real_now(tz)
    try:
        moment = datetime.fromisoformat(fixed.strip().replace(" ", "T", 1) if len(fixed.strip()) > 10 else fixed.strip())
    except ValueError:
        raise BadInput(_("LEADCARD_NOW：不是 ISO 8601 日期时间：{value}").format(value=repr(fixed))) from None
    from leadcard.parse import YEARS

    # A clock outside the years a record may carry would write them, or overflow computing from them.
    if not YEARS[0] <= moment.year <= YEARS[1]:
        raise BadInput(_("LEADCARD_NOW：年份须在 {first}–{last} 之间：{value}").format(
            first=YEARS[0], last=YEARS[1], value=repr(fixed)))
    if moment.tzinfo is None:
        return moment.replace(tzinfo=tz)
    return moment.astimezone(tz)
