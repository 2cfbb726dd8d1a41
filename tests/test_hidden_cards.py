"""What a consultant cannot see, no command confirms: another team's customer is "on a card you
cannot see" — never its number, name or owner — in `add`, `import` (dry run or not), `reopen`
and the audit; and nobody approves a loss they asked for, whoever owns the card now."""

from __future__ import annotations

import csv

import pytest

from conftest import database, sales_floor
from leadcard.store import Store

HIDDEN = "已在一张你无权查看的卡片上——请找主管"
HIDDEN_IN_IMPORT = "已在一张你看不到的卡片上（请问主管）"
SUN_PHONE = "13900000001"  # 孙先生, 孙丽's customer (二组)
SUN_LOST_PHONE = "13900000002"  # 孙太太, 孙丽's, lost: a closed card
NOWHERE = "13900000009"


def floor(lc):
    """赵经理; 一组 = 钱主管, 王芳, 李强; 二组 = 周主管, 孙丽, whose customers 孙先生 (open) and
    孙太太 (lost) are another team's to 一组. Leaves `lc` acting as nobody in particular."""
    sales_floor(lc, ("周主管", "supervisor", "二组"))
    lc.ok("add", "孙先生", "--phone", SUN_PHONE, "--grade", "A", user="孙丽")
    lc.ok("add", "孙太太", "--phone", SUN_LOST_PHONE, "--grade", "B", user="孙丽")
    lc.ok("lose", "孙太太", "--reason", "price", user="孙丽")
    lc.ok("approve", "孙太太", user="周主管")
    lc.user = None


def tells_nothing(result, *secrets):
    assert result.exit_code == 1, result.stderr
    assert HIDDEN in result.stderr, result.stderr
    for secret in ("孙丽", "孙先生", "孙太太", "A00001", "A00002", *secrets):
        assert secret not in result.stderr + result.stdout


# -- duplicate checks -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["王芳", "钱主管"])
def test_adding_another_teams_customer_says_only_that_a_card_exists(lc, who):
    floor(lc)
    tells_nothing(lc("add", "新客户", "--phone", "139-0000-0001", user=who))
    assert len(lc.json("list", "--all", user="赵经理")) == 2


@pytest.mark.parametrize("who", ["孙丽", "周主管", "赵经理"])
def test_whoever_may_see_the_card_is_told_which_and_whose(lc, who):
    floor(lc)
    result = lc("add", "新客户", "--phone", SUN_PHONE, user=who)
    assert result.exit_code == 1
    assert "A00001 上（孙先生，顾问 孙丽）" in result.stderr and HIDDEN not in result.stderr
    english = lc("add", "新客户", "--phone", SUN_PHONE, user=who, env={"LEADCARD_LANG": "en"})
    assert "is already on open card A00001 (孙先生, owner 孙丽)" in english.stderr


def test_a_teammates_customer_is_hidden_from_a_consultant_but_not_from_their_supervisor(lc):
    floor(lc)
    lc.ok("add", "刘先生", "--phone", "13800138000", user="李强")
    tells_nothing(lc("add", "刘先生", "--phone", "13800138000", user="王芳"), "李强", "刘先生", "A00003")
    english = lc("add", "刘先生", "--phone", "13800138000", user="王芳", env={"LEADCARD_LANG": "en"})
    assert "is already on a card you cannot see — ask your supervisor" in english.stderr and "A00003" not in english.stderr
    assert "A00003 上（刘先生，顾问 李强）" in lc("add", "x", "--phone", "13800138000", user="钱主管").stderr


def write_cards(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["姓名", "电话", "级别"])
        out.writerows(rows)
    return path


def write_history(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["电话", "跟进时间", "方式", "洽谈内容"])
        out.writerows(rows)
    return path


SHEET = [["孙先生的名字", SUN_PHONE, "A"], ["孙太太的名字", SUN_LOST_PHONE, "B"], ["新客户", "13700000001", "C"]]


@pytest.mark.parametrize("dry_run", [True, False])
def test_an_import_names_no_card_the_importer_cannot_see_open_or_closed(lc, tmp_path, dry_run):
    floor(lc)
    sheet = write_cards(tmp_path / "名单.csv", SHEET)
    history = write_history(tmp_path / "跟进.csv", [[SUN_PHONE, "2026-05-01 10:00", "电话", "聊过"]])
    args = ["import", str(sheet), "--followups", str(history), *(["--dry-run"] if dry_run else [])]
    result = lc(*args, "--json", user="王芳")
    assert result.exit_code == 0, result.stderr
    report = result.json()
    reasons = {d["line"]: d["reason"] for d in report["duplicates"]}
    assert set(reasons) == {2, 3}
    assert all(HIDDEN_IN_IMPORT in reason for reason in reasons.values())
    for secret in ("孙丽", "A00001", "A00002", "孙先生,", "孙太太,"):
        assert secret not in result.stdout
    # The duplicate's history is left out as any duplicate's is, not reported as a row of its own.
    assert report["errors"] == [] and report["skipped_history"] == 1
    assert report["imported"]["cards"] == 1 and report["written"] is not dry_run
    table = lc(*args, user="王芳")
    assert HIDDEN_IN_IMPORT in table.stdout and "孙丽" not in table.stdout and "A00001" not in table.stdout


def test_the_teams_supervisor_importing_sees_which_cards_hold_the_phones(lc, tmp_path):
    floor(lc)
    sheet = write_cards(tmp_path / "名单.csv", SHEET)
    report = lc.json("import", str(sheet), "--dry-run", user="周主管")
    reasons = {d["line"]: d["reason"] for d in report["duplicates"]}
    assert "A00001（孙先生）" in reasons[2] and "A00002（孙太太）" in reasons[3]


def test_history_for_a_hidden_customer_not_in_the_file_is_refused_as_for_one_nowhere(lc, tmp_path):
    floor(lc)
    sheet = write_cards(tmp_path / "名单.csv", [["新客户", "13700000001", "C"]])
    answers = []
    for phone in (SUN_PHONE, NOWHERE):
        history = write_history(tmp_path / f"{phone}.csv", [[phone, "2026-05-01 10:00", "电话", "聊过"]])
        result = lc("import", str(sheet), "--followups", str(history), "--json", user="王芳")
        assert result.exit_code == 1
        report = result.json()
        answers.append(([e["reason"].replace(phone, "P") for e in report["errors"]], report["skipped_history"]))
    assert answers[0] == answers[1]


# -- lookups answer as for a card that does not exist -------------------------------------------------


@pytest.mark.parametrize("command", [
    ("reopen",), ("show",), ("log", "--channel", "phone", "--content", "x"), ("approve",), ("win", "--model", "x"),
    ("lose", "--reason", "price"), ("comment", "x"), ("do-not-contact",), ("grade", "C"),
])
@pytest.mark.parametrize("who", ["王芳", "钱主管"])
def test_a_phone_or_number_on_an_invisible_card_answers_as_one_that_exists_nowhere(lc, command, who):
    floor(lc)
    name, *rest = command
    for hidden, nowhere in ((SUN_PHONE, NOWHERE), (SUN_LOST_PHONE, NOWHERE), ("A00001", "A00099")):
        seen = lc(name, hidden, *rest, user=who)
        absent = lc(name, nowhere, *rest, user=who)
        assert seen.exit_code == absent.exit_code != 0
        assert seen.stderr.replace(hidden, "REF") == absent.stderr.replace(nowhere, "REF"), (seen.stderr, absent.stderr)
        assert seen.stdout == absent.stdout


def test_reopening_onto_a_phone_another_team_holds_names_no_card(lc):
    floor(lc)
    lc.ok("add", "王客户", "--phone", "13800138000", user="王芳")
    lc.ok("invalid", "王客户", "--reason", "空号", user="王芳")
    with database(lc.db) as db:  # the number turned out to be 孙先生's: his card takes it
        db.execute("UPDATE cards SET phone = '13800138000' WHERE id = 1")
    tells_nothing(lc("reopen", "A00003", user="王芳"))
    assert "A00001 上（孙先生，顾问 孙丽）" in lc("reopen", "A00003", user="赵经理").stderr


# -- the audit ---------------------------------------------------------------------------------------


def test_a_duplicate_phone_finding_counts_another_teams_card_without_naming_it(lc):
    floor(lc)
    lc.ok("add", "王客户", "--phone", "13800138000", user="王芳")
    with database(lc.db) as db:  # a store kept before duplicates were refused
        db.execute(f"UPDATE cards SET phone = '{SUN_PHONE}' WHERE id = 3")
    mine = lc.json("audit", "--rule", "duplicate-phone", user="王芳")["findings"]
    assert [f["ref"] for f in mine] == ["A00003"]
    assert "1 张你看不到的卡片" in mine[0]["message"] and "孙丽" not in mine[0]["message"]
    assert "A00001" not in mine[0]["message"]
    everyone = lc.json("audit", "--rule", "duplicate-phone", user="赵经理")["findings"]
    assert any("A00001（孙丽" in f["message"] for f in everyone if f["ref"] == "A00003")


def test_a_false_loss_tells_the_consultant_the_customer_came_back_not_to_whom(lc):
    floor(lc)
    lc.ok("add", "王客户", "--phone", "13800138000", user="王芳", now="2026-04-10T10:00:00")
    lc.ok("lose", "王客户", "--reason", "price", user="王芳", now="2026-04-11T10:00:00")
    lc.ok("approve", "王客户", user="钱主管", now="2026-04-11T12:00:00")
    lc.ok("add", "王客户", "--phone", "13800138000", user="孙丽", now="2026-04-25T10:00:00")
    mine = [f for f in lc.json("audit", "--rule", "false-loss", user="王芳")["findings"] if f["ref"] == "A00003"]
    assert len(mine) == 1 and "你看不到的记录" in mine[0]["message"]
    assert "孙丽" not in mine[0]["message"] and "A00004" not in mine[0]["message"]
    managers = [f for f in lc.json("audit", "--rule", "false-loss", user="赵经理")["findings"] if f["ref"] == "A00003"]
    assert "A00004（孙丽）" in managers[0]["message"]


def test_a_supervisors_audit_visits_export_and_import_ask_for_the_team_once(lc, tmp_path, monkeypatch):
    """Whose records a supervisor may see named is their team's: asked of the store once a command,
    however many shared phones, return visits to hidden cards or file rows it judges (each had been
    a query of its own)."""
    floor(lc)
    asked = []
    team_member_ids = Store.team_member_ids
    monkeypatch.setattr(Store, "team_member_ids", lambda store, team: asked.append(team) or team_member_ids(store, team))
    sheet = tmp_path / "名单.csv"
    lines = {
        "audit": (("audit", "--rule", "duplicate-phone", "--json"), lambda out: len(out["findings"])),
        "visits": (("visit", "list", "--json"), lambda out: sum(v["card"] is None for v in out["visits"])),
        "export": (("export", "--format", "json"), lambda out: sum(v["card"] is None for v in out["visits"])),
        "import": (("import", str(sheet), "--dry-run", "--json"), lambda out: len(out["duplicates"])),
    }
    phones = []

    def more(count):
        for _n in range(count):
            hidden, mine = f"1390001{len(phones):04d}", f"1370001{len(phones):04d}"
            phones.append(hidden)
            lc.ok("add", f"孙客{len(phones)}", "--phone", hidden, user="孙丽")
            lc.ok("add", f"王客{len(phones)}", "--phone", mine, user="王芳")
            with database(lc.db) as db:  # a store kept before duplicates were refused
                db.execute(f"UPDATE cards SET phone = '{hidden}' WHERE phone = '{mine}'")
            lc.ok("visit", "add", "--phone", hidden, "--name", "回头客", user="王芳")  # back to 孙丽's card
        write_cards(sheet, [[f"客户{n}", phone, "C"] for n, phone in enumerate(phones)])

    def questions(name):
        args, seen = lines[name]
        asked.clear()
        out = seen(lc.ok(*args, user="钱主管").json())
        assert asked  # the team is asked at all: the count below means something
        return len(asked), out

    more(2)
    before = {name: questions(name) for name in lines}
    assert all(found for _count, found in before.values())
    more(5)
    for name, (count, found) in before.items():
        assert questions(name) == (count, found + 5), name


# -- nobody approves a loss they requested -----------------------------------------------------------


def refused(lc, *args, user):
    result = lc(*args, user=user)
    assert result.exit_code == 1, (args, user, result.stderr)
    assert result.stderr.count("\n") == 1
    return result


def test_a_supervisor_who_requests_their_own_cards_loss_and_reassigns_it_still_cannot_approve_it(lc):
    floor(lc)
    lc.ok("add", "钱客户", "--phone", "13800138001", user="钱主管")
    lc.ok("lose", "钱客户", "--reason", "postponed", user="钱主管")
    lc.ok("assign", "钱客户", "王芳", user="钱主管")
    assert "的战败是 钱主管 申请的" in refused(lc, "approve", "钱客户", user="钱主管").stderr
    today = lc.json("today", user="钱主管")
    assert today["waiting"]["loss_requests"] == []
    pending = lc.json("audit", "--rule", "approval-pending", "--date", "2026-05-05",
                      user="赵经理", now="2026-05-05T18:00:00")["findings"]
    assert [(f["ref"], f["owner"]) for f in pending] == [("A00003", "赵经理")]
    assert [c["ref"] for c in lc.json("today", user="赵经理")["waiting"]["loss_requests"]] == ["A00003"]
    lc.ok("approve", "钱客户", user="赵经理")
    assert lc.json("show", "钱客户", user="赵经理")["status"] == "lost"


def test_a_supervisor_who_requests_a_team_members_loss_leaves_the_approval_to_someone_else(lc):
    floor(lc)
    lc.ok("add", "王客户", "--phone", "13800138000", user="王芳")
    lc.ok("lose", "王客户", "--reason", "price", user="钱主管")
    refused(lc, "approve", "王客户", user="钱主管")
    refused(lc, "approve", "王客户", user="王芳")  # the owner
    refused(lc, "approve", "王客户", user="李强")  # a consultant
    refused(lc, "approve", "A00003", user="周主管")  # another team's supervisor: not even found
    lc.ok("reject", "王客户", "--note", "再跟一次", user="钱主管")  # withdrawing a request is no approval
    lc.ok("lose", "王客户", "--reason", "price", user="钱主管")
    lc.ok("approve", "王客户", user="赵经理")


def test_a_manager_who_requests_a_loss_has_the_teams_supervisor_approve_it(lc):
    floor(lc)
    lc.ok("add", "王客户", "--phone", "13800138000", user="王芳")
    lc.ok("lose", "王客户", "--reason", "price", user="赵经理")
    refused(lc, "approve", "王客户", user="赵经理")
    assert lc.json("today", user="赵经理")["waiting"]["loss_requests"] == []
    assert [c["ref"] for c in lc.json("today", user="钱主管")["waiting"]["loss_requests"]] == ["A00003"]
    lc.ok("approve", "王客户", user="钱主管")


def test_a_new_request_by_the_consultant_is_the_supervisors_to_approve_again(lc):
    floor(lc)
    lc.ok("add", "王客户", "--phone", "13800138000", user="王芳")
    lc.ok("lose", "王客户", "--reason", "price", user="钱主管")
    lc.ok("reject", "王客户", "--note", "你来申请", user="赵经理")
    lc.ok("lose", "王客户", "--reason", "price", user="王芳")
    lc.ok("approve", "王客户", user="钱主管")
    assert lc.json("show", "王客户", user="赵经理")["outcome"]["decided_by"] == "钱主管"
