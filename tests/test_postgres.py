"""A showroom's shared store on PostgreSQL (issue 21): many PCs writing at once, and the same answers
as SQLite. These need the server named by LEADCARD_TEST_PG, and skip without one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import DEFAULT_NOW, Leadcard, database, empty_store, run_process, sales_floor

# Ten `log`s in one process, as one consultant's PC sends them one after another.
TEN_LOGS = r"""
import sys
from leadcard.cli import main
pc = sys.argv[1]
for n in range(10):
    sys.argv = ["leadcard", "log", "A00001", "--channel", "phone", "--content", f"{pc} 第{n}次"]
    try:
        main()
    except SystemExit as exc:
        if exc.code:
            raise
"""


def env_for(db, **more) -> dict:
    return {"LEADCARD_DB": str(db), "LEADCARD_NOW": DEFAULT_NOW, "LEADCARD_TZ": "Asia/Shanghai", **more}


@pytest.fixture
def server(cluster) -> Leadcard:
    return Leadcard(cluster.database())


def test_eight_pcs_logging_on_one_card_lose_nothing_and_number_it_1_to_80(server):
    server.ok("add", "张三", "--phone", "13800138000", "--grade", "A")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LEADCARD_")}
    pcs = [subprocess.Popen([sys.executable, "-c", TEN_LOGS, f"PC{n}"], env={**environment, **env_for(server.db)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for n in range(8)]
    for pc in pcs:
        assert pc.wait(timeout=600) == 0, pc.stderr.read()
    followups = server.json("show", "A00001")["followups"]
    assert [f["seq"] for f in followups] == list(range(1, 81))
    assert sorted(f["content"] for f in followups) == sorted(f"PC{pc} 第{n}次" for pc in range(8) for n in range(10))


def test_approve_and_reject_of_one_loss_at_once_exactly_one_wins(server):
    sales_floor(server)
    server.ok("add", "张三", "--phone", "13800138000", "--owner", "王芳")
    server.ok("lose", "张三", "--reason", "price", user="王芳")

    def decide(line):
        user, *args = line
        return run_process(*args, env=env_for(server.db, LEADCARD_USER=user))

    with ThreadPoolExecutor(max_workers=2) as both:
        approved, rejected = both.map(decide, [("钱主管", "approve", "张三"),
                                               ("赵经理", "reject", "张三", "--note", "再跟一次")])
    assert sorted([approved.returncode, rejected.returncode]) == [0, 1], (approved.stderr, rejected.stderr)
    loser = approved if approved.returncode else rejected
    assert loser.stderr.startswith("leadcard: ") and loser.stderr.count("\n") == 1, loser.stderr
    card = server.json("show", "张三", user="赵经理")
    assert card["status"] == ("lost" if approved.returncode == 0 else "open")
    with database(server) as conn:
        verdicts = conn.execute("SELECT count(*) FROM card_events WHERE kind IN ('lost-approved', 'lost-rejected')")
        assert verdicts.fetchone()[0] == 1


def test_a_writer_waiting_past_the_busy_timeout_is_told_the_store_is_busy(server, monkeypatch):
    import leadcard.store

    server.ok("add", "张三", "--phone", "13800138000")
    monkeypatch.setattr(leadcard.store, "BUSY_TIMEOUT_MS", 300)
    with database(server) as holder:
        holder.execute("BEGIN IMMEDIATE")  # another PC's command, in the middle of its write
        result = server("log", "张三", "--channel", "phone", "--content", "电话")
        assert server("today").exit_code == 0  # reading goes on meanwhile
        holder.execute("ROLLBACK")
    assert result.exit_code == 1
    assert result.stderr == "leadcard: 数据库正忙（另一条命令正在写入）；请稍后重试\n"
    assert server.json("show", "张三")["followups"] == []


def test_the_history_is_append_only_on_the_server_too(server):
    server.ok("add", "张三", "--phone", "13800138000")
    server.ok("log", "张三", "--channel", "phone", "--content", "电话沟通")
    with database(server) as conn:
        for statement in ("UPDATE followups SET content = 'x'", "DELETE FROM card_events"):
            with pytest.raises(Exception, match="append-only"):
                conn.execute(statement)
    assert server.json("show", "张三")["followups"][0]["content"] == "电话沟通"


def test_a_database_with_no_store_is_refused_but_by_init(cluster):
    url = cluster.database(empty=True)
    refused = run_process("today", env=env_for(url))
    assert refused.returncode == 1 and "leadcard init" in refused.stderr
    assert run_process("init", env=env_for(url)).returncode == 0
    assert run_process("today", env=env_for(url)).returncode == 0


def test_a_password_in_the_url_is_never_printed(cluster):
    url = cluster.database().replace("postgres@", "postgres:s3cret@")
    shown = run_process("policy", "show", "--json", env=env_for(url))
    assert shown.returncode == 0, shown.stderr
    assert "s3cret" not in shown.stdout and "postgres@" in json.loads(shown.stdout)["db"]


def test_the_same_demo_gives_the_same_report_and_audit_on_both_backends(cluster, tmp_path):
    on_sqlite = empty_store(tmp_path / "demo.db")
    on_server = Leadcard(cluster.database())
    answers = []
    for lc in (on_sqlite, on_server):
        lc.ok("demo", "--seed", "7")
        answers.append([lc.ok(*line, user="赵经理").stdout for line in (
            ("report", "weekly", "--format", "json"), ("report", "monthly", "--format", "json"),
            ("audit", "--json"), ("today", "--all", "--json"))])
    assert answers[0] == answers[1]
    assert json.loads(answers[0][2])["findings"]  # the demo's floor has something to find
