"""SQL of what waits on a supervisor or the manager in `today`: loss requests, unsigned follow-ups,
won deals not handed over. Each is an indexed read of a few rows, so the morning list stays cheap."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from leadcard.model import Card
from leadcard.store import _CARD_COLUMNS, _CARD_FROM, Scope, Store, ts
from leadcard.store.counting import counts


class UnsignedRow(NamedTuple):
    card: Card
    count: int  # follow-ups since the card's latest instruction
    first_seq: int
    first_at: datetime


def _not_own(actor_id: int | None) -> tuple[str, list]:
    """A supervisor neither approves their own loss requests nor signs their own follow-ups."""
    if actor_id is None:
        return "1", []
    return "cards.owner_id IS NOT ?", [actor_id]


def _queries(scope: Scope, actor_id: int | None) -> dict[str, tuple[str, list]]:
    scope_sql, scope_params = scope.clause()
    own_sql, own_params = _not_own(actor_id)
    return {
        # Partial indexes (migration 4) hold only the rows that wait.
        "loss_requests": (
            f"SELECT {_CARD_COLUMNS} FROM {_CARD_FROM} WHERE cards.status = 'lost-pending' "
            f"AND {scope_sql} AND {own_sql} ORDER BY cards.status_at, cards.id",
            [*scope_params, *own_params]),
        # Won cards pile up over the years; cards_owner_status would read them all.
        "handovers": (
            f"SELECT {_CARD_COLUMNS} FROM cards INDEXED BY cards_handover_waiting "
            f"LEFT JOIN users ON users.id = cards.owner_id WHERE cards.status = 'won' "
            f"AND json_extract(cards.outcome, '$.handover_to') IS NULL AND {scope_sql} "
            f"ORDER BY cards.status_at, cards.id",
            scope_params),
    }


def loss_requests(store: Store, scope: Scope, actor_id: int | None) -> list[Card]:
    sql, params = _queries(scope, actor_id)["loss_requests"]
    return [store._card(r) for r in store.conn.execute(sql, params)]


def handovers(store: Store, scope: Scope) -> list[Card]:
    sql, params = _queries(scope, None)["handovers"]
    return [store._card(r) for r in store.conn.execute(sql, params)]


def _unsigned_query(scope: Scope, actor_id: int | None, since: datetime) -> tuple[str, list]:
    scope_sql, scope_params = scope.clause()
    own_sql, own_params = _not_own(actor_id)
    # The range on followups.at is the index (CROSS JOIN keeps followups the outer loop, which the
    # GROUP BY would otherwise turn into a scan of cards); an instruction signs every entry recorded
    # before it.
    sql = (
        f"SELECT {_CARD_COLUMNS}, count(*) AS waiting, min(f.seq) AS first_seq, min(f.at) AS first_at "
        "FROM followups f CROSS JOIN cards ON cards.id = f.card_id LEFT JOIN users ON users.id = cards.owner_id "
        f"WHERE f.at >= ? AND cards.status = 'open' AND {scope_sql} AND {own_sql} "
        f"AND {counts('f')} "
        f"AND NOT EXISTS (SELECT 1 FROM instructions i WHERE i.card_id = f.card_id AND i.at >= f.recorded_at) "
        f"GROUP BY cards.id ORDER BY first_at, cards.id"
    )
    return sql, [ts(since), *scope_params, *own_params]


def unsigned(store: Store, scope: Scope, actor_id: int | None, since: datetime) -> list[UnsignedRow]:
    """Open cards with follow-ups from `since` on that no instruction has signed yet."""
    rows = store.conn.execute(*_unsigned_query(scope, actor_id, since)).fetchall()
    return [UnsignedRow(store._card(r), r["waiting"], r["first_seq"], store.dt(r["first_at"])) for r in rows]


def plans(store: Store, scope: Scope, actor_id: int | None, since: datetime) -> dict[str, str]:
    """The query plans, for tests that guard the indexes."""
    from leadcard.store.visits import waiting_query

    queries = {**_queries(scope, actor_id), "unsigned": _unsigned_query(scope, actor_id, since),
               "visits_without_card": waiting_query(scope, since)}
    return {name: store._plan(sql, params) for name, (sql, params) in queries.items()}
