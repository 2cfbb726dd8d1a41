"""The command line as scripts and people meet it: options, JSON purity, users, policy, demo."""

import json
from pathlib import Path

import pytest

from conftest import database, run_process


def test_global_options_stand_before_or_after_the_command(lc, tmp_path):
    other = tmp_path / "other.db"
    lc.ok("init", "--db", str(other))
    lc.ok("--db", str(other), "add", "张三", "--phone", "13800138000")
    lc.ok("add", "李四", "--phone", "13900139000", "--db", str(other))
    lc.ok("list", "--db=" + str(other))
    names = [c["name"] for c in lc.json("list", "--db", str(other))]
    assert names == ["李四", "张三"]
    assert lc.json("list") == []  # the fixture's own store is untouched


def test_json_output_is_one_document_and_nothing_else(tmp_path):
    env = {"LEADCARD_DB": str(tmp_path / "s.db"), "LEADCARD_NOW": "2026-05-03T10:00:00"}
    commands = [
        ["init", "--json"],
        ["add", "张三", "--phone", "13800138000", "--json"],
        ["log", "张三", "--channel", "phone", "--content", "沟通", "--json"],
        ["grade", "张三", "A", "--json"],
        ["show", "张三", "--json"],
        ["list", "--json"],
        ["today", "--json"],
        ["policy", "show", "--json"],
        ["user", "list", "--json"],
    ]
    for args in commands:
        result = run_process(*args, env=env)
        assert result.returncode == 0, result.stderr
        json.loads(result.stdout)  # the whole of stdout is one JSON document


def test_a_follow_up_without_a_next_date_is_reminded_on_stderr(lc):
    lc.ok("add", "张三", "--phone", "13800138000")
    result = lc.ok("log", "张三", "--channel", "phone", "--content", "沟通")
    assert "--next" in result.stderr


def test_users_first_by_anyone_then_only_by_a_manager(lc):
    lc.ok("user", "add", "赵经理", "--role", "manager")
    refused = lc("user", "add", "王芳", "--role", "consultant")
    assert refused.exit_code == 1  # who is acting? nobody
    lc.ok("user", "add", "钱主管", "--role", "supervisor", "--team", "一组", user="赵经理")
    refused = lc("user", "add", "王芳", "--role", "consultant", user="钱主管")
    assert refused.exit_code == 1 and "只有经理才能添加用户" in refused.stderr
    lc.ok("user", "add", "王芳", "--role", "销售顾问", "--team", "一组", user="赵经理")
    assert lc("user", "add", "王芳", "--role", "consultant", user="赵经理").exit_code == 1
    listed = lc.json("user", "list", user="王芳")
    assert {u["name"]: u["role"] for u in listed} == {"赵经理": "manager", "钱主管": "supervisor", "王芳": "consultant"}


def test_with_users_someone_must_act_unless_a_default_is_set(lc):
    lc.ok("user", "add", "王芳", "--role", "consultant")
    result = lc("today")
    assert result.exit_code == 1 and "--as" in result.stderr
    lc.ok("user", "default", "王芳", user="王芳")
    lc.ok("add", "张三", "--phone", "13800138000")
    assert lc.json("show", "张三")["owner"] == "王芳"


def test_a_consultant_sees_only_their_own_cards(lc):
    lc.ok("user", "add", "赵经理", "--role", "manager")
    lc.user = "赵经理"
    lc.ok("user", "add", "王芳", "--role", "consultant", "--team", "一组")
    lc.ok("user", "add", "李强", "--role", "consultant", "--team", "一组")
    lc.ok("add", "张三", "--phone", "13800138000", "--owner", "王芳")
    lc.ok("add", "李四", "--phone", "13900139000", "--owner", "李强")
    assert [c["name"] for c in lc.json("list", user="王芳")] == ["张三"]
    assert lc("show", "李四", user="王芳").exit_code == 1
    assert lc("log", "李四", "--channel", "phone", "--content", "抢单", user="王芳").exit_code == 1
    assert lc("add", "王五", "--phone", "13700137000", "--owner", "李强", user="王芳").exit_code == 1
    manager_view = {c["name"]: c["phone"] for c in lc.json("list")}
    assert manager_view == {"张三": "13800138000", "李四": "13900139000"}  # the manager sees every team


def test_init_picks_a_scheme_and_refuses_to_switch_under_cards_it_cannot_grade(lc, tmp_path):
    policy = lc.json("init", "--policy", "abc")
    assert policy["policy"] == "abc" and [g["grade"] for g in policy["grades"]] == ["A", "B", "C"]
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "A")
    result = lc("init", "--policy", "four-tier")  # no grade A there: --map must say what it becomes
    assert result.exit_code == 2 and "--map" in result.stderr
    toml = tmp_path / "store.toml"
    toml.write_text("first_call_hours = 12\n[grades.A]\ncadence_days = 2\n", encoding="utf-8")
    policy = lc.json("init", "--policy-file", str(toml))
    assert policy["first_call_hours"] == 12
    assert policy["grades"][0]["cadence_days"] == 2
    lc.ok("log", "张三", "--channel", "sms", "--content", "感谢")
    assert lc.json("show", "张三")["due_at"] == "2026-05-03T22:00:00+08:00"  # first call within 12 h now


def test_a_bad_policy_file_is_bad_input_and_changes_nothing(lc, tmp_path):
    lc.ok("init")
    toml = tmp_path / "bad.toml"
    toml.write_text("[grades.Z]\ncadence_days = 2\n", encoding="utf-8")
    assert lc("init", "--policy-file", str(toml)).exit_code == 2
    assert lc("init", "--policy-file", str(tmp_path / "missing.toml")).exit_code == 2
    assert lc.json("policy", "show")["policy"] == "habc"


@pytest.mark.parametrize("table, words", [
    ("[audit.no-such-rule]\nenabled = false\n", "政策里的 [audit.no-such-rule] 不是稽核规则"),
    ("[audit.overdue]\ngrace_days = -1\n", "政策里 [audit.overdue] 的 grace_days 必须是不小于 0 的数"),
])
def test_init_refuses_a_policy_whose_audit_tables_the_audit_would_refuse(lc, tmp_path, table, words):
    lc.ok("init")
    toml = tmp_path / "store.toml"
    toml.write_text("[grades.A]\ncadence_days = 3\n" + table, encoding="utf-8")
    refused = lc("init", "--policy-file", str(toml))
    assert refused.exit_code == 2 and refused.stderr.count("\n") == 1 and words in refused.stderr
    assert {g["grade"]: g["cadence_days"] for g in lc.json("policy", "show")["grades"]}["A"] == 7  # nothing written


def test_help_lists_every_core_command(lc):
    result = lc.ok("--help")
    for command in ("init", "add", "log", "grade", "show", "list", "today", "demo", "user", "policy"):
        assert command in result.stdout


def test_the_list_of_commands_tells_each_in_its_first_sentence_never_cut_at_a_semicolon(lc):
    listed = dict(line.split(None, 1) for line in lc.ok("--help", env={"COLUMNS": "200"}).stdout.splitlines()
                  if line.startswith("  ") and not line.lstrip().startswith("-") and len(line.split(None, 1)) == 2)
    assert listed["finance"] == "记录卡片贷款申请的一步"  # its help goes on: ；贷款被拒时，卡片随即到期…
    assert listed["target"] == "月度目标：每位顾问的订单和交车目标"
    assert listed["today"] == "早上的名单：今天到期和已逾期的跟进中卡片，最急的在前。"
    assert not [name for name, summary in listed.items() if summary.endswith(("；", ";"))]
    english = lc.ok("--help", env={"COLUMNS": "200", "LEADCARD_LANG": "en"}).stdout
    assert not [line for line in english.splitlines() if line.rstrip().endswith(";")]


def test_help_and_errors_name_arguments_as_the_readme_does(lc):
    for line, names in ((("show",), ["REF"]), (("comment",), ["REF", "TEXT"]), (("user", "add"), ["NAME"]),
                        (("restore",), ["FILE"])):
        usage = lc.ok(*line, "--help").stdout
        assert all(f"{{{name}}}" in usage.splitlines()[0] and f"\n  {name} " in usage for name in names), usage
    # assign takes REF USER, or --from and --to instead
    usage = lc.ok("assign", "--help").stdout
    assert "[REF] [USER]" in usage.splitlines()[0] and "\n  REF " in usage and "\n  USER " in usage, usage
    missing = lc("show")
    assert missing.exit_code == 2 and "缺少参数 REF" in missing.stderr
    assert "Missing argument 'REF'" in lc("show", env={"LEADCARD_LANG": "en"}).stderr


def test_a_mistyped_command_is_told_in_chinese_with_click_s_guess(lc):
    typo = lc("regrade", "张三", "H")
    assert typo.exit_code == 2
    assert typo.stderr.strip() == "leadcard: 没有命令 regrade（是不是 grade？） （参见 leadcard --help）"
    assert lc("zzz").stderr.strip() == "leadcard: 没有命令 zzz （参见 leadcard --help）"
    assert "No such command 'regrade'. Did you mean 'grade'?" in lc("regrade", env={"LEADCARD_LANG": "en"}).stderr


def test_an_option_left_without_its_value_names_the_command_to_ask_for_help(lc):
    missing = lc("today", "--owner")
    assert missing.exit_code == 2
    assert missing.stderr.strip() == "leadcard: today: 选项 --owner 需要一个值 （参见 leadcard today --help）"
    assert lc("--as", "王芳", "list", "--grade").stderr.strip() == (
        "leadcard: list: 选项 --grade 需要一个值 （参见 leadcard list --help）")
    assert lc("--as").stderr.strip() == "leadcard: 选项 --as 需要一个值 （参见 leadcard --help）"


def test_python_dash_m_runs_the_program(tmp_path):
    result = run_process("--help")
    assert result.returncode == 0 and "today" in result.stdout


def test_demo_builds_a_realistic_store_and_today_works(lc):
    lc.now = "2026-11-23T08:30:00"
    summary = lc.json("demo")
    assert summary["cards"] == 900 and summary["followups"] > 2000
    assert {"赵经理", "钱主管", "王芳", "李强", "张敏"} <= set(summary["users"])
    today = lc.json("today")
    assert today["items"], "the default consultant has work this morning"
    assert {i["owner"] for i in today["items"]} == {"王芳"}
    # Yesterday's thank-you messages went out last night; this morning brings their first calls.
    reasons = {i["reason"] for i in lc.json("today", "--all", user="钱主管")["items"]}
    assert {"planned", "first-call"} <= reasons
    statuses = {c["status"] for c in lc.json("list", user="赵经理")}
    assert {"open", "won", "lost", "lost-pending", "invalid"} <= statuses
    card = lc.json("show", "A00001", user="赵经理")
    assert card["followups"] and card["grades"]
    with database(lc.db) as conn:
        assert conn.execute("SELECT count(*) FROM instructions").fetchone()[0] > 50
        assert conn.execute("SELECT count(*) FROM cards WHERE phone NOT GLOB '1[3-9][0-9]*'").fetchone()[0] == 0


def test_demo_refuses_a_store_that_holds_cards(lc):
    lc.ok("add", "张三", "--phone", "13800138000")
    result = lc("demo")
    assert result.exit_code == 1
    assert "已经有卡片" in result.stderr
    assert "already holds cards" in lc("demo", env={"LEADCARD_LANG": "en"}).stderr
    assert len(lc.json("list")) == 1


def test_demo_is_reproducible_from_its_seed(lc, tmp_path):
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    lc.ok("--db", str(a), "demo", "--cards", "200", "--seed", "3")
    lc.ok("--db", str(b), "demo", "--cards", "200", "--seed", "3")
    query = "SELECT name, phone, grade, status, due_at FROM cards ORDER BY id"
    with database(a) as ca, database(b) as cb:
        assert ca.execute(query).fetchall() == cb.execute(query).fetchall()


def test_demo_scales_with_more_consultants(lc):
    summary = lc.json("demo", "--cards", "8000")
    assert summary["cards"] == 8000
    with database(lc.db) as conn:
        consultants = conn.execute("SELECT count(*) FROM users WHERE role = 'consultant'").fetchone()[0]
        per_card = conn.execute("SELECT count(*) FROM followups").fetchone()[0] / 8000
    assert consultants == 4  # one per 2,000 cards, at least three
    assert 2 <= per_card <= 12


def test_the_demo_has_no_contact_in_the_future(lc):
    lc.now = "2026-11-23T08:30:00"
    lc.ok("demo", "--cards", "2000")
    with database(lc.db) as conn:
        assert conn.execute("SELECT count(*) FROM followups WHERE at > '2026-11-23T00:30:00Z'").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM followups WHERE recorded_at < at").fetchone()[0] == 0


def test_the_program_builds_only_the_command_it_runs_yet_knows_them_all(tmp_path):
    from leadcard.commands.common import invoked
    from leadcard.commands.app import COMMAND_MODULES, build_app, command_name

    assert invoked(["--db", "x.db", "--as", "王芳", "today", "--all"]) == "today"
    assert invoked(["--db=x.db", "user", "list"]) == "user"
    assert invoked(["--help"]) is None
    assert [command_name(c) for c in build_app("today").registered_commands] == ["today"]
    assert [g.name for g in build_app("user").registered_groups] == ["user"]
    every = build_app("no-such-command")
    assert len(every.registered_commands) + len(every.registered_groups) == len(COMMAND_MODULES)
    env = {"LEADCARD_DB": str(tmp_path / "s.db"), "LEADCARD_NOW": "2026-05-03T10:00:00"}
    assert run_process("--db", str(tmp_path / "s.db"), "init", env=env).returncode == 0
    assert run_process("--db", str(tmp_path / "s.db"), "list", env=env).returncode == 0
    typo = run_process("todya", env=env)
    assert typo.returncode == 2 and "today" in typo.stderr
    listing = run_process("--help", env=env).stdout
    assert all(name in listing for name in ("today", "audit", "report", "import", "visit"))


def test_every_command_is_found_in_the_module_the_table_names():
    import importlib

    from leadcard.commands.app import COMMAND_MODULES, MODULES, command_name

    for module_name in MODULES:
        module = importlib.import_module(f"leadcard.commands.{module_name}")
        names = {command_name(c) for c in module.app.registered_commands} | {g.name for g in module.app.registered_groups}
        assert names == {n for n, m in COMMAND_MODULES.items() if m == module_name}, module_name


def test_the_readmes_example_policy_file_is_taken_as_it_stands(lc, tmp_path):
    """What a newcomer copies from the README works: its keys above the tables they would fall into."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    example = readme.split("A store overrides the numbers with `leadcard init --policy-file store.toml`:", 1)[1]
    toml = tmp_path / "store.toml"
    toml.write_text(example.split("```toml\n", 1)[1].split("```", 1)[0], encoding="utf-8")
    policy = lc.json("init", "--policy-file", str(toml))
    assert (policy["first_call_hours"], policy["quote_discount_limit"], policy["order_update_days"]) == (12, 3000, 7)
