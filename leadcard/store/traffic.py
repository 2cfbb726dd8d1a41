"""SQL of the showroom's traffic (展厅客流) in a period: the showroom log's visits, the test drives,
and the invitations to visit with what followed them. Like the report's queries, nothing dated at
or after the period's end is read."""

from typing import NamedTuple, Sequence

from leadcard.store import Scope, Store
from leadcard.store.counting import counts_by
# The report's own clauses: visibility by the card's owner at the period's end, standing follow-ups.
from leadcard.store.reports import _cards_for, _effective, _scope, user_names
from leadcard.store.visits import registered_drive
from leadcard.store.windows import Periods, bounds, days_table, periods_table as _periods

# Showroom-log sources of customers who called rather than came in (来电, the 400 line).
PHONE_IN_SOURCES = ("phone-in", "hotline")


class VisitCount(NamedTuple):
    consultant: str | None  # who received them
    phone_in: bool
    return_visit: bool  # the customer came to the showroom before (_CAME_BEFORE)
    contact_left: bool  # 留档
    test_drive: bool  # the log's 试驾 column, or a test drive registered on the visit standing at the period's end
    visits: int
    period: int = 0  # which of the periods asked for


# A return visit (再次进店): the customer came to the showroom before. A visit on a card the customer
# already had (the log's return_visit, which also tells the card's owner of it) is one when the card
# was made at a walk-in before it, or an earlier walk-in or a visit or test drive in the showroom
# stands on the card — not an online lead's or a caller's first walk-in, the showroom's first visit.
_CAME_BEFORE = f"""visits.return_visit = 1 AND (
    EXISTS (SELECT 1 FROM cards c WHERE c.id = visits.card_id AND c.source = 'walk-in'
            AND c.created_at < visits.arrived_at)
    OR EXISTS (SELECT 1 FROM visits b WHERE b.card_id = visits.card_id AND b.arrived_at < visits.arrived_at
               AND b.source NOT IN ({", ".join(f"'{source}'" for source in PHONE_IN_SOURCES)}))
    OR EXISTS (SELECT 1 FROM followups f WHERE f.card_id = visits.card_id AND f.at < visits.arrived_at
               AND f.channel IN ('visit', 'test-drive') AND {_effective('p.p_end')}))"""


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
        SELECT p.n, visits.consultant_id, visits.source IN ({sources}), {_CAME_BEFORE}, visits.contact_left,
            visits.test_drive = 1 OR {registered_drive('< p.p_end')}, count(*)
        FROM p JOIN visits ON visits.arrived_at >= p.p_start AND visits.arrived_at < p.p_end
        WHERE visits.arrived_at >= :first AND visits.arrived_at < :last AND {scope_sql}
        GROUP BY 1, 2, 3, 4, 5, 6
        """,
        {**params, **bounds},
    ).fetchall()
    names = user_names(store)
    return [VisitCount(names.get(r[1]), bool(r[2]), bool(r[3]), bool(r[4]), bool(r[5]), r[6], r[0]) for r in rows]


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


def invitations(store: Store, scope: Scope, periods: Periods,
                showroom: Sequence[str]) -> list[tuple[int, str | None, bool, int]]:
    """The invitations to visit planned for each period, counted by (period, who invited, whether the
    customer came): `domain.traffic` says what each is — a contact planned with a purpose or plan that
    invites (the follow-up's `invites`, migration 20), kept by a visit in the showroom log or a contact
    by one of the `showroom` channels. All in SQL: one pass over the invitations planned for the
    periods' days, from their index alone, and a few steps into each invited card's records after it."""
    scope_sql, params = _scope(scope, "per_card.p_end")
    params |= bounds(periods)
    channels = {f"showroom{i}": str(channel) for i, channel in enumerate(showroom)}
    params |= channels
    rows = store.conn.execute(
        f"""
        WITH {days_table(periods, store.tz)}, asked AS MATERIALIZED (
            -- Each card's first invitation (by time, then number) for each day, under who made it,
            -- and whether the customer came (a visit, or a contact in the showroom, by the day's end).
            SELECT per_card.*,
                EXISTS (SELECT 1 {_reached_after('per_card')} AND s.at < per_card.day_end
                        AND s.channel IN ({', '.join(':' + name for name in channels) or 'NULL'}))
                OR EXISTS (SELECT 1 FROM visits v WHERE v.card_id = per_card.card_id AND v.arrived_at > per_card.at
                           AND v.arrived_at < per_card.day_end) AS came
            FROM (
                -- The invitations planned for each day (a range of their index apiece: named, for
                -- without statistics SQLite may rather index the whole table anew).
                SELECT f.card_id, f.at, f.author_id, p.day_start, p.day_end, p.n, p.p_end,
                    row_number() OVER (PARTITION BY f.card_id, p.day ORDER BY f.at, f.seq) AS nth
                FROM p JOIN followups f INDEXED BY followups_invitations
                    ON f.next_at >= p.day_start AND f.next_at < p.day_end
                WHERE f.outcome = 'reached' AND f.invites = 1 AND f.at < p.p_end AND {_effective('p.p_end')}
            ) AS per_card {_cards_for(scope_sql, 'per_card.card_id')} WHERE nth = 1 AND {scope_sql}
        )
        SELECT asked.n, users.name, asked.came, count(*) FROM asked LEFT JOIN users ON users.id = asked.author_id
        -- Not kept, and planned again for another day before the day came: left out. A contact
        -- with no next date (a reminder) plans no other day: the invitation stands.
        WHERE asked.came OR NOT EXISTS (SELECT 1 {_reached_after('asked')} AND s.at < asked.day_start
            AND (s.next_at < asked.day_start OR s.next_at >= asked.day_end))
        GROUP BY 1, 2, 3
        """,
        params,
    ).fetchall()
    return [(r[0], r[1], bool(r[2]), r[3]) for r in rows]


def _reached_after(invitation: str) -> str:
    """The card's contacts that reached the customer after the invitation, standing at its period's end."""
    return (f"FROM followups s WHERE s.card_id = {invitation}.card_id AND s.at > {invitation}.at "
            f"AND s.outcome = 'reached' AND {counts_by('s', f'{invitation}.p_end', ':last')}")
