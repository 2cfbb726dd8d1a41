"""Values past any sense — a number beyond the store's 64-bit integers, a clock in the year 9999, a
policy nested thousands deep, a search a page long, an empty --db — are bad input: one line, exit 2,
nothing written. They used to end in a traceback, or in "the store cannot be read: run doctor,
restore a backup" (advice that loses what was written since), or in the user's own store."""

import pytest

from conftest import row_counts, sales_floor

HUGE = "99999999999999999999"  # past 2**63
TABLES = ("cards", "followups", "visits", "sales_targets", "card_events", "quotes", "instructions", "followup_voids")


@pytest.fixture
def floor(lc):
    sales_floor(lc)
    lc.ok("add", "张三", "--phone", "13800138000", "--owner", "王芳", "--grade", "A", "--model", "凯美瑞")
    lc.ok("quote", "张三", "--price", "199800", "--discount", "30000", user="王芳")
    lc.ok("visit", "add", "--name", "孙九", "--phone", "13200132000", user="王芳")
    return lc


def bad_input(lc, *args, user="赵经理", env=None):
    before = row_counts(lc, *TABLES)
    result = lc(*args, user=user, env=env)
    assert result.exit_code == 2, (args, result.stdout, result.stderr)
    assert result.stderr.startswith("leadcard: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr and "doctor" not in result.stderr
    assert row_counts(lc, *TABLES) == before
    return result.stderr


NUMBERS = {
    "a month's orders": ("target", "set", "王芳", "--month", "2026-06", "--orders", "{}"),
    "a month's deliveries": ("target", "set", "王芳", "--month", "2026-06", "--orders", "1", "--deliveries", "{}"),
    "the visit a card comes from": ("add", "李四", "--phone", "13900139000", "--visit", "{}"),
    "a party's size": ("visit", "add", "--party", "{}"),
    "the list's length": ("list", "--limit", "{}"),
    "a follow-up corrected": ("log", "张三", "--channel", "phone", "--content", "改", "--corrects", "{}"),
    "a follow-up withdrawn": ("log", "张三", "--void", "{}", "--reason", "记错"),
    "the follow-up an instruction is under": ("comment", "张三", "周末邀约", "--followup", "{}"),
    "a quote approved": ("quote", "approve", "张三", "{}"),
    "an order's price": ("win", "张三", "--price", "{}"),
    "an order's deposit": ("win", "张三", "--price", "180000", "--deposit", "{}"),
}


@pytest.mark.parametrize("name", NUMBERS)
def test_a_number_past_the_stores_integers_is_bad_input(floor, name):
    bad_input(floor, *(a.replace("{}", HUGE) for a in NUMBERS[name]))


@pytest.mark.parametrize("name", ["a month's orders", "a party's size", "an order's price"])
def test_the_largest_sensible_number_is_taken_and_one_more_is_refused(floor, name):
    largest = {"a month's orders": 10_000, "a party's size": 99, "an order's price": 100_000_000}[name]
    bad_input(floor, *(a.replace("{}", str(largest + 1)) for a in NUMBERS[name]))
    floor.ok(*(a.replace("{}", str(largest)) for a in NUMBERS[name]))


@pytest.mark.parametrize("seq", ["²", "①", "٣", "0"])
def test_a_quote_is_approved_by_its_number_in_ascii_digits(floor, seq):
    assert "批哪一次报价" in bad_input(floor, "quote", "approve", "张三", seq)
    assert floor.json("quote", "approve", "张三", "1")["approved_by"] == "赵经理"


@pytest.mark.parametrize("moment", ["9999-12-31T00:00:00", "0001-01-01T00:00:00", "2200-01-01T00:00:00",
                                    "1899-12-31T23:59:59"])
@pytest.mark.parametrize("command", [("today",), ("add", "李四", "--phone", "13900139000"), ("audit",),
                                     ("report", "weekly"), ("calendar",)], ids=" ".join)
def test_a_clock_outside_the_years_a_record_may_carry_is_bad_input(floor, moment, command):
    assert "LEADCARD_NOW" in bad_input(floor, *command, env={"LEADCARD_NOW": moment})


@pytest.mark.parametrize("moment", ["1900-01-01T00:00:00", "2199-12-31T12:00:00"])
def test_the_first_and_last_years_are_a_clock_still(floor, moment):
    floor.ok("today", env={"LEADCARD_NOW": moment})


@pytest.mark.parametrize("nested", ["a = " + "[" * 5000 + "]" * 5000, "a = " + "{b = " * 3000 + "1" + "}" * 3000])
def test_a_policy_file_nested_thousands_deep_is_not_toml_to_us(floor, tmp_path, nested):
    policy = tmp_path / "deep.toml"
    policy.write_text(nested + "\n", encoding="utf-8")
    assert bad_input(floor, "init", "--policy-file", str(policy)) == "leadcard: 政策文件不是有效的 TOML：嵌套太深\n"


def test_a_search_is_a_few_words_not_a_page(floor):
    assert "太长" in bad_input(floor, "list", "--search", "张" * 101, user="王芳")
    assert bad_input(floor, "list", "--search", "a" * 50_001, "--json", user="王芳")
    assert floor.json("list", "--search", "张" + "三" * 99, user="王芳") == []
    assert [c["name"] for c in floor.json("list", "--search", " 张三 ", user="王芳")] == ["张三"]


@pytest.mark.parametrize("db", ["", " "])
def test_an_empty_db_option_never_falls_back_on_the_users_own_store(floor, tmp_path, monkeypatch, db):
    monkeypatch.chdir(tmp_path)
    home = tmp_path / "home"
    env = {"HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "LEADCARD_DB": ""}
    for command in (("init",), ("list",), ("demo", "--cards", "10")):
        result = floor("--db", db, *command, env=env)
        assert (result.exit_code, result.stderr) == (2, "leadcard: --db 是空的：请写存储的文件或地址（不写 --db 则用默认存储）\n")
    assert not home.exists()
    assert not (tmp_path / " ").exists()


def test_a_visit_cannot_be_logged_as_left_in_the_future_as_a_card_cannot(floor):
    """A leaving time to come put off the deadline of the card the visit owes, and the card made
    from it was then refused for that very time."""
    assert "离店时间不能在将来" in bad_input(floor, "visit", "add", "--left", "2026-05-03 10:02", "--phone", "13100131000",
                                      user="王芳")
    added = floor.json("visit", "add", "--left", "2026-05-03 10:01", "--phone", "13100131000", user="王芳")
    floor.ok("add", "访客", "--phone", "13100131000", "--visit", str(added["id"]), user="王芳")
