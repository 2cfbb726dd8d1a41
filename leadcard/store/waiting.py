"""SQL of what waits on a supervisor or the manager in `today`: loss requests, price approvals,
unsigned follow-ups, delivered cars not handed over, orders cancelled. Each is an indexed read of a
few rows, so the morning list stays cheap."""

import json
from datetime import date, datetime
from typing import NamedTuple

from leadcard.model import Card, DueCard, EventKind
from leadcard.model.deals import Quote
from leadcard.store import _CARD_COLUMNS, _CARD_FROM, Scope, Store, ts
from leadcard.store.card_rows import DUE_CARD_COLUMNS, due_cards_of
from leadcard.store.counting import counts
from leadcard.store.deals import QUOTE_COLUMNS, QUOTE_JOINS, quote_of


class UnsignedRow(NamedTuple):
    card: DueCard  # the manager's list names hundreds: read as the morning list reads its cards
    count: int  # follow-ups since the card's latest instruction
    first_seq: int
    first_at: datetime


def _not_own(actor_id: int, column: str = "cards.owner_id") -> tuple[str, list]:
    """A supervisor neither approves their own loss requests nor signs their own follow-ups."""
    return f"{column} IS NOT ?", [actor_id]


def _not_requested_by(actor_id: int) -> tuple[str, list]:
    """Nor a loss they requested themselves, whoever owns the card now."""
    return ("(SELECT e.by_id FROM card_events e WHERE e.card_id = cards.id AND e.kind = 'lost-requested' "
            "ORDER BY e.at DESC, e.id DESC LIMIT 1) IS NOT ?", [actor_id])


def _queries(scope: Scope, actor_id: int) -> dict[str, tuple[str, list]]:
    scope_sql, scope_params = scope.clause()
    own_sql, own_params = _not_own(actor_id)
    asked_sql, asked_params = _not_requested_by(actor_id)
    return {
        # Partial indexes (migration 4) hold only the rows that wait.
        "loss_requests": (
            f"SELECT {_CARD_COLUMNS} FROM {_CARD_FROM} WHERE cards.status = 'lost-pending' "
            f"AND {scope_sql} AND {own_sql} AND {asked_sql} ORDER BY cards.status_at, cards.id",
            [*scope_params, *own_params, *asked_params]),
        # Delivered cards pile up over the years; cards_owner_status would read them all.
        "handovers": (
            f"SELECT {_CARD_COLUMNS} FROM cards INDEXED BY cards_handover_waiting "
            f"LEFT JOIN users ON users.id = cards.owner_id WHERE cards.status = 'delivered' "
            f"AND json_extract(cards.outcome, '$.handover_to') IS NULL AND {scope_sql} "
            f"ORDER BY cards.status_at, cards.id",
            scope_params),
    }


def loss_requests(store: Store, scope: Scope, actor_id: int) -> list[Card]:
    sql, params = _queries(scope, actor_id)["loss_requests"]
    return [store._card(r) for r in store.conn.execute(sql, params)]


def handovers(store: Store, scope: Scope) -> list[Card]:
    sql, params = _queries(scope, None)["handovers"]
    return [store._card(r) for r in store.conn.execute(sql, params)]


def _price_approvals_query(scope: Scope, actor_id: int, day: date) -> tuple[str, list]:
    scope_sql, scope_params = scope.clause()
    own_sql, own_params = _not_own(actor_id)
    # The customer holds the card's latest quote: an earlier one waiting is moot.
    sql = (
        f"SELECT {DUE_CARD_COLUMNS}, {QUOTE_COLUMNS} FROM quotes q INDEXED BY quotes_waiting "
        f"CROSS JOIN cards ON cards.id = q.card_id LEFT JOIN users ON users.id = cards.owner_id {QUOTE_JOINS} "
        f"WHERE q.needs_approval = 1 AND q.approved_at IS NULL AND q.valid_until >= ? AND q.author_id IS NOT ? "
        f"AND q.seq = (SELECT max(m.seq) FROM quotes m WHERE m.card_id = q.card_id) "
        f"AND cards.status = 'open' AND {scope_sql} AND {own_sql} ORDER BY q.at, q.card_id"
    )
    return sql, [day.isoformat(), actor_id, *scope_params, *own_params]


def price_approvals(store: Store, scope: Scope, actor_id: int, day: date) -> list[tuple[DueCard, Quote]]:
    """Open cards of the scope, not the actor's own, whose latest quote waits for a price approval
    and still holds on `day`, and that quote; not those the actor gave (nobody approves their own).
    The cards are read as the morning list reads its own: a manager's list names a hundred."""
    rows = list(store.values(*_price_approvals_query(scope, actor_id, day)))
    return [(card, quote_of(store, r)) for card, r in zip(due_cards_of(rows, store.dt), rows)]


class CancellationRow(NamedTuple):
    card: Card
    at: datetime
    reason: str | None
    model: str | None  # of the order cancelled
    by: str | None


def _cancellations_query(scope: Scope, actor_id: int, since: datetime) -> tuple[str, list]:
    scope_sql, scope_params = scope.clause()
    own_sql, own_params = _not_own(actor_id)
    # The range on card_events (kind, at) is the index: a few rows a week.
    sql = (
        f"SELECT {_CARD_COLUMNS}, e.at AS cancelled_at, e.detail AS cancelled, u.name AS cancelled_by "
        f"FROM card_events e CROSS JOIN cards ON cards.id = e.card_id LEFT JOIN users ON users.id = cards.owner_id "
        f"LEFT JOIN users u ON u.id = e.by_id "
        f"WHERE e.kind = ? AND e.at >= ? AND {scope_sql} AND {own_sql} ORDER BY e.at, e.id"
    )
    return sql, [EventKind.ORDER_CANCELLED.value, ts(since), *scope_params, *own_params]


def cancellations(store: Store, scope: Scope, actor_id: int, since: datetime) -> list[CancellationRow]:
    """Orders cancelled (退订) since a moment, on the cards of the scope that are not the actor's own."""
    found = []
    for r in store.conn.execute(*_cancellations_query(scope, actor_id, since)):
        detail = json.loads(r["cancelled"]) if r["cancelled"] else {}
        found.append(CancellationRow(store._card(r), store.dt(r["cancelled_at"]), detail.get("reason"),
                                     detail.get("model"), r["cancelled_by"]))
    return found


def _unsigned_query(scope: Scope, actor_id: int, since: datetime) -> tuple[str, list]:
    scope_sql, scope_params = scope.clause("c.owner_id")
    own_sql, own_params = _not_own(actor_id, "c.owner_id")
    # From the open cards in hand to each one's follow-ups of the window, counted on their ids alone;
    # only the few cards waiting are then read whole. A store's window holds several times the open
    # cards' follow-ups (most belong to cards since closed). The whole store's cards in hand are
    # walked on their partial index (SQLite would scan the table); a team's, on their owners'.
    # An instruction signs every entry recorded before it: asked first, since most are signed and
    # SQLite tests the conditions in the order written.
    walk = "INDEXED BY cards_in_hand " if scope.owner_ids is None else ""
    sql = (
        f"SELECT {DUE_CARD_COLUMNS}, w.waiting, w.first_seq, w.first_at FROM ("
        "SELECT c.id AS card_id, count(*) AS waiting, min(f.seq) AS first_seq, min(f.at) AS first_at "
        f"FROM cards c {walk}JOIN followups f ON f.card_id = c.id "
        f"WHERE c.status IN ('open', 'lost-pending') AND c.status = 'open' AND {scope_sql} AND {own_sql} "
        "AND f.at >= ? AND NOT EXISTS (SELECT 1 FROM instructions i WHERE i.card_id = c.id AND i.at >= f.recorded_at) "
        f"AND {counts('f')} GROUP BY c.id) AS w "
        "CROSS JOIN cards ON cards.id = w.card_id LEFT JOIN users ON users.id = cards.owner_id "
        "ORDER BY w.first_at, cards.id"
    )
    return sql, [*scope_params, *own_params, ts(since)]


def unsigned(store: Store, scope: Scope, actor_id: int, since: datetime) -> list[UnsignedRow]:
    """Open cards with follow-ups from `since` on that no instruction has signed yet."""
    rows = store.conn.execute(*_unsigned_query(scope, actor_id, since)).fetchall()
    return [UnsignedRow(card, r["waiting"], r["first_seq"], store.dt(r["first_at"]))
            for card, r in zip(due_cards_of(rows, store.dt), rows)]


def plans(store: Store, scope: Scope, actor_id: int, since: datetime) -> dict[str, str]:
    """The query plans, for tests that guard the indexes."""
    from leadcard.store.visits import waiting_query

    queries = {**_queries(scope, actor_id), "unsigned": _unsigned_query(scope, actor_id, since),
               "price_approvals": _price_approvals_query(scope, actor_id, since.date()),
               "cancellations": _cancellations_query(scope, actor_id, since),
               "visits_without_card": waiting_query(scope, since)}
    return {name: store._plan(sql, params) for name, (sql, params) in queries.items()}
