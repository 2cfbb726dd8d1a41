"""The showroom log (来店(电)客户登记表): every walk-in and phone-in, card or not.

A visit that left contact details must become a card within the policy's minutes of the customer
leaving; the share of visits that left details is the 留档率.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from leadcard.errors import BadInput, NotAllowed
from leadcard.i18n import _
from leadcard.domain.cards import refresh, with_status
from leadcard.model import Card, Role, Source, Status, Visit
from leadcard.parse import normalise_phone
from leadcard.schedule import Policy, day_bounds, visit_card_late
from leadcard.domain.session import Session
from leadcard.store import visits as sql
from leadcard.usertext import check_text


@dataclass(frozen=True)
class NewVisit:
    arrived_at: datetime | None = None
    left_at: datetime | None = None
    party_size: int | None = None
    source: Source = Source.WALK_IN
    model: str | None = None
    test_drive: bool = False
    consultant: str | None = None
    name: str | None = None
    phone: str | None = None  # given: the customer left contact details (留档)
    notes: str | None = None


@dataclass(frozen=True)
class VisitLog:
    since: date
    until: date
    visits: list[Visit]
    overdue: frozenset[int]  # ids of visits that should have become a card by now

    @property
    def contact_rate(self) -> tuple[int, int]:
        """留档率 as (left contact details, visits)."""
        return sum(1 for v in self.visits if v.contact_left), len(self.visits)


@dataclass(frozen=True)
class VisitAdded:
    visit: Visit  # as the receiver may see it
    card: Card | None  # the card a return visit was attached to, when the receiver may see it

    @property
    def returned(self) -> bool:
        return self.visit.return_visit


def add_visit(session: Session, new: NewVisit) -> VisitAdded:
    """Log a visit; one whose phone is already on an active card is a return visit (再次到店),
    attached to that card whoever received it, and due to the card's owner (`returned`)."""
    store, now = session.store, session.now
    arrived = new.arrived_at or now
    if arrived > now + timedelta(minutes=1):
        raise BadInput(_("到店时间不能在将来（{when}）").format(when=f"{arrived:%Y-%m-%d %H:%M}"))
    if new.left_at is not None and new.left_at < arrived:
        raise BadInput(_("客户不能在到店之前离店（--left 早于 --at）"))
    # As for a card: a leaving time to come would put off the deadline of the card the visit owes.
    if new.left_at is not None and new.left_at > now + timedelta(minutes=1):
        raise BadInput(_("客户离店时间不能在将来（{when}）").format(when=f"{new.left_at:%Y-%m-%d %H:%M}"))
    if new.party_size is not None and new.party_size < 1:
        raise BadInput(_("--party 至少是 1"))
    phone = normalise_phone(new.phone) if new.phone else None
    consultant = _consultant(session, new.consultant)
    name = check_text((new.name or "").strip(), _("客户的姓名"), line=True) or None
    with store.transaction():
        visit_id = sql.insert_visit(store, {
            "arrived_at": arrived,
            "left_at": new.left_at,
            "party_size": new.party_size,
            "source": new.source,
            "model": (new.model or "").strip() or None,
            "test_drive": int(new.test_drive),
            "consultant_id": consultant.id if consultant else None,
            "contact_left": int(phone is not None),
            "name": name,
            "phone": phone,
            "notes": (new.notes or "").strip() or None,
            "recorded_at": now,
            "recorded_by": session.actor_id,
        })
        card = _card_of(session, phone) if phone else None
        if card is not None:
            sql.link_card(store, visit_id, card.id, return_visit=True)
            refresh(session, card.id)
    visit = session.shown_visit(sql.visit(store, visit_id, session.visible()))
    return VisitAdded(visit, session.shown(with_status(session, store.card(card.id))) if visit.card_id else None)


def _card_of(session: Session, phone: str) -> Card | None:
    """The active card the phone is on (an open one before a loss request): a new card could not be
    made for it, so the visit belongs to it."""
    active = session.store.active_cards_with_phone(phone)
    return next((c for c in active if c.status == Status.OPEN), active[0] if active else None)


def _consultant(session: Session, name: str | None):
    actor = session.actor
    if name is None:
        return actor
    user = session.user(name)
    if actor is not None and actor.role == Role.CONSULTANT and user.id != actor.id:
        raise NotAllowed(_("{actor} 是顾问：只能登记自己接待的到店，或请主管登记").format(actor=actor.name))
    return user


def visit_log(session: Session, since: date, until: date, without_card: bool = False) -> VisitLog:
    if until < since:
        raise BadInput(_("--until 早于 --since"))
    start = day_bounds(since, session.tz)[0]
    end = day_bounds(until, session.tz)[1]
    found = sql.visits(session.store, session.visible(), start, end, without_card)
    overdue = frozenset(v.id for v in found if card_overdue(v, session.now, session.policy))
    if without_card:
        found = [v for v in found if v.id in overdue]
    shown = session.shows_visits()
    return VisitLog(since, until, [shown(v) for v in found], overdue)


def card_overdue(visit: Visit, now: datetime, policy: Policy) -> bool:
    """Left contact details, and still no card in time."""
    return visit.contact_left and visit.card_id is None and visit_card_late(visit.ended_at, now, policy.visit_card_minutes)
