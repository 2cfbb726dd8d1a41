"""What the reports count of a follow-up is kept with it (issue 20 item 2, issue 23 item 5): whether
it is complete (记录完整: a next date, content and plan written) and whether it invites the customer
to the showroom (its purpose or plan names a visit: `domain.traffic.INVITATION_WORDS`). However a
follow-up is written — logged, corrected, imported from a sheet, restored, made by the demo — what is
kept is what its words say; a store made before (schema 19) gets both for every follow-up it holds;
and the reports count from them exactly as they counted from the words."""

from __future__ import annotations

import re

import pytest

from conftest import Leadcard, database, empty_store, sales_floor, table_names
from leadcard.domain.traffic import INVITATION_WORDS

WEEK = "2026-W47"  # Monday 16 to Sunday 22 November 2026
AFTER = "2026-11-25T10:00:00"


def said(content: str | None, plan: str | None, purpose: str | None, next_at: str | None) -> tuple[int, int]:
    """(complete, invites) as the words say: written is more than spaces (SQL's trim, which the
    reports have always used: a full-width space is writing)."""
    def written(text: str | None) -> bool:
        return (text or "").strip(" ") != ""

    complete = next_at is not None and written(content) and written(plan)
    invites = any(word in (purpose or "") or word in (plan or "") for word in INVITATION_WORDS)
    return int(complete), int(invites)


def kept_and_said(store) -> list[tuple[int, tuple[int, int], tuple[int, int]]]:
    """Each follow-up: (id, what the store keeps, what its words say)."""
    with database(store) as db:
        rows = db.execute("SELECT id, content, plan, purpose, next_at, complete, invites FROM followups "
                          "ORDER BY id").fetchall()
    return [(r[0], (r[5], r[6]), said(r[1], r[2], r[3], r[4])) for r in rows]


def assert_kept_as_said(store) -> None:
    found = kept_and_said(store)
    assert [(i, kept, words) for i, kept, words in found if kept != words] == []
    # Of something: both facts seen both ways.
    assert {kept[0] for _i, kept, _w in found} == {0, 1} and {kept[1] for _i, kept, _w in found} == {0, 1}


def log(lc, ref, at, channel, *args, content="跟进", who="王芳"):
    lc.ok("log", ref, "--channel", channel, "--content", content, "--at", at, *args, user=who,
          now=at.replace(" ", "T") + ":00")


def a_week_of_followups(lc) -> None:
    """王芳's week 47 with 张三 and 李四, at the edges of both facts:
    complete — 16th (plan, next date); a plan of spaces on the 17th; a plan of a full-width space
    (writing) on the 18th; no next date on the 19th; no plan on the 20th; an entry corrected the same
    day into a complete one (counted once, as corrected); a complete entry withdrawn (not counted).
    Invitations — 李四 asked to come on the 19th by purpose, 张三 on the 21st by plan; words of a
    visit in the content invite nobody."""
    sales_floor(lc)
    for name, phone in (("张三", "13800000001"), ("李四", "13800000002")):
        lc.ok("add", name, "--phone", phone, "--owner", "王芳", "--at", "2026-11-16 09:00", user="王芳",
              now="2026-11-16T09:00:00")
    log(lc, "张三", "2026-11-16 10:00", "phone", "--plan", "准备五年用车成本对比", "--next", "2026-11-17 10:00")
    log(lc, "张三", "2026-11-17 10:00", "phone", "--plan", "   ", "--next", "2026-11-18 10:00")
    log(lc, "张三", "2026-11-18 10:00", "wechat", "--plan", "　", "--next", "2026-11-19 10:00")
    log(lc, "李四", "2026-11-16 11:00", "phone", "--next", "2026-11-19 10:00", "--purpose", "邀约到店看车",
        content="客户说周四到店")
    log(lc, "张三", "2026-11-19 10:00", "phone", "--plan", "再约", content="客户说想到店看看")
    log(lc, "张三", "2026-11-20 10:00", "phone", "--next", "2026-11-21 10:00")
    seq = lc.json("show", "张三", user="王芳")["followups"][-1]["seq"]
    lc.ok("log", "张三", "--corrects", str(seq), "--content", "客户周六来", "--plan", "周六来店试驾",
          "--next", "2026-11-21 10:00", user="王芳", now="2026-11-20T10:30:00")
    log(lc, "李四", "2026-11-20 11:00", "wechat", "--plan", "发配置表", "--next", "2026-11-27 10:00")
    seq = lc.json("show", "李四", user="王芳")["followups"][-1]["seq"]
    lc.ok("log", "李四", "--void", str(seq), "--reason", "记错卡片", user="王芳", now="2026-11-20T11:10:00")


def weekly(lc) -> dict:
    return lc.json("report", "weekly", "--week", WEEK, user="赵经理", now=AFTER)


def test_a_week_counts_completeness_and_invitations_as_the_words_say(lc):
    a_week_of_followups(lc)
    report = weekly(lc)
    # Standing: the 16th (complete), 17th (spaces), 18th (full-width: complete), 19th (no next date),
    # the correction (complete), 李四's invitation (no plan): 3 of 6.
    assert report["kpis"]["completeness"] == {"numerator": 3, "denominator": 6, "rate": 0.5}
    assert report["totals"]["followups"] == 6
    # 张三 invited for the 21st by the correction's plan, 李四 for the 19th: neither came.
    assert report["traffic"]["invitation"] == {"numerator": 0, "denominator": 2, "rate": 0.0}
    assert_kept_as_said(lc)


def test_followups_imported_restored_or_made_by_the_demo_keep_what_their_words_say(lc, tmp_path):
    a_week_of_followups(lc)
    lc.ok("export", "--format", "xlsx", "--output", str(tmp_path / "sheet.xlsx"), user="赵经理", now=AFTER)
    lc.ok("export", "--format", "json", "--output", str(tmp_path / "all.json"), user="赵经理", now=AFTER)
    sheet = empty_store(tmp_path / "sheet.db")
    sales_floor(sheet)
    sheet.ok("import", str(tmp_path / "sheet.xlsx"), now=AFTER)
    restored = empty_store(tmp_path / "restored.db")
    restored.ok("import", str(tmp_path / "all.json"), user="赵经理", now=AFTER)
    demo = Leadcard(tmp_path / "demo.db")
    demo.ok("demo", "--cards", "60")
    for store in (lc, sheet, restored, demo):
        assert_kept_as_said(store)
    assert weekly(restored) == weekly(lc)


def test_a_store_made_before_gets_the_facts_of_every_followup_it_holds(backend, request, tmp_path):
    """A store of schema 19 written to, then opened by this leadcard: migration 20 keeps the facts of
    what it held, and the week's report counts them as before."""
    import leadcard.store as store_module
    from leadcard.store import migrations

    locations = [tmp_path / f"{name}.db" for name in ("old", "now")] if backend == "sqlite" else \
        [request.getfixturevalue("cluster").database(empty=True) for _ in range(2)]
    if backend != "sqlite":
        request.addfinalizer(lambda: [request.getfixturevalue("cluster").drop(url) for url in locations])
    old, now = (Leadcard(location) for location in locations)
    # The week written by this leadcard, then copied into a store of schema 19 as that one would
    # have kept it: this one reads and writes columns added since.
    empty_store(now.db)
    a_week_of_followups(now)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store_module, "MIGRATIONS", migrations.MIGRATIONS[:19])
        patch.setattr(store_module, "SCHEMA_VERSION", 19)
        empty_store(old.db)
    copied_into(now, old)
    with database(old) as db:
        columns = {r[1] for r in db.execute("PRAGMA table_info(followups)")}
        assert "complete" not in columns and "invites" not in columns and db.execute(
            "SELECT count(*) FROM followups").fetchone()[0] == 8
    report = weekly(old)
    with database(old) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(migrations.MIGRATIONS)
    assert report["kpis"]["completeness"] == {"numerator": 3, "denominator": 6, "rate": 0.5}
    assert report["traffic"]["invitation"] == {"numerator": 0, "denominator": 2, "rate": 0.0}
    assert_kept_as_said(old)
    doctor = old.json("doctor", user="赵经理")
    assert (doctor["sound"], doctor["unknown_objects"], doctor["missing_objects"]) == (True, [], [])


# Tables whose rows others point at, first: the server checks each reference as a row is written.
_REFERRED = ("users", "objections", "cards", "visits", "followups")


def copied_into(source: Leadcard, target: Leadcard) -> None:
    """Every row of `source` into the tables of `target`, an older schema's store, in the columns it
    has; a table the migrations filled (the objections) is left as they filled it."""
    with database(source) as a, database(target) as b:
        tables = sorted(table_names(b), key=lambda t: _REFERRED.index(t) if t in _REFERRED else len(_REFERRED))
        for table in tables:
            if b.execute(f"SELECT count(*) FROM {table}").fetchone()[0]:
                continue
            held = {r[1] for r in a.execute(f"PRAGMA table_info({table})")}
            columns = [r[1] for r in b.execute(f"PRAGMA table_info({table})") if r[1] in held]
            rows = a.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY 1").fetchall()
            if rows:
                b.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                              [tuple(r) for r in rows])


def test_the_words_that_invite_are_the_ones_the_store_keeps_invitations_by():
    """The invitation words live twice — the traffic's definition and the migration's column — and
    must be the same: changing them means a migration that redefines the column."""
    from leadcard.store.migrations import MIGRATIONS
    from leadcard.store.schema_check import expected_objects

    table = expected_objects(len(MIGRATIONS))[("table", "followups")]
    column = table[table.index(" invites INTEGER GENERATED"):]
    assert sorted(set(re.findall(r"LIKE '%([^%']+)%'", column))) == sorted(INVITATION_WORDS)
