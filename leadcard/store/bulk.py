"""Writing a store in bulk (the demo's, an import's): many rows of one shape in one statement, the
indexes built once the rows are in, moments stamped fast, and a store filled from nothing in one
transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone, tzinfo
from itertools import chain
from operator import itemgetter

from leadcard.store import CLOCK_MARKED, Store, sql_value, ts


def bulk_insert(store: Store, table: str, rows: Iterable[dict], typed: Iterable[str] | None = None) -> None:
    """Many rows of one shape in one executemany: the demo and import paths.

    `typed` names the columns holding datetimes or enums; the others are passed to SQLite as
    they are, which matters when a million values go through. Given a list, a column that is
    None in every row is written as a NULL in the statement rather than bound: sqlite3 looks
    for an adapter before binding each None, and an import's card leaves most of its 51 empty.
    """
    iterator = iter(rows)
    if store.clock_override and table in CLOCK_MARKED:
        iterator = (store.marked(table, row) for row in iterator)
    first = next(iterator, None)
    if first is None:
        return
    cols = list(first)
    convert = [c for c in cols if typed is None or c in typed]
    empty: set[str] = set()
    if isinstance(rows, list):  # the rows as given: the clock's mark, added above, is never None
        count = len(rows)
        empty = {c for c, v in rows[0].items()
                 if v is None and list(map(itemgetter(c), rows)).count(None) == count}
    sql = (f"INSERT INTO {table} ({', '.join(cols)}) "
           f"VALUES ({', '.join('NULL' if c in empty else '?' for c in cols)})")
    bound = [c for c in cols if c not in empty]
    # (itemgetter of a single column gives its value, not a tuple)
    pick = itemgetter(*bound) if len(bound) > 1 else lambda row: tuple(row[c] for c in bound)

    def values():
        for row in chain((first,), iterator):
            for c in convert:
                row[c] = sql_value(row[c])
            yield pick(row)

    store.conn.executemany(sql, values())


def insert_values(store: Store, table: str, columns: list[str], rows: list[tuple], followup_base: int | None = None) -> None:
    """Rows already converted to SQL values (the demo's workers convert them). With
    `followup_base`, each row ends with the follow-up it points at, as its place among the
    follow-ups inserted after id `followup_base` (None: no follow-up)."""
    if not rows:
        return
    if store.clock_override and table in CLOCK_MARKED:
        width = len(columns)
        columns = [*columns, "clock_override"]
        rows = [(*row[:width], store.clock_override, *row[width:]) for row in rows]
    names, marks = ", ".join(columns), ", ".join("?" * len(columns))
    if followup_base is not None:
        # Arithmetic, not a lookup per row: the follow-ups' ids are known once inserted in order.
        names += ", followup_id"
        marks += f", {int(followup_base)} + ?"
    store.conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


@contextmanager
def indexes_deferred(store: Store, tables: Iterable[str], keep: Iterable[str] = (),
                     helpers: int = 0) -> Iterator[None]:
    """Inside a transaction: the tables' secondary indexes (but those in `keep`, which the
    writing reads) are dropped, then built again from their own SQL once the rows are in, which
    sorts each index once instead of updating it row by row (a new store filled by the demo or
    an import). On an error the transaction's rollback restores them. With `helpers`, SQLite sorts
    on that many threads besides the connection's own: less wall clock for more CPU time.

    A server builds its indexes as it goes; what it lacks after a bulk load is its planner's
    statistics of the new rows, which autovacuum gathers a minute or more later — until then it
    guesses thousands of rows where there are a few (a `log` at 100,000 cards took a second).
    They are gathered here, in the transaction, which counts its own rows."""
    names, kept = sorted(set(tables)), set(keep)
    if store.server:
        yield
        store.conn.execute(f"ANALYZE {', '.join(names)}")
        return
    indexes = [(name, sql) for name, sql in store.conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({', '.join('?' * len(names))}) ORDER BY rowid", names) if name not in kept]
    for name, _sql in indexes:
        store.conn.execute(f"DROP INDEX {name}")
    yield
    cache = store.conn.execute("PRAGMA cache_size").fetchone()[0]
    # Each index is sorted in pieces the size of the page cache, spilled to a temporary file:
    # a small cache keeps the sort's memory flat however many rows came in.
    store.conn.execute("PRAGMA cache_size = -4096")
    store.conn.execute(f"PRAGMA threads = {int(helpers)}")
    for _name, sql in indexes:
        store.conn.execute(sql)
    store.conn.execute("PRAGMA threads = 0")
    store.conn.execute(f"PRAGMA cache_size = {int(cache)}")


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_SECOND = timedelta(seconds=1)


def stamper(tz: tzinfo) -> Callable[[datetime | None], str | None]:
    """`ts` for the many moments of a bulk write in the zone `tz`, a few times faster. Moments of
    that zone subtract without asking it their offsets, which is most of `ts`'s cost: a moment is
    placed by the wall clock, then moved by its local day's offset, found once a day; its UTC day
    and time of day are formatted once each and kept. Any other moment, a second reading of a
    repeated hour (fold) or a moment on a day whose offset changes goes through `ts`."""
    local_epoch = datetime(1970, 1, 1, tzinfo=tz)
    starts: dict[int, int] = {}  # local day (since the epoch) → UTC seconds at its midnight
    days: dict[int, str] = {}  # UTC day → "2026-05-03T"
    clocks: dict[int, str] = {}  # seconds into the UTC day → "06:30:00Z"

    def day_start(day: int) -> int | None:
        midnight = local_epoch + timedelta(days=day)
        offset = midnight.utcoffset()
        if offset != (midnight + timedelta(seconds=86399)).utcoffset() or offset % _SECOND:
            return None
        start = starts[day] = day * 86400 - offset // _SECOND
        return start

    def stamp(moment: datetime | None) -> str | None:
        if moment is None:
            return None
        if moment.tzinfo is not tz or moment.fold:
            return ts(moment)
        since = moment - local_epoch  # the wall clock's difference: one zone, so no offsets
        start = starts.get(since.days)
        if start is None:
            start = day_start(since.days)
            if start is None:
                return ts(moment)
        day, second = divmod(start + since.seconds, 86400)
        try:
            return days[day] + clocks[second]
        except KeyError:
            if day not in days:
                days[day] = (_EPOCH + timedelta(days=day)).date().isoformat() + "T"
            if second not in clocks:
                clocks[second] = f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}Z"
            return days[day] + clocks[second]

    return stamp


@contextmanager
def filling(store: Store) -> Iterator[None]:
    """One transaction that fills a store with nothing in it yet (the demo's): the foreign keys
    are checked once, before the commit, rather than at every row, and the rows reach the file
    through a rollback journal, which holds only the few pages there were, rather than through
    the write-ahead log and then again into the file. Afterwards the store is in WAL as always;
    one that another connection has open stays in WAL throughout."""
    if store.server:
        with store.transaction():
            yield
        return
    try:
        journal = store.conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    except sqlite3.OperationalError:  # another connection has it open: only the last may leave WAL
        journal = "wal"
    store.conn.execute("PRAGMA foreign_keys = OFF")  # a no-op inside a transaction: it comes first
    try:
        with store.transaction():
            yield
            if store.conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
                raise sqlite3.IntegrityError("a foreign key does not hold")
    finally:
        store.conn.execute("PRAGMA foreign_keys = ON")
        if journal != "wal":
            try:
                store.conn.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError:  # a reader came meanwhile: the store's next opening puts it in WAL
                pass
