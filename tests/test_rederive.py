"""A store whose cards an older version of leadcard scheduled has them scheduled again by this
version's rules when it is next opened (schedule.DERIVATION): a morning list must not keep an old
version's due times until each card happens to be written again."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from conftest import Leadcard, database, sqlite_only
from leadcard.domain.session import DERIVATION_SETTING
from leadcard.schedule import DERIVATION
from test_reliability import DERIVED
from test_store_health import read_only, settle

FIXTURES = Path(__file__).parent / "fixtures"
WRONG_DUE = "2030-01-01T00:00:00Z"


def noted(store: Leadcard) -> str | None:
    with database(store) as conn:
        row = conn.execute("SELECT value FROM settings WHERE key = ?", (DERIVATION_SETTING,)).fetchone()
    return row[0] if row else None


def derived_by(store: Leadcard, version: str | None) -> None:
    """The store as a leadcard whose derivation is `version` (None: one from before it was noted)
    would have left it: its card's due time not the one this version derives."""
    with database(store) as conn:
        conn.execute("UPDATE cards SET due_at = ?", (WRONG_DUE,))
        conn.execute("DELETE FROM settings WHERE key = ?", (DERIVATION_SETTING,))
        if version is not None:
            conn.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (DERIVATION_SETTING, version))


def planned_card(lc: Leadcard) -> str:
    """张三, his next call planned for Wednesday 6 May; today is Sunday 3 May."""
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "B")
    lc.ok("log", "张三", "--channel", "wechat", "--content", "感谢到店，发了车型资料")
    return lc.json("log", "张三", "--channel", "phone", "--content", "客户想周末带家人来试驾",
                   "--next", "2026-05-06 10:00")["next_at"]


def due_at(lc: Leadcard) -> str | None:
    return lc.json("show", "张三")["due_at"]


def test_a_new_store_notes_the_version_that_scheduled_its_cards(lc):
    lc.ok("init")
    assert noted(lc) == str(DERIVATION)


@pytest.mark.parametrize("version", [None, str(DERIVATION - 1), "garbled"], ids=["unnoted", "older", "garbled"])
def test_cards_an_older_version_scheduled_are_scheduled_again_once(lc, version):
    planned = planned_card(lc)
    derived_by(lc, version)
    assert due_at(lc) == planned  # the first command reads them recomputed
    assert noted(lc) == str(DERIVATION)
    # Once: a store this version scheduled is not recomputed at every command.
    with database(lc) as conn:
        conn.execute("UPDATE cards SET due_at = ?", (WRONG_DUE,))
    assert due_at(lc) == "2030-01-01T08:00:00+08:00"


def test_a_store_a_newer_version_scheduled_is_left_as_it_stands(lc):
    """Two versions on one shared store must not recompute it back and forth."""
    planned_card(lc)
    derived_by(lc, str(DERIVATION + 1))
    assert due_at(lc) == "2030-01-01T08:00:00+08:00"
    assert noted(lc) == str(DERIVATION + 1)


def test_a_refused_command_recomputes_nothing(lc):
    planned_card(lc)
    lc.ok("user", "add", "赵经理", "--role", "manager")
    derived_by(lc, None)
    refused = lc("show", "张三", user="钱主管")  # nobody of that name
    assert refused.exit_code != 0
    assert noted(lc) is None


@sqlite_only("the permissions of the store's file")
def test_a_store_this_login_may_only_read_still_answers_as_it_stands(tmp_path):
    (tmp_path / "shelf").mkdir()
    lc = Leadcard(tmp_path / "shelf" / "store.db")
    lc.ok("init")
    planned_card(lc)
    derived_by(lc, None)
    settle(lc.db)
    with read_only(lc.db):
        assert due_at(lc) == "2030-01-01T08:00:00+08:00"
    assert noted(lc) is None
    assert due_at(lc) != "2030-01-01T08:00:00+08:00"  # and the first command that may write recomputes


def test_a_store_made_by_schema_version_1_is_scheduled_by_todays_rules(tmp_path):
    """崔静慧's second contact was a call that did not reach her: version 1 counted it as her first
    call and planned her next contact for 26 May; today a call that did not reach the customer is no
    first call, so her first call is due, late since the evening of the 19th."""
    db = tmp_path / "leadcard.db"
    shutil.copy(FIXTURES / "store-v1.db", db)
    lc = Leadcard(db)
    lc.now = "2026-05-20T10:00:00"
    items = {item["name"]: item for item in lc.json("today", user="李强")["items"]}
    assert (items["崔静慧"]["reason"], items["崔静慧"]["due_at"]) == ("first-call", "2026-05-19T20:23:00+08:00")
    assert noted(lc) == str(DERIVATION)


# What this version's rules derive for the version-1 store's cards (their columns DERIVED, by card), by
# schedule.DERIVATION. A change of the rules that moves them must raise DERIVATION and note the new
# digest here: else every store keeps the old version's schedules until each card is written again.
DIGESTS = {1: "5ed8c8ab27029841da3b71baedb28249040d22be4408f3a8da33299d2623a732"}


def test_a_change_of_the_derived_schedules_raises_their_version(tmp_path):
    db = tmp_path / "leadcard.db"
    shutil.copy(FIXTURES / "store-v1.db", db)
    Leadcard(db).ok("list", user="赵经理")
    with database(db) as conn:
        rows = conn.execute(f"SELECT id, {', '.join(DERIVED)} FROM cards ORDER BY id").fetchall()
    digest = hashlib.sha256(repr(rows).encode()).hexdigest()
    assert DIGESTS.get(DERIVATION) == digest, (
        f"the cards' derived schedules changed: raise schedule.DERIVATION to {DERIVATION + 1} "
        f"and note its digest {digest} in DIGESTS")
