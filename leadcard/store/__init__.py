"""The only code that speaks SQL: opening the file, migrations, transactions, indexed queries.

Reads go through the standard library's sqlite3 so that `leadcard today` does not pay for
sqlite-utils' imports; sqlite-utils serves the bulk paths (demo, import, export).
"""

import enum
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import TypeVar

from leadcard.errors import StoreError
from leadcard.i18n import _
from leadcard.model import (
    Card,
    CardEvent,
    Channel,
    DueCard,
    FollowUp,
    GradeChange,
    Instruction,
    Outcome,
    Role,
    Status,
    User,
    Withdrawal,
)
from leadcard.store import postgres
from leadcard.store.card_rows import DUE_CARD_COLUMNS, CardReading, card_of, due_cards_of
from leadcard.store.counting import FOLLOWUP_COLUMNS, FOLLOWUP_JOINS, grade_counts
# Read from here by the store's callers: the scope of a query, and what a database error means.
from leadcard.store.failures import create_private_file, describe, failed, of_the_moment, writable  # noqa: F401
from leadcard.store.migrations import MIGRATIONS
from leadcard.store.scope import EVERYONE, CardFilter, Scope  # noqa: F401

SCHEMA_VERSION = len(MIGRATIONS)
# The setting that makes a store a dealer group's hub.
HUB_SETTING = "hub"
# The version of schedule.DERIVATION the store's cards' derived columns were last computed by.
DERIVATION_SETTING = "schedule.derivation"
# The store's own identity (migration 23): its calendar's UIDs, and the hub's test of a showroom attached twice.
UID_SETTING = "store.uid"
# What a damaged file raises in the middle of a command; callers catch it by this name, not sqlite3's.
DatabaseError = sqlite3.DatabaseError
# How long a command waits for another's write to finish. Tests shorten it (monkeypatch).
BUSY_TIMEOUT_MS = 10_000


def ts(moment: datetime | None) -> str | None:
    """A moment as stored: UTC ISO 8601 text, so text order is time order."""
    if moment is None:
        return None
    # isoformat is the fastest exact formatter (its "+00:00" cut off); bulk paths format millions of these.
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")[:-6] + "Z"


_CARD_COLUMNS = (
    "cards.*, users.name AS owner_name"
)
_CARD_FROM = "cards LEFT JOIN users ON users.id = cards.owner_id"
# Due and not yet dormant (only an open card goes dormant: an order or an owner is due by its own
# schedule). The unary + keeps the planner off the dormant_at index: nearly every card is "not
# dormant", so only the due_at range is selective.
_DUE_WHERE = "cards.due_at <= ? AND (+cards.dormant_at > ? OR +cards.status != 'open')"


# As much of a store file as SQLite maps into memory for a report (its largest by default).
MAPPED_BYTES = 0x7FFF0000
# The records marked when written under an overridden clock (migration 6).
CLOCK_MARKED = frozenset({"cards", "followups", "grade_changes", "instructions", "card_events", "visits"})


T = TypeVar("T")


class Store:
    def __init__(self, conn: sqlite3.Connection, path: Path, tz: tzinfo):
        self.conn = conn
        self.path = path
        self.tz = tz
        # Set by the session when LEADCARD_NOW replaces the clock in a store bound to logins: the real
        # time (as stored), kept as `clock_override` on every record written.
        self.clock_override: str | None = None
        # A server's store: its URL, password included (`path` is the URL shown, without it).
        self.url: str | None = None
        self._card_readings: dict[int, CardReading] = {}  # by a card row's width (store.card_rows)
        self.made = False  # its file made by this opening (see `unmade`)

    # -- opening -------------------------------------------------------------------------------

    @property
    def server(self) -> bool:
        """On a PostgreSQL server (store/postgres.py), not an SQLite file."""
        return getattr(self.conn, "dialect", None) == "postgres"

    @classmethod
    def open(cls, path: Path | str, tz: tzinfo, *, create_dirs: bool = False, create: bool = True) -> "Store":
        """`path`: an SQLite file, or a `postgresql://` URL. `create` False: a database on a server
        holding no store yet is refused, as a file that does not exist is by the session."""
        if postgres.is_server(path):
            return cls._open_server(path, tz, create)
        path = Path(path)
        if path.is_dir():
            raise StoreError(_("打不开数据库 {path}：这是一个目录").format(path=path))
        if not path.parent.exists():
            if not create_dirs:
                raise StoreError(_("打不开数据库 {path}：目录 {directory} 不存在").format(path=path, directory=path.parent))
            path.parent.mkdir(parents=True, exist_ok=True)
        made = not path.exists()
        if made:
            create_private_file(path)
        elif not os.access(path, os.R_OK):
            raise StoreError(_("打不开数据库 {path}：没有读取权限").format(path=path))
        try:
            conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys = ON")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as exc:
            failure = failed(exc, writable(path))
            if type(failure) is StoreError:
                raise StoreError(_("打不开数据库 {path}：{reason}").format(path=path, reason=describe(exc))) from None
            raise failure from None
        store = cls(conn, path, tz)
        store.made = made
        try:
            store._migrate(version)
        except BaseException:
            store.unmade()
            raise
        return store

    @classmethod
    def _open_server(cls, url: str, tz: tzinfo, create: bool) -> "Store":
        conn, version = postgres.open_store(url, BUSY_TIMEOUT_MS, create)
        store = cls(conn, postgres.shown_url(url), tz)
        store.url = url
        try:
            store._migrate(version)
        except BaseException:
            conn.close()
            raise
        return store

    def _migrate(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise StoreError(_("数据库 {path} 的结构版本是 {version}，比这个 leadcard 能识别的（{known}）新：请升级 leadcard")
                             .format(path=self.path, version=version, known=SCHEMA_VERSION))
        if version == SCHEMA_VERSION:
            return
        if version > 0 or (not self.server and self._has_tables()):  # a server's: postgres.open_store
            if version == 0:
                raise StoreError(_("{path} 是 SQLite 文件，但不是 leadcard 的数据库").format(path=self.path))
            kept = self.path.with_name(f"{self.path.name}.v{version}.bak") if not self.server else None
            # (a server's schema changes roll back with the transaction); the first command to upgrade
            # keeps the store as it was: another upgrading with it must not copy it half-upgraded
            if kept is not None and not kept.exists():
                self.backup_to(kept)
        for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
            rebuilds = getattr(step, "rebuilds_tables", False) and not self.server
            try:
                if rebuilds:  # a no-op inside a transaction: it must come before
                    self.conn.execute("PRAGMA foreign_keys = OFF")
                with self.transaction():
                    # Read again under the lock: another command upgrading the store at the same moment
                    # (several PCs on one shared file, the first morning after an update) may have
                    # taken this step while this one waited.
                    if self.schema_version() >= number:
                        continue
                    if self.server and number == version + 1:
                        postgres.prepare(self.conn)
                    step(self.conn)
                    if rebuilds and self.conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
                        raise sqlite3.IntegrityError("a foreign key no longer holds")
                    self.conn.execute(f"PRAGMA user_version = {number}")
            except sqlite3.Error as exc:
                failure = failed(exc)
                if type(failure) is not StoreError:  # busy or read-only: the upgrade waits for a free moment
                    raise failure from None
                raise StoreError(
                    _("升级数据库 {path} 时在迁移 {step} 出错（{error}）；数据库没有改动，仍是结构版本 {version}")
                    .format(path=self.path, step=step.__name__, error=exc, version=number - 1)
                ) from None
            finally:
                if rebuilds:
                    self.conn.execute("PRAGMA foreign_keys = ON")

    def _has_tables(self) -> bool:
        return self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0

    def backup_to(self, target: Path) -> None:
        """A consistent copy through SQLite's online backup API, private to its owner."""
        target = Path(target)
        if not target.exists():
            create_private_file(target)
        dest = sqlite3.connect(target)
        try:
            self.conn.backup(dest)
            # A copy is one self-contained file: no -wal or -shm beside it.
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()

    def close(self) -> None:
        self.conn.close()

    def unmade(self) -> None:
        """A store file this opening made, closed and removed with the files SQLite keeps beside it: a
        command that would have filled it was refused, or only checked what it would write, and a
        mistyped --db must stay refused by every later command. A store that was there is kept."""
        if not self.made:
            return
        self.close()
        for companion in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{companion}").unlink(missing_ok=True)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One command's writes are one transaction; IMMEDIATE takes the write lock up front."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def schema_version(self) -> int:
        if self.server:  # a database with no store yet has no version to read
            return postgres.schema_version(self.conn)
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def values(self, sql: str, params: Sequence = (), long: bool = False) -> Iterable[tuple]:
        """A query's rows as plain tuples, which unpack at twice a sqlite3.Row's speed and are read by
        position in C (a server's `Row`, in Python). `long`: read as `each_row` reads."""
        if self.server:
            return (self.conn.held if long else self.conn.execute)(sql, params).as_tuples()
        cursor = self.conn.cursor()
        cursor.row_factory = None
        return cursor.execute(sql, params)

    def each_row(self, sql: str, params: Sequence = ()) -> Iterable:
        """The rows of a long read (every card of a listing, an export's tables), read as they are
        used: in memory, a few thousand rows at a time however many the store holds. An SQLite
        cursor steps as it is read; a server's rows come from a cursor the server holds
        (`postgres.Connection.held`)."""
        if self.server:
            return self.conn.held(sql, params)
        return self.conn.execute(sql, params)

    # -- conversions ---------------------------------------------------------------------------

    def dt(self, text: str | None) -> datetime | None:
        if text is None:
            return None
        return _parse(text).astimezone(self.tz)  # Python 3.11 reads the stored "…Z" as UTC

    # -- settings ------------------------------------------------------------------------------

    def setting(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_setting(self, key: str, value: str | None) -> None:
        if value is None:
            self.conn.execute("DELETE FROM settings WHERE key = ?", (key,))
        else:
            self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def is_hub(self) -> bool:
        """A dealer group's hub (集团汇总库, `init --hub`: leadcard.store.hub), not a showroom's store."""
        return self.setting(HUB_SETTING) == "1"

    def cache_setting(self, key: str, value: str) -> None:
        """Best effort, from read commands: a read-only store still answers, it just does not cache."""
        self.best_effort(lambda: self.set_setting(key, value))

    def best_effort(self, write: Callable[[], None]) -> None:
        """`write` in a transaction that a read command may attempt: on a store this login may only
        read, or one busy beyond the wait — at its first write or already at its start, as when
        another process wrote since this one's long read began —, it is rolled back or never begun,
        and the command goes on (the next one tries again)."""
        try:
            with self.transaction():
                write()
        except sqlite3.OperationalError as exc:
            if not of_the_moment(exc):
                raise

    # -- users ---------------------------------------------------------------------------------

    def users(self) -> list[User]:
        rows = self.conn.execute("SELECT * FROM users ORDER BY role DESC, team, name").fetchall()
        return [_user(r) for r in rows]

    def user_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM users").fetchone()[0]

    def user_by_name(self, name: str) -> User | None:
        row = self.conn.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
        return _user(row) if row else None

    def user_by_id(self, user_id: int) -> User | None:
        row = self.conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
        return _user(row) if row else None

    def set_user_active(self, user_id: int, active: bool) -> None:
        self.conn.execute("UPDATE users SET active = ? WHERE id = ?", (int(active), user_id))

    def team_member_ids(self, team: str | None) -> frozenset[int]:
        rows = self.conn.execute("SELECT id FROM users WHERE team IS ?", (team,)).fetchall()
        return frozenset(r[0] for r in rows)

    def add_user(self, name: str, role: Role, team: str | None, at: datetime, login: str | None = None) -> int:
        cur = self.conn.execute(
            "INSERT INTO users (name, role, team, created_at, login) VALUES (?, ?, ?, ?, ?)",
            (name, role.value, team, ts(at), login),
        )
        return cur.lastrowid

    def set_user_login(self, user_id: int, login: str | None) -> None:
        self.conn.execute("UPDATE users SET login = ? WHERE id = ?", (login, user_id))

    def has_bound_logins(self) -> bool:
        return self.conn.execute("SELECT 1 FROM users WHERE login IS NOT NULL LIMIT 1").fetchone() is not None

    # -- cards ---------------------------------------------------------------------------------

    def insert_card(self, values: dict) -> int:
        values = self.marked("cards", values)
        cols = ", ".join(values)
        marks = ", ".join("?" * len(values))
        cur = self.conn.execute(f"INSERT INTO cards ({cols}) VALUES ({marks})", [sql_value(v) for v in values.values()])
        return cur.lastrowid

    def update_card(self, card_id: int, values: dict) -> None:
        sets = ", ".join(f"{col} = ?" for col in values)
        self.conn.execute(f"UPDATE cards SET {sets} WHERE id = ?", [*map(sql_value, values.values()), card_id])

    def card(self, card_id: int) -> Card | None:
        row = self.conn.execute(f"SELECT {_CARD_COLUMNS} FROM {_CARD_FROM} WHERE cards.id = ?", (card_id,)).fetchone()
        return self._card(row) if row else None

    def cards_by_id(self, card_id: int, scope: Scope) -> list[Card]:
        return self._cards_where("cards.id = ?", [card_id], scope)

    def cards_by_phone(self, phone: str, scope: Scope = EVERYONE) -> list[Card]:
        return self._cards_where("cards.phone = ?", [phone], scope)

    def cards_by_name(self, name: str, scope: Scope) -> list[Card]:
        return self._cards_where("cards.name = ?", [name], scope)

    def cards_referred_by(self, card_id: int, scope: Scope) -> list[Card]:
        """The cards whose customer this card's customer referred (转介绍)."""
        return self._cards_where("cards.referred_by = ?", [card_id], scope)

    def active_cards_with_phone(self, phone: str) -> list[Card]:
        return self._cards_where(
            "cards.phone = ? AND cards.status IN ('open', 'lost-pending')", [phone], EVERYONE
        )

    def _cards_where(self, where: str, params: list, scope: Scope) -> list[Card]:
        scope_sql, scope_params = scope.clause()
        rows = self.conn.execute(
            f"SELECT {_CARD_COLUMNS} FROM {_CARD_FROM} WHERE {where} AND {scope_sql} ORDER BY cards.id",
            [*params, *scope_params],
        ).fetchall()
        return [self._card(r) for r in rows]

    def list_cards(self, filt: CardFilter, scope: Scope, now: datetime, limit: int | None = None) -> list[Card]:
        sql, params = self._list_query(filt, scope, now, limit)
        return [self._card(r) for r in self.conn.execute(sql, params)]

    def each_card(self, filt: CardFilter, scope: Scope, now: datetime) -> Iterator[Card]:
        """Every card that matches, newest first, read as it is used: a big store's whole list."""
        for row in self.each_row(*self._list_query(filt, scope, now, None)):
            yield self._card(row)

    def count_cards(self, filt: CardFilter, scope: Scope, now: datetime) -> int:
        sql, params = self._list_query(filt, scope, now, None, counting=True)
        return self.conn.execute(sql, params).fetchone()[0]

    def _list_query(self, filt: CardFilter, scope: Scope, now: datetime, limit: int | None,
                    counting: bool = False) -> tuple[str, list]:
        where, params = [], []
        scope_sql, scope_params = scope.clause()
        where.append(scope_sql)
        params += scope_params
        if filt.owner_ids is not None:
            owner_sql, owner_params = Scope(filt.owner_ids).clause()
            where.append(owner_sql)
            params += owner_params
        if filt.named_owner is not None:
            where.append("cards.named_owner = ?")
            params.append(filt.named_owner)
        where.append("+cards.do_not_contact = ?")
        params.append(int(filt.do_not_contact))
        if filt.grade:
            where.append("cards.grade = ?")
            params.append(filt.grade)
        if filt.status == Status.DORMANT:
            where.append("cards.status = 'open' AND cards.dormant_at <= ?")
            params.append(ts(now))
        elif filt.status == Status.OPEN:
            where.append("cards.status = 'open' AND cards.dormant_at > ?")
            params.append(ts(now))
        elif filt.status:
            where.append("cards.status = ?")
            params.append(filt.status)
        if filt.search:
            like = "%" + filt.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            terms = ["cards.name LIKE ? ESCAPE '\\'", "cards.model LIKE ? ESCAPE '\\'",
                     "cards.notes LIKE ? ESCAPE '\\'", "cards.wechat LIKE ? ESCAPE '\\'",
                     "cards.phone LIKE ? ESCAPE '\\'"]
            search_params = [like] * len(terms)
            if filt.search_phone:
                terms.append("cards.phone LIKE ?")
                search_params.append("%" + filt.search_phone + "%")
            where.append("(" + " OR ".join(terms) + ")")
            params += search_params
        if counting:
            return f"SELECT count(*) FROM cards WHERE {' AND '.join(where)}", params
        sql = f"SELECT {_CARD_COLUMNS} FROM {_CARD_FROM} WHERE {' AND '.join(where)} ORDER BY cards.id DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return sql, params

    def due_cards(self, until: datetime, awake_at: datetime, scope: Scope) -> list[DueCard]:
        """Active cards due by `until` and not dormant at `awake_at`, as `today` reads them: a range on due_at."""
        return due_cards_of(self.values(*self._due_query(until, awake_at, scope)), self.dt)

    def _due_query(self, until: datetime, awake_at: datetime, scope: Scope) -> tuple[str, list]:
        scope_sql, scope_params = scope.clause()
        sql = f"SELECT {DUE_CARD_COLUMNS} FROM {_CARD_FROM} WHERE {_DUE_WHERE} AND {scope_sql}"
        return sql, [ts(until), ts(awake_at), *scope_params]

    def waking_cards(self, until: datetime, scope: Scope) -> list[DueCard]:
        """The dormant pool as the morning list reads it on a wake-up day (dormant_cards, read whole)."""
        return due_cards_of(self.values(*self._dormant_query(DUE_CARD_COLUMNS, until, scope)), self.dt)

    def dormant_cards(self, until: datetime, scope: Scope) -> list[Card]:
        rows = self.conn.execute(*self._dormant_query(_CARD_COLUMNS, until, scope)).fetchall()
        return [self._card(r) for r in rows]

    def _dormant_query(self, columns: str, until: datetime, scope: Scope) -> tuple[str, list]:
        scope_sql, scope_params = scope.clause()
        return (f"SELECT {columns} FROM {_CARD_FROM} "
                f"WHERE cards.dormant_at <= ? AND cards.status = 'open' AND cards.due_at IS NOT NULL AND {scope_sql}",
                [ts(until), *scope_params])

    def has_dormant(self, until: datetime, scope: Scope) -> bool:
        scope_sql, scope_params = scope.clause()
        row = self.conn.execute(
            f"SELECT 1 FROM cards WHERE cards.dormant_at <= ? AND cards.status = 'open' "
            f"AND cards.due_at IS NOT NULL AND {scope_sql} LIMIT 1",
            [ts(until), *scope_params],
        ).fetchone()
        return row is not None

    def has_named_owner(self, name: str) -> bool:
        return self.conn.execute("SELECT 1 FROM cards WHERE named_owner = ? LIMIT 1", (name,)).fetchone() is not None

    def next_id(self, table: str) -> int:
        """The id the next row of a table gets, so a bulk insert can link rows in advance."""
        return self.conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0]

    def read_mapped(self) -> None:
        """Read the file through memory mapping from now on: a report reads much of a big store, and
        mapped it takes no system call per page (SQLite; a server reads its own way). Not for every
        command: mapped pages count in a process's resident memory."""
        if not self.server:
            self.conn.execute(f"PRAGMA mmap_size = {MAPPED_BYTES}")

    def beside(self, read: Callable[["Store"], T]) -> Callable[[], T]:
        """`read` started on a connection of its own in another thread while this one goes on; what
        is returned waits for its result (or raises its error). A report's independent reads so
        share two cores: SQLite lets go of Python's lock while it steps a query, and a server runs
        each connection's query in a process of its own (a report's queries are too small for its
        parallel workers). Read here, at once, within a transaction (whose writes another connection
        would not see), and when the server refuses another connection (all of its connections
        taken): slower, the same answer."""
        if self.conn.in_transaction:
            return self._read_here(read)
        from leadcard.store.beside import Beside

        if not self.server:
            return Beside(self.reader, read)
        try:
            # Opened here: a refusal is known before anything is started.
            reader = self.reader()
        except StoreError:
            return self._read_here(read)
        return Beside(lambda: reader, read)

    def _read_here(self, read: Callable[["Store"], T]) -> Callable[[], T]:
        value = read(self)
        return lambda: value

    def reader(self) -> "Store":
        """Another connection to this store, that only reads (for a read in a thread of its own: an
        SQLite connection is used by the thread that made it), an SQLite file's read mapped."""
        if self.server:
            reader = Store(postgres.connect(self.url, BUSY_TIMEOUT_MS, read_only=True), self.path, self.tz)
            reader.url = self.url
            return reader
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA query_only = ON")
        reader = Store(conn, self.path, self.tz)
        reader.read_mapped()
        return reader

    def card_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM cards").fetchone()[0]

    def plan_of_due(self, until: datetime, scope: Scope) -> str:
        """The query plans of the hot queries, for tests that guard the indexes."""
        return self._plan(*self._due_query(until, until, scope))

    def plan_of_list(self, filt: CardFilter, scope: Scope, now: datetime, limit: int | None = None) -> str:
        return self._plan(*self._list_query(filt, scope, now, limit))

    def _plan(self, sql: str, params: list) -> str:
        return " | ".join(r["detail"] for r in self.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))

    def _card(self, row: sqlite3.Row) -> Card:
        """A card from a row that begins with `_CARD_COLUMNS` (other columns may follow)."""
        return card_of(row, self._card_readings, self.dt)

    # -- follow-ups ----------------------------------------------------------------------------

    def insert_followup(self, values: dict) -> int:
        values = self.marked("followups", dict(values))
        values["seq"] = self.conn.execute(
            "SELECT coalesce(max(seq), 0) + 1 FROM followups WHERE card_id = ?", (values["card_id"],)
        ).fetchone()[0]
        cols = ", ".join(values)
        marks = ", ".join("?" * len(values))
        cur = self.conn.execute(f"INSERT INTO followups ({cols}) VALUES ({marks})", [sql_value(v) for v in values.values()])
        return cur.lastrowid

    def followup_seq(self, followup_id: int) -> int:
        return self.conn.execute("SELECT seq FROM followups WHERE id = ?", (followup_id,)).fetchone()[0]

    def followup_id(self, card_id: int, seq: int) -> int | None:
        row = self.conn.execute("SELECT id FROM followups WHERE card_id = ? AND seq = ?", (card_id, seq)).fetchone()
        return row[0] if row else None

    def followups(self, card_id: int) -> list[FollowUp]:
        return self.followups_of([card_id]).get(card_id, [])

    def followups_of(self, card_ids: Sequence[int]) -> dict[int, list[FollowUp]]:
        """Follow-ups of many cards in one query each batch (never one query per card)."""
        result: dict[int, list[FollowUp]] = {}
        for start in range(0, len(card_ids), 500):
            batch = list(card_ids[start:start + 500])
            marks = ",".join("?" * len(batch))
            rows = self.conn.execute(
                f"SELECT {FOLLOWUP_COLUMNS} FROM followups f {FOLLOWUP_JOINS} "
                f"WHERE f.card_id IN ({marks}) ORDER BY f.card_id, f.seq",
                batch,
            ).fetchall()
            for r in rows:
                result.setdefault(r["card_id"], []).append(self._followup(r))
        return result

    def _followup(self, r: sqlite3.Row) -> FollowUp:
        return FollowUp(
            id=r["id"], card_id=r["card_id"], seq=r["seq"], at=self.dt(r["at"]),
            recorded_at=self.dt(r["recorded_at"]), channel=Channel(r["channel"]), content=r["content"],
            outcome=Outcome(r["outcome"]), author=r["author_name"], grade=r["grade"],
            impression=r["impression"], problem=r["problem"], solution=r["solution"],
            feasibility=r["feasibility"], competition=r["competition"], bottleneck=r["bottleneck"],
            plan=r["plan"], next_at=self.dt(r["next_at"]), purpose=r["purpose"],
            corrects=r["corrects_seq"], corrected_by=r["corrected_by_seq"],
            objections=tuple(r["objection_tags"].split(",")) if r["objection_tags"] else (),
            clock_override=bool(r["clock_override"]),
            effective=bool(r["counts"]), next_all_day=bool(r["next_all_day"]), inbound=bool(r["inbound"]),
            voided=Withdrawal(self.dt(r["withdrawn_at"]), r["withdrawn_by"], r["withdrawn_reason"])
            if r["withdrawn_at"] else None,
        )

    # -- grade history, instructions, events ----------------------------------------------------

    def insert_grade_change(self, values: dict) -> None:
        self.insert_row("grade_changes", values)

    def judgements(self, card_ids: list[int]) -> dict[int, list[tuple[datetime, str]]]:
        """Each card's grade history that counts (not judged at a follow-up since withdrawn): (when,
        the grade), in time order; a list's worth of cards in one query through the cards' index."""
        found: dict[int, list[tuple[datetime, str]]] = {}
        for start in range(0, len(card_ids), 500):
            for card_id, at, grade in self.values(*judgements_query(card_ids[start:start + 500])):
                found.setdefault(card_id, []).append((self.dt(at), grade))
        return found

    def grade_changes(self, card_id: int) -> list[GradeChange]:
        rows = self.conn.execute(
            f"SELECT g.*, u.name AS by_name, f.seq AS followup_seq, NOT {grade_counts('g')} AS withdrawn "
            "FROM grade_changes g LEFT JOIN users u ON u.id = g.by_id LEFT JOIN followups f ON f.id = g.followup_id "
            "WHERE g.card_id = ? ORDER BY g.at, g.id",
            (card_id,),
        ).fetchall()
        return [
            GradeChange(self.dt(r["at"]), r["from_grade"], r["to_grade"], r["by_name"], r["reason"], r["followup_seq"],
                        bool(r["clock_override"]), bool(r["withdrawn"]))
            for r in rows
        ]

    def insert_instruction(self, values: dict) -> None:
        self.insert_row("instructions", values)

    def instructions(self, card_id: int) -> list[Instruction]:
        rows = self.conn.execute(
            "SELECT i.*, u.name AS author_name, f.seq AS followup_seq FROM instructions i "
            "LEFT JOIN users u ON u.id = i.author_id LEFT JOIN followups f ON f.id = i.followup_id "
            "WHERE i.card_id = ? ORDER BY i.at, i.id",
            (card_id,),
        ).fetchall()
        return [Instruction(self.dt(r["at"]), r["author_name"], r["text"], r["followup_seq"], bool(r["clock_override"]))
                for r in rows]

    def insert_event(self, card_id: int, at: datetime, kind: str, by_id: int | None, detail: dict | None = None) -> None:
        self.insert_row("card_events", {
            "card_id": card_id, "at": at, "kind": kind, "by_id": by_id,
            "detail": json.dumps(detail, ensure_ascii=False) if detail else None,
        })

    def events(self, card_id: int) -> list[CardEvent]:
        rows = self.conn.execute(
            "SELECT e.*, u.name AS by_name FROM card_events e LEFT JOIN users u ON u.id = e.by_id "
            "WHERE e.card_id = ? ORDER BY e.at, e.id",
            (card_id,),
        ).fetchall()
        return [
            CardEvent(self.dt(r["at"]), r["kind"], r["by_name"], json.loads(r["detail"]) if r["detail"] else {},
                      bool(r["clock_override"]))
            for r in rows
        ]

    def insert_row(self, table: str, values: dict) -> int:
        values = self.marked(table, values)
        cols = ", ".join(values)
        marks = ", ".join("?" * len(values))
        cur = self.conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", [sql_value(v) for v in values.values()])
        return cur.lastrowid

    def last_id(self, table: str) -> int:
        return self.conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]

    def marked(self, table: str, values: dict) -> dict:
        """A record's values, with the clock's mark when written under an overridden clock."""
        if self.clock_override and table in CLOCK_MARKED:
            return {**values, "clock_override": self.clock_override}
        return values


_parse = datetime.fromisoformat
_PLAIN = (str, int, float, type(None))


def sql_value(value):
    """A Python value as SQLite stores it: datetimes as UTC text, enums as their value."""
    if type(value) in _PLAIN:  # the common case first: bulk inserts convert millions of values
        return value
    if isinstance(value, datetime):
        return ts(value)
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _user(row: sqlite3.Row) -> User:
    return User(row["id"], row["name"], Role(row["role"]), row["team"], bool(row["active"]), row["login"])


def judgements_query(card_ids: Sequence[int]) -> tuple[str, list]:
    """`Store.judgements`' query, for the test that guards its index."""
    return (f"SELECT g.card_id, g.at, g.to_grade FROM grade_changes g WHERE g.card_id IN "
            f"({','.join('?' * len(card_ids))}) AND {grade_counts('g')} ORDER BY g.card_id, g.at, g.id", list(card_ids))
