"""A store changing its grading scheme under cards: `init --policy NEW --map OLD=NEW,…` regrades them
in one transaction — the grade history keeps why, due times follow the new cadences — and without a
map for a grade the new scheme lacks, nothing changes."""

from __future__ import annotations

import pytest

from conftest import sales_floor


def showroom(lc):
    """HABC store; 王芳's cards made Monday 27 April, each called Friday 1 May with no next date
    planned (so due at the grade's cadence): 刘 H, 陈 A, 张 B, 李 C; 赵 H, lost."""
    sales_floor(lc)
    lc.now = "2026-04-27T10:00:00"
    for name, phone, grade in (("刘先生", "13800000001", "H"), ("陈女士", "13800000002", "A"),
                               ("张先生", "13800000003", "B"), ("李女士", "13800000004", "C"),
                               ("赵先生", "13800000005", "H")):
        lc.ok("add", name, "--phone", phone, "--grade", grade, user="王芳")
        lc.ok("log", name, "--channel", "wechat", "--content", "感谢到店", user="王芳")
        lc.ok("log", name, "--channel", "phone", "--content", "了解需求", user="王芳", now="2026-05-01T10:00:00")
    lc.ok("lose", "赵先生", "--reason", "price", user="王芳", now="2026-05-01T11:00:00")
    lc.ok("approve", "赵先生", user="钱主管", now="2026-05-01T12:00:00")
    lc.now = "2026-05-04T09:00:00"


def grades(lc) -> dict[str, str]:
    return {c["name"]: c["grade"] for c in lc.json("list", "--all", user="赵经理")}


BEFORE = {"刘先生": "H", "陈女士": "A", "张先生": "B", "李女士": "C", "赵先生": "H"}


def unchanged(lc):
    assert lc.json("policy", "show", user="赵经理")["policy"] == "habc"
    assert grades(lc) == BEFORE
    assert lc.json("show", "张先生", user="赵经理")["due_at"].startswith("2026-05-15")  # B: every 14 days


def test_a_new_scheme_without_a_grade_the_cards_hold_names_the_grades_to_map(lc):
    showroom(lc)
    result = lc("init", "--policy", "abc", user="赵经理")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "H（2 张）" in result.stderr and "--map" in result.stderr
    unchanged(lc)


@pytest.mark.parametrize("grade_map, words", [
    ("H=A,X=B", "“X”不是本店的级别"),
    ("H=Z", "不认识的级别 `Z`"),
    ("H", "不是 旧=新 的写法"),
    ("H=A,H=B", "映射了两次"),
    ("A=A,B=B,C=C", "H（2 张）"),
])
def test_a_map_that_names_unknown_grades_or_leaves_one_out_changes_nothing(lc, grade_map, words):
    showroom(lc)
    result = lc("init", "--policy", "abc", "--map", grade_map, user="赵经理")
    assert result.exit_code == 2 and words in result.stderr, result.stderr
    unchanged(lc)


def test_a_map_without_a_new_scheme_is_bad_input(lc):
    showroom(lc)
    assert lc("init", "--map", "H=A", user="赵经理").exit_code == 2
    unchanged(lc)


@pytest.mark.parametrize("who", ["钱主管", "王芳"])
def test_only_the_manager_changes_the_scheme(lc, who):
    showroom(lc)
    assert lc("init", "--policy", "abc", "--map", "H=A", user=who).exit_code == 1
    unchanged(lc)


def test_the_mapped_cards_are_regraded_with_history_and_due_by_the_new_cadences(lc):
    showroom(lc)
    info = lc.json("init", "--policy", "abc", "--map", "H=A,A=A,B=B,C=C", user="赵经理")
    assert info["policy"] == "abc" and info["regraded"] == {"H→A": 2}
    assert grades(lc) == {"刘先生": "A", "陈女士": "A", "张先生": "B", "李女士": "C", "赵先生": "A"}
    card = lc.json("show", "刘先生", user="赵经理")
    assert [(g["from"], g["to"]) for g in card["grades"]] == [(None, "H"), ("H", "A")]
    last = card["grades"][-1]
    assert last["by"] == "赵经理" and "habc" in last["reason"] and "abc" in last["reason"]
    assert last["at"] == "2026-05-04T09:00:00+08:00"
    # abc: A every day, B every 3 days, C every 7 (habc had H 1, A 7, B 14, C 30).
    due = {c["name"]: c["due_at"][:10] for c in lc.json("list", user="赵经理") if c["due_at"]}
    assert due == {"刘先生": "2026-05-02", "陈女士": "2026-05-02", "张先生": "2026-05-04", "李女士": "2026-05-08"}
    assert [i["name"] for i in lc.json("today", "--date", "2026-05-04", user="王芳")["items"]] == \
        ["刘先生", "陈女士", "张先生"]


def test_list_by_grade_and_the_weekly_funnel_know_only_the_new_grades(lc):
    showroom(lc)
    lc.ok("init", "--policy", "abc", "--map", "H=A", user="赵经理")
    assert sorted(c["name"] for c in lc.json("list", "--grade", "A", "--all", user="赵经理")) == ["刘先生", "赵先生", "陈女士"]
    assert lc("list", "--grade", "H", user="赵经理").exit_code == 2
    report = lc.json("report", "weekly", "--week", "2026-W19", user="赵经理", now="2026-05-11T08:00:00")
    assert report["funnel"] == {"A": 2, "B": 1, "C": 1}
    before = lc.json("report", "weekly", "--week", "2026-W18", user="赵经理", now="2026-05-11T08:00:00")
    assert before["funnel"]["H"] == 1  # a week before the change is reported as it stood


def test_a_map_moving_grades_along_moves_each_card_once(lc):
    lc.ok("init", "--policy", "abc")
    lc.ok("add", "甲", "--phone", "13800000001", "--grade", "A")
    lc.ok("add", "乙", "--phone", "13800000002", "--grade", "B")
    lc.ok("add", "丙", "--phone", "13800000003", "--grade", "C")
    info = lc.json("init", "--policy", "habc", "--map", "A=H,B=A,C=B")
    assert info["regraded"] == {"A→H": 1, "B→A": 1, "C→B": 1}
    assert {c["name"]: c["grade"] for c in lc.json("list")} == {"甲": "H", "乙": "A", "丙": "B"}


def test_a_scheme_holding_every_grade_the_cards_hold_needs_no_map_and_recomputes_cadences(lc):
    lc.ok("init", "--policy", "abc")
    lc.ok("add", "甲", "--phone", "13800000001", "--grade", "B", now="2026-04-27T10:00:00")
    lc.ok("log", "甲", "--channel", "wechat", "--content", "感谢", now="2026-04-27T10:30:00")
    lc.ok("log", "甲", "--channel", "phone", "--content", "了解", now="2026-04-28T10:00:00")
    assert lc.json("show", "甲")["due_at"].startswith("2026-05-01")  # abc B: every 3 days
    info = lc.json("init", "--policy", "habc")
    assert info["regraded"] == {}
    assert lc.json("show", "甲")["due_at"].startswith("2026-05-12")  # habc B: every 14 days


# -- the policy's numbers changed under cards ------------------------------------------------------------


def test_new_cadences_and_order_news_from_a_policy_file_recompute_the_due_times_of_the_cards_they_schedule(
        lc, tmp_path):
    """The manager shortens B's cadence to 3 days and the order news to every 3 days: 张先生 (B, called
    1 May) is due on the 4th instead of the 15th; 陈女士, who ordered on 1 May, hears of her car on the
    4th instead of the 8th; the lost card stays off every list."""
    showroom(lc)
    lc.ok("win", "陈女士", "--model", "凯美瑞", user="王芳", now="2026-05-01T10:00:00")
    assert lc.json("show", "陈女士", user="赵经理")["due_at"].startswith("2026-05-08")  # every 7 days
    policy = tmp_path / "store.toml"
    policy.write_text("order_update_days = 3\n[grades.B]\ncadence_days = 3\n", encoding="utf-8")
    info = lc.json("init", "--policy-file", str(policy), user="赵经理")
    assert (info["regraded"], info["rescheduled"]) == ({}, 4)  # 3 open, 1 won; the lost one is not scheduled
    due = {c["name"]: (c["due_at"] or "")[:10] for c in lc.json("list", "--all", user="赵经理")}
    assert due == {"刘先生": "2026-05-02", "陈女士": "2026-05-04", "张先生": "2026-05-04", "李女士": "2026-05-31",
                   "赵先生": ""}
    assert [i["name"] for i in lc.json("today", "--date", "2026-05-04", user="王芳")["items"]] == \
        ["刘先生", "陈女士", "张先生"]


def test_the_same_policy_again_recomputes_nothing_and_a_change_says_how_many_cards_it_rescheduled(lc, tmp_path):
    showroom(lc)
    policy = tmp_path / "store.toml"
    policy.write_text("[grades.B]\ncadence_days = 3\n", encoding="utf-8")
    assert "已按新政策重算 4 张卡片的到期时间" in lc.ok("init", "--policy-file", str(policy), user="赵经理").stdout
    again = lc.ok("init", "--policy-file", str(policy), user="赵经理").stdout
    assert "重算" not in again and lc.json("init", "--policy-file", str(policy), user="赵经理")["rescheduled"] == 0
    assert lc.json("show", "张先生", user="赵经理")["due_at"].startswith("2026-05-04")
