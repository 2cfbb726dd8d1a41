"""SQL of the showroom's traffic (展厅客流) in a period: the showroom log's visits, the test drives,
and the invitations to visit with what followed them. Like the report's queries, nothing dated at
or after the period's end is read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from leadcard.store import Scope, Store, ts
# The report's own clauses: visibility by the card's owner at the period's end, standing follow-ups.
from leadcard.store.reports import _EFFECTIVE, _scope

# Showroom-log sources of customers who called rather than came in (来电, the 400 line).
PHONE_IN_SOURCES = ("phone-in", "hotline")


@dataclass(frozen=True)
class VisitCount:
    consultant: str | None  # who received them
    phone_in: bool
    return_visit: bool
    contact_left: bool  # 留档
    test_drive: bool  # the log's 试驾 column
    visits: int


def visit_counts(store: Store, scope: Scope, start: datetime, end: datetime) -> list[VisitCount]:
    """Visits that arrived in the period, counted by receiver and kind, by the receiver's scope."""
    scope_sql, params = scope.clause("visits.consultant_id")
    sources = ",".join("?" * len(PHONE_IN_SOURCES))
    rows = store.conn.execute(
        f"""
        SELECT users.name, visits.source IN ({sources}), visits.return_visit, visits.contact_left,
            visits.test_drive, count(*)
        FROM visits LEFT JOIN users ON users.id = visits.consultant_id
        WHERE visits.arrived_at >= ? AND visits.arrived_at < ? AND {scope_sql}
        GROUP BY 1, 2, 3, 4, 5
        """,
        [*PHONE_IN_SOURCES, ts(start), ts(end), *params],
    ).fetchall()
    return [VisitCount(r[0], bool(r[1]), bool(r[2]), bool(r[3]), bool(r[4]), r[5]) for r in rows]


def test_drive_counts(store: Store, scope: Scope, start: datetime, end: datetime) -> dict[str | None, int]:
    """Test drives dated in the period whose follow-up stands, by who registered them."""
    scope_sql, params = _scope(scope)
    rows = store.conn.execute(
        f"""
        SELECT u.name, count(*) FROM test_drives t JOIN followups f ON f.id = t.followup_id
        JOIN cards ON cards.id = t.card_id LEFT JOIN users u ON u.id = f.author_id
        WHERE t.at >= :start AND t.at < :end AND {_EFFECTIVE} AND {scope_sql}
        GROUP BY 1
        """,
        {**params, "start": ts(start), "end": ts(end)},
    ).fetchall()
    return {r[0]: r[1] for r in rows}


@dataclass(frozen=True)
class Planned:
    """A follow-up that reached the customer and planned the next contact for the period."""

    card_id: int
    at: datetime
    author: str | None
    next_at: datetime
    purpose: str | None
    plan: str | None


@dataclass(frozen=True)
class Seen:
    """What a card recorded before the period's end: a reached contact, or a showroom visit."""

    at: datetime
    channel: str | None  # None: a visit in the showroom log
    next_at: datetime | None = None


def planned_contacts(store: Store, scope: Scope, start: datetime, end: datetime) -> list[Planned]:
    """Standing follow-ups that reached the customer before the end and planned the next contact
    within the period, with a purpose or plan to read."""
    scope_sql, params = _scope(scope)
    rows = store.conn.execute(
        f"""
        SELECT f.card_id, f.at, u.name, f.next_at, f.purpose, f.plan
        FROM followups f JOIN cards ON cards.id = f.card_id LEFT JOIN users u ON u.id = f.author_id
        WHERE f.next_at >= :start AND f.next_at < :end AND f.at < :end AND f.outcome = 'reached'
            AND (f.purpose IS NOT NULL OR f.plan IS NOT NULL) AND {_EFFECTIVE} AND {scope_sql}
        ORDER BY f.card_id, f.at, f.seq
        """,
        {**params, "start": ts(start), "end": ts(end)},
    ).fetchall()
    return [Planned(r[0], store.dt(r[1]), r[2], store.dt(r[3]), r[4], r[5]) for r in rows]


def seen(store: Store, card_ids: Sequence[int], end: datetime) -> dict[int, list[Seen]]:
    """The cards' standing reached contacts and their showroom visits before the end, in time order."""
    found: dict[int, list[Seen]] = {}
    for first in range(0, len(card_ids), 500):
        batch = list(card_ids[first:first + 500])
        marks = ",".join(f":c{i}" for i in range(len(batch)))
        bounds = {**{f"c{i}": card_id for i, card_id in enumerate(batch)}, "end": ts(end)}
        rows = store.conn.execute(
            f"""
            SELECT f.card_id, f.at, f.channel, f.next_at FROM followups f
            WHERE f.card_id IN ({marks}) AND f.at < :end AND f.outcome = 'reached' AND {_EFFECTIVE}
            UNION ALL
            SELECT v.card_id, v.arrived_at, NULL, NULL FROM visits v WHERE v.card_id IN ({marks}) AND v.arrived_at < :end
            ORDER BY 1, 2
            """,
            bounds,
        ).fetchall()
        for r in rows:
            found.setdefault(r[0], []).append(Seen(store.dt(r[1]), r[2], store.dt(r[3])))
    return found
