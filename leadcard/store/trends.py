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
from bisect import bisect_left
from collections import Counter
from datetime import datetime

from leadcard.store import Scope, Store, ts
from leadcard.store.reports import _IN_HAND, _STATUS_KINDS, CardStates, Periods

_REOPENING = ("reopened", "order-cancelled")


def conversion_states(store: Store, scope: Scope, periods: Periods) -> list[list[CardStates]]:
    """Each period's cards in hand, grouped like `store.reports.card_states` (without the funnel's
    grade and dormancy, which a trend does not show)."""
    first = ts(min(start for start, _end in periods))
    last = ts(max(end for _start, end in periods))
    candidates = f"""SELECT cards.id FROM cards WHERE cards.created_at < :last AND (cards.status IN ({_IN_HAND})
        OR cards.id IN (SELECT card_id FROM card_events WHERE kind IN ({_STATUS_KINDS}) AND at >= :first))"""
    bounds = {"first": first, "last": last}
    cards = store.conn.execute(
        f"""SELECT cards.id, cards.created_at, cards.owner_id, users.name FROM cards
            LEFT JOIN users ON users.id = cards.owner_id WHERE cards.id IN ({candidates})""", bounds).fetchall()
    status: dict[int, list[tuple[str, int, str]]] = {}
    assigned: dict[int, list[tuple[str, int, dict]]] = {}
    for r in store.conn.execute(
        f"""SELECT e.card_id, e.at, e.id, e.kind, e.detail FROM card_events e
            WHERE e.card_id IN ({candidates}) AND e.kind IN ({_STATUS_KINDS}, 'assigned')
            ORDER BY e.card_id, e.at, e.id""", bounds):
        if r["kind"] == "assigned":
            assigned.setdefault(r["card_id"], []).append((r["at"], r["id"], json.loads(r["detail"] or "{}")))
        else:
            status.setdefault(r["card_id"], []).append((r["at"], r["id"], r["kind"]))
    visible = _visible_names(store, scope)
    moments = [(ts(start), ts(end)) for start, end in periods]
    tallies = [Counter() for _p in periods]
    for card in cards:
        events = status.get(card["id"], [])
        moves = assigned.get(card["id"])
        if not events and not moves:  # most cards: open since made, never moved
            if scope.owner_ids is None or card["owner_id"] in scope.owner_ids:
                for i, (start, end) in enumerate(moments):
                    if card["created_at"] < end:
                        tallies[i][(card["name"], None, None, False)] += 1
            continue
        times = [at for at, _id, _kind in events]
        for i, (start, end) in enumerate(moments):
            if card["created_at"] >= end:
                continue
            owner = _owner_at(moves, end, card["name"]) if moves else card["name"]
            if scope.owner_ids is not None and not (owner in visible if moves else card["owner_id"] in scope.owner_ids):
                continue
            before_start, before_end = bisect_left(times, start), bisect_left(times, end)
            at_start = events[before_start - 1][2] if before_start else None
            at_end = events[before_end - 1][2] if before_end else None
            reopened = any(kind in _REOPENING for _at, _id, kind in events[before_start:before_end])
            tallies[i][(owner, at_start, at_end, reopened)] += 1
    return [[CardStates(owner, None, at_start, at_end, False, reopened, n)
             for (owner, at_start, at_end, reopened), n in tally.items()] for tally in tallies]


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
