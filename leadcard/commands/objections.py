"""Objections (客户异议), the script library (话术库) and the case library (案例库)."""


from typing import Annotated, Optional

import typer

from leadcard.commands.common import session
from leadcard.commands.options import JsonOption
from leadcard.i18n import _

app = typer.Typer()
objection_app = typer.Typer(help="本店常见客户异议清单，供 `log --objection` 使用。",
                            no_args_is_help=True)
playbook_app = typer.Typer(help="话术库：每种异议经过检验的应对话术。",
                           no_args_is_help=True)
case_app = typer.Typer(help="案例库：留作早会讲解的成交和战败卡片。",
                       no_args_is_help=True)
app.add_typer(objection_app, name="objection")
app.add_typer(playbook_app, name="playbook")
app.add_typer(case_app, name="case")

TagArgument = Annotated[str, typer.Argument(metavar="TAG", help="异议的标签或中文名。")]


@objection_app.command("list")
def objection_list(
    ctx: typer.Context,
    everything: Annotated[bool, typer.Option("--all", help="连已停用的异议一起列出。")] = False,
    as_json: JsonOption = False,
) -> None:
    """列出跟进时可以记录的异议。

    \b
    示例：
      leadcard objection list
      leadcard objection list --all
    """
    from leadcard.domain import objections
    from leadcard.render import objections as render

    render.objections(objections.list_objections(session(ctx), include_retired=everything), as_json)


@objection_app.command("add")
def objection_add(
    ctx: typer.Context,
    tag: Annotated[str, typer.Argument(metavar="TAG", help="简短的英文标签，如 `insurance`。")],
    label: Annotated[str, typer.Argument(metavar="LABEL", help="中文名，如 保险费用高。")],
    as_json: JsonOption = False,
) -> None:
    """往本店异议清单里加一种异议（主管或经理）。

    \b
    示例：
      leadcard objection add insurance 保险费用高
    """
    from leadcard.domain import objections
    from leadcard.render import objections as render

    render.objections([objections.add_objection(session(ctx), tag, label)], as_json, changed=_("已添加"))


@objection_app.command("edit")
def objection_edit(
    ctx: typer.Context,
    tag: TagArgument,
    label: Annotated[Optional[str], typer.Option(help="新的中文名。")] = None,
    retire: Annotated[bool, typer.Option("--retire", help="从清单上停用（旧记录保留）。")] = False,
    restore: Annotated[bool, typer.Option("--restore", help="恢复已停用的异议。")] = False,
    as_json: JsonOption = False,
) -> None:
    """修改异议的中文名，或停用、恢复一种异议（主管或经理）。

    \b
    示例：
      leadcard objection edit insurance --label 保险太贵
      leadcard objection edit insurance --retire
    """
    from leadcard.domain import objections
    from leadcard.render import objections as render
    from leadcard.errors import BadInput

    if retire and restore:
        raise BadInput(_("--retire 和 --restore 只能用一个"))
    active = False if retire else (True if restore else None)
    edited = objections.edit_objection(session(ctx), tag, label, active)
    render.objections([edited], as_json, changed=_("已修改"))


@playbook_app.command("list")
def playbook_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """每种异议及其最新话术，供早会演练。

    \b
    示例：
      leadcard playbook list
    """
    from leadcard.domain import objections
    from leadcard.render import objections as render

    render.playbook(objections.playbook(session(ctx)), as_json)


@playbook_app.command("show")
def playbook_show(ctx: typer.Context, tag: TagArgument, as_json: JsonOption = False) -> None:
    """一种异议的话术，连同以往各个版本。

    \b
    示例：
      leadcard playbook show insurance
      leadcard playbook show 保险费用高
    """
    from leadcard.domain import objections
    from leadcard.render import objections as render

    render.script_history(objections.script_history(session(ctx), tag), as_json)


ScriptArgument = Annotated[str, typer.Argument(metavar="TEXT", help="话术，用客户听得懂的话。")]


@playbook_app.command("add")
def playbook_add(ctx: typer.Context, tag: TagArgument, text: ScriptArgument, as_json: JsonOption = False) -> None:
    """为一种异议写第一版话术（主管或经理）。

    \b
    示例：
      leadcard playbook add insurance 我们合作的保险公司首年可以打七折
    """
    _write_script(ctx, tag, text, as_json, edit=False)


@playbook_app.command("edit")
def playbook_edit(ctx: typer.Context, tag: TagArgument, text: ScriptArgument, as_json: JsonOption = False) -> None:
    """为一种异议的话术写新版本，旧版本保留（主管或经理）。

    \b
    示例：
      leadcard playbook edit insurance 首年保险店里补贴一千元
    """
    _write_script(ctx, tag, text, as_json, edit=True)


def _write_script(ctx: typer.Context, tag: str, text: str, as_json: bool, edit: bool) -> None:
    from leadcard.domain import objections
    from leadcard.render import objections as render

    render.script_written(objections.write_script(session(ctx), tag, text, edit=edit), as_json)


@case_app.command("add")
def case_add(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="已成交或已战败卡片的卡号、电话或姓名。")],
    lesson: Annotated[str, typer.Option("--lesson", help="团队应当从中学到的经验或教训。")],
    as_json: JsonOption = False,
) -> None:
    """把一张成交或战败的卡片收为教学案例。

    \b
    示例：
      leadcard case add 张三 --lesson 试驾后当天回访，第二天就订车了
    """
    from leadcard.domain import cases
    from leadcard.render import objections as render

    render.cases([cases.add_case(session(ctx), ref, lesson)], as_json, added=True)


@case_app.command("list")
def case_list(
    ctx: typer.Context,
    objection: Annotated[Optional[str], typer.Option(help="只列卡片提过这种异议的案例。")] = None,
    outcome: Annotated[Optional[str], typer.Option(help="won（成交）或 lost（战败）。")] = None,
    as_json: JsonOption = False,
) -> None:
    """你能看到的卡片上的教学案例，最新的在前。

    \b
    示例：
      leadcard case list
      leadcard case list --objection insurance --outcome lost
    """
    from leadcard.domain import cases
    from leadcard.render import objections as render

    render.cases(cases.list_cases(session(ctx), objection, outcome), as_json)
