"""SQL of the showroom log (来店(电)客户登记表)."""

from __future__ import annotations

from datetime import datetime
from typing import Iterator

from leadcard.model import Source, Visit
from leadcard.store import Scope, Store, ts
from leadcard.store.counting import counts


def registered_drive(until: str | None = None) -> str:
    """True when a test drive registered on the visit (`log --channel test-drive`) stands (by
    `until`): the log's 试驾 is read from the drives, not stored, so a drive withdrawn or corrected
    into another channel unticks it, and a past period still sees what stood at its end."""
    return ("EXISTS (SELECT 1 FROM test_drives t JOIN followups f ON f.id = t.followup_id "
            f"WHERE t.visit_id = visits.id AND {counts('f', until)})")


# `test_drive` (the tick typed with `visit add --test-drive`) or a registered drive that stands.
_VISIT_COLUMNS = f"{registered_drive()} AS drive_registered, users.name AS consultant_name, cards.owner_id AS card_owner_id"
_VISIT_SELECT = (
    f"SELECT visits.*, {_VISIT_COLUMNS} FROM visits "
    "LEFT JOIN users ON users.id = visits.consultant_id LEFT JOIN cards ON cards.id = visits.card_id"
)


def insert_visit(store: Store, values: dict) -> int:
    return store.insert_row("visits", values)


def link_card(store: Store, visit_id: int, card_id: int, return_visit: bool = False) -> None:
    """The visit is the card's: its customer left details (留档), the card's name and phone where the
    line had none (a card made from a line logged at the door, before the phone was asked)."""
    store.conn.execute("UPDATE visits SET card_id = ?, return_visit = ?, contact_left = 1, "
                       "name = COALESCE(name, (SELECT name FROM cards WHERE cards.id = ?)), "
                       "phone = COALESCE(phone, (SELECT phone FROM cards WHERE cards.id = ?)) WHERE id = ?",
                       (card_id, int(return_visit), card_id, card_id, visit_id))


def return_visit_times(store: Store, card_id: int, owner_id: int | None) -> tuple[datetime | None, datetime | None]:
    """When the customer of a card last came back (any return visit), and last came back to be
    received by someone other than the card's owner."""
    row = store.conn.execute(
        "SELECT max(arrived_at), max(CASE WHEN consultant_id IS ? THEN NULL ELSE arrived_at END) "
        "FROM visits WHERE card_id = ? AND return_visit = 1",
        (owner_id, card_id),
    ).fetchone()
    return store.dt(row[0]), store.dt(row[1])


def waiting_for_card(store: Store, scope: Scope, until: datetime) -> list[Visit]:
    """Visits that arrived by `until`, left a phone and have no card: the partial index
    visits_waiting_card holds only these."""
    return [_visit(store, r) for r in store.conn.execute(*waiting_query(scope, until)).fetchall()]


def waiting_query(scope: Scope, until: datetime) -> tuple[str, list]:
    scope_sql, params = scope.clause("visits.consultant_id")
    # Without statistics SQLite prefers visits_card (card_id IS NULL matches every visit that left
    # no phone too); the partial index holds only the visits that wait.
    select = _VISIT_SELECT.replace(" FROM visits ", " FROM visits INDEXED BY visits_waiting_card ")
    return (f"{select} WHERE visits.contact_left = 1 AND visits.card_id IS NULL AND visits.arrived_at <= ? "
            f"AND {scope_sql} ORDER BY visits.arrived_at, visits.id", [ts(until), *params])


def visit(store: Store, visit_id: int, scope: Scope) -> Visit | None:
    scope_sql, params = scope.clause("visits.consultant_id")
    row = store.conn.execute(f"{_VISIT_SELECT} WHERE visits.id = ? AND {scope_sql}", (visit_id, *params)).fetchone()
    return _visit(store, row) if row else None


def visits(store: Store, scope: Scope, since: datetime, until: datetime, without_card: bool = False) -> list[Visit]:
    """Visits that arrived in [since, until]; `without_card`: those that left contact details
    but were never turned into a card."""
    scope_sql, params = scope.clause("visits.consultant_id")
    where = ["visits.arrived_at BETWEEN ? AND ?", scope_sql]
    if without_card:
        where.append("visits.contact_left = 1 AND visits.card_id IS NULL")
    rows = store.conn.execute(
        f"{_VISIT_SELECT} WHERE {' AND '.join(where)} ORDER BY visits.arrived_at, visits.id",
        (ts(since), ts(until), *params),
    ).fetchall()
    return [_visit(store, r) for r in rows]


def visits_in(store: Store, scope: Scope) -> Iterator[Visit]:
    """Every visit received by the scope's consultants (and those nobody received, for everybody's
    scope), in arrival order, read as it is used."""
    scope_sql, params = scope.clause("visits.consultant_id")
    for row in store.each_row(f"{_VISIT_SELECT} WHERE {scope_sql} ORDER BY visits.arrived_at, visits.id", params):
        yield _visit(store, row)


def _visit(store: Store, row) -> Visit:
    return Visit(
        id=row["id"],
        arrived_at=store.dt(row["arrived_at"]),
        left_at=store.dt(row["left_at"]),
        party_size=row["party_size"],
        source=Source(row["source"]),
        model=row["model"],
        test_drive=bool(row["test_drive"] or row["drive_registered"]),
        consultant=row["consultant_name"],
        consultant_id=row["consultant_id"],
        contact_left=bool(row["contact_left"]),
        name=row["name"],
        phone=row["phone"],
        notes=row["notes"],
        card_id=row["card_id"],
        return_visit=bool(row["return_visit"]),
        card_owner_id=row["card_owner_id"],
        clock_override=bool(row["clock_override"]),
    )


def visits_as_of(store: Store, scope: Scope, since: datetime, moment: datetime,
                 minutes: float) -> Iterator[tuple[Visit, datetime | None]]:
    """Visits recorded by `moment` that arrived from `since` and left a phone, each with when its
    card was recorded (None: no card yet), for the audit: read as they are used. Those whose card
    was recorded by `moment`, a minute or more within `minutes` of the customer leaving, are left
    out in SQL (most visits: nothing to report); the caller judges the rest to the second."""
    rows = store.conn.execute(*visits_as_of_query(scope, since, moment, minutes))
    for r in rows:
        yield _visit(store, r), store.dt(r["card_recorded_at"])


def visits_as_of_query(scope: Scope, since: datetime, moment: datetime, minutes: float) -> tuple[str, tuple]:
    scope_sql, params = scope.clause("visits.consultant_id")
    # A minute's margin: julianday's days are fractions, whose last digits are not a second's.
    return (
        f"SELECT visits.*, {_VISIT_COLUMNS}, cards.recorded_at AS card_recorded_at "
        f"FROM visits LEFT JOIN users ON users.id = visits.consultant_id LEFT JOIN cards ON cards.id = visits.card_id "
        f"WHERE visits.arrived_at >= ? AND visits.recorded_at <= ? AND visits.contact_left = 1 AND {scope_sql} "
        f"AND (cards.recorded_at IS NULL OR cards.recorded_at > ? OR julianday(cards.recorded_at) "
        f"- julianday(coalesce(visits.left_at, visits.arrived_at)) > ? / 1440.0) "
        f"ORDER BY visits.arrived_at, visits.id",
        (ts(since), ts(moment), *params, ts(moment), minutes - 1),
    )
