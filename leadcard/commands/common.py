"""What every command needs: the global options, where they stand on the line, and opening the session.

Free of typer: the lean path of `leadcard today` (leadcard.cli) reads its line and opens its session here too.
"""

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from leadcard.commands import clock

if TYPE_CHECKING:
    import typer

    from leadcard.domain.session import Session


# Global options may stand before or after the command; they are moved to the front.
GLOBAL_OPTIONS = ("--db", "--as")
GLOBAL_FLAGS = ("--no-pager",)


class Globals(NamedTuple):
    db: Path | str | None  # a file, or the URL of a store on a PostgreSQL server
    acting: str | None


def location(raw: str | None) -> Path | str | None:
    """--db / LEADCARD_DB: a server's URL is kept as typed (a Path would fold its "//")."""
    if not raw:
        return None
    if "://" in raw:
        from leadcard.store.postgres import is_server

        if is_server(raw):
            return raw
    return Path(raw)


def hoist_globals(args: list[str]) -> list[str]:
    front, rest = [], []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest += args[i:]
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_OPTIONS:
            if "=" in arg:
                front.append(arg)
            else:
                front += args[i:i + 2]
                i += 1
        elif arg in GLOBAL_FLAGS:
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


def invoked(args: list[str]) -> str | None:
    """The command a command line names (global options may come first)."""
    args = hoist_globals(args)
    i = 0
    while i < len(args) and (args[i] in GLOBAL_FLAGS or args[i].split("=", 1)[0] in GLOBAL_OPTIONS):
        i += 1 if "=" in args[i] or args[i] in GLOBAL_FLAGS else 2
    return args[i] if i < len(args) and not args[i].startswith("-") else None


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("leadcard", appauthor=False)) / "leadcard.db"


def open_session(g: Globals, create: bool = False, anonymous: bool = False) -> "Session":
    """The session on the store; `create`: the command may make a store named by --db (init, demo,
    import, restore); `anonymous`: nobody acts (see domain.session.open_session)."""
    from leadcard.domain.session import open_session

    tz = clock.store_tz()
    now = clock.now(tz)
    return open_session(g.db or default_db_path(), g.acting, now, tz, default_db=g.db is None, create=create,
                        clock_override=clock.real_now(tz) if clock.overridden() else None, anonymous=anonymous)


def session(ctx: "typer.Context", create: bool = False) -> "Session":
    return open_session(ctx.find_root().obj, create)


def store_path(ctx: "typer.Context") -> Path | str:
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
