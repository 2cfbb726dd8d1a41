"""What every command needs: the global options, where they stand on the line, and opening the session.

Free of typer: the lean path of `leadcard today` (leadcard.cli) reads its line and opens its session here too.
"""

from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, NamedTuple, TypeVar

from leadcard.commands import clock

if TYPE_CHECKING:
    import typer

    from leadcard.domain.session import Session

T = TypeVar("T")

# Global options may stand before or after the command; they are moved to the front.
GLOBAL_OPTIONS = ("--db", "--as", "--showroom")
GLOBAL_FLAGS = ("--no-pager",)
# On a dealer group's hub (集团汇总库), by the command's path: the commands that work on the hub
# itself, those that read across showrooms and merge what they read, those that read one showroom
# (--showroom). Any other command writes a showroom's records, and is refused there.
HUB_OWN = frozenset({"init", "completion", "user", "hub", "doctor", "backup"})
HUB_MERGED = frozenset({"today", "list", "audit", "report weekly", "report monthly", "report trend"})
HUB_ONE_SHOWROOM = frozenset({"show", "export", "calendar", "visit list", "objection list", "playbook list",
                              "playbook show", "case list", "target list", "policy show"})


class Globals(NamedTuple):
    db: Path | str | None  # a file, or the URL of a store on a PostgreSQL server
    acting: str | None
    showroom: str | None = None  # on a dealer group's hub: the one showroom to read


def location(raw: str | None) -> Path | str | None:
    """--db / LEADCARD_DB: a server's URL is kept as typed (a Path would fold its "//"). An empty
    LEADCARD_DB is unset (typer's rule); an empty or blank --db is a mistake, as a script's unset
    variable gives (`--db "$DB"`), which must not fall back on the user's own store."""
    if raw is None:
        return None
    if not raw.strip():
        from leadcard.errors import BadInput
        from leadcard.i18n import _

        raise BadInput(_("--db 是空的：请写存储的文件或地址（不写 --db 则用默认存储）"))
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


def open_session(g: Globals, command: str, create: bool = False, anonymous: bool = False, merging: bool = False):
    """The session on the store for `command` (its path: `report weekly`); `create`: the command may
    make a store named by --db (init, demo, import, restore); `anonymous`: nobody acts (see
    domain.session.open_session). On a dealer group's hub, what the command may read there
    (domain.hub.narrow): with `merging`, every showroom (a domain.hub.Across), else one."""
    from leadcard.domain.session import derived_before, open_session

    tz = clock.store_tz()
    now = clock.now(tz)
    opened = open_session(g.db or default_db_path(), g.acting, now, tz, default_db=g.db is None, create=create,
                          clock_override=clock.real_now(tz) if clock.overridden() else None, anonymous=anonymous)
    if derived_before(opened.store):  # an older leadcard's schedules, recomputed before anything reads them
        from leadcard.commands.progress import progress
        from leadcard.domain.admin import rederive

        rederive(opened, progress)
    if g.showroom is None and not opened.store.is_hub():  # the morning list loads nothing of the hub's
        return opened
    from leadcard.domain.hub import narrow

    return narrow(opened, command, hub_kind(command, merging), g.showroom)


def hub_kind(command: str, merging: bool) -> str:
    """What a command does on a hub: "own", "merge", "read" (one showroom) or "write"."""
    if command.split(" ")[0] in HUB_OWN:
        return "own"
    if command in HUB_MERGED:
        return "merge" if merging else "read"
    return "read" if command in HUB_ONE_SHOWROOM else "write"


def command_of(ctx: "typer.Context") -> str:
    return ctx.command_path.partition(" ")[2]


@contextmanager
def kept_if_written(opened: "Session") -> Iterator[Callable[[bool], None]]:
    """For a command that fills a store (init, import): a store file it made is removed again unless
    the command wrote into it — refused, failed or only a dry run —, so that a mistyped --db stays
    refused by every later command. `written(True)` says it did."""
    kept: list[bool] = []
    try:
        yield kept.append
    finally:
        if not any(kept):
            opened.store.unmade()


def session(ctx: "typer.Context", create: bool = False) -> "Session":
    return open_session(ctx.find_root().obj, command_of(ctx), create)


def across(ctx: "typer.Context", build: Callable[["Session"], T], merge: Callable[[list[tuple[str, T]]], T],
           per_showroom: str | None = None) -> T:
    return across_globals(ctx.find_root().obj, command_of(ctx), build, merge, per_showroom)


def across_globals(g: Globals, command: str, build: Callable[["Session"], T],
                   merge: Callable[[list[tuple[str, T]]], T], per_showroom: str | None = None) -> T:
    """A reading command's answer: `build` on the session; on a dealer group's hub without
    --showroom, `build` on each showroom and `merge` of what each gave, by showroom's name.
    `per_showroom` names an option given that only means something in one showroom (`--owner`)."""
    from leadcard.domain.session import Session

    opened = open_session(g, command, merging=True)
    if isinstance(opened, Session):
        return build(opened)
    from leadcard.domain.hub import each

    return merge(each(opened, build, per_showroom))


def store_path(ctx: "typer.Context") -> Path | str:
    g: Globals = ctx.find_root().obj
    return g.db or default_db_path()


def when(raw: str | None, *, ahead: bool = False) -> datetime | None:
    """A moment typed on the command line, parsed before the store is touched; `ahead` for an
    option that can only be to come (parse_when)."""
    from leadcard.parse import parse_when

    if raw is None:
        return None
    tz = clock.store_tz()
    now = clock.now(tz)
    return parse_when(raw, now, tz, earliest=now.date() if ahead else None, by_hand=True)


def day(raw: str | None, *, ahead: bool = False) -> date:
    from leadcard.parse import parse_day

    tz = clock.store_tz()
    today = clock.now(tz).date()
    return parse_day(raw, today, ahead=ahead) if raw else today
