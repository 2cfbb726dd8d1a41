"""What the file system and SQLite's errors mean to the user: whether a login may write the store,
its files created private, and a database error told as busy, read-only, full or damaged."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from leadcard.errors import StoreBusy, StoreError, StoreReadOnly
from leadcard.i18n import _

# SQLite's primary result codes that are not damage: the store is fine, the moment or the disk is not.
_BUSY, _LOCKED, _READONLY, _FULL, _PERM, _CANTOPEN = 5, 6, 8, 13, 3, 14


def writable(path: Path) -> bool:
    """Whether this login may write the store: its file, and its directory unless the write-ahead
    log and its shared memory are already there to be written (SQLite creates them beside the file)."""
    path = Path(path)
    if not os.access(path, os.W_OK):
        return False
    beside = [Path(f"{path}{suffix}") for suffix in ("-wal", "-shm")]
    if all(p.exists() and os.access(p, os.W_OK) for p in beside):
        return True
    return os.access(path.parent, os.W_OK)


def create_private_file(path: Path) -> None:
    """Customer data stays private: the store and its backups are created 0600."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise StoreError(_("无法创建 {path}：{error}").format(path=path, error=exc.strerror)) from None
    os.close(fd)


def failed(exc: sqlite3.DatabaseError, may_write: bool = True) -> StoreError:
    """What a database error in the middle of a command means to the user. Only damage sends them
    to `doctor` and `restore`: restoring a backup over a store that was merely busy loses data.
    `may_write` False: the login may not write the file, so a WAL store that cannot be opened (its
    shared-memory file cannot be made) is read-only, not damaged."""
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    if code in (_BUSY, _LOCKED):
        return StoreBusy(_("数据库正忙（另一条命令正在写入）；请稍后重试"))
    if code in (_READONLY, _PERM) and getattr(exc, "on_server", False):
        return StoreReadOnly(_("这个 PostgreSQL 用户对数据库只有读权限，无法写入（请让数据库管理员授予它写权限）"))
    if code in (_READONLY, _PERM) or (code == _CANTOPEN and not may_write):
        return StoreReadOnly(_("当前登录用户对数据库只有读权限，无法写入（请检查数据库文件及其所在目录的权限）"))
    if code == _FULL:
        return StoreError(_("数据库所在磁盘已满：什么也没写入；请腾出空间后重试"))
    return StoreError(_("数据库读不出来（{error}）：请运行 `leadcard doctor` 检查；`leadcard restore BACKUP` "
                        "可用备份替换它").format(error=exc))


def busy(exc: sqlite3.DatabaseError) -> bool:
    """Whether another connection holds the lock the error met: the store is in use, not damaged."""
    return (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF in (_BUSY, _LOCKED)


def of_the_moment(exc: sqlite3.DatabaseError) -> bool:
    """Whether the error is the moment's or the login's (busy, read-only, a full disk), not the
    store's or the code's: what a best-effort write (a cache) may pass over."""
    return (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF in (_BUSY, _LOCKED, _READONLY, _PERM, _FULL)


def describe(exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    if "not a database" in text or "malformed" in text:
        return _("这个文件不是 leadcard 的数据库（不是 SQLite 数据库，或已损坏）")
    return text
