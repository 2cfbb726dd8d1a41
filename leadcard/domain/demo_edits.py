"""The demo's changes of needs (修改资料): a customer's budget, payment or timeline heard to change on a
call or a visit, written on the card after the follow-up, as `edit` does. Drawn from a random stream
of their own, so the rest of the demo stays as it was for a given seed.
"""

from __future__ import annotations

import random
import re
from datetime import datetime

from leadcard.domain.demo_history import MINUTES
from leadcard.model import Channel, Outcome

# Cards whose customer's needs change while they are being sold.
EDIT_SHARE = 0.12
_HEARD_ON = (Channel.PHONE, Channel.VISIT, Channel.TEST_DRIVE)
_NEARER = {"半年内": "三个月内", "三个月内": "一个月内", "一个月内": "一周内"}
_OTHER_PAYMENT = {"全款": "贷款", "贷款": "全款", "租赁": "贷款"}
_BUDGET = re.compile(r"(\d+) 万左右")


def needs_changed(rng: random.Random, card: dict, entries: list[dict], closed_at: datetime | None,
                  now: datetime) -> list[tuple[datetime, int, dict]]:
    """At most one change of the card's needs, made to `card`: (when, by whom, the fields' values
    before and after, as an `edited` event's detail keeps them). It follows a later contact that
    reached the customer by phone or in person, before the card closed."""
    if rng.random() >= EDIT_SHARE:
        return []
    heard = [e for e in entries[1:] if e["outcome"] == Outcome.REACHED and e["channel"] in _HEARD_ON
             and (closed_at is None or e["at"] < closed_at)]
    changes = _changes(rng, card)
    if not heard or not changes:
        return []
    entry = rng.choice(heard)
    at = entry["recorded_at"] + MINUTES[rng.randint(1, 30)]
    if at >= now or (closed_at is not None and at >= closed_at):
        return []
    field, after = rng.choice(changes)
    before, card[field] = card[field], after
    return [(at, entry["author_id"], {"fields": {field: [before, after]}})]


def _changes(rng: random.Random, card: dict) -> list[tuple[str, str]]:
    """What may change of this card's needs: a budget raised or cut, the other way to pay, a purchase
    brought nearer."""
    found: list[tuple[str, str]] = []
    budget = _BUDGET.fullmatch(card["budget"] or "")
    if budget:
        amount = int(budget[1])
        found.append(("budget", f"{amount + rng.choice((-3, -2, 2, 3, 5) if amount > 3 else (2, 3, 5))} 万左右"))
    if card["payment"] in _OTHER_PAYMENT:
        found.append(("payment", _OTHER_PAYMENT[card["payment"]]))
    if card["timeline"] in _NEARER:
        found.append(("timeline", _NEARER[card["timeline"]]))
    return found
