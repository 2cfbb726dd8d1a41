"""Monthly targets (月度目标) drawn: `target set` and `target list`."""

from __future__ import annotations

from leadcard.i18n import _
from leadcard.model.reports import Target
# Commands print through this module, the shared pieces included (print_json).
from leadcard.render.common import console, iso, new_table, print_json  # noqa: F401


def target_json(t: Target) -> dict:
    return {"user": t.user, "team": t.team, "month": t.month, "orders": t.orders, "deliveries": t.deliveries,
            "set_by": t.set_by, "set_at": iso(t.set_at)}


def target_text(t: Target) -> str:
    orders = _("订单 {orders} 台").format(orders=t.orders)
    return orders + (_("，交车 {deliveries} 台").format(deliveries=t.deliveries) if t.deliveries is not None else "")


def targets_table(month: str, targets: list[Target]) -> None:
    out = console()
    if not targets:
        out.print(_("{month} 还没有设定目标（leadcard target set 顾问 --month {month} --orders N）。").format(month=month))
        return
    table = new_table()
    for title in (_("顾问"), _("团队"), _("目标订单"), _("目标交车"), _("设定人"), _("设定时间")):
        table.add_column(title, no_wrap=True)
    for t in targets:
        table.add_row(t.user, t.team or "", str(t.orders), "" if t.deliveries is None else str(t.deliveries),
                      t.set_by or "", f"{t.set_at:%Y-%m-%d %H:%M}")
    out.print(_("{month} 月度目标").format(month=month))
    out.print(table)
