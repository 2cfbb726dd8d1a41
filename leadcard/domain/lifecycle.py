"""A card's life after the first contact: ownership, supervisor instructions, and its end.

A card ends as won (成交), lost (战败: the consultant requests it, a supervisor of the team or the
manager approves or rejects it) or invalid (无效). Every step is a dated event, so reports and the
audit can tell what the store looked like on any past day.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

from leadcard.domain.cards import refresh, resolve, with_status
from leadcard.errors import BadInput, NotAllowed, NotFound, Refused
from leadcard.model import Card, EventKind, Instruction, Role, Status, User
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
    raise BadInput(f"unknown loss reason {raw!r}: use one of {', '.join(policy.loss_reasons)}")


# -- who may do what -----------------------------------------------------------------------------


def require_over(session: Session, card: Card, doing: str) -> None:
    """A supervisor of the card's team or a manager; never the card's own consultant."""
    actor = session.actor
    if actor is None:
        return
    if actor.id == card.owner_id:
        raise NotAllowed(f"{actor.name} owns card {card.ref}: another supervisor or the manager must {doing} it")
    session.require_role(Role.SUPERVISOR, Role.MANAGER, doing=doing)
    if actor.role == Role.SUPERVISOR and card.owner_id is not None:
        owner = session.store.user_by_id(card.owner_id)
        if owner is None or owner.team != actor.team:
            raise NotAllowed(f"card {card.ref} belongs to {card.owner}, who is not in {actor.name}'s team")


def _require_owner_or_over(session: Session, card: Card, doing: str) -> None:
    actor = session.actor
    if actor is None or actor.id == card.owner_id or actor.role != Role.CONSULTANT:
        return
    raise NotAllowed(f"card {card.ref} belongs to {card.owner}: {actor.name} may not {doing} it")


def _require_status(card: Card, allowed: tuple[Status, ...], doing: str) -> None:
    if card.status not in allowed:
        raise Refused(f"card {card.ref} is {card.status.value}: cannot {doing} it")


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
    session.require_role(Role.SUPERVISOR, Role.MANAGER, doing="reassign cards")
    target = session.user(user_name)
    if not target.active:
        raise NotAllowed(f"user {target.name!r} is deactivated and cannot own cards")
    actor = session.actor
    if actor is not None and actor.role == Role.SUPERVISOR and target.team != actor.team:
        raise NotAllowed(f"{target.name} is not in {actor.name}'s team")
    if target.id == card.owner_id:
        raise Refused(f"card {card.ref} already belongs to {target.name}")
    store = session.store
    with store.transaction():
        store.update_card(card.id, {"owner_id": target.id})
        store.insert_event(card.id, session.now, EventKind.ASSIGNED, session.actor_id,
                           {"from": card.owner, "to": target.name})
        refresh(session, card.id)  # a return visit is `returned` only to an owner who did not receive it
    return _fresh(session, card.id)


def comment(session: Session, ref: str, text: str, followup_seq: int | None) -> tuple[Card, Instruction]:
    """主管批示: a supervisor's instruction under a follow-up (by default the latest)."""
    session.require_role(Role.SUPERVISOR, Role.MANAGER, doing="write instructions (主管批示)")
    text = (text or "").strip()
    if not text:
        raise BadInput("an instruction needs text")
    card = resolve(session, ref)
    store = session.store
    followups = store.followups(card.id)
    if followup_seq is not None:
        target = next((f for f in followups if f.seq == followup_seq), None)
        if target is None:
            raise NotFound(f"card {card.ref} has no follow-up #{followup_seq}")
    else:
        target = followups[-1] if followups else None
    with store.transaction():
        store.insert_instruction({
            "card_id": card.id, "followup_id": target.id if target else None, "at": session.now,
            "author_id": session.actor_id, "text": text,
        })
    author = session.actor.name if session.actor else None
    return _fresh(session, card.id), Instruction(session.now, author, text, target.seq if target else None)


# -- the card's end ------------------------------------------------------------------------------


def win(session: Session, ref: str, model: str | None, handover_to: str | None, handover_at: datetime | None) -> Card:
    """成交: the deal, and optionally its handover to after-sales (交接售后)."""
    card = resolve(session, ref)
    card = with_status(session, card)
    _require_status(card, (Status.OPEN, Status.DORMANT, Status.LOST_PENDING), "record a deal on")
    _require_owner_or_over(session, card, "record a deal on")
    model = (model or "").strip() or card.fields.get("model")
    if not model:
        raise BadInput("which model was sold? pass --model")
    now = session.now
    outcome = {"model": model, "at": now}
    if handover_to:
        outcome.update(_handover(session, handover_to, handover_at, now))
    store = session.store
    with store.transaction():
        store.insert_event(card.id, now, EventKind.WON, session.actor_id, {"model": model})
        if handover_to:
            store.insert_event(card.id, outcome["handover_at"], EventKind.HANDOVER, session.actor_id,
                               {"to": outcome["handover_to"]})
        _set_status(session, card, Status.WON, outcome)
    return _fresh(session, card.id)


def handover(session: Session, ref: str, to: str, at: datetime | None) -> Card:
    """Hand a won deal to after-sales (within one working day, DOMAIN.md)."""
    card = resolve(session, ref)
    _require_status(card, (Status.WON,), "hand over")
    _require_owner_or_over(session, card, "hand over")
    if card.outcome.get("handover_to"):
        raise Refused(f"card {card.ref} was already handed over to {card.outcome['handover_to']}")
    won_at = datetime.fromisoformat(card.outcome["at"]) if card.outcome.get("at") else card.created_at
    done = _handover(session, to, at, won_at)
    store = session.store
    with store.transaction():
        store.insert_event(card.id, done["handover_at"], EventKind.HANDOVER, session.actor_id, {"to": done["handover_to"]})
        _set_status(session, card, Status.WON, {**card.outcome, **done})
    return _fresh(session, card.id)


def _handover(session: Session, to: str, at: datetime | None, won_at: datetime) -> dict:
    to = (to or "").strip()
    if not to:
        raise BadInput("hand over to whom? pass --handover-to / --to")
    at = at or session.now
    if at > session.now + timedelta(minutes=1):
        raise BadInput(f"a handover cannot be in the future ({at:%Y-%m-%d %H:%M})")
    if at < won_at:
        raise BadInput(f"a handover cannot come before the deal ({won_at:%Y-%m-%d %H:%M})")
    return {"handover_to": to, "handover_at": at}


def lose(session: Session, ref: str, reason: str, competitor: str | None, note: str | None) -> Card:
    """战败申请: the consultant asks; the card waits for a supervisor as `lost-pending`."""
    card = with_status(session, resolve(session, ref))
    reason = loss_reason(session.policy, reason)
    _require_status(card, (Status.OPEN, Status.DORMANT), "request a loss for")
    _require_owner_or_over(session, card, "request a loss for")
    now = session.now
    competitor = (competitor or "").strip() or None
    note = (note or "").strip() or None
    outcome = {"reason": reason, "competitor": competitor, "note": note, "requested_at": now,
               "requested_by": session.actor.name if session.actor else None}
    store = session.store
    detail = {"reason": reason, "competitor": competitor, "note": note}
    if reason == LOSS_REASON_WORDS["financing"]:
        # 贷款未过 names the loan application it failed on, when the card has one.
        finance = deal_sql.latest_finance(store, card.id)
        if finance is not None:
            detail["finance"] = outcome["finance"] = {
                "seq": finance.seq, "at": _iso(finance.at), "status": finance.status.value, "bank": finance.bank,
                "amount": finance.amount}
    with store.transaction():
        store.insert_event(card.id, now, EventKind.LOST_REQUESTED, session.actor_id, detail)
        _set_status(session, card, Status.LOST_PENDING, outcome)
    return _fresh(session, card.id)


def approve(session: Session, ref: str, note: str | None) -> Card:
    card = resolve(session, ref)
    _require_status(card, (Status.LOST_PENDING,), "approve a loss for")
    require_over(session, card, "approve the loss of")
    now = session.now
    note = (note or "").strip() or None
    outcome = {**card.outcome, "decided_at": now, "decided_by": session.actor.name if session.actor else None,
               "verdict": "approved", "decision_note": note}
    store = session.store
    with store.transaction():
        store.insert_event(card.id, now, EventKind.LOST_APPROVED, session.actor_id, {"note": note} if note else None)
        _set_status(session, card, Status.LOST, outcome)
    return _fresh(session, card.id)


def reject(session: Session, ref: str, note: str) -> Card:
    """Back to work: the card reopens and the note stands under it as an instruction."""
    note = (note or "").strip()
    if not note:
        raise BadInput("say why the loss is rejected: --note (it becomes an instruction on the card)")
    card = resolve(session, ref)
    _require_status(card, (Status.LOST_PENDING,), "reject a loss for")
    require_over(session, card, "reject the loss of")
    store = session.store
    followups = store.followups(card.id)
    with store.transaction():
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
        raise BadInput("say why the card is invalid: --reason (空号, 非购车客户 …)")
    card = with_status(session, resolve(session, ref))
    _require_status(card, (Status.OPEN, Status.DORMANT, Status.LOST_PENDING), "mark invalid")
    _require_owner_or_over(session, card, "mark invalid")
    store = session.store
    with store.transaction():
        store.insert_event(card.id, session.now, EventKind.INVALID, session.actor_id, {"reason": reason})
        _set_status(session, card, Status.INVALID, {"reason": reason, "at": session.now})
    return _fresh(session, card.id)


def reopen(session: Session, ref: str, note: str | None) -> Card:
    """Back to `open`. A consultant may withdraw their own loss request or undo their own
    `invalid`; a closed deal or an approved loss is reopened by a supervisor or the manager."""
    card = resolve(session, ref)
    _require_status(card, (*CLOSED, Status.LOST_PENDING), "reopen")
    if card.status in (Status.WON, Status.LOST):
        session.require_role(Role.SUPERVISOR, Role.MANAGER, doing=f"reopen a {card.status.value} card")
    else:
        _require_owner_or_over(session, card, "reopen")
    store = session.store
    clash = [c for c in store.active_cards_with_phone(card.phone) if c.id != card.id]
    if clash:
        other = clash[0]
        raise Refused(f"phone {card.phone} is on open card {other.ref} ({other.name}, owner {other.owner or 'nobody'})")
    detail = {"from": card.status.value}
    if note and note.strip():
        detail["note"] = note.strip()
    with store.transaction():
        store.insert_event(card.id, session.now, EventKind.REOPENED, session.actor_id, detail)
        _set_status(session, card, Status.OPEN, None)
    return _fresh(session, card.id)


def do_not_contact(session: Session, ref: str, note: str | None, undo: bool = False) -> Card:
    """The customer asked not to be contacted: the card leaves every list (or comes back)."""
    card = resolve(session, ref)
    _require_owner_or_over(session, card, "change do-not-contact on")
    if card.do_not_contact != undo:
        state = "already" if not undo else "not"
        raise Refused(f"card {card.ref} is {state} marked do-not-contact")
    detail = {"undo": True} if undo else {}
    if note and note.strip():
        detail["note"] = note.strip()
    store = session.store
    with store.transaction():
        store.update_card(card.id, {"do_not_contact": 0 if undo else 1})
        store.insert_event(card.id, session.now, EventKind.DO_NOT_CONTACT, session.actor_id, detail or None)
        refresh(session, card.id)
    return _fresh(session, card.id)


# -- people --------------------------------------------------------------------------------------


def set_user_active(session: Session, name: str, active: bool) -> User:
    """A consultant who leaves is deactivated, never deleted: their cards stay readable."""
    session.require_role(Role.MANAGER, doing="activate or deactivate users")
    user = session.user(name)
    if session.actor is not None and user.id == session.actor.id and not active:
        raise Refused("you cannot deactivate yourself")
    if user.active == active:
        raise Refused(f"user {user.name!r} is already {'active' if active else 'deactivated'}")
    with session.store.transaction():
        session.store.set_user_active(user.id, active)
    return session.store.user_by_name(user.name)
