"""A trend (趋势) in every format: a row per KPI with a sparkline and the latest value against its
target in the terminal, the series in JSON, a line chart per KPI (with its target) in xlsx and html."""

from __future__ import annotations

from leadcard.i18n import N_, _
from leadcard.model.reports import Ratio
from leadcard.model.trends import TREND_COUNTS, Series, Trend
from leadcard.render.charts import Chart
from leadcard.render.common import at_showroom, who
from leadcard.render.document import Document, Section, across_showrooms

KPI_LABELS = {
    "timeliness": N_("跟进及时率"), "completeness": N_("记录完整率"), "conversion": N_("转化率"),
    "reactivation": N_("休眠激活率"), "referral": N_("转介绍率"), "after_delivery": N_("交车回访及时率"),
    "loss_clarity": N_("战败明确率"), "card": N_("留档率"), "test_drive": N_("试驾率"),
    "invitation": N_("邀约到店率"), "close": N_("成交率"),
}
COUNT_LABELS = {
    "new_cards": N_("新建卡"), "followups": N_("跟进次数"), "wins": N_("成交"), "orders": N_("订单"),
    "cancellations": N_("退订"), "deliveries": N_("交车"), "first_visits": N_("首次进店"),
    "return_visits": N_("再次进店"), "phone_ins": N_("来电"), "test_drives": N_("试驾登记"),
}
SPARKS = "▁▂▃▄▅▆▇█"
NO_RATE = "·"


def _rate(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def _series_json(trend: Trend, series: Series) -> dict:
    return {
        "series": {f"{k}_rate": [_rate(p.ratios[k].rate) for p in series.points] for k in trend.kpis},
        "ratios": {k: [{"numerator": p.ratios[k].numerator, "denominator": p.ratios[k].denominator,
                        "rate": _rate(p.ratios[k].rate)} for p in series.points] for k in trend.kpis},
        "counts": {k: [p.counts[k] for p in series.points] for k in TREND_COUNTS},
    }


def trend_json(trend: Trend) -> dict:
    """CONTRACT.md's `periods` and `series` (a rate per period, null where nothing to divide), with
    each rate's numerator and denominator (`ratios`), the counts, and the same per consultant."""
    return {
        "period": trend.kind,
        "periods": [p.label for p in trend.periods],
        "starts": [p.first_day.isoformat() for p in trend.periods],
        "ends": [p.last_day.isoformat() for p in trend.periods],
        "owner": trend.total.owner,
        **({"showrooms": list(trend.showrooms)} if trend.showrooms else {}),
        "kpis": list(trend.kpis),
        "targets": {f"{k}_rate": v for k, v in trend.targets.items() if k in trend.kpis},
        **_series_json(trend, trend.total),
        "by_owner": [{**at_showroom(s), "owner": s.owner, **_series_json(trend, s)} for s in trend.by_owner],
    }


def sparkline(ratios: list[Ratio]) -> str:
    """One character per period, its height the rate (0 to 100 %); a dot where nothing to divide."""
    return "".join(NO_RATE if r.rate is None else SPARKS[min(7, int(r.rate * 8))] for r in ratios)


def title(trend: Trend) -> str:
    first, last = trend.periods[0], trend.periods[-1]
    text = _("销售趋势 {first} 至 {last}（{count} 周）") if trend.kind == "weekly" else \
        _("销售趋势 {first} 至 {last}（{count} 个月）")
    text = text.format(first=first.label, last=last.label, count=len(trend.periods))
    return across_showrooms(trend.showrooms, f"{text} · {trend.total.owner}" if trend.total.owner else text)


def _kpi_rows(trend: Trend, series: Series) -> list[tuple]:
    rows = []
    for key in trend.kpis:
        ratios = [p.ratios[key] for p in series.points]
        latest = ratios[-1]
        target = trend.targets.get(key)
        note = ""
        if target is not None:
            note = _("目标 {target}").format(target=f"{target:.0%}")
            if latest.rate is not None and latest.rate < target:
                note += _("，低于目标")
        rows.append((_(KPI_LABELS[key]), sparkline(ratios), latest.rate, latest.numerator, latest.denominator, note))
    return rows


def sections(trend: Trend) -> list[Section]:
    labels = [p.label for p in trend.periods]
    kpi_headers = (_("指标"), _("趋势"), _("最新"), _("分子"), _("分母"), _("目标"))
    period = _("周期")
    return [
        Section(_("指标趋势"), kpi_headers, _kpi_rows(trend, trend.total)),
        Section(_("各期比率"), (period, *(_(KPI_LABELS[k]) for k in trend.kpis)),
                [(label, *(p.ratios[k].rate for k in trend.kpis)) for label, p in zip(labels, trend.total.points)],
                screen=False),
        Section(_("各期分子分母"), (period, _("指标"), _("分子"), _("分母"), _("比率")),
                [(label, _(KPI_LABELS[k]), p.ratios[k].numerator, p.ratios[k].denominator, p.ratios[k].rate)
                 for label, p in zip(labels, trend.total.points) for k in trend.kpis], screen=False),
        Section(_("各期数量"), (period, *(_(COUNT_LABELS[k]) for k in TREND_COUNTS)),
                [(label, *(p.counts[k] for k in TREND_COUNTS)) for label, p in zip(labels, trend.total.points)],
                screen=False),
        Section(_("顾问指标趋势"), (_("顾问"), *kpi_headers),
                [(who(s, s.owner), *row) for s in trend.by_owner for row in _kpi_rows(trend, s)]),
    ]


def charts(trend: Trend) -> list[Chart]:
    """Each KPI's trend as a line, with its target line where the policy sets one."""
    labels = [p.label for p in trend.periods]
    found = []
    for key in trend.kpis:
        name = _(KPI_LABELS[key])
        target = trend.targets.get(key)
        found.append(Chart("line", _("{kpi}趋势").format(kpi=name), _("周期"), _("比率"), labels,
                           [(name, [p.ratios[key].rate for p in trend.total.points])], percent=True,
                           target=(_("目标"), target) if target is not None else None))
    return found


def trend_document(trend: Trend) -> Document:
    return Document(title(trend), sections(trend), trend_json(trend), charts(trend))


