"""`leadcard audit`: the supervisor's daily check of the cards."""

from typing import Annotated, Optional

import typer

from leadcard.commands.common import day, session
from leadcard.commands.options import JsonOption

app = typer.Typer()
Opt = typer.Option


@app.command()
def audit(
    ctx: typer.Context,
    date_: Annotated[Optional[str], Opt("--date", help="Audit the store as it stood at the end of this day.")] = None,
    since: Annotated[Optional[str], Opt(help="Only findings from this day on (problems still open are kept).")] = None,
    owner: Annotated[Optional[str], Opt(help="Only this consultant's cards.")] = None,
    rule: Annotated[Optional[list[str]], Opt("--rule", help="Only this rule (repeatable, or comma-separated).")] = None,
    ignore: Annotated[Optional[list[str]], Opt("--ignore", help="Skip this rule (repeatable, or comma-separated).")] = None,
    fail_on: Annotated[Optional[str], Opt("--fail-on", help="Exit 1 when a finding is at or above: info, warning, error.")] = None,
    explain: Annotated[Optional[str], Opt("--explain", metavar="RULE", help="Explain a rule: its limits and why it exists.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Check the cards against the store's rules: late contacts, gaps, vague records, losses …"""
    from leadcard.domain import audit as domain
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

    with progress("审计") as step:
        result = domain.audit(
            session(ctx),
            day=day(date_) if date_ else None,
            since=day(since) if since else None,
            owner=owner,
            only=_names(rule),
            ignore=_names(ignore),
            step=step,
        )
    if as_json:
        render.print_audit_json(result)
    else:
        render.audit_view(result)
    if result.fails(level):
        raise typer.Exit(1)


def _names(values: Optional[list[str]]) -> list[str]:
    return [name for value in values or () for name in value.split(",") if name.strip()]
