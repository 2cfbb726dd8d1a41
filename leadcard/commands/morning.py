"""The morning list, `leadcard today`, free of typer: both the typer command and the lean path of
leadcard.cli run it."""

from __future__ import annotations

from leadcard.commands.common import Globals, day, open_session
from leadcard.i18n import _


def show_today(g: Globals, date_: str | None, owner: str | None, everyone: bool, as_json: bool) -> None:
    from leadcard.domain import cards as domain
    from leadcard.render import cards as render
    from leadcard.errors import BadInput

    if owner and everyone:
        raise BadInput(_("--owner 和 --all 只能用一个"))
    the_day = day(date_)
    result = domain.today(open_session(g), the_day, owner=owner, everyone=everyone)
    if as_json:
        render.print_today_json(result)
    else:
        render.today_table(result)
