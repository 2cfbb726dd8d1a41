"""What people type stays data: checked before it is saved, shown escaped on a terminal, inert in a
spreadsheet.

Control characters (C0 but tab and line feed, DEL, C1) can move a terminal's cursor, recolour it
or hide what follows, and break an XLSX file; they are refused on the way in, and what a store
already holds is shown escaped (with the bidirectional overrides, which reorder a line). A cell
starting with = + - @ (or tab, CR) is a formula to Excel and LibreOffice (CSV injection, OWASP):
it is exported behind a quote, which import takes off again.
"""

from __future__ import annotations

import codecs
import re

from leadcard.errors import BadInput
from leadcard.i18n import _


class LazyPattern:
    """A regular expression compiled when first used, with the methods of `re.Pattern`: compiling
    one costs up to 0.3 ms, and a command uses few of the patterns its modules define."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._source = (pattern, flags)

    def __getattr__(self, name: str):
        method = getattr(re.compile(*self._source), name)
        setattr(self, name, method)  # found on the instance from now on
        return method


_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f"
# Refused in what is typed, written out in what is shown.
UNSAFE = LazyPattern(f"[{_CONTROL}]")
# A name, a tag, a grid cell: one line, so tab and line feed too.
UNSAFE_IN_LINE = LazyPattern(f"[\t\n{_CONTROL}]")
# On a terminal, also the bidirectional overrides, which reorder what follows them on the line.
_BIDI = "\u202a-\u202e\u2066-\u2069"
_UNSHOWN = LazyPattern(f"[{_CONTROL}{_BIDI}]")
_UNSHOWN_IN_LINE = LazyPattern(f"[\t\n{_CONTROL}{_BIDI}]")
# What JSON leaves raw (it escapes C0 only) and a terminal acts on.
JSON_RAW = LazyPattern(f"[\x7f-\x9f{_BIDI}]")
# What a spreadsheet reads as a formula; a quote before it keeps it text. Values that already start
# with quotes before such a character get one more, so that import's removal of one quote is exact.
_FORMULA = LazyPattern(r"'*[=+\-@\t\r]")
_QUOTED_FORMULA = LazyPattern(r"'+[=+\-@\t\r]")


def escaped(ch: str) -> str:
    """A control character as a reader sees it: `\\x1b`, `\\n`, `\\u202e`."""
    return repr(ch)[1:-1] if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def _escaped_match(match: re.Match) -> str:
    return escaped(match.group())


def shown(text: str, *, line: bool = False) -> str:
    """Text for a terminal: control characters written out (`\\x1b`), never sent; `line` escapes
    tab and line feed too, for a table cell or a one-line message."""
    if text.isprintable():  # the usual case, at C speed
        return text
    return (_UNSHOWN_IN_LINE if line else _UNSHOWN).sub(_escaped_match, text)


def check_text(value: str | None, what: str, *, line: bool = False) -> str | None:
    """The value, if it holds no control character (and, for `line`, no tab or line break); else bad
    input. `what` names the value for the message, already translated."""
    if value is None or value.isprintable():  # control characters, tab and line feed are not printable
        return value
    found = (UNSAFE_IN_LINE if line else UNSAFE).search(value)
    if found is not None:
        raise BadInput(_("{what}含有控制字符（{character}）：请输入纯文本").format(what=what, character=escaped(found.group())))
    return value


# What a shell reads as more than a word: blanks, quotes, expansions, globs, redirections, comments.
_SHELL_SPECIAL = LazyPattern(r"[\s'\"\\$`!&|;<>()*?\[\]{}~#]")


def shell_word(text: str) -> str:
    """Text for a command line a person is told to run: as it is when a shell takes it as one word
    (Chinese names stay readable), else quoted — a name is never run as a command or a glob."""
    if text and not _SHELL_SPECIAL.search(text):
        return text
    import shlex

    return shlex.quote(text)


def directions_written_out(text: str) -> str:
    """A file's text shown on a terminal: the direction overrides written out (`\\u202e`), which
    would reorder the reader's line; the file itself keeps them, as typed."""
    return _DIRECTIONS.sub(_escaped_match, text)


_DIRECTIONS = LazyPattern(f"[{_BIDI}]")


def to_cell(value):
    """A value for a CSV or XLSX cell: text that a spreadsheet would take for a formula starts with
    a quote, control characters are written out (XLSX cannot hold them); other values as they are."""
    if value.__class__ is not str or not value:
        return value
    value = UNSAFE.sub(_escaped_match, value)
    return "'" + value if _FORMULA.match(value) else value


def from_cell(text: str) -> str:
    """A cell's text as export had it: the one quote `to_cell` put before a formula character removed."""
    return text[1:] if text[:1] == "'" and _QUOTED_FORMULA.match(text) else text


# -- a console in a legacy code page ------------------------------------------------------------------
# A Windows PC's output redirected to a file or piped to `more` is written in its code page (GBK,
# cp936), which lacks a few of our signs and much of what customers' names may hold (an emoji): a
# command must not die half-way through its output for one of them.
_SIGNS = {"↳": "└", "✓": "√", "✗": "×"}


def _sign_for(error: UnicodeError) -> tuple[str, int]:
    """Our signs as the code page's nearest, anything else it lacks as `?`."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    signs = []
    for char in error.object[error.start:error.end]:
        sign = _SIGNS.get(char, "?")
        try:
            sign.encode(error.encoding)
        except UnicodeEncodeError:
            sign = "?"
        signs.append(sign)
    return "".join(signs), error.end


def _json_escape_for(error: UnicodeError) -> tuple[str, int]:
    """What the code page lacks as JSON's own escapes (`\\ud83d\\ude00`): the document stays exact."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    escapes = []
    for char in error.object[error.start:error.end]:
        code = ord(char)
        if code > 0xFFFF:  # JSON names a character beyond the first plane by its UTF-16 surrogates
            code -= 0x10000
            escapes.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            escapes.append(f"\\u{code:04x}")
    return "".join(escapes), error.end


# The names of the two ways, for `str.encode(…, errors=…)` and a stream's `errors`.
SIGN_ERRORS, JSON_ERRORS = "leadcard-sign", "leadcard-json"
codecs.register_error(SIGN_ERRORS, _sign_for)
codecs.register_error(JSON_ERRORS, _json_escape_for)


def legacy_encoding(stream) -> str | None:
    """The stream's encoding when it is not a Unicode one (a code page), else None."""
    encoding = getattr(stream, "encoding", None)
    if not encoding:
        return None
    return None if codecs.lookup(encoding).name.startswith("utf") else encoding


def bear_legacy_encoding(stream) -> None:
    """A stream in a code page writes what it lacks as `_sign_for` has it instead of failing."""
    if legacy_encoding(stream) is not None and hasattr(stream, "reconfigure"):
        stream.reconfigure(errors=SIGN_ERRORS)
