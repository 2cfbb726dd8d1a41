"""Who is acting, and when: on a shared showroom PC users are bound to operating-system logins, taken
from the system and never from $USER; the last manager is not bound away from this login by a typo;
and once logins are bound only a manager may set LEADCARD_NOW, every record written under it keeps
the real time, and the audit's `clock-override` lists them."""

from __future__ import annotations

import csv

import pytest

from leadcard.domain.session import os_login
from conftest import database

REAL_CLOCK = {"LEADCARD_NOW": ""}


def bound_floor(lc):
    """赵经理 (manager) bound to this login; 钱主管 (supervisor) and 王芳 (consultant) of 一组, unbound."""
    here = os_login()
    lc.ok("user", "add", "赵经理", "--role", "manager", "--login", here)
    lc.ok("user", "add", "钱主管", "--role", "supervisor", "--team", "一组", user="赵经理")
    lc.ok("user", "add", "王芳", "--role", "consultant", "--team", "一组", user="赵经理")
    return here


def logins(lc) -> dict:
    with database(lc.db) as db:
        return dict(db.execute("SELECT name, login FROM users"))


# -- the login comes from the system ----------------------------------------------------------------


def without_passwd_entry(monkeypatch):
    """From here on the process runs under a user id the passwd database does not know (a
    container's, say)."""
    import pwd

    def unknown(uid):
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    monkeypatch.setattr(pwd, "getpwuid", unknown)


def test_an_unknown_uid_is_refused_once_logins_are_bound_whatever_user_says(lc, monkeypatch):
    here = bound_floor(lc)
    without_passwd_entry(monkeypatch)
    spoofed = {"USER": here, "LOGNAME": here, "USERNAME": here, **REAL_CLOCK}
    for who in ("赵经理", "王芳"):
        result = lc("list", user=who, env=spoofed)
        assert result.exit_code == 1, result.stderr
        assert "查不到本进程的登录名" in result.stderr and result.stderr.count("\n") == 1


def test_an_unknown_uid_acts_as_before_in_a_store_without_bound_logins(lc, monkeypatch):
    without_passwd_entry(monkeypatch)
    lc.ok("user", "add", "王芳", "--role", "consultant")
    lc.ok("add", "刘先生", "--phone", "13800138000", user="王芳")
    assert [c["name"] for c in lc.json("list", user="王芳")] == ["刘先生"]


def test_the_login_is_never_read_from_the_environment(monkeypatch):
    import pwd

    for variable in ("USER", "LOGNAME", "USERNAME"):
        monkeypatch.setenv(variable, "someone-else")
    assert os_login() == pwd.getpwuid(__import__("os").geteuid()).pw_name != "someone-else"


# -- the last manager --------------------------------------------------------------------------------


def test_binding_the_last_manager_to_a_mistyped_login_needs_force(lc):
    here = bound_floor(lc)
    result = lc("user", "bind", "赵经理", "--login", "zhoa", user="赵经理")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "--force" in result.stderr and "zhoa" in result.stderr
    assert logins(lc)["赵经理"] == here
    lc.ok("user", "bind", "赵经理", "--login", here, user="赵经理")  # the acting login: nothing to fear
    lc.ok("user", "bind", "王芳", "--login", "wangfang", user="赵经理")  # not a manager
    lc.ok("user", "bind", "赵经理", "--login", "zhoa", "--force", user="赵经理")
    assert logins(lc)["赵经理"] == "zhoa"
    assert lc("today", user="赵经理").exit_code == 1  # what --force was warned of


def test_a_manager_may_be_bound_elsewhere_while_another_can_still_act_from_here(lc):
    here = bound_floor(lc)
    lc.ok("user", "add", "孙经理", "--role", "manager", user="赵经理")
    lc.ok("user", "bind", "赵经理", "--login", "zhao-laptop", user="赵经理")
    lc.ok("user", "bind", "孙经理", "--login", here, user="孙经理")
    assert "--force" in lc("user", "bind", "孙经理", "--login", "sun", user="孙经理").stderr
    lc.ok("user", "deactivate", "赵经理", user="孙经理")
    lc.ok("user", "bind", "赵经理", "--login", "anything", user="孙经理")  # deactivated: manages nothing


def test_the_first_user_added_as_a_manager_bound_to_another_login_needs_force(lc):
    result = lc("user", "add", "赵经理", "--role", "manager", "--login", "zhao")
    assert result.exit_code == 1 and "--force" in result.stderr
    assert logins(lc) == {}
    lc.ok("user", "add", "赵经理", "--role", "manager", "--login", "zhao", "--force")
    assert logins(lc) == {"赵经理": "zhao"}


# -- LEADCARD_NOW once logins are bound -----------------------------------------------------------------


@pytest.mark.parametrize("who", ["王芳", "钱主管"])
def test_only_a_manager_sets_the_clock_once_logins_are_bound(lc, who):
    bound_floor(lc)
    lc.ok("add", "刘先生", "--phone", "13800138000", "--owner", "王芳", user="赵经理")
    for command in (("today",), ("log", "刘先生", "--channel", "phone", "--content", "改时间")):
        result = lc(*command, user=who)
        assert result.exit_code == 1 and "LEADCARD_NOW" in result.stderr and result.stderr.count("\n") == 1
    assert lc.json("show", "刘先生", user="赵经理")["followups"] == []
    lc.ok("log", "刘先生", "--channel", "phone", "--content", "真实时间", user=who, env=REAL_CLOCK)
    lc.ok("today", user="赵经理")


def test_anyone_sets_the_clock_in_a_store_without_bound_logins_and_nothing_is_marked(lc):
    lc.ok("user", "add", "赵经理", "--role", "manager")
    lc.ok("user", "add", "王芳", "--role", "consultant", "--team", "一组", user="赵经理")
    lc.ok("add", "刘先生", "--phone", "13800138000", user="王芳")
    lc.ok("log", "刘先生", "--channel", "phone", "--content", "约试驾", user="王芳")
    card = lc.json("show", "刘先生", user="王芳")
    assert "clock_override" not in str(card)


def test_every_record_the_manager_writes_under_a_set_clock_says_so(lc, tmp_path):
    bound_floor(lc)
    lc.ok("add", "刘先生", "--phone", "13800138000", "--owner", "王芳", user="赵经理", now="2026-04-01T10:00:00")
    lc.ok("log", "刘先生", "--channel", "phone", "--content", "补录纸卡", "--grade", "A", user="赵经理",
          now="2026-04-02T10:00:00")
    lc.ok("grade", "刘先生", "H", "--reason", "周末订车", user="赵经理", now="2026-04-03T10:00:00")
    lc.ok("comment", "刘先生", "周六约试驾", user="赵经理", now="2026-04-03T11:00:00")
    lc.ok("log", "刘先生", "--channel", "wechat", "--content", "今天真的发了", user="王芳", env=REAL_CLOCK)
    card = lc.json("show", "刘先生", user="赵经理")
    assert card["clock_override"] is True
    assert [f.get("clock_override", False) for f in card["followups"]] == [True, False]
    assert all(g["clock_override"] for g in card["grades"])
    assert card["instructions"][0]["clock_override"] is True
    assert all(e.get("clock_override", False) == (e["by"] == "赵经理") for e in card["events"])
    lc.ok("visit", "add", "--name", "周女士", "--phone", "13700000001", user="赵经理")
    assert lc.json("visit", "list", user="赵经理")["visits"][0]["clock_override"] is True
    sheet = tmp_path / "纸卡.csv"
    with open(sheet, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["姓名", "电话", "顾问"], ["吴先生", "13600000001", "王芳"]])
    lc.ok("import", str(sheet), user="赵经理")
    imported = lc.json("show", "吴先生", user="赵经理")
    assert imported["clock_override"] and all(e["clock_override"] for e in imported["events"])


def test_the_audit_lists_records_written_under_a_set_clock_for_whoever_set_it(lc):
    bound_floor(lc)
    lc.ok("add", "刘先生", "--phone", "13800138000", "--owner", "王芳", user="赵经理", now="2026-04-01T10:00:00")
    lc.ok("log", "刘先生", "--channel", "phone", "--content", "补录纸卡", user="赵经理", now="2026-04-02T10:00:00")
    lc.ok("add", "周女士", "--phone", "13700000001", user="王芳", env=REAL_CLOCK)
    lc.ok("log", "周女士", "--channel", "phone", "--content", "真实时间", user="王芳", env=REAL_CLOCK)
    found = lc.json("audit", "--rule", "clock-override", user="赵经理", env=REAL_CLOCK)["findings"]
    assert [(f["ref"], f["owner"], f["count"]) for f in found] == [("A00001", "赵经理", 2)]
    assert "LEADCARD_NOW" in found[0]["message"] and "记为 04-0" in found[0]["message"]
    explained = lc("audit", "--explain", "clock-override", user="赵经理", env=REAL_CLOCK)
    assert explained.exit_code == 0 and "LEADCARD_NOW" in explained.stdout
    lc.ok("audit", "--ignore", "clock-override", "--rule", "late-record", user="赵经理", env=REAL_CLOCK)


def test_records_written_on_the_real_clock_give_no_clock_override_finding(lc):
    bound_floor(lc)
    lc.ok("add", "周女士", "--phone", "13700000001", "--owner", "王芳", user="赵经理", env=REAL_CLOCK)
    lc.ok("log", "周女士", "--channel", "phone", "--content", "真实时间", user="王芳", env=REAL_CLOCK)
    lc.ok("grade", "周女士", "H", user="王芳", env=REAL_CLOCK)
    assert lc.json("audit", "--rule", "clock-override", user="赵经理", env=REAL_CLOCK)["findings"] == []
