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
_EFFECTIVE = counts("f", "< :end")
_GRADE_COUNTS = grade_counts("g", "< :end")


# Subqueries about one card write `+kind` so that the planner seeks the card's own events
# (card_events_card) instead of every event of that kind in the store (card_events_kind_at).


def _owner_at(moment: str) -> str:
    """The card's owner's name at a moment, from the assignment events; `cards` must be in scope.

    Before a card's first reassignment its owner is that event's `from`; with no reassignment at
    all, the card's owner now.
    """
    return f"""coalesce(
        (SELECT json_extract(a.detail, '$.to') FROM card_events a WHERE a.card_id = cards.id
            AND +a.kind = 'assigned' AND a.at < {moment} ORDER BY a.at DESC, a.id DESC LIMIT 1),
        (SELECT json_extract(a.detail, '$.from') FROM card_events a WHERE a.card_id = cards.id
            AND +a.kind = 'assigned' AND a.at >= {moment} ORDER BY a.at, a.id LIMIT 1),
        (SELECT users.name FROM users WHERE users.id = cards.owner_id))"""


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
    return f"""(CASE WHEN EXISTS (SELECT 1 FROM card_events m WHERE m.card_id = cards.id AND +m.kind = 'assigned')
        THEN {_owner_at(moment)} IN (SELECT users.name FROM users WHERE users.id IN ({owners}))
        ELSE cards.owner_id IN ({owners}) END)""", names


@dataclass(frozen=True)
class CardStates:
    """How many cards share one combination of states at the period's start and end."""

    owner: str | None  # at the end
    grade: str | None  # at the end
    status_event_at_start: str | None  # the latest status event before the start (None: never closed)
    status_event_at_end: str | None
    dormant_at_end: bool  # no reached contact in the policy's dormant period before the end
    created_in_period: bool
    reopened_in_period: bool  # reopened, or its order cancelled (退订), in the period
    cards: int


def card_states(store: Store, scope: Scope, start: datetime, end: datetime, dormant_before: datetime) -> list[CardStates]:
    """Every card made before the end, grouped by its states then (the funnel, the conversion cohort).

    `dormant_before`: a card whose latest reached contact (or creation) is before this is dormant
    at the end.
    """
    scope_sql, params = _scope(scope)
    rows = store.conn.execute(
        f"""
        WITH per_card AS (
            SELECT
                {_owner_at(':end')} AS owner,
                coalesce((SELECT g.to_grade FROM grade_changes g WHERE g.card_id = cards.id AND g.at < :end
                          AND {_GRADE_COUNTS} ORDER BY g.at DESC, g.id DESC LIMIT 1), cards.grade) AS grade,
                {_status_event_at(':start')} AS at_start,
                {_status_event_at(':end')} AS at_end,
                coalesce((SELECT max(f.at) FROM followups f WHERE f.card_id = cards.id AND f.at < :end
                          AND f.outcome = 'reached' AND {_EFFECTIVE}), cards.created_at) < :dormant_before AS dormant,
                cards.created_at >= :start AS created_in,
                EXISTS (SELECT 1 FROM card_events r WHERE r.card_id = cards.id
                        AND +r.kind IN ('reopened', 'order-cancelled') AND r.at >= :start AND r.at < :end) AS reopened_in
            FROM cards
            WHERE cards.created_at < :end AND {scope_sql}
        )
        SELECT owner, grade, at_start, at_end, dormant, created_in, reopened_in, count(*) AS cards
        FROM per_card GROUP BY 1, 2, 3, 4, 5, 6, 7
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

    @property
    def clock_start(self) -> datetime:
        return self.left_at or self.created_at


def new_cards(store: Store, scope: Scope, start: datetime, end: datetime) -> list[NewCard]:
    scope_sql, params = _scope(scope)
    rows = store.conn.execute(
        f"""
        SELECT cards.id, cards.created_at, cards.left_at, cards.source, {_owner_at(':end')} AS owner,
            (SELECT min(f.at) FROM followups f WHERE f.card_id = cards.id AND f.at < :end AND {_EFFECTIVE}) AS first_at
        FROM cards WHERE cards.created_at >= :start AND cards.created_at < :end AND {scope_sql}
        ORDER BY cards.id
        """,
        {**params, "start": ts(start), "end": ts(end)},
    ).fetchall()
    return [NewCard(r["id"], store.dt(r["created_at"]), r["source"], r["owner"], store.dt(r["first_at"]),
                    store.dt(r["left_at"])) for r in rows]


@dataclass(frozen=True)
class FollowUpCount:
    author: str | None
    channel: str
    complete: bool  # content, plan and next date all written
    followups: int


def followup_counts(store: Store, scope: Scope, start: datetime, end: datetime) -> list[FollowUpCount]:
    """Effective follow-ups dated in the period, counted by author, channel and completeness."""
    scope_sql, params = _scope(scope)
    rows = store.conn.execute(
        f"""
        SELECT u.name AS author, f.channel,
            (trim(f.content) != '' AND trim(coalesce(f.plan, '')) != '' AND f.next_at IS NOT NULL) AS complete,
            count(*) AS n
        FROM followups f JOIN cards ON cards.id = f.card_id LEFT JOIN users u ON u.id = f.author_id
        WHERE f.at >= :start AND f.at < :end AND {_EFFECTIVE} AND {scope_sql}
        GROUP BY 1, 2, 3
        """,
        {**params, "start": ts(start), "end": ts(end)},
    ).fetchall()
    return [FollowUpCount(r["author"], r["channel"], bool(r["complete"]), r["n"]) for r in rows]


@dataclass(frozen=True)
class Win:
    card_id: int
    at: datetime
    source: str
    owner: str | None  # at the end
    followups: int  # effective contacts that reached the customer, up to the win
    referred_by: int | None = None  # the referrer's card (转介绍人)


# An order (a `won` event) cancelled before a moment: a cancellation after it and before the next order.
def _cancelled_by(moment: str) -> str:
    return f"""EXISTS (SELECT 1 FROM card_events x WHERE x.card_id = e.card_id AND +x.kind = 'order-cancelled'
        AND x.id > e.id AND x.at < {moment} AND NOT EXISTS (SELECT 1 FROM card_events w
            WHERE w.card_id = e.card_id AND +w.kind = 'won' AND w.id > e.id AND w.id < x.id))"""


def wins(store: Store, scope: Scope, start: datetime, end: datetime) -> list[Win]:
    """Cards won in the period, their order still standing at its end (a card won twice in it counts
    once, at its last win): an order cancelled after the end leaves the period as it was."""
    scope_sql, params = _scope(scope)
    rows = store.conn.execute(
        f"""
        SELECT cards.id, max(e.at) AS won_at, cards.source, cards.referred_by, {_owner_at(':end')} AS owner,
            (SELECT count(*) FROM followups f WHERE f.card_id = cards.id AND f.at <= max(e.at)
             AND f.outcome = 'reached' AND {_EFFECTIVE}) AS followups
        FROM card_events e JOIN cards ON cards.id = e.card_id
        WHERE e.kind = 'won' AND e.at >= :start AND e.at < :end AND NOT {_cancelled_by(':end')} AND {scope_sql}
        GROUP BY cards.id ORDER BY cards.id
        """,
        {**params, "start": ts(start), "end": ts(end)},
    ).fetchall()
    return [Win(r["id"], store.dt(r["won_at"]), r["source"], r["owner"], r["followups"], r["referred_by"])
            for r in rows]


@dataclass(frozen=True)
class Order:
    card_id: int
    at: datetime
    owner: str | None  # at the end
    model: str | None
    price: int | None
    cancelled: bool  # by the period's end


def orders(store: Store, scope: Scope, start: datetime, end: datetime) -> list[Order]:
    """Every order (成交/订车) placed in the period, and whether it was cancelled by its end."""
    return [Order(r["id"], store.dt(r["at"]), r["owner"], d.get("model"), d.get("price"), bool(r["cancelled"]))
            for r, d in _events(store, scope, EventKind.WON, start, end, f", {_cancelled_by(':end')} AS cancelled")]


@dataclass(frozen=True)
class Cancellation:
    card_id: int
    at: datetime
    owner: str | None  # at the end
    reason: str | None
    model: str | None


def cancellations(store: Store, scope: Scope, start: datetime, end: datetime) -> list[Cancellation]:
    """退订 in the period, with their reasons."""
    return [Cancellation(r["id"], store.dt(r["at"]), r["owner"], d.get("reason"), d.get("model"))
            for r, d in _events(store, scope, EventKind.ORDER_CANCELLED, start, end)]


@dataclass(frozen=True)
class Delivery:
    card_id: int
    at: datetime
    owner: str | None  # at the end
    ordered_at: datetime | None  # the order it delivered
    legacy: bool  # won before orders were kept: delivered the day it was won
    contacts: tuple[datetime, ...]  # when the owner was reached after the delivery, before the end


def deliveries(store: Store, scope: Scope, since: datetime, end: datetime) -> list[Delivery]:
    """交车 from `since` to the period's end, each with the order it delivered and the contacts that
    reached the owner afterwards (one query for all of them)."""
    found = _events(store, scope, EventKind.DELIVERED, since, end, """, (SELECT w.at FROM card_events w
        WHERE w.card_id = e.card_id AND +w.kind = 'won' AND w.id < e.id ORDER BY w.id DESC LIMIT 1) AS ordered_at""")
    contacts: dict[int, list[datetime]] = {}
    if found:
        scope_sql, params = _scope(scope)
        for r in store.conn.execute(
            f"""
            SELECT f.card_id, f.at FROM followups f
            WHERE f.card_id IN (SELECT e.card_id FROM card_events e JOIN cards ON cards.id = e.card_id
                                WHERE e.kind = 'delivered' AND e.at >= :since AND e.at < :end AND {scope_sql})
            AND f.at >= :since AND f.at < :end AND f.outcome = 'reached' AND {_EFFECTIVE}
            ORDER BY f.card_id, f.at
            """,
            {**params, "since": ts(since), "end": ts(end)},
        ):
            contacts.setdefault(r["card_id"], []).append(store.dt(r["at"]))
    delivered = []
    for r, d in found:
        at = store.dt(r["at"])
        delivered.append(Delivery(r["id"], at, r["owner"], store.dt(r["ordered_at"]), bool(d.get("legacy")),
                                  tuple(t for t in contacts.get(r["id"], ()) if t > at)))
    return delivered


def _events(store: Store, scope: Scope, kind: EventKind, start: datetime, end: datetime,
            more: str = "") -> list[tuple[sqlite3.Row, dict]]:
    """The events of a kind dated from `start` to the period's end, each with its card's owner at the
    end and its detail; `more` adds columns about the event `e`."""
    scope_sql, params = _scope(scope)
    rows = store.conn.execute(
        f"""
        SELECT cards.id, e.at, e.detail, {_owner_at(':end')} AS owner{more}
        FROM card_events e JOIN cards ON cards.id = e.card_id
        WHERE e.kind = :kind AND e.at >= :start AND e.at < :end AND {scope_sql}
        ORDER BY e.at, e.id
        """,
        {**params, "kind": kind.value, "start": ts(start), "end": ts(end)},
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


def referrals(store: Store, scope: Scope, start: datetime, end: datetime) -> list[Referral]:
    """Cards made in the period on a referral link (转介绍), with their referrer."""
    scope_sql, params = _scope(scope)
    rows = store.conn.execute(
        f"""
        SELECT cards.id, {_owner_at(':end')} AS owner, r.id AS referrer, r.name AS referrer_name,
            u.name AS referrer_owner, r.owner_id,
            {_status_event_at(':end')} IN ('won', 'delivered') AS won
        FROM cards JOIN cards r ON r.id = cards.referred_by LEFT JOIN users u ON u.id = r.owner_id
        WHERE cards.referred_by IS NOT NULL AND cards.created_at >= :start AND cards.created_at < :end
            AND {scope_sql}
        ORDER BY cards.id
        """,
        {**params, "start": ts(start), "end": ts(end)},
    ).fetchall()
    return [Referral(r["id"], r["owner"], r["referrer"], r["referrer_name"], r["referrer_owner"], r["owner_id"], bool(r["won"]))
            for r in rows]


@dataclass(frozen=True)
class LossRequest:
    card_id: int
    at: datetime
    owner: str | None  # at the end
    reason: str | None
    competitor: str | None
    verdict: str | None  # the first approval or rejection after it and before the end


def loss_requests(store: Store, scope: Scope, start: datetime, end: datetime) -> list[LossRequest]:
    """战败申请 made in the period, with what became of each by the period's end."""
    scope_sql, params = _scope(scope)
    rows = store.conn.execute(
        f"""
        SELECT cards.id, e.at, e.detail, {_owner_at(':end')} AS owner,
            (SELECT d.kind FROM card_events d WHERE d.card_id = e.card_id
             AND +d.kind IN ('lost-approved', 'lost-rejected') AND d.id > e.id AND d.at < :end
             ORDER BY d.id LIMIT 1) AS verdict
        FROM card_events e JOIN cards ON cards.id = e.card_id
        WHERE e.kind = 'lost-requested' AND e.at >= :start AND e.at < :end AND {scope_sql}
        ORDER BY e.at, e.id
        """,
        {**params, "start": ts(start), "end": ts(end)},
    ).fetchall()
    return [LossRequest(r["id"], store.dt(r["at"]), r["owner"], *_reason(r["detail"]), r["verdict"]) for r in rows]


@dataclass(frozen=True)
class Loss:
    card_id: int
    at: datetime  # approved
    owner: str | None  # at the end
    reason: str | None
    competitor: str | None


def approved_losses(store: Store, scope: Scope, start: datetime, end: datetime) -> list[Loss]:
    """战败 approved in the period, with the reason and competitor of the request approved."""
    scope_sql, params = _scope(scope)
    rows = store.conn.execute(
        f"""
        SELECT cards.id, e.at, {_owner_at(':end')} AS owner,
            (SELECT r.detail FROM card_events r WHERE r.card_id = e.card_id AND +r.kind = 'lost-requested'
             AND r.id < e.id ORDER BY r.id DESC LIMIT 1) AS request
        FROM card_events e JOIN cards ON cards.id = e.card_id
        WHERE e.kind = 'lost-approved' AND e.at >= :start AND e.at < :end AND {scope_sql}
        ORDER BY e.at, e.id
        """,
        {**params, "start": ts(start), "end": ts(end)},
    ).fetchall()
    return [Loss(r["id"], store.dt(r["at"]), r["owner"], *_reason(r["request"])) for r in rows]


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


def wakes(store: Store, scope: Scope, start: datetime, end: datetime) -> list[Wake]:
    """休眠唤醒 in the period, each with the card's contacts after it (one query for all of them); a
    wake by a follow-up withdrawn before the end was no wake."""
    scope_sql, params = _scope(scope)
    bounds = {**params, "start": ts(start), "end": ts(end)}
    rows = store.conn.execute(
        f"""
        SELECT cards.id, e.at, e.detail, {_owner_at(':end')} AS owner
        FROM card_events e JOIN cards ON cards.id = e.card_id
        WHERE e.kind = 'woken' AND e.at >= :start AND e.at < :end AND {scope_sql} AND NOT EXISTS (
            SELECT 1 FROM followups f WHERE f.card_id = e.card_id AND f.seq = CAST(json_extract(e.detail, '$.followup_seq') AS INTEGER)
            AND {withdrawn('f.id', '< :end')})
        ORDER BY e.at, e.id
        """,
        bounds,
    ).fetchall()
    contacts: dict[int, list[Contact]] = {}
    if rows:
        contact_rows = store.conn.execute(
            f"""
            SELECT f.card_id, f.seq, f.at, f.channel, f.outcome FROM followups f
            WHERE f.card_id IN (SELECT e.card_id FROM card_events e JOIN cards ON cards.id = e.card_id
                                WHERE e.kind = 'woken' AND e.at >= :start AND e.at < :end AND {scope_sql})
            AND f.at >= :start AND f.at < :end AND {_EFFECTIVE}
            ORDER BY f.card_id, f.at, f.seq
            """,
            bounds,
        ).fetchall()
        for r in contact_rows:
            contacts.setdefault(r["card_id"], []).append(
                Contact(r["seq"], store.dt(r["at"]), r["channel"], r["outcome"] == "reached"))
    result = []
    for r in rows:
        detail = json.loads(r["detail"]) if r["detail"] else {}
        result.append(Wake(r["id"], store.dt(r["at"]), r["owner"], detail.get("followup_seq"),
                           contacts.get(r["id"], [])))
    return result


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
