"""Monthly targets (月度目标): target set, target list."""


from typing import Annotated, Optional

import typer

from leadcard.commands.common import session
from leadcard.commands.options import JsonOption

app = typer.Typer()
target_app = typer.Typer(help="月度目标：每位顾问的订单和交车目标；周报、月报显示达成率。",
                         no_args_is_help=True)
app.add_typer(target_app, name="target")

Opt = typer.Option
# Orders or deliveries in a month: a whole showroom's, many times over.
TARGET_MAX = 10_000


@target_app.command("set")
def target_set(
    ctx: typer.Context,
    user: Annotated[str, typer.Argument(metavar="USER", help="顾问。")],
    orders: Annotated[int, Opt("--orders", help="本月要拿的订单数。", min=0, max=TARGET_MAX)],
    month: Annotated[Optional[str], Opt("--month", help="月份，如 2026-12（默认本月）。")] = None,
    deliveries: Annotated[Optional[int], Opt("--deliveries", help="本月要交的车数。", min=0, max=TARGET_MAX)] = None,
    as_json: JsonOption = False,
) -> None:
    """设定顾问的月度目标（经理可设任何人，主管设本组）；再设一次即替换，旧目标保留在记录里。

    \b
    示例：
      leadcard --as 赵经理 target set 王芳 --month 2026-12 --orders 8 --deliveries 6
    """
    from leadcard.domain import targets
    from leadcard.render import targets as render

    target = targets.set_target(session(ctx), user, month, orders, deliveries)
    if as_json:
        render.print_json(render.target_json(target))
    else:
        from leadcard.i18n import _

        render.console().print(_("{user} {month} 目标：{target}").format(user=target.user, month=target.month,
                                                                      target=render.target_text(target)))


@target_app.command("list")
def target_list(
    ctx: typer.Context,
    month: Annotated[Optional[str], Opt("--month", help="月份，如 2026-12（默认本月）。")] = None,
    as_json: JsonOption = False,
) -> None:
    """你能看到的顾问本月的目标。

    \b
    示例：
      leadcard target list --month 2026-12
    """
    from leadcard.domain import targets
    from leadcard.render import targets as render

    label, found = targets.list_targets(session(ctx), month)
    if as_json:
        render.print_json({"month": label, "targets": [render.target_json(t) for t in found]})
    else:
        render.targets_table(label, found)
