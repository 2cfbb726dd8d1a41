"""The lean grid of `today`: widths in terminal cells, wrapping Chinese, ellipsis, colour."""

import re

from hypothesis import given, settings, strategies as st
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


def test_each_wrapping_column_goes_on_at_its_own_place_until_its_text_ends():
    g = Grid([Column("号"), Column("目的", flexible=True, min_width=6), Column("级"),
              Column("备注", flexible=True, min_width=6, align="right")])
    g.add_row("A1", "邀约周六到店试驾", "H", "报价两次")
    g.add_row("A2", "电话", "B", "")
    assert g.render(width=22, colour=False).splitlines() == [
        "号 目的    级    备注",
        "─────────────────────",
        "A1 邀约周  H   报价两",
        "   六到店          次",
        "   试驾",
        "A2 电话    B",
    ]


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


QUOTE = "第 1 次报价 凯美瑞 2.0HS 智能电混双擎 运动版 187,200元 优惠 5,000元 → 182,200元 精品：脚垫、贴膜 有效至 12-01 已批价"


def test_a_quote_under_a_card_wraps_between_words_never_inside_a_price():
    for width in range(24, 81):
        g = Grid([Column("客户"), Column("目的", flexible=True)])
        g.add_row("王伟", "电话")
        g.add_note([("  ↳ ", "dim")], [(QUOTE, "")])
        lines = g.render(width=width, colour=False).splitlines()[3:]
        assert all(cell_len(line) <= width for line in lines), (width, lines)
        words = " ".join(line.strip() for line in lines).removeprefix("↳ ")
        for price in ("187,200元", "5,000元", "182,200元", "2.0HS", "12-01"):
            assert price in words, (width, lines)  # each still whole on one line
        assert not any(line.strip()[:1] in "，。、：）" for line in lines), (width, lines)
        assert not any(line.endswith(" ") for line in lines), (width, lines)


def test_a_word_wider_than_the_line_still_breaks_between_characters():
    g = Grid([Column("目的", flexible=True, min_width=4)])
    g.add_row("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    lines = g.render(width=10, colour=False).splitlines()[2:]
    assert "".join(line.strip() for line in lines) == "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    assert all(cell_len(line) <= 10 for line in lines)


def test_rich_wraps_a_chinese_sentence_where_the_line_ends_not_at_its_last_blank(lc):
    """rich breaks only at blanks: `policy show` pushed 分钟（营业时间内计） whole onto a line of its
    own. Taught our line breaks, it fills the line and breaks between two characters."""
    lc.ok("init")
    for width in (60, 80):  # the working hours' 84 cells wrap
        lines = lc.ok("policy", "show", env={"COLUMNS": str(width)}).stdout.splitlines()
        assert all(cell_len(line) <= width for line in lines), (width, lines)
        first = next(i for i, line in enumerate(lines) if line.startswith("营业时间"))
        assert cell_len(lines[first]) >= width - 2, (width, lines[first:first + 2])
        row = next(i for i, line in enumerate(lines) if line.startswith("A "))
        assert "…" not in "".join(lines[row:row + 3])


_PIECE_TEXT = st.text(alphabet=list("张三凯美瑞，。（）abc  12.5元\u3000🚗"), max_size=12)


@settings(max_examples=400, deadline=None)
@given(pieces=st.lists(st.tuples(_PIECE_TEXT, st.sampled_from(["", "cyan", "bold red"])), max_size=4),
       width=st.integers(min_value=1, max_value=30))
def test_a_cell_that_fits_is_laid_out_as_the_full_wrapping_lays_it(pieces, width):
    """Most cells fit their column and skip the breaking; what they give is what breaking gives:
    neighbours of a style joined, empty pieces left out, trailing blanks trimmed."""
    from leadcard.render.grid import _wrap

    assert _wrap(pieces, width) == _wrap(pieces, width, used=width + 1)  # told it does not fit


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet=list("张三凯美瑞，。（）abc  12.5元\u3000🚗\u0301\t"), max_size=40),
       width=st.integers(min_value=1, max_value=60))
def test_a_short_line_is_laid_out_unmeasured_as_the_full_wrapping_lays_it(text, width):
    """A text of at most half the room's characters fits whatever they are, and is not measured;
    what it gives is what measuring and wrapping give."""
    from leadcard.render.grid import _line_of, _wrap, wrapped
    from leadcard.usertext import shown

    room = max(10, width)
    measured = [_line_of(line, False) for line, _ in _wrap([(shown(text, line=True), "")], room)]
    assert wrapped(0, text, width) == measured
    assert wrapped(3, text, width + 3, first=1) == [" " * (1 if n == 0 else 3) + line for n, line in enumerate(measured)]


def test_short_texts_are_measured_as_rich_measures_them_however_often():
    from leadcard.render.grid import cells

    for _round in range(2):
        for text in ("张", "张三", "🚗", "\u3000", "（a）", "a\x07", "元。"):
            assert cells(text) == cell_len(text), text


# The units of a line of Chinese as a regular expression says them: the specification that
# `linebreak` keeps by a scan of its own (compiling these classes of wide characters takes 3 ms).
_WIDE = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_UNIT = re.compile(rf"\s*[（【「『《〈〔［｛“‘]*(?:[^\s{_WIDE}]+[{_WIDE}]?|[{_WIDE}])[，。、；：？！）】」』》〉〕］｝”’…]*\s*")
# Each range of wide characters by its ends and the characters just outside them.
_EDGES = "\u2e7f\u2e80\u9fff\ua000\uabff\uac00\ud7af\ud7b0\uf8ff\uf900\ufaff\ufb00\ufe2f\ufe30\ufe4f\ufe50\ufeff\uff00\uffef\ufff0"
_LINE_TEXT = st.text(alphabet=list("张三凯美瑞한豈︰＀￯⺀鿿，。、；：？！）】」』》〉〕］｝”’…（【「『《〈〔［｛“‘ab12.元 \u3000\t\n🚗-" + _EDGES),
                     max_size=16)


@settings(max_examples=2000, deadline=None)
@given(text=_LINE_TEXT)
def test_a_line_breaks_where_the_rule_of_its_units_says(text):
    from leadcard.render.linebreak import rich_words, units

    said = [m.group() for m in _UNIT.finditer(text)]
    taken = sum(len(u) for u in said)
    assert units(text) == said + ([text[taken:]] if taken < len(text) else [])
    position, expected = 0, []
    while (match := _UNIT.match(text, position)) is not None and match.end() > position:
        expected.append((match.start(), match.end(), match.group()))
        position = match.end()
    assert list(rich_words(text)) == expected
