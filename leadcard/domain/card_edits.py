"""修改资料: what a card says of its customer, changed after it was made — a detail learned on a
later visit, a need that changed (预算提升, 换购新能源), a name mistyped. The paper card is filled in
over the weeks; so is this one. Each edit is kept as an `edited` event with every changed field's
value before and after, so the card's history tells what the customer wanted when.
"""

from typing import NamedTuple

from leadcard.domain.cards import refresh, resolve
from leadcard.domain.session import Session
from leadcard.errors import BadInput
from leadcard.i18n import _
from leadcard.model import CARD_FIELD_NAMES, Card, EventKind
from leadcard.usertext import check_text


class CardChanges(NamedTuple):
    """What an edit asks: None leaves a value as it is; "" clears it (not the name)."""

    name: str | None = None
    fields: dict[str, object] = {}  # card field (CARD_FIELDS) → its new value
    birthday: str | None = None  # "MM-DD"


def edit_card(session: Session, ref: str, changes: CardChanges) -> tuple[Card, dict[str, tuple[object, object]]]:
    """The card with the changes made, and what changed: field → (before, after). A value the card
    already holds is no change; with none, nothing is written. Whoever may see the card may edit it,
    as whoever may see it may log a contact on it."""
    unknown = sorted(set(changes.fields) - set(CARD_FIELD_NAMES))
    if unknown:
        raise BadInput(_("不认识的卡片字段“{field}”").format(field=unknown[0]))
    if changes.name is None and not changes.fields and changes.birthday is None:
        raise BadInput(_("没有要修改的栏目：写上要改的，如 --budget 25万、--model 汉兰达"))
    wanted: dict[str, object] = {}
    if changes.name is not None:
        name = check_text(changes.name.strip(), _("客户的姓名"), line=True)
        if not name:
            raise BadInput(_("客户的姓名不能清空"))
        wanted["name"] = name
    # In the order the paper card prints them, whatever the order typed.
    wanted.update({field: None if changes.fields[field] == "" else changes.fields[field]
                   for field in CARD_FIELD_NAMES if field in changes.fields})
    if changes.birthday is not None:
        wanted["birthday"] = changes.birthday or None
    store = session.store
    with store.transaction():
        card = resolve(session, ref)
        before = {**card.fields, "name": card.name, "birthday": card.birthday}
        changed = {field: (before.get(field), value) for field, value in wanted.items() if before.get(field) != value}
        if changed:
            store.update_card(card.id, {field: after for field, (_before, after) in changed.items()})
            store.insert_event(card.id, session.now, EventKind.EDITED, session.actor_id,
                               {"fields": {field: list(pair) for field, pair in changed.items()}})
            if "birthday" in changed:  # an owner's greeting is due by it
                refresh(session, card.id)
    return session.shown(store.card(card.id)), changed
