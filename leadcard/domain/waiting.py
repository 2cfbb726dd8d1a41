"""What waits on a supervisor or the manager (DOMAIN.md "People"): loss requests to decide, quotes
waiting for a price approval (经理批价) while the customer may be at the desk, the team's follow-ups
waiting for an instruction, showroom visits that left a phone and have no card, delivered
cars not handed over to after-sales, orders cancelled (退订) in the last days. `today` lists them
under the supervisor's own due cards."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable

from leadcard.domain.persistence import short_of
from leadcard.domain.session import Session, working_days
from leadcard.model import Card, Cancellation, Handover, LossRequest, PriceApproval, Status, Unsigned, Waiting
from leadcard.schedule import visit_card_late
from leadcard.store import waiting as sql
from leadcard.store.visits import waiting_for_card


def waiting(session: Session) -> Waiting:
    """What waits on the acting supervisor or manager, scoped to whose cards they may see."""
    actor = session.actor
    store, policy, now = session.store, session.policy, session.now
    scope = session.visible()
    since = now - timedelta(days=policy.unsigned_days)
    show = session.shows()
    unsigned = [Unsigned(show(r.card), r.count, r.first_seq, r.first_at)
                for r in sql.unsigned(store, scope, actor.id, since)]
    visits = [v for v in waiting_for_card(store, scope, now) if visit_card_late(v.ended_at, now, policy.visit_card_minutes)]
    after = working_days(store, policy)
    handovers = [Handover(show(c), handover_due(session, c, after)) for c in sql.handovers(store, scope)]
    # Nothing is logged on a card waiting for its verdict: its follow-ups are those it was asked after.
    losses = [LossRequest(show(c), c.followup_count, short_of(policy, c.followup_count))
              for c in sql.loss_requests(store, scope, actor.id)]
    cancelled = [Cancellation(show(r.card), r.at, r.reason, r.model, r.by)
                 for r in sql.cancellations(store, scope, actor.id, since)]
    approvals = [PriceApproval(show(card), quote) for card, quote in sql.price_approvals(store, scope, actor.id, session.today)]
    return Waiting(losses, unsigned, visits, handovers, policy.unsigned_days, cancelled, approvals)


def handover_due(session: Session, card: Card,
                 after: Callable[[datetime, int], datetime] | None = None) -> datetime | None:
    """A delivered car's owner not yet handed to after-sales: by when (China's working days after
    the delivery, 调休 included); None once handed over, or before the delivery. `after`: the
    session's `working_days`, when many cards are asked about."""
    delivered = card.outcome.get("delivered_at")
    if card.status != Status.DELIVERED or card.outcome.get("handover_to") or not delivered:
        return None
    after = after or working_days(session.store, session.policy)
    return after(datetime.fromisoformat(delivered).astimezone(session.tz), session.policy.handover_working_days)
