"""Writing a store in bulk (the demo's): moments stamped fast, and a store filled from nothing in one
transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone, tzinfo

from leadcard.store import Store, ts

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
