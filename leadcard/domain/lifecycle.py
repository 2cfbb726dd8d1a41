"""A card's life after the first contact: ownership, supervisor instructions, and its end.

A card ends as won (成交: the order, 订车), lost (战败: the consultant requests it, a supervisor of
the team or the manager approves or rejects it) or invalid (无效). An order is delivered (交车: the
customer is an owner, handed to after-sales) or cancelled (退订: the card is open again). Every
step is a dated event, so reports and the audit can tell what the store looked like on any past day.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta

from leadcard.domain import reassign
from leadcard.domain.cards import phone_taken, refresh, resolve, with_status
from leadcard.domain.persistence import loss_reminder
from leadcard.errors import BadInput, NotAllowed, NotFound, Refused
from leadcard.i18n import _
from leadcard.model import STATUS_LABELS, Card, EventKind, Instruction, Role, Status, User
from leadcard.schedule import Policy
from leadcard.domain.session import Session
from leadcard.store import deals as deal_sql

# English words for the default loss reasons (战败原因); a store's own list is matched as written.
LOSS_REASON_WORDS = {
    "price": "价格",
    "competitor": "竞品品牌",
    "competitor-brand": "竞品品牌",
    "postponed": "推迟购买",
    "financing": "贷款未过",
    "unreachable": "联系不上",
    "bought-elsewhere": "已在别处购买",
    "other": "其他",
}

CLOSED = (Status.WON, Status.LOST, Status.INVALID)


def loss_reason(policy: Policy, raw: str) -> str:
    """One of the store's fixed loss reasons, so reports can count them."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if text in policy.loss_reasons:
        return text
    word = LOSS_REASON_WORDS.get(text.lower())
    if word in policy.loss_reasons:
        return word
    raise BadInput(_("不认识的战败原因 `{raw}`：可用 {choices}").format(raw=raw, choices=", ".join(policy.loss_reasons)))


# -- who may do what -----------------------------------------------------------------------------


def require_over(session: Session, card: Card, doing: str) -> None:
    """A supervisor of the card's team or a manager; never the card's own consultant."""
    actor = session.actor
    if actor is None:
        return
    if actor.id == card.owner_id:
        raise NotAllowed(_("卡片 {ref} 是 {actor} 自己的：须由其他主管或经理来{doing}").format(
            actor=actor.name, ref=card.ref, doing=doing))
    session.require_role(Role.SUPERVISOR, Role.MANAGER, doing=doing)
    if actor.role == Role.SUPERVISOR and card.owner_id is not None:
        owner = session.store.user_by_id(card.owner_id)
        if owner is None or owner.team != actor.team:
            raise NotAllowed(_("卡片 {ref} 属于 {owner}，此人不在 {actor} 的组里").format(
                ref=card.ref, owner=card.owner, actor=actor.name))


def _require_not_requester(session: Session, card: Card) -> None:
    """Nobody approves a loss they asked for, whoever owns the card now: a supervisor who requests
    the loss of their own card and then moves the card to a consultant still may not approve it."""
    actor = session.actor
    if actor is None:
        return
    requests = [e for e in session.store.events(card.id) if e.kind == EventKind.LOST_REQUESTED]
    if requests and requests[-1].by == actor.name:
        raise NotAllowed(_("卡片 {ref} 的战败是 {actor} 申请的：须由其他主管或经理批准").format(actor=actor.name, ref=card.ref))


def _require_owner_or_over(session: Session, card: Card, doing: str) -> None:
    actor = session.actor
    if actor is None or actor.id == card.owner_id or actor.role != Role.CONSULTANT:
        return
    raise NotAllowed(_("卡片 {ref} 属于 {owner}：{actor} 不能{doing}").format(ref=card.ref, owner=card.owner, actor=actor.name, doing=doing))


def _require_status(card: Card, allowed: tuple[Status, ...], doing: str) -> None:
    if card.status not in allowed:
        raise Refused(_("卡片 {ref} 的状态是 {status}：不能{doing}").format(ref=card.ref, status=_(STATUS_LABELS[card.status]), doing=doing))


def _refuse_phone_clash(session: Session, card: Card) -> None:
    """A card back at work may not share its phone with another active card (one card per customer);
    the answer names that card only to whoever may see it."""
    clash = [c for c in session.store.active_cards_with_phone(card.phone) if c.id != card.id]
    if clash:
        raise Refused(phone_taken(session, card.phone, clash))


def _set_status(session: Session, card: Card, status: Status, outcome: dict | None) -> None:
    from json import dumps

    session.store.update_card(card.id, {
        "status": status,
        "status_at": session.now,
        "outcome": dumps(outcome, ensure_ascii=False, default=_iso) if outcome else None,
    })
    refresh(session, card.id)


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    raise TypeError(type(value).__name__)


def _fresh(session: Session, card_id: int) -> Card:
    return session.shown(with_status(session, session.store.card(card_id)))


# -- ownership and instructions ------------------------------------------------------------------


def assign(session: Session, ref: str, user_name: str) -> Card:
    """Move a card to another consultant (supervisor within the team, or manager)."""
    card = resolve(session, ref)
    session.require_role(Role.SUPERVISOR, Role.MANAGER, doing=_("转交卡片"))
    target = reassign.new_owner(session, user_name)
    if target.id == card.owner_id:
        raise Refused(_("卡片 {ref} 已经属于 {owner}").format(ref=card.ref, owner=target.name))
    with session.store.transaction():
        reassign.move(session, card, target)
    return _fresh(session, card.id)


def comment(session: Session, ref: str, text: str, followup_seq: int | None) -> tuple[Card, Instruction]:
    """主管批示: a supervisor's instruction under a follow-up (by default the latest that counts)."""
    session.require_role(Role.SUPERVISOR, Role.MANAGER, doing=_("写主管批示"))
    text = (text or "").strip()
    if not text:
        raise BadInput(_("批示需要写内容"))
    card = resolve(session, ref)
    store = session.store
    followups = store.followups(card.id)
    if followup_seq is not None:
        target = next((f for f in followups if f.seq == followup_seq), None)
        if target is None:
            raise NotFound(_("卡片 {ref} 没有跟进 #{seq}").format(ref=card.ref, seq=followup_seq))
    else:
        target = next((f for f in reversed(followups) if f.effective), None)  # a withdrawn entry is signed by none
    with store.transaction():
        store.insert_instruction({
            "card_id": card.id, "followup_id": target.id if target else None, "at": session.now,
            "author_id": session.actor_id, "text": text,
        })
    author = session.actor.name if session.actor else None
    return _fresh(session, card.id), Instruction(session.now, author, text, target.seq if target else None)


# -- the card's end ------------------------------------------------------------------------------


def win(session: Session, ref: str, model: str | None, price: int | None = None, deposit: int | None = None,
        delivery: date | None = None) -> Card:
    """成交/订车: the order (contract and deposit, model, price, expected delivery). The card stays on
    its owner's list, due for the car's progress every `order_update_days` and on the delivery day."""
    store = session.store
    with store.transaction():  # read and decided under the write lock, as approve's
        card = resolve(session, ref)
        card = with_status(session, card)
        _require_status(card, (Status.OPEN, Status.DORMANT, Status.LOST_PENDING), _("记录成交"))
        _require_owner_or_over(session, card, _("记录成交"))
        model = (model or "").strip() or card.fields.get("model")
        if not model:
            raise BadInput(_("卖的是哪款车？请加 --model"))
        if price is not None and deposit is not None and deposit > price:
            raise BadInput(_("定金（{deposit}）不能超过成交价（{price}）").format(deposit=deposit, price=price))
        now = session.now
        if delivery is not None and delivery < now.date():
            raise BadInput(_("预计交车日期（{day}）不能早于订车").format(day=delivery.isoformat()))
        order = {"model": model, "price": price, "deposit": deposit,
                 "delivery": delivery.isoformat() if delivery else None}
        store.insert_event(card.id, now, EventKind.WON, session.actor_id, {k: v for k, v in order.items() if v is not None})
        _set_status(session, card, Status.WON, {**order, "at": now})
    return _fresh(session, card.id)


def cancel_order(session: Session, ref: str, reason: str) -> Card:
    """退订: the customer withdrew the order. The card is open again and followed as before; the
    order and its cancellation stay in the card's events, and its supervisor sees the cancellation."""
    reason = (reason or "").strip()
    if not reason:
        raise BadInput(_("请说明退订原因：--reason（交车周期太长、价格、贷款未过 …）"))
    store = session.store
    with store.transaction():  # read and decided under the write lock, as approve's
        card = resolve(session, ref)
        _require_status(card, (Status.WON,), _("取消订单"))
        _require_owner_or_over(session, card, _("取消订单"))
        _refuse_phone_clash(session, card)
        store.insert_event(card.id, session.now, EventKind.ORDER_CANCELLED, session.actor_id,
                           {"reason": reason, "model": card.outcome.get("model")})
        _set_status(session, card, Status.OPEN, None)
    return _fresh(session, card.id)


def deliver(session: Session, ref: str, at: datetime | None, handover_to: str | None = None,
            handover_at: datetime | None = None) -> Card:
    """交车: the order's car is the customer's. The owner is handed to after-sales within
    `handover_working_days` (now, with `handover_to`, or later with `handover`), then visited after
    delivery, reminded of the first service and greeted on their birthday."""
    store = session.store
    with store.transaction():  # read and decided under the write lock, as approve's
        card = resolve(session, ref)
        _require_status(card, (Status.WON,), _("办理交车"))
        _require_owner_or_over(session, card, _("办理交车"))
        at = at or session.now
        ordered_at = datetime.fromisoformat(card.outcome["at"]) if card.outcome.get("at") else card.created_at
        if at > session.now + timedelta(minutes=1):
            raise BadInput(_("交车时间不能在将来（{when}）").format(when=f"{at:%Y-%m-%d %H:%M}"))
        if at < ordered_at:
            raise BadInput(_("交车时间不能早于订车（{when}）").format(when=f"{ordered_at:%Y-%m-%d %H:%M}"))
        outcome = {**card.outcome, "delivered_at": at}
        if handover_at is not None and not handover_to:
            raise BadInput(_("--handover-at 是车主移交售后的时间：请同时加 --handover-to"))
        if handover_to:
            outcome.update(_handover(session, handover_to, handover_at, at))
        store.insert_event(card.id, at, EventKind.DELIVERED, session.actor_id)
        if handover_to:
            store.insert_event(card.id, outcome["handover_at"], EventKind.HANDOVER, session.actor_id,
                               {"to": outcome["handover_to"]})
        _set_status(session, card, Status.DELIVERED, outcome)
    return _fresh(session, card.id)


def handover(session: Session, ref: str, to: str, at: datetime | None) -> Card:
    """Hand a delivered car's owner to after-sales (within one working day of the delivery, DOMAIN.md)."""
    store = session.store
    with store.transaction():  # read and decided under the write lock, as approve's
        card = resolve(session, ref)
        _require_status(card, (Status.DELIVERED,), _("移交售后"))
        _require_owner_or_over(session, card, _("移交售后"))
        if card.outcome.get("handover_to"):
            raise Refused(_("卡片 {ref} 已移交给 {to}").format(ref=card.ref, to=card.outcome["handover_to"]))
        since = card.outcome.get("delivered_at") or card.outcome.get("at")
        done = _handover(session, to, at, datetime.fromisoformat(since) if since else card.created_at)
        store.insert_event(card.id, done["handover_at"], EventKind.HANDOVER, session.actor_id, {"to": done["handover_to"]})
        _set_status(session, card, Status.DELIVERED, {**card.outcome, **done})
    return _fresh(session, card.id)


def _handover(session: Session, to: str, at: datetime | None, delivered_at: datetime) -> dict:
    to = (to or "").strip()
    if not to:
        raise BadInput(_("移交给谁？请加 --handover-to / --to"))
    at = at or session.now
    if at > session.now + timedelta(minutes=1):
        raise BadInput(_("移交时间不能在将来（{when}）").format(when=f"{at:%Y-%m-%d %H:%M}"))
    if at < delivered_at:
        raise BadInput(_("移交时间不能早于交车（{when}）").format(when=f"{delivered_at:%Y-%m-%d %H:%M}"))
    return {"handover_to": to, "handover_at": at}


def lose(session: Session, ref: str, reason: str, competitor: str | None, note: str | None) -> tuple[Card, str | None]:
    """战败申请: the consultant asks; the card waits for a supervisor as `lost-pending`. With it, the
    reminder for a loss asked for before the store's minimum of follow-ups (None: not too early)."""
    store = session.store
    with store.transaction():  # read and decided under the write lock, as approve's
        card = with_status(session, resolve(session, ref))
        reason = loss_reason(session.policy, reason)
        _require_status(card, (Status.OPEN, Status.DORMANT), _("申请战败"))
        _require_owner_or_over(session, card, _("申请战败"))
        now = session.now
        competitor = (competitor or "").strip() or None
        note = (note or "").strip() or None
        outcome = {"reason": reason, "competitor": competitor, "note": note, "requested_at": now,
                   "requested_by": session.actor.name if session.actor else None}
        detail = {"reason": reason, "competitor": competitor, "note": note}
        if reason == LOSS_REASON_WORDS["financing"]:
            # 贷款未过 names the loan application it failed on, when the card has one.
            finance = deal_sql.latest_finance(store, card.id)
            if finance is not None:
                detail["finance"] = outcome["finance"] = {
                    "seq": finance.seq, "at": _iso(finance.at), "status": finance.status.value, "bank": finance.bank,
                    "amount": finance.amount}
        store.insert_event(card.id, now, EventKind.LOST_REQUESTED, session.actor_id, detail)
        _set_status(session, card, Status.LOST_PENDING, outcome)
    # The follow-ups that count, all made by now, as the audit counts them at the request.
    return _fresh(session, card.id), loss_reminder(session.policy, card.grade, card.followup_count)


def approve(session: Session, ref: str, note: str | None) -> Card:
    store = session.store
    # The request is read under the write lock: of a verdict and another given at once, one wins.
    with store.transaction():
        card = resolve(session, ref)
        _require_status(card, (Status.LOST_PENDING,), _("批准战败"))
        require_over(session, card, _("批准战败"))
        _require_not_requester(session, card)
        now = session.now
        note = (note or "").strip() or None
        outcome = {**card.outcome, "decided_at": now, "decided_by": session.actor.name if session.actor else None,
                   "verdict": "approved", "decision_note": note}
        store.insert_event(card.id, now, EventKind.LOST_APPROVED, session.actor_id, {"note": note} if note else None)
        _set_status(session, card, Status.LOST, outcome)
    return _fresh(session, card.id)


def reject(session: Session, ref: str, note: str) -> Card:
    """Back to work: the card reopens and the note stands under it as an instruction."""
    note = (note or "").strip()
    if not note:
        raise BadInput(_("请说明驳回战败的理由：--note（它会作为批示写在卡片上）"))
    store = session.store
    with store.transaction():  # read under the write lock, as approve's
        card = resolve(session, ref)
        _require_status(card, (Status.LOST_PENDING,), _("驳回战败"))
        require_over(session, card, _("驳回战败"))
        followups = store.followups(card.id)
        store.insert_event(card.id, session.now, EventKind.LOST_REJECTED, session.actor_id, {"note": note})
        store.insert_instruction({
            "card_id": card.id, "followup_id": followups[-1].id if followups else None, "at": session.now,
            "author_id": session.actor_id, "text": f"战败申请驳回：{note}",
        })
        _set_status(session, card, Status.OPEN, None)
    return _fresh(session, card.id)


def mark_invalid(session: Session, ref: str, reason: str) -> Card:
    """无效: a fake number, not a buyer."""
    reason = (reason or "").strip()
    if not reason:
        raise BadInput(_("请说明卡片无效的原因：--reason（空号、非购车客户 …）"))
    store = session.store
    with store.transaction():  # read and decided under the write lock, as approve's
        card = with_status(session, resolve(session, ref))
        _require_status(card, (Status.OPEN, Status.DORMANT, Status.LOST_PENDING), _("把卡片标记为无效"))
        _require_owner_or_over(session, card, _("把卡片标记为无效"))
        store.insert_event(card.id, session.now, EventKind.INVALID, session.actor_id, {"reason": reason})
        _set_status(session, card, Status.INVALID, {"reason": reason, "at": session.now})
    return _fresh(session, card.id)


def reopen(session: Session, ref: str, note: str | None) -> Card:
    """Back to `open`. A consultant may withdraw their own loss request or undo their own
    `invalid`; a closed deal or an approved loss is reopened by a supervisor or the manager."""
    store = session.store
    with store.transaction():  # read and decided under the write lock, as approve's
        card = resolve(session, ref)
        _require_status(card, (*CLOSED, Status.LOST_PENDING), _("重新打开"))
        if card.status in (Status.WON, Status.LOST):
            session.require_role(Role.SUPERVISOR, Role.MANAGER, doing=_("重新打开状态为 {status} 的卡片").format(status=_(STATUS_LABELS[card.status])))
        else:
            _require_owner_or_over(session, card, _("重新打开"))
        _refuse_phone_clash(session, card)
        detail = {"from": card.status.value}
        if note and note.strip():
            detail["note"] = note.strip()
        store.insert_event(card.id, session.now, EventKind.REOPENED, session.actor_id, detail)
        _set_status(session, card, Status.OPEN, None)
    return _fresh(session, card.id)


def do_not_contact(session: Session, ref: str, note: str | None, undo: bool = False) -> Card:
    """The customer asked not to be contacted: the card leaves every list (or comes back)."""
    store = session.store
    with store.transaction():  # read and decided under the write lock, as approve's
        card = resolve(session, ref)
        _require_owner_or_over(session, card, _("更改免打扰"))
        if card.do_not_contact != undo:
            if undo:
                raise Refused(_("卡片 {ref} 没有标记免打扰").format(ref=card.ref))
            raise Refused(_("卡片 {ref} 已经标记了免打扰").format(ref=card.ref))
        detail = {"undo": True} if undo else {}
        if note and note.strip():
            detail["note"] = note.strip()
        store.update_card(card.id, {"do_not_contact": 0 if undo else 1})
        store.insert_event(card.id, session.now, EventKind.DO_NOT_CONTACT, session.actor_id, detail or None)
        refresh(session, card.id)
    return _fresh(session, card.id)


# -- people --------------------------------------------------------------------------------------


def set_user_active(session: Session, name: str, active: bool,
                    reassign_to: str | None = None) -> tuple[User, reassign.Moved | None]:
    """A consultant who leaves is deactivated, never deleted: their cards stay readable. With
    `reassign_to`, the cards they still have in hand go to that colleague in the same transaction."""
    session.require_role(Role.MANAGER, doing=_("启用或停用用户"))
    user = session.user(name)
    if session.actor is not None and user.id == session.actor.id and not active:
        raise Refused(_("不能停用你自己"))
    if user.active == active:
        raise Refused((_("用户“{name}”已经是启用状态") if active else _("用户“{name}”已经停用了")).format(name=user.name))
    target = reassign.new_owner(session, reassign_to) if reassign_to is not None else None
    if target is not None and target.id == user.id:
        raise Refused(_("{name} 的卡片不能转给要离开的 {name} 本人").format(name=user.name))
    cards = reassign.cards_in_hand(session, user) if target is not None else []
    with session.store.transaction():
        session.store.set_user_active(user.id, active)
        for card in cards:
            reassign.move(session, card, target)
    moved = reassign.Moved(user.name, target.name, [c.ref for c in cards]) if target is not None else None
    return session.store.user_by_name(user.name), moved
