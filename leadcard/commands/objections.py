"""Objections (客户异议), the script library (话术库) and the case library (案例库)."""


from typing import Annotated, Optional

import typer

from leadcard.commands.common import session
from leadcard.commands.options import JsonOption

app = typer.Typer()
objection_app = typer.Typer(help="The store's list of frequent objections (客户异议), for `log --objection`.",
                            no_args_is_help=True)
playbook_app = typer.Typer(help="The script library (话术库): the tested answer to each objection.",
                           no_args_is_help=True)
case_app = typer.Typer(help="The case library (案例库): won and lost cards kept for the morning meeting.",
                       no_args_is_help=True)
app.add_typer(objection_app, name="objection")
app.add_typer(playbook_app, name="playbook")
app.add_typer(case_app, name="case")

TagArgument = Annotated[str, typer.Argument(metavar="TAG", help="The objection's tag or Chinese label.")]


@objection_app.command("list")
def objection_list(
    ctx: typer.Context,
    everything: Annotated[bool, typer.Option("--all", help="Retired objections too.")] = False,
    as_json: JsonOption = False,
) -> None:
    """The objections a follow-up can record."""
    from leadcard.domain import objections
    from leadcard.render import objections as render

    render.objections(objections.list_objections(session(ctx), include_retired=everything), as_json)


@objection_app.command("add")
def objection_add(
    ctx: typer.Context,
    tag: Annotated[str, typer.Argument(metavar="TAG", help="A short English tag, e.g. insurance.")],
    label: Annotated[str, typer.Argument(metavar="LABEL", help="The Chinese label, e.g. 保险费用高.")],
    as_json: JsonOption = False,
) -> None:
    """Add an objection to the store's list (supervisor or manager)."""
    from leadcard.domain import objections
    from leadcard.render import objections as render

    render.objections([objections.add_objection(session(ctx), tag, label)], as_json, changed="已添加")


@objection_app.command("edit")
def objection_edit(
    ctx: typer.Context,
    tag: TagArgument,
    label: Annotated[Optional[str], typer.Option(help="A new Chinese label.")] = None,
    retire: Annotated[bool, typer.Option("--retire", help="Take it off the list (old records keep it).")] = False,
    restore: Annotated[bool, typer.Option("--restore", help="Put a retired objection back.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Relabel, retire or restore an objection (supervisor or manager)."""
    from leadcard.domain import objections
    from leadcard.render import objections as render
    from leadcard.errors import BadInput

    if retire and restore:
        raise BadInput("use --retire or --restore, not both")
    active = False if retire else (True if restore else None)
    edited = objections.edit_objection(session(ctx), tag, label, active)
    render.objections([edited], as_json, changed="已修改")


@playbook_app.command("list")
def playbook_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Every objection with its latest script, for the morning drill."""
    from leadcard.domain import objections
    from leadcard.render import objections as render

    render.playbook(objections.playbook(session(ctx)), as_json)


@playbook_app.command("show")
def playbook_show(ctx: typer.Context, tag: TagArgument, as_json: JsonOption = False) -> None:
    """One objection's script, with every earlier version."""
    from leadcard.domain import objections
    from leadcard.render import objections as render

    render.script_history(objections.script_history(session(ctx), tag), as_json)


ScriptArgument = Annotated[str, typer.Argument(metavar="TEXT", help="The script (话术), in the customer's terms.")]


@playbook_app.command("add")
def playbook_add(ctx: typer.Context, tag: TagArgument, text: ScriptArgument, as_json: JsonOption = False) -> None:
    """Write the first script for an objection (supervisor or manager)."""
    _write_script(ctx, tag, text, as_json, edit=False)


@playbook_app.command("edit")
def playbook_edit(ctx: typer.Context, tag: TagArgument, text: ScriptArgument, as_json: JsonOption = False) -> None:
    """Write a new version of an objection's script; the earlier versions are kept (supervisor or manager)."""
    _write_script(ctx, tag, text, as_json, edit=True)


def _write_script(ctx: typer.Context, tag: str, text: str, as_json: bool, edit: bool) -> None:
    from leadcard.domain import objections
    from leadcard.render import objections as render

    render.script_written(objections.write_script(session(ctx), tag, text, edit=edit), as_json)


@case_app.command("add")
def case_add(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="Card number, phone, or name of a won or lost card.")],
    lesson: Annotated[str, typer.Option("--lesson", help="What the team should learn from it (经验/教训).")],
    as_json: JsonOption = False,
) -> None:
    """Keep a won or lost card as a teaching case."""
    from leadcard.domain import cases
    from leadcard.render import objections as render

    render.cases([cases.add_case(session(ctx), ref, lesson)], as_json, added=True)


@case_app.command("list")
def case_list(
    ctx: typer.Context,
    objection: Annotated[Optional[str], typer.Option(help="Only cases whose card raised this objection.")] = None,
    outcome: Annotated[Optional[str], typer.Option(help="won or lost (成交/战败).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Teaching cases on the cards you can see, newest first."""
    from leadcard.domain import cases
    from leadcard.render import objections as render

    render.cases(cases.list_cases(session(ctx), objection, outcome), as_json)
