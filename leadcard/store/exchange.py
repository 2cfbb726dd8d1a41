"""SQL of import, export, the calendar feed, backup, restore and doctor.

Every lookup here is batched (one query per chunk of rows) and every scan is a cursor, so a
100,000-row import or export never holds the whole store in Python.
"""

from __future__ import annotations

import sqlite3
import uuid
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from leadcard.model import Card, Channel, FollowUp, Instruction, Outcome, card_ref
from leadcard.schedule import Contact
from leadcard.store import (_CARD_COLUMNS, _CARD_FROM, DERIVATION_SETTING, SCHEMA_VERSION, UID_SETTING, Scope, Store,
                            create_private_file, sql_value, ts, writable)
from leadcard.store.failures import busy
from leadcard.store.failures import failed as store_failure
from leadcard.store.schema_check import SchemaDrift, drift
from leadcard.store.bulk import indexes_deferred
from leadcard.store.counting import FOLLOWUP_COLUMNS, FOLLOWUP_JOINS, counts

_FOLLOWUP_SELECT = (
    f"SELECT {FOLLOWUP_COLUMNS}, cards.phone AS card_phone, cards.owner_id AS card_owner_id "
    f"FROM followups f JOIN cards ON cards.id = f.card_id {FOLLOWUP_JOINS} "
)
# Tables a file must have to be taken for a leadcard store.
STORE_TABLES = ("settings", "users", "cards", "followups", "grade_changes", "instructions", "card_events")


def _marks(values: Sequence) -> str:
    return ",".join("?" * len(values))


# -- import ----------------------------------------------------------------------------------------


def adopt_named_cards(store: Store, user_id: int, name: str) -> list[int]:
    """The cards an import kept NAME on as their consultant (no such user then) become the user's."""
    ids = [r[0] for r in store.conn.execute(
        "SELECT id FROM cards WHERE named_owner = ? AND owner_id IS NULL ORDER BY id", (name,))]
    store.conn.execute("UPDATE cards SET owner_id = ?, named_owner = NULL WHERE named_owner = ? AND owner_id IS NULL",
                       (user_id, name))
    return ids


def prepare_bulk_load(store: Store) -> None:
    """A large import updates seven card indexes: a page cache of 32 MB keeps them in memory."""
    store.conn.execute("PRAGMA cache_size = -32768")


@contextmanager
def card_indexes_deferred(store: Store) -> Iterator[None]:
    """Into a store without cards, the cards and their first records go in before their indexes are
    built; the phone index stays, as each chunk looks its phones up."""
    if store.card_count():
        yield
        return
    with indexes_deferred(store, ("cards", "grade_changes", "card_events"), keep=("cards_phone",)):
        yield


def imported_card_events(store: Store, first_id: int, last_id: int, by_id: int | None, imported_at: str) -> None:
    """The events of the cards just written (ids first_id to last_id), each card's 'created' and
    then each card's 'imported', in card order: two statements rather than a row each from Python.
    The detail is the text json.dumps writes: a source is a word of Source, nothing to escape."""
    marks = [by_id, store.clock_override, first_id, last_id]
    store.conn.execute(
        "INSERT INTO card_events (card_id, at, kind, by_id, detail, clock_override) "
        "SELECT id, created_at, 'created', CAST(? AS INTEGER), '{\"source\": \"' || source || '\"}', ? "
        "FROM cards WHERE id BETWEEN ? AND ? ORDER BY id", marks)
    store.conn.execute(
        "INSERT INTO card_events (card_id, at, kind, by_id, clock_override) "
        "SELECT id, ?, 'imported', CAST(? AS INTEGER), ? FROM cards WHERE id BETWEEN ? AND ? ORDER BY id",
        [imported_at, *marks])


def imported_grades(store: Store, first_id: int, last_id: int, reason: str) -> None:
    """The grade each card just written (ids first_id to last_id) was made with, as its first grade
    change: at its creation, by its consultant, in card order."""
    store.conn.execute(
        "INSERT INTO grade_changes (card_id, at, to_grade, by_id, reason, clock_override) "
        "SELECT id, created_at, grade, owner_id, ?, ? FROM cards WHERE id BETWEEN ? AND ? ORDER BY id",
        [reason, store.clock_override, first_id, last_id])


def cards_with_phones(store: Store, phones: Sequence[str]) -> dict[str, tuple[int, str, int | None]]:
    """phone → (card id, name, owner id) of the oldest card holding it, for a chunk of phones."""
    if not phones:
        return {}
    rows = store.conn.execute(
        f"SELECT phone, id, name, owner_id FROM cards c WHERE phone IN ({_marks(phones)}) "
        "AND id = (SELECT min(id) FROM cards o WHERE o.phone = c.phone)",
        list(phones),
    ).fetchall()
    return {r["phone"]: (r["id"], r["name"], r["owner_id"]) for r in rows}


def imported_cards(store: Store, phones: Sequence[str], first_id: int) -> dict[str, sqlite3.Row]:
    """phone → (id, created_at, grade) of the cards this import made (ids from first_id on)."""
    if not phones:
        return {}
    rows = store.conn.execute(
        f"SELECT id, phone, created_at, grade FROM cards WHERE phone IN ({_marks(phones)}) AND id >= ?",
        [*phones, first_id],
    ).fetchall()
    return {r["phone"]: r for r in rows}


def last_seqs(store: Store, card_ids: Iterable[int]) -> dict[int, int]:
    ids = list(card_ids)
    if not ids:
        return {}
    rows = store.conn.execute(
        f"SELECT card_id, max(seq) FROM followups WHERE card_id IN ({_marks(ids)}) GROUP BY card_id", ids
    ).fetchall()
    return {r[0]: r[1] for r in rows}


def cards_with_new_followups(store: Store, first_followup_id: int, batch: int = 500) -> Iterator[list[int]]:
    """Ids of the cards that received follow-ups from first_followup_id on, a batch at a time."""
    after = 0
    while True:
        ids = [r[0] for r in store.conn.execute(
            "SELECT DISTINCT card_id FROM followups WHERE id >= ? AND card_id > ? ORDER BY card_id LIMIT ?",
            (first_followup_id, after, batch),
        )]
        if not ids:
            return
        yield ids
        after = ids[-1]


def effective_contacts(store: Store, card_ids: Sequence[int]) -> dict[int, list[Contact]]:
    """What scheduling needs of the cards' follow-ups that count (neither corrected nor withdrawn)."""
    result: dict[int, list[Contact]] = {}
    dt = store.dt
    rows = store.conn.execute(
        f"SELECT card_id, at, channel, outcome, next_at, purpose, "
        f"(SELECT group_concat(o.tag) FROM (SELECT tag FROM followup_objections WHERE followup_id = f.id "
        f"ORDER BY rowid) o) AS tags "
        f"FROM followups f WHERE card_id IN ({_marks(card_ids)}) AND {counts('f')} ORDER BY card_id, seq",
        list(card_ids),
    )
    for card_id, at, channel, outcome, next_at, purpose, tags in rows:
        result.setdefault(card_id, []).append(Contact(
            dt(at), Channel(channel), outcome == Outcome.REACHED, dt(next_at), purpose,
            tuple(tags.split(",")) if tags else ()))
    return result


def imported_cards_in_batches(store: Store, first_id: int, batch: int = 500) -> Iterator[list[sqlite3.Row]]:
    after = first_id - 1
    while True:
        rows = store.conn.execute(
            "SELECT id, created_at, grade, owner_id, (SELECT g.to_grade FROM grade_changes g WHERE g.card_id = cards.id "
            "ORDER BY g.at, g.id LIMIT 1) AS first_grade FROM cards WHERE id > ? ORDER BY id LIMIT ?", (after, batch)
        ).fetchall()
        if not rows:
            return
        yield rows
        after = rows[-1]["id"]


def judged_grades(store: Store, card_ids: Sequence[int]) -> dict[int, list[sqlite3.Row]]:
    """The grade judged at each effective follow-up of the cards, in order."""
    result: dict[int, list[sqlite3.Row]] = {}
    rows = store.conn.execute(
        f"SELECT id, card_id, at, grade, author_id, bottleneck, content FROM followups f "
        f"WHERE card_id IN ({_marks(card_ids)}) AND grade IS NOT NULL AND {counts('f')} ORDER BY card_id, seq",
        list(card_ids),
    )
    for row in rows:
        result.setdefault(row["card_id"], []).append(row)
    return result


def schedule_inputs(store: Store, card_ids: Sequence[int]) -> list[sqlite3.Row]:
    return store.conn.execute(
        f"SELECT id, created_at, grade, status, do_not_contact, left_at, source, outcome, birthday FROM cards "
        f"WHERE id IN ({_marks(card_ids)})",
        list(card_ids),
    ).fetchall()


def update_schedules(store: Store, updates: list[tuple[int, dict]]) -> None:
    """The derived columns of many cards (cards.timing_columns), in one executemany."""
    if not updates:
        return
    cols = list(updates[0][1])
    sql = f"UPDATE cards SET {', '.join(f'{c} = ?' for c in cols)} WHERE id = ?"
    store.conn.executemany(sql, ([*(sql_value(v[c]) for c in cols), card_id] for card_id, v in updates))



# -- export and calendar ---------------------------------------------------------------------------


def cards_in(store: Store, scope: Scope) -> Iterator[tuple[Card, datetime | None, str | None]]:
    """Each card with what Card does not carry: when its status was set, the grade it was made with."""
    scope_sql, params = scope.clause()
    cursor = store.each_row(
        f"SELECT {_CARD_COLUMNS}, (SELECT g.to_grade FROM grade_changes g WHERE g.card_id = cards.id "
        f"ORDER BY g.at, g.id LIMIT 1) AS first_grade FROM {_CARD_FROM} WHERE {scope_sql} ORDER BY cards.id",
        params,
    )
    for row in cursor:
        yield store._card(row), store.dt(row["status_at"]), row["first_grade"]


def followups_in(store: Store, scope: Scope) -> Iterator[tuple[str, str, int | None, FollowUp]]:
    """(card number, card phone, card owner id, follow-up) in card and sequence order."""
    scope_sql, params = scope.clause()
    cursor = store.each_row(f"{_FOLLOWUP_SELECT} WHERE {scope_sql} ORDER BY f.card_id, f.seq", params)
    for row in cursor:
        yield card_ref(row["card_id"]), row["card_phone"], row["card_owner_id"], store._followup(row)


def instructions_in(store: Store, scope: Scope) -> Iterator[tuple[str, str, int | None, Instruction]]:
    """(card number, card phone, card owner id, 主管批示) in card and time order."""
    scope_sql, params = scope.clause()
    cursor = store.each_row(
        f"SELECT i.card_id, i.at, i.text, u.name AS author_name, f.seq AS followup_seq, cards.phone, cards.owner_id "
        f"FROM instructions i JOIN cards ON cards.id = i.card_id LEFT JOIN users u ON u.id = i.author_id "
        f"LEFT JOIN followups f ON f.id = i.followup_id WHERE {scope_sql} ORDER BY i.card_id, i.at, i.id",
        params,
    )
    for r in cursor:
        yield (card_ref(r["card_id"]), r["phone"], r["owner_id"],
               Instruction(store.dt(r["at"]), r["author_name"], r["text"], r["followup_seq"]))


def due_until(store: Store, until: datetime, now: datetime, scope: Scope) -> list[tuple[Card, bool]]:
    """Cards due by `until` that are not dormant now (an order or an owner never is): the due_at
    index, as `today` uses it. Each with whether it is due for the whole day: a planned date given
    without a time."""
    scope_sql, params = scope.clause()
    rows = store.conn.execute(
        f"SELECT {_CARD_COLUMNS}, cards.due_reason = 'planned' AND EXISTS (SELECT 1 FROM followups f "
        f"WHERE f.card_id = cards.id AND f.next_at = cards.due_at AND f.next_all_day = 1 AND {counts('f')}) AS all_day "
        f"FROM {_CARD_FROM} WHERE cards.due_at <= ? AND (+cards.dormant_at > ? OR +cards.status != 'open') AND {scope_sql} "
        f"ORDER BY cards.due_at, cards.id",
        [ts(until), ts(now), *params],
    ).fetchall()
    return [(store._card(r), bool(r["all_day"])) for r in rows]


def store_uid(store: Store) -> str:
    """This store's identity (made with the store, migration 23, and kept by a restore): calendar
    UIDs stay the same across exports."""
    uid = store.setting(UID_SETTING)
    if uid is None:
        with store.transaction():
            ensure_uid(store)
        uid = store.setting(UID_SETTING)
    return uid


def ensure_uid(store: Store) -> None:
    """The store's identity made if it has none, inside the caller's transaction (a store restored
    from an export that did not carry one); one another command made meanwhile is kept."""
    store.conn.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                       (UID_SETTING, uuid.uuid4().hex))


# -- backup, restore, doctor -----------------------------------------------------------------------


def check(conn: sqlite3.Connection) -> dict:
    """What doctor reports of an open database: integrity, foreign keys, schema, counts.

    Each check runs on its own, so a damaged file still reports what can be read of it.
    """
    def attempt(read, failed):
        try:
            return read()
        except sqlite3.DatabaseError as exc:
            if busy(exc):  # a store in use is no damaged store: told as busy, never sent to `restore`
                raise store_failure(exc) from None
            return failed(exc)

    version = attempt(lambda: conn.execute("PRAGMA user_version").fetchone()[0], lambda exc: 0)
    integrity = attempt(lambda: [r[0] for r in conn.execute("PRAGMA integrity_check(20)")], lambda exc: [str(exc)])
    foreign = attempt(
        lambda: [f"{r[0]} row {r[1]} → {r[2]}" for r in conn.execute("PRAGMA foreign_key_check").fetchmany(20)],
        lambda exc: [str(exc)],
    )
    tables = attempt(lambda: {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")},
                     lambda exc: set())
    counts = {}
    # Every table, a later migration's too: what a restore of a JSON export must bring back.
    for table in sorted(t for t in tables if not t.startswith("sqlite")):
        count = attempt(lambda: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0], lambda exc: None)
        if count is not None:
            counts[table] = count
    schema = attempt(lambda: drift(conn, version), lambda exc: SchemaDrift([], []))
    derivation = attempt(lambda: derivation_noted(conn), lambda exc: None)
    return {
        "integrity": integrity,
        "foreign_keys": foreign,
        "schema_version": version,
        "expected_version": SCHEMA_VERSION,
        "missing_tables": [t for t in STORE_TABLES if t not in tables],
        "counts": counts,
        "unknown_objects": schema.unknown,
        "missing_objects": schema.missing,
        "derivation": derivation,
    }


def derivation_noted(conn) -> str | None:
    """The derivation version the store's schedules were computed by, as noted (None: not noted)."""
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (DERIVATION_SETTING,)).fetchone()
    return row[0] if row else None


def check_file(path: Path) -> dict:
    """The same checks on a file that is not (yet) the store, opened read-only. A store this login
    may not write is checked as it is — not taken for a damaged one — and said to be read-only."""
    read_only = not writable(path)
    try:
        conn = _read_only(path)
        try:
            if read_only:
                conn = _readable(conn, path)
            return {**check(conn), "read_only": read_only}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:  # not even the file's header could be read
        if busy(exc):
            raise store_failure(exc) from None
        return {"integrity": [str(exc)], "foreign_keys": [], "schema_version": 0, "expected_version": SCHEMA_VERSION,
                "missing_tables": [], "counts": {}, "read_only": read_only}


def _readable(conn: sqlite3.Connection, path: Path) -> sqlite3.Connection:
    """A read-only connection that can read the file. A WAL store in a directory this login may not
    write cannot get its shared-memory file; with no log waiting to be folded in, the file alone is
    the whole store, and SQLite may read it as immutable."""
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        wal = Path(f"{path}-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise
        conn.close()
        return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro&immutable=1", uri=True)


def copy_file(source: Path, target: Path) -> None:
    """A new private file holding a copy of an SQLite file (the store's own file, when it was lost)."""
    create_private_file(target)
    src, dest = _read_only(source), sqlite3.connect(target)
    try:
        src.backup(dest)
    finally:
        src.close()
        dest.close()


def _read_only(path: Path) -> sqlite3.Connection:
    from leadcard.store import BUSY_TIMEOUT_MS  # read when called: the store's own wait for a lock

    return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)


def copy_into(source: Path, store: Store) -> None:
    """Replace the store's content with a file's, page by page, under the store's own lock."""
    conn = _read_only(source)
    try:
        conn.backup(store.conn)
    finally:
        conn.close()
