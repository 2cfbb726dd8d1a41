"""The reports in the terminal are drawn by the lean grid, not by rich's Table (a second over a dealer
group's report), and read exactly as rich drew them: the same headers, rows, padding, alignment of
Chinese text, rule and colours. Where rich would shrink or wrap a table (a terminal too narrow for
it), rich draws it still."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadcard.render import grid
from rich.cells import cell_len

READ_ON = "2026-11-30T09:00:00"
# Cells as the reports hold them: Chinese and ASCII text, numbers, rates, bars, sparklines, blanks.
WORDS = st.sampled_from(["", "a", "王芳", "欧阳娜娜", "12", "2739", "99.4%", "n/a", "—", "███", "▼ 辅导",
                         "目标 80%，低于目标：一对一辅导", "·▁▂█▅", "本人 96/166", "比亚迪秦PLUS DM-i"])
STYLES = st.sampled_from(["", "", "cyan", "bold red"])


def drawn_by_rich(headers, rows, right, colour) -> list[str]:
    from rich.console import Console
    from rich.text import Text

    from leadcard.render.common import new_table

    out = io.StringIO()
    console = Console(file=out, width=300, force_terminal=colour, no_color=not colour,
                      color_system="standard" if colour else None, highlight=False, markup=False, emoji=False)
    table = new_table()
    for header, to_the_right in zip(headers, right):
        table.add_column(header, no_wrap=True, justify="right" if to_the_right else "left")
    for row in rows:
        table.add_row(*(Text(text, style=style) if style else text for text, style in row))
    console.print(table)
    return out.getvalue().rstrip("\n").split("\n")


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.integers(1, 6).flatmap(lambda columns: st.tuples(
    st.lists(WORDS, min_size=columns, max_size=columns),
    st.lists(st.booleans(), min_size=columns, max_size=columns),
    st.lists(st.lists(st.tuples(WORDS, STYLES), min_size=columns, max_size=columns), min_size=1, max_size=4))),
    st.booleans())
def test_the_lean_house_table_is_the_table_rich_drew(table, colour):
    headers, right, rows = table
    width, lines = grid.house_table(headers, rows, right, colour)
    assert lines == drawn_by_rich(headers, rows, right, colour)
    assert width == cell_len(lines[1])


@pytest.fixture(scope="module")
def showroom(tmp_path_factory):
    from conftest import Leadcard

    lc = Leadcard(tmp_path_factory.mktemp("terminal") / "showroom.db")
    lc.ok("demo", "--cards", "400", "--seed", "5", now="2026-11-23T08:30:00")
    return lc


REPORTS = [("weekly", "--week", "2026-W47"), ("monthly", "--month", "2026-10"), ("trend",),
           ("trend", "--months", "4", "--owner", "王芳")]


@pytest.mark.parametrize("reader", ["赵经理", "钱主管", "王芳"])
@pytest.mark.parametrize("args", REPORTS, ids=lambda a: " ".join(a))
@pytest.mark.parametrize("colour", [{"NO_COLOR": "1"}, {"NO_COLOR": "", "FORCE_COLOR": "1"}], ids=["plain", "colour"])
def test_a_managers_report_reads_the_same_as_rich_drew_it(showroom, monkeypatch, reader, args, colour):
    if reader == "王芳" and "--owner" in args:
        args = args[:-2]
    from leadcard.render import report

    with monkeypatch.context() as patch:
        patch.setattr(report, "_print_with_rich", lambda document: pytest.fail("drawn by rich"))
        lean = showroom.ok("report", *args, now=READ_ON, user=reader, env=colour).stdout
    # No terminal is wide enough for the lean grid: rich draws every table, as it always did.
    monkeypatch.setattr(grid, "house_width", lambda: 0)
    by_rich = showroom.ok("report", *args, now=READ_ON, user=reader, env=colour).stdout
    assert lean == by_rich
    assert ("\x1b[1m" in lean) == bool(colour.get("FORCE_COLOR"))
    assert "顾问" in lean and "─" in lean


def test_a_narrow_terminal_gets_rich_s_shrunk_tables(showroom):
    report = showroom.ok("report", "weekly", "--week", "2026-W47", now=READ_ON, user="赵经理",
                         env={"COLUMNS": "44"}).stdout
    assert max(cell_len(line) for line in report.splitlines()) <= 44
    assert "…" in report  # a column cut as rich cuts it
    wide = showroom.ok("report", "weekly", "--week", "2026-W47", now=READ_ON, user="赵经理").stdout
    assert "…" not in wide and max(cell_len(line) for line in wide.splitlines()) > 44
