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
from bisect import bisect_left, bisect_right

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
        f"""SELECT users.name, CASE WHEN cards.created_at < :first THEN -1 ELSE {windows.period_of('cards.created_at', periods)} END,
                count(*)
            FROM cards LEFT JOIN users ON users.id = cards.owner_id
            WHERE cards.created_at < :last AND cards.status IN ({_IN_HAND}) AND {untouched} AND {visible}
            GROUP BY 1, 2""", bounds):
        add((name, None, None, False), max(made_in, 0), len(periods), n)
    cards = store.conn.execute(
        f"""SELECT cards.id, cards.created_at, cards.owner_id, users.name FROM cards
            LEFT JOIN users ON users.id = cards.owner_id WHERE cards.id IN ({candidates}) AND NOT {untouched}""",
        bounds).fetchall()
    times: dict[int, list[str]] = {}  # each card's status events, in time order: when
    kinds: dict[int, list[str]] = {}  # … and what
    assigned: dict[int, list[tuple[str, int, dict]]] = {}
    for card_id, at, event_id, kind, detail in store.conn.execute(
        f"""SELECT e.card_id, e.at, e.id, e.kind, e.detail FROM card_events e
            WHERE e.card_id IN ({candidates}) AND e.kind IN ({_STATUS_KINDS}, 'assigned')
            ORDER BY e.card_id, e.at, e.id""", bounds):
        if kind == "assigned":
            assigned.setdefault(card_id, []).append((at, event_id, json.loads(detail or "{}")))
        else:
            times.setdefault(card_id, []).append(at)
            kinds.setdefault(card_id, []).append(kind)
    names = _visible_names(store, scope)
    moments = [(ts(start), ts(end)) for start, end in periods]
    ends = [end for _start, end in moments]
    for card_id, created_at, owner_id, name in cards:
        moves = assigned.get(card_id)
        if not moves and scope.owner_ids is not None and owner_id not in scope.owner_ids:
            continue
        when, what = times.get(card_id, ()), kinds.get(card_id, ())
        i = bisect_right(ends, created_at)  # the first period whose end is after the card was made
        before_start = bisect_left(when, moments[i][0]) if i < len(moments) else 0
        while i < len(moments):
            end = moments[i][1]
            before_end = bisect_left(when, end, before_start)
            at_start = what[before_start - 1] if before_start else None
            at_end = what[before_end - 1] if before_end else None
            reopened = any(kind in _REOPENING for kind in what[before_start:before_end])
            following = i + 1
            if moves:
                owner = _owner_at(moves, end, name)
                seen = scope.owner_ids is None or owner in names
            else:
                owner, seen = name, True
                if before_start == before_end:
                    # No event in this period nor until the next one's: the periods between are alike.
                    following = bisect_right(ends, when[before_end]) if before_end < len(when) else len(moments)
            if seen:
                add((owner, at_start, at_end, reopened), i, following)
            i, before_start = following, before_end
    found: list[list[CardStates]] = [[] for _p in periods]
    for (owner, at_start, at_end, reopened), counts in runs.items():
        n = 0
        for i in range(len(periods)):
            n += counts[i]
            if n:
                found[i].append(CardStates(owner, None, at_start, at_end, False, reopened, n))
    return found


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
