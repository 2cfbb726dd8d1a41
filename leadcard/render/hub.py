"""A dealer group's hub (集团汇总库): its showrooms and how far each one's copy is."""

from __future__ import annotations

from leadcard.i18n import N_, _
from leadcard.render.common import console, iso, new_table, print_json  # noqa: F401 (print_json: the commands)

# A showroom's copy: gone, its first copy being made, not streaming, or streaming.
STATE_LABELS = {"missing": N_("副本不见了"), "copying": N_("首次复制中"), "stopped": N_("未在同步"),
                "streaming": N_("同步中")}


def state_of(found) -> str:
    """`found` is a domain.hub.ShowroomState."""
    state = found.state
    if state is None:
        return "missing"
    if state.tables == 0 or state.ready_tables < state.tables:
        return "copying"
    return "streaming" if state.enabled and state.streaming else "stopped"


def showroom_json(found) -> dict:
    s, state = found.showroom, found.state
    return {
        "name": s.name, "dsn": s.dsn, "replica": s.replica, "slot": s.slot,
        "attached_at": iso(s.attached_at), "attached_by": s.attached_by, "state": state_of(found),
        "tables": state.tables if state else None, "ready_tables": state.ready_tables if state else None,
        "last_message_at": iso(state.last_message_at) if state else None, "lag_bytes": found.lag_bytes,
    }


def showrooms_table(showrooms: list) -> None:
    out = console()
    if not showrooms:
        out.print(_("还没有接入门店：用 `leadcard hub attach 门店名 postgresql://…` 接入。"))
        return
    table = new_table()
    for title in (_("门店"), _("状态"), _("表"), _("最近收到"), _("落后")):
        table.add_column(title, no_wrap=True)
    table.add_column(_("门店数据库"), overflow="fold")
    table.add_column(_("接入"))
    for found in showrooms:
        s, state = found.showroom, found.state
        heard = f"{state.last_message_at:%m-%d %H:%M:%S}" if state and state.last_message_at else "—"
        tables = f"{state.ready_tables}/{state.tables}" if state else "—"
        lag = _("连不上门店") if found.lag_bytes is None else _size(found.lag_bytes)
        table.add_row(s.name, _(STATE_LABELS[state_of(found)]), tables, heard, lag, s.dsn,
                      f"{s.attached_at:%Y-%m-%d}" + (f" {s.attached_by}" if s.attached_by else ""))
    out.print(table)


def _size(n: int) -> str:
    for unit in ("B", "kB", "MB"):
        if n < 1024:
            return f"{n} {unit}"
        n //= 1024
    return f"{n} GB"
