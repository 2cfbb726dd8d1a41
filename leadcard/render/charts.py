"""Charts of a report: what to draw (`Chart`), drawn as native Excel charts in the xlsx file and as
inline SVG in the html page. Values only: no query, no domain rule."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from leadcard.usertext import shown

NA = "n/a"


def html_text(value: str) -> str:
    """Text for the html page and its charts: escaped, and a control character or a direction
    override written out as on a terminal (a stored one would act on the reader's screen)."""
    return escape(shown(value, line=True))


@dataclass(frozen=True)
class Chart:
    kind: str  # "bar" or "line"
    title: str
    x_title: str
    y_title: str
    categories: list[str]
    series: list[tuple[str, list]]  # (name, a value per category; None where there is nothing to divide)
    percent: bool = False  # the values are rates, shown as %
    target: tuple[str, float] | None = None  # (name, value): drawn as a line across the chart


# -- xlsx ---------------------------------------------------------------------------------------------

DATA_SHEET = "图表"
_BLOCK_ROWS = 20  # rows between one chart's data (and chart) and the next


def add_xlsx_charts(book, charts: list[Chart]) -> None:
    """A first sheet with each chart's data and the chart beside it (openpyxl's native charts)."""
    if not charts:
        return
    from openpyxl.chart import BarChart, LineChart, Reference

    sheet = book.create_sheet(DATA_SHEET)
    row = 1
    for chart in charts:
        names = [name for name, _values in chart.series] + ([chart.target[0]] if chart.target else [])
        sheet.cell(row, 1, chart.x_title)
        for j, name in enumerate(names, start=2):
            sheet.cell(row, j, name)
        for i, category in enumerate(chart.categories, start=1):
            sheet.cell(row + i, 1, category)
            values = [values[i - 1] for _name, values in chart.series] + ([chart.target[1]] if chart.target else [])
            for j, value in enumerate(values, start=2):
                cell = sheet.cell(row + i, j, value)
                if chart.percent:
                    cell.number_format = "0.0%"
        last = row + len(chart.categories)
        drawn = BarChart() if chart.kind == "bar" else LineChart()
        measured = len(chart.series)
        drawn.add_data(Reference(sheet, min_col=2, max_col=1 + measured, min_row=row, max_row=last), titles_from_data=True)
        categories = Reference(sheet, min_col=1, min_row=row + 1, max_row=last)
        drawn.set_categories(categories)
        if chart.target:
            line = LineChart()
            line.add_data(Reference(sheet, min_col=2 + measured, min_row=row, max_row=last), titles_from_data=True)
            line.set_categories(categories)
            line.series[0].graphicalProperties.line.dashStyle = "dash"
            if chart.kind == "bar":
                drawn += line
            else:
                drawn.series.append(line.series[0])
        drawn.title = chart.title
        drawn.x_axis.title = chart.x_title
        drawn.y_axis.title = chart.y_title
        drawn.x_axis.delete = drawn.y_axis.delete = False  # openpyxl hides the axes unless told
        if chart.percent:
            drawn.y_axis.number_format = "0%"
            drawn.y_axis.scaling.min = 0
        drawn.width, drawn.height = 18, 8.5
        sheet.add_chart(drawn, f"{chr(ord('A') + len(names) + 2)}{row}")
        row += max(_BLOCK_ROWS, len(chart.categories) + 3)


# -- svg ----------------------------------------------------------------------------------------------

_W, _H = 640, 300
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 16, 36, 56
_COLOURS = ("#2f6fb0", "#e07b39", "#3a9b5c", "#9b59b6")


def svg(chart: Chart) -> str:
    """The chart as inline SVG that scales to the page's width; every text escaped."""
    values = [v for _name, vs in chart.series for v in vs if v is not None]
    if chart.target:
        values.append(chart.target[1])
    top = max(values, default=0)
    top = 1.0 if chart.percent and top <= 1 else (top or 1)
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    n = max(len(chart.categories), 1)
    step = plot_w / n

    def y(value: float) -> float:
        return _TOP + plot_h * (1 - value / top)

    def label(value) -> str:
        if value is None:
            return NA
        return f"{value:.0%}" if chart.percent else f"{value:g}"

    parts = [f'<svg class="chart" viewBox="0 0 {_W} {_H}" role="img" aria-label="{html_text(chart.title)}" '
             f'xmlns="http://www.w3.org/2000/svg">',
             f'<text x="{_W / 2}" y="20" text-anchor="middle" class="chart-title">{html_text(chart.title)}</text>']
    for tick in (0, 0.5, 1):
        ty = y(top * tick)
        parts.append(f'<line x1="{_LEFT}" y1="{ty:.1f}" x2="{_W - _RIGHT}" y2="{ty:.1f}" class="grid"/>'
                     f'<text x="{_LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end" class="tick">{html_text(label(top * tick))}</text>')
    every = -(-n // 6)  # at most six labels: a phone's width holds no more
    for i, category in enumerate(chart.categories):
        if i % every == 0:
            parts.append(f'<text x="{_LEFT + step * (i + 0.5):.1f}" y="{_H - _BOTTOM + 18}" text-anchor="middle" '
                         f'class="tick">{html_text(category)}</text>')
    parts.append(f'<text x="{_LEFT + plot_w / 2}" y="{_H - 8}" text-anchor="middle" class="axis">{html_text(chart.x_title)}</text>'
                 f'<text x="14" y="{_TOP + plot_h / 2}" text-anchor="middle" class="axis" '
                 f'transform="rotate(-90 14 {_TOP + plot_h / 2})">{html_text(chart.y_title)}</text>')
    for k, (name, vals) in enumerate(chart.series):
        colour = _COLOURS[k % len(_COLOURS)]
        if chart.kind == "bar":
            width = step * 0.7 / len(chart.series)
            for i, value in enumerate(vals):
                if value is None:
                    continue
                x = _LEFT + step * i + step * 0.15 + width * k
                parts.append(f'<rect x="{x:.1f}" y="{y(value):.1f}" width="{width:.1f}" '
                             f'height="{_TOP + plot_h - y(value):.1f}" fill="{colour}"><title>{html_text(name)} '
                             f'{html_text(chart.categories[i])}: {html_text(label(value))}</title></rect>')
        else:
            points = [(_LEFT + step * (i + 0.5), y(v)) for i, v in enumerate(vals) if v is not None]
            if len(points) > 1:
                parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" points="'
                             + " ".join(f"{px:.1f},{py:.1f}" for px, py in points) + '"/>')
            parts += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{colour}"/>' for px, py in points]
    if chart.target:
        ty = y(chart.target[1])
        parts.append(f'<line x1="{_LEFT}" y1="{ty:.1f}" x2="{_W - _RIGHT}" y2="{ty:.1f}" class="target"/>'
                     f'<text x="{_W - _RIGHT}" y="{ty - 5:.1f}" text-anchor="end" class="target-label">'
                     f'{html_text(chart.target[0])} {html_text(label(chart.target[1]))}</text>')
    parts.append("</svg>")
    return "".join(parts)
