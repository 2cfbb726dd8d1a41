"""The demo is the first store a new user sees (`leadcard demo`, then `leadcard today`): it must look
like a real showroom — one brand's line-up, contacts in working hours, a showroom log, losses waiting
for the supervisor, signed follow-ups, and an audit that reads like a store's, not a flood."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from conftest import database, Leadcard
from leadcard.domain import demo_floor
from leadcard.domain.audit import LOOKBACK_DAYS
from leadcard.domain.demo import CONSULTANTS

SHANGHAI = ZoneInfo("Asia/Shanghai")
MORNING = "2026-11-23T08:30:00"  # a Monday, before the showroom opens


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Leadcard:
    """The default demo, built once: these tests only read it."""
    lc = Leadcard(tmp_path_factory.mktemp("demo") / "store.db")
    lc.now = MORNING
    lc.ok("demo")
    return lc


def rows(lc: Leadcard, sql: str) -> list[sqlite3.Row]:
    with database(lc.db) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql).fetchall()


def local(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(SHANGHAI)


def minute(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def test_every_contact_falls_in_working_hours_and_fewer_over_lunch(demo):
    times = [local(r["at"]) for r in rows(demo, "SELECT at FROM followups")]
    assert all(9 * 60 <= minute(t) <= 21 * 60 for t in times), sorted(times, key=minute)[:3]
    per_minute = lambda start, end: sum(start <= minute(t) < end for t in times) / (end - start)
    # 12:00–13:30 against the same length of morning and afternoon.
    assert per_minute(720, 810) < 0.6 * per_minute(570, 660)
    assert per_minute(720, 810) < 0.6 * per_minute(870, 960)


def test_contacts_come_as_the_floor_makes_them_thanks_then_a_call_within_a_day(demo):
    """A walk-in gets the written thank-you within 3 hours, then a call within 24; an online lead is
    called within minutes. The decent consultants keep to it (a rare slip allowed)."""
    firsts = rows(demo, """
        SELECT c.source, c.created_at, u.name AS owner,
               (SELECT min(at) FROM followups f WHERE f.card_id = c.id AND f.channel IN ('sms', 'wechat')) AS touch,
               (SELECT min(at) FROM followups f WHERE f.card_id = c.id AND f.channel = 'phone') AS call
        FROM cards c JOIN users u ON u.id = c.owner_id""")
    decent = {name for name, slack in CONSULTANTS if slack < 0.1}
    walk_ins = [r for r in firsts if r["source"] == "walk-in" and r["owner"] in decent and r["touch"] and r["call"]]
    leads = [r for r in firsts if r["source"] == "online" and r["owner"] in decent and r["call"]]
    assert len(walk_ins) > 100 and len(leads) > 50
    on_time = lambda r, column, limit: local(r[column]) - local(r["created_at"]) <= limit
    assert sum(on_time(r, "touch", timedelta(hours=3)) for r in walk_ins) >= 0.95 * len(walk_ins)
    assert sum(on_time(r, "call", timedelta(hours=24)) for r in walk_ins) >= 0.95 * len(walk_ins)
    assert sum(on_time(r, "call", timedelta(minutes=30)) for r in leads) >= 0.95 * len(leads)
    # The thank-you comes after the visit, never before: written contacts precede calls on walk-ins.
    assert sum(r["touch"] < r["call"] for r in walk_ins) >= 0.95 * len(walk_ins)


def test_the_store_sells_one_brands_line_up_each_car_once(demo):
    names = [m.name for m in demo_floor.LINEUP]
    assert len(names) == len(set(names))
    # 铂智3X is sold abroad as bZ3X: one car, one name.
    assert not any("bZ3X" in name for name in names)
    own = {name for name in names}
    models = {r["model"].split()[0] for r in rows(demo, "SELECT DISTINCT model FROM cards")}
    assert models <= own and len(models) >= len(own) - 1
    rivals = {rival for m in demo_floor.LINEUP for rival in m.rivals}
    assert not own & rivals, "a rival is another brand's car, never the store's own"
    # FAW Toyota's cars are sold in another network: rivals at most, never on a card as the model.
    assert all("亚洲龙" not in m and "RAV4" not in m for m in models)


def test_the_showroom_log_has_visits_with_and_without_cards_and_test_drives(demo):
    visits = rows(demo, "SELECT v.*, c.created_at AS card_created, c.source AS card_source "
                        "FROM visits v LEFT JOIN cards c ON c.id = v.card_id")
    carded = [v for v in visits if v["card_id"] is not None]
    anonymous = [v for v in visits if not v["contact_left"]]
    assert carded and anonymous and any(v["test_drive"] for v in visits)
    assert all(v["phone"] is None and v["card_id"] is None for v in anonymous)
    # Cards made from a visit (`add --visit`): after the customer left, mostly within 30 minutes.
    # (An online lead's card comes first; its visits come later, invited.)
    first_visits = {}
    for v in sorted(carded, key=lambda v: v["arrived_at"]):
        if v["card_source"] in ("walk-in", "referral", "phone-in"):
            first_visits.setdefault(v["card_id"], v)
    made = [local(v["card_created"]) - local(v["left_at"]) for v in first_visits.values()]
    assert all(m >= timedelta(0) for m in made)
    assert sum(m <= timedelta(minutes=30) for m in made) >= 0.9 * len(made)
    assert all(v["source"] == v["card_source"] for v in first_visits.values())
    # 留档率: most walk-ins leave a phone, not all.
    walk_ins = [v for v in first_visits.values() if v["source"] == "walk-in"]
    walk_in_rate = len(walk_ins) / (len(walk_ins) + len(anonymous))
    assert 0.55 <= walk_in_rate <= 0.85
    # Yesterday's log, as the manager reads it at the morning meeting.
    yesterday = demo.json("visit", "list", "--date", "2026-11-22", user="赵经理")["visits"]
    assert yesterday and all(v["card"] for v in yesterday if v["contact_left"])


def test_losses_wait_for_approval_and_approved_ones_name_reason_and_competitor(demo):
    pending = demo.json("list", "--status", "lost-pending", user="赵经理")
    assert pending
    lost = [json.loads(r["outcome"]) for r in rows(demo, "SELECT outcome FROM cards WHERE status = 'lost'")]
    assert lost and all(o["reason"] and o["note"] and o["verdict"] == "approved" for o in lost)
    assert all(o["competitor"] for o in lost if o["reason"] in demo_floor.RIVAL_REASONS)
    assert rows(demo, "SELECT count(*) AS n FROM cards WHERE status = 'won'")[0]["n"]


def test_the_supervisor_approves_prices_in_the_showrooms_hours_soon_after_they_are_asked(demo):
    """A price beyond the discount limit waits for the supervisor (批价): approved while the showroom
    is open, within its day or first thing the next morning — never at night."""
    approved = rows(demo, "SELECT at, approved_at FROM quotes WHERE approved_at IS NOT NULL")
    assert approved
    asked, given = zip(*((local(r["at"]), local(r["approved_at"])) for r in approved))
    assert all(9 * 60 <= minute(t) <= 21 * 60 for t in given), sorted(given, key=minute)[:3]
    # A wait of up to 100 minutes, counted from opening when it would end after closing: asked at
    # 19:21, approved at 10:40 the next morning.
    assert all(timedelta(minutes=5) <= g - a <= timedelta(hours=15, minutes=20) for a, g in zip(asked, given))


def test_the_supervisor_signs_most_follow_ups_the_same_evening(demo):
    followups = rows(demo, """
        SELECT f.recorded_at,
               (SELECT min(i.at) FROM instructions i WHERE i.card_id = f.card_id AND i.at >= f.recorded_at) AS signed
        FROM followups f""")
    signed = [r for r in followups if r["signed"]]
    assert len(signed) >= 0.9 * len(followups)
    # A supervisor's day off is signed the next evening: never more than two days late.
    late = [r for r in signed if local(r["signed"]) - local(r["recorded_at"]) > timedelta(days=2)]
    assert len(late) <= 0.02 * len(signed)
    authors = {r["role"] for r in rows(demo, "SELECT DISTINCT u.role FROM instructions i JOIN users u ON u.id = i.author_id")}
    assert authors == {"supervisor"}


def test_some_customers_needs_change_and_the_card_is_edited_after_the_call_that_told_it(demo):
    """修改资料: a budget, payment or timeline heard to change on a later call or visit, written on the
    card by its consultant minutes after the follow-up, while the card is still being sold; the card
    holds the new value and `show` lists the change."""
    edits = rows(demo, """
        SELECT e.card_id, e.at, e.by_id, e.detail, c.owner_id, c.budget, c.payment, c.timeline,
               (SELECT max(f.recorded_at) FROM followups f WHERE f.card_id = e.card_id AND f.recorded_at <= e.at
                AND f.outcome = 'reached' AND f.channel IN ('phone', 'visit', 'test-drive') AND f.seq > 1) AS told,
               (SELECT min(s.at) FROM card_events s WHERE s.card_id = e.card_id
                AND s.kind IN ('won', 'lost-requested', 'invalid')) AS closed
        FROM card_events e JOIN cards c ON c.id = e.card_id WHERE e.kind = 'edited'""")
    cards = rows(demo, "SELECT count(*) AS n FROM cards")[0]["n"]
    assert 0.05 * cards <= len(edits) <= 0.2 * cards
    for e in edits:
        (field, (before, after)), = json.loads(e["detail"])["fields"].items()
        assert field in ("budget", "payment", "timeline") and before and after and before != after
        assert e[field] == after  # the one change the card had
        assert e["by_id"] == e["owner_id"]
        assert e["told"] is not None and timedelta(0) < local(e["at"]) - local(e["told"]) <= timedelta(minutes=30)
        assert e["closed"] is None or e["at"] < e["closed"]
    edited = next(e for e in edits if e["budget"] and "budget" in e["detail"])
    shown = demo.ok("show", f"A{edited['card_id']:05d}", user="赵经理").stdout
    (before, after), = (json.loads(edited["detail"])["fields"]["budget"],)
    assert "修改资料" in shown and f"预算 {before} → {after}" in shown


# A real store's audit: a handful of findings per consultant per week, not a flood. The bound
# follows from the demo's design (demo.SLIPS): a consultant makes some 100 contacts and 18 cards a
# week; each contact slips with `slack` times about 1.6 (vague 0.5, no next date 0.15, late record
# 0.3, a late contact 0.3 that costs two findings), each card with `slack` times about 2 (late
# thank-you, late call, late card, incomplete …); the supervisor's own misses add about one. So
# slack 0.03 (a decent consultant) expects about 7 a week, slack 0.12 (the sloppy one) about 25.
FINDINGS_PER_WEEK = {"decent": 8, "sloppy": 28}


def test_the_audit_of_the_demo_reads_like_a_real_stores(demo):
    audit = demo.json("audit", user="赵经理")
    per_owner = Counter(f["owner"] for f in audit["findings"])
    weeks = LOOKBACK_DAYS / 7
    for name, slack in CONSULTANTS:
        kind = "decent" if slack < 0.05 else "sloppy"
        assert 0 < per_owner[name] <= FINDINGS_PER_WEEK[kind] * weeks, (name, per_owner)
    sloppy = max(CONSULTANTS, key=lambda c: c[1])[0]
    assert all(per_owner[sloppy] > per_owner[name] for name, _ in CONSULTANTS if name != sloppy)


def test_a_consultants_morning_list_is_their_own_days_work(demo):
    items = demo.json("today", user="王芳")["items"]
    assert 5 <= len(items) <= 40
    assert {i["owner"] for i in items} == {"王芳"}
    assert {i["reason"] for i in items} <= {"first-touch", "first-call", "planned", "cadence", "returned", "delivery",
                                            "after-delivery", "first-service", "birthday", "finance-rejected"}
    # A decent consultant's list is today's work, not a backlog of forgotten customers.
    assert sum(i["overdue_days"] > 0 for i in items) <= 2
    assert all(i["purpose"] for i in items if i["reason"] == "planned")


def test_the_same_seed_gives_the_same_store(lc, tmp_path):
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    lc.now = MORNING
    lc.ok("--db", str(a), "demo", "--cards", "300", "--seed", "5")
    lc.ok("--db", str(b), "demo", "--cards", "300", "--seed", "5")
    for query in ("SELECT * FROM cards ORDER BY id", "SELECT * FROM followups ORDER BY id",
                  "SELECT * FROM visits ORDER BY id", "SELECT * FROM instructions ORDER BY id",
                  "SELECT * FROM card_events ORDER BY id"):
        with database(a) as ca, database(b) as cb:
            assert ca.execute(query).fetchall() == cb.execute(query).fetchall(), query


def test_a_store_of_two_batches_links_each_record_to_a_follow_up_of_its_own_card(lc):
    """Batches of 5,000 cards are drawn apart and inserted in turn, each linking its signatures,
    grade changes, objections and test drives to follow-ups by their place in the batch: in the
    second batch as in the first, each points at its own card's follow-up, the one it belongs to."""
    lc.now = MORNING
    lc.ok("demo", "--cards", "5800")  # the second batch, the newest cards, with some weeks of history
    with database(lc.db) as conn:
        links = {table: conn.execute(
            f"SELECT t.card_id > 5000, count(*), sum(CASE WHEN f.card_id = t.card_id AND {belongs} THEN 1 END) "
            f"FROM {table} t JOIN followups f ON f.id = t.followup_id GROUP BY 1 ORDER BY 1").fetchall()
            for table, belongs in (("instructions", "f.recorded_at <= t.at"), ("grade_changes", "f.at = t.at"),
                                   ("test_drives", "f.at = t.at AND f.channel = 'test-drive'"))}
        links["followup_objections"] = conn.execute(
            "SELECT f.card_id > 5000, count(*), sum(CASE WHEN f.outcome = 'reached' THEN 1 END) "
            "FROM followup_objections o JOIN followups f ON f.id = o.followup_id GROUP BY 1 ORDER BY 1").fetchall()
    for table, batches in links.items():
        assert [tuple(b)[0] for b in batches] == [0, 1], table  # both batches have them
        assert all(n == matching for _second, n, matching in batches), (table, batches)


# Every time a record keeps: none may come after the moment the demo was made.
RECORD_TIMES = [("followups", "at"), ("followups", "recorded_at"), ("card_events", "at"), ("cards", "created_at"),
                ("cards", "recorded_at"), ("cards", "status_at"), ("cards", "left_at"), ("visits", "arrived_at"),
                ("visits", "left_at"), ("visits", "recorded_at"), ("instructions", "at"), ("quotes", "at"),
                ("grade_changes", "at")]


@pytest.mark.parametrize("seed, now", [(4, "2026-11-26T16:20:00"), (1, "2026-12-03T14:40:00")])
def test_a_demo_made_in_the_afternoon_holds_nothing_after_its_moment(lc, seed, now):
    """Made while the floor is at work: a loss the consultant has just heard of is not yet asked for,
    a visit that has just ended is not yet written in the log, an order closes once it is placed."""
    lc.ok("demo", "--seed", str(seed), now=now)
    cut = f"{datetime.fromisoformat(now).replace(tzinfo=SHANGHAI).astimezone(ZoneInfo('UTC')):%Y-%m-%dT%H:%M:%SZ}"
    with database(lc.db) as conn:
        later = {f"{table}.{column}": conn.execute(f"SELECT count(*) FROM {table} WHERE {column} > ?", (cut,))
                 .fetchone()[0] for table, column in RECORD_TIMES}
    assert {name: n for name, n in later.items() if n} == {}
