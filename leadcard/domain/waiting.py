"""What waits on a supervisor or the manager (DOMAIN.md "People"): loss requests to decide, the team's
follow-ups waiting for an instruction, showroom visits that left a phone and have no card, won deals
not handed over to after-sales. `today` lists them under the supervisor's own due cards."""

from __future__ import annotations

from datetime import datetime, timedelta

from leadcard.domain.session import Session, working_days_after
from leadcard.model import Handover, Unsigned, Waiting
from leadcard.store import waiting as sql
from leadcard.store.visits import waiting_for_card


def waiting(session: Session) -> Waiting:
    """What waits on the acting supervisor or manager, scoped to whose cards they may see."""
    actor = session.actor
    store, policy, now = session.store, session.policy, session.now
    scope = session.visible()
    since = now - timedelta(days=policy.unsigned_days)
    unsigned = [Unsigned(session.shown(r.card), r.count, r.first_seq, r.first_at)
                for r in sql.unsigned(store, scope, actor.id, since)]
    late = timedelta(minutes=policy.visit_card_minutes)
    visits = [v for v in waiting_for_card(store, scope, now) if v.ended_at + late <= now]
    handovers = [Handover(session.shown(c), _handover_due(session, c)) for c in sql.handovers(store, scope)]
    losses = [session.shown(c) for c in sql.loss_requests(store, scope, actor.id)]
    return Waiting(losses, unsigned, visits, handovers, policy.unsigned_days)


def _handover_due(session: Session, card) -> datetime | None:
    won = card.outcome.get("at")
    if not won:
        return None
    return working_days_after(session.store, datetime.fromisoformat(won).astimezone(session.tz),
                              session.policy.handover_working_days)
