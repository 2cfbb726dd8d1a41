"""The deal desk (DOMAIN.md, "The showroom's numbers and the deal desk"): quotes (报价) and the
price approval a discount beyond the consultant's limit needs (经理批价).

A quote is numbered per card. Its discount is judged against the policy's `quote_discount_limit` as
it stands when the quote is given: above it the quote is `pending` until a supervisor of the card's
team or the manager approves it — never whoever gave it, nor the card's own consultant — and the
approval stays in the card's history. Without `--valid-until` a quote holds `quote_valid_days`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from leadcard.domain.cards import resolve, with_status
from leadcard.domain.lifecycle import require_over
from leadcard.domain.session import Session
from leadcard.errors import BadInput, NotAllowed, NotFound, Refused
from leadcard.model import Card, EventKind, Status
from leadcard.model.deals import Quote, QuoteStatus
from leadcard.store import deals as sql

# A quote is given on a card still being worked.
_QUOTABLE = (Status.OPEN, Status.DORMANT)


class NewQuote(NamedTuple):
    price: int  # yuan
    model: str | None = None  # default: the card's model
    discount: int = 0
    extras: str | None = None  # 精品
    valid_until: date | None = None


def give_quote(session: Session, ref: str, new: NewQuote) -> tuple[Card, Quote]:
    """报价: a new numbered quote on the card, pending when its discount is above the limit."""
    store, policy = session.store, session.policy
    card = with_status(session, resolve(session, ref))
    if card.status not in _QUOTABLE:
        raise Refused(f"card {card.ref} is {card.status.value}: quotes are given on open cards")
    if new.price <= 0:
        raise BadInput("a quote needs a price above 0 (--price)")
    if new.discount >= new.price:
        raise BadInput(f"the discount ({new.discount}) must be less than the price ({new.price})")
    valid_until = new.valid_until or session.today + timedelta(days=policy.quote_valid_days)
    if valid_until < session.today:
        raise BadInput(f"a quote valid until {valid_until.isoformat()} would have lapsed already")
    with store.transaction():
        seq = sql.insert_quote(store, {
            "card_id": card.id, "at": session.now, "author_id": session.actor_id,
            "model": (new.model or "").strip() or card.fields.get("model"), "price": new.price,
            "discount": new.discount, "extras": (new.extras or "").strip() or None, "valid_until": valid_until,
            "discount_limit": policy.quote_discount_limit,
            "needs_approval": int(new.discount > policy.quote_discount_limit),
        })
    return session.shown(card), sql.quote(store, card.id, seq)


def approve_quote(session: Session, ref: str, seq: int) -> tuple[Card, Quote]:
    """经理批价: a supervisor of the card's team or the manager approves a pending quote, never
    the one who gave it."""
    store = session.store
    card = with_status(session, resolve(session, ref))
    found = sql.quote(store, card.id, seq)
    if found is None:
        raise NotFound(f"card {card.ref} has no quote #{seq}")
    if found.status == QuoteStatus.QUOTED:
        raise Refused(f"quote #{seq} of card {card.ref} is within the discount limit: it needs no approval")
    if found.status == QuoteStatus.APPROVED:
        raise Refused(f"quote #{seq} of card {card.ref} was already approved by {found.approved_by or 'nobody'}")
    if card.status in (Status.LOST, Status.INVALID):
        raise Refused(f"card {card.ref} is {card.status.value}: its quotes are closed")
    actor = session.actor
    if actor is not None and actor.id == found.author_id:
        raise NotAllowed(f"{actor.name} gave quote #{seq}: a supervisor of the team or the manager approves it")
    require_over(session, card, f"approve quote #{seq} on")
    with store.transaction():
        sql.approve_quote(store, card.id, seq, session.now, session.actor_id)
        store.insert_event(card.id, session.now, EventKind.QUOTE_APPROVED, session.actor_id,
                           {"seq": seq, "discount": found.discount})
    return session.shown(card), sql.quote(store, card.id, seq)
