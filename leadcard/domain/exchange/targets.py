"""Where a command may write a file: never over the store, nor over the files SQLite keeps beside it.

An export, report, calendar or backup renamed over the store (or its write-ahead log) would
destroy it with exit 0; paths are compared resolved, and as the same file when both exist
(hard links, case-insensitive file systems).
"""

from __future__ import annotations

import os
from pathlib import Path

from leadcard.errors import Refused
from leadcard.i18n import _

# The store and what SQLite writes beside it: the write-ahead log, its index, a rollback journal.
STORE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def refuse_store_files(store: Path, target: Path | None) -> None:
    """Refused when `target` is the store or one of its companion files; nothing is written then."""
    if target is None or isinstance(store, str):  # a store on a server has no file to write over
        return
    target = Path(target)
    for base in dict.fromkeys((Path(store), Path(store).resolve())):
        for suffix in STORE_SUFFIXES:
            kept = Path(f"{base}{suffix}")
            if _same_file(kept, target):
                if not suffix:
                    raise Refused(_("{target} 就是数据库本身（{kept}）：请写到别的文件；什么也没写入").format(
                        target=target, kept=kept))
                raise Refused(_("{target} 是数据库的 {kind} 文件（{kept}）：请写到别的文件；什么也没写入").format(
                    target=target, kind=suffix[1:].upper(), kept=kept))


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False
