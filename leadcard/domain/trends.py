"""Trends (趋势): the report's KPIs, the showroom's rates and the order figures for each of the last
weeks or months, in total and per consultant.

Each point is the report of its period as computed by `domain.reports.periods_figures` — from
dated records only, as the store stood at the period's end — so a past week's point never changes
and equals that week's report, whatever was recorded since. Every kind of record is read once for
the whole window.
"""

from __future__ import annotations

from datetime import date, timedelta

from leadcard.errors import BadInput
from leadcard.i18n import _
from leadcard.model.reports import Figures, Period, Ratio, Traffic
from leadcard.model.trends import TREND_COUNTS, TREND_KPIS, Point, Series, Trend
from leadcard.domain.reports import month_period, periods_figures, week_period
from leadcard.domain.session import Session
from leadcard.store.trends import conversion_states

DEFAULT_WEEKS = 12
DEFAULT_MONTHS = 6
MOST_PERIODS = 104


def trend_periods(kind: str, count: int, today: date) -> list[Period]:
    """The `count` complete weeks or months before today, oldest first."""
    if not 1 <= count <= MOST_PERIODS:
        raise BadInput(_("周期数必须在 1 到 {most} 之间").format(most=MOST_PERIODS))
    periods = []
    last = week_period(None, today) if kind == "weekly" else month_period(None, today)
    for _step in range(count):
        periods.append(last)
        before = last.first_day - timedelta(days=1)
        last = week_period(f"{before.isocalendar()[0]}-W{before.isocalendar()[1]:02d}", today) if kind == "weekly" \
            else month_period(f"{before:%Y-%m}", today)
    return periods[::-1]


def kpi_keys(asked: list[str] | None) -> tuple[str, ...]:
    """The KPIs asked for by key (`timeliness`, or its series' name `timeliness_rate`); all by default."""
    if not asked:
        return TREND_KPIS
    keys = []
    for raw in asked:
        key = raw.strip().lower().removesuffix("_rate").replace("-", "_")
        if key not in TREND_KPIS:
            raise BadInput(_("没有指标 {kpi}：请用 {kpis} 之一").format(kpi=repr(raw), kpis=", ".join(TREND_KPIS)))
        if key not in keys:
            keys.append(key)
    return tuple(keys)


def build_trend(session: Session, periods: list[Period], owner: str | None, kpis: tuple[str, ...]) -> Trend:
    """Each period's figures over the cards this user may see; `owner` keeps one consultant's."""
    from leadcard.domain.audit import _owner as visible_owner

    only = visible_owner(session, owner)
    totals: list[Point] = []
    owners: dict[str | None, list[Point | None]] = {}
    for i, measured in enumerate(periods_figures(session, periods, conversion_states)):
        totals.append(_point(measured.totals, measured.traffic))
        traffic = {t.owner: t for t in measured.traffic_by_owner}
        for f in measured.by_owner:
            owners.setdefault(f.owner, [None] * len(periods))[i] = _point(f, traffic.get(f.owner))
        for name, t in traffic.items():
            if name not in {f.owner for f in measured.by_owner}:
                owners.setdefault(name, [None] * len(periods))[i] = _point(None, t)
    by_owner = [Series(name, [p or _point(None, None) for p in points])
                for name, points in sorted(owners.items(), key=lambda item: (item[0] is None, item[0] or ""))
                if only is None or name == only]
    total = by_owner[0] if only is not None and by_owner else Series(None, totals)
    if only is not None and not by_owner:
        total = Series(only, [_point(None, None) for _p in periods])
    return Trend(periods[0].kind if periods else "weekly", periods, kpis,
                 {"timeliness": session.policy.timeliness_target}, total, by_owner)


_NONE = Ratio(0, 0)


def _point(f: Figures | None, t: Traffic | None) -> Point:
    """A period's KPIs and counts; a consultant with no records of a kind gets 0 ÷ 0 for it."""
    ratios = {key: getattr(f, key) if f else _NONE for key in TREND_KPIS[:7]}
    ratios.update({key: getattr(t, key) if t else _NONE for key in TREND_KPIS[7:]})
    counts = {key: getattr(f, key) if f else 0 for key in TREND_COUNTS[:6]}
    counts.update({key: getattr(t, key) if t else 0 for key in TREND_COUNTS[6:]})
    return Point(ratios, counts)
