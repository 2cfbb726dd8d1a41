"""A dealer group's hub (集团汇总库) answers with every showroom's answer merged.

Counts add up; a rate is recomputed from the summed numerators and denominators, never averaged;
rows of people, cards and findings stand side by side, each with its showroom's name (JSON
`showroom`): two showrooms' card numbers, and their consultants' names, may well be the same.
"""

from __future__ import annotations

import dataclasses
from typing import Iterable, TypeVar

from leadcard.domain import targets
from leadcard.model import CardList, TodayList
from leadcard.model.audit import AuditResult
from leadcard.model.reports import (
    Cancellations,
    Deliveries,
    ObjectionWins,
    Orders,
    Ratio,
    Report,
)
from leadcard.model.trends import Point, Series, Trend

T = TypeVar("T")
Named = list[tuple[str, T]]


def add(values: list):
    """The sum of like values: numbers add, ratios add their numerators and denominators, counts
    per key add key by key (in the order the keys first come), tuples place by place, and a
    dataclass field by field (its `owner` and `showroom`, which name rather than count, left out)."""
    first = values[0]
    if isinstance(first, Ratio):
        return Ratio(sum(v.numerator for v in values), sum(v.denominator for v in values))
    if isinstance(first, dict):
        return type(first)({key: add([v[key] for v in values if key in v]) for key in _in_order(values)})
    if isinstance(first, tuple):
        return tuple(sum(column) for column in zip(*values))
    if dataclasses.is_dataclass(first):
        return dataclasses.replace(first, **{
            f.name: None if f.name in ("owner", "showroom") else add([getattr(v, f.name) for v in values])
            for f in dataclasses.fields(first)})
    return sum(values)


def _tagged(named: Named[list[T]]) -> list[T]:
    """Each showroom's rows, each row naming its showroom."""
    return [_with_showroom(row, name) for name, rows in named for row in rows]


def _with_showroom(row, name: str):
    return dataclasses.replace(row, showroom=name) if dataclasses.is_dataclass(row) else row._replace(showroom=name)


def _in_order(groups: Iterable[Iterable[T]]) -> tuple[T, ...]:
    """Every item of the groups once, in the order they first come."""
    return tuple(dict.fromkeys(item for group in groups for item in group))


def reports(named: Named[Report]) -> Report:
    """The group's report of a period: the showrooms' figures added up, their rows side by side."""
    every = [report for _name, report in named]
    first = every[0]
    objections: dict[str, list[ObjectionWins]] = {}
    for report in every:
        for o in report.objections:
            objections.setdefault(o.tag, []).append(o)
    merged_objections = sorted(
        (ObjectionWins(tag, found[0].label, add([o.won for o in found])) for tag, found in objections.items()),
        key=lambda o: (-o.won.denominator, -o.won.numerator))
    traffic = [r.traffic for r in every if r.traffic is not None]
    standings = _tagged([(name, r.standings) for name, r in named])
    return Report(
        period=first.period,
        grades=_in_order(r.grades for r in every),
        # One line to be judged against: the strictest of the showrooms' targets.
        timeliness_target=max(r.timeliness_target for r in every),
        totals=add([r.totals for r in every]),
        by_owner=_tagged([(name, r.by_owner) for name, r in named]),
        new_by_source=add([r.new_by_source for r in every]),
        followups_by_channel=add([r.followups_by_channel for r in every]),
        loss_reasons=add([r.loss_reasons for r in every]),
        loss_competitors=add([r.loss_competitors for r in every]),
        dormant_at_end=sum(r.dormant_at_end for r in every),
        lost_pending_at_end=sum(r.lost_pending_at_end for r in every),
        wakes=sum(r.wakes for r in every),
        grade_accuracy=_tagged([(name, r.grade_accuracy) for name, r in named]),
        objections=merged_objections,
        orders=Orders(sum(r.orders.placed for r in every), sum(r.orders.standing for r in every),
                      add([r.orders.by_model for r in every]), sum(r.orders.waiting_at_end for r in every)),
        deliveries=Deliveries(sum(r.deliveries.delivered for r in every),
                              [days for r in every for days in r.deliveries.order_days],
                              add([r.deliveries.after_delivery for r in every])),
        cancellations=Cancellations(sum(r.cancellations.count for r in every),
                                    add([r.cancellations.reasons for r in every])),
        referrers=sorted(_tagged([(name, r.referrers) for name, r in named]),
                         key=lambda r: (r.ref is None, -r.referrals, -r.won, r.showroom, r.ref or "")),
        traffic=add(traffic) if traffic else None,
        traffic_by_owner=_tagged([(name, r.traffic_by_owner) for name, r in named]),
        standings=standings,
        standing_totals=targets.totals(standings),
        accuracy_days=first.accuracy_days,
        showrooms=tuple(name for name, _report in named),
    )


def trends(named: Named[Trend]) -> Trend:
    """The group's trend: each period's point added up over the showrooms, their consultants' side by side."""
    every = [trend for _name, trend in named]
    first = every[0]
    points = [Point(add([p.ratios for p in same]), add([p.counts for p in same]))
              for same in zip(*(t.total.points for t in every))]
    return Trend(first.kind, first.periods, first.kpis, {k: max(t.targets[k] for t in every) for k in first.targets},
                 Series(None, points), _tagged([(name, t.by_owner) for name, t in named]),
                 tuple(name for name, _trend in named))


def today_lists(named: Named[TodayList]) -> TodayList:
    """The morning lists side by side, the most overdue first, then by due time."""
    items = [i._replace(card=_with_showroom(i.card, name)) for name, found in named for i in found.items]
    items.sort(key=lambda i: (-i.overdue_days, i.due_at))
    return TodayList(named[0][1].day, items, sorted({f"{name} · {o}" for name, found in named for o in found.owners}))


def card_lists(named: Named[CardList], limit: int | None) -> CardList:
    """The newest cards of every showroom (each gave its `limit` newest), newest first, to `limit`."""
    found = sorted(cards([(name, listed.cards) for name, listed in named]), key=lambda c: c.created_at, reverse=True)
    return CardList(found[:limit], sum(listed.total for _name, listed in named))


def cards(named: Named[list]) -> list:
    """Every showroom's cards, showroom by showroom, each naming its showroom."""
    return [_with_showroom(c, name) for name, found in named for c in found]


def audits(named: Named[AuditResult]) -> AuditResult:
    """The findings of every showroom, each showroom's in its order; the summaries added up."""
    every = [result for _name, result in named]
    first = every[0]
    owners = _tagged([(name, r.owners) for name, r in named])
    total = add([r.total for r in every])
    rules = {s.rule.name: s for r in every for s in r.rules}
    return AuditResult(first.day, first.as_of, first.since, first.owner, tuple(rules.values()),
                       _tagged([(name, r.findings) for name, r in named]), owners, total,
                       max(r.timeliness_target for r in every), first.timeliness_hours)
