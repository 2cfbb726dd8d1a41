"""Every user mistake: one clear line on stderr, the contract's exit code, and nothing written."""

import hashlib

import pytest

from conftest import database, on_server, run_process, table_names


def snapshot(db) -> str:
    """Everything in the store, as text, to compare before and after a refused command."""
    with database(db) as conn:
        if on_server(db):  # every row of every table, in an order of their own
            dump = "\n".join(f"{t}: {sorted(map(repr, conn.execute(f'SELECT * FROM {t}').fetchall()))}"
                             for t in sorted(table_names(conn)))
        else:
            dump = "\n".join(conn.iterdump())
    return hashlib.sha256(dump.encode()).hexdigest()


@pytest.fixture
def store(lc):
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "A")
    lc.ok("log", "张三", "--channel", "sms", "--content", "感谢到店")
    return lc


BAD_INPUT = [
    ("malformed phone", ["add", "李四", "--phone", "1380013800"]),
    ("phone with letters", ["add", "李四", "--phone", "138OO138000"]),
    ("empty name", ["add", "", "--phone", "13900139000"]),
    ("unknown source", ["add", "李四", "--phone", "13900139000", "--source", "街上"]),
    ("grade outside the policy", ["add", "李四", "--phone", "13900139000", "--grade", "S"]),
    ("malformed --at", ["add", "李四", "--phone", "13900139000", "--at", "03/05/2026"]),
    ("card in the future", ["add", "李四", "--phone", "13900139000", "--at", "2026-06-01"]),
    ("age not a number", ["add", "李四", "--phone", "13900139000", "--age", "三十"]),
    ("unknown channel", ["log", "张三", "--channel", "fax", "--content", "发传真"]),
    ("no channel", ["log", "张三", "--content", "电话沟通"]),
    ("no content", ["log", "张三", "--channel", "phone"]),
    ("blank content", ["log", "张三", "--channel", "phone", "--content", "   "]),
    ("malformed --next", ["log", "张三", "--channel", "phone", "--content", "沟通", "--next", "next week"]),
    ("next before the contact", ["log", "张三", "--channel", "phone", "--content", "沟通", "--next", "yesterday"]),
    ("impossible date", ["log", "张三", "--channel", "phone", "--content", "沟通", "--at", "2026-02-30"]),
    ("unknown grade on log", ["log", "张三", "--channel", "phone", "--content", "沟通", "--grade", "Z"]),
    ("unknown outcome", ["log", "张三", "--channel", "phone", "--content", "沟通", "--outcome", "maybe"]),
    ("unknown grade", ["grade", "张三", "X"]),
    ("unknown option", ["add", "李四", "--phone", "13900139000", "--colour-of-car", "red"]),
    ("missing argument", ["grade", "张三"]),
    ("unknown command", ["sell", "张三"]),
    ("malformed --date", ["today", "--date", "someday"]),
    ("unknown status", ["list", "--status", "sold"]),
    ("unknown policy", ["init", "--policy", "hab"]),
    ("unknown role", ["user", "add", "王芳", "--role", "boss"]),
]


@pytest.mark.parametrize("story, args", BAD_INPUT, ids=[b[0] for b in BAD_INPUT])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(store, story, args):
    before = snapshot(store.db)
    result = store(*args)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("leadcard: "), result.stderr
    assert result.stdout == ""
    assert snapshot(store.db) == before


REFUSED = [
    ("unknown card", ["show", "A00042"]),
    ("unknown name", ["log", "李四", "--channel", "phone", "--content", "沟通"]),
    ("phone already on an open card", ["add", "张先生", "--phone", "138 0013 8000"]),
    ("unknown acting user", ["today", "--as", "nobody"]),
    ("correcting a follow-up that does not exist", ["log", "张三", "--corrects", "9", "--content", "更正"]),
]


@pytest.mark.parametrize("story, args", REFUSED, ids=[r[0] for r in REFUSED])
def test_refusals_exit_1_and_write_nothing(store, story, args):
    before = snapshot(store.db)
    result = store(*args)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stderr.startswith("leadcard: ")
    assert snapshot(store.db) == before


def test_no_traceback_reaches_a_user_in_a_real_process(tmp_path):
    env = {"LEADCARD_DB": str(tmp_path / "s.db"), "LEADCARD_NOW": "2026-05-03T10:00:00"}
    for args in (["add", "李四", "--phone", "x"], ["show", "nobody"], ["log"], ["today", "--date", "x"]):
        result = run_process(*args, env=env)
        assert result.returncode in (1, 2)
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
