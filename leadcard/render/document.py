"""A report as every format draws it: a title, tables (sections) of cells, the JSON, the charts."""

from __future__ import annotations

from dataclasses import dataclass

from leadcard.i18n import _
from leadcard.render.charts import Chart

NA = "n/a"


@dataclass(frozen=True)
class Section:
    title: str
    headers: tuple[str, ...]
    rows: list[tuple]  # cells: str, int, float (a rate) or None (no rate: "n/a")
    bars: bool = False  # draw the second column as bars (the funnel)
    screen: bool = True  # shown in the terminal (a table a period per row is too wide: files only)


@dataclass(frozen=True)
class Document:
    """What every format draws: a title, the tables, the JSON and the charts (xlsx, html)."""

    title: str
    sections: list[Section]
    data: dict
    charts: list[Chart]


def across_showrooms(showrooms: tuple[str, ...], title: str) -> str:
    """A title of what a hub merged, naming the showrooms."""
    return _("集团汇总（{showrooms}）· {title}").format(showrooms=_("、").join(showrooms), title=title) \
        if showrooms else title


def percent(rate: float | None) -> str:
    return NA if rate is None else f"{rate:.1%}"


def cell_text(cell) -> str:
    """A cell as text: a rate as a percentage, no rate as n/a."""
    if cell is None:
        return NA
    if isinstance(cell, float):
        return percent(cell)
    return str(cell)
