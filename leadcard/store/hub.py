"""SQL of a dealer group's hub (集团汇总库): its registry of showrooms, and the PostgreSQL logical
replication that copies each showroom's store into a database of its own on the hub's server.

Logical replication matches tables by their schema-qualified name and cannot rename them: two
showrooms both publish `public.cards`, with ids that overlap. So each showroom replicates into a
replica database of its own (an exact copy of its store: the same migrations, then every row the
showroom has), and the hub reads each replica and merges the answers (leadcard.domain.hub_merge).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, tzinfo
from typing import NamedTuple

from leadcard.errors import StoreError
from leadcard.i18n import _
from leadcard.store import BUSY_TIMEOUT_MS, HUB_SETTING, SCHEMA_VERSION, UID_SETTING, Store, postgres, ts

# The publication of every table of a showroom's store, made once, whichever hubs subscribe to it.
PUBLICATION = "leadcard_hub"
# A showroom that cannot be reached within this many milliseconds is reported so (`hub list`).
REACH_MS = 3_000


class Showroom(NamedTuple):
    name: str
    dsn: str  # the showroom's store, without a password
    replica: str  # the database on the hub's server it replicates into
    slot: str  # its replication slot on the showroom's server; the subscription bears its name
    attached_at: datetime
    attached_by: str | None


class ReplicaState(NamedTuple):
    """How far a showroom's copy on the hub is: its tables copied (state `r` ready) of all, whether
    the subscription streams (its worker runs), and when the showroom was last heard from."""

    ready_tables: int
    tables: int
    enabled: bool
    streaming: bool
    last_message_at: datetime | None


# -- the hub's own tables ---------------------------------------------------------------------------


def mark_hub(store: Store) -> None:
    store.set_setting(HUB_SETTING, "1")


def has_data(store: Store) -> bool:
    """Whether a store holds cards or users: it is a showroom's, not a hub to be."""
    return store.conn.execute("SELECT EXISTS (SELECT 1 FROM cards) OR EXISTS (SELECT 1 FROM users)").fetchone()[0]


def showrooms(store: Store) -> list[Showroom]:
    rows = store.conn.execute(
        "SELECT h.*, u.name AS by_name FROM hub_showrooms h LEFT JOIN users u ON u.id = h.attached_by "
        "ORDER BY h.name").fetchall()
    return [Showroom(r["name"], r["dsn"], r["replica"], r["slot"], store.dt(r["attached_at"]), r["by_name"])
            for r in rows]


def register(store: Store, showroom: Showroom, by_id: int | None) -> None:
    store.conn.execute(
        "INSERT INTO hub_showrooms (name, dsn, replica, slot, attached_at, attached_by) VALUES (?, ?, ?, ?, ?, ?)",
        (showroom.name, showroom.dsn, showroom.replica, showroom.slot, ts(showroom.attached_at), by_id))


def unregister(store: Store, name: str) -> None:
    store.conn.execute("DELETE FROM hub_showrooms WHERE name = ?", (name,))


# -- the showroom's side: its publication and the slot a hub reads from ------------------------------


def publish(dsn: str, slot: str) -> None:
    """Makes the showroom's store ready to be read by a hub: it must be a leadcard store of this
    version on a server with `wal_level = logical`; its publication of every table is made if
    absent, and a replication slot for this hub. The slot is made here, on the showroom's server,
    not by CREATE SUBSCRIPTION: a subscription making its slot on its own server waits forever."""
    conn = postgres.connect(dsn, BUSY_TIMEOUT_MS)
    shown = postgres.shown_url(dsn)
    try:
        level = conn.execute("SHOW wal_level").fetchone()[0]
        if level != "logical":
            raise StoreError(_("{dsn} 所在服务器的 wal_level 是 {level}；逻辑复制需要 logical：在门店服务器的 postgresql.conf "
                               "里设 wal_level = logical，重启 PostgreSQL 后再接入").format(dsn=shown, level=level))
        version = postgres.schema_version(conn)
        if version == 0:
            raise StoreError(_("{dsn} 里没有 leadcard 的数据库").format(dsn=shown))
        if version != SCHEMA_VERSION:
            raise StoreError(_("{dsn} 的结构版本是 {version}，这个 leadcard 是 {known}：门店和集团要用同一版 leadcard")
                             .format(dsn=shown, version=version, known=SCHEMA_VERSION))
        if _setting(conn, HUB_SETTING) == "1":
            raise StoreError(_("{dsn} 是集团汇总库，不是门店的数据库").format(dsn=shown))
        if not postgres.run_admin(conn, "SELECT 1 FROM pg_publication WHERE pubname = {}", PUBLICATION):
            try:
                postgres.run_admin(conn, f"CREATE PUBLICATION {PUBLICATION} FOR ALL TABLES")
            except sqlite3.DatabaseError as exc:
                raise StoreError(_("{dsn} 还没有发布（publication）{publication}，连接的角色也无权建立（{reason}）：请在门店服务器上"
                                   "以 postgres 身份在该数据库里运行 CREATE PUBLICATION {publication} FOR ALL TABLES")
                                 .format(dsn=shown, publication=PUBLICATION, reason=exc)) from None
        try:
            postgres.run_admin(conn, "SELECT pg_create_logical_replication_slot({}, 'pgoutput')", slot)
        except sqlite3.DatabaseError as exc:
            raise StoreError(_("在 {dsn} 上建不了复制槽（{reason}）：连接的角色需要 REPLICATION 权限（ALTER ROLE … REPLICATION）")
                             .format(dsn=shown, reason=exc)) from None
    finally:
        conn.close()


def store_identity(dsn: str) -> str | None:
    """A showroom's store's own identity (its `store.uid`, migration 23), however its URL is spelled;
    None when it has none (nothing to compare: the publication's checks tell what it is)."""
    conn = postgres.connect(dsn, BUSY_TIMEOUT_MS, read_only=True)
    try:
        return _setting(conn, UID_SETTING) if postgres.schema_version(conn) else None
    finally:
        conn.close()


def replica_identity(hub: Store, showroom: Showroom) -> str | None:
    """The identity of the store an attached showroom's copy is of (its copy of `store.uid`); None
    when its copy cannot be read."""
    try:
        conn = postgres.connect(postgres.with_database(hub.url, showroom.replica), BUSY_TIMEOUT_MS, read_only=True)
    except StoreError:
        return None
    try:
        return _setting(conn, UID_SETTING)
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()


def drop_slot(dsn: str, slot: str) -> bool:
    """The hub's slot on the showroom's server dropped; False when the server cannot be reached
    (the slot then keeps the showroom's WAL until someone drops it there)."""
    try:
        conn = postgres.connect(dsn, REACH_MS)
    except StoreError:
        return False
    try:
        postgres.run_admin(conn, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                                 "WHERE slot_name = {}", slot)
        return True
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()


def lag_bytes(dsn: str, slot: str) -> int | None:
    """How much of the showroom's WAL the hub has not yet confirmed (bytes); None when the
    showroom's server cannot be reached or has no such slot."""
    try:
        conn = postgres.connect(dsn, REACH_MS)
    except StoreError:
        return None
    try:
        rows = postgres.run_admin(conn, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint "
                                        "FROM pg_replication_slots WHERE slot_name = {}", slot)
        return max(0, rows[0][0]) if rows and rows[0][0] is not None else None
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()


# -- the hub's side: the replica database and its subscription --------------------------------------


def check_room(hub: Store) -> None:
    """Each subscription on the hub's server keeps a worker of its own, and its first copy needs
    one more: a server out of workers would leave the new showroom copying forever."""
    busy, most = postgres.run_admin(
        hub.conn, "SELECT (SELECT count(*) FROM pg_subscription WHERE subenabled), "
                  "current_setting('max_logical_replication_workers')::int")[0]
    if busy + 2 > most:
        raise StoreError(_("集团服务器的 max_logical_replication_workers 是 {most}，已有 {busy} 个门店在同步：每个门店常驻一个复制"
                           "进程，首次复制还要至少一个；请调大它（和 max_worker_processes）后重启 PostgreSQL 再接入")
                         .format(most=most, busy=busy))


def make_replica(hub: Store, replica: str, tz: tzinfo) -> str:
    """A database on the hub's server holding an empty copy of the store's schema (this leadcard's
    migrations, every table then emptied, the schema version too, for the showroom's rows to fill);
    its URL, as the hub's role."""
    try:
        postgres.run_admin(hub.conn, f'CREATE DATABASE "{replica}"')
    except sqlite3.DatabaseError as exc:
        raise StoreError(_("集团服务器上建不了数据库 {replica}（{reason}）：接入门店的角色要有 CREATEDB 权限")
                         .format(replica=replica, reason=exc)) from None
    url = postgres.with_database(hub.url, replica)
    store = Store.open(url, tz, create=True)
    try:
        tables = [r[0] for r in store.conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")]
        postgres.run_admin(store.conn, "TRUNCATE " + ", ".join(f'"{t}"' for t in tables))
    finally:
        store.close()
    return url


def subscribe(replica_url: str, dsn: str, slot: str) -> None:
    """The replica subscribes to the showroom's publication through the slot made for it; the
    first copy of every table starts at once, then the changes stream."""
    conn = postgres.connect(replica_url, BUSY_TIMEOUT_MS)
    try:
        postgres.run_admin(conn, f"CREATE SUBSCRIPTION {slot} CONNECTION {{}} PUBLICATION {PUBLICATION} "
                                 "WITH (create_slot = false, slot_name = {})", dsn, slot)
    except sqlite3.DatabaseError as exc:
        raise StoreError(_("集团服务器订阅不了门店的数据库（{reason}）：建订阅要超级用户（PostgreSQL 16 起也可以是 "
                           "pg_create_subscription 的成员），集团服务器也要连得上门店服务器（见 README）")
                         .format(reason=exc)) from None
    finally:
        conn.close()


def drop_replica(hub: Store, replica: str, slot: str) -> bool:
    """The subscription and the replica database dropped. Whether the showroom's slot went with
    the subscription: when the showroom cannot be reached it is left there (see `drop_slot`)."""
    url = postgres.with_database(hub.url, replica)
    dropped = True
    try:
        conn = postgres.connect(url, BUSY_TIMEOUT_MS)
    except StoreError:
        conn = None  # no such database: nothing was subscribed there
    if conn is not None:
        try:
            if postgres.run_admin(conn, "SELECT 1 FROM pg_subscription WHERE subname = {}", slot):
                try:
                    postgres.run_admin(conn, f"DROP SUBSCRIPTION {slot}")
                except sqlite3.DatabaseError:
                    # The showroom is out of reach: the subscription goes, its slot stays there.
                    postgres.run_admin(conn, f"ALTER SUBSCRIPTION {slot} DISABLE")
                    postgres.run_admin(conn, f"ALTER SUBSCRIPTION {slot} SET (slot_name = NONE)")
                    postgres.run_admin(conn, f"DROP SUBSCRIPTION {slot}")
                    dropped = False
        finally:
            conn.close()
    postgres.run_admin(hub.conn, f'DROP DATABASE IF EXISTS "{replica}" WITH (FORCE)')
    return dropped


def replica_state(hub: Store, showroom: Showroom) -> ReplicaState | None:
    """The replica's subscription as the hub's server sees it; None when its database is gone."""
    try:
        conn = postgres.connect(postgres.with_database(hub.url, showroom.replica), BUSY_TIMEOUT_MS, read_only=True)
    except StoreError:
        return None
    try:
        return _state(conn, showroom.slot, hub)
    finally:
        conn.close()


def _state(conn, slot: str, store: Store) -> ReplicaState:
    ready, tables = postgres.run_admin(
        conn, "SELECT count(*) FILTER (WHERE srsubstate = 'r'), count(*) FROM pg_subscription_rel")[0]
    rows = postgres.run_admin(
        conn, "SELECT s.subenabled, w.pid IS NOT NULL, w.last_msg_receipt_time FROM pg_subscription s "
              "LEFT JOIN pg_stat_subscription w ON w.subid = s.oid AND w.relid IS NULL WHERE s.subname = {}", slot)
    enabled, streaming, heard = rows[0] if rows else (False, False, None)
    return ReplicaState(ready, tables, enabled, streaming, heard.astimezone(store.tz) if heard else None)


def open_replica(hub: Store, showroom: Showroom) -> Store:
    """A showroom's copy on the hub, to read: the server refuses any write on this connection
    (only replication writes there). Refused while its first copy is still being made, and when
    its schema is not this leadcard's."""
    url = postgres.with_database(hub.url, showroom.replica)
    conn = postgres.connect(url, BUSY_TIMEOUT_MS, read_only=True)
    try:
        state = _state(conn, showroom.slot, hub)
        if state.tables == 0 or state.ready_tables < state.tables:
            raise StoreError(_("门店 {name} 还在首次复制（{ready}/{tables} 张表已完成）：请稍后再试，进度见 `leadcard hub list`")
                             .format(name=showroom.name, ready=state.ready_tables, tables=state.tables))
        version = postgres.schema_version(conn)
        if version != SCHEMA_VERSION:
            raise StoreError(_("门店 {name} 的结构版本是 {version}，这个 leadcard 是 {known}：门店和集团要用同一版 leadcard"
                               "（门店升级后，请重新接入：`leadcard hub detach` 再 `leadcard hub attach`）")
                             .format(name=showroom.name, version=version, known=SCHEMA_VERSION))
    except BaseException:
        conn.close()
        raise
    store = Store(conn, postgres.shown_url(url), hub.tz)
    store.url = url
    return store


def _setting(conn, key: str) -> str | None:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None
