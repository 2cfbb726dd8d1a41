"""Backups, restores and the store's health check (DOMAIN.md "Data care": regular backups,
nothing deleted by accident)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from leadcard.atomic import replacing
from leadcard.errors import BadInput, NotFound, Refused, StoreBusy, StoreError, StoreReadOnly
from leadcard.i18n import _
from leadcard.model import Role
from leadcard.schedule import DERIVATION
from leadcard.domain.session import Session, derivation_version, older_derivation
from leadcard.store import SCHEMA_VERSION, DatabaseError, of_the_moment
from leadcard.store import exchange as sql
from leadcard.store import server_care
from leadcard.store.postgres import database_name, is_server, shown_url
from leadcard.domain.exchange.targets import refuse_store_files


@dataclass(frozen=True)
class Health:
    path: str
    integrity: list[str]  # ["ok"] when sound
    foreign_keys: list[str]  # rows pointing at nothing
    schema_version: int
    expected_version: int
    missing_tables: list[str]
    counts: dict[str, int]
    unknown_objects: list[str] = field(default_factory=list)  # triggers, tables … leadcard did not make
    missing_objects: list[str] = field(default_factory=list)  # its own it lacks (an append-only trigger …)
    read_only: bool = False  # this login may read the file, not write it: not a fault of the store
    derivation: str | None = None  # the schedules' derivation version, as noted in the store (None: not noted)

    @property
    def damaged(self) -> bool:
        return self.integrity != ["ok"] or bool(self.foreign_keys)

    @property
    def sound(self) -> bool:
        """Whole, and as leadcard's migrations made it: an older leadcard's store too, which the next
        command upgrades, but not a newer one's, which this one cannot read."""
        return (not self.damaged and not self.missing_tables and 0 < self.schema_version <= self.expected_version
                and not self.unknown_objects and not self.missing_objects)

    @property
    def upgrade_pending(self) -> bool:
        return 0 < self.schema_version < self.expected_version

    @property
    def derivation_version(self) -> int | None:
        return derivation_version(self.derivation)

    @property
    def expected_derivation(self) -> int:
        return DERIVATION

    @property
    def rederive_pending(self) -> bool:
        """The next command computes every card's schedule again (README "After an upgrade"): a sound
        store whose schedules an older version of the rules computed, or one from before it was noted."""
        return self.sound and older_derivation(self.derivation)

    @property
    def newer(self) -> bool:
        """Written by a newer leadcard: upgrade leadcard (a backup would lose what was written since)."""
        return self.schema_version > self.expected_version


@dataclass(frozen=True)
class Copy:
    """What backup wrote, or what restore put in place (and where the store it replaced went)."""

    path: str
    health: Health
    kept: str | None = None


def doctor(path: Path | str) -> Health:
    """Checks the store's file read-only, as it is: doctor must work on a store that no longer opens.
    A store on a server is checked from the server's catalog."""
    if is_server(path):
        return Health(shown_url(path), **server_care.check(path))
    path = Path(path)
    if not path.is_file():
        raise NotFound(_("{path} 没有数据库").format(path=path))
    return Health(str(path), **sql.check_file(path))


def backup(session: Session, target: Path) -> Copy:
    """A consistent copy through SQLite's online backup API, safe while others write; 0600."""
    store = session.store
    session.require_role(Role.MANAGER, doing=_("给整个数据库做备份"))
    target = Path(target)
    refuse_store_files(store.path, target)
    with replacing(target) as temp:
        if store.server:  # pg_dump takes one snapshot of a store the server keeps whole
            server_care.dump(store.url, temp)
            return Copy(str(target), Health(str(target), **server_care.check(store.url)))
        store.backup_to(temp)
        health = Health(str(target), **sql.check_file(temp))
        # A copy of a store holding objects leadcard did not make is still the data: written, and
        # `doctor` names them; only a damaged copy is refused.
        if health.damaged:
            raise Refused(_("副本没有通过检查（{problems}）；没有写入 {target}").format(
                problems="; ".join(health.integrity), target=target))
    return Copy(str(target), health)


def restore(open_session: Callable[[], Session], db_path: Path, source: Path, now: datetime) -> Copy:
    """Put a backup in place of the store, keeping the store it replaces beside it.

    Refuses a file that is not a sound leadcard store. Works on a store that no longer opens
    (that is when a restore is needed most): its file is then moved aside as it is.
    """
    source = Path(source)
    if not source.is_file():
        raise BadInput(_("没有文件 {path}").format(path=source))
    if is_server(db_path):
        return _restore_on_server(open_session, db_path, source, now)
    _refuse_unsound(source)
    if not os.access(db_path.parent, os.W_OK):  # the store it replaces is kept beside it
        raise StoreReadOnly(_("无法在 {directory} 里写入（数据库所在目录只读）：没有恢复").format(directory=db_path.parent))
    kept = _unused(db_path.with_name(f"{db_path.name}.before-restore-{now:%Y%m%d-%H%M%S}.bak"))
    try:
        session = open_session()
    except (StoreBusy, StoreReadOnly):
        raise  # a store in use or not this login's to write is no damaged store: nothing is moved
    except (StoreError, DatabaseError) as exc:
        if isinstance(exc, DatabaseError) and of_the_moment(exc):
            raise
        session = None
    if session is not None:
        session.require_role(Role.MANAGER, doing=_("用备份恢复数据库"))
        store = session.store
        store.backup_to(kept)
        sql.copy_into(source, store)
        store.close()
    else:
        for suffix in ("", "-wal", "-shm"):
            damaged = Path(f"{db_path}{suffix}")
            if damaged.exists():
                os.replace(damaged, Path(f"{kept}{suffix}"))
        sql.copy_file(source, db_path)
    restored = open_session()  # opening migrates a backup made by an older leadcard
    restored.store.close()
    return Copy(str(db_path), doctor(db_path), str(kept))


def _restore_on_server(open_session: Callable[[], Session], url: str, source: Path, now: datetime) -> Copy:
    """pg_restore of a `backup` taken on a server, in one transaction; the store it replaces is
    dumped first beside the backup."""
    if not server_care.is_dump(source):
        raise Refused(_("{path} 不是 PostgreSQL 上的 leadcard 备份（`leadcard backup` 在服务器上做的）：没有恢复")
                      .format(path=source))
    session = open_session()
    session.require_role(Role.MANAGER, doing=_("用备份恢复数据库"))
    kept = _unused(source.with_name(f"{database_name(url)}.before-restore-{now:%Y%m%d-%H%M%S}.dump"))
    server_care.dump(url, kept)
    session.store.close()
    server_care.load(url, source)
    restored = open_session()  # opening migrates a backup made by an older leadcard
    restored.store.close()
    return Copy(shown_url(url), doctor(url), str(kept))


def _unused(path: Path) -> Path:
    """The path, or the path numbered -2, -3 …: a kept store never overwrites an earlier one."""
    number = 1
    candidate = path
    while any(Path(f"{candidate}{suffix}").exists() for suffix in ("", "-wal", "-shm")):
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


def _refuse_unsound(source: Path) -> None:
    health = Health(str(source), **sql.check_file(source))
    if "not a database" in health.integrity[0]:
        raise Refused(_("{path} 不是 leadcard 的数据库（不是 SQLite 数据库）").format(path=source))
    if health.integrity != ["ok"]:
        raise Refused(_("{path} 已损坏（{problem}）：没有恢复").format(path=source, problem=health.integrity[0]))
    if health.missing_tables or health.schema_version == 0:
        raise Refused(_("{path} 是 SQLite 文件，但不是 leadcard 的数据库：没有恢复").format(path=source))
    if health.schema_version > SCHEMA_VERSION:
        raise Refused(_("{path} 是更新版本的 leadcard 写的（结构版本 {version}）：请先升级").format(
            path=source, version=health.schema_version))
    if health.unknown_objects or health.missing_objects:
        # A trigger slipped into a backup would run inside every later command: never put it back.
        changed = [*health.unknown_objects, *(_("缺少 {name}").format(name=o) for o in health.missing_objects)]
        raise Refused(_("{path} 已不是 leadcard 建的样子（{changes}）：没有恢复；请用 `leadcard doctor --db {path}` 检查")
                      .format(path=source, changes=", ".join(changed[:5])))
