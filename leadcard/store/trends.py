"""SQL of the trends: the cards' states of many periods in one read.

A report's conversion cohort (转化率) asks, of every card in hand, its status at the period's start
and end and its owner at the end. For a trend of many periods the store reads the cards that may be
in hand during the window — in hand now, or whose status changed since the window's start (a card
closed before it and not changed since is in no cohort) — with their status and assignment events,
once; each period's states are then read off the events, by the same rules as the report's SQL
(`store.reports`: the latest status event before a moment, the owner from the assignments).
"""

from __future__ import annotations

import json

from leadcard.store import Scope, Store, ts, windows
from leadcard.store.reports import _IN_HAND, _STATUS_KINDS, CardStates
from leadcard.store.windows import Periods

_REOPENING = ("reopened", "order-cancelled")


def conversion_states(store: Store, scope: Scope, periods: Periods) -> list[list[CardStates]]:
    """Each period's cards in hand, grouped like `store.reports.card_states` (without the funnel's
    grade and dormancy, which a trend does not show)."""
    bounds = windows.bounds(periods)
    candidates = f"""SELECT cards.id FROM cards WHERE cards.created_at < :last AND (cards.status IN ({_IN_HAND})
        OR cards.id IN (SELECT card_id FROM card_events WHERE kind IN ({_STATUS_KINDS}) AND at >= :first))"""
    untouched = f"NOT EXISTS (SELECT 1 FROM card_events e WHERE e.card_id = cards.id AND e.kind IN ({_STATUS_KINDS}, 'assigned'))"
    visible = "1" if scope.owner_ids is None else f"cards.owner_id IN ({','.join(map(str, sorted(scope.owner_ids))) or 'NULL'})"
    # Each combination of states: +n from the first period it holds n more cards in, -n after the last.
    runs: dict[tuple, list[int]] = {}

    def add(key: tuple, first: int, after: int, n: int = 1) -> None:
        counts = runs.get(key)
        if counts is None:
            counts = runs[key] = [0] * (len(periods) + 1)
        counts[first] += n
        counts[after] -= n

    # Most cards are open since made and never moved: counted by owner and the period they were
    # made in (-1: before the first), in every period from then on.
    for name, made_in, n in store.conn.execute(
        f"""SELECT users.name, {_period_of('cards.created_at', periods)}, count(*)
            FROM cards LEFT JOIN users ON users.id = cards.owner_id
            WHERE cards.created_at < :last AND cards.status IN ({_IN_HAND}) AND {untouched} AND {visible}
            GROUP BY 1, 2""", bounds):
        add((name, None, None, False), max(made_in, 0), len(periods), n)
    # The others with their status and assignment events, in one read (an assignment's detail only).
    cards: dict[int, tuple[int, int | None, str | None]] = {}  # made in, owner now: its id, its name
    moved: dict[int, list[tuple[int, str]]] = {}  # each card's status events in order: (period, kind)
    assigned: dict[int, list[tuple[str, int, dict]]] = {}
    for card_id, made_in, owner_id, name, at, in_period, event_id, kind, detail in store.conn.execute(
        f"""SELECT cards.id, {_period_of('cards.created_at', periods)}, cards.owner_id, users.name,
                e.at, {_period_of('e.at', periods)}, e.id, e.kind, CASE WHEN e.kind = 'assigned' THEN e.detail END
            FROM cards JOIN card_events e ON e.card_id = cards.id LEFT JOIN users ON users.id = cards.owner_id
            WHERE cards.id IN ({candidates}) AND e.kind IN ({_STATUS_KINDS}, 'assigned')
            ORDER BY e.card_id, e.at, e.id""", bounds):
        if card_id not in cards:
            cards[card_id] = (made_in, owner_id, name)
        if kind == "assigned":
            assigned.setdefault(card_id, []).append((at, event_id, json.loads(detail or "{}")))
        elif in_period is not None:
            moved.setdefault(card_id, []).append((in_period, kind))
    names = _visible_names(store, scope)
    ends = [ts(end) for _start, end in periods]
    last = len(periods)
    for card_id, (made_in, owner_id, name) in cards.items():
        moves = assigned.get(card_id)
        if not moves and scope.owner_ids is not None and owner_id not in scope.owner_ids:
            continue
        events = moved.get(card_id, ())
        i, k, status = max(made_in, 0), 0, None  # status: the latest status event before period i
        while k < len(events) and events[k][0] < i:
            status = events[k][1]
            k += 1
        while i < last:
            at_start, reopened, following = status, False, i + 1
            if k < len(events) and events[k][0] == i:
                while k < len(events) and events[k][0] == i:
                    status = events[k][1]
                    reopened = reopened or status in _REOPENING
                    k += 1
            elif not moves:
                # No event in this period nor until the next one's: the periods between are alike.
                following = events[k][0] if k < len(events) else last
            if moves:
                owner = _owner_at(moves, ends[i], name)
                seen = scope.owner_ids is None or owner in names
            else:
                owner, seen = name, True
            if seen:
                add((owner, at_start, status, reopened), i, following)
            i = following
    found: list[list[CardStates]] = [[] for _p in periods]
    for (owner, at_start, at_end, reopened), counts in runs.items():
        n = 0
        for i in range(len(periods)):
            n += counts[i]
            if n:
                found[i].append(CardStates(owner, None, at_start, at_end, False, reopened, n))
    return found


def _period_of(column: str, periods: Periods) -> str:
    """The number of the period a time before `:last` falls in, -1 before the first (None after the last)."""
    return f"CASE WHEN {column} < :first THEN -1 ELSE {windows.period_of(column, periods)} END"


def _owner_at(moves: list[tuple[str, int, dict]], moment: str, now: str | None) -> str | None:
    """As `store.reports._owner_at`: the last assignment's `to` before the moment, else the first
    one's `from` after it, else the owner now."""
    before = [detail for at, _id, detail in moves if at < moment]
    after = [detail for at, _id, detail in moves if at >= moment]
    for name in (before[-1].get("to") if before else None, after[0].get("from") if after else None):
        if name is not None:
            return name
    return now


def _visible_names(store: Store, scope: Scope) -> set[str]:
    if not scope.owner_ids:
        return set()
    marks = ",".join("?" * len(scope.owner_ids))
    return {r[0] for r in store.conn.execute(f"SELECT name FROM users WHERE id IN ({marks})", sorted(scope.owner_ids))}
