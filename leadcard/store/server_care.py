"""Backup, restore and doctor of a store on a PostgreSQL server: PostgreSQL's own pg_dump and
pg_restore where they are installed (a clear line where they are not), and doctor's checks read
from the server's catalog."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from leadcard.errors import StoreError
from leadcard.i18n import _
from leadcard.store import SCHEMA_VERSION, create_private_file, postgres
from leadcard.store.exchange import STORE_TABLES, derivation_noted
from leadcard.store.schema_check import expected_objects


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise StoreError(_("找不到 {tool}：请安装 PostgreSQL 的客户端工具（如 apt-get install postgresql-client）")
                         .format(tool=name))
    return found


def _run(name: str, *args: str) -> str:
    done = subprocess.run([_tool(name), *args], capture_output=True, text=True)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or [str(done.returncode)])[-1]
        raise StoreError(_("{tool} 没有成功：{reason}").format(tool=name, reason=reason))
    return done.stdout


def dump(url: str, target: Path) -> None:
    """A consistent copy (one snapshot, safe while others write) in pg_dump's custom format, 0600."""
    create_private_file(Path(target))
    _run("pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", f"--dbname={url}")


def is_dump(source: Path) -> bool:
    """Whether a file is a store's dump: pg_restore reads its table of contents, with the store's tables."""
    try:
        listing = _run("pg_restore", "--list", str(source))
    except StoreError:
        if shutil.which("pg_restore") is None:
            raise
        return False
    return all(f" TABLE public {table} " in listing for table in STORE_TABLES)


def load(url: str, source: Path) -> None:
    """The store's tables replaced by a dump's, all in one transaction."""
    _run("pg_restore", "--clean", "--if-exists", "--single-transaction", "--exit-on-error", "--no-owner",
         "--no-privileges", f"--dbname={url}", str(source))
    # A dump holds no planner statistics: gathered now, not by autovacuum a minute or more later.
    conn = postgres.connect(url, 10_000)
    try:
        conn.execute("ANALYZE")
    finally:
        conn.close()


def check(url: str) -> dict:
    """What doctor reports of a store on a server, read from its catalog: the schema version, the
    tables, indexes and triggers (by name) against those leadcard's migrations make, the counts, and
    whether this role may write. The server keeps its own pages and foreign keys whole."""
    conn = postgres.connect(url, 10_000)
    try:
        version = postgres.schema_version(conn)
        found = _objects(conn)
        # Every table, as doctor counts a file's: two stores compare table by table.
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for kind, t in sorted(found) if kind == "table"}
        writable = conn.execute("SELECT to_regclass('cards') IS NULL OR has_table_privilege('cards', 'INSERT')")
        read_only = not writable.fetchone()[0]
        derivation = derivation_noted(conn) if ("table", "settings") in found else None
    finally:
        conn.close()
    expected = _expected(version)
    return {
        "integrity": ["ok"],
        "foreign_keys": [],
        "schema_version": version,
        "expected_version": SCHEMA_VERSION,
        "missing_tables": [t for t in STORE_TABLES if ("table", t) not in found],
        "counts": counts,
        "unknown_objects": [f"{kind} {name}" for kind, name in sorted(found - expected)],
        "missing_objects": [f"{kind} {name}" for kind, name in sorted(expected - found)],
        "read_only": read_only,
        "derivation": derivation,
    }


def _objects(conn) -> set[tuple[str, str]]:
    schema = "schemaname = current_schema()"
    tables = {r[0] for r in conn.execute(f"SELECT tablename FROM pg_tables WHERE {schema}")} - {"leadcard_schema"}
    # The indexes of primary keys and UNIQUE constraints are the constraints': SQLite's are automatic.
    indexes = {r[0] for r in conn.execute(
        f"SELECT indexname FROM pg_indexes WHERE {schema} AND indexname NOT IN (SELECT conname FROM pg_constraint)")}
    triggers = {r[0] for r in conn.execute(
        "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace")}
    views = {r[0] for r in conn.execute(f"SELECT viewname FROM pg_views WHERE {schema}")}
    return ({("table", t) for t in tables} | {("index", i) for i in indexes} | {("trigger", t) for t in triggers}
            | {("view", v) for v in views})


def _expected(version: int) -> set[tuple[str, str]]:
    """The objects of the migrations up to `version`, and the id triggers the dialect adds."""
    if not 0 < version <= SCHEMA_VERSION:
        return set()
    made = expected_objects(version)
    next_ids = {("trigger", f"{name}_next_id") for (kind, name), sql in made.items()
                if kind == "table" and postgres.makes_ids(sql)}
    return set(made) | next_ids
