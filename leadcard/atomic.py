"""Writing a file whole or not at all, and privately.

Top-level, beside errors and parse, because both sides write through it: rendering draws export
files and calendars, the domain copies backups, and rendering may not import the domain.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from leadcard.errors import BadInput
from leadcard.i18n import _


@contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """A temporary file beside the target, renamed over it once complete; a reader never sees half
    a file. It is private (0600, as mkstemp makes it) like the store, since it holds customer data."""
    target = Path(target)
    if not target.parent.is_dir():
        raise BadInput(_("无法写入 {target}：目录 {directory} 不存在").format(target=target, directory=target.parent))
    # Renamed over, a directory would fail and a device (/dev/null) or a pipe would be replaced.
    if target.exists() and not target.is_file():
        raise BadInput(_("无法写入 {target}：它不是普通文件").format(target=target))
    try:
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:  # a directory this login may not write
        raise BadInput(_("无法写入 {path}：{reason}").format(path=target, reason=exc.strerror)) from None
    os.close(fd)
    try:
        yield Path(temp)
        os.replace(temp, target)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
