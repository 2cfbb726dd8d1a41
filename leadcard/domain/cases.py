"""The case library (案例库): won deals and lost sales kept as teaching cases for the morning meeting.

Seeds, 四(二): successful conversions ("a competitor comparison closed the deal", "a dormant customer
woken") and post-mortems of failures ("followed up so often the customer was put off"), used to
train new consultants and in the weekly review. Anyone who can see a card may mark it.
"""

from __future__ import annotations


from leadcard.domain import cards
from leadcard.domain import objections
from leadcard.errors import BadInput, Refused
from leadcard.i18n import _
from leadcard.model import STATUS_LABELS, Case, Status
from leadcard.domain.session import Session
from leadcard.store import objections as sql

CASE_OUTCOMES = (Status.WON, Status.LOST)


def add_case(session: Session, ref: str, lesson: str) -> Case:
    store = session.store
    card = cards.resolve(session, ref)
    lesson = (lesson or "").strip()
    if not lesson:
        raise BadInput(_("案例需要写心得（--lesson）：团队应从中学到什么"))
    if card.status not in CASE_OUTCOMES:
        raise Refused(_("卡片 {ref} 的状态是 {status}：只有成交或战败的卡片才能做成案例").format(
            ref=card.ref, status=_(STATUS_LABELS[cards.with_status(session, card).status])))
    if sql.has_case(store, card.id):
        raise Refused(_("卡片 {ref} 已经是案例了").format(ref=card.ref))
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
    raise BadInput(_("不认识的结果 `{raw}`：请用 won 或 lost（成交/战败）").format(raw=raw))
