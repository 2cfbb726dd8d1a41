"""The case library (案例库): won deals and lost sales kept as teaching cases for the morning meeting.

Seeds, 四(二): successful conversions ("a competitor comparison closed the deal", "a dormant customer
woken") and post-mortems of failures ("followed up so often the customer was put off"), used to
train new consultants and in the weekly review. Anyone who can see a card may mark it.
"""

from __future__ import annotations


from leadcard.domain import cards
from leadcard.domain import objections
from leadcard.errors import BadInput, Refused
from leadcard.model import Case, Status
from leadcard.domain.session import Session
from leadcard.store import objections as sql

CASE_OUTCOMES = (Status.WON, Status.LOST)


def add_case(session: Session, ref: str, lesson: str) -> Case:
    store = session.store
    card = cards.resolve(session, ref)
    lesson = (lesson or "").strip()
    if not lesson:
        raise BadInput("a case needs its lesson (--lesson): what the team should learn from it")
    if card.status not in CASE_OUTCOMES:
        raise Refused(f"card {card.ref} is {cards.with_status(session, card).status.value}: "
                      f"only won or lost cards become cases")
    if sql.has_case(store, card.id):
        raise Refused(f"card {card.ref} is already a case")
    with store.transaction():
        sql.add_case(store, card.id, card.status, lesson, session.actor_id, session.now)
    return _labelled(session, sql.cases(store, session.visible(), card_id=card.id))[0]


def list_cases(session: Session, objection: str | None = None, outcome: str | None = None) -> list[Case]:
    tag = objections.find(sql.objections(session.store), objection).tag if objection else None
    return _labelled(session, sql.cases(session.store, session.visible(), tag, _outcome(outcome) if outcome else None))


def _labelled(session: Session, found: list[Case]) -> list[Case]:
    labels = objections.labels(session)
    return [c._replace(objection_labels=tuple(labels.get(t, t) for t in c.objections)) for c in found]


def _outcome(raw: str) -> Status:
    key = raw.strip().lower()
    for status, words in ((Status.WON, ("won", "成交")), (Status.LOST, ("lost", "战败"))):
        if key in words:
            return status
    raise BadInput(f"unknown outcome {raw!r}: use won or lost (成交/战败)")
