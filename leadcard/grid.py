"""A lean terminal table for the hot path (`leadcard today`).

rich's Table costs ~50 ms to import and ~2.5 ms a row to lay out on a showroom PC; the morning
list is read every day, so it is drawn here instead: widths measured in terminal cells by
`rich.cells` (CJK characters are two cells wide, never padded by len), one flexible column that
wraps, the others fitted with an ellipsis, ANSI styles only on a terminal without NO_COLOR.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, field

from rich.cells import cell_len

STYLES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "cyan": "36", "bold red": "1;31"}

Piece = tuple[str, str]  # (text, style name or "")


@dataclass
class Column:
    title: str
    align: str = "left"  # or "right"
    max_width: int | None = None  # fitted with an ellipsis beyond this
    flexible: bool = False  # takes the remaining width and wraps
    min_width: int = 10


@dataclass
class Note:
    lead: list[Piece]  # on the first line; its width in blanks on the lines wrapped after it
    pieces: list[Piece]


@dataclass
class Grid:
    columns: list[Column]
    rows: list[list[list[Piece]] | Note] = field(default_factory=list)

    def add_row(self, *cells: str | list[Piece]) -> None:
        self.rows.append([[(c, "")] if isinstance(c, str) else c for c in cells])

    def add_note(self, lead: list[Piece], pieces: list[Piece]) -> None:
        """A line under the last row, across every column, wrapped to the table's width."""
        self.rows.append(Note(lead, pieces))

    def render(self, width: int | None = None, colour: bool | None = None) -> str:
        width = width or terminal_width()
        colour = use_colour() if colour is None else colour
        widths = self._widths(width)
        lines = [self._line([[(c.title, "bold")] for c in self.columns], widths, colour)]
        full = min(width, sum(widths) + len(widths) - 1)
        lines.append("─" * full)
        for row in self.rows:
            if isinstance(row, Note):
                indent = _cell_text_len(row.lead)
                wrapped = _wrap(row.pieces, max(10, full - indent))
                lines += [_line_of((row.lead if n == 0 else [(" " * indent, "")]) + line, colour)
                          for n, line in enumerate(wrapped)]
                continue
            lines += self._row_lines(row, widths, colour)
        return "\n".join(lines)

    def _widths(self, total: int) -> list[int]:
        natural = [max([cell_len(c.title)] + [_cell_text_len(row[i]) for row in self.rows if not isinstance(row, Note)])
                   for i, c in enumerate(self.columns)]
        widths = [min(n, c.max_width) if c.max_width else n for n, c in zip(natural, self.columns)]
        flexible = [i for i, c in enumerate(self.columns) if c.flexible]
        spare = total - (len(widths) - 1) - sum(w for i, w in enumerate(widths) if i not in flexible)
        for i in flexible:
            widths[i] = max(self.columns[i].min_width, min(natural[i], spare // len(flexible)))
        return widths

    def _row_lines(self, row: list[list[Piece]], widths: list[int], colour: bool) -> list[str]:
        cells: list[list[list[Piece]]] = []
        for pieces, column, w in zip(row, self.columns, widths):
            cells.append(_wrap(pieces, w) if column.flexible else [_fit(pieces, w)])
        height = max(len(c) for c in cells)
        return [self._line([c[n] if n < len(c) else [] for c in cells], widths, colour) for n in range(height)]

    def _line(self, cells: list[list[Piece]], widths: list[int], colour: bool) -> str:
        out = []
        for pieces, column, w in zip(cells, self.columns, widths):
            pad = " " * (w - _cell_text_len(pieces))
            text = "".join(_styled(t, s, colour) for t, s in pieces)
            out.append(pad + text if column.align == "right" else text + pad)
        return " ".join(out).rstrip()


def _line_of(pieces: list[Piece], colour: bool) -> str:
    return "".join(_styled(t, s, colour) for t, s in pieces).rstrip()


def terminal_width() -> int:
    return shutil.get_terminal_size((80, 24)).columns


def use_colour() -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def _styled(text: str, style: str, colour: bool) -> str:
    if not colour or not style or not text:
        return text
    return f"\x1b[{STYLES[style]}m{text}\x1b[0m"


def _cell_text_len(pieces: list[Piece]) -> int:
    return sum(cell_len(t) for t, _ in pieces)


def _fit(pieces: list[Piece], width: int) -> list[Piece]:
    """The pieces cut to `width` cells, ending in … when something was cut."""
    if _cell_text_len(pieces) <= width:
        return pieces
    out: list[Piece] = []
    room = width - 1
    for text, style in pieces:
        kept = ""
        for ch in text:
            if cell_len(ch) > room:
                break
            kept += ch
            room -= cell_len(ch)
        out.append((kept, style))
        if len(kept) < len(text):
            break
    out.append(("…", ""))
    return out


def _wrap(pieces: list[Piece], width: int) -> list[list[Piece]]:
    """Lines of at most `width` cells; Chinese has no spaces, so it wraps between characters."""
    lines: list[list[Piece]] = [[]]
    used = 0
    for text, style in pieces:
        run = ""
        for ch in text:
            w = cell_len(ch)
            if used + w > width:
                if run:
                    lines[-1].append((run, style))
                lines.append([])
                run, used = "", 0
            run += ch
            used += w
        if run:
            lines[-1].append((run, style))
    return lines
