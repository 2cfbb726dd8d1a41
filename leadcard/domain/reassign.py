"""Moving cards between consultants: one card (`assign REF USER`), or all of a departing
consultant's cards at once (`assign --from USER --to USER`, `user deactivate NAME --reassign-to`).

Each card moved keeps the move in its history (an `assigned` event: reports count a card under
whoever held it then) and has its due date recomputed for its new owner.
"""

from __future__ import annotations

from typing import NamedTuple

from leadcard.domain.cards import list_cards, refresh
from leadcard.domain.session import Session
from leadcard.errors import NotAllowed, Refused
from leadcard.i18n import _
from leadcard.model import Card, EventKind, Role, Status, User

# What a consultant who leaves still has in hand: open (dormant too) and awaiting a loss verdict.
IN_HAND = (Status.OPEN, Status.DORMANT, Status.LOST_PENDING)


class Moved(NamedTuple):
    source: str  # who held the cards
    target: str  # who holds them now
    refs: list[str]  # the cards moved, newest first


def new_owner(session: Session, name: str) -> User:
    """The user who takes cards: active, and in a supervisor's own team."""
    target = session.user(name)
    if not target.active:
        raise NotAllowed(_("用户“{name}”已停用，不能负责卡片").format(name=target.name))
    _require_team(session, target)
    return target


def _require_team(session: Session, user: User) -> None:
    actor = session.actor
    if actor is not None and actor.role == Role.SUPERVISOR and user.team != actor.team:
        raise NotAllowed(_("{owner} 不在 {actor} 的组里").format(owner=user.name, actor=actor.name))


def move(session: Session, card: Card, target: User) -> None:
    """Give one card to `target`, inside the caller's transaction."""
    store = session.store
    store.update_card(card.id, {"owner_id": target.id})
    store.insert_event(card.id, session.now, EventKind.ASSIGNED, session.actor_id, {"from": card.owner, "to": target.name})
    refresh(session, card.id)  # a return visit is `returned` only to an owner who did not receive it


def cards_in_hand(session: Session, owner: User, grade: str | None = None, status: str | None = None) -> list[Card]:
    """The owner's cards that match (by default those still in hand), do-not-contact ones included."""
    found = [c for dnc in (False, True)
             for c in list_cards(session, grade=grade, status=status, owner=owner.name, do_not_contact=dnc).cards]
    return found if status else [c for c in found if c.status in IN_HAND]


def move_cards(session: Session, source_name: str, target_name: str, grade: str | None = None,
               status: str | None = None) -> Moved:
    """All of a consultant's cards (or those of a grade, a status) to another, in one transaction:
    a supervisor within the team (both of them in it), the manager anywhere."""
    session.require_role(Role.SUPERVISOR, Role.MANAGER, doing=_("转交卡片"))
    source = session.user(source_name)
    _require_team(session, source)
    target = new_owner(session, target_name)
    if target.id == source.id:
        raise Refused(_("{source} 的卡片又会转回 {target}：请另指定一位顾问").format(source=source.name, target=target.name))
    cards = cards_in_hand(session, source, grade, status)
    with session.store.transaction():
        for card in cards:
            move(session, card, target)
    return Moved(source.name, target.name, [c.ref for c in cards])
