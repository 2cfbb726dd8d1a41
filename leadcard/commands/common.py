"""What every command needs: the global options and opening the session.

Free of typer: the lean path of `leadcard today` (leadcard.cli) opens its session here too.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from leadcard import clock

if TYPE_CHECKING:
    import typer

    from leadcard.session import Session


class Globals(NamedTuple):
    db: Path | None
    acting: str | None


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("leadcard", appauthor=False)) / "leadcard.db"


def open_session(g: Globals) -> "Session":
    from leadcard.session import open_session

    tz = clock.store_tz()
    now = clock.now(tz)
    return open_session(g.db or default_db_path(), g.acting, now, tz, default_db=g.db is None)


def session(ctx: "typer.Context") -> "Session":
    return open_session(ctx.find_root().obj)


def store_path(ctx: "typer.Context") -> Path:
    g: Globals = ctx.find_root().obj
    return g.db or default_db_path()


def when(raw: str | None) -> datetime | None:
    """A moment typed on the command line, parsed before the store is touched."""
    from leadcard.parse import parse_when

    if raw is None:
        return None
    tz = clock.store_tz()
    return parse_when(raw, clock.now(tz), tz)


def day(raw: str | None) -> date:
    from leadcard.parse import parse_day

    tz = clock.store_tz()
    today = clock.now(tz).date()
    return parse_day(raw, today) if raw else today
