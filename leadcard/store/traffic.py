"""SQL of the showroom's traffic (展厅客流) in a period: the showroom log's visits, the test drives,
and the invitations to visit with what followed them. Like the report's queries, nothing dated at
or after the period's end is read."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from datetime import datetime
from typing import Sequence

from leadcard.store import Scope, Store, ts
# The report's own clauses: visibility by the card's owner at the period's end, standing follow-ups.
from leadcard.store.reports import Periods, _cards_for, _effective, _periods, _scope

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
    period: int = 0  # which of the periods asked for


def visit_counts(store: Store, scope: Scope, periods: Periods) -> list[VisitCount]:
    """Visits that arrived in each period, counted by receiver and kind, by the receiver's scope."""
    if scope.owner_ids is None:
        scope_sql, params = "1", {}
    else:
        params = {f"receiver{i}": owner_id for i, owner_id in enumerate(sorted(scope.owner_ids))}
        scope_sql = f"visits.consultant_id IN ({','.join(':' + n for n in params)})" if params else "0"
    sources = ",".join(f"'{source}'" for source in PHONE_IN_SOURCES)
    table, bounds = _periods(periods)
    rows = store.conn.execute(
        f"""
        WITH {table}
        SELECT p.n, users.name, visits.source IN ({sources}), visits.return_visit, visits.contact_left,
            visits.test_drive, count(*)
        FROM visits JOIN p ON visits.arrived_at >= p.p_start AND visits.arrived_at < p.p_end
        LEFT JOIN users ON users.id = visits.consultant_id
        WHERE visits.arrived_at >= :first AND visits.arrived_at < :last AND {scope_sql}
        GROUP BY 1, 2, 3, 4, 5, 6
        """,
        {**params, **bounds},
    ).fetchall()
    return [VisitCount(r[1], bool(r[2]), bool(r[3]), bool(r[4]), bool(r[5]), r[6], r[0]) for r in rows]


def test_drive_counts(store: Store, scope: Scope, periods: Periods) -> dict[tuple[int, str | None], int]:
    """Test drives dated in each period whose follow-up stands, by (period, who registered them)."""
    scope_sql, params = _scope(scope, "p.p_end")
    table, bounds = _periods(periods)
    rows = store.conn.execute(
        f"""
        WITH {table}
        SELECT p.n, u.name, count(*) FROM test_drives t JOIN p ON t.at >= p.p_start AND t.at < p.p_end
        JOIN followups f ON f.id = t.followup_id
        {_cards_for(scope_sql, 't.card_id')} LEFT JOIN users u ON u.id = f.author_id
        WHERE t.at >= :first AND t.at < :last AND {_effective('p.p_end')} AND {scope_sql}
        GROUP BY 1, 2
        """,
        {**params, **bounds},
    ).fetchall()
    return {(r[0], r[1]): r[2] for r in rows}


@dataclass(frozen=True)
class Planned:
    """A follow-up that reached the customer and planned the next contact for the period."""

    card_id: int
    at: datetime
    author: str | None
    next_at: datetime
    purpose: str | None
    plan: str | None
    period: int = 0  # which of the periods asked for


@dataclass(frozen=True)
class Seen:
    """What a card recorded before the period's end: a reached contact, or a showroom visit."""

    at: datetime
    channel: str | None  # None: a visit in the showroom log
    next_at: datetime | None = None


def planned_contacts(store: Store, scope: Scope, periods: Periods, words: Sequence[str]) -> list[Planned]:
    """Standing follow-ups that reached the customer before a period's end and planned the next
    contact within the period, with a purpose or plan that names one of `words`."""
    scope_sql, params = _scope(scope, "p.p_end")
    table, bounds = _periods(periods)
    for i, word in enumerate(words):
        params[f"word{i}"] = f"%{word}%"  # the words hold no LIKE wildcard
    naming = " OR ".join(f"f.purpose LIKE :word{i} OR f.plan LIKE :word{i}" for i in range(len(words))) or "0"
    rows = store.conn.execute(
        f"""
        WITH {table}
        SELECT p.n, f.card_id, f.at, u.name, f.next_at, f.purpose, f.plan
        FROM followups f JOIN p ON f.next_at >= p.p_start AND f.next_at < p.p_end
        {_cards_for(scope_sql, 'f.card_id')} LEFT JOIN users u ON u.id = f.author_id
        WHERE f.next_at >= :first AND f.next_at < :last AND f.at < p.p_end AND f.outcome = 'reached'
            AND ({naming}) AND {_effective('p.p_end')} AND {scope_sql}
        ORDER BY p.n, f.card_id, f.at, f.seq
        """,
        {**params, **bounds},
    ).fetchall()
    return [Planned(r[1], store.dt(r[2]), r[3], store.dt(r[4]), r[5], r[6], r[0]) for r in rows]


def seen(store: Store, wanted: Sequence[tuple[int, int, datetime, datetime, datetime]]) -> dict[tuple[int, int], list[Seen]]:
    """For each (period, card, since, until, end): the card's reached contacts standing at the end and
    its showroom visits, after `since` and before `until`. (CROSS JOIN: the cards asked for lead,
    each seeks its own records.)"""
    found: dict[tuple[int, int], list[Seen]] = {}
    stamp = cache(ts)  # the ends of days and periods repeat
    for first in range(0, len(wanted), 1000):
        batch = wanted[first:first + 1000]
        # Positional parameters: binding thousands of named ones costs more than the query.
        values = ", ".join("(?, ?, ?, ?, ?)" for _pair in batch)
        bounds = [value for period, card_id, since, until, end in batch
                  for value in (period, card_id, ts(since), stamp(until), stamp(end))]
        rows = store.conn.execute(
            f"""
            WITH asked (n, card_id, since, until, p_end) AS (VALUES {values})
            SELECT asked.n, f.card_id, f.at, f.channel, f.next_at FROM asked CROSS JOIN followups f
            WHERE f.card_id = asked.card_id AND f.at > asked.since AND f.at < asked.until AND f.outcome = 'reached'
                AND {_effective('asked.p_end')}
            UNION ALL
            SELECT asked.n, v.card_id, v.arrived_at, NULL, NULL FROM asked CROSS JOIN visits v
            WHERE v.card_id = asked.card_id AND v.arrived_at > asked.since AND v.arrived_at < asked.until
            """,
            bounds,
        ).fetchall()
        for r in rows:
            found.setdefault((r[0], r[1]), []).append(Seen(store.dt(r[2]), r[3], store.dt(r[4])))
    return found
