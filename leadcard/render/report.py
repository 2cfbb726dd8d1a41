"""The weekly/monthly report in every format: a terminal view, md, csv, json and xlsx.

All formats but json are drawn from one list of sections (title, Chinese headers, rows), so a table
added to the report appears everywhere. Renderers never query; they produce text or bytes, and
`emit` writes them to stdout or, atomically, to a file.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from leadcard.atomic import replacing
from leadcard.errors import BadInput
from leadcard.i18n import N_, _
from leadcard.model import CHANNEL_LABELS, SOURCE_LABELS, Channel, Source
from leadcard.model.reports import FOLLOWUPS_PER_WIN, TOP_OBJECTIONS, Figures, Ratio, Report, Standing, Traffic
from leadcard.render.charts import Chart
from leadcard.render.common import at_showroom, who
from leadcard.render.document import NA, Document, Section, across_showrooms, cell_text as _text
from leadcard.usertext import shown, to_cell

FORMATS = ("table", "md", "csv", "json", "xlsx", "html")
COACHING = N_("▼ 辅导")  # timeliness below the policy's target: one-to-one coaching
BELOW_TARGET = N_("，低于目标：一对一辅导")
BAR_WIDTH = 30
_KPIS = (  # (JSON key, Chinese name — translated where shown —, Figures attribute)
    ("timeliness", N_("跟进及时率"), "timeliness"),
    ("completeness", N_("记录完整率"), "completeness"),
    ("conversion", N_("转化率"), "conversion"),
    ("reactivation", N_("休眠激活率"), "reactivation"),
    ("referral", N_("转介绍率"), "referral"),
    ("after_delivery", N_("交车回访及时率"), "after_delivery"),
)


# -- JSON ------------------------------------------------------------------------------------------


def _rate(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def _ratio_json(ratio: Ratio) -> dict:
    return {"numerator": ratio.numerator, "denominator": ratio.denominator, "rate": _rate(ratio.rate)}


def _figures_json(f: Figures, target: float) -> dict:
    kpis: dict = {}
    for key, _label, attr in _KPIS:
        ratio: Ratio = getattr(f, attr)
        kpis[f"{key}_rate"] = _rate(ratio.rate)
        kpis[key] = _ratio_json(ratio)
    kpis["timeliness"]["target"] = target
    kpis["timeliness"]["below_target"] = f.timeliness.rate < target if f.timeliness.rate is not None else None
    kpis["loss_clarity_rate"] = _rate(f.loss_clarity.rate)
    kpis["loss_clarity"] = _ratio_json(f.loss_clarity)
    return {
        "new_cards": f.new_cards,
        "followups": f.followups,
        "wins": f.wins,
        "losses": f.losses,
        "loss_requests": f.loss_requests,
        "open_at_end": f.open_at_end,
        "orders": f.orders,
        "cancellations": f.cancellations,
        "deliveries": f.deliveries,
        "referrals": f.referrals,
        "funnel": f.funnel,
        "kpis": kpis,
        "followups_per_win": _per_win_json(f.followups_per_win),
    }


def _per_win_json(counts: tuple[int, ...]) -> list[dict]:
    total = sum(counts)
    return [
        {"followups": label, "wins": n, "share": _rate(n / total) if total else None, "benchmark": share}
        for (label, _least, share), n in zip(FOLLOWUPS_PER_WIN, counts)
    ]


# The showroom's traffic: (JSON key, Chinese name, Traffic attribute, how it is counted).
_TRAFFIC = (
    ("card", N_("留档率"), "card", N_("首次进店留下联系方式 ÷ 首次进店（来电另计）")),
    ("test_drive", N_("试驾率"), "test_drive", N_("进店（首次与再次）中试驾的 ÷ 进店")),
    ("invitation", N_("邀约到店率"), "invitation", N_("计划本期到店的邀约中客户按约到店的 ÷ 邀约")),
    ("close", N_("成交率"), "close", N_("本期订单 ÷ 首次进店")),
)


def traffic_json(t: Traffic) -> dict:
    data = {"first_visits": t.first_visits, "return_visits": t.return_visits, "phone_ins": t.phone_ins,
            "walk_ins": t.first_visits + t.return_visits, "test_drives": t.test_drives}
    for key, _label, attr, _note in _TRAFFIC:
        ratio: Ratio = getattr(t, attr)
        data[f"{key}_rate"] = _rate(ratio.rate)
        data[key] = _ratio_json(ratio)
    return data


def _traffic_report_json(report: Report) -> dict:
    if report.traffic is None:
        return {}
    return {"traffic": {**traffic_json(report.traffic),
                        "by_consultant": [{**at_showroom(t), "owner": t.owner, **traffic_json(t)}
                                          for t in report.traffic_by_owner]}}


def _same(row, other) -> bool:
    return (row.showroom, row.owner) == (other.showroom, other.owner)


def _owner_traffic_json(report: Report, owner: Figures) -> dict:
    found = next((t for t in report.traffic_by_owner if _same(t, owner)), None)
    return {"traffic": traffic_json(found) if found else None}


# Where a forecast's weight came from.
BASIS_LABELS = {"own": N_("本人"), "floor": N_("全店"), "none": N_("无数据")}


def standing_json(s: Standing, accuracy_days: int) -> dict:
    """A consultant's target, attainment (达成率) and forecast, with the weights it was made with."""
    attainment, delivery = s.attainment, s.delivery_attainment
    return {
        "target": {"month": s.target.month, "orders": s.target.orders, "deliveries": s.target.deliveries,
                   "set_by": s.target.set_by, "set_at": s.target.set_at.isoformat()} if s.target else None,
        "attainment": _ratio_json(attainment) if attainment else None,
        "attainment_rate": _rate(attainment.rate) if attainment else None,
        "month_deliveries": s.deliveries,
        "delivery_attainment": _ratio_json(delivery) if delivery else None,
        "delivery_attainment_rate": _rate(delivery.rate) if delivery else None,
        "forecast": {
            "month": s.month, "orders_so_far": s.forecast.orders_so_far, "value": round(s.forecast.value, 2),
            "accuracy_days": accuracy_days,
            "weights": [{"grade": t.grade, "open_cards": t.open_cards, "weight": round(t.weight, 4),
                         "basis": t.basis, "won": t.measured.numerator, "graded": t.measured.denominator,
                         "expected": round(t.expected, 2)} for t in s.forecast.terms],
        },
    }


def _owner_standing_json(report: Report, owner: Figures) -> dict:
    found = next((s for s in report.standings if _same(s, owner)), None)
    if found is None:
        return {"target": None, "attainment": None, "attainment_rate": None, "month_deliveries": 0,
                "delivery_attainment": None, "delivery_attainment_rate": None, "forecast": None}
    return standing_json(found, report.accuracy_days)


def _targets_json(report: Report) -> dict:
    total = report.standing_totals
    if total is None:
        return {}
    return {"targets": {
        "month": report.standings[0].month, "accuracy_days": report.accuracy_days,
        "by_consultant": [{**at_showroom(s), "owner": s.owner, **standing_json(s, report.accuracy_days)}
                          for s in report.standings],
        "total": {"orders_target": total.orders_target, "orders": total.orders,
                  "attainment": _ratio_json(total.attainment) if total.attainment else None,
                  "deliveries_target": total.deliveries_target, "deliveries": total.deliveries,
                  "delivery_attainment": _ratio_json(total.delivery_attainment) if total.delivery_attainment else None,
                  "forecast": round(total.forecast, 2)},
    }}


def report_json(report: Report) -> dict:
    """CONTRACT.md's keys (`week`/`month`, start, end, totals, kpis, funnel, by_owner, loss_reasons)."""
    p = report.period
    totals = _figures_json(report.totals, report.timeliness_target)
    return {
        "period": p.kind,
        "week" if p.kind == "weekly" else "month": p.label,
        "start": p.first_day.isoformat(),
        "end": p.last_day.isoformat(),
        **({"showrooms": list(report.showrooms)} if report.showrooms else {}),
        "totals": {
            **{k: v for k, v in totals.items() if k not in ("kpis", "funnel", "followups_per_win")},
            "dormant_at_end": report.dormant_at_end,
            "lost_pending_at_end": report.lost_pending_at_end,
            "woken": report.wakes,
        },
        "kpis": totals["kpis"],
        "funnel": totals["funnel"],
        "new_by_source": report.new_by_source,
        "followups_by_channel": report.followups_by_channel,
        "loss_reasons": report.loss_reasons,
        "loss_competitors": report.loss_competitors,
        "followups_per_win": totals["followups_per_win"],
        "by_owner": [{**at_showroom(f), "owner": f.owner, **_figures_json(f, report.timeliness_target),
                      **_owner_traffic_json(report, f), **_owner_standing_json(report, f)}
                     for f in report.by_owner],
        "grade_accuracy": [
            {**at_showroom(g), "grader": g.grader, "grade": g.grade, "horizon_days": g.horizon_days, **_ratio_json(g.won)}
            for g in report.grade_accuracy
        ],
        "objections": [{"tag": o.tag, "label": o.label, "cards": o.won.denominator, "won": o.won.numerator,
                        "win_rate": _rate(o.won.rate)} for o in report.objections[:TOP_OBJECTIONS]],
        "orders": {"count": report.orders.placed, "standing": report.orders.standing,
                   "cancelled": report.orders.placed - report.orders.standing, "by_model": report.orders.by_model,
                   "waiting_for_delivery_at_end": report.orders.waiting_at_end},
        "deliveries": {"count": report.deliveries.delivered, "order_to_delivery_days": {
                           "deliveries": len(report.deliveries.order_days),
                           "average": _days(report.deliveries.average_days),
                           "longest": max(report.deliveries.order_days, default=None)},
                       "after_delivery_visits": _ratio_json(report.deliveries.after_delivery)},
        "cancellations": {"count": report.cancellations.count, "reasons": report.cancellations.reasons},
        "referrers": [{**at_showroom(r), "ref": r.ref, "name": r.name, "owner": r.owner, "referrals": r.referrals, "won": r.won}
                      for r in report.referrers],
        **_traffic_report_json(report),
        **_targets_json(report),
    }


def _days(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


# -- sections: the tables every other format draws ---------------------------------------------


def report_document(report: Report) -> Document:
    return Document(period_title(report), sections(report), report_json(report), report_charts(report))


def report_charts(report: Report) -> list[Chart]:
    """The funnel as bars, and the period's KPIs as bars against the timeliness target."""
    t = report.totals
    kpis = _KPIS + (("loss_clarity", N_("战败明确率"), "loss_clarity"),)
    return [
        Chart("bar", _("期末漏斗（在跟卡数）"), _("级别"), _("卡数"), list(t.funnel), [(_("在跟卡数"), list(t.funnel.values()))]),
        Chart("bar", _("关键指标"), _("指标"), _("比率"), [_(label) for _key, label, _attr in kpis],
              [(_("本期"), [getattr(t, attr).rate for _key, _label, attr in kpis])], percent=True,
              target=(_("及时率目标"), report.timeliness_target)),
    ]


def period_title(report: Report) -> str:
    p = report.period
    title = _("销售周报 {label}（{first} 至 {last}）") if p.kind == "weekly" else _("销售月报 {label}（{first} 至 {last}）")
    return across_showrooms(report.showrooms, title.format(label=p.label, first=p.first_day.isoformat(),
                                                            last=p.last_day.isoformat()))


def sections(report: Report) -> list[Section]:
    t = report.totals
    target = report.timeliness_target
    kpi_headers = (_("指标"), _("分子"), _("分母"), _("比率"), _("说明"))
    unfilled = _("（未填）")
    consultant, count = _("顾问"), _("数量")
    return [
        Section(_("关键指标"), kpi_headers, _kpi_rows(t, target)),
        Section(_("汇总"), (_("项目"), count), [
            (_("新建卡"), t.new_cards), (_("跟进次数"), t.followups), (_("成交"), t.wins), (_("战败（批准）"), t.losses),
            (_("战败申请"), t.loss_requests), (_("期末在跟"), t.open_at_end), (_("期末休眠"), report.dormant_at_end),
            (_("期末战败待审"), report.lost_pending_at_end), (_("休眠唤醒"), report.wakes),
        ]),
        Section(_("订单与交车"), (_("项目"), count), _order_rows(report)),
        Section(_("退订原因"), (_("原因"), count),
                [(r or unfilled, n) for r, n in report.cancellations.reasons.items()]),
        Section(_("转介绍人"), (_("卡号"), _("客户"), consultant, _("介绍新客户"), _("已成交")),
                [(who(r, r.ref), r.name or _("（其他顾问的客户）"), (r.owner or "—") if r.ref else "—", r.referrals,
                  r.won) for r in report.referrers]),
        Section(_("期末漏斗"), (_("级别"), _("在跟卡数")), [(g, n) for g, n in t.funnel.items()], bars=True),
        Section(_("新建卡来源"), (_("来源"), count),
                [(_label(SOURCE_LABELS, _enum(Source, s)), n) for s, n in report.new_by_source.items()]),
        Section(_("跟进渠道"), (_("渠道"), _("次数")),
                [(_label(CHANNEL_LABELS, _enum(Channel, c)), n) for c, n in report.followups_by_channel.items()]),
        Section(_("战败原因"), (_("原因"), count), [(r or unfilled, n) for r, n in report.loss_reasons.items()]),
        Section(_("战败去向（竞品）"), (_("竞品"), count),
                [(c or unfilled, n) for c, n in report.loss_competitors.items()]),
        Section(_("客户异议"), (_("异议"), _("标签"), _("提出卡数"), _("期末成交"), _("成交率")),
                [(o.label, o.tag, o.won.denominator, o.won.numerator, o.won.rate)
                 for o in report.objections[:TOP_OBJECTIONS]]),
        Section(_("成交所需跟进次数"), (_("跟进次数"), _("成交数"), _("占比"), _("行业经验")),
                _per_win_rows(t.followups_per_win)),
        Section(consultant, (consultant, _("新建"), _("跟进"), _("成交"), _("战败"), _("在跟"), _("及时率"),
                             _("完整率"), _("转化率"), _("辅导")),
                [_owner_row(f, target) for f in report.by_owner] + [_owner_row(t, target, _("合计"))]),
        Section(_("顾问订单与交车"), (consultant, _("订单"), _("退订"), _("交车"), _("转介绍"), _("交车回访及时率")),
                [(who(f, f.owner), f.orders, f.cancellations, f.deliveries, f.referrals, f.after_delivery.rate)
                 for f in report.by_owner]),
        Section(_("顾问指标"), (consultant, *kpi_headers),
                [(who(f, f.owner), *row) for f in report.by_owner for row in _kpi_rows(f, target)]),
        Section(_("顾问成交跟进次数"), (consultant, *(label for label, _least, _share in FOLLOWUPS_PER_WIN)),
                [(who(f, f.owner), *f.followups_per_win) for f in report.by_owner]),
        Section(_("顾问期末漏斗"), (consultant, *report.grades),
                [(who(f, f.owner), *(f.funnel.get(g, 0) for g in report.grades)) for f in report.by_owner]),
        Section(_("级别准确率"), (consultant, _("级别"), _("期限（天）"), _("期限内成交"), _("定级卡数"), _("准确率")),
                [(who(g, g.grader), g.grade, g.horizon_days, g.won.numerator, g.won.denominator, g.won.rate)
                 for g in report.grade_accuracy]),
        *_traffic_sections(report),
        *_target_sections(report),
    ]


def _label(labels: dict, value) -> str:
    """A source's or a channel's label in the reader's language; a value without one as it is."""
    return _(labels[value]) if value in labels else str(value)


def _order_rows(report: Report) -> list[tuple]:
    o, d = report.orders, report.deliveries
    average = d.average_days
    return [
        (_("订单（成交）"), o.placed), (_("其中期末仍有效"), o.standing), (_("退订"), report.cancellations.count),
        (_("期末待交车"), o.waiting_at_end), (_("交车"), d.delivered),
        (_("订单到交车平均天数"), f"{average:.1f}" if average is not None else NA),
        (_("订单到交车最长天数"), max(d.order_days, default=NA)),
        (_("交车回访（按时/应做）"), f"{d.after_delivery.numerator}/{d.after_delivery.denominator}"),
    ]


def _traffic_sections(report: Report) -> list[Section]:
    """展厅客流: the morning meeting's numbers in total, and per consultant."""
    t = report.traffic
    if t is None:
        return []
    counts = [(_("首次进店"), t.first_visits), (_("再次进店"), t.return_visits), (_("来电"), t.phone_ins),
              (_("试驾登记"), t.test_drives)]
    kpis = [(_(label), getattr(t, attr).numerator, getattr(t, attr).denominator, getattr(t, attr).rate, _(note))
            for _key, label, attr, note in _TRAFFIC]
    return [
        Section(_("展厅客流"), (_("项目"), _("数量")), counts),
        Section(_("展厅客流指标"), (_("指标"), _("分子"), _("分母"), _("比率"), _("说明")), kpis),
        Section(_("顾问客流"), (_("顾问"), _("首次进店"), _("再次进店"), _("来电"), _("试驾登记"),
                              *(_(label) for _key, label, _attr, _note in _TRAFFIC)),
                [(who(o, o.owner), o.first_visits, o.return_visits, o.phone_ins, o.test_drives,
                  *(getattr(o, attr).rate for _key, _label, attr, _note in _TRAFFIC)) for o in report.traffic_by_owner]
                + [(_("合计"), t.first_visits, t.return_visits, t.phone_ins, t.test_drives,
                    *(getattr(t, attr).rate for _key, _label, attr, _note in _TRAFFIC))]),
    ]


def _target_sections(report: Report) -> list[Section]:
    """月度目标: each consultant against the month's target, the forecast and how it was made."""
    if not report.standings:
        return []
    month = report.standings[0].month
    rows = []
    for s in report.standings:
        attainment, delivery = s.attainment, s.delivery_attainment
        rows.append((who(s, s.owner), s.target.orders if s.target else "—", s.orders,
                     attainment.rate if attainment else "—", delivery.denominator if delivery else "—", s.deliveries,
                     delivery.rate if delivery else "—", _decimal(s.forecast.value)))
    total = report.standing_totals
    rows.append((_("合计"), _or_dash(total.orders_target), total.orders,
                 total.attainment.rate if total.attainment else "—", _or_dash(total.deliveries_target),
                 total.deliveries, total.delivery_attainment.rate if total.delivery_attainment else "—",
                 _decimal(total.forecast)))
    weights = [(who(s, s.owner), t.grade, t.open_cards, t.weight,
                f"{_(BASIS_LABELS[t.basis])} {t.measured.numerator}/{t.measured.denominator}" if t.basis != "none"
                else _(BASIS_LABELS[t.basis]), _decimal(t.expected))
               for s in report.standings for t in s.forecast.terms]
    return [
        Section(_("月度目标与预测（{month}）").format(month=month),
                (_("顾问"), _("目标订单"), _("本月已订单"), _("达成率"), _("目标交车"), _("本月已交车"), _("交车达成率"),
                 _("预测订单")), rows),
        Section(_("预测依据（在跟卡数 × 近 {days} 天级别准确率）").format(days=report.accuracy_days),
                (_("顾问"), _("级别"), _("在跟卡数"), _("权重"), _("依据"), _("预期订单")), weights),
    ]


def _or_dash(value: int | None):
    return "—" if value is None else value


def _decimal(value: float):
    """A count that is not whole (a forecast): two places, a number in xlsx, not a rate."""
    from decimal import Decimal

    return Decimal(f"{value:.2f}")


def _kpi_rows(f: Figures, target: float) -> list[tuple]:
    rows = []
    for _key, label, attr in _KPIS + (("loss_clarity", N_("战败明确率"), "loss_clarity"),):
        ratio: Ratio = getattr(f, attr)
        note = ""
        if attr == "timeliness":
            note = _("目标 {target}").format(target=f"{target:.0%}") + (_(BELOW_TARGET) if _below(ratio, target) else "")
        rows.append((_(label), ratio.numerator, ratio.denominator, ratio.rate, note))
    return rows


def _below(ratio: Ratio, target: float) -> bool:
    return ratio.rate is not None and ratio.rate < target


def _enum(kind, value: str):
    try:
        return kind(value)
    except ValueError:
        return value


def _per_win_rows(counts: tuple[int, ...]) -> list[tuple]:
    total = sum(counts)
    return [(label, n, n / total if total else None, share)
            for (label, _least, share), n in zip(FOLLOWUPS_PER_WIN, counts)]


def _owner_row(f: Figures, target: float, name: str | None = None) -> tuple:
    return (name or who(f, f.owner), f.new_cards, f.followups, f.wins, f.losses, f.open_at_end,
            f.timeliness.rate, f.completeness.rate, f.conversion.rate, _(COACHING) if _below(f.timeliness, target) else "")


# -- text cells -------------------------------------------------------------------------------------


def _bar(n: int, largest: int) -> str:
    return "█" * round(BAR_WIDTH * n / largest) if largest else ""


def _with_bars(section: Section) -> tuple[tuple[str, ...], list[tuple]]:
    if not section.bars:
        return section.headers, section.rows
    largest = max((row[1] for row in section.rows), default=0)
    return (*section.headers, ""), [(*row, _bar(row[1], largest)) for row in section.rows]


# -- formats ------------------------------------------------------------------------------------------


def print_table(document: Document) -> None:
    """The terminal view: the house tables, the funnel as bars, the coaching line marked. Drawn as rich
    draws them, by the lean grid (rich took a second over a dealer group's report); by rich itself
    when a line is too wide for every terminal it may meet, or a cell is more than one line of
    printable text (rich shrinks or wraps those its own way)."""
    from leadcard.render import grid

    colour = grid.use_colour()
    room = grid.house_width()
    if not _fits(document.title, room):
        return _print_with_rich(document)
    lines = [grid.styled(document.title, "bold", colour)]
    for section in (s for s in document.sections if s.screen):
        headers, rows = _with_bars(section)
        if not _fits(section.title, room):
            return _print_with_rich(document)
        lines += ["", grid.styled(section.title, "bold", colour)]
        if not rows:
            lines.append("  " + _("（无）"))
            continue
        drawn = [[_cell(cell) for cell in row] for row in rows]
        if not all(text.isprintable() for row in drawn for text, _style in row):
            return _print_with_rich(document)
        width, table = grid.house_table(list(headers), drawn, [isinstance(c, (int, float)) for c in rows[0]], colour)
        if width > room:
            return _print_with_rich(document)
        lines += table
    sys.stdout.write("\n".join(lines) + "\n")


def _fits(line: str, room: int) -> bool:
    from leadcard.render.grid import cells

    return line.isprintable() and cells(line) <= room


def _cell(cell) -> tuple[str, str]:
    """A cell's text as rich showed it (control characters written out), and its style."""
    text = _text(cell)
    if text == _(COACHING) or text.endswith(_(BELOW_TARGET)):
        return text, "bold red"
    if isinstance(cell, str) and cell.startswith("█"):
        return text, "cyan"
    return shown(text), ""


def _print_with_rich(document: Document) -> None:
    from leadcard.render import common as render
    from rich.text import Text

    out = render.console()
    out.print(Text(document.title, style="bold"))
    for section in (s for s in document.sections if s.screen):
        headers, rows = _with_bars(section)
        out.print(Text(f"\n{section.title}", style="bold"))
        if not rows:
            out.print("  " + _("（无）"))
            continue
        table = render.new_table()
        for i, header in enumerate(headers):
            table.add_column(header, no_wrap=True,
                             justify="right" if isinstance(rows[0][i], (int, float)) else "left")
        for row in rows:
            table.add_row(*(Text(text, style=style) if style else text for text, style in map(_cell, row)))
        out.print(table)


def markdown(document: Document) -> str:
    """Pasteable into WeChat or e-mail: a heading and a pipe table per section."""
    lines = [f"# {document.title}"]
    for section in document.sections:
        headers, rows = _with_bars(section)
        lines += ["", f"## {section.title}", ""]
        if not rows:
            lines.append(_("（无）"))
            continue
        lines.append("| " + " | ".join(headers) + " |")
        lines.append("|" + "|".join("---:" if isinstance(rows[0][i], (int, float)) else "---"
                                    for i in range(len(headers))) + "|")
        lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _md_cell(cell) -> str:
    """A cell of a pipe table: a | or a line break in a name would end the cell or the row; and what
    people typed is text in whatever renders the Markdown (a mail client, a wiki), never an HTML tag,
    a link, emphasis or code: Markdown's own signs are written behind a backslash, which shows them
    as typed."""
    return shown(_text(cell), line=True).translate(_MD_ESCAPED)


# ASCII punctuation that Markdown (CommonMark) reads as markup or HTML; a backslash makes each plain.
_MD_ESCAPED = str.maketrans({sign: "\\" + sign for sign in "\\`*_[]<>|~&"})


def csv_text(document: Document) -> str:
    """All sections in one sheet, each under its title with a blank line between (UTF-8 with BOM)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([document.title])
    for section in document.sections:
        writer.writerow([])
        writer.writerow([section.title])
        writer.writerow(section.headers)
        writer.writerows([to_cell(c) if isinstance(c, str) else _text(c) for c in row] for row in section.rows)
    return "\ufeff" + buffer.getvalue()


def xlsx_bytes(document: Document) -> bytes:
    """One sheet per section: Chinese headers, frozen header row, widths fitted to the text; the
    charts (native Excel charts) on a sheet of their own, first."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from rich.cells import cell_len

    from leadcard.render.charts import add_xlsx_charts

    book = Workbook()
    book.remove(book.active)
    add_xlsx_charts(book, document.charts)
    for section in document.sections:
        sheet = book.create_sheet(_sheet_name(section.title))
        sheet.append(list(section.headers))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in section.rows:
            sheet.append([_xlsx_value(c) for c in row])
            for cell, value in zip(sheet[sheet.max_row], row):
                if isinstance(value, float):
                    cell.number_format = "0.0%"
        sheet.freeze_panes = "A2"
        for i, header in enumerate(section.headers, start=1):
            widest = max([cell_len(header)] + [cell_len(_text(row[i - 1])) for row in section.rows])
            sheet.column_dimensions[get_column_letter(i)].width = min(60, widest + 2)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_name(title: str) -> str:
    """Excel's sheet names: at most 31 characters, none of []:*?/\\."""
    return "".join("_" if ch in "[]:*?/\\" else ch for ch in title)[:31]


def _xlsx_value(cell):
    """Numbers stay numbers (rates as fractions shown as %); no rate is the text n/a; names are text."""
    return NA if cell is None else to_cell(cell)


def emit(document: Document, fmt: str, output: Path | None) -> None:
    """Print the report, or write it to `output` atomically (a temporary file, then a rename)."""
    from leadcard.render import common as render

    if fmt == "table" and output is None:
        print_table(document)
        return
    if fmt == "table":
        fmt = "md"  # a file gets the same tables without terminal drawing
    if fmt == "json":
        data = (render.dumps(document.data, indent=2) + "\n").encode()
    elif fmt == "md":
        data = markdown(document).encode()
    elif fmt == "csv":
        data = csv_text(document).encode()
    elif fmt == "html":
        from leadcard.render.html import page

        data = page(document).encode()
    else:
        data = xlsx_bytes(document)
    if output is None:
        if fmt == "xlsx" and sys.stdout.isatty():
            raise BadInput(_("xlsx 报表是文件：请加 --output 文件.xlsx（或重定向标准输出）"))
        render.bytes_on_stdout(data)
        return
    write_atomically(Path(output), data)


def write_atomically(path: Path, data: bytes) -> None:
    """A cron job never leaves half a file: write beside the target, then rename over it."""
    with replacing(path) as temp, open(temp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
