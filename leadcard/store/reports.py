"""SQL of the weekly and monthly reports: dated records of a period, read as they stood at its end.

Every query takes the period's bounds and never reads a record dated at or after its end, so a past
period's report is the same whenever it is run. Counts are aggregated in SQL; the few record-level
reads (wins, losses, wake-ups, gradings) are one query each, never one per card.
"""

import math
from datetime import datetime, timedelta
from typing import NamedTuple

from leadcard.model import WRITTEN_CHANNELS, EventKind
from leadcard.store import Scope, Store, ts
from leadcard.store.windows import Periods, periods_table as _periods
from leadcard.store.counting import counts_by, counts_listed, grade_counts

# Events that change a card's status; the latest one before a moment gives the status then.
STATUS_EVENTS = (
    EventKind.WON, EventKind.ORDER_CANCELLED, EventKind.DELIVERED, EventKind.LOST_REQUESTED,
    EventKind.LOST_APPROVED, EventKind.LOST_REJECTED, EventKind.INVALID, EventKind.REOPENED,
)
_STATUS_KINDS = ",".join(f"'{k.value}'" for k in STATUS_EVENTS)
# The events that close a card.
_CLOSING_KINDS = ",".join(f"'{k.value}'" for k in (EventKind.WON, EventKind.LOST_REQUESTED, EventKind.INVALID))

# A follow-up counts unless an entry dated before the period's end corrects it (corrections are
# dated like the entry they correct) or it was withdrawn before the end: a withdrawal made since
# leaves a past period's figures as they were.
def _effective(moment: str) -> str:
    """`f` counts at `moment`: a parameter (the same end for every follow-up read), or a column (each
    period's end), which is never after the periods' last end, `:last`."""
    if moment.startswith(":"):
        return counts_listed("f", f"< {moment}")
    return counts_by("f", moment, ":last")


# … at the end named by the parameter :end, the same for every follow-up read: listed once.
_EFFECTIVE = _effective(":end")
_GRADE_COUNTS = grade_counts("g", "< :end")
def _cards_for(scope_sql: str, card_id: str) -> str:
    """The join to the cards a visibility clause reads; none when everything is visible (a query
    over many records then reads no card)."""
    return "" if scope_sql == "1" else f"JOIN cards ON cards.id = {card_id}"


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


def _status_event_at(moment: str, card_id: str = "cards.id") -> str:
    return f"""(SELECT s.kind FROM card_events s WHERE s.card_id = {card_id} AND +s.kind IN ({_STATUS_KINDS})
        AND s.at < {moment} ORDER BY s.at DESC, s.id DESC LIMIT 1)"""


def _scope(scope: Scope, moment: str = ":end") -> tuple[str, dict]:
    """The visibility clause, with named parameters (the report queries name theirs): by the card's
    owner at the moment, so that a card moved to another team since stays in the reports of the
    team that held it then. Only a reassigned card pays for looking its owner up in the events."""
    if scope.owner_ids is None:
        return "1", {}
    if not scope.owner_ids:
        return "0", {}
    names = _owner_names(scope)
    owners = ",".join(":" + n for n in names)
    return f"""(CASE WHEN cards.id IN (SELECT card_id FROM card_events WHERE kind = 'assigned')
        THEN {_owner_at(moment)} IN (SELECT users.name FROM users WHERE users.id IN ({owners}))
        ELSE cards.owner_id IN ({owners}) END)""", names


def _owner_names(scope: Scope) -> dict[str, int]:
    return {f"owner{i}": owner_id for i, owner_id in enumerate(sorted(scope.owner_ids or ()))}


class CardStates(NamedTuple):
    """How many cards in hand during a period share one combination of states at its start and end."""

    owner: str | None  # at the end
    grade: str | None  # at the end, of a card open then (None for the others)
    status_event_at_start: str | None  # the latest status event before the start (None: never closed)
    status_event_at_end: str | None
    dormant_at_end: bool  # no reached contact in the policy's dormant period before the end
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
_REASSIGNED = "SELECT card_id FROM card_events WHERE kind = 'assigned'"


def _dormant(card: str) -> str:
    """True when the card's latest standing reached contact before the end (or its making, with
    none) is before :dormant_before. A card made since then had no contact before it (a contact is
    never dated before its card): only whether it was reached since is read."""
    reached = f"FROM followups f WHERE f.card_id = {card}.id AND f.outcome = 'reached' AND {_EFFECTIVE}"
    return f"""CASE WHEN {card}.created_at >= :dormant_before
        THEN EXISTS (SELECT 1 {reached} AND f.at < :dormant_before)
            AND NOT EXISTS (SELECT 1 {reached} AND f.at >= :dormant_before AND f.at < :end)
        ELSE coalesce((SELECT f.at {reached} AND f.at < :end ORDER BY f.at DESC LIMIT 1), {card}.created_at)
            < :dormant_before END"""


def card_states(store: Store, scope: Scope, start: datetime, end: datetime, dormant_before: datetime) -> list[CardStates]:
    """The cards in hand during the period — made before its end and in hand now, or whose status
    changed since its start — grouped by their states then (the funnel, the conversion cohort).

    `dormant_before`: a card whose latest reached contact (or creation) is before this is dormant
    at the end. Every other card was closed before the start and stays so (`settled`).
    """
    scope_sql, params = _scope(scope)
    rows = store.conn.execute(
        f"""
        WITH in_hand AS (
            -- In hand now (from `cards_in_hand` alone), and the others changed since the start.
            SELECT cards.id, cards.grade, cards.created_at, {_owner_at(':end')} AS owner
            FROM cards
            WHERE cards.created_at < :end AND {scope_sql} AND cards.status IN ({_IN_HAND})
            UNION ALL
            SELECT cards.id, cards.grade, cards.created_at, {_owner_at(':end')} AS owner
            FROM cards
            WHERE cards.created_at < :end AND {scope_sql} AND cards.status NOT IN ({_IN_HAND})
                AND cards.id IN ({_CHANGED_SINCE_START})
        ), stood AS MATERIALIZED (
            -- Each card's latest status event before the end, a step into its own events (most
            -- cards in hand have none); and for the cards whose status changed since the start
            -- (listed once, from the events by kind) whether one came in the period and whether
            -- one reopened the card there (NULL: none came). Materialized: read more than once below.
            SELECT in_hand.*,
                (SELECT e.kind FROM card_events e WHERE e.card_id = in_hand.id AND +e.kind IN ({_STATUS_KINDS})
                    AND e.at < :end ORDER BY e.at DESC, e.id DESC LIMIT 1) AS at_end,
                CASE WHEN in_hand.id IN ({_CHANGED_SINCE_START}) THEN (
                    SELECT max(CASE WHEN e.kind IN ('reopened', 'order-cancelled') THEN 1 ELSE 0 END)
                    FROM card_events e WHERE e.card_id = in_hand.id AND +e.kind IN ({_STATUS_KINDS})
                        AND e.at >= :start AND e.at < :end) END AS reopened_in
            FROM in_hand
        ), per_card AS MATERIALIZED (
            -- The status event before the start looked up only for a card whose status changed in
            -- the period; the grade and dormancy at the end matter to the cards open then (the
            -- funnel) only.
            SELECT owner,
                CASE WHEN {_open('at_end')} THEN coalesce((SELECT g.to_grade FROM grade_changes g
                    WHERE g.card_id = stood.id AND g.at < :end AND {_GRADE_COUNTS}
                    ORDER BY g.at DESC, g.id DESC LIMIT 1), stood.grade) END AS grade,
                CASE WHEN reopened_in IS NOT NULL THEN {_status_event_at(':start', 'stood.id')} ELSE at_end END
                    AS at_start,
                at_end,
                CASE WHEN {_open('at_end')} THEN {_dormant('stood')} ELSE 1 = 0 END AS dormant,
                coalesce(reopened_in, 0) AS reopened_in
            FROM stood
        )
        SELECT owner, grade, at_start, at_end, dormant, reopened_in, count(*) AS cards
        FROM per_card GROUP BY 1, 2, 3, 4, 5, 6
        """,
        {**params, "start": ts(start), "end": ts(end), "dormant_before": ts(dormant_before)},
    ).fetchall()
    return [CardStates(r["owner"], r["grade"], r["at_start"], r["at_end"], bool(r["dormant"]), bool(r["reopened_in"]),
                       r["cards"]) for r in rows]


class Settled(NamedTuple):
    """The cards made before a period's end that were closed (won, delivered, lost, invalid) before
    its start and not changed since: in no funnel and no cohort. Only who held them at the end
    matters (each has a line in the report) and how many of them still waited for delivery (won)."""

    owners: frozenset[str | None]
    waiting: int


def settled(store: Store, scope: Scope, start: datetime, end: datetime) -> Settled:
    """Read without a pass over the closed cards, which grow with the store: whether each user of
    the scope held one, a step into `cards_closed` apiece; the cards won and not yet delivered,
    counted; the reassigned ones, one by one from their assignments (few: a pass over the closed
    cards asking each whether it is among them costs more than all the rest)."""
    scope_sql, params = _scope(scope)
    params |= {"start": ts(start), "end": ts(end)}
    untouched = (f"cards.status IN ({_CLOSED}) AND cards.created_at < :end "
                 f"AND cards.id NOT IN ({_CHANGED_SINCE_START}) AND cards.id NOT IN ({_REASSIGNED})")
    users = "1" if scope.owner_ids is None else f"users.id IN ({','.join(':' + n for n in _owner_names(scope)) or 'NULL'})"
    held = store.conn.execute(
        f"""
        SELECT users.name FROM users
        WHERE {users} AND EXISTS (SELECT 1 FROM cards WHERE cards.owner_id = users.id AND {untouched})
        UNION ALL
        SELECT NULL WHERE {'1' if scope.owner_ids is None else '0'} = 1
            AND EXISTS (SELECT 1 FROM cards WHERE cards.owner_id IS NULL AND {untouched})
        """,
        params,
    ).fetchall()
    waiting = store.conn.execute(
        f"SELECT count(*) FROM cards WHERE {untouched} AND cards.status = 'won' AND {scope_sql}", params).fetchone()[0]
    moved = store.conn.execute(
        f"""
        SELECT {_owner_at(':end')}, cards.status
        FROM (SELECT DISTINCT card_id FROM card_events WHERE kind = 'assigned') AS reassigned
            CROSS JOIN cards ON cards.id = reassigned.card_id
        WHERE cards.status IN ({_CLOSED}) AND cards.created_at < :end
            AND cards.id NOT IN ({_CHANGED_SINCE_START}) AND {scope_sql}
        """,
        params,
    ).fetchall()
    return Settled(frozenset(r[0] for r in held) | {r[0] for r in moved},
                   waiting + sum(1 for r in moved if r[1] == "won"))


class NewCards(NamedTuple):
    """How many cards made in a period share an owner (at its end), a source and their timeliness."""

    owner: str | None
    source: str
    # The first contact or attempt before the end came within the first call's limit; None when the
    # end came first, with no contact yet: not to be judged in the period (as the audit leaves a card
    # whose deadline has not passed).
    timely: bool | None
    cards: int
    period: int = 0  # which of the periods asked for


def new_cards(store: Store, scope: Scope, periods: Periods, first_call: timedelta) -> list[NewCards]:
    """The cards made in each period, counted; timely when the first contact or attempt standing at the
    period's end came before it and at most `first_call` after the customer left (离店), or after the
    card was made when that is not known; neither when none came and the limit reaches the end."""
    scope_sql, params = _scope(scope, "p.p_end")
    table, bounds = _periods(periods)
    rows = store.conn.execute(
        f"""
        WITH {table}, states AS MATERIALIZED (
            -- Materialized: each card's first contact is looked up once, not once per use of it.
            SELECT p.n, p.p_end, cards.source, coalesce(cards.left_at, cards.created_at) AS clock_start,
                {_owner_at('p.p_end')} AS owner,
                (SELECT f.at FROM followups f WHERE f.card_id = cards.id AND f.at < p.p_end
                 AND {_effective('p.p_end')} ORDER BY f.at LIMIT 1) AS first_at
            FROM p JOIN cards ON cards.created_at >= p.p_start AND cards.created_at < p.p_end
            WHERE cards.created_at >= :first AND cards.created_at < :last AND {scope_sql}
        )
        SELECT n, owner, source,
            CASE WHEN first_at IS NOT NULL THEN {_seconds('first_at')} - {_seconds('clock_start')} <= :first_call
                WHEN {_seconds('p_end')} - {_seconds('clock_start')} > :first_call THEN FALSE END AS timely,
            count(*) AS cards
        FROM states
        GROUP BY 1, 2, 3, 4
        """,
        # Times are whole seconds: within the limit is within its whole seconds.
        {**params, **bounds, "first_call": math.floor(first_call.total_seconds())},
    ).fetchall()
    return [NewCards(r["owner"], r["source"], None if r["timely"] is None else bool(r["timely"]), r["cards"], r["n"])
            for r in rows]


def _seconds(moment: str) -> str:
    """A stored time as a count of whole seconds, for the difference of two (counted from the Julian
    epoch, not 1970). julianday (PostgreSQL's as the dialect defines it) reads the time as a number at
    half the cost of strftime('%s'), which writes text to be read again; a stored time has whole
    seconds, and the rounding makes the count exact (a double's error at this size is ~0.00003 s)."""
    return f"round(julianday({moment}) * 86400)"


class FollowUpCount(NamedTuple):
    author: str | None
    channel: str
    complete: bool  # all the discipline asks of it written (_COMPLETE)
    followups: int
    period: int = 0  # which of the periods asked for
    selling: bool = True  # a sales contact: not an order's or an owner's (_SELLING)


def followup_counts(store: Store, scope: Scope, periods: Periods) -> list[FollowUpCount]:
    """Effective follow-ups dated in each period, counted by author, channel, completeness and
    whether they were sales contacts, from the index on their time alone: a range of it for each
    period (cheaper than putting each follow-up in its period by comparing it with their ends). Most
    are complete as kept with each follow-up (migration 20); only the others are looked at again."""
    scope_sql, params = _scope(scope)
    names = user_names(store)
    found = []
    for n, (start, end) in enumerate(periods):
        rows = store.conn.execute(
            f"""SELECT f.author_id, f.channel, {_COMPLETE}, {_SELLING}, count(*) FROM followups f
            {_cards_for(scope_sql, 'f.card_id')}
            WHERE f.at >= :start AND f.at < :end AND {_EFFECTIVE} AND {scope_sql} GROUP BY 1, 2, 3, 4""",
            {**params, "start": ts(start), "end": ts(end)})
        found += [FollowUpCount(names.get(author), channel, bool(complete), count, n, bool(selling))
                  for author, channel, complete, selling, count in rows]
    return found


# A follow-up written after the card's order (an order's progress, an owner's care) is no sales
# contact: `log` asks it no next date (a status unknown, no status event yet, is a card being sold).
_SELLING = f"""NOT coalesce({_status_event_at('f.at', 'f.card_id')} IN ('won', 'delivered'), FALSE)"""
# Complete (记录完整): all the discipline asks of the follow-up written — content, plan and next date
# (the column `complete`); of two it asks the content only, as the audit's no-next-date reads them:
# the thank-you message before the first call (the policy schedules the call) and the contact that
# ended the card, won, lost or invalid at the period's end (nothing is left to plan).
# A call logged before the message at the same minute came before it, as the audit orders them (by
# number; a card's follow-ups are numbered as they are written, as their ids are, which the index holds).
_THANKS = f"""f.channel IN ({", ".join(f"'{c.value}'" for c in sorted(WRITTEN_CHANNELS))}) AND NOT EXISTS (
    SELECT 1 FROM followups g WHERE g.card_id = f.card_id AND g.channel = 'phone'
    AND (g.at < f.at OR g.at = f.at AND g.id < f.id) AND {counts_listed('g', '< :end')})"""
_CLOSING = f"""NOT {_open(_status_event_at(':end', 'f.card_id'))} AND NOT EXISTS (
    SELECT 1 FROM followups g WHERE g.card_id = f.card_id AND g.at > f.at AND g.at <= (
        SELECT max(c.at) FROM card_events c WHERE c.card_id = f.card_id AND +c.kind IN ({_CLOSING_KINDS})
        AND c.at < :end)
    AND {counts_listed('g', '< :end')})"""
# The exceptions are looked for among the sales contacts not complete by the column only, and read
# from indexes alone (the content, which `log` always asks, would be read from the table).
_COMPLETE = f"""CASE WHEN f.complete = 1 THEN TRUE WHEN NOT ({_SELLING}) THEN FALSE
    ELSE ({_THANKS}) OR ({_CLOSING}) END"""


def user_names(store: Store) -> dict[int, str]:
    """Each user's name by id: records counted by the id of who wrote them are named once counted."""
    return dict(store.conn.execute("SELECT id, name FROM users").fetchall())


class Gradings(NamedTuple):
    """One grader's gradings to one grade: each card's first within the grade's window."""

    grader: str | None  # who judged them; the card's owner then when nobody is recorded
    grade: str
    graded: int
    won: int  # … whose card was won within the grade's horizon, a day or more inside it
    # (graded at, the card's first win after, how many) of those won within a day of the horizon's
    # end either way: their horizon is a span of days in the store's time zone, which may move its
    # clocks between (the caller decides them)
    near: list[tuple[datetime, datetime, int]]


def gradings(store: Store, scope: Scope, windows: dict[str, tuple[datetime, datetime, int]],
             until: datetime) -> list[Gradings]:
    """Gradings to each grade made within its window [since, before) — a card's first to that grade
    there: one regraded to it again is judged once — and whether the card's first win after each,
    before `until`, came within the grade's horizon (in days)."""
    if not windows:
        return []
    scope_sql, params = _scope(scope, "g.at")
    earlier_in_scope = _scope(scope, "o.at")[0]
    bounds: dict = {"until": ts(until)}
    for i, (grade, (since, before, days)) in enumerate(windows.items()):
        bounds.update({f"grade{i}": grade, f"since{i}": ts(since), f"before{i}": ts(before), f"days{i}": days})
    asked = ", ".join(f"(:grade{i}, :since{i}, :before{i}, :days{i})" for i in range(len(windows)))
    owner_then = f"(SELECT {_owner_at('g.at')} FROM cards WHERE cards.id = g.card_id)"
    # Seconds from the grading to the win, against the horizon's: a day's margin either way is
    # more than any change of a time zone's clocks.
    taken = f"{_seconds('won_at')} - {_seconds('at')} - days * 86400"
    # Each window a range of the index on (grade, time): never a multi-index OR, which reads the table.
    # A card's first grading in the window is the one with no earlier one there, a step into the
    # card's own gradings (cheaper than numbering them all in order). Both steps materialized: each
    # value is then worked out once, not again wherever it is named.
    rows = store.conn.execute(
        f"""
        WITH asked (grade, since, before, days) AS (VALUES {asked}), graded AS MATERIALIZED (
            SELECT g.to_grade, g.at, coalesce(u.name, {owner_then}) AS grader, asked.days,
                (SELECT min(e.at) FROM card_events e WHERE e.card_id = g.card_id AND +e.kind = 'won'
                 AND e.at >= g.at AND e.at < :until) AS won_at
            FROM asked JOIN grade_changes g ON g.to_grade = asked.grade AND g.at >= asked.since AND g.at < asked.before
            {_cards_for(scope_sql, 'g.card_id')} LEFT JOIN users u ON u.id = g.by_id
            WHERE {scope_sql} AND {grade_counts('g', '< :until')}
                AND NOT EXISTS (SELECT 1 FROM grade_changes o WHERE o.card_id = g.card_id AND o.at >= asked.since
                    AND o.at <= g.at AND (o.at < g.at OR o.id < g.id) AND +o.to_grade = g.to_grade
                    AND {earlier_in_scope} AND {grade_counts('o', '< :until')})
        ), judged AS MATERIALIZED (
            SELECT grader, to_grade, at, won_at,
                CASE WHEN won_at IS NULL OR {taken} > 86400 THEN 0 WHEN {taken} <= -86400 THEN 1 END AS won
            FROM graded
        )
        SELECT grader, to_grade, won, CASE WHEN won IS NULL THEN at END, CASE WHEN won IS NULL THEN won_at END,
            count(*) AS n
        FROM judged
        GROUP BY 1, 2, 3, 4, 5
        """,
        {**params, **bounds},
    ).fetchall()
    found: dict[tuple[str | None, str], Gradings] = {}
    for grader, grade, won, at, won_at, n in rows:
        entry = found.get((grader, grade)) or Gradings(grader, grade, 0, 0, [])
        found[(grader, grade)] = Gradings(grader, grade, entry.graded + n, entry.won + (n if won else 0), entry.near)
        if won is None:
            entry.near.append((store.dt(at), datetime.fromisoformat(won_at), n))
    return list(found.values())
