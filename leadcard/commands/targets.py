"""Monthly targets (月度目标): target set, target list."""


from typing import Annotated, Optional

import typer

from leadcard.commands.common import session
from leadcard.commands.options import JsonOption

app = typer.Typer()
target_app = typer.Typer(help="Monthly targets (月度目标): orders and deliveries per consultant; the report shows the attainment (达成率).",
                         no_args_is_help=True)
app.add_typer(target_app, name="target")

Opt = typer.Option


@target_app.command("set")
def target_set(
    ctx: typer.Context,
    user: Annotated[str, typer.Argument(metavar="USER", help="The consultant.")],
    orders: Annotated[int, Opt("--orders", help="Orders (订单) to take in the month.", min=0)],
    month: Annotated[Optional[str], Opt("--month", help="The month, e.g. 2026-12 (default: this month).")] = None,
    deliveries: Annotated[Optional[int], Opt("--deliveries", help="Cars to deliver (交车) in the month.", min=0)] = None,
    as_json: JsonOption = False,
) -> None:
    """Set a consultant's target for a month (the manager anyone's, a supervisor their team's); setting it again replaces it, the old one kept."""
    from leadcard.domain import targets
    from leadcard.render import targets as render

    target = targets.set_target(session(ctx), user, month, orders, deliveries)
    if as_json:
        render.print_json(render.target_json(target))
    else:
        render.console().print(f"{target.user} {target.month} 目标：{render.target_text(target)}")


@target_app.command("list")
def target_list(
    ctx: typer.Context,
    month: Annotated[Optional[str], Opt("--month", help="The month, e.g. 2026-12 (default: this month).")] = None,
    as_json: JsonOption = False,
) -> None:
    """The month's targets of the consultants you can see."""
    from leadcard.domain import targets
    from leadcard.render import targets as render

    label, found = targets.list_targets(session(ctx), month)
    if as_json:
        render.print_json({"month": label, "targets": [render.target_json(t) for t in found]})
    else:
        render.targets_table(label, found)
