"""Where a line of Chinese may break, for the lean grid and for rich alike.

rich breaks a line only at blanks, and Chinese has none: a sentence is one "word", pushed whole to
a line of its own or cut anywhere, a price among it (`19` / `万`). Here a line may break between
two Chinese characters and at blanks, never inside a run of other characters — a number, a Latin
word, a model (`187,200元`, `2.0HS`) — which keeps the Chinese character right after it; closing
punctuation never starts a line and opening punctuation never ends one (避头尾).
"""

from __future__ import annotations

from typing import Iterator

from leadcard.usertext import LazyPattern

# Wide characters: CJK radicals to ideographs, Hangul, compatibility ideographs, vertical and
# full-width forms.
_WIDE = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_OPENING = "（【「『《〈〔［｛“‘"
_CLOSING = "，。、；：？！）】」』》〉〕］｝”’…"
# A unit and the blanks after it (the first also takes the blanks before it).
UNIT = LazyPattern(rf"\s*[{_OPENING}]*(?:[^\s{_WIDE}]+[{_WIDE}]?|[{_WIDE}])[{_CLOSING}]*\s*")


def units(text: str) -> list[str]:
    """The text cut where a line may break, every character kept (blanks alone are one unit)."""
    found = [m.group() for m in UNIT.finditer(text)]
    taken = sum(len(u) for u in found)
    if taken < len(text):  # only blanks are left over: at the end, or all there is
        found.append(text[taken:])
    return found


def rich_words(text: str) -> Iterator[tuple[int, int, str]]:
    """`rich._wrap.words` by these units: (start, end, the unit with its blanks)."""
    position = 0
    match = UNIT.match(text, position)
    while match is not None and match.end() > position:
        yield match.start(), match.end(), match.group()
        position = match.end()
        match = UNIT.match(text, position)


def teach_rich() -> None:
    """rich's wrapping, by these units (its word splitter is module-level: a newer rich without it
    keeps its own, and tests/test_grid.py notices)."""
    from rich import _wrap

    if hasattr(_wrap, "words"):
        _wrap.words = rich_words
