"""Properties of the date logic, over showrooms hypothesis makes up (issue 22, point 4).

- `today` is ordered by one total order: most overdue first, then the hotter grade, then the due
  time, then the card — no two items tie, so the list is the same however the store is read.
- A card is due at most once a day, whatever its history: first touch, first call, plan, cadence,
  wake-up or return visit.
- A past `audit --date` gives the same answer whenever it is run.

Few examples, derandomized and without a deadline: each example is a real store driven through the
CLI, and the suite must stay fast and give the same result on every machine.
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Leadcard, empty_store

PROPERTIES = settings(max_examples=12, deadline=None, derandomize=True, database=None,
                      suppress_health_check=[HealthCheck.too_slow])
RANK = {"H": 0, "A": 1, "B": 2, "C": 3}
# Days `today` is asked about: ordinary days, and days in the wake-up windows of the dormant pool
# (Dragon Boat on 19 June, the third quarter on 1 July, National Day on 1 October).
DAYS = ["2026-06-05", "2026-06-12", "2026-06-19", "2026-06-22", "2026-06-28", "2026-07-01", "2026-09-30"]


def fresh_store() -> Leadcard:
    return empty_store(Path(tempfile.mkdtemp(prefix="leadcard-prop-")) / "store.db")


def moment(day: datetime, minutes: int) -> str:
    return (day + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S")


# One card's history relative to the day asked: made `age` days before it, then what was done.
card_story = st.fixed_dictionaries({
    "grade": st.sampled_from(list(RANK)),
    "age": st.integers(min_value=0, max_value=240),  # 240 days: some cards are dormant
    "minute": st.integers(min_value=0, max_value=10 * 60),  # made between 08:00 and 18:00
    "thanked": st.booleans(),
    "called": st.booleans(),
    "next_in": st.one_of(st.none(), st.integers(min_value=-10, max_value=3)),  # days from the day asked
    "returned": st.booleans(),  # came back and was received by a colleague
})


def build(lc: Leadcard, stories: list[dict], day: datetime) -> None:
    lc.ok("user", "add", "赵经理", "--role", "manager")
    for name in ("王芳", "李强"):
        lc.ok("user", "add", name, "--role", "consultant", "--team", "一组", user="赵经理")
    lc.user = "王芳"
    for n, story in enumerate(stories):
        name, phone = f"客户{n}", f"1380000{n:04d}"
        made = day - timedelta(days=story["age"]) + timedelta(hours=8, minutes=story["minute"])
        lc.ok("add", name, "--phone", phone, "--grade", story["grade"], now=moment(made, 0))
        contacted = made
        if story["thanked"]:
            contacted = made + timedelta(minutes=20)
            lc.ok("log", name, "--channel", "wechat", "--content", "感谢到店，发送配置表", now=moment(contacted, 0))
        if story["called"] and story["age"] > 0:
            contacted = made + timedelta(hours=5)
            planned = []
            if story["next_in"] is not None:
                planned = ["--next", (day + timedelta(days=story["next_in"])).strftime("%Y-%m-%d 10:00")]
            lc.ok("log", name, "--channel", "phone", "--content", "电话确认需求与预算", *planned, now=moment(contacted, 0))
        if story["returned"] and story["age"] > 1:
            back = day - timedelta(days=1) + timedelta(hours=9)
            if back > contacted:
                lc.ok("visit", "add", "--at", moment(back, 0), "--left", moment(back, 40), "--phone", phone,
                      user="李强", now=moment(back, 45))


@PROPERTIES
@given(stories=st.lists(card_story, min_size=2, max_size=6), asked=st.sampled_from(DAYS))
def test_today_is_one_total_order_and_lists_a_card_at_most_once_a_day(stories, asked):
    day = datetime.fromisoformat(asked)
    lc = fresh_store()
    build(lc, stories, day)
    for offset in (0, 1):
        date = (day + timedelta(days=offset)).strftime("%Y-%m-%d")
        items = lc.json("today", "--date", date, now=asked + "T07:00:00")["items"]
        refs = [i["ref"] for i in items]
        assert len(refs) == len(set(refs)), refs  # due at most once a day
        keys = [(-i["overdue_days"], RANK[i["grade"]], datetime.fromisoformat(i["due_at"]), i["ref"]) for i in items]
        assert all(a < b for a, b in zip(keys, keys[1:])), keys  # strictly ordered: nothing ties
        end_of_day = datetime.fromisoformat(date + "T23:59:59+08:00")
        assert all(datetime.fromisoformat(i["due_at"]) <= end_of_day for i in items if i["reason"] != "wake-up")


# What a consultant may do to a card on some day of May 2026, at some minute of it.
action = st.tuples(
    st.integers(min_value=0, max_value=2),  # which card
    st.integers(min_value=2, max_value=24),  # day of May
    st.integers(min_value=8 * 60, max_value=21 * 60),  # minute of the day
    st.sampled_from(["sms", "call", "call-planned", "unreached", "visit", "regrade", "lose", "approve", "reject",
                     "win", "deliver", "handover", "reopen", "new-card"]),
)
ACTS = {
    "sms": ("log", "{ref}", "--channel", "sms", "--content", "节日问候，发送新品资料"),
    "call": ("log", "{ref}", "--channel", "phone", "--content", "电话确认预算与车型"),
    "call-planned": ("log", "{ref}", "--channel", "phone", "--content", "约周末到店试驾", "--plan", "准备试驾车与报价单",
                     "--next", "+9d", "--purpose", "试驾"),
    "unreached": ("log", "{ref}", "--channel", "phone", "--content", "未接通", "--outcome", "unreachable"),
    "visit": ("log", "{ref}", "--channel", "visit", "--content", "到店看车，谈了价格", "--next", "+2d"),
    "regrade": ("grade", "{ref}", "H", "--reason", "准备订车"),
    "lose": ("lose", "{ref}", "--reason", "价格", "--competitor", "本田雅阁"),
    "approve": ("approve", "{ref}"),
    "reject": ("reject", "{ref}", "--note", "再跟一次"),
    "win": ("win", "{ref}", "--model", "凯美瑞"),
    "deliver": ("deliver", "{ref}"),  # the ordered car handed to its owner: after-sales' day starts here
    "handover": ("handover", "{ref}", "--to", "售后 陈工"),
    "reopen": ("reopen", "{ref}"),
    "new-card": ("add", "回头客{ref}", "--phone", "1390000{n:04d}", "--grade", "B"),
}


@PROPERTIES
@given(actions=st.lists(action, min_size=3, max_size=14), audited=st.integers(min_value=3, max_value=20),
       first_run=st.integers(min_value=1, max_value=6))
def test_a_past_audit_gives_the_same_answer_whenever_it_is_run(actions, audited, first_run):
    lc = fresh_store()
    for n, grade in enumerate(("A", "B", "H")):
        lc.ok("add", f"客户{n}", "--phone", f"1380000{n:04d}", "--grade", grade, "--model", "凯美瑞",
              now=f"2026-05-01T{9 + n:02d}:00:00")
    day = f"2026-05-{audited:02d}"
    first_at = datetime(2026, 5, audited) + timedelta(days=first_run, hours=8)
    first = None
    for n, (card, may, minute, act) in enumerate(sorted(actions, key=lambda a: (a[1], a[2]))):
        at = datetime(2026, 5, may) + timedelta(minutes=minute)
        if first is None and at > first_at:
            first = lc.json("audit", "--date", day, now=first_at.isoformat())
        # A refused action (approving an open card …) writes nothing: the story goes on.
        lc(*(part.format(ref=f"A{card + 1:05d}", n=n) for part in ACTS[act]), now=at.isoformat())
    first = first or lc.json("audit", "--date", day, now=first_at.isoformat())
    later = lc.json("audit", "--date", day, now="2026-06-30T18:00:00")
    assert later == first
