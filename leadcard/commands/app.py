"""The typer application: every command, its options and its help, registered by concern."""

import importlib
import os
import sys
from typing import Annotated, Optional

import typer

from leadcard.commands.common import Globals, hoist_globals, invoked, location
from leadcard.commands.exits import INTERRUPTED, USAGE, exits, fail
from leadcard.commands.help import Group, dress, see_help, usage_message
from leadcard.commands.pager import paged
from leadcard.i18n import _

# The module that holds each command: a run imports only the module of the command it names, and
# builds only that command (typer turns every command it holds into a click command on each run).
COMMAND_MODULES = {
    **dict.fromkeys(("init", "demo", "user", "policy", "completion"), "admin"),
    **dict.fromkeys(("add", "edit", "log", "grade", "show", "list", "today"), "cards"),
    **dict.fromkeys(("assign", "comment", "win", "cancel-order", "deliver", "handover", "lose", "approve",
                     "reject", "invalid", "reopen", "do-not-contact", "visit"), "lifecycle"),
    "audit": "audit",
    "report": "report",
    **dict.fromkeys(("objection", "playbook", "case"), "objections"),
    **dict.fromkeys(("quote", "trade-in", "finance"), "deals"),
    "target": "targets",
    "hub": "hub",
    **dict.fromkeys(("import", "export", "calendar", "backup", "restore", "doctor"), "exchange"),
}
MODULES = tuple(dict.fromkeys(COMMAND_MODULES.values()))
# Commands whose output runs long (a busy card, a store's list, the audit, a report), and help.
PAGED_COMMANDS = frozenset({"show", "list", "audit", "report"})
# What typer answers for a Ctrl-C it caught (a KeyboardInterrupt becomes Exit(130), which our
# commands never raise): told as every interrupt is, 已中止 and exit 1.
TYPER_INTERRUPTED = 130
# Set by the script of `leadcard completion SHELL` when the shell asks for completions.
COMPLETION_VARIABLE = "_LEADCARD_COMPLETE"


class LeadcardGroup(Group):
    """Our errors and usage errors become one line on stderr, with the contract's exit code."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        args = hoist_globals(list(sys.argv[1:] if args is None else args))
        asks_help = not args or any(a in ("-h", "--help") for a in args)
        paging = "--no-pager" not in args and (asks_help or invoked(args) in PAGED_COMMANDS)
        with exits(args), paged(paging):
            try:
                rv = super().main(args, prog_name or "leadcard", complete_var, standalone_mode=False, **extra)
            except typer.Abort:
                fail(_("已中止"), 1, code=INTERRUPTED)
            except Exception as exc:
                # Usage errors of typer's bundled click (bad option, missing argument …); importing
                # its exception classes would tie us to a private module, so they are recognised by shape.
                code = getattr(exc, "exit_code", None)
                if code is None or not hasattr(exc, "format_message"):
                    raise
                ctx = getattr(exc, "ctx", None)
                if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
                    sys.stdout.write(ctx.get_help() + "\n")
                    sys.exit(0)
                # click leaves out the context of an option at the line's end that lacks its value.
                where = ctx.command_path if ctx is not None else " ".join(("leadcard", *filter(None, [invoked(args)])))
                command = where.partition(" ")[2]
                fail(f"{command + ': ' if command else ''}{usage_message(exc.format_message())} {see_help(where)}", code,
                     code=USAGE)
            if rv == TYPER_INTERRUPTED:
                fail(_("已中止"), 1, code=INTERRUPTED)
        sys.exit(rv if isinstance(rv, int) else 0)


def _show_version(asked: bool) -> None:
    if asked:
        from importlib.metadata import version

        sys.stdout.write(f"leadcard {version('leadcard')}\n")
        raise typer.Exit()


def _global_options(
    ctx: typer.Context,
    db: Annotated[Optional[str], typer.Option("--db", envvar="LEADCARD_DB",
                                              help="存储：SQLite 文件，或 PostgreSQL 的 postgresql://… 地址。")] = None,
    acting: Annotated[Optional[str], typer.Option("--as", envvar="LEADCARD_USER", help="以哪位用户的身份操作。")] = None,
    showroom: Annotated[Optional[str], typer.Option("--showroom", help="在集团汇总库上：只读这个门店。")] = None,
    version: Annotated[bool, typer.Option("--version", is_eager=True, expose_value=False, callback=_show_version,
                                          help="显示版本并退出。")] = False,
    no_pager: Annotated[bool, typer.Option("--no-pager", expose_value=False,
                                           help="不经分页器，直接输出（输出到终端时，长内容默认经 less 分页）。")] = False,
) -> None:
    ctx.obj = Globals(db=location(db), acting=acting, showroom=showroom)


def build_app(only: str | None = None) -> typer.Typer:
    """The program with every command, or with only the named one (None, or a name it does not
    know, gets every command: for help, and for typer's "did you mean" on a typo)."""
    app = typer.Typer(
        cls=LeadcardGroup,
        name="leadcard",
        help="意向客户管理卡：建卡、跟进、级别、战败审批、稽核与周报。",
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(_global_options)
    if COMPLETION_VARIABLE in os.environ:
        # typer registers its shells' completion classes only when it adds its own completion
        # options, which leadcard does not: `completion` prints the script instead.
        from typer._completion_classes import completion_init

        completion_init()
    if only not in COMMAND_MODULES:
        only = None
    for module_name in (COMMAND_MODULES[only],) if only else MODULES:
        module = importlib.import_module(f"leadcard.commands.{module_name}")
        app.registered_commands += [c for c in module.app.registered_commands if only in (None, command_name(c))]
        app.registered_groups += [g for g in module.app.registered_groups if only in (None, g.name)]
    dress(app)
    return app


def command_name(command) -> str:
    return command.name or command.callback.__name__.replace("_", "-")
