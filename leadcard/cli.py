"""The program's entry point: it answers a plain `leadcard today` itself and hands any other line to typer.

Each command parses its arguments, opens the session (database, acting user, clock), calls one
domain function and hands the result to rendering. Errors become one line on stderr with the
contract's exit code (0 ok, 1 refused, 2 bad input).

The commands are typer's (leadcard.commands.app). Typer costs ~60 ms of start-up, about as much as
the rest of `leadcard today` together, and `today` is run by every consultant every morning; so a
`today` command line is read here, without typer, when it holds nothing but today's own options.
Anything else — help, a typo, an unknown or repeated option — goes to typer, which knows it all.
"""

import os
import sys

from leadcard.commands.common import GLOBAL_OPTIONS, Globals, hoist_globals, invoked, location
from leadcard.commands.exits import exits
from leadcard.errors import BadInput
from leadcard.i18n import _
from leadcard.usertext import bear_legacy_encoding, check_text, shown

_ENVIRONMENT = {"--db": "LEADCARD_DB", "--as": "LEADCARD_USER"}
# The options of `today` (leadcard.commands.cards.today), by the parameter each fills.
_TODAY_VALUES = {"--date": "date_", "--owner": "owner"}
_TODAY_FLAGS = {"--all": "everyone", "--json": "as_json"}


def main() -> None:
    for stream in (sys.stdout, sys.stderr):
        bear_legacy_encoding(stream)
    with exits(sys.argv[1:]):
        sys.argv[1:] = args = typed_arguments(sys.argv[1:])
        typed_environment()
    today = lean_today(args)
    if today is None:
        from leadcard.commands.app import build_app

        build_app(invoked(args))()
        return
    from leadcard.commands.morning import show_today

    globals_, options = today
    with exits(args):
        show_today(globals_, **options)
    sys.exit(0)


# Where a file's path may stand: the value of these options, and the argument of these commands
# (after their flags, if any come first).
_PATH_OPTIONS = frozenset({"--db", "--policy-file", "--followups", "--instructions", "--output", "-o"})
_FILE_COMMANDS = frozenset({"import", "backup", "restore"})
_FLAGS_BEFORE_FILE = frozenset({"--dry-run", "--skip-bad", "--create-users", "--json", "--no-pager"})


def typed_arguments(args: list[str]) -> list[str]:
    """The command line as the user typed it, or bad input.

    A terminal set to GBK (PuTTY, Xshell) sends bytes that are not UTF-8; Python keeps them as
    surrogates, which no store or screen takes: they are read again as GB18030 (a superset of GBK),
    unless the argument stands where a file's path may and names a file as its bytes stand (a file
    named in GBK on a UTF-8 system) — a name, a note or a card typed in GBK is text wherever the
    folder's files are named. On Windows the arguments arrive as Unicode. Control characters are
    refused in every argument: what is typed is kept and shown to others.
    """
    command = invoked(args)
    typed = []
    for i, arg in enumerate(args):
        if not (_path_position(args, i, command) and os.path.lexists(arg)):
            arg = _decoded(arg, lambda: _("第 {number} 个参数").format(number=i + 1))
        typed.append(check_text(arg, _("参数“{argument}”").format(argument=shown(arg, line=True)[:40])))
    return typed


def typed_environment() -> None:
    """`LEADCARD_USER` read as an argument is (a user's name set from a GBK terminal), or bad input."""
    acting = os.environ.get("LEADCARD_USER")
    if acting:
        what = _("环境变量 LEADCARD_USER 的值")
        os.environ["LEADCARD_USER"] = check_text(_decoded(acting, lambda: what), what)


def _path_position(args: list[str], i: int, command: str | None) -> bool:
    before = args[i - 1] if i else ""
    return before in _PATH_OPTIONS or (command in _FILE_COMMANDS and args[i] != command
                                       and (not before.startswith("-") or before in _FLAGS_BEFORE_FILE))


def _decoded(text: str, what) -> str:
    """The text, its bytes read as GB18030 when they are not UTF-8; `what()` names it in the refusal."""
    if sys.platform == "win32" or text.isascii() or not _undecoded(text):
        return text
    try:
        return os.fsencode(text).decode("gb18030")
    except UnicodeDecodeError:
        raise BadInput(_("{what}既不是 UTF-8 也不是 GBK/GB18030 文本").format(what=what())) from None


def _undecoded(arg: str) -> bool:
    try:
        arg.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def lean_today(args: list[str]) -> tuple[Globals, dict] | None:
    """The global options and today's options of a command line that is `today` and nothing else
    (no help, no unknown or repeated option, no value that looks like an option); None otherwise."""
    args = hoist_globals(args)
    given: dict[str, str | bool] = {}
    i = 0
    while i < len(args) and args[i].split("=", 1)[0] in GLOBAL_OPTIONS:
        i = _take_value(args, i, given)
        if i is None:
            return None
    if args[i:i + 1] != ["today"]:
        return None
    i += 1
    while i < len(args):
        name = args[i].split("=", 1)[0]
        if name in _TODAY_VALUES:
            i = _take_value(args, i, given)
            if i is None:
                return None
        elif args[i] in _TODAY_FLAGS and args[i] not in given:
            given[args[i]] = True
            i += 1
        else:
            return None
    db = given.get("--db") or _environment("--db")
    globals_ = Globals(db=location(db), acting=given.get("--as") or _environment("--as"),
                       showroom=given.get("--showroom"))
    options = {name: given.get(option) for option, name in _TODAY_VALUES.items()}
    options |= {name: option in given for option, name in _TODAY_FLAGS.items()}
    return globals_, options


def _take_value(args: list[str], i: int, given: dict) -> int | None:
    """Reads `--name value` or `--name=value` at i into `given`; the index after it, or None."""
    name, eq, value = args[i].partition("=")
    if not eq:
        if i + 1 >= len(args):
            return None
        value = args[i + 1]
        i += 1
    if name in given or not value or value.startswith("-"):
        return None
    given[name] = value
    return i + 1


def _environment(option: str) -> str | None:
    return os.environ.get(_ENVIRONMENT[option]) or None  # empty is unset, as for typer


def __getattr__(name: str):
    # `leadcard.cli.app`, the typer application with every command (for tests and tools): built on
    # first use, so that a run never pays for it.
    if name == "app":
        from leadcard.commands.app import build_app

        globals()["app"] = build_app()
        return globals()["app"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
