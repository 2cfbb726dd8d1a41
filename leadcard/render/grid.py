"""A lean terminal table for the hot path (`leadcard today`).

rich's Table costs ~50 ms to import and ~2.5 ms a row to lay out on a showroom PC; the morning
list is read every day, so it is drawn here instead: widths measured in terminal cells by
`rich.cells` (CJK characters are two cells wide, never padded by len), one flexible column that
wraps, the others fitted with an ellipsis, ANSI styles only on a terminal without NO_COLOR.
"""

import os
import sys
from typing import NamedTuple

from rich.cells import cell_len

from leadcard.render.linebreak import units
from leadcard.usertext import shown

STYLES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36", "bold red": "1;31"}

Piece = tuple[str, str]  # (text, style name or "")
Cell = tuple[list[Piece], int]  # the pieces and their width in terminal cells


class Column(NamedTuple):
    title: str
    align: str = "left"  # or "right"
    max_width: int | None = None  # fitted with an ellipsis beyond this
    flexible: bool = False  # takes the remaining width and wraps
    min_width: int = 10


class Note(NamedTuple):
    lead: list[Piece]  # on the first line; its width in blanks on the lines wrapped after it
    pieces: list[Piece]


class Grid:
    def __init__(self, columns: list[Column]):
        self.columns = columns
        # Each cell is measured once, as it is added: (pieces, width in cells).
        self.rows: list[list[Cell] | Note] = []

    def add_row(self, *texts: str | list[Piece]) -> None:
        self.rows.append([_plain_cell(t) if isinstance(t, str) else _styled_cell(t) for t in texts])

    def add_note(self, lead: list[Piece], pieces: list[Piece]) -> None:
        """A line under the last row, across every column, wrapped to the table's width."""
        self.rows.append(Note(_shown(lead), _shown(pieces)))

    def render(self, width: int | None = None, colour: bool | None = None) -> str:
        width = width or terminal_width()
        colour = use_colour() if colour is None else colour
        widths = self._widths(width)
        layout = _Layout(self.columns, widths, colour)
        lines = [layout.first_line([_measured([(c.title, "bold")]) for c in self.columns])]
        full = min(width, sum(widths) + len(widths) - 1)
        lines.append("─" * full)
        for row in self.rows:
            if isinstance(row, Note):
                indent = _cell_text_len(row.lead)
                wrapped = _wrap(row.pieces, max(10, full - indent))
                lines += [_line_of((row.lead if n == 0 else [(" " * indent, "")]) + line, colour)
                          for n, (line, _) in enumerate(wrapped)]
                continue
            lines += layout.row_lines(row)
        return "\n".join(lines)

    def _widths(self, total: int) -> list[int]:
        natural = [max([cells(c.title)] + [row[i][1] for row in self.rows if not isinstance(row, Note)])
                   for i, c in enumerate(self.columns)]
        widths = [min(n, c.max_width) if c.max_width else n for n, c in zip(natural, self.columns)]
        flexible = [i for i, c in enumerate(self.columns) if c.flexible]
        spare = total - (len(widths) - 1) - sum(w for i, w in enumerate(widths) if i not in flexible)
        for i in flexible:
            widths[i] = max(self.columns[i].min_width, min(natural[i], spare // len(flexible)))
        return widths


class _Layout:
    """A grid's rows as lines at fixed widths. Only the flexible columns wrap, so a row's first line
    holds every cell and the lines after it only the flexible columns' further lines, at their place
    (in cells) after the blanks of the columns before them. A cell is fitted and padded once for a
    list (a list's grades, models and owners repeat)."""

    def __init__(self, columns: list[Column], widths: list[int], colour: bool):
        self.widths, self.colour = widths, colour
        self.right = [c.align == "right" for c in columns]
        self.flexible = [i for i, c in enumerate(columns) if c.flexible]
        self.starts = [sum(widths[:i]) + i for i in range(len(widths))]  # in cells, a blank between columns
        self.padded: dict[tuple, str] = {}

    def row_lines(self, row: list[Cell]) -> list[str]:
        stacks = {i: _wrap(row[i][0], self.widths[i], row[i][1]) for i in self.flexible}
        first = [stacks[i][0] if i in stacks else row[i] for i in range(len(row))]
        lines = [self.first_line(first)]
        for n in range(1, max((len(s) for s in stacks.values()), default=1)):
            line, cursor = [], 0
            for i, stack in stacks.items():
                if n < len(stack):
                    line += [" " * (self.starts[i] - cursor), self._cell(stack[n], i)]
                    cursor = self.starts[i] + self.widths[i]
            lines.append("".join(line).rstrip())
        return lines

    def first_line(self, row: list[Cell]) -> str:
        return " ".join([self._cell(cell, i) for i, cell in enumerate(row)]).rstrip()

    def _cell(self, cell: Cell, i: int) -> str:
        """The cell fitted to its column (an ellipsis where cut), padded to its width, styled."""
        width = self.widths[i]
        if not cell[0]:  # beside a cell wrapped onto more lines, most of a line's cells are empty
            return " " * width
        key = (*cell[0], i)
        found = self.padded.get(key)
        if found is None:
            pieces, used = _fit(cell, width)
            pad = " " * (width - used)
            if self.colour:
                text = "".join([styled(t, s, True) for t, s in pieces])
            else:  # the form written to a file or a pipe: most cells are one piece
                text = pieces[0][0] if len(pieces) == 1 else "".join([t for t, _s in pieces])
            found = self.padded[key] = pad + text if self.right[i] else text + pad
        return found


def wrapped(indent: int, text: str, width: int | None = None, first: int | None = None) -> list[str]:
    """Plain text indented by `indent` blanks (the first line by `first`, when given) and wrapped to
    the terminal's width (no colour)."""
    room = max(10, (width or terminal_width()) - max(indent, first or 0))
    text = shown(text, line=True)
    if 2 * len(text) <= room:  # fits however wide its characters are (two cells at most): one line, unmeasured
        lines = [text.rstrip()]
    else:
        lines = [_line_of(line, False) for line, _ in _wrap([(text, "")], room)]
    return [" " * (indent if n or first is None else first) + line for n, line in enumerate(lines)]


def _line_of(pieces: list[Piece], colour: bool) -> str:
    return "".join(styled(t, s, colour) for t, s in pieces).rstrip()


def terminal_width() -> int:
    """COLUMNS, else the terminal's width, else 80: shutil.get_terminal_size's rule, without the
    ~5 ms of compression modules that importing shutil costs the morning list."""
    try:
        columns = int(os.environ.get("COLUMNS", 0))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80


def use_colour() -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def styled(text: str, style: str, colour: bool) -> str:
    if not colour or not style or not text:
        return text
    return f"\x1b[{STYLES[style]}m{text}\x1b[0m"


def cells(text: str) -> int:
    """Terminal cells of the text; printable ASCII, most of a row, is one cell a character."""
    if text.isascii() and text.isprintable():
        return len(text)
    if len(text) > 4:
        return cell_len(text)
    # Wrapping measures Chinese a character or two at a time, the same few thousand over and over.
    found = _SHORT_CELLS.get(text)
    if found is None:
        found = _SHORT_CELLS[text] = cell_len(text)
    return found


_SHORT_CELLS: dict[str, int] = {}


def _cell_text_len(pieces: list[Piece]) -> int:
    return sum(cells(t) for t, _ in pieces)


def _shown(pieces: list[Piece]) -> list[Piece]:
    """What people typed is one line of text: control characters, tabs and line breaks written out."""
    return [(shown(t, line=True), s) for t, s in pieces]


def _measured(pieces: list[Piece]) -> Cell:
    return pieces, _cell_text_len(pieces)


def _plain_cell(text: str) -> Cell:
    """A cell of unstyled text, measured once for a list: its grades, models, owners and counts
    repeat. The cell is shared by the rows that show it, and read only."""
    found = _PLAIN_CELLS.get(text)
    if found is None:
        found = _PLAIN_CELLS[text] = _measured([(shown(text, line=True), "")])
    return found


_PLAIN_CELLS: dict[str, Cell] = {}


def _styled_cell(pieces: list[Piece]) -> Cell:
    """A cell of styled pieces, measured once for a list as `_plain_cell` is (a list's overdue days
    and its due reasons with their purposes repeat), shared and read only."""
    key = tuple(pieces)
    found = _STYLED_CELLS.get(key)
    if found is None:
        found = _STYLED_CELLS[key] = _measured(_shown(pieces))
    return found


_STYLED_CELLS: dict[tuple[Piece, ...], Cell] = {}


def _fit(cell: Cell, width: int) -> Cell:
    """The cell cut to `width` cells, ending in … when something was cut."""
    pieces, used = cell
    if used <= width:
        return cell
    out: list[Piece] = []
    room = width - 1
    for text, style in pieces:
        kept = ""
        for ch in text:
            if cells(ch) > room:
                break
            kept += ch
            room -= cells(ch)
        out.append((kept, style))
        if len(kept) < len(text):
            break
    out.append(("…", ""))
    return out, width - room


def _wrap(pieces: list[Piece], width: int, used: int | None = None) -> list[Cell]:
    """Lines of at most `width` cells, broken where `linebreak` allows (between Chinese characters
    and at blanks, never inside a number or a model); a unit wider than a line is broken between
    its characters; blanks at a line's ends are left out. `used`: the pieces' cells, when known.

    A list's wrapped cells repeat (the playbook's purposes, the models), so each is wrapped once;
    the lines given back are shared, and read only."""
    key = (*pieces, width)
    found = _WRAPPED.get(key)
    if found is None:
        found = _WRAPPED[key] = _wrapped(pieces, width, _cell_text_len(pieces) if used is None else used)
    return found


_WRAPPED: dict[tuple, list[Cell]] = {}


def _wrapped(pieces: list[Piece], width: int, used: int) -> list[Cell]:
    if used <= width:  # most cells: one line, nothing to break, and no blank at its end to trim
        line = _joined(pieces)
        if not (line and line[-1][0].endswith(" ")):
            return [(line, used)]
    lines: list[list[Piece]] = [[]]
    widths = [0]
    for text, style in pieces:
        for unit in units(text):
            bare = unit.rstrip()
            wide = cells(bare)
            if widths[-1] + wide > width and widths[-1] > 0:
                _end_line(lines, widths)
                unit, bare = unit.lstrip(), bare.lstrip()
                wide = cells(bare)
            if wide > width:
                for ch in unit:
                    c = cells(ch)
                    if widths[-1] + c > width and widths[-1] > 0:
                        _end_line(lines, widths)
                    _add(lines[-1], ch, style)
                    widths[-1] += c
                continue
            _add(lines[-1], unit, style)
            widths[-1] += wide if len(unit) == len(bare) else cells(unit)
    _trim(lines[-1], widths)
    return list(zip(lines, widths))


def _joined(pieces: list[Piece]) -> list[Piece]:
    """The pieces as `_wrap` lays them on a line: empty ones left out, neighbours of a style joined."""
    line: list[Piece] = []
    for text, style in pieces:
        if text:
            _add(line, text, style)
    return line


def _end_line(lines: list[list[Piece]], widths: list[int]) -> None:
    _trim(lines[-1], widths)
    lines.append([])
    widths.append(0)


def _trim(line: list[Piece], widths: list[int]) -> None:
    """The line without the blanks it ends on."""
    while line and line[-1][0].endswith(" "):
        text, style = line[-1]
        kept = text.rstrip(" ")
        widths[-1] -= len(text) - len(kept)
        if kept:
            line[-1] = (kept, style)
        else:
            line.pop()


def _add(line: list[Piece], text: str, style: str) -> None:
    if line and line[-1][1] == style:
        line[-1] = (line[-1][0] + text, style)
    else:
        line.append((text, style))


# -- the house table (render.common.new_table) drawn without rich -------------------------------------


def house_width() -> int:
    """A width rich's console never lays out narrower than: COLUMNS, each of stdin, stdout and stderr
    that is a terminal, and 80, whichever is least. A table within it is drawn by rich at its own
    width, never shrunk, so `house_table` draws it the same."""
    widths = [80]
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit():
        widths.append(int(columns))
    for descriptor in (0, 1, 2):
        try:
            widths.append(os.get_terminal_size(descriptor).columns or 80)
        except (AttributeError, ValueError, OSError):
            pass
    return min(widths)


def house_table(headers: list[str], rows: list[list[Piece]], right: list[bool], colour: bool) -> tuple[int, list[str]]:
    """The lines rich draws for the house table (a bold header, a rule under it, two blanks between
    columns, every cell padded to its column's width, numbers to the right) and its width; `rows`
    hold one (text, style) per cell, each text one printable line."""
    last = len(headers) - 1
    # A column with nothing in it is rich's zero cells wide, or one when it is the last.
    widths = [max([int(i == last), cells(h)] + [cells(row[i][0]) for row in rows]) for i, h in enumerate(headers)]

    def padded(text: str, i: int) -> str:
        pad = " " * (widths[i] - cells(text))
        return pad + text if right[i] else text + pad

    # rich styles a cell with its padding, and the header row's blank after each header too.
    head = "".join(styled(padded(h, i), "bold", colour) + ("" if i == last else styled(" ", "bold", colour) + " ")
                   for i, h in enumerate(headers))
    total = sum(widths) + 2 * last
    lines = [head, "─" * total]
    lines += ["  ".join(styled(padded(text, i), style, colour) for i, (text, style) in enumerate(row)) for row in rows]
    return total, lines
