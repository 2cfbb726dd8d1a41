"""SQL of the JSON round trip: every table of the store out as it is stored, and back into an
empty store with its ids, sequence numbers, authors and times.

The tables are read from the store's own schema, so a table a later migration adds travels too
without anyone listing it here; the names in a file are only ever matched against them.
"""

from __future__ import annotations

import sqlite3
from typing import Iterable, Iterator, NamedTuple

from leadcard.errors import BadInput
from leadcard.i18n import _
from leadcard.store import Store

# What a store holds before anyone has written to it: its settings and the seeded objection list.
# A restore replaces them; any other row makes the store not empty.
SEEDED = ("settings", "objections")


class Column(NamedTuple):
    name: str
    kind: str  # the declared type: "INTEGER" or "TEXT"
    not_null: bool


# A server's column types as the migrations declare them on SQLite.
_SERVER_TYPES = {"integer": "INTEGER", "bigint": "INTEGER", "smallint": "INTEGER", "boolean": "INTEGER",
                 "text": "TEXT", "character varying": "TEXT", "double precision": "REAL", "real": "REAL",
                 "numeric": "REAL"}


def tables(store: Store) -> dict[str, tuple[Column, ...]]:
    """Every table of the store, in the order the migrations made them, with its columns."""
    if store.server:
        return _server_tables(store)
    names = [r[0] for r in store.conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY rowid")]
    return {name: tuple(Column(r["name"], r["type"].upper(), bool(r["notnull"]))
                        for r in store.conn.execute("SELECT name, type, \"notnull\" FROM pragma_table_info(?)", (name,)))
            for name in names}


def _server_tables(store: Store) -> dict[str, tuple[Column, ...]]:
    names = [r[0] for r in store.conn.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind = 'r' AND n.nspname = current_schema() AND c.relname <> 'leadcard_schema' ORDER BY c.oid")]
    return {name: tuple(Column(r[0], _SERVER_TYPES.get(r[1], r[1].upper()), r[2] == "NO") for r in store.conn.execute(
        "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
        # Generated columns (followups' facts) are the store's to compute, as SQLite's table_info has it.
        "WHERE table_schema = current_schema() AND table_name = ? AND is_generated = 'NEVER' "
        "ORDER BY ordinal_position", (name,)))
            for name in names}


def rows(store: Store, table: str, columns: Iterable[str]) -> Iterator[list]:
    """A table's rows as stored, in the order they were written (`table` and `columns` come from
    `tables`, never from a file)."""
    columns = list(columns)
    listed = ", ".join(f'"{c}"' for c in columns)
    # By the key where there is one (SQLite's rowid itself): a server moves an updated row.
    order = "id" if "id" in columns else "rowid"
    for row in store.each_row(f'SELECT {listed} FROM "{table}" ORDER BY {order}'):
        yield list(row)


def counts(store: Store) -> dict[str, int]:
    """Rows in each table."""
    return {t: store.conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables(store)}


def is_empty(store: Store) -> bool:
    return all(n == 0 for t, n in counts(store).items() if t not in SEEDED)


def begin_restore(store: Store) -> None:
    """Inside the restore's transaction: the seeded rows give way to the file's, and references
    are checked once everything is in (a card may name a referrer written after it)."""
    if store.server:
        # Deferrable for this transaction's rows (rolled back with it if the restore fails; kept
        # otherwise, still checked at each statement as before): checked at once by check_references.
        keys = store.conn.execute(
            "SELECT conrelid::regclass::text, quote_ident(conname) FROM pg_constraint "
            "WHERE contype = 'f' AND connamespace = current_schema()::regnamespace AND NOT condeferrable").fetchall()
        for table, key in keys:
            store.conn.execute(f"ALTER TABLE {table} ALTER CONSTRAINT {key} DEFERRABLE INITIALLY IMMEDIATE")
        store.conn.execute("SET CONSTRAINTS ALL DEFERRED")
    else:
        store.conn.execute("PRAGMA defer_foreign_keys = ON")
    for table in SEEDED:
        store.conn.execute(f'DELETE FROM "{table}"')


def load(store: Store, table: str, columns: list[str], values: Iterable[list]) -> int:
    """Insert a table's rows as they were; how many. A row the schema refuses (a duplicate id, a
    status it does not know, a missing value) is bad input naming its table and row."""
    listed = ", ".join(f'"{c}"' for c in columns)
    sql = f'INSERT INTO "{table}" ({listed}) VALUES ({", ".join("?" * len(columns))})'
    number = 0
    for number, row in enumerate(values, start=1):
        try:
            store.conn.execute(sql, row)
        except sqlite3.IntegrityError as exc:
            raise BadInput(_("表 {table} 第 {row} 行写不进数据库：{reason}").format(
                table=table, row=number, reason=exc)) from None
    return number


def check_references(store: Store) -> None:
    """The restore's references, before it commits: a row pointing at a record the file does not hold
    is bad input."""
    if store.server:
        try:
            store.conn.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred checks, made now
        except sqlite3.IntegrityError as exc:
            raise BadInput(_("导出里的记录指向导出里没有的记录：{reason}").format(reason=str(exc).splitlines()[0])) from None
        return
    found = store.conn.execute("PRAGMA foreign_key_check").fetchone()
    if found is not None:
        table, rowid, parent = found[0], found[1], found[2]
        raise BadInput(_("表 {table} 的记录（rowid {rowid}）指向表 {parent} 里没有的记录").format(
            table=table, rowid=rowid, parent=parent))


def unbind(store: Store, user_ids: Iterable[int]) -> None:
    store.conn.executemany("UPDATE users SET login = NULL WHERE id = ?", [(i,) for i in user_ids])
