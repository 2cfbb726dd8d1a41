"""A dealer group's hub (集团汇总库): made by `init --hub` on a PostgreSQL database, fed by `hub
attach` with each showroom's store (logical replication into a copy of its own on the hub's
server), read by the group's managers across showrooms or, with `--showroom`, one at a time.

A hub is read-only: its copies are written by replication alone, and every command that would
write a showroom's records is refused on it. What it keeps of its own is its users (the group's
managers, role `group`) and the showrooms attached.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Callable, NamedTuple, TypeVar

from leadcard.domain.session import Session, store_policy
from leadcard.errors import BadInput, NotAllowed, NotFound, Refused
from leadcard.i18n import _
from leadcard.model import Role
from leadcard.store import hub as sql
from leadcard.store import postgres
from leadcard.store.hub import ReplicaState, Showroom
from leadcard.usertext import check_text

T = TypeVar("T")
# A showroom's name is shown in every merged row: short, one line.
NAME_LENGTH = 40


class Across(NamedTuple):
    """A reading command on a hub without --showroom: the hub's session and the showrooms to read."""

    hub: Session
    showrooms: list[Showroom]


class ShowroomState(NamedTuple):
    showroom: Showroom
    state: ReplicaState | None  # None: its copy on the hub's server is gone
    lag_bytes: int | None  # None: the showroom's server could not be asked


class Detached(NamedTuple):
    showroom: Showroom
    slot_dropped: bool  # False: the showroom's server was out of reach, its slot is left there


def init_hub(session: Session) -> list[ShowroomState]:
    """Makes an empty PostgreSQL store a dealer group's hub (again: nothing changes)."""
    store = session.store
    if not store.server:
        raise Refused(_("集团汇总库要建在 PostgreSQL 上：请用 --db postgresql://… 指向集团服务器上的一个空数据库"))
    if store.is_hub():
        return list_showrooms(session)
    if sql.has_data(store):
        raise Refused(_("{path} 已有卡片或用户：集团汇总库要建在一个空的数据库上").format(path=store.path))
    with store.transaction():
        sql.mark_hub(store)
    return []


def attach(session: Session, name: str, dsn: str) -> ShowroomState:
    """Subscribes the hub to a showroom's store: its publication and a slot on the showroom's
    server, a replica database on the hub's, the subscription, and the showroom in the registry.
    Whatever fails half-way is undone, on both servers."""
    store = _hub(session)
    session.require_role(Role.MANAGER, doing=_("接入门店"))
    name = check_text((name or "").strip(), _("门店名"), line=True)
    if not name or len(name) > NAME_LENGTH:
        raise BadInput(_("门店名要有 1 到 {most} 个字").format(most=NAME_LENGTH))
    if not postgres.is_server(dsn):
        raise BadInput(_("门店的数据库要写成 postgresql://用户@服务器/数据库（密码放在 ~/.pgpass 里）"))
    identity = sql.store_identity(dsn)
    _unattached(store, name, postgres.shown_url(dsn), identity)
    import secrets

    token = secrets.token_hex(4)
    slot = f"leadcard_hub_{token}"
    replica = f"{re.sub(r'[^a-z0-9_]', '', postgres.database_name(store.url).lower())[:30]}__{token}"
    showroom = Showroom(name, postgres.shown_url(dsn), replica, slot, session.now, None)
    sql.check_room(store)
    sql.publish(dsn, slot)
    try:
        url = sql.make_replica(store, replica, session.tz)
        sql.subscribe(url, dsn, slot)
        with store.transaction():  # under the store's write lock: another attach of the name waits, then is refused
            _unattached(store, name, showroom.dsn, identity)
            sql.register(store, showroom, session.actor_id)
    except BaseException:
        _undo(store, dsn, replica, slot)
        raise
    return ShowroomState(showroom._replace(attached_by=session.actor.name if session.actor else None),
                         sql.replica_state(store, showroom), sql.lag_bytes(dsn, slot))


def _unattached(store, name: str, dsn: str, identity: str | None) -> None:
    """A showroom is attached once: by its name, and by its store (counted twice, it would double the
    group's figures) — by its URL, and by the store's own identity whatever spelling of the URL
    reaches it (another host name, a parameter more)."""
    attached = sql.showrooms(store)
    if any(showroom.name == name for showroom in attached):
        raise Refused(_("门店 {name} 已经接入（见 `leadcard hub list`）").format(name=name))
    same = next((showroom for showroom in attached if showroom.dsn == dsn), None) or next(
        (showroom for showroom in attached if identity is not None and sql.replica_identity(store, showroom) == identity),
        None)
    if same is not None:
        raise Refused(_("{dsn} 已经作为门店 {name} 接入").format(dsn=dsn, name=same.name))


def _undo(store, dsn: str, replica: str, slot: str) -> None:
    """A half-made attachment taken apart, quietly: the error that stopped it is the one to tell."""
    try:
        sql.drop_replica(store, replica, slot)
    except Exception:  # noqa: BLE001 (the replica may never have been made)
        pass
    sql.drop_slot(dsn, slot)


def detach(session: Session, name: str) -> Detached:
    """The showroom's subscription, its replica and its slot dropped; the showroom's own store is
    not touched (its publication stays, for other hubs)."""
    store = _hub(session)
    session.require_role(Role.MANAGER, doing=_("移除门店"))
    showroom = _showroom(store, name)
    dropped = sql.drop_replica(store, showroom.replica, showroom.slot)
    with store.transaction():
        sql.unregister(store, showroom.name)
    return Detached(showroom, dropped)


def list_showrooms(session: Session) -> list[ShowroomState]:
    """Each showroom attached, with its copy's state and how far behind the showroom it is."""
    store = _hub(session)
    reader(session)
    return [ShowroomState(s, sql.replica_state(store, s), sql.lag_bytes(s.dsn, s.slot)) for s in sql.showrooms(store)]


def narrow(session: Session, command: str, kind: str, showroom: str | None) -> Session | Across:
    """What a command reads on this store. Elsewhere than on a hub: the session itself (and
    --showroom is a mistake). On a hub, by the command's `kind`: "own" works on the hub itself
    (its users, its showrooms); "write" is refused; "read" reads one showroom (--showroom);
    "merge" reads one, or every showroom to be merged (`Across`). Only the group's managers and
    the hub's managers read a hub."""
    if not session.store.is_hub():
        if showroom is not None:
            raise BadInput(_("--showroom 只用于集团汇总库（`leadcard init --hub`）"))
        return session
    if kind == "own":
        if showroom is not None:
            raise BadInput(_("`{command}` 作用于集团汇总库本身，不用 --showroom").format(command=command))
        return session
    if kind == "write":
        raise Refused(_("这是集团汇总库，只能读：`{command}` 请在门店自己的数据库上运行").format(command=command))
    reader(session)
    if showroom is not None:
        return showroom_session(session, showroom)
    if kind != "merge":
        raise Refused(_("在集团汇总库上，`{command}` 一次读一个门店：请加 --showroom 门店名（{names}）").format(
            command=command, names=_names(session)))
    showrooms = sql.showrooms(session.store)
    if not showrooms:
        raise Refused(_("集团汇总库还没有接入门店：用 `leadcard hub attach 门店名 postgresql://…` 接入"))
    return Across(session, showrooms)


def reader(session: Session) -> None:
    actor = session.actor
    if actor is not None and actor.role not in (Role.GROUP, Role.MANAGER):
        raise NotAllowed(_("{actor} 不是集团或经理角色：集团汇总库只给集团的经理看").format(actor=actor.name))


def showroom_session(session: Session, name: str) -> Session:
    """A session on one showroom's copy, reading everything in it (the group sees every team)."""
    return _session_on(session, _showroom(session.store, name))


def each(across: Across, build: Callable[[Session], T], per_showroom: str | None = None) -> list[tuple[str, T]]:
    """`build` on each showroom's copy in turn, each copy closed once read (a stream read to its
    end first: a group has more showrooms than a server has connections to spare). `per_showroom`
    names an option given that means something in one showroom only (`--owner`: a consultant)."""
    if per_showroom is not None:
        raise BadInput(_("在集团汇总库上，{option} 要和 --showroom 一起用").format(option=per_showroom))
    built = []
    for showroom in across.showrooms:
        session = _session_on(across.hub, showroom)
        try:
            result = build(session)
            built.append((showroom.name, list(result) if isinstance(result, Iterator) else result))
        finally:
            session.store.close()
    return built


def _session_on(hub: Session, showroom: Showroom) -> Session:
    store = sql.open_replica(hub.store, showroom)
    return Session(store, store_policy(store), hub.now, hub.tz, None)


def _hub(session: Session):
    if not session.store.is_hub():
        raise Refused(_("{path} 不是集团汇总库：请先 `leadcard init --hub`").format(path=session.store.path))
    return session.store


def _showroom(store, name: str) -> Showroom:
    found = next((s for s in sql.showrooms(store) if s.name == name), None)
    if found is None:
        raise NotFound(_("没有接入名为“{name}”的门店（见 `leadcard hub list`）").format(name=name))
    return found


def _names(session: Session) -> str:
    names = [s.name for s in sql.showrooms(session.store)]
    return _("门店：{names}").format(names=_("、").join(names)) if names else _("还没有接入门店")
