"""PostgreSQL behind the connection the store already speaks to (sqlite3's): the dialect layer.

The store's SQL is written once, for SQLite. On a `postgresql://` store each statement is
translated here on its way to the server — parameter style, `IS ?`, the unary plus that steers
SQLite's planner, `rowid`, `LIKE`'s case, a bare `IN table`, the append-only triggers and the
`INTEGER PRIMARY KEY` of the migrations — and what SQLite offers that PostgreSQL lacks
(`json_extract`, `group_concat`, `julianday`, `strftime`, summing truth values) is defined on the
server by `PRELUDE`. Errors come back as sqlite3's exception classes with SQLite's result codes,
so that busy, read-only and constraint errors end a command with the same messages and exit codes.

psycopg is imported only when such a store is opened: `leadcard today` on SQLite never loads it.
"""

from __future__ import annotations

import itertools
import re
import sqlite3
from collections import deque
from functools import lru_cache

from leadcard.errors import StoreError
from leadcard.i18n import _
from leadcard.usertext import LazyPattern

SCHEMES = ("postgresql://", "postgres://")
# Every writer takes this transaction-scoped advisory lock first, as SQLite's BEGIN IMMEDIATE takes
# the file's write lock: the read-decide-write of one command never interleaves with another's.
# Advisory locks are per database, so this is one lock per store.
WRITE_LOCK = 0x1EADCA4D
# SQLite's result codes the store's error messages are chosen by (leadcard.store.failed).
_BUSY, _READONLY, _FULL, _CANTOPEN, _CONSTRAINT = 5, 8, 13, 14, 19

PRELUDE = r"""
CREATE TABLE IF NOT EXISTS leadcard_schema (version INTEGER NOT NULL);
INSERT INTO leadcard_schema (version) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM leadcard_schema);

-- json_extract(text, '$.a.b'): the value at a path of a JSON text, as text (NULL when absent).
CREATE OR REPLACE FUNCTION json_extract(doc text, path text) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT doc::jsonb #>> string_to_array(substr(path, 3), '.') $$;

-- group_concat(x): the values joined by commas, whatever their type (as text).
CREATE OR REPLACE FUNCTION leadcard_concat(acc text, item anyelement) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN item IS NULL THEN acc WHEN acc IS NULL THEN item::text
                                             ELSE acc || ',' || item::text END $$;
CREATE OR REPLACE AGGREGATE group_concat(anyelement) (SFUNC = leadcard_concat, STYPE = text);
CREATE OR REPLACE AGGREGATE group_concat(text) (SFUNC = leadcard_concat, STYPE = text);

-- SQLite adds up truth values as 0 and 1: sum(a < b).
CREATE OR REPLACE FUNCTION leadcard_count_true(acc bigint, item boolean) RETURNS bigint
    LANGUAGE sql IMMUTABLE AS $$ SELECT acc + CASE WHEN item THEN 1 ELSE 0 END $$;
CREATE OR REPLACE AGGREGATE sum(boolean) (SFUNC = leadcard_count_true, STYPE = bigint);

-- Times are UTC ISO 8601 text ("2026-05-03T06:30:00Z"), or 'now'.
CREATE OR REPLACE FUNCTION leadcard_moment(moment text) RETURNS timestamptz
    LANGUAGE sql STABLE AS $$ SELECT CASE WHEN moment = 'now' THEN now() ELSE moment::timestamptz END $$;
CREATE OR REPLACE FUNCTION julianday(moment text) RETURNS double precision
    LANGUAGE sql STABLE AS $$ SELECT extract(epoch FROM leadcard_moment(moment)) / 86400.0 + 2440587.5 $$;
CREATE OR REPLACE FUNCTION strftime(format text, moment text) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
    t timestamp := leadcard_moment(moment) AT TIME ZONE 'UTC';
    result text := '';
    i int := 1;
    c text;
BEGIN
    WHILE i <= length(format) LOOP
        c := substr(format, i, 1);
        IF c = '%' AND i < length(format) THEN
            i := i + 1;
            c := substr(format, i, 1);
            result := result || CASE c
                WHEN 'Y' THEN to_char(t, 'YYYY') WHEN 'm' THEN to_char(t, 'MM') WHEN 'd' THEN to_char(t, 'DD')
                WHEN 'H' THEN to_char(t, 'HH24') WHEN 'M' THEN to_char(t, 'MI') WHEN 'S' THEN to_char(t, 'SS')
                WHEN 'j' THEN to_char(t, 'DDD') WHEN 'w' THEN extract(dow FROM t)::text
                WHEN 's' THEN extract(epoch FROM t)::bigint::text ELSE c END;
        ELSE
            result := result || c;
        END IF;
        i := i + 1;
    END LOOP;
    RETURN result;
END $$;

-- The append-only triggers: SQLite's RAISE(ABORT, message).
CREATE OR REPLACE FUNCTION leadcard_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation', MESSAGE = TG_ARGV[0];
END $$;
"""


def prepare(conn: "Connection") -> None:
    """What the migrations' SQL needs of the server, made (or remade) before they run."""
    _guarded(conn.raw.execute, PRELUDE)


def open_store(url: str, busy_timeout_ms: int, create: bool) -> tuple["Connection", int]:
    """A connection to a store on a server and its schema version. A database holding no store is
    refused unless the command creates one (`create`), and so is one holding other tables."""
    conn = connect(url, busy_timeout_ms)
    try:
        version = schema_version(conn)
        if version == 0:
            if conn.execute("SELECT 1 FROM pg_tables WHERE schemaname = current_schema() "
                            "AND tablename != 'leadcard_schema' LIMIT 1").fetchone() is not None:
                raise StoreError(_("{path} 里已有别的表，不是 leadcard 的数据库").format(path=shown_url(url)))
            if not create:
                raise StoreError(_("{path} 里还没有 leadcard 的数据库：请用 `leadcard init` 新建")
                                 .format(path=shown_url(url)))
    except BaseException:
        conn.close()
        raise
    return conn, version


def schema_version(conn: "Connection") -> int:
    # Asked first rather than learnt from a failed read, which would end a transaction it is read in
    # (an upgrade reads the version again under its lock).
    if conn.execute("SELECT to_regclass('leadcard_schema')").fetchone()[0] is None:
        return 0  # a database with no store in it yet
    return conn.execute("SELECT version FROM leadcard_schema").fetchone()[0]


def replace_check(conn: "Connection", table: str, old: str, new: str) -> None:
    """A CHECK of a table replaced, as SQLite's migrations rebuild the table for (both start
    "CHECK (column IN"): the server names the constraint after the column it checks."""
    column = re.match(r"CHECK\s*\(\s*(\w+)", old).group(1)
    conn.execute(f"ALTER TABLE {table} DROP CONSTRAINT {table}_{column}_check, ADD CONSTRAINT {table}_{column}_check {new}")


def database_name(url: str) -> str:
    from urllib.parse import unquote, urlsplit

    return unquote(urlsplit(url).path.lstrip("/"))


def with_database(url: str, database: str) -> str:
    """The URL of another database on the same server, as the same role."""
    from urllib.parse import quote, urlsplit, urlunsplit

    return urlunsplit(urlsplit(url)._replace(path="/" + quote(database)))


def run_admin(conn: "Connection", statement: str, *literals: str) -> list:
    """A statement of the server's own administration (replication, databases) run as written, not
    translated; `literals` fill its `{}` quoted as SQL strings (such statements take no parameters).
    Its rows, if it returns any."""
    from psycopg import sql

    query = sql.SQL(statement).format(*(sql.Literal(v) for v in literals)).as_string(conn.raw)
    cursor = conn.raw.cursor()
    _guarded(cursor.execute, query)
    return _guarded(cursor.fetchall) if cursor.description else []


def makes_ids(create_table: str) -> bool:
    """Whether a CREATE TABLE has SQLite's INTEGER PRIMARY KEY, which the dialect gives an id trigger."""
    return _AUTO_ID.search(create_table) is not None


def is_server(location) -> bool:
    return isinstance(location, str) and location.startswith(SCHEMES)


def connect(url: str, busy_timeout_ms: int, read_only: bool = False) -> "Connection":
    """`read_only`: the server refuses every write of this connection (a hub's copy of a showroom,
    which only replication writes)."""
    try:
        import psycopg
    except ImportError:
        raise StoreError(_("要使用 PostgreSQL 数据库，请先安装 psycopg：pip install 'leadcard[postgres]'")) from None
    # Waiting for another command's lock ends, as SQLite's busy timeout does, in a busy error. No
    # JIT: compiling a query whose cost the planner overestimates took 0.3 s, more than any query here.
    options = f"-c jit=off -c lock_timeout={int(busy_timeout_ms)}" + (" -c default_transaction_read_only=on" if read_only else "")
    try:
        raw = psycopg.connect(url, autocommit=True, connect_timeout=max(2, busy_timeout_ms // 1000), options=options)
    except psycopg.Error as exc:
        raise StoreError(_("连不上 PostgreSQL 数据库 {url}：{reason}").format(
            url=shown_url(url), reason=without_password(_first_line(exc), url))) from None
    _load_numbers_as_sqlite_does(raw)
    return Connection(raw)


def shown_url(url: str) -> str:
    """The URL without its password (given before the host, or as a parameter): it is printed in
    messages, `policy show` and `doctor`."""
    return re.sub(r"[?&]password=[^&]*$|(?<=[?&])password=[^&]*&", "", re.sub(r"(://[^:/@]*):[^@/]*@", r"\1@", url))


def without_password(text: str, url: str) -> str:
    """A driver's words about `url` with its password left out: it may quote the URL whole, or the
    part of it it could not read."""
    text = text.replace(url, shown_url(url))
    from urllib.parse import unquote

    for found in re.finditer(r"://[^:/@]*:([^@/]*)@|[?&]password=([^&]*)", url):
        secret = found.group(1) or found.group(2)
        for form in {secret, unquote(secret)} if secret else ():
            text = text.replace(form, "***")
    return text


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _load_numbers_as_sqlite_does(raw) -> None:
    """numeric (sum of bigints, avg) comes back as int or float, never Decimal: JSON stays the same."""
    from psycopg.adapt import Loader

    class Number(Loader):
        def load(self, data):
            text = bytes(data).decode()
            return float(text) if any(c in text for c in ".eEN") else int(text)

    raw.adapters.register_loader("numeric", Number)


class Row(tuple):
    """sqlite3.Row's ways of reading: by position, by column name, keys() (every column, in order)."""

    names: dict[str, int]
    columns: list[str]

    def __new__(cls, values, names, columns):
        row = super().__new__(cls, values)
        row.names, row.columns = names, columns
        return row

    def __getitem__(self, key):
        if isinstance(key, str):
            return tuple.__getitem__(self, self.names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self.columns)


class Cursor:
    def __init__(self, cursor, lastrowid: int | None = None):
        self._cursor = cursor
        self.lastrowid = lastrowid
        self._plain = False
        self._done = False
        self._fetched: deque = deque()  # rows fetched by iterating and not yet read
        description = cursor.description
        # The first column of a name wins, as in sqlite3.Row.
        self._names = {c.name: i for i, c in reversed(list(enumerate(description)))} if description else {}
        self._columns = [c.name for c in description] if description else []

    def as_tuples(self) -> "Cursor":
        """Its rows as the server hands them, plain tuples (`Store.values`): a `Row` is read by
        position through Python, which cost an audit at 100,000 cards a second."""
        self._plain = True
        return self

    def _row(self, values):
        return None if values is None else Row(values, self._names, self._columns)

    def fetchone(self):
        rows = self.fetchmany(1)
        return rows[0] if rows else None

    def fetchmany(self, size: int = 1):
        fetched = self._fetched
        rows = [fetched.popleft() for _ in range(min(size, len(fetched)))]
        if len(rows) < size and not self._done:
            rows += self._converted(_guarded(self._cursor.fetchmany, size - len(rows)))
            if len(rows) < size:
                self._end()
        return rows

    def fetchall(self):
        rows = list(self._fetched)
        self._fetched.clear()
        if not self._done:
            rows += self._converted(_guarded(self._cursor.fetchall))
            self._end()
        return rows

    def __iter__(self):
        return self

    def __next__(self):
        # Its own iterator, as an sqlite3 cursor is: a read begun by one loop goes on in the next.
        if not self._fetched:
            self._fetched.extend(self.fetchmany(_ROWS_FETCHED))
            if not self._fetched:
                raise StopIteration
        return self._fetched.popleft()

    def _converted(self, rows: list) -> list:
        return rows if self._plain else [self._row(r) for r in rows]

    def _end(self) -> None:
        self._done = True
        self._cursor.close()  # a cursor the server holds (`Connection.held`) is let go at once


def _statement(sql: str) -> str:
    """A statement without its leading comments and closing semicolon."""
    return _LEADING_COMMENTS.sub("", sql).strip().rstrip(";").strip()


def _bound(params):
    """The parameters to send, None for none: an empty dict still names a statement's parameters."""
    return params if params or isinstance(params, dict) else None


class Connection:
    """The part of sqlite3.Connection the store uses, on a psycopg connection."""

    dialect = "postgres"

    def __init__(self, raw):
        self.raw = raw

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != 0  # not idle

    def execute(self, sql: str, params=()):
        statement = _statement(sql)
        head = statement[:16].upper()
        if head.startswith("BEGIN"):
            if self.in_transaction:  # refused, as SQLite refuses it
                raise sqlite3.OperationalError("cannot start a transaction within a transaction")
            self._run("BEGIN")
            self._run("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            return None
        if head.startswith("PRAGMA"):
            return self._pragma(statement)
        if head.startswith("CREATE TRIGGER"):
            return self._run(trigger(statement))
        query, needs_id = translate(statement, _bound(params) is not None)
        cursor = self._run(query, _bound(params))
        if head.startswith("CREATE TABLE") and makes_ids(statement):
            self._run(_NEXT_ID.format(table=_CREATED.match(statement).group(1)))
        if needs_id:
            rows = _guarded(cursor.fetchall)
            return Cursor(cursor, rows[-1][0] if rows else None)
        return Cursor(cursor)

    def held(self, sql: str, params=()) -> Cursor:
        """A long read's rows (a whole listing, an export), from a cursor the server holds: they
        come a few thousand at a time as they are read, where a cursor of the client's own takes
        the whole result into memory first (an export of 100,000 cards: 0.9 GB). WITH HOLD keeps
        it past its statement's own transaction, so other queries run on the connection meanwhile."""
        query, _needs_id = translate(_statement(sql), _bound(params) is not None, returning=False)
        cursor = self.raw.cursor(name=f"leadcard_held_{next(_HELD)}", withhold=True)
        _guarded(cursor.execute, query, _bound(params))
        return Cursor(cursor)

    def _pragma(self, statement: str):
        """The schema version kept where SQLite keeps it (PRAGMA user_version: table
        leadcard_schema here) and a table's columns; SQLite's tuning has nothing to do here."""
        found = _PRAGMA.match(statement)
        name, value = found.group(1).lower(), found.group(2) or found.group(3)
        if name == "user_version":
            if value is None:
                return Cursor(self._run("SELECT version FROM leadcard_schema"))
            return Cursor(self._run("UPDATE leadcard_schema SET version = %s", (int(value),)))
        if name == "table_info":
            return Cursor(self._run(
                "SELECT ordinal_position - 1 AS cid, column_name AS name, data_type AS type FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = %s AND is_generated = 'NEVER' "
                "ORDER BY ordinal_position", (value,)))
        if value is None:
            raise sqlite3.OperationalError(f"no PostgreSQL form for PRAGMA {name}")
        return None

    def executemany(self, sql: str, rows) -> None:
        query, _needs_id = translate(sql.strip().rstrip(";"), True, returning=False)
        with self.raw.cursor() as cursor:
            _guarded(cursor.executemany, query, rows if isinstance(rows, list) else list(rows))

    def _run(self, query: str, params=None):
        cursor = self.raw.cursor()
        _guarded(cursor.execute, query, params)
        return cursor

    def close(self) -> None:
        self.raw.close()


# An INTEGER PRIMARY KEY given no id gets the largest one plus one, as in SQLite: card numbers
# come from ids, and a rolled-back command leaves no gap (writers are serialised: WRITE_LOCK). A
# function per table, so that its query is planned once per connection.
_NEXT_ID = """
CREATE OR REPLACE FUNCTION {table}_next_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.id := (SELECT coalesce(max(id), 0) + 1 FROM {table});
    RETURN NEW;
END $$;
CREATE TRIGGER {table}_next_id BEFORE INSERT ON {table} FOR EACH ROW WHEN (NEW.id IS NULL)
    EXECUTE FUNCTION {table}_next_id();
"""
_HELD = itertools.count(1)  # names of the cursors the server holds, one per connection's read
_ROWS_FETCHED = 2000  # rows a cursor fetches at a time: a round trip to the server per fetch
_PRAGMA = LazyPattern(r"PRAGMA\s+(\w+)\s*(?:=\s*(\S+)|\(\s*(\w+)\s*\))?", re.I)
_LEADING_COMMENTS = LazyPattern(r"\A(?:\s*--[^\n]*\n)*")
_AUTO_ID = LazyPattern(r"\bid\s+INTEGER\s+PRIMARY\s+KEY\b", re.I)
_CREATED = LazyPattern(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", re.I)
_INSERT = LazyPattern(r"INSERT\s+INTO\s+(\w+)", re.I)
# Tables without an id column: an INSERT into them returns nothing.
_WITHOUT_ID = frozenset({"settings", "followup_objections", "leadcard_schema"})
_TOKENS = LazyPattern(r"""('(?:[^']|'')*')|("(?:[^"]|"")*")|(--[^\n]*)|([^'"-]+|-)""")
_REWRITES = (
    (LazyPattern(r"\bIS\s+NOT\s+(\?|:\w+)", re.I), r"IS DISTINCT FROM \1"),
    (LazyPattern(r"\bIS\s+(\?|:\w+)", re.I), r"IS NOT DISTINCT FROM \1"),
    # SQLite's "+column" keeps its planner off an index; PostgreSQL has no unary plus on text.
    (LazyPattern(r"(?<=[\s(,])\+(?=[A-Za-z_]\w*\.)"), ""),
    (LazyPattern(r"\browid\b", re.I), "ctid"),
    (LazyPattern(r"\bLIKE\b", re.I), "ILIKE"),  # SQLite's LIKE ignores the case of ASCII letters
    (LazyPattern(r"\b((?:NOT\s+)?IN)\s+(?!SELECT\b)([A-Za-z_]\w*)\b(?!\s*\()", re.I), r"\1 (SELECT * FROM \2)"),
    (LazyPattern(r"\bINSERT\s+OR\s+IGNORE\b", re.I), "INSERT"),
    # A generated column SQLite computes as it is read; PostgreSQL (before 18) only stores them.
    (LazyPattern(r"\)\s+VIRTUAL\b", re.I), ") STORED"),

    # SQLite's hints to its planner (an index to use, a join order); PostgreSQL's planner chooses.
    (LazyPattern(r"\s+(?:INDEXED\s+BY\s+\w+|NOT\s+INDEXED)\b", re.I), ""),
    (LazyPattern(r"\bCROSS\s+JOIN\b(?=\s+\w+(?:\s+(?!ON\b)\w+)?\s+ON\b)", re.I), "JOIN"),
    # A condition that is a constant ("WHERE 1 AND …", an empty scope's "0") is a truth value.
    (LazyPattern(r"\b(WHERE|AND|OR|NOT)\s+([01])\b(?=\s*(?:$|\)|AND\b|OR\b|ORDER\b|GROUP\b|LIMIT\b|HAVING\b))",
                re.I), lambda m: f"{m.group(1)} {'TRUE' if m.group(2) == '1' else 'FALSE'}"),
)
_GLOB = LazyPattern(r"\b(NOT\s+)?GLOB\s+'((?:[^']|'')*)'", re.I)
_PARAMS = LazyPattern(r"%|\?|(?<![:\w]):([A-Za-z_]\w*)")


def _glob_as_regex(glob: str) -> str:
    """SQLite's GLOB pattern (*, ?, [classes]) as a POSIX regular expression."""
    parts = re.split(r"(\[[^]]*\]|\*|\?)", glob)
    return "".join(".*" if p == "*" else "." if p == "?" else p if p.startswith("[") else re.escape(p)
                   for p in parts)


@lru_cache(maxsize=512)
def translate(sql: str, with_params: bool, returning: bool = True) -> tuple[str, bool]:
    """SQLite's SQL as PostgreSQL reads it, and whether it now returns the id of the row it inserts
    (sqlite3's `lastrowid`)."""
    pieces = []
    sql = _GLOB.sub(lambda m: f"{'!~' if m.group(1) else '~'} '^{_glob_as_regex(m.group(2))}$'", sql)
    for literal, quoted, comment, code in _TOKENS.findall(sql):
        if code:
            for pattern, replacement in _REWRITES:
                code = pattern.sub(replacement, code)
            if with_params:
                code = _PARAMS.sub(lambda m: "%%" if m.group() == "%" else "%s" if m.group() == "?"
                                   else f"%({m.group(1)})s", code)
            pieces.append(code)
        elif literal or quoted:
            pieces.append((literal or quoted).replace("%", "%%") if with_params else literal or quoted)
    query = "".join(pieces)
    if re.match(r"INSERT\s+OR\s+IGNORE\b", sql, re.I):
        query += " ON CONFLICT DO NOTHING"
    inserted = _INSERT.match(query)
    needs_id = bool(returning and inserted and inserted.group(1) not in _WITHOUT_ID
                    and not re.search(r"\bRETURNING\b", query, re.I))
    if needs_id:
        query += " RETURNING id"
    return query, needs_id


_ROW_DIFFERS = LazyPattern(r"IS\s+NOT\s+(OLD|NEW)[.]", re.I)
_TRIGGER = LazyPattern(
    r"CREATE\s+TRIGGER\s+(\w+)\s+(BEFORE\s+(?:UPDATE|DELETE|INSERT))\s+ON\s+(\w+)\s*(?:WHEN\s+(.*?))?\s*"
    r"BEGIN\s+SELECT\s+RAISE\s*\(\s*ABORT\s*,\s*'((?:[^']|'')*)'\s*\)\s*;\s*END$", re.I | re.S)


def trigger(statement: str) -> str:
    """An append-only trigger of the migrations (RAISE(ABORT, …)) in PostgreSQL's form."""
    found = _TRIGGER.match(statement)
    if found is None:
        raise sqlite3.OperationalError(f"no PostgreSQL form for this trigger: {statement[:80]}")
    name, timing, table, when, message = found.groups()
    condition = " WHEN (" + _ROW_DIFFERS.sub(r"IS DISTINCT FROM \1.", when) + ")" if when else ""
    return (f"CREATE TRIGGER {name} {timing} ON {table} FOR EACH ROW{condition} "
            f"EXECUTE FUNCTION leadcard_refuse('{message}')")


def _guarded(call, *args):
    """Runs a psycopg call; its error as the sqlite3 error the store knows how to tell."""
    import psycopg
    from psycopg import errors

    try:
        return call(*args)
    except psycopg.Error as exc:
        message = exc.diag.message_primary or _first_line(exc)
        if isinstance(exc, (errors.LockNotAvailable, errors.DeadlockDetected, errors.SerializationFailure,
                            errors.QueryCanceled)):
            kind, code = sqlite3.OperationalError, _BUSY
        elif isinstance(exc, (errors.InsufficientPrivilege, errors.ReadOnlySqlTransaction)):
            kind, code = sqlite3.OperationalError, _READONLY
        elif isinstance(exc, errors.DiskFull):
            kind, code = sqlite3.OperationalError, _FULL
        elif isinstance(exc, psycopg.IntegrityError):
            kind, code = sqlite3.IntegrityError, _CONSTRAINT
        elif isinstance(exc, psycopg.OperationalError):
            kind, code = sqlite3.OperationalError, _CANTOPEN
        else:
            kind, code = sqlite3.DatabaseError, 1
        error = kind(message)
        error.sqlite_errorcode = code
        error.on_server = True  # told in a server's terms (its roles, not a file's permissions)
        raise error from None
