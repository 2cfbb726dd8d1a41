"""The morning list, `leadcard today`, free of typer: both the typer command and the lean path of
leadcard.cli run it."""

from __future__ import annotations

import gc

from leadcard.commands.common import Globals, across_globals, day
from leadcard.i18n import _


def show_today(g: Globals, date_: str | None, owner: str | None, everyone: bool, as_json: bool) -> None:
    from leadcard.domain import cards as domain
    from leadcard.render import cards as render
    from leadcard.errors import BadInput

    if owner and everyone:
        raise BadInput(_("--owner 和 --all 只能用一个"))
    the_day = day(date_)
    # A manager's list is tens of thousands of values, all kept until the list is drawn: the
    # collector's passes over them (~40 ms at 100,000 cards) would free nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        result = across_globals(g, "today", lambda s: domain.today(s, the_day, owner=owner, everyone=everyone),
                                _merged, per_showroom="--owner" if owner else None)
        if as_json:
            render.print_today_json(result)
        else:
            render.today_table(result)
    finally:
        if collecting:
            gc.enable()


def _merged(lists):
    """A hub's lists of every showroom as one (what merges them is loaded only on a hub: not at every
    morning's start-up)."""
    from leadcard.domain.hub_merge import today_lists

    return today_lists(lists)
