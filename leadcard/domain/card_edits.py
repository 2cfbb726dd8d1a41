"""修改资料: what a card says of its customer, changed after it was made — a detail learned on a
later visit, a need that changed (预算提升, 换购新能源), a name mistyped. The paper card is filled in
over the weeks; so is this one. Each edit is kept as an `edited` event with every changed field's
value before and after, so the card's history tells what the customer wanted when.
"""

from datetime import datetime
from typing import NamedTuple

from leadcard.domain.cards import check_left, check_platform, phone_taken, refresh, resolve, shown_ref
from leadcard.domain.session import Session
from leadcard.errors import BadInput, Refused
from leadcard.i18n import _
from leadcard.model import CARD_FIELD_NAMES, SOURCE_LABELS, STATUS_LABELS, Card, EventKind, Source, Status, card_ref
from leadcard.parse import normalise_phone
from leadcard.usertext import check_text

# A lost or invalid card keeps the phone it closed with: a customer who comes back is found by it
# (the audit's false-loss), and a new card may be made for them.
_PHONE_KEPT = (Status.LOST_PENDING, Status.LOST, Status.INVALID)


class CardChanges(NamedTuple):
    """What an edit asks: None leaves a value as it is; "" clears it (not the name)."""

    name: str | None = None
    fields: dict[str, object] = {}  # card field (CARD_FIELDS) → its new value
    birthday: str | None = None  # "MM-DD"
    phone: str | None = None  # as typed: a mistyped number, or the customer's new one
    source: Source | None = None  # a source typed wrong at `add`
    platform: str | None = None  # an online lead's platform; "" clears it
    left_at: datetime | str | None = None  # 离店: when the customer left, typed wrong or learned later; "" clears it
    referred_by: str | None = None  # the referrer's card (转介绍人), as a card reference; "" clears it


def edit_card(session: Session, ref: str, changes: CardChanges) -> tuple[Card, dict[str, tuple[object, object]]]:
    """The card with the changes made, and what changed: field → (before, after; a referrer the user
    may not see as HIDDEN_CARD). A value the card already holds is no change; with none, nothing is
    written. Whoever may see the card may edit it, as whoever may see it may log a contact on it."""
    unknown = sorted(set(changes.fields) - set(CARD_FIELD_NAMES))
    if unknown:
        raise BadInput(_("不认识的卡片字段“{field}”").format(field=unknown[0]))
    if changes == CardChanges():
        raise BadInput(_("没有要修改的栏目：写上要改的，如 --budget 25万、--model 汉兰达"))
    wanted: dict[str, object] = {}
    if changes.name is not None:
        name = check_text(changes.name.strip(), _("客户的姓名"), line=True)
        if not name:
            raise BadInput(_("客户的姓名不能清空"))
        wanted["name"] = name
    if changes.phone is not None:
        if not changes.phone.strip():
            raise BadInput(_("客户的电话不能清空"))
        wanted["phone"] = normalise_phone(changes.phone)
    # In the order the paper card prints them, whatever the order typed.
    wanted.update({field: None if changes.fields[field] == "" else changes.fields[field]
                   for field in CARD_FIELD_NAMES if field in changes.fields})
    if changes.birthday is not None:
        wanted["birthday"] = changes.birthday or None
    if changes.left_at is not None:
        # Kept in the card's history as JSON shows a moment: in the store's zone, with its offset.
        wanted["left_at"] = check_left(changes.left_at, session.now).astimezone(session.tz).isoformat() \
            if changes.left_at else None
    store = session.store
    with store.transaction():
        card = resolve(session, ref)
        referrer = _referrer(session, card, changes.referred_by)
        wanted.update(_lead(card, changes, referrer))
        before = {**card.fields, "name": card.name, "phone": card.phone, "birthday": card.birthday,
                  "source": card.source.value, "platform": card.platform,
                  "left_at": card.left_at.astimezone(session.tz).isoformat() if card.left_at else None,
                  "referred_by": card_ref(card.referred_by) if card.referred_by else None}
        if changes.referred_by is not None:
            wanted["referred_by"] = referrer.ref if referrer else None
        changed = {field: (before.get(field), value) for field, value in wanted.items() if before.get(field) != value}
        if "phone" in changed:
            _check_phone(session, card, wanted["phone"])
        if changed:
            store.update_card(card.id, {field: _stored(field, after, referrer)
                                        for field, (_before, after) in changed.items()})
            store.insert_event(card.id, session.now, EventKind.EDITED, session.actor_id,
                               {"fields": {field: list(pair) for field, pair in changed.items()}})
            # An owner's greeting is due by the birthday; the first contacts' deadlines by the source
            # and by when the customer left.
            if {"birthday", "source", "left_at"} & set(changed):
                refresh(session, card.id)
    if "referred_by" in changed:  # the referrer it named before, by a number the user may see only
        before_ref, after_ref = changed["referred_by"]
        changed = {**changed, "referred_by": (shown_ref(session, before_ref), after_ref)}
    return session.shown(store.card(card.id)), changed


def _referrer(session: Session, card: Card, ref: str | None) -> Card | None:
    """The card of the customer who referred this one, when the edit names one: a card the user may
    see, of another customer."""
    if not ref:
        return None
    referrer = resolve(session, ref)
    if referrer.id == card.id or referrer.phone == card.phone:
        raise Refused(_("卡片 {ref} 的电话与此相同：客户不能转介绍自己").format(ref=referrer.ref))
    return referrer


def _lead(card: Card, changes: CardChanges, referrer: Card | None) -> dict[str, object]:
    """Where the lead came from, as the edit leaves it: a platform belongs to an online lead only (one
    named makes the lead online; another source drops it), and a referred customer's card is a
    referral while it names who referred them (naming one makes it one)."""
    referred = referrer is not None or (changes.referred_by is None and card.referred_by is not None)
    if changes.source is None and changes.platform is None and not (referrer and card.source != Source.REFERRAL):
        return {}
    source = changes.source or (Source.ONLINE if changes.platform else Source.REFERRAL if referrer else card.source)
    platform = (changes.platform or None) if changes.platform is not None else (
        card.platform if source == Source.ONLINE else None)
    check_platform(source, platform)
    if referred and source != Source.REFERRAL:
        raise BadInput(_("卡片 {ref} 记有转介绍人，来源只能是转介绍（referral），不能是 {source}").format(
            ref=card.ref, source=_(SOURCE_LABELS[source])))
    return {"source": source.value, "platform": platform}


def _stored(field: str, value: object, referrer: Card | None) -> object:
    """A changed value as the card's row holds it: the referrer by its card's id, a moment as a time."""
    if field == "referred_by":
        return referrer.id if referrer else None
    if field == "left_at" and value:
        return datetime.fromisoformat(str(value))
    return value


def _check_phone(session: Session, card: Card, phone: str) -> None:
    """A new phone for the card: not on a lost or invalid card, nor on another active card (one
    customer, one card, as `add` holds; under the write lock, as there)."""
    if card.status in _PHONE_KEPT:
        raise Refused(_("卡片 {ref} 的状态是 {status}：电话留作找回客户的记录，不能修改").format(
            ref=card.ref, status=_(STATUS_LABELS[card.status])))
    clash = [c for c in session.store.active_cards_with_phone(phone) if c.id != card.id]
    if clash:
        raise Refused(phone_taken(session, phone, clash))
