"""What every drawing shares: the console, the house table, JSON on stdout, the status words."""

from __future__ import annotations

import io
import json
import sys
from contextlib import contextmanager
from datetime import date, datetime
from functools import cache
from typing import IO, Any, Callable, Iterable, Iterator

from leadcard.usertext import JSON_ERRORS, JSON_RAW, LazyPattern, directions_written_out, legacy_encoding, shown



def at_showroom(row) -> dict:
    """A row a dealer group's hub merged names its showroom (JSON `showroom`); a showroom's own do not."""
    return {"showroom": row.showroom} if row.showroom is not None else {}


def who(row, name: str | None) -> str:
    """A person or a card as a table shows them: on a hub, after their showroom."""
    return f"{row.showroom} · {name or '—'}" if row.showroom is not None else name or "—"


def console(stderr: bool = False):
    """A rich console; rich itself drops colour when not a terminal or when NO_COLOR is set.

    What people typed is printed as it is: no markup (`[link=…]`, `[/]`) and no emoji codes are
    read in any text, and control characters are written out (`\\x1b`) in every string it lays
    out; styles are given as Text styles, never as markup.
    """
    return _console_class()(stderr=stderr, highlight=False, markup=False, emoji=False)


@cache
def _console_class():
    from rich.console import Console

    from leadcard.render.linebreak import teach_rich

    teach_rich()

    class PlainConsole(Console):
        def render_str(self, text: str, **options):
            return super().render_str(shown(text), **options)

    return PlainConsole


class Entries:
    """Short items (无下次4, 敷衍=vague-record) laid out in lines as wide as rich gives, wrapped
    between items only: rich and the line-break rules would cut 无下次 from its 4, a label from its
    name. An item wider than the line is left to rich to fold."""

    def __init__(self, items: Iterable[str], sep: str = " ", style: str = ""):
        self.items, self.sep, self.style = [shown(i) for i in items], sep, style

    def __rich_measure__(self, console, options):
        from rich.cells import cell_len
        from rich.measure import Measurement

        widths = [cell_len(i) for i in self.items]
        return Measurement(max(widths, default=0), sum(widths) + cell_len(self.sep) * max(len(widths) - 1, 0))

    def __rich_console__(self, console, options):
        from rich.cells import cell_len
        from rich.text import Text

        room, gap = options.max_width, cell_len(self.sep)
        lines: list[list[str]] = []
        used = 0
        for item in self.items:
            width = cell_len(item)
            if lines and used + gap + width <= room:
                lines[-1].append(item)
                used += gap + width
            else:
                lines.append([item])
                used = width
        yield Text("\n".join(self.sep.join(line) for line in lines), style=self.style)


def text(value: str, style: str = ""):
    """A rich Text of something a person typed, its control characters written out."""
    from rich.text import Text

    return Text(shown(value), style=style)


def iso(moment: datetime | date | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def print_json(data: Any) -> None:
    json_writer(sys.stdout)(dumps(data, indent=2) + "\n")


@contextmanager
def file_on_stdout(encoding: str = "utf-8") -> Iterator[IO[str]]:
    """Standard output as a file's bytes (a CSV or a calendar sent to a file or a pipe): in `encoding`
    whatever the console's code page, which would turn what it lacks into signs, and with the file's
    own line ends, which Windows' text mode would double."""
    sys.stdout.flush()
    out = io.TextIOWrapper(sys.stdout.buffer, encoding=encoding, newline="")
    try:
        yield _OnTerminal(out) if sys.stdout.isatty() else out
    finally:
        out.flush()
        out.detach()


class _OnTerminal:
    """A file's text written to a terminal, where someone reads it: its direction overrides written out."""

    def __init__(self, out: IO[str]):
        self.out = out

    def write(self, text: str) -> int:
        return self.out.write(directions_written_out(text))


def bytes_on_stdout(data: bytes) -> None:
    """A whole file's bytes on standard output, as `file_on_stdout` writes them (UTF-8)."""
    if sys.stdout.isatty():
        data = directions_written_out(data.decode("utf-8")).encode("utf-8")
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def json_writer(stream: IO[str]) -> Callable[[str], Any]:
    """The stream's write, for JSON: on a code page (a Windows PC's output redirected, in GBK), each
    character it lacks is written as JSON's own escape, so the document stays exact."""
    encoding = legacy_encoding(stream)
    if encoding is None:
        return stream.write
    write = stream.write
    return lambda text: write(text.encode(encoding, JSON_ERRORS).decode(encoding))


def dumps(data: Any, indent: int | None = None, default: Callable[[Any], Any] = iso) -> str:
    """JSON with DEL, C1 and the bidirectional overrides as \\u escapes, never raw on a terminal:
    the same document to whatever reads it; `indent` as json.dumps indents, `default` as it calls."""
    return unprintable_escaped(_compact(data, default) if indent is None
                               else _indented(data, default, " " * indent, "\n"))


def unprintable_escaped(text: str) -> str:
    """JSON text with DEL, C1 and the bidirectional overrides written as \\u escapes."""
    # Every character escaped here is unprintable: a printable text (a row of a long list, most
    # often) is told so at C speed, three times faster than the search.
    return text if text.isprintable() else JSON_RAW.sub(_json_escape, text)


def _compact(value: Any, default: Callable[[Any], Any], separators: tuple[str, str] | None = None) -> str:
    return _encoder(default, separators)(value)


@cache
def _encoder(default: Callable[[Any], Any], separators: tuple[str, str] | None) -> Callable[[Any], str]:
    """What json.dumps writes, by an encoder made once: json.dumps makes one at each call given any
    option, and an indented trend writes ten thousand small lists and objects. JSONEncoder.encode
    still makes its C encoder anew at each call (about 2 µs, a fifth of what a row of the manager's
    `today --json` takes to encode), so the C encoder is made here, as JSONEncoder makes it, without
    the check for circular references (what is written holds none; one would recurse until Python
    stops it)."""
    encoder = json.JSONEncoder(ensure_ascii=False, default=default, separators=separators)
    make = json.encoder.c_make_encoder
    if make is None:  # a Python without json's C module
        return encoder.encode
    chunks = make(None, default, json.encoder.encode_basestring, None, encoder.key_separator,
                  encoder.item_separator, False, False, True)
    return lambda value: "".join(chunks(value, 0))


_PLAIN = (str, int, float, type(None), date)  # datetime is a date


def _indented(value: Any, default: Callable[[Any], Any], step: str, margin: str) -> str:
    """What json.dumps(value, indent=…) writes, faster: json indents in pure Python (a quarter of a
    second over a trend's series), so each list or object that holds only plain values is written
    by the C encoder, its items separated by a line break and the margin."""
    if isinstance(value, dict):
        items, opening, closing = value.values(), "{", "}"
    elif isinstance(value, (list, tuple)):
        items, opening, closing = value, "[", "]"
    else:
        return _compact(value, default)
    if not value:
        return opening + closing
    inner = margin + step
    if all(isinstance(item, _PLAIN) for item in items):
        return opening + inner + _compact(value, default, ("," + inner, ": "))[1:-1] + margin + closing
    if opening == "[":
        body = ("," + inner).join(_indented(item, default, step, inner) for item in value)
    else:
        body = ("," + inner).join(f"{_compact(_key(key, default), default)}: {_indented(item, default, step, inner)}"
                                  for key, item in value.items())
    return opening + inner + body + margin + closing


def _key(key: Any, default: Callable[[Any], Any]) -> str:
    """An object's key as json writes it: text, or the JSON of a number, truth value or null."""
    return key if isinstance(key, str) else _compact(key, default)


def _json_escape(match) -> str:
    return f"\\u{ord(match.group()):04x}"


_ROWS = "\ue000rows\ue000"  # where a list of rows goes in the document (a private-use character: in no data)
_ROWS_AT = LazyPattern(f'"{_ROWS}(\\d+)"')
_ROWS_WRITTEN = 100  # rows of a list gathered into one write


class Rows:
    """A long list inside a JSON document, written a row at a time by `print_json_streamed`;
    `encoded`: its rows are JSON text already (`unprintable_escaped`), written as they are."""

    def __init__(self, rows: Iterable[dict] | Iterable[str], encoded: bool = False):
        self.rows, self.encoded = rows, encoded


def print_json_rows(rows: Iterable[dict], data: dict | None = None, key: str | None = None) -> None:
    """A long list as one document: the list alone, or in `data` at `key`'s place."""
    print_json_streamed(Rows(rows) if data is None else {**data, key: Rows(rows)})


def print_json_streamed(document: Any) -> None:
    """A document indented as `print_json` writes it, with each of its `Rows` one row a line, written
    as it comes. The indenting encoder is pure Python and would take seconds over a big store's
    rows; the C encoder writes a row at a time."""
    lists: list[Rows] = []

    def placeholder(value):
        if isinstance(value, Rows):
            lists.append(value)
            return f"{_ROWS}{len(lists) - 1}"
        return iso(value)

    pieces = _ROWS_AT.split(dumps(document, indent=2, default=placeholder))
    write = json_writer(sys.stdout)
    for text, number in zip(pieces[::2], pieces[1::2]):
        write(text + "[")
        line = text[text.rfind("\n") + 1:]
        margin = line[:len(line) - len(line.lstrip(" "))]
        separator = ""
        # Written a hundred rows at a time: on an unbuffered stdout (PYTHONUNBUFFERED, which
        # container images often set) each write is a system call.
        pending: list[str] = []
        rows = lists[int(number)]
        for row in rows.rows:
            pending.append(f"{separator}\n{margin}  {row if rows.encoded else dumps(row)}")
            separator = ","
            if len(pending) == _ROWS_WRITTEN:
                write("".join(pending))
                pending.clear()
        write("".join(pending) + (f"\n{margin}]" if separator else "]"))
    write(pieces[-1] + "\n")


def new_table():
    """The house table: a rule under the header, no vertical lines, one space between columns,
    so that eight columns of Chinese fit in 80."""
    from rich import box
    from rich.table import Table

    return Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True,
                 padding=(0, 1), header_style="bold")
