"""The demo's showroom log and deal desk: the visits cards were made from (and walk-ins who left
nothing), test drives, quotes with the supervisor's price approvals, trade-in appraisals, loan
applications, and each consultant's targets. Drawn from a random stream of their own, so the rest of
the demo stays as it was for a given seed.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from leadcard.domain import demo_floor as F
from leadcard.model import Channel, EventKind, Outcome
from leadcard.model.deals import FinanceStatus
from leadcard.schedule import Policy

DISCOUNTS = (0, 2000, 3000, 3000, 5000, 8000, 10000)
PLAN_WITHIN = timedelta(days=2)  # the audit's purchase-plan-late: a key customer's written plan
NO_PLAN = 0.5  # times a consultant's slack: a key customer left without a plan in time
EXTRAS = ("脚垫、贴膜", "行车记录仪、脚垫", "首保免费、延保一年", None, None)
BANKS = ("厂家金融", "工商银行", "建设银行", "招商银行")
TRADE_INS = ("大众朗逸 2015款 9万公里", "本田飞度 2014款 11万公里", "日产轩逸 2016款 8万公里", "比亚迪 F3 2013款 13万公里")
# Each table's columns, in the order of a row's values; a test drive ends with the place of its
# follow-up in the batch (demo.COLUMNS).
DESK_COLUMNS = {
    "test_drives": ("card_id", "visit_id", "at", "vehicle", "licence_checked"),
    "quotes": ("card_id", "seq", "at", "author_id", "model", "price", "discount", "extras", "valid_until",
               "discount_limit", "needs_approval", "approved_at", "approved_by"),
    "trade_ins": ("card_id", "seq", "at", "recorded_at", "author_id", "vehicle", "appraisal"),
    "finance": ("card_id", "seq", "at", "recorded_at", "author_id", "status", "bank", "amount"),
}


def desk_rows(rng: random.Random, policy: Policy, card: dict, consultant, supervisor: tuple[int, str],
              followups: list[dict], now: datetime, rows: dict[str, list[tuple]],
              stamp: Callable[[datetime | None], str | None], before: int) -> tuple[list[dict], datetime | None]:
    """One card's desk records (the showroom log is the demo's own), added to `rows` as SQL values
    (`DESK_COLUMNS`; `before`: the batch's follow-ups before this card's); the card events they
    bring (price approvals), and when its loan was rejected if that is where its application stands."""
    card_id, owner = card["id"], consultant.id
    events: list[dict] = []
    reached = [(seq, f) for seq, f in enumerate(followups, start=1) if f["outcome"] == Outcome.REACHED]
    for seq, f in reached:
        if f["channel"] == Channel.TEST_DRIVE:
            rows["test_drives"].append((card_id, None, stamp(f["at"]), card["model"], int(rng.random() < 0.9),
                                        before + seq))
    # A key customer (the hottest grade) is given a written plan, a quote, at a contact within the
    # audit's two days of being judged one; the sloppy let some slip. Others are quoted at times.
    hottest = {g.code for g in policy.grades if g.rank == 0}
    key = next((f["at"] for f in followups if f["grade"] in hottest), None)
    in_time = [f["at"] for _, f in reached if key is not None and key <= f["at"] <= key + PLAN_WITHIN]
    if in_time and rng.random() >= consultant.slack * NO_PLAN:
        later = [f["at"] for _, f in reached if f["at"] > in_time[0]]
        _quotes(rng, policy, card, owner, supervisor, later, now, rows["quotes"], events, stamp, first=in_time[0])
    elif len(reached) >= 2 and rng.random() < 0.4:
        _quotes(rng, policy, card, owner, supervisor, [f["at"] for _, f in reached[1:]], now, rows["quotes"],
                events, stamp)
    if card.get("current_vehicle") not in (None, "无") and reached and rng.random() < 0.5:
        at = stamp(rng.choice(reached)[1]["at"])
        rows["trade_ins"].append((card_id, 1, at, at, owner, rng.choice(TRADE_INS), rng.randint(30, 90) * 1000))
    rejected_at = None
    if card.get("payment") == "贷款" and reached and rng.random() < 0.6:
        # Applied at some contact before the latest, so that most rejections were talked over since.
        applied = rng.choice(reached[:-1] or reached)[1]["at"]
        rejected_at = _finance(rng, card_id, owner, applied, now, rows["finance"], stamp)
    return events, rejected_at


def _quotes(rng, policy, card, owner, supervisor, moments, now, rows, events, stamp,
            first: datetime | None = None) -> None:
    """One quote or two at some of `moments` (after `first`, when it is given, which is one)."""
    model = next((m for m in F.LINEUP if card["model"].startswith(m.name)), None)
    price = round(rng.uniform(*model.price) * 10_000, -2) if model else 150_000  # the trim's guide price
    wanted = rng.choice((1, 1, 2)) - (first is not None)
    chosen = sorted(rng.sample(moments, min(len(moments), wanted)))
    for seq, at in enumerate([first, *chosen] if first is not None else chosen, start=1):
        discount = rng.choice(DISCOUNTS)
        pending = discount > policy.quote_discount_limit
        approved_at = _approved(at, timedelta(minutes=5 * rng.randint(1, 20)), policy) \
            if pending and rng.random() < 0.8 else None
        if approved_at is not None and approved_at > now:
            approved_at = None
        rows.append((card["id"], seq, stamp(at), owner, card["model"], price, discount, rng.choice(EXTRAS),
                     (at + timedelta(days=policy.quote_valid_days)).date().isoformat(), policy.quote_discount_limit,
                     int(pending), stamp(approved_at), supervisor[0] if approved_at else None))
        if approved_at is not None:
            events.append({"at": approved_at, "kind": EventKind.QUOTE_APPROVED, "by_id": supervisor[0],
                           "detail": json.dumps({"seq": seq, "discount": discount})})


def _approved(quoted: datetime, wait: timedelta, policy: Policy) -> datetime:
    """When the supervisor approves a price quoted at `quoted`, `wait` later: in the showroom's hours,
    so a price asked for after closing is approved the next morning, `wait` after opening."""
    opening, closing = policy.working_hours
    at = quoted + wait
    if at.time() > closing:
        return datetime.combine(at.date() + timedelta(days=1), opening, tzinfo=at.tzinfo) + wait
    if at.time() < opening:
        return datetime.combine(at.date(), opening, tzinfo=at.tzinfo) + wait
    return at


def _finance(rng, card_id: int, owner: int, applied: datetime, now: datetime, rows: list[tuple],
             stamp) -> datetime | None:
    bank, amount = rng.choice(BANKS), rng.randint(5, 20) * 10000
    at = stamp(applied)
    rows.append((card_id, 1, at, at, owner, FinanceStatus.APPLIED.value, bank, amount))
    decided = applied + timedelta(days=rng.randint(1, 5))
    if decided > now:
        return None
    verdict = FinanceStatus.REJECTED if rng.random() < 0.3 else FinanceStatus.APPROVED
    at = stamp(decided)
    rows.append((card_id, 2, at, at, owner, verdict.value, bank, amount))
    return decided if verdict == FinanceStatus.REJECTED else None


def targets(rng: random.Random, consultants, manager_id: int, now: datetime) -> list[dict]:
    """Each consultant's orders target for last month and this one, set on each month's first morning."""
    this_month = now.replace(day=1, hour=9, minute=0, second=0, microsecond=0)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    rows = []
    for first in (last_month, this_month):
        if first > now:
            continue
        for c in consultants:
            orders = rng.randint(6, 12)
            rows.append({"user_id": c.id, "month": f"{first:%Y-%m}", "orders": orders,
                         "deliveries": max(0, orders - rng.randint(0, 3)), "set_at": first, "set_by": manager_id})
    return rows
