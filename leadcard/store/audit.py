"""The audit's reads: every visible card with its follow-ups, grade changes, latest instruction and
events, as they stood at a moment, in one ordered pass.

The cards are read by one streaming query that tests which the audit needs; their follow-ups,
grade changes, events and quotes are then read a batch of cards at a time by their ids, so the
audit reads each card's data once and its cost grows with the cards it audits, not with the store.
Records are plain named tuples with UTC datetimes: a 100,000-card store has half a million
follow-ups, and building the full `FollowUp` dataclass (and converting every time to local) for
each would dominate the run.
"""

import json
from datetime import datetime
from typing import Iterator, NamedTuple

from leadcard.model import ACTIVE_STATUSES, EventKind, Role, card_ref
from leadcard.store import Scope, Store, ts
from leadcard.model.deals import Quote
from leadcard.store.counting import corrected, grade_counts, withdrawn
from leadcard.store.deals import latest_quotes_as_of, latest_quotes_query

_parse = datetime.fromisoformat
# The events whose detail the audit reads: who owned the card before a reassignment, an order's
# delivery day, a legacy delivery, a loss request's reason, the fields an edit changed. Most events
# are others, left unparsed.
_DETAILED = ", ".join(f"'{kind.value}'" for kind in (EventKind.ASSIGNED, EventKind.WON, EventKind.DELIVERED,
                                                     EventKind.LOST_REQUESTED, EventKind.EDITED))
_ACTIVE = ", ".join(f"'{s.value}'" for s in ACTIVE_STATUSES)  # stored text is UTC "…Z", which Python 3.11 reads as aware UTC


class Entry(NamedTuple):
    """One follow-up as the audit reads it."""

    id: int
    seq: int
    at: datetime
    recorded_at: datetime
    channel: str
    reached: bool
    content: str
    problem: str | None
    bottleneck: str | None
    plan: str | None
    next_at: datetime | None
    purpose: str | None
    corrects: int | None  # id of the entry this one corrects
    objections: tuple[str, ...] = ()  # tags the customer raised (客户异议)
    counts: bool = True  # not corrected by the audit's moment (store/counting.py)


class Event(NamedTuple):
    at: datetime
    kind: str
    detail: dict  # of the kinds whose detail the audit reads (_DETAILED); of the others, empty
    by: str | None = None  # who did it (the consultant who requested a loss …)


class History(NamedTuple):
    """A card and everything recorded about it by the audit's moment (events: all of them, since a
    reassignment after the moment tells who owned the card at it)."""

    id: int
    ref: str
    name: str
    phone: str
    grade: str  # today's grade, for cards with no grade history
    status: str  # today's status, for cards with no status events
    status_at: datetime | None
    outcome: dict | None  # today's outcome JSON, for cards closed without status events
    owner: str | None
    created_at: datetime
    fields: dict[str, object]
    entries: list[Entry]
    grades: list[tuple[datetime, str]]  # (at, to_grade), in order
    last_signed: datetime | None  # when the latest supervisor instruction (主管批示) by the moment was written
    events: list[Event]
    left_at: datetime | None = None  # 离店: the first-contact clocks start here when known
    source: str = "walk-in"
    quote: Quote | None = None  # the latest quote by the moment (read when asked for)
    first_quoted: datetime | None = None  # when its first quote was given, by the moment (read when asked for)
    shared: bool = False  # its phone is on another card recorded by the moment (read when asked for)


def histories(store: Store, scope: Scope, as_of: datetime, open_since: datetime,
              fields: tuple[str, ...], delivered_since: datetime | None = None,
              quotes: bool = False, revived: bool = False, phones: bool = False, first_quotes: bool = False,
              share: tuple[int, int] = (0, 1)) -> Iterator[History]:
    """Visible cards recorded by `as_of` that were still open at some moment from `open_since` on,
    or whose order still waits for its car, or that were delivered from `delivered_since` on, in
    card order, each with its own records. Follow-ups withdrawn by `as_of` (and the grades judged
    at them) are left out; those corrected by then are kept, marked as not counting, since some rules
    judge what was first recorded.

    A card closed before `open_since` and untouched since has its last status change (status_at)
    before it, so old closed cards are skipped without reading their records; but with `revived`, a
    lost card whose phone came back from `open_since` on (a card made, a visit, an order: perhaps a
    false loss to explain) is read too.

    The cards' condition is tested once, by the cards' own query; each batch of the cards it yields
    has its records read by their ids, through each table's card index, and with `phones`, its phones
    looked up on the phone index for the ones another card holds too.

    `share` (k, n): only the cards whose number divided by n leaves k, for n readers sharing the work.
    """
    cards = store.values(*_cards_query(scope, as_of, open_since, fields, delivered_since, revived, share), long=True)
    names = fields
    while batch := cards.fetchmany(_BATCH):
        ids = [row[0] for row in batch]
        entries, grades, events = (_by_card(store.values(*_records_query(name, as_of, ids)))
                                   for name in ("entries", "grades", "events"))
        latest = latest_quotes_as_of(store, as_of, ids) if quotes else {}
        first = {r[0]: _parse(r[1]) for r in store.values(*_records_query("first_quotes", as_of, ids))} \
            if first_quotes else {}
        shared = _shared(store, as_of, {row[2] for row in batch}) if phones else frozenset()
        for row in batch:
            card_id = row[0]
            yield History(
                id=card_id,
                ref=card_ref(card_id),
                name=row[1],
                phone=row[2],
                grade=row[3],
                status=row[4],
                status_at=_parse(row[5]) if row[5] else None,
                outcome=json.loads(row[6]) if row[6] and row[4] != "open" else None,
                owner=row[7],
                created_at=_parse(row[8]),
                fields=dict(zip(names, row[12:])),
                entries=[
                    Entry(r[1], r[2], _parse(r[3]), _parse(r[4]), r[5], r[6] == "reached", r[7], r[8], r[9], r[10],
                          _parse(r[11]) if r[11] else None, r[12], r[13], tuple(r[14].split(",")) if r[14] else (),
                          bool(r[15]))
                    for r in entries.get(card_id, ())
                ],
                grades=[(_parse(r[1]), r[2]) for r in grades.get(card_id, ())],
                last_signed=_parse(row[11]) if row[11] else None,
                events=[Event(_parse(r[1]), r[2], json.loads(r[3]) if r[3] else {}, r[4])
                        for r in events.get(card_id, ())],
                left_at=_parse(row[9]) if row[9] else None,
                source=row[10],
                quote=latest.get(card_id),
                first_quoted=first.get(card_id),
                shared=row[2] in shared,
            )


# Cards whose records one query reads. A batch's records are held until its cards are audited:
# 500 cards' took 57 MB of an audit of 100,000, 200 cards' 44 MB, 100 cards' 42 MB, for the same steps.
_BATCH = 200


def _by_card(rows) -> dict[int, list]:
    """Rows whose first column is a card id, listed by card in the order they come."""
    found: dict[int, list] = {}
    for row in rows:
        found.setdefault(row[0], []).append(row)
    return found


def _cards_query(scope: Scope, as_of: datetime, open_since: datetime, fields: tuple[str, ...],
                 delivered_since: datetime | None, revived: bool = False,
                 share: tuple[int, int] = (0, 1)) -> tuple[str, list]:
    """The cards `histories` reads, with their latest signature by the moment."""
    moment = ts(as_of)
    scope_sql, scope_params = scope.clause()
    lost, revived_params = "", []
    if revived:
        lost = ("OR (cards.status = 'lost' AND cards.phone IN ("
                "SELECT phone FROM cards WHERE created_at >= ? AND recorded_at <= ? "
                "UNION ALL SELECT phone FROM visits WHERE arrived_at >= ? AND recorded_at <= ? "
                "UNION ALL SELECT c.phone FROM card_events o JOIN cards c ON c.id = o.card_id "
                "WHERE o.kind = 'won' AND o.at >= ? AND o.at <= ?))")
        revived_params = [ts(open_since), moment] * 3
    where = (f"cards.recorded_at <= ? AND {scope_sql} AND (cards.status IN ({_ACTIVE}, 'won') "
             f"OR cards.status_at IS NULL OR cards.status_at >= ? "
             f"OR (cards.status = 'delivered' AND cards.status_at >= ?) {lost})")
    params = [moment, *scope_params, ts(open_since), ts(delivered_since or open_since), *revived_params]
    if share[1] > 1:  # tested first: the other shares' cards are passed over before anything else is asked
        where = "cards.id % ? = ? AND " + where
        params = [share[1], share[0], *params]
    extra = "".join(f", cards.{name}" for name in fields)
    return (f"SELECT cards.id, cards.name, cards.phone, cards.grade, cards.status, cards.status_at, "
            f"cards.outcome, users.name, cards.created_at, cards.left_at, cards.source, "
            f"(SELECT max(i.at) FROM instructions i WHERE i.card_id = cards.id AND i.at <= ?){extra} "
            f"FROM cards LEFT JOIN users ON users.id = cards.owner_id WHERE {where} ORDER BY cards.id",
            [moment, *params])


def _records_query(name: str, as_of: datetime, ids: list[int]) -> tuple[str, list]:
    """The records of some cards as they stood at `as_of`, by card (in the order of each card's
    index): "entries", "grades", "events", "quotes" (each card's latest by then) or "first_quotes"
    (when each was first quoted, of those quoted by then)."""
    moment = ts(as_of)
    cards = f"IN ({','.join('?' * len(ids))})"
    if name == "entries":
        return (
            "SELECT f.card_id, f.id, f.seq, f.at, f.recorded_at, f.channel, f.outcome, f.content, f.problem, "
            "f.bottleneck, f.plan, f.next_at, f.purpose, f.corrects, "
            "(SELECT group_concat(o.tag) FROM followup_objections o WHERE o.followup_id = f.id), "
            # Whether it counts: the withdrawn are left out below, so only a correction can stop it.
            f"NOT {corrected('f', '<= ?', recorded=True)} "
            f"FROM followups f WHERE f.card_id {cards} AND f.recorded_at <= ? "
            f"AND NOT {withdrawn('f.id', '<= ?')} ORDER BY f.card_id, f.seq",
            [moment, *ids, moment, moment])
    if name == "grades":
        return (
            "SELECT g.card_id, g.at, g.to_grade FROM grade_changes g LEFT JOIN followups f ON f.id = g.followup_id "
            f"WHERE g.card_id {cards} AND g.at <= ? AND (f.id IS NULL OR f.recorded_at <= ?) "
            f"AND {grade_counts('g', '<= ?')} ORDER BY g.card_id, g.at, g.id",
            [*ids, moment, moment, moment])
    if name == "events":
        return (f"SELECT e.card_id, e.at, e.kind, CASE WHEN e.kind IN ({_DETAILED}) THEN e.detail END, u.name "
                "FROM card_events e LEFT JOIN users u ON u.id = e.by_id "
                f"WHERE e.card_id {cards} ORDER BY e.card_id, e.at, e.id", ids)
    if name == "first_quotes":
        return (f"SELECT q.card_id, min(q.at) FROM quotes q WHERE q.card_id {cards} AND q.at <= ? "
                "GROUP BY q.card_id ORDER BY q.card_id", [*ids, moment])
    return latest_quotes_query(as_of, ids)


def plans(store: Store, scope: Scope, as_of: datetime, open_since: datetime, fields: tuple[str, ...],
          delivered_since: datetime, share: tuple[int, int] = (0, 1)) -> dict[str, str]:
    """The query plans of the audit's reads (of one `share` of the cards), for the tests that guard
    their indexes."""
    from leadcard.store.visits import visits_as_of_query

    ids = list(range(1, _BATCH + 1))
    queries = {"cards": _cards_query(scope, as_of, open_since, fields, delivered_since, True, share),
               **{name: _records_query(name, as_of, ids)
                  for name in ("entries", "grades", "events", "quotes", "first_quotes")},
               "comebacks": _comebacks_query(as_of, open_since, scope, share),
               "shared": _shared_query(as_of, ["13800138000"]),
               "shared_phones": _shared_phones_query(as_of, ["13800138000"]),
               "clock_overrides": _clock_overrides_query(as_of), "visits": visits_as_of_query(scope, open_since, as_of, 30)}
    return {name: store._plan(sql, params) for name, (sql, params) in queries.items()}


class PhoneHolder(NamedTuple):
    card_id: int
    ref: str
    phone: str
    owner: str | None
    created_at: datetime
    active_then: bool  # open or waiting on its loss at the audit's moment, for cards outside its scope
    owner_id: int | None = None


# Whether a card is active (open, or waiting on its loss) after each event that sets its status.
_ACTIVE_AFTER = {EventKind.WON: False, EventKind.DELIVERED: False, EventKind.ORDER_CANCELLED: True,
                 EventKind.LOST_REQUESTED: True, EventKind.LOST_APPROVED: False, EventKind.LOST_REJECTED: True,
                 EventKind.INVALID: False, EventKind.REOPENED: True}
_STATUS_KINDS = ", ".join(f"'{kind.value}'" for kind in _ACTIVE_AFTER)


def shared_phones(store: Store, as_of: datetime, phones: list[str]) -> dict[str, list[PhoneHolder]]:
    """Every card recorded by `as_of` that holds one of `phones` (those `histories` found shared),
    across the whole store (an ownership conflict matters most when the other card is someone
    else's), by phone in the order given, each active or not as it stood at `as_of`: by its latest
    status event by then; with none, by its status if that was set by then (a card closed by an
    import), else open, as every card begins."""
    active = {s.value for s in ACTIVE_STATUSES}
    shared: dict[str, list[PhoneHolder]] = {}
    for start in range(0, len(phones), _BATCH):
        for r in store.conn.execute(*_shared_phones_query(as_of, phones[start:start + _BATCH])):
            if r[7] is not None:
                active_then = _ACTIVE_AFTER[EventKind(r[7])]
            else:
                active_then = r[4] in active or (r[6] is not None and _parse(r[6]) > as_of)
            holder = PhoneHolder(r[0], card_ref(r[0]), r[1], r[2], _parse(r[3]), active_then, r[5])
            shared.setdefault(r[1], []).append(holder)
    return shared


def _shared(store: Store, as_of: datetime, phones: set[str]) -> frozenset[str]:
    """Which of the phones more than one card recorded by `as_of` holds."""
    return frozenset(r[0] for r in store.conn.execute(*_shared_query(as_of, sorted(phones))))


def _shared_query(as_of: datetime, phones: list[str]) -> tuple[str, list]:
    return (f"SELECT phone FROM cards WHERE phone IN ({','.join('?' * len(phones))}) AND recorded_at <= ? "
            "GROUP BY phone HAVING count(*) > 1", [*phones, ts(as_of)])


def _shared_phones_query(as_of: datetime, phones: list[str]) -> tuple[str, list]:
    moment = ts(as_of)
    return (
        "SELECT cards.id, cards.phone, users.name, cards.created_at, cards.status, cards.owner_id, cards.status_at, "
        "(SELECT e.kind FROM card_events e WHERE e.card_id = cards.id AND e.at <= ? "
        f"AND e.kind IN ({_STATUS_KINDS}) ORDER BY e.at DESC, e.id DESC LIMIT 1) "
        "FROM cards LEFT JOIN users ON users.id = cards.owner_id "
        f"WHERE cards.phone IN ({','.join('?' * len(phones))}) AND cards.recorded_at <= ? "
        "ORDER BY cards.phone, cards.id",
        [moment, *phones, moment],
    )


def visible_cards(store: Store, scope: Scope) -> int:
    """How many cards the scope holds: the size of an audit's work before it is read."""
    scope_sql, params = scope.clause()
    return store.conn.execute(f"SELECT count(*) FROM cards WHERE {scope_sql}", params).fetchone()[0]


def has_reviewers(store: Store) -> bool:
    """Whether anyone can sign follow-ups: a supervisor or a manager."""
    row = store.conn.execute(
        "SELECT 1 FROM users WHERE role IN (?, ?) AND active = 1 LIMIT 1", (Role.SUPERVISOR.value, Role.MANAGER.value)
    ).fetchone()
    return row is not None


class Person(NamedTuple):
    id: int
    name: str
    role: str
    team: str | None
    active: bool


def people(store: Store) -> list[Person]:
    """Every user, in the order they were added: who leads which team, for the audit's blame."""
    rows = store.conn.execute("SELECT id, name, role, team, active FROM users ORDER BY id").fetchall()
    return [Person(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows]


class Comeback(NamedTuple):
    """A customer seen again: a card made, a showroom visit, or an order (成交), on a phone."""

    phone: str
    at: datetime
    kind: str  # "card", "visit", "order"
    card_id: int | None  # the card made or ordered on; None for a visit
    by: str | None  # its owner, or the consultant who received the visit
    by_id: int | None = None


def comebacks(store: Store, scope: Scope, as_of: datetime, approved_since: datetime,
              share: tuple[int, int] = (0, 1)) -> dict[str, list[Comeback]]:
    """Cards made, visits and orders by `as_of`, across the whole store, of the phones of the cards
    in `scope` that had a loss approved from `approved_since` to then (战败后客户又出现): one query,
    in time order per phone. Older losses are left out: a comeback counts only so long after its loss,
    and the audit reports none from before its window. `share`: only the lost cards of that share of
    the audit (`histories`), which asks only of its own cards' phones."""
    rows = store.conn.execute(*_comebacks_query(as_of, approved_since, scope, share)).fetchall()
    found: dict[str, list[Comeback]] = {}
    for r in rows:
        found.setdefault(r[0], []).append(Comeback(r[0], _parse(r[1]), r[2], r[3], r[4], r[5]))
    return found


def _comebacks_query(as_of: datetime, approved_since: datetime, scope: Scope,
                     share: tuple[int, int] = (0, 1)) -> tuple[str, list]:
    scope_sql, scope_params = scope.clause()
    if share[1] > 1:
        scope_sql, scope_params = f"cards.id % ? = ? AND {scope_sql}", [share[1], share[0], *scope_params]
    moment = ts(as_of)
    # An order is looked for among the events of the cards on a lost phone (CROSS JOIN: SQLite keeps
    # that order; by the card's index), not among every order the store has taken.
    return (
        f"""
        WITH lost(phone) AS (
            SELECT DISTINCT cards.phone FROM card_events e JOIN cards ON cards.id = e.card_id
            WHERE e.kind = 'lost-approved' AND e.at >= ? AND e.at <= ? AND {scope_sql})
        SELECT cards.phone, cards.created_at, 'card', cards.id, users.name, cards.owner_id
            FROM cards LEFT JOIN users ON users.id = cards.owner_id
            WHERE cards.phone IN lost AND cards.recorded_at <= ?
        UNION ALL
        SELECT visits.phone, visits.arrived_at, 'visit', NULL, users.name, visits.consultant_id
            FROM visits LEFT JOIN users ON users.id = visits.consultant_id
            WHERE visits.phone IN lost AND visits.recorded_at <= ?
        UNION ALL
        SELECT cards.phone, e.at, 'order', cards.id, users.name, cards.owner_id
            FROM cards CROSS JOIN card_events e INDEXED BY card_events_card LEFT JOIN users ON users.id = cards.owner_id
            WHERE cards.phone IN lost AND e.card_id = cards.id AND e.kind = 'won' AND e.at <= ?
        ORDER BY 1, 2, 3
        """,
        [ts(approved_since), moment, *scope_params, moment, moment, moment],
    )


class Override(NamedTuple):
    """A record written while LEADCARD_NOW replaced the clock (a store bound to logins)."""

    card_id: int
    written_at: datetime  # the real time it was written
    dated: datetime  # the time it carries
    what: str  # "followup", "grade", "instruction", or an event's kind
    seq: int | None  # the follow-up's number
    by: str | None  # who wrote it


def clock_overrides(store: Store, as_of: datetime) -> dict[int, list[Override]]:
    """Records written under an overridden clock by `as_of` (real time), by card: follow-ups,
    instructions, events, and regrades made on their own (a regrade with a follow-up or a new card,
    and the wake-up a follow-up records, come with that record). Partial indexes hold only these rows."""
    rows = store.conn.execute(*_clock_overrides_query(as_of)).fetchall()
    found: dict[int, list[Override]] = {}
    for r in rows:
        found.setdefault(r[0], []).append(Override(r[0], _parse(r[1]), _parse(r[2]), r[3], r[4], r[5]))
    return found


def _clock_overrides_query(as_of: datetime) -> tuple[str, dict]:
    return (
        """
        SELECT f.card_id, f.clock_override, f.at, 'followup', f.seq, u.name
            FROM followups f LEFT JOIN users u ON u.id = f.author_id
            WHERE f.clock_override IS NOT NULL AND f.clock_override <= :m
        UNION ALL
        SELECT g.card_id, g.clock_override, g.at, 'grade', NULL, u.name
            FROM grade_changes g LEFT JOIN users u ON u.id = g.by_id
            WHERE g.clock_override IS NOT NULL AND g.clock_override <= :m
              AND g.followup_id IS NULL AND g.from_grade IS NOT NULL
        UNION ALL
        SELECT i.card_id, i.clock_override, i.at, 'instruction', NULL, u.name
            FROM instructions i LEFT JOIN users u ON u.id = i.author_id
            WHERE i.clock_override IS NOT NULL AND i.clock_override <= :m
        UNION ALL
        SELECT e.card_id, e.clock_override, e.at, e.kind, NULL, u.name
            FROM card_events e LEFT JOIN users u ON u.id = e.by_id
            WHERE e.clock_override IS NOT NULL AND e.clock_override <= :m AND e.kind != 'woken'
        ORDER BY 1, 2
        """,
        {"m": ts(as_of)},
    )
