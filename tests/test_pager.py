"""Long output through a pager on a terminal (as git does), never off one."""

import os
import sys

import pytest

from conftest import on_a_terminal

pytestmark = pytest.mark.skipif(os.name == "nt", reason="pseudo-terminals are POSIX")

# A pager that keeps what it was given, so the test can read it.
KEEPER = "import sys; open(sys.argv[1], 'w', encoding='utf-8').write(sys.stdin.read())"


@pytest.fixture
def busy_store(lc):
    for i in range(40):
        lc.ok("add", f"客户{i:02d}", "--phone", f"1380013{i:04d}")
    return lc.db


def test_a_long_list_on_a_terminal_goes_through_the_pager(busy_store, tmp_path):
    kept = tmp_path / "paged.txt"
    shown = on_a_terminal(busy_store, "list", env={"LEADCARD_PAGER": f"{sys.executable} -c \"{KEEPER}\" {kept}"})
    assert "共 40 张" in kept.read_text(encoding="utf-8")
    assert "共 40 张" not in shown


def test_no_pager_and_an_empty_pager_write_straight_to_the_terminal(busy_store, tmp_path):
    kept = tmp_path / "paged.txt"
    pager = f"{sys.executable} -c \"{KEEPER}\" {kept}"
    assert "共 40 张" in on_a_terminal(busy_store, "list", "--no-pager", env={"LEADCARD_PAGER": pager})
    assert "共 40 张" in on_a_terminal(busy_store, "--no-pager", "list", env={"PAGER": pager})
    assert "共 40 张" in on_a_terminal(busy_store, "list", env={"LEADCARD_PAGER": "", "PAGER": pager})
    assert not kept.exists()


def test_a_page_that_fits_the_screen_is_not_paged(busy_store, tmp_path):
    kept = tmp_path / "paged.txt"
    shown = on_a_terminal(busy_store, "list", "--limit", "3", env={"LEADCARD_PAGER": f"{sys.executable} -c \"{KEEPER}\" {kept}"})
    assert "共 40 张" in shown and not kept.exists()


def test_help_is_paged_too(busy_store, tmp_path):
    kept = tmp_path / "paged.txt"
    on_a_terminal(busy_store, "--help", env={"LEADCARD_PAGER": f"{sys.executable} -c \"{KEEPER}\" {kept}"}, rows=10)
    assert "today" in kept.read_text(encoding="utf-8")


def test_no_pager_off_a_terminal(lc, tmp_path):
    kept = tmp_path / "paged.txt"
    lc.ok("add", "张三", "--phone", "13800138000")
    listed = lc.ok("list", env={"LEADCARD_PAGER": f"{sys.executable} -c \"{KEEPER}\" {kept}"})
    assert "张三" in listed.stdout and not kept.exists()
