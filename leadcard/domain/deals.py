"""The deal desk (DOMAIN.md, "The showroom's numbers and the deal desk"): quotes (报价) and the
price approval a discount beyond the consultant's limit needs (经理批价), trade-in appraisals (置换评估)
and loan applications (贷款).

A quote is numbered per card. Its discount is judged against the policy's `quote_discount_limit` as
it stands when the quote is given: above it the quote is `pending` until a supervisor of the card's
team or the manager approves it — never whoever gave it, nor the card's own consultant — and the
approval stays in the card's history. Without `--valid-until` a quote holds `quote_valid_days`.

A loan application is a row per step (applied, approved, rejected), each with its date; a step that
names no bank or amount keeps those of the step before. A rejection makes an open card due for a
call (`finance-rejected`) until a contact reaches the customer after it, and a loss requested for
贷款未过 names the application it failed on.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import NamedTuple

from leadcard.domain.cards import held_on, refresh, resolve, with_status
from leadcard.domain.lifecycle import require_over
from leadcard.domain.session import Session
from leadcard.errors import BadInput, NotAllowed, NotFound, Refused
from leadcard.i18n import _
from leadcard.model import STATUS_LABELS, Card, EventKind, Status
from leadcard.model.deals import Finance, FinanceStatus, Quote, QuoteStatus, TradeIn
from leadcard.store import deals as sql

# A quote is given on a card still being worked; appraisals and loans go on until the card is lost.
_QUOTABLE = (Status.OPEN, Status.DORMANT)
_DEALT = (Status.OPEN, Status.DORMANT, Status.LOST_PENDING, Status.WON)


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
        raise Refused(_("卡片 {ref} 的状态是 {status}：只有跟进中的卡片才能报价").format(
            ref=card.ref, status=_(STATUS_LABELS[card.status])))
    if new.price <= 0:
        raise BadInput(_("报价金额要大于 0（--price）"))
    if new.discount >= new.price:
        raise BadInput(_("优惠（{discount}）要小于报价（{price}）").format(discount=new.discount, price=new.price))
    valid_until = new.valid_until or session.today + timedelta(days=policy.quote_valid_days)
    if valid_until < session.today:
        raise BadInput(_("有效期到 {day} 的报价已经过期了：--valid-until 不能早于今天").format(day=valid_until.isoformat()))
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
    the one who gave it, nor one past its last valid day (the customer is quoted again)."""
    store = session.store
    card = with_status(session, resolve(session, ref))
    found = sql.quote(store, card.id, seq)
    if found is None:
        raise NotFound(_("卡片 {ref} 没有第 {seq} 次报价（见 leadcard show {ref}）").format(ref=card.ref, seq=seq))
    if found.status == QuoteStatus.QUOTED:
        raise Refused(_("卡片 {ref} 的第 {seq} 次报价优惠在顾问权限内，不用批价").format(ref=card.ref, seq=seq))
    if found.status == QuoteStatus.APPROVED:
        if found.approved_by is None:  # approved in a store without users
            raise Refused(_("卡片 {ref} 的第 {seq} 次报价已经批过价").format(ref=card.ref, seq=seq))
        raise Refused(_("卡片 {ref} 的第 {seq} 次报价已由 {approver} 批过价").format(
            ref=card.ref, seq=seq, approver=found.approved_by))
    if card.status in (Status.LOST, Status.INVALID):
        raise Refused(_("卡片 {ref} 的状态是 {status}：报价已关闭，不能再批价").format(ref=card.ref, status=_(STATUS_LABELS[card.status])))
    if held_on(found, session.today, card.status).lapsed:
        raise Refused(_("卡片 {ref} 的第 {seq} 次报价有效至 {day}，已经过期：请重新报价（leadcard quote {ref} --price …）再批价")
                      .format(ref=card.ref, seq=seq, day=found.valid_until.isoformat()))
    actor = session.actor
    if actor is not None and actor.id == found.author_id:
        raise NotAllowed(_("第 {seq} 次报价是 {actor} 报的：须由本组主管或经理批价").format(actor=actor.name, seq=seq))
    require_over(session, card, _("批第 {seq} 次报价").format(seq=seq))
    with store.transaction():
        sql.approve_quote(store, card.id, seq, session.now, session.actor_id)
        store.insert_event(card.id, session.now, EventKind.QUOTE_APPROVED, session.actor_id,
                           {"seq": seq, "discount": found.discount})
    return session.shown(card), sql.quote(store, card.id, seq)


def appraise_trade_in(session: Session, ref: str, vehicle: str, appraisal: int,
                      at: datetime | None = None) -> tuple[Card, TradeIn]:
    """置换评估: the customer's car and what the store would pay for it."""
    store = session.store
    card = _dealt_card(session, ref, _("做置换评估"))
    vehicle = (vehicle or "").strip()
    if not vehicle:
        raise BadInput(_("置换的是哪辆车？--vehicle（品牌、车型、年份、里程）"))
    at = _when(session, card, at)
    with store.transaction():
        seq = sql.insert_numbered(store, "trade_ins", {
            "card_id": card.id, "at": at, "recorded_at": session.now, "author_id": session.actor_id,
            "vehicle": vehicle, "appraisal": appraisal,
        })
    return card, sql.trade_in(store, card.id, seq)


def record_finance(session: Session, ref: str, status: FinanceStatus, bank: str | None, amount: int | None,
                   at: datetime | None = None) -> tuple[Card, Finance]:
    """贷款: a step of the card's loan application; a rejection brings the card due for a call."""
    store = session.store
    card = _dealt_card(session, ref, _("记贷款申请"))
    if amount is not None and amount <= 0:
        raise BadInput(_("贷款金额要大于 0（--amount）"))
    at = _when(session, card, at)
    before = sql.latest_finance(store, card.id)
    bank = (bank or "").strip() or (before.bank if before else None)
    with store.transaction():
        seq = sql.insert_numbered(store, "finance", {
            "card_id": card.id, "at": at, "recorded_at": session.now, "author_id": session.actor_id,
            "status": status, "bank": bank, "amount": amount if amount is not None else (before.amount if before else None),
        })
        refresh(session, card.id)
    return session.shown(with_status(session, store.card(card.id))), sql.finance_entry(store, card.id, seq)


def _dealt_card(session: Session, ref: str, doing: str) -> Card:
    card = with_status(session, resolve(session, ref))
    if card.status not in _DEALT:
        raise Refused(_("卡片 {ref} 的状态是 {status}：不能{doing}").format(ref=card.ref, status=_(STATUS_LABELS[card.status]), doing=doing))
    return session.shown(card)


def _when(session: Session, card: Card, at: datetime | None) -> datetime:
    """When a desk record happened: now, or a moment typed in for paper records, within the card's life."""
    if at is None:
        return session.now
    if at > session.now + timedelta(minutes=1):
        raise BadInput(_("--at 不能是将来的时间（{at}）").format(at=f"{at:%Y-%m-%d %H:%M}"))
    if at < card.created_at:
        raise BadInput(_("--at 不能早于建卡时间（{created}）").format(created=f"{card.created_at:%Y-%m-%d %H:%M}"))
    return at
