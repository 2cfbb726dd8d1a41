"""Every word a person reads goes through `_()`.

Chinese is the source language: the floor reads Chinese, so a message is written in Chinese where it
is used, and `_()` returns it as it is — the default costs nothing, not even a catalog. With
`LEADCARD_LANG=en` the English catalog (`locale/en.po`, compiled to `locale/en.mo` by
`python tools/catalog.py compile`) gives each message in English. JSON keys, rule names, reasons
and statuses are never translated.

A message with values keeps its placeholders named: `_("卡片 {ref} 已成交").format(ref=ref)`, so a
translation may put them in any order.
"""

from __future__ import annotations

import os
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
    import gettext

    with open(CATALOGS / "en.mo", "rb") as mo:
        return gettext.GNUTranslations(mo).gettext


def reset() -> None:
    """Read LEADCARD_LANG again (tests switch languages within one process)."""
    global _translate
    _translate = None
