"""The lean grid of `today`: widths in terminal cells, wrapping Chinese, ellipsis, colour."""

from rich.cells import cell_len

from leadcard.render.grid import Column, Grid


def grid():
    g = Grid([Column("逾期", align="right"), Column("客户", max_width=6), Column("目的", flexible=True, min_width=8),
              Column("次", align="right")])
    g.add_row([("12天", "bold red")], "欧阳娜娜娜", [("计划回访", "cyan"), ("：邀约周六到店试驾并报价", "")], "3")
    g.add_row([("今天", "green")], "王伟", "电话", "10")
    return g


def test_every_line_fits_the_width_in_cells():
    for width in (30, 40, 80):
        lines = grid().render(width=width, colour=False).splitlines()
        assert all(cell_len(line) <= width for line in lines), lines


def test_long_names_end_in_an_ellipsis_and_chinese_wraps_between_characters():
    lines = grid().render(width=34, colour=False).splitlines()
    assert "欧阳…" in lines[2]
    assert "计划回访" in lines[2]
    assert len(lines) > 4  # the purpose wrapped onto more lines


def test_columns_line_up_by_display_width():
    lines = grid().render(width=80, colour=False).splitlines()
    header, first, second = lines[0], lines[2], lines[3]
    assert cell_len(header[: header.index("目的")]) == cell_len(first[: first.index("计划")])
    assert cell_len(first[: first.index("计划")]) == cell_len(second[: second.index("电话")])


def test_colour_only_when_asked():
    assert "\x1b[" not in grid().render(width=80, colour=False)
    coloured = grid().render(width=80, colour=True)
    assert "\x1b[1;31m12天\x1b[0m" in coloured and "\x1b[36m计划回访\x1b[0m" in coloured


def test_the_width_is_columns_else_the_terminal_else_80(monkeypatch):
    from leadcard.render.grid import terminal_width

    monkeypatch.setenv("COLUMNS", "30")
    assert terminal_width() == 30
    lines = grid().render(colour=False).splitlines()
    assert max(cell_len(line) for line in lines) <= 30 and len(lines) > 4
    for unusable in ("0", "wide", ""):
        monkeypatch.setenv("COLUMNS", unusable)
        monkeypatch.setattr("sys.__stdout__", None)  # not a terminal
        assert terminal_width() == 80


def test_control_characters_take_no_cells_as_rich_counts_them():
    from leadcard.render.grid import cells

    for text in ("abc", "a\x07b", "张三", "x\x1b[31my", "🚗 车"):
        assert cells(text) == cell_len(text)
