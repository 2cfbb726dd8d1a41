"""The JSON export as a whole store, and `leadcard import` of such a file: a restore.

A JSON export by whoever sees the whole store (a manager, or anyone in single-user mode) carries,
beside its readable keys, every table as it is stored (`"store"`). Importing that file into an
empty store writes those rows back with their ids, sequence numbers, authors and written-at
times, so that a past report, an audit of a past day and the next export read exactly as before.
The file is read as a stream (restore_reader), each cell checked before its row is written; the
rows go in in one transaction, and are read back as every command reads them before it commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from leadcard.domain.session import Session, os_login, store_policy
from leadcard.errors import BadInput, LeadcardError, NotAllowed, NotFound, Refused
from leadcard.i18n import _
from leadcard.model import Role
from leadcard.domain.exchange.restore_reader import Document, events
from leadcard.store import EVERYONE, Store
from leadcard.store import deals as desk_sql
from leadcard.store import dump as sql
from leadcard.store import exchange as exchange_sql
from leadcard.store.visits import visits_in


class _Discard(Exception):
    """Raised inside the restore's transaction to roll it back (a dry run)."""


@dataclass
class RestoreReport:
    path: str
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)  # rows restored, table by table
    unbound: list[str] = field(default_factory=list)  # users whose login binding was not restored
    written: bool = False


# -- out -------------------------------------------------------------------------------------------


def whole_store(session: Session) -> tuple[int, Iterator[tuple[str, list[str], Iterator[list]]]] | None:
    """The store's schema version and each of its tables (name, columns, rows as stored), when the
    acting user sees the whole store; None for anyone else, whose export is for reading only."""
    if session.actor is not None and session.actor.role != Role.MANAGER:
        return None
    store = session.store

    def each() -> Iterator[tuple[str, list[str], Iterator[list]]]:
        for table, columns in sql.tables(store).items():
            names = [c.name for c in columns]
            yield table, names, sql.rows(store, table, names)

    return store.schema_version(), each()


# -- back in ---------------------------------------------------------------------------------------


def is_export(path: Path) -> bool:
    """A file `import` restores rather than reads as a sheet."""
    return Path(path).suffix.lower() == ".json"


def restore(session: Session, path: Path, dry_run: bool, acting: str | None = None) -> RestoreReport:
    """The store of a whole-store JSON export, into this empty store: all of it or nothing.

    An empty store has no users, so `session` acts as nobody (as for the first `user add`); a user
    named with --as/LEADCARD_USER is looked for among the file's users, and must be an active
    manager who may act from this login — as for any import."""
    store = session.store
    if not sql.is_empty(store):
        raise Refused(_("数据库里已有数据：JSON 导出只能恢复到空数据库（用 --db 指定一个新文件）"))
    report = RestoreReport(str(path), dry_run)
    try:
        with events(Path(path)) as stream, store.transaction():
            sql.begin_restore(store)
            # Rows are checked as they are read and inserted as they pass; a bad one rolls all back.
            for table, columns, rows in Document(stream, sql.tables(store), store.schema_version()).tables():
                report.counts[table] = sql.load(store, table, columns, rows)
            sql.check_references(store)
            exchange_sql.ensure_uid(store)  # an export of a store that had made no calendar carries none
            _read_back(store)
            report.unbound = _keep_a_manager(store)
            if acting:
                _may_restore(store, acting)
            if dry_run:
                raise _Discard
    except _Discard:
        pass
    else:
        report.written = True
    return report


def _read_back(store: Store) -> None:
    """Every record read as the commands read them, inside the restore's transaction: a value no
    command could read (a grade outside the scheme, a channel nobody knows) is bad input now,
    rather than a crash for whoever reads it later."""
    try:
        policy = store_policy(store)
        default = store.setting("default_user")
        if default is not None and store.user_by_name(default) is None:
            raise ValueError(f"default_user {default[:60]}")
        grades = {g.code for g in policy.grades}
        for card, _at, _first in exchange_sql.cards_in(store, EVERYONE):
            if card.grade not in grades:
                raise ValueError(f"{card.ref}: grade {card.grade}")
        for reader in (exchange_sql.followups_in, exchange_sql.instructions_in, visits_in):
            for _record in reader(store, EVERYONE):
                pass
        for records in desk_sql.desk_in(store, EVERYONE).values():
            for _record in records:
                pass
    except LeadcardError as exc:
        raise BadInput(_("导出里的设置读不出来：{reason}").format(reason=exc)) from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BadInput(_("导出里有读不出来的记录：{reason}").format(reason=str(exc)[:200])) from None


def _may_restore(store: Store, acting: str) -> None:
    user = store.user_by_name(acting)
    if user is None:
        raise NotFound(_("导出里没有名为“{name}”的用户").format(name=acting))
    if user.role != Role.MANAGER or not user.active:
        raise NotAllowed(_("{name} 不是在职的经理：只有经理才能恢复整个数据库").format(name=acting))
    if user.login is not None and user.login != os_login():
        raise NotAllowed(_("{name} 绑定的登录名是“{login}”；当前登录名是“{current}”").format(
            name=user.name, login=user.login, current=os_login()))


def _keep_a_manager(store: Store) -> list[str]:
    """Login bindings are restored as far as safe: when no active manager could act from this
    login afterwards, the managers' bindings are left out (and with no login known here, all of
    them), so that the store is never locked against everyone who may manage it. Returns the
    users left unbound."""
    users = store.users()
    if not any(u.login for u in users):
        return []
    here = os_login()
    if here is not None and any(u.role == Role.MANAGER and u.active and u.login in (None, here) for u in users):
        return []
    loose = [u for u in users if u.login and (here is None or u.role == Role.MANAGER)]
    sql.unbind(store, [u.id for u in loose])
    return [u.name for u in loose]
