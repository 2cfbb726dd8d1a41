"""Where a line of Chinese may break, for the lean grid and for rich alike.

rich breaks a line only at blanks, and Chinese has none: a sentence is one "word", pushed whole to
a line of its own or cut anywhere, a price among it (`19` / `万`). Here a line may break between
two Chinese characters and at blanks, never inside a run of other characters — a number, a Latin
word, a model (`187,200元`, `2.0HS`) — which keeps the Chinese character right after it; closing
punctuation never starts a line and opening punctuation never ends one (避头尾).
"""

from __future__ import annotations

from typing import Iterator

_OPENING = frozenset("（【「『《〈〔［｛“‘")
_CLOSING = frozenset("，。、；：？！）】」』》〉〕］｝”’…")


def _wide(ch: str) -> bool:
    """CJK radicals to ideographs, Hangul, compatibility ideographs, vertical and full-width forms.
    Compared in line, the narrow characters first: a manager's list asks this of 300,000 characters."""
    return ch >= "\u2e80" and (ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af" or "\uf900" <= ch <= "\ufaff"
                               or "\ufe30" <= ch <= "\ufe4f" or "\uff00" <= ch <= "\uffef")


def _unit_end(text: str, start: int) -> int:
    """Where the unit that begins at `start` ends: the blanks there, opening marks, one run of
    characters that are neither wide nor blank with the wide character after it (or a wide character
    alone), closing marks and the blanks after them. `start` itself when only blanks that are not
    wide are left. (A
    regular expression says the same, but compiling its classes of wide characters costs 3 ms, a
    twentieth of the morning list's start.)"""
    end = len(text)
    if start < end:
        ch = text[start]
        # Most of a line of Chinese: a wide character alone, with the closing marks and blanks after it.
        if _wide(ch) and ch not in _OPENING and not ch.isspace():
            k = start + 1
            while k < end and text[k] in _CLOSING:
                k += 1
            while k < end and text[k].isspace():
                k += 1
            return k
    i = start
    while i < end and text[i].isspace():
        i += 1
    core = i
    while core < end and text[core] in _OPENING:
        core += 1
    if core == end or (text[core].isspace() and not _wide(text[core])):
        if core == i:  # nothing but blanks: a unit when one of them is wide (the ideographic space)
            return end if any(_wide(ch) for ch in text[start:end]) else start
        k = core  # the last opening mark is the unit's character, as nothing follows it on the line
    else:
        k = core
        while k < end and not text[k].isspace() and not _wide(text[k]):
            k += 1
        if k < end and _wide(text[k]):
            k += 1
    while k < end and text[k] in _CLOSING:
        k += 1
    while k < end and text[k].isspace():
        k += 1
    return k


def units(text: str) -> list[str]:
    """The text cut where a line may break, every character kept (blanks alone are one unit)."""
    found, position = [], 0
    for _start, end, unit in rich_words(text):
        found.append(unit)
        position = end
    if position < len(text):  # only blanks are left over: at the end, or all there is
        found.append(text[position:])
    return found


def rich_words(text: str) -> Iterator[tuple[int, int, str]]:
    """`rich._wrap.words` by these units: (start, end, the unit with its blanks)."""
    position = 0
    end = _unit_end(text, position)
    while end > position:
        yield position, end, text[position:end]
        position = end
        end = _unit_end(text, position)


def teach_rich() -> None:
    """rich's wrapping, by these units (its word splitter is module-level: a newer rich without it
    keeps its own, and tests/test_grid.py notices)."""
    from rich import _wrap

    if hasattr(_wrap, "words"):
        _wrap.words = rich_words
