"""Every word a person reads goes through `_()`.

Chinese is the source language: the floor reads Chinese, so a message is written in Chinese where it
is used, and `_()` returns it as it is — the default costs nothing, not even a catalog. With
`LEADCARD_LANG=en` the English catalog (`locale/en.po`, compiled to `locale/en.mo` by
`python tools/catalog.py compile`) gives each message in English: a command prints a few of its
1,200 messages, so each is looked up in the compiled file's sorted table when first asked for,
rather than all of them decoded by gettext at start-up (8 % of `leadcard today`'s instructions).
JSON keys, rule names, reasons and statuses are never translated.

A message with values keeps its placeholders named: `_("卡片 {ref} 已成交").format(ref=ref)`, so a
translation may put them in any order.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import Callable

CATALOGS = Path(__file__).parent / "locale"
_translate: Callable[[str], str] | None = None


def english() -> bool:
    return (os.environ.get("LEADCARD_LANG") or "").strip().lower().startswith("en")


def N_(message: str) -> str:
    """Marks a message for the catalog where it is defined (a table of labels read at import
    time), to be translated with `_()` where it is shown."""
    return message


def _(message: str) -> str:
    global _translate
    if _translate is None:
        _translate = _english_catalog() if english() else str
    return _translate(message)


def _english_catalog() -> Callable[[str], str]:
    """The English of a message, or the message when the catalog has none (as gettext answers).

    The .mo file (GNU format, little-endian, as tools/catalog.py writes it) holds the messages'
    UTF-8 bytes sorted, each with its translation: found by halving, decoded only when asked for."""
    mo = (CATALOGS / "en.mo").read_bytes()
    count, ids_at, strs_at = struct.unpack_from("<3I", mo, 8)
    found: dict[str, str] = {}

    def entry(table: int, i: int) -> bytes:
        length, offset = struct.unpack_from("<2I", mo, table + 8 * i)
        return mo[offset:offset + length]

    def translate(message: str) -> str:
        if message in found:
            return found[message]
        key = message.encode()
        low, high = 0, count
        while low < high:
            middle = (low + high) // 2
            if entry(ids_at, middle) < key:
                low = middle + 1
            else:
                high = middle
        text = entry(strs_at, low).decode() if low < count and entry(ids_at, low) == key else message
        found[message] = text
        return text

    return translate


def reset() -> None:
    """Read LEADCARD_LANG again (tests switch languages within one process)."""
    global _translate
    _translate = None
