"""`leadcard audit`: the supervisor's daily check of the cards."""

from typing import Annotated, Optional

import typer

from leadcard.commands.common import across, day, session
from leadcard.commands.options import JsonOption
from leadcard.i18n import _

app = typer.Typer()
Opt = typer.Option


@app.command()
def audit(
    ctx: typer.Context,
    date_: Annotated[Optional[str], Opt("--date", help="按这一天结束时卡片的样子稽核（默认现在）。")] = None,
    since: Annotated[Optional[str], Opt(help="只列这一天起的问题（至今仍未解决的照样列出）。")] = None,
    owner: Annotated[Optional[str], Opt(help="只查这位顾问的卡片。")] = None,
    rule: Annotated[Optional[list[str]], Opt("--rule", help="只查这条规则（可重复，或用逗号分隔）。")] = None,
    ignore: Annotated[Optional[list[str]], Opt("--ignore", help="跳过这条规则（可重复，或用逗号分隔）。")] = None,
    fail_on: Annotated[Optional[str], Opt(
        "--fail-on", help="有问题达到这一级别（`info`、`warning`、`error`）时以退出码 1 结束。")] = None,
    explain: Annotated[Optional[str], Opt(
        "--explain", help="解释一条规则（如 `first-call-late`）：本店的限值，以及为什么要查。")] = None,
    as_json: JsonOption = False,
) -> None:
    """稽核卡片：按本店规则查出首次联系超时、跟进间隔过长、没有下次时间、记录敷衍、战败不实等问题。

    问题按需要处理的人分组列出，最后是每位顾问的汇总；默认回看 30 天。各条规则的限值在本店政策里设定。

    \b
    示例：
      leadcard audit --since 2026-05-01 --fail-on error
      leadcard audit --explain first-call-late
    """
    from leadcard.domain import audit as domain
    from leadcard.domain import hub_merge
    from leadcard.render import audit as render

    level = domain.parse_severity(fail_on) if fail_on is not None else None
    if explain is not None:
        setting = domain.explain(session(ctx), explain)
        if as_json:
            render.print_json(render.explain_json(setting))
        else:
            render.explain_view(setting)
        return
    from leadcard.commands.progress import progress

    with progress(_("审计")) as step:
        result = across(ctx, lambda s: domain.audit(
            s,
            day=day(date_) if date_ else None,
            since=day(since) if since else None,
            owner=owner,
            only=_names(rule),
            ignore=_names(ignore),
            step=step,
        ), hub_merge.audits, per_showroom="--owner" if owner else None)
    if as_json:
        render.print_audit_json(result)
    else:
        render.audit_view(result)
    if result.fails(level):
        raise typer.Exit(1)


def _names(values: Optional[list[str]]) -> list[str]:
    return [name for value in values or () for name in value.split(",") if name.strip()]
