"""What a manager opens on Monday: the xlsx with native charts (read back with openpyxl), and the
html page for WeChat — self-contained, escaped, and drawn by a real headless browser."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import sales_floor

READ_ON = "2026-11-25T09:00:00"
HOSTILE = "<script>alert('x')</script>&"


def floor_with_a_week(lc):
    """A week of 王芳's: a walk-in whose name carries markup made a card, was called, referred a
    friend and ordered."""
    sales_floor(lc)
    lc.ok("add", HOSTILE, "--phone", "13800000001", "--at", "2026-11-16 10:00", "--grade", "H",
          now="2026-11-16T10:00:00", user="王芳")
    lc.ok("log", "13800000001", "--channel", "phone", "--content", "约周六试驾", "--at", "2026-11-16 11:00",
          now="2026-11-16T11:00:00", user="王芳")
    lc.ok("add", "李四", "--phone", "13800000002", "--at", "2026-11-17 10:00", "--referred-by", "13800000001",
          now="2026-11-17T10:00:00", user="王芳")
    lc.ok("win", "13800000001", "--model", "凯美瑞", now="2026-11-18T15:00:00", user="王芳")


def _title(text) -> str:
    return "".join(run.t for paragraph in text.tx.rich.p for run in (paragraph.r or []))


def charts_of(path: Path) -> dict[str, object]:
    book = load_workbook(path)
    assert book.sheetnames[0] == "图表"
    return {_title(chart.title): chart for chart in book["图表"]._charts}


@pytest.mark.parametrize("kind", [("weekly", "--week", "2026-W47"), ("monthly", "--month", "2026-11")])
def test_the_weekly_and_monthly_xlsx_draw_the_funnel_as_bars_and_the_kpis_against_the_target(lc, tmp_path, kind):
    floor_with_a_week(lc)
    path = tmp_path / "周报.xlsx"
    lc.ok("report", *kind, "-o", str(path), now="2026-12-02T09:00:00", user="赵经理")
    charts = charts_of(path)
    funnel = charts["期末漏斗（在跟卡数）"]
    assert type(funnel).__name__ == "BarChart"
    assert _title(funnel.x_axis.title) == "级别" and _title(funnel.y_axis.title) == "卡数"
    assert [s.val.numRef.f for s in funnel.series] == ["'图表'!$B$2:$B$5"]  # H, A, B, C
    assert funnel.series[0].cat.numRef.f == "'图表'!$A$2:$A$5"  # the grades
    kpis = charts["关键指标"]
    assert [type(c).__name__ for c in kpis._charts] == ["BarChart", "LineChart"]  # the target's line over the bars
    sheet = load_workbook(path)["图表"]
    assert [sheet.cell(r, 1).value for r in range(2, 6)] == ["H", "A", "B", "C"]
    assert sheet.cell(21, 1).value == "指标" and sheet.cell(22, 1).value == "跟进及时率"
    assert sheet.cell(22, 3).value == 0.8  # the target beside each KPI


def test_the_trend_xlsx_has_a_line_per_kpi_with_its_target(lc, tmp_path):
    floor_with_a_week(lc)
    path = tmp_path / "趋势.xlsx"
    lc.ok("report", "trend", "--weeks", "4", "--format", "xlsx", "-o", str(path), now=READ_ON, user="赵经理")
    charts = charts_of(path)
    assert list(charts)[:3] == ["跟进及时率趋势", "记录完整率趋势", "转化率趋势"] and len(charts) == 11
    timeliness = charts["跟进及时率趋势"]
    assert type(timeliness).__name__ == "LineChart"
    assert [s.val.numRef.f for s in timeliness.series] == ["'图表'!$B$2:$B$5", "'图表'!$C$2:$C$5"]  # rate, target
    assert _title(timeliness.x_axis.title) == "周期" and _title(timeliness.y_axis.title) == "比率"
    assert len(charts["转化率趋势"].series) == 1  # no target set for conversion: no target line
    sheet = load_workbook(path)["图表"]
    assert [sheet.cell(r, 1).value for r in range(2, 6)] == ["2026-W44", "2026-W45", "2026-W46", "2026-W47"]
    assert sheet.cell(5, 2).value == 0.5 and sheet.cell(5, 3).value == 0.8  # one called in time, the other not
    assert "各期分子分母" in load_workbook(path).sheetnames


def test_the_html_page_is_self_contained_escaped_and_fits_a_phone(lc, tmp_path):
    floor_with_a_week(lc)
    for args in (("weekly", "--week", "2026-W47"), ("trend", "--weeks", "4")):
        path = tmp_path / f"{args[0]}.html"
        lc.ok("report", *args, "-o", str(path), now=READ_ON, user="赵经理")
        page = path.read_text(encoding="utf-8")
        assert page.startswith("<!DOCTYPE html>") and '<meta name="viewport" content="width=device-width' in page
        assert "<svg" in page and "@media (max-width" in page and "PingFang SC" in page
        for fetched in ("<script", "<link", "src=", "href=", "url(", "@import", "@font-face", "https://"):
            assert fetched not in page, fetched
    weekly = (tmp_path / "weekly.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in weekly
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&amp;" in weekly
    assert lc.ok("report", "trend", "--format", "html", now=READ_ON, user="赵经理").stdout.startswith("<!DOCTYPE html>")
    english = lc("report", "trend", "--format", "html", now=READ_ON, user="赵经理", env={"LEADCARD_LANG": "en"})
    assert english.exit_code == 0 and '<html lang="en">' in english.stdout
    contradicted = lc("report", "weekly", "--format", "md", "-o", str(tmp_path / "w.html"), now=READ_ON)
    assert contradicted.exit_code == 2 and contradicted.stdout == ""


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(_chromium() is None, reason="no Chromium here (Debian package `chromium`; CI installs it)")
@pytest.mark.parametrize("args", [("trend", "--weeks", "8"), ("weekly", "--week", "2026-W47")])
def test_a_headless_browser_draws_the_page_with_no_console_error(lc, tmp_path, args):
    floor_with_a_week(lc)
    page = tmp_path / "page.html"
    lc.ok("report", *args, "-o", str(page), now=READ_ON, user="赵经理")
    shot = tmp_path / "shot.png"
    browser = subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
         "--enable-logging=stderr", "--v=0", "--window-size=390,844", f"--screenshot={shot}", page.as_uri()],
        capture_output=True, text=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)})
    assert shot.exists(), browser.stderr[-2000:]
    console = [line for line in browser.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert console == []
    width, height, pixels = _png_pixels(shot.read_bytes())
    assert (width, height) == (390, 844)
    background = max(set(pixels), key=pixels.count)
    drawn = sum(1 for p in pixels if p != background)
    assert len(set(pixels)) > 20 and drawn > len(pixels) // 50  # text, charts and cards, not a blank page


def _png_pixels(data: bytes) -> tuple[int, int, list[tuple[int, ...]]]:
    """An 8-bit RGB or RGBA PNG's pixels (the screenshots Chromium writes), without an image library."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height, depth, colour, _compression, _filter, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0
    size = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * size
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - size] if x >= size else 0
            up, corner = previous[x], previous[x - size] if x >= size else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                guess = left + up - corner
                pa, pb, pc = abs(guess - left), abs(guess - up), abs(guess - corner)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        rows.append(bytes(line))
        previous = line
    pixels = [tuple(row[i:i + size]) for row in rows for i in range(0, stride, size)]
    return width, height, pixels
