"""A dealer group's hub (集团汇总库): hub attach, hub list, hub detach."""


from typing import Annotated

import typer

from leadcard.commands.common import session
from leadcard.commands.options import JsonOption

app = typer.Typer()
hub_app = typer.Typer(help="集团汇总库：接入各门店的数据库（PostgreSQL 逻辑复制），跨门店读取报表、稽核和名单。",
                      no_args_is_help=True)
app.add_typer(hub_app, name="hub")


@hub_app.command("attach")
def hub_attach(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="门店名，汇总里每行都带着它。")],
    dsn: Annotated[str, typer.Argument(metavar="DSN", help="门店数据库：postgresql://复制角色@门店服务器/数据库。")],
    as_json: JsonOption = False,
) -> None:
    """把一个门店的数据库接入集团汇总库：门店服务器上建发布和复制槽，集团服务器上建副本和订阅。

    门店服务器要 `wal_level = logical`；连接的角色要有 `REPLICATION` 权限、能读门店的表（做法见 `README`）。

    \b
    示例：
      leadcard --db postgresql://postgres@集团服务器/group hub attach 望京店 postgresql://hub@望京服务器/leadcard
    """
    from leadcard.domain import hub
    from leadcard.i18n import _
    from leadcard.render import hub as render

    found = hub.attach(session(ctx), name, dsn)
    if as_json:
        render.print_json(render.showroom_json(found))
    else:
        render.console().print(_("已接入门店 {name}：首次复制完成后即可读取（进度见 `leadcard hub list`）").format(
            name=found.showroom.name))


@hub_app.command("list")
def hub_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """接入的门店，各自的复制状态和落后多少。

    \b
    示例：
      leadcard hub list
    """
    from leadcard.domain import hub
    from leadcard.render import hub as render

    found = hub.list_showrooms(session(ctx))
    if as_json:
        render.print_json([render.showroom_json(s) for s in found])
    else:
        render.showrooms_table(found)


@hub_app.command("detach")
def hub_detach(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="门店名。")],
    as_json: JsonOption = False,
) -> None:
    """移除门店：删掉它在集团服务器上的副本和订阅，以及门店服务器上的复制槽；门店自己的数据不动。

    \b
    示例：
      leadcard hub detach 望京店
    """
    from leadcard.domain import hub
    from leadcard.i18n import _
    from leadcard.render import hub as render

    detached = hub.detach(session(ctx), name)
    if as_json:
        render.print_json({"name": detached.showroom.name, "slot": detached.showroom.slot,
                           "slot_dropped": detached.slot_dropped})
        return
    render.console().print(_("已移除门店 {name}").format(name=detached.showroom.name))
    if not detached.slot_dropped:
        render.console(stderr=True).print(_("连不上门店服务器，复制槽 {slot} 还留在那里，会一直占着门店的 WAL："
                                            "请在门店服务器上用 pg_drop_replication_slot('{slot}') 删除它")
                                          .format(slot=detached.showroom.slot))
