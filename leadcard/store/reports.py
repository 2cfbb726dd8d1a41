"""SQL of the weekly and monthly reports: dated records of a period, read as they stood at its end.

Every query takes the period's bounds and never reads a record dated at or after its end, so a past
period's report is the same whenever it is run. Counts are aggregated in SQL; the few record-level
reads (wins, losses, wake-ups, gradings) are one query each, never one per card.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from leadcard.model import EventKind
from leadcard.store import Scope, Store, ts
from leadcard.store.counting import counts, grade_counts, withdrawn

# Events that change a card's status; the latest one before a moment gives the status then.
STATUS_EVENTS = (
    EventKind.WON, EventKind.ORDER_CANCELLED, EventKind.DELIVERED, EventKind.LOST_REQUESTED,
    EventKind.LOST_APPROVED, EventKind.LOST_REJECTED, EventKind.INVALID, EventKind.REOPENED,
)
_STATUS_KINDS = ",".join(f"'{k.value}'" for k in STATUS_EVENTS)

# A follow-up counts unless an entry dated before the period's end corrects it (corrections are
# dated like the entry they correct) or it was withdrawn before the end: a withdrawal made since
# leaves a past period's figures as they were.
def _effective(moment: str) -> str:
    return counts("f", f"< {moment}")


_EFFECTIVE = _effective(":end")
_GRADE_COUNTS = grade_counts("g", "< :end")
# Several periods at once (a trend), or one (a report): (start, end) pairs.
Periods = Sequence[tuple[datetime, datetime]]


def _cards_for(scope_sql: str, card_id: str) -> str:
    """The join to the cards a visibility clause reads; none when everything is visible (a query
    over many records then reads no card)."""
    return "" if scope_sql == "1" else f"JOIN cards ON cards.id = {card_id}"


def _periods(periods: Periods) -> tuple[str, dict]:
    """The periods as a table `p (n, p_start, p_end)` for a WITH clause, with `:first` and `:last`
    bounding them all: a query reads the records of all the periods in one pass of its index."""
    values = ", ".join(f"({i}, :start{i}, :end{i})" for i in range(len(periods)))
    bounds = {"first": ts(min(start for start, _end in periods)), "last": ts(max(end for _start, end in periods))}
    for i, (start, end) in enumerate(periods):
        bounds[f"start{i}"], bounds[f"end{i}"] = ts(start), ts(end)
    return f"p (n, p_start, p_end) AS (VALUES {values})", bounds


# Subqueries about one card write `+kind` so that the planner seeks the card's own events
# (card_events_card) instead of every event of that kind in the store (card_events_kind_at).


def _owner_at(moment: str) -> str:
    """The card's owner's name at a moment, from the assignment events; `cards` must be in scope.

    Before a card's first reassignment its owner is that event's `from`; with no reassignment at
    all, the card's owner now. The reassigned cards are listed once (from the events by kind), so a
    card never reassigned costs no look-up in its events.
    """
    return f"""CASE WHEN cards.id IN (SELECT card_id FROM card_events WHERE kind = 'assigned') THEN coalesce(
        (SELECT json_extract(a.detail, '$.to') FROM card_events a WHERE a.card_id = cards.id
            AND +a.kind = 'assigned' AND a.at < {moment} ORDER BY a.at DESC, a.id DESC LIMIT 1),
        (SELECT json_extract(a.detail, '$.from') FROM card_events a WHERE a.card_id = cards.id
            AND +a.kind = 'assigned' AND a.at >= {moment} ORDER BY a.at, a.id LIMIT 1),
        (SELECT users.name FROM users WHERE users.id = cards.owner_id))
        ELSE (SELECT users.name FROM users WHERE users.id = cards.owner_id) END"""


def _status_event_at(moment: str) -> str:
    return f"""(SELECT s.kind FROM card_events s WHERE s.card_id = cards.id AND +s.kind IN ({_STATUS_KINDS})
        AND s.at < {moment} ORDER BY s.at DESC, s.id DESC LIMIT 1)"""


def _scope(scope: Scope, moment: str = ":end") -> tuple[str, dict]:
    """The visibility clause, with named parameters (the report queries name theirs): by the card's
    owner at the moment, so that a card moved to another team since stays in the reports of the
    team that held it then. Only a reassigned card pays for looking its owner up in the events."""
    if scope.owner_ids is None:
        return "1", {}
    if not scope.owner_ids:
        return "0", {}
    names = {f"owner{i}": owner_id for i, owner_id in enumerate(sorted(scope.owner_ids))}
    owners = ",".join(":" + n for n in names)
    return f"""(CASE WHEN cards.id IN (SELECT card_id FROM card_events WHERE kind = 'assigned')
        THEN {_owner_at(moment)} IN (SELECT users.name FROM users WHERE users.id IN ({owners}))
        ELSE cards.owner_id IN ({owners}) END)""", names


@dataclass(frozen=True)
class CardStates:
    """How many cards share one combination of states at the period's start and end."""

    owner: str | None  # at the end
    grade: str | None  # at the end (None for the cards closed before the period)
    status_event_at_start: str | None  # the latest status event before the start (None: never closed)
    status_event_at_end: str | None
    dormant_at_end: bool  # no reached contact in the policy's dormant period before the end
    created_in_period: bool
    reopened_in_period: bool  # reopened, or its order cancelled (退订), in the period
    cards: int


# A closed card's status and the status event that closed it.
_CLOSED_BY = {"won": EventKind.WON, "delivered": EventKind.DELIVERED, "lost": EventKind.LOST_APPROVED,
              "invalid": EventKind.INVALID}
# As the partial indexes `cards_closed` and `cards_in_hand` name them (migration 15).
_CLOSED = ", ".join(f"'{status}'" for status in _CLOSED_BY)
_IN_HAND = "'open', 'lost-pending'"


def _open(status_event: str) -> str:
    """True when the card is open (跟进中) after this latest status event (None: never closed)."""
    return f"({status_event} IS NULL OR {status_event} IN ('order-cancelled', 'lost-rejected', 'reopened'))"
# Cards whose status changed at or after the period's start: every other closed card was closed
# before it, by the event its status names, and stays so through the period.
_CHANGED_SINCE_START = f"SELECT card_id FROM card_events WHERE kind IN ({_STATUS_KINDS}) AND at >= :start"


def card_states(store: Store, scope: Scope, start: datetime, end: datetime, dormant_before: datetime) -> list[CardStates]:
    """Every card made before the end, grouped by its states then (the funnel, the conversion cohort).

    `dormant_before`: a card whose latest reached contact (or creation) is before this is dormant
    at the end. Cards closed before the start and not changed since are only counted, by owner and
    status: they are in no funnel and no cohort, and none of their records is read.
    """
    scope_sql, params = _scope(scope)
    closed_by = " ".join(f"WHEN '{status}' THEN '{kind.value}'" for status, kind in _CLOSED_BY.items())
    rows = store.conn.execute(
        f"""
        WITH in_hand AS (
            SELECT cards.id, cards.grade, cards.created_at, {_owner_at(':end')} AS owner,
                {_status_event_at(':start')} AS at_start, {_status_event_at(':end')} AS at_end,
                cards.created_at >= :start AS created_in,
                EXISTS (SELECT 1 FROM card_events r WHERE r.card_id = cards.id
                        AND +r.kind IN ('reopened', 'order-cancelled') AND r.at >= :start AND r.at < :end) AS reopened_in
            FROM cards
            WHERE cards.created_at < :end AND {scope_sql}
                AND (cards.status IN ({_IN_HAND}) OR cards.id IN ({_CHANGED_SINCE_START}))
        ), per_card AS (
            -- The grade and dormancy at the end matter to the cards open then (the funnel) only.
            SELECT owner,
                CASE WHEN {_open('at_end')} THEN coalesce((SELECT g.to_grade FROM grade_changes g
                    WHERE g.card_id = in_hand.id AND g.at < :end AND {_GRADE_COUNTS}
                    ORDER BY g.at DESC, g.id DESC LIMIT 1), in_hand.grade) END AS grade,
                at_start, at_end,
                -- The latest standing reached contact: walking the card's contacts back from the end.
                CASE WHEN {_open('at_end')} THEN coalesce((SELECT f.at FROM followups f
                    WHERE f.card_id = in_hand.id AND f.at < :end AND f.outcome = 'reached' AND {_EFFECTIVE}
                    ORDER BY f.at DESC LIMIT 1), in_hand.created_at) < :dormant_before ELSE 1 = 0 END AS dormant,
                created_in, reopened_in
            FROM in_hand
        ), settled AS (
            SELECT {_owner_at(':end')} AS owner, NULL AS grade, CASE cards.status {closed_by} END AS at_start,
                CASE cards.status {closed_by} END AS at_end, 1 = 0 AS dormant, cards.created_at >= :start AS created_in,
                1 = 0 AS reopened_in
            FROM cards
            WHERE cards.created_at < :end AND {scope_sql}
                AND cards.status IN ({_CLOSED}) AND cards.id NOT IN ({_CHANGED_SINCE_START})
        )
        SELECT owner, grade, at_start, at_end, dormant, created_in, reopened_in, count(*) AS cards
        FROM (SELECT * FROM per_card UNION ALL SELECT * FROM settled) AS states GROUP BY 1, 2, 3, 4, 5, 6, 7
        """,
        {**params, "start": ts(start), "end": ts(end), "dormant_before": ts(dormant_before)},
    ).fetchall()
    return [
        CardStates(r["owner"], r["grade"], r["at_start"], r["at_end"], bool(r["dormant"]), bool(r["created_in"]),
                   bool(r["reopened_in"]), r["cards"])
        for r in rows
    ]


@dataclass(frozen=True)
class NewCard:
    card_id: int
    created_at: datetime
    source: str
    owner: str | None  # at the end
    first_followup_at: datetime | None  # the first contact or attempt before the end
    left_at: datetime | None = None  # 离店: the timeliness clock starts here when known
    period: int = 0  # which of the periods asked for

    @property
    def clock_start(self) -> datetime:
        return self.left_at or self.created_at


def new_cards(store: Store, scope: Scope, periods: Periods) -> list[NewCard]:
    scope_sql, params = _scope(scope, "p.p_end")
    table, bounds = _periods(periods)
    rows = store.conn.execute(
        f"""
        WITH {table}
        SELECT p.n, cards.id, cards.created_at, cards.left_at, cards.source, {_owner_at('p.p_end')} AS owner,
            (SELECT min(f.at) FROM followups f WHERE f.card_id = cards.id AND f.at < p.p_end
             AND {_effective('p.p_end')}) AS first_at
        FROM cards JOIN p ON cards.created_at >= p.p_start AND cards.created_at < p.p_end
        WHERE cards.created_at >= :first AND cards.created_at < :last AND {scope_sql}
        ORDER BY p.n, cards.id
        """,
        {**params, **bounds},
    ).fetchall()
    return [NewCard(r["id"], store.dt(r["created_at"]), r["source"], r["owner"], store.dt(r["first_at"]),
                    store.dt(r["left_at"]), r["n"]) for r in rows]


@dataclass(frozen=True)
class FollowUpCount:
    author: str | None
    channel: str
    complete: bool  # content, plan and next date all written
    followups: int
    period: int = 0  # which of the periods asked for


def followup_counts(store: Store, scope: Scope, periods: Periods) -> list[FollowUpCount]:
    """Effective follow-ups dated in each period, counted by author, channel and completeness."""
    scope_sql, params = _scope(scope, "p.p_end")
    table, bounds = _periods(periods)
    rows = store.conn.execute(
        f"""
        WITH {table}
        SELECT p.n AS period, u.name AS author, f.channel,
            (trim(f.content) != '' AND trim(coalesce(f.plan, '')) != '' AND f.next_at IS NOT NULL) AS complete,
            count(*) AS n
        FROM followups f JOIN p ON f.at >= p.p_start AND f.at < p.p_end
        {_cards_for(scope_sql, 'f.card_id')} LEFT JOIN users u ON u.id = f.author_id
        WHERE f.at >= :first AND f.at < :last AND {_effective('p.p_end')} AND {scope_sql}
        GROUP BY 1, 2, 3, 4
        """,
        {**params, **bounds},
    ).fetchall()
    return [FollowUpCount(r["author"], r["channel"], bool(r["complete"]), r["n"], r["period"]) for r in rows]


@dataclass(frozen=True)
class Win:
    card_id: int
    at: datetime
    source: str
    owner: str | None  # at the end
    followups: int  # effective contacts that reached the customer, up to the win
    referred_by: int | None = None  # the referrer's card (转介绍人)
    period: int = 0  # which of the periods asked for


# An order (a `won` event) cancelled before a moment: a cancellation after it and before the next order.
def _cancelled_by(moment: str) -> str:
    return f"""EXISTS (SELECT 1 FROM card_events x WHERE x.card_id = e.card_id AND +x.kind = 'order-cancelled'
        AND x.id > e.id AND x.at < {moment} AND NOT EXISTS (SELECT 1 FROM card_events w
            WHERE w.card_id = e.card_id AND +w.kind = 'won' AND w.id > e.id AND w.id < x.id))"""


def wins(store: Store, scope: Scope, periods: Periods) -> list[Win]:
    """Cards won in each period, their order still standing at its end (a card won twice in it counts
    once, at its last win): an order cancelled after the end leaves the period as it was."""
    scope_sql, params = _scope(scope, "p.p_end")
    table, bounds = _periods(periods)
    rows = store.conn.execute(
        f"""
        WITH {table}
        SELECT p.n, cards.id, max(e.at) AS won_at, cards.source, cards.referred_by, {_owner_at('p.p_end')} AS owner,
            (SELECT count(*) FROM followups f WHERE f.card_id = cards.id AND f.at <= max(e.at)
             AND f.outcome = 'reached' AND {_effective('p.p_end')}) AS followups
        FROM card_events e JOIN p ON e.at >= p.p_start AND e.at < p.p_end JOIN cards ON cards.id = e.card_id
        WHERE e.kind = 'won' AND e.at >= :first AND e.at < :last AND NOT {_cancelled_by('p.p_end')} AND {scope_sql}
        GROUP BY p.n, p.p_start, p.p_end, cards.id ORDER BY p.n, cards.id
        """,
        {**params, **bounds},
    ).fetchall()
    return [Win(r["id"], store.dt(r["won_at"]), r["source"], r["owner"], r["followups"], r["referred_by"], r["n"])
            for r in rows]


@dataclass(frozen=True)
class Order:
    card_id: int
    at: datetime
    owner: str | None  # at the end
    model: str | None
    price: int | None
    cancelled: bool  # by the period's end
    period: int = 0  # which of the periods asked for


def orders(store: Store, scope: Scope, periods: Periods) -> list[Order]:
    """Every order (成交/订车) placed in each period, and whether it was cancelled by its end."""
    return [Order(r["id"], store.dt(r["at"]), r["owner"], d.get("model"), d.get("price"), bool(r["cancelled"]), r["n"])
            for r, d in _events(store, scope, EventKind.WON, periods, f", {_cancelled_by('p.p_end')} AS cancelled")]


@dataclass(frozen=True)
class Cancellation:
    card_id: int
    at: datetime
    owner: str | None  # at the end
    reason: str | None
    model: str | None
    period: int = 0  # which of the periods asked for


def cancellations(store: Store, scope: Scope, periods: Periods) -> list[Cancellation]:
    """退订 in each period, with their reasons."""
    return [Cancellation(r["id"], store.dt(r["at"]), r["owner"], d.get("reason"), d.get("model"), r["n"])
            for r, d in _events(store, scope, EventKind.ORDER_CANCELLED, periods)]


@dataclass(frozen=True)
class Delivery:
    card_id: int
    at: datetime
    owner: str | None  # at the end
    ordered_at: datetime | None  # the order it delivered
    legacy: bool  # won before orders were kept: delivered the day it was won
    contacts: tuple[datetime, ...]  # when the owner was reached after the delivery, before the end
    period: int = 0  # which of the periods asked for


def deliveries(store: Store, scope: Scope, periods: Periods) -> list[Delivery]:
    """交车 from each (since, end) pair's `since` to its end, each with the order it delivered and the
    contacts that reached the owner afterwards before that end (one query for all of them)."""
    found = _events(store, scope, EventKind.DELIVERED, periods, """, (SELECT w.at FROM card_events w
        WHERE w.card_id = e.card_id AND +w.kind = 'won' AND w.id < e.id ORDER BY w.id DESC LIMIT 1) AS ordered_at""")
    contacts: dict[tuple[int, int], list[datetime]] = {}
    if found:
        table, bounds = _periods(periods)
        for r in store.conn.execute(
            f"""
            WITH {table}, delivered AS (
                SELECT e.card_id, min(e.at) AS at FROM card_events e
                WHERE e.kind = 'delivered' AND e.at >= :first AND e.at < :last GROUP BY e.card_id)
            SELECT p.n, f.card_id, f.at FROM delivered JOIN followups f ON f.card_id = delivered.card_id
            JOIN p ON f.at >= p.p_start AND f.at < p.p_end
            WHERE f.at > delivered.at AND f.at < :last AND f.outcome = 'reached' AND {_effective('p.p_end')}
            ORDER BY p.n, f.card_id, f.at
            """,
            bounds,
        ):
            contacts.setdefault((r["n"], r["card_id"]), []).append(store.dt(r["at"]))
    delivered = []
    for r, d in found:
        at = store.dt(r["at"])
        delivered.append(Delivery(r["id"], at, r["owner"], store.dt(r["ordered_at"]), bool(d.get("legacy")),
                                  tuple(t for t in contacts.get((r["n"], r["id"]), ()) if t > at), r["n"]))
    return delivered


def _events(store: Store, scope: Scope, kind: EventKind, periods: Periods,
            more: str = "", where: str = "") -> list[tuple[sqlite3.Row, dict]]:
    """The events of a kind dated in each period, each with its period `n`, its card's owner at the
    period's end and its detail; `more` adds columns, `where` conditions, about the event `e` (and
    its period `p`)."""
    scope_sql, params = _scope(scope, "p.p_end")
    table, bounds = _periods(periods)
    rows = store.conn.execute(
        f"""
        WITH {table}
        SELECT p.n, cards.id, e.at, e.detail, {_owner_at('p.p_end')} AS owner{more}
        FROM card_events e JOIN p ON e.at >= p.p_start AND e.at < p.p_end JOIN cards ON cards.id = e.card_id
        WHERE e.kind = :kind AND e.at >= :first AND e.at < :last AND {scope_sql}{where}
        ORDER BY p.n, e.at, e.id
        """,
        {**params, **bounds, "kind": kind.value},
    ).fetchall()
    return [(r, json.loads(r["detail"]) if r["detail"] else {}) for r in rows]


@dataclass(frozen=True)
class Referral:
    card_id: int
    owner: str | None  # the referred card's, at the end
    referrer_id: int
    referrer_name: str
    referrer_owner: str | None  # the referrer card's owner now
    referrer_owner_id: int | None
    won: bool  # the referred card's order stood at the period's end
    period: int = 0  # which of the periods asked for


def referrals(store: Store, scope: Scope, periods: Periods) -> list[Referral]:
    """Cards made in each period on a referral link (转介绍), with their referrer."""
    scope_sql, params = _scope(scope, "p.p_end")
    table, bounds = _periods(periods)
    rows = store.conn.execute(
        f"""
        WITH {table}
        SELECT p.n, cards.id, {_owner_at('p.p_end')} AS owner, r.id AS referrer, r.name AS referrer_name,
            u.name AS referrer_owner, r.owner_id,
            {_status_event_at('p.p_end')} IN ('won', 'delivered') AS won
        FROM cards JOIN p ON cards.created_at >= p.p_start AND cards.created_at < p.p_end
        JOIN cards r ON r.id = cards.referred_by LEFT JOIN users u ON u.id = r.owner_id
        WHERE cards.referred_by IS NOT NULL AND cards.created_at >= :first AND cards.created_at < :last
            AND {scope_sql}
        ORDER BY p.n, cards.id
        """,
        {**params, **bounds},
    ).fetchall()
    return [Referral(r["id"], r["owner"], r["referrer"], r["referrer_name"], r["referrer_owner"], r["owner_id"],
                     bool(r["won"]), r["n"]) for r in rows]


@dataclass(frozen=True)
class LossRequest:
    card_id: int
    at: datetime
    owner: str | None  # at the end
    reason: str | None
    competitor: str | None
    verdict: str | None  # the first approval or rejection after it and before the end
    period: int = 0  # which of the periods asked for


def loss_requests(store: Store, scope: Scope, periods: Periods) -> list[LossRequest]:
    """战败申请 made in each period, with what became of each by the period's end."""
    verdict = """, (SELECT d.kind FROM card_events d WHERE d.card_id = e.card_id
        AND +d.kind IN ('lost-approved', 'lost-rejected') AND d.id > e.id AND d.at < p.p_end
        ORDER BY d.id LIMIT 1) AS verdict"""
    return [LossRequest(r["id"], store.dt(r["at"]), r["owner"], *_reason(r["detail"]), r["verdict"], r["n"])
            for r, _detail in _events(store, scope, EventKind.LOST_REQUESTED, periods, verdict)]


@dataclass(frozen=True)
class Loss:
    card_id: int
    at: datetime  # approved
    owner: str | None  # at the end
    reason: str | None
    competitor: str | None
    period: int = 0  # which of the periods asked for


def approved_losses(store: Store, scope: Scope, periods: Periods) -> list[Loss]:
    """战败 approved in each period, with the reason and competitor of the request approved."""
    request = """, (SELECT r.detail FROM card_events r WHERE r.card_id = e.card_id AND +r.kind = 'lost-requested'
        AND r.id < e.id ORDER BY r.id DESC LIMIT 1) AS request"""
    return [Loss(r["id"], store.dt(r["at"]), r["owner"], *_reason(r["request"]), r["n"])
            for r, _detail in _events(store, scope, EventKind.LOST_APPROVED, periods, request)]


def _reason(detail: str | None) -> tuple[str | None, str | None]:
    data = json.loads(detail) if detail else {}
    return (data.get("reason") or None, data.get("competitor") or None)


@dataclass(frozen=True)
class Contact:
    seq: int
    at: datetime
    channel: str
    reached: bool


@dataclass(frozen=True)
class Wake:
    card_id: int
    at: datetime
    owner: str | None  # at the end
    followup_seq: int | None  # the contact that woke the card
    contacts: list[Contact]  # the card's effective follow-ups from the wake to the period's end
    period: int = 0  # which of the periods asked for


def wakes(store: Store, scope: Scope, periods: Periods) -> list[Wake]:
    """休眠唤醒 in each period, each with the card's contacts after it in the period (one query for
    all of them); a wake by a follow-up withdrawn before the end was no wake."""
    not_withdrawn = f""" AND NOT EXISTS (SELECT 1 FROM followups f WHERE f.card_id = e.card_id
        AND f.seq = CAST(json_extract(e.detail, '$.followup_seq') AS INTEGER) AND {withdrawn('f.id', '< p.p_end')})"""
    rows = _events(store, scope, EventKind.WOKEN, periods, where=not_withdrawn)
    contacts: dict[tuple[int, int], list[Contact]] = {}
    if rows:
        table, bounds = _periods(periods)
        contact_rows = store.conn.execute(
            f"""
            WITH {table}
            SELECT p.n, f.card_id, f.seq, f.at, f.channel, f.outcome FROM followups f
            JOIN p ON f.at >= p.p_start AND f.at < p.p_end
            WHERE f.card_id IN (SELECT e.card_id FROM card_events e WHERE e.kind = 'woken' AND e.at >= :first
                                AND e.at < :last)
            AND f.at >= :first AND f.at < :last AND {_effective('p.p_end')}
            ORDER BY p.n, f.card_id, f.at, f.seq
            """,
            bounds,
        ).fetchall()
        for r in contact_rows:
            contacts.setdefault((r["n"], r["card_id"]), []).append(
                Contact(r["seq"], store.dt(r["at"]), r["channel"], r["outcome"] == "reached"))
    return [Wake(r["id"], store.dt(r["at"]), r["owner"], detail.get("followup_seq"),
                 contacts.get((r["n"], r["id"]), []), r["n"]) for r, detail in rows]


@dataclass(frozen=True)
class Grading:
    card_id: int
    grade: str
    at: datetime
    grader: str | None  # who judged it; the card's owner then when nobody is recorded
    won_at: datetime | None  # the card's first win at or after the grading, before `until`


def gradings(store: Store, scope: Scope, windows: dict[str, tuple[datetime, datetime]], until: datetime) -> list[Grading]:
    """Gradings to each grade made within its window [since, before), with the card's first win
    after each before `until`."""
    if not windows:
        return []
    scope_sql, params = _scope(scope, "g.at")
    terms, bounds = [], {}
    for i, (grade, (since, before)) in enumerate(windows.items()):
        terms.append(f"(g.to_grade = :grade{i} AND g.at >= :since{i} AND g.at < :before{i})")
        bounds.update({f"grade{i}": grade, f"since{i}": ts(since), f"before{i}": ts(before)})
    rows = store.conn.execute(
        f"""
        SELECT g.card_id, g.to_grade, g.at, coalesce(u.name, {_owner_at('g.at')}) AS grader,
            (SELECT min(e.at) FROM card_events e WHERE e.card_id = g.card_id AND +e.kind = 'won'
             AND e.at >= g.at AND e.at < :until) AS won_at
        FROM grade_changes g JOIN cards ON cards.id = g.card_id LEFT JOIN users u ON u.id = g.by_id
        WHERE ({' OR '.join(terms)}) AND {scope_sql} AND {grade_counts('g', '< :until')}
        ORDER BY g.card_id, g.at, g.id
        """,
        {**params, **bounds, "until": ts(until)},
    ).fetchall()
    return [Grading(r["card_id"], r["to_grade"], store.dt(r["at"]), r["grader"], store.dt(r["won_at"])) for r in rows]
