"""SQL of the reports' events: orders (成交/订车) and the cards won, cancellations (退订),
deliveries (交车), loss requests and approved losses (战败), wake-ups (休眠唤醒) and referrals (转介绍)
of each period, as they stood at its end (`store.reports` says how a period is read). The counts
are made in SQL, grouped by what the figures tell apart; only the records a figure reads one by
one (deliveries with their contacts, wake-ups, referrals) come back as rows.
"""

import json
import sqlite3
from datetime import datetime
from typing import NamedTuple

from leadcard.model import EventKind
from leadcard.store import Scope, Store, ts
from leadcard.store.counting import withdrawn
from leadcard.store.reports import (_REASSIGNED, _effective, _owner_at, _owner_names, _scope,
                                    _status_event_at)
from leadcard.store.windows import Periods, periods_table as _periods


class Wins(NamedTuple):
    """How many cards won in a period share an owner (at its end), a referral and a number of contacts."""

    owner: str | None
    referred: bool  # by a referral link (转介绍人), or the referral source
    followups: int  # effective contacts that reached the customer up to the win, at most the `most` asked
    cards: int
    period: int = 0  # which of the periods asked for


# An order (a `won` event) cancelled before a moment: a cancellation after it and before the next order.
def _cancelled_by(moment: str) -> str:
    return f"""EXISTS (SELECT 1 FROM card_events x WHERE x.card_id = e.card_id AND +x.kind = 'order-cancelled'
        AND x.id > e.id AND x.at < {moment} AND NOT EXISTS (SELECT 1 FROM card_events w
            WHERE w.card_id = e.card_id AND +w.kind = 'won' AND w.id > e.id AND w.id < x.id))"""


def wins(store: Store, scope: Scope, periods: Periods, referral: str, most: int) -> list[Wins]:
    """Cards won in each period, their order still standing at its end (a card won twice in it counts
    once, at its last win): an order cancelled after the end leaves the period as it was. Counted by
    owner, whether referred (a link to the referrer's card, or the `referral` source) and contacts,
    those past `most` counted as `most`."""
    scope_sql, params = _scope(scope, "p.p_end")
    table, bounds = _periods(periods)
    rows = store.conn.execute(
        f"""
        WITH {table}, won AS MATERIALIZED (
            -- Each card won in a period, once: at its last win there.
            SELECT p.n, p.p_end, cards.id AS card_id, max(e.at) AS at, {_owner_at('p.p_end')} AS owner,
                (cards.referred_by IS NOT NULL OR cards.source = :referral) AS referred
            FROM card_events e JOIN p ON e.at >= p.p_start AND e.at < p.p_end JOIN cards ON cards.id = e.card_id
            WHERE e.kind = 'won' AND e.at >= :first AND e.at < :last AND NOT {_cancelled_by('p.p_end')} AND {scope_sql}
            GROUP BY p.n, p.p_start, p.p_end, cards.id
        )
        -- The contacts up to the win read only as far as the `most` counted (none when that is 0).
        SELECT n, owner, referred,
            (SELECT count(*) FROM (SELECT 1 FROM followups f WHERE f.card_id = won.card_id AND f.at <= won.at
                AND f.outcome = 'reached' AND {_effective('won.p_end')} LIMIT :most) AS counted),
            count(*)
        FROM won
        GROUP BY 1, 2, 3, 4
        """,
        {**params, **bounds, "referral": referral, "most": most},
    ).fetchall()
    return [Wins(owner, bool(referred), followups, cards, n) for n, owner, referred, followups, cards in rows]


class Orders(NamedTuple):
    """How many orders (成交/订车) placed in a period share an owner (at its end), a model and a fate."""

    owner: str | None
    model: str | None
    cancelled: bool  # by the period's end
    orders: int
    period: int = 0  # which of the periods asked for


def orders(store: Store, scope: Scope, periods: Periods) -> list[Orders]:
    """Every order placed in each period, and whether it was cancelled by its end, counted."""
    return [Orders(owner, model, bool(cancelled), n, period) for period, owner, model, cancelled, n in _event_counts(
        store, scope, EventKind.WON, periods, "json_extract(e.detail, '$.model')", _cancelled_by("p.p_end"))]


class Cancellations(NamedTuple):
    """How many cancellations (退订) in a period share an owner (at its end) and a reason."""

    owner: str | None
    reason: str | None
    cancellations: int
    period: int = 0  # which of the periods asked for


def cancellations(store: Store, scope: Scope, periods: Periods) -> list[Cancellations]:
    """退订 in each period, counted by their reasons."""
    return [Cancellations(owner, reason, n, period) for period, owner, reason, n in _event_counts(
        store, scope, EventKind.ORDER_CANCELLED, periods, "json_extract(e.detail, '$.reason')")]


def _event_counts(store: Store, scope: Scope, kind: EventKind, periods: Periods, *values: str) -> list[tuple]:
    """The events of a kind dated in each period, counted by (period, card's owner at its end, each
    of `values` — SQL about the event `e`, its period `p`)."""
    scope_sql, params = _scope(scope, "p.p_end")
    table, bounds = _periods(periods)
    keys = ", ".join(f"value{i}" for i in range(len(values)))
    return store.conn.execute(
        f"""
        WITH {table}, states AS MATERIALIZED (
            -- Materialized: each event's owner and values worked out once, not again for the grouping.
            SELECT p.n, {_owner_at('p.p_end')} AS owner, {', '.join(f'{v} AS value{i}' for i, v in enumerate(values))}
            FROM card_events e JOIN p ON e.at >= p.p_start AND e.at < p.p_end JOIN cards ON cards.id = e.card_id
            WHERE e.kind = :kind AND e.at >= :first AND e.at < :last AND {scope_sql}
        )
        SELECT n, owner, {keys}, count(*) FROM states
        GROUP BY n, owner, {keys}
        """,
        {**params, **bounds, "kind": kind.value},
    ).fetchall()


class Delivery(NamedTuple):
    """A delivery (交车); its times in UTC."""

    card_id: int
    at: datetime
    owner: str | None  # the card's owner now: at each period's end too, unless it was reassigned
    ordered_at: datetime | None  # the order it delivered
    legacy: bool  # won before orders were kept: delivered the day it was won
    owners: dict[int, str | None] | None = None  # a reassigned card's owner at each period's end it was seen then

    def owner_at(self, period: int) -> tuple[bool, str | None]:
        """Whether the reader saw the card at the period's end, and its owner then."""
        if self.owners is None:
            return True, self.owner
        return period in self.owners, self.owners.get(period)


def deliveries(store: Store, scope: Scope, periods: Periods, since: datetime) -> list[Delivery]:
    """交车 from `since` to the last period's end, each once, with the order it delivered (one query
    for all of them); a reassigned card's owner at each period's end (another)."""
    names = _owner_names(scope)
    visible = "1" if scope.owner_ids is None else f"cards.owner_id IN ({', '.join(':' + n for n in names) or 'NULL'})"
    bounds = {"since": ts(since), "last": ts(periods[-1][1])}
    rows = store.conn.execute(
        f"""
        SELECT e.card_id, e.at, e.detail, users.name, cards.id IN ({_REASSIGNED}) AS moved,
            (SELECT w.at FROM card_events w WHERE w.card_id = e.card_id AND +w.kind = 'won' AND w.id < e.id
             ORDER BY w.id DESC LIMIT 1) AS ordered_at
        FROM card_events e JOIN cards ON cards.id = e.card_id LEFT JOIN users ON users.id = cards.owner_id
        WHERE e.kind = 'delivered' AND e.at >= :since AND e.at < :last
            AND (cards.id IN ({_REASSIGNED}) OR {visible})
        ORDER BY e.at, e.id
        """,
        {**names, **bounds},
    ).fetchall()
    if not rows:
        return []
    moved = _owners_at_ends(store, scope, periods, sorted({r[0] for r in rows if r[4]}))
    return [Delivery(card_id, _utc(at), owner, _utc(ordered_at), bool(json.loads(detail or "{}").get("legacy")),
                     moved.get(card_id, {}) if reassigned else None)
            for card_id, at, detail, owner, reassigned, ordered_at in rows]


def visits_made(store: Store, asked: list[tuple[int, datetime, datetime, datetime]]) -> set[int]:
    """Which of the visits asked about — (card, from, before, end), by their place in `asked` — were
    made: a contact that reached the customer at or after `from` and before `before`, standing at
    `end`. The visits share few days: one query per span of time, a step into each card's contacts."""
    spans: dict[tuple[datetime, datetime, datetime], list[int]] = {}
    for k, (_card, start, before, end) in enumerate(asked):
        spans.setdefault((start, before, end), []).append(k)
    made: set[int] = set()
    for (start, before, end), places in spans.items():
        cards = sorted({asked[k][0] for k in places})
        reached: set[int] = set()
        for first in range(0, len(cards), 500):
            batch = {f"card{i}": card_id for i, card_id in enumerate(cards[first:first + 500])}
            reached.update(r[0] for r in store.conn.execute(
                f"""SELECT DISTINCT f.card_id FROM followups f WHERE f.card_id IN ({', '.join(':' + n for n in batch)})
                    AND f.at >= :start AND f.at < :before AND f.outcome = 'reached' AND {_effective(':end')}""",
                {**batch, "start": ts(start), "before": ts(before), "end": ts(end)}))
        made.update(k for k in places if asked[k][0] in reached)
    return made


def _utc(text: str | None) -> datetime | None:
    """A stored time as it is, in UTC (cheaper than the store's zone, for times only compared and
    counted in days by the caller)."""
    return None if text is None else datetime.fromisoformat(text)


def _owners_at_ends(store: Store, scope: Scope, periods: Periods, card_ids: list[int]) -> dict[int, dict[int, str | None]]:
    """Each card's owner at the end of each period, where the reader saw it then."""
    if not card_ids:
        return {}
    scope_sql, params = _scope(scope, "p.p_end")
    table, bounds = _periods(periods)
    cards = {f"card{i}": card_id for i, card_id in enumerate(card_ids)}
    found: dict[int, dict[int, str | None]] = {}
    for n, card_id, owner in store.conn.execute(
        f"""
        WITH {table}
        SELECT p.n, cards.id, {_owner_at('p.p_end')} FROM cards CROSS JOIN p
        WHERE cards.id IN ({', '.join(':' + name for name in cards)}) AND {scope_sql}
        """,
        {**params, **bounds, **cards},
    ):
        found.setdefault(card_id, {})[n] = owner
    return found


def _events(store: Store, scope: Scope, kind: EventKind, periods: Periods, where: str = "") -> list[sqlite3.Row]:
    """The events of a kind dated in each period, each with its period `n` and its card's owner at
    the period's end; `where` adds conditions about the event `e` (and its period `p`)."""
    scope_sql, params = _scope(scope, "p.p_end")
    table, bounds = _periods(periods)
    return store.conn.execute(
        f"""
        WITH {table}
        SELECT p.n, cards.id, e.at, {_owner_at('p.p_end')} AS owner
        FROM card_events e JOIN p ON e.at >= p.p_start AND e.at < p.p_end JOIN cards ON cards.id = e.card_id
        WHERE e.kind = :kind AND e.at >= :first AND e.at < :last AND {scope_sql}{where}
        ORDER BY p.n, e.at, e.id
        """,
        {**params, **bounds, "kind": kind.value},
    ).fetchall()


class Referral(NamedTuple):
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


class LossRequests(NamedTuple):
    """How many loss requests (战败申请) made in a period share an owner (at its end), a verdict by its
    end, a reason and a competitor."""

    owner: str | None
    verdict: str | None  # the first approval or rejection after it and before the end
    reason: str | None
    competitor: str | None
    requests: int
    period: int = 0  # which of the periods asked for


def loss_requests(store: Store, scope: Scope, periods: Periods) -> list[LossRequests]:
    """战败申请 made in each period, with what became of each by the period's end, counted."""
    verdict = """(SELECT d.kind FROM card_events d WHERE d.card_id = e.card_id
        AND +d.kind IN ('lost-approved', 'lost-rejected') AND d.id > e.id AND d.at < p.p_end ORDER BY d.id LIMIT 1)"""
    return [LossRequests(owner, verdict, reason, competitor, n, period)
            for period, owner, verdict, reason, competitor, n in _event_counts(
                store, scope, EventKind.LOST_REQUESTED, periods, verdict, *_reason("e.detail"))]


class Losses(NamedTuple):
    """How many losses (战败) approved in a period share an owner (at its end), and the reason and
    competitor of the request approved."""

    owner: str | None
    reason: str | None
    competitor: str | None
    losses: int
    period: int = 0  # which of the periods asked for


def approved_losses(store: Store, scope: Scope, periods: Periods) -> list[Losses]:
    """战败 approved in each period, counted by the reason and competitor of the request approved."""
    request = """(SELECT r.detail FROM card_events r WHERE r.card_id = e.card_id AND +r.kind = 'lost-requested'
        AND r.id < e.id ORDER BY r.id DESC LIMIT 1)"""
    return [Losses(owner, reason, competitor, n, period) for period, owner, reason, competitor, n in _event_counts(
        store, scope, EventKind.LOST_APPROVED, periods, *_reason(request))]


def _reason(detail: str) -> tuple[str, str]:
    """A loss request's reason and competitor, from its detail (None where empty)."""
    return (f"nullif(json_extract({detail}, '$.reason'), '')", f"nullif(json_extract({detail}, '$.competitor'), '')")


class Contact(NamedTuple):
    at: datetime
    channel: str
    reached: bool
    inbound: bool = False  # 客户主动: the customer reached out or answered


class Wake(NamedTuple):
    at: datetime
    owner: str | None  # at the end
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
            SELECT p.n, f.card_id, f.at, f.channel, f.outcome, f.inbound FROM followups f
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
                Contact(store.dt(r["at"]), r["channel"], r["outcome"] == "reached", bool(r["inbound"])))
    return [Wake(store.dt(r["at"]), r["owner"], contacts.get((r["n"], r["id"]), []), r["n"]) for r in rows]


