"""What `doctor` and `restore` compare a file's schema with: the tables, indexes, triggers and views
leadcard's own migrations make, at the file's schema version. Anything else — a trigger someone
added to a backup, an append-only trigger dropped or rewritten — is reported, never trusted."""

from __future__ import annotations

import re
import sqlite3
from functools import lru_cache
from typing import NamedTuple

from leadcard.store.migrations import MIGRATIONS


class SchemaDrift(NamedTuple):
    unknown: list[str]  # objects leadcard did not make, or made differently: "trigger x"
    missing: list[str]  # objects its migrations make that the file lacks


def _normal(sql: str | None) -> str:
    return re.sub(r"\s+", " ", sql or "").strip()


@lru_cache(maxsize=4)
def expected_objects(version: int) -> dict[tuple[str, str], str]:
    """(type, name) → SQL of every object the first `version` migrations make, built in memory."""
    db = sqlite3.connect(":memory:", isolation_level=None)
    try:
        for step in MIGRATIONS[:version]:
            step(db)
        return _objects(db)
    finally:
        db.close()


def _objects(conn: sqlite3.Connection) -> dict[tuple[str, str], str]:
    # SQLite's own (sqlite_sequence, sqlite_stat1 from ANALYZE, autoindexes) come with any file.
    rows = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
    return {(kind, name): _normal(sql) for kind, name, sql in rows}


def drift(conn: sqlite3.Connection, version: int) -> SchemaDrift:
    """How the file's schema differs from what leadcard makes at its version (none to judge outside
    the versions this leadcard knows)."""
    if not 0 < version <= len(MIGRATIONS):
        return SchemaDrift([], [])
    expected = expected_objects(version)
    found = _objects(conn)
    unknown = [f"{kind} {name}" for (kind, name), sql in sorted(found.items()) if expected.get((kind, name)) != sql]
    missing = [f"{kind} {name}" for kind, name in sorted(expected) if (kind, name) not in found]
    return SchemaDrift(unknown, missing)
