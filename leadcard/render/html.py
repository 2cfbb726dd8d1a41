"""A report as one self-contained html page, for WeChat and e-mail: inline CSS and SVG charts, no
script, nothing fetched, the system's Chinese fonts by name; it reflows to a phone's width.
Every value a user typed is escaped."""

from __future__ import annotations

from leadcard.i18n import _, english
from leadcard.render.charts import html_text, svg
from leadcard.render.document import Document, Section, cell_text

_STYLE = """
:root { color-scheme: light; }
body { margin: 0; padding: 12px; background: #f5f6f8; color: #1d2329;
  font: 15px/1.5 "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC",
  "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif; }
main { max-width: 960px; margin: 0 auto; }
h1 { font-size: 1.3em; margin: 0.3em 0 0.8em; }
h2 { font-size: 1.05em; margin: 0 0 0.5em; }
section, figure { background: #fff; border-radius: 8px; padding: 12px; margin: 0 0 12px;
  box-shadow: 0 1px 2px rgba(0,0,0,0.08); }
figure { margin-left: 0; margin-right: 0; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 12px; }
.charts figure { margin: 0; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; width: 100%; font-size: 0.92em; }
th, td { padding: 4px 8px; border-bottom: 1px solid #e4e7eb; text-align: left; white-space: nowrap; }
th { background: #eef1f5; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.empty { color: #6b7580; }
svg.chart { width: 100%; height: auto; display: block; }
svg .chart-title { font-size: 15px; font-weight: bold; fill: #1d2329; }
svg .tick { font-size: 11px; fill: #5b6570; }
svg .axis { font-size: 12px; fill: #1d2329; }
svg .grid { stroke: #e4e7eb; }
svg .target { stroke: #c0392b; stroke-width: 2; stroke-dasharray: 6 4; }
svg .target-label { font-size: 11px; fill: #c0392b; }
@media (max-width: 480px) { body { padding: 6px; font-size: 14px; } section, figure { padding: 8px; } }
"""


def page(document: Document) -> str:
    charts = "".join(f"<figure>{svg(chart)}</figure>" for chart in document.charts)
    body = "".join(_section(section) for section in document.sections)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{"en" if english() else "zh-CN"}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html_text(document.title)}</title><style>{_STYLE}</style></head>"
        f"<body><main><h1>{html_text(document.title)}</h1>"
        f'<div class="charts">{charts}</div>{body}</main></body></html>\n'
    )


def _section(section: Section) -> str:
    if not section.rows:
        return f'<section><h2>{html_text(section.title)}</h2><p class="empty">{html_text(_("（无）"))}</p></section>'
    head = "".join(f"<th>{html_text(h)}</th>" for h in section.headers)
    rows = "".join(
        "<tr>" + "".join(f'<td class="num">{html_text(cell_text(c))}</td>' if isinstance(c, (int, float))
                         else f"<td>{html_text(cell_text(c))}</td>" for c in row) + "</tr>"
        for row in section.rows)
    return (f'<section><h2>{html_text(section.title)}</h2><div class="scroll"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table></div></section>")
