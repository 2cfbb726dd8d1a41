"""A card as read from a row that begins with the store's card columns (`cards.*` and the owner's
name; other columns may follow): by position, for a row read by name scans its ~50 columns at each
read, and a manager's lists read thousands of cards. The morning list's cards (DueCard) are read
from a row of their own few columns.
"""

from __future__ import annotations

import json
from datetime import datetime
from operator import itemgetter
from typing import Callable, Sequence

from leadcard.model import CARD_FIELD_NAMES, Card, DueCard, DueReason, Source, Status, card_ref

# The columns of a card row read besides the card's fields.
_READ = ("id", "name", "phone", "grade", "status", "source", "created_at", "recorded_at", "owner_name",
         "owner_id", "followup_count", "last_contact_at", "next_at", "next_purpose", "due_at", "due_reason",
         "dormant_at", "outcome", "failed_attempts", "do_not_contact", "objections", "left_at", "platform",
         "clock_override", "birthday", "referred_by", "named_owner")
# Dicts, not the enums' lookups.
_STATUSES = {s.value: s for s in Status}
_SOURCES = {s.value: s for s in Source}
_DUE_REASONS = {r.value: r for r in DueReason}


class CardReading:
    """Where each column read lies in rows of one width."""

    __slots__ = (*_READ, "fields")

    def __init__(self, names: Sequence[str]):
        at: dict[str, int] = {}
        for i, name in enumerate(names):
            at.setdefault(name, i)  # the first column of a name wins, as a row's own lookup has it
        for name in _READ:
            setattr(self, name, at[name])
        self.fields = itemgetter(*(at[name] for name in CARD_FIELD_NAMES))


def card_of(row, readings: dict[int, CardReading], dt: Callable[[str | None], datetime | None]) -> Card:
    """The card of a row; `readings` keeps the positions by the row's width (which changes with the
    columns that follow, or a migration's new column), `dt` reads a stored time."""
    reading = readings.get(len(row))
    if reading is None:
        reading = readings[len(row)] = CardReading(row.keys())
    v = tuple(row)
    return Card(
        id=v[reading.id],
        ref=card_ref(v[reading.id]),
        name=v[reading.name],
        phone=v[reading.phone],
        grade=v[reading.grade],
        status=_STATUSES[v[reading.status]],
        source=_SOURCES[v[reading.source]],
        created_at=dt(v[reading.created_at]),
        recorded_at=dt(v[reading.recorded_at]),
        owner=v[reading.owner_name],
        owner_id=v[reading.owner_id],
        fields=dict(zip(CARD_FIELD_NAMES, reading.fields(v))),
        followup_count=v[reading.followup_count],
        last_contact_at=dt(v[reading.last_contact_at]),
        next_at=dt(v[reading.next_at]),
        next_purpose=v[reading.next_purpose],
        due_at=dt(v[reading.due_at]),
        due_reason=_DUE_REASONS[v[reading.due_reason]] if v[reading.due_reason] else None,
        dormant_at=dt(v[reading.dormant_at]),
        outcome=json.loads(v[reading.outcome]) if v[reading.outcome] else {},
        failed_attempts=v[reading.failed_attempts],
        do_not_contact=bool(v[reading.do_not_contact]),
        objections=tuple(v[reading.objections].split(",")) if v[reading.objections] else (),
        left_at=dt(v[reading.left_at]),
        platform=v[reading.platform],
        clock_override=bool(v[reading.clock_override]),
        birthday=v[reading.birthday],
        referred_by=v[reading.referred_by],
        named_owner=v[reading.named_owner],
    )


# What a DueCard is read from, in its order: `cards` joined to its owner as `users`.
DUE_CARD_COLUMNS = (
    "cards.id, cards.name, cards.phone, cards.grade, users.name, cards.owner_id, cards.model, cards.due_at, "
    "cards.due_reason, cards.last_contact_at, cards.followup_count, cards.objections, cards.next_purpose, "
    "cards.status, cards.source, cards.failed_attempts, cards.left_at, json_extract(cards.outcome, '$.delivered_at')"
)


def due_cards_of(rows, dt: Callable[[str | None], datetime | None]) -> list[DueCard]:
    """The cards of rows that begin with DUE_CARD_COLUMNS (other columns may follow). Each distinct
    stored time is read once: a list's times repeat (the cards planned for one day share its due time)."""
    times: dict[str | None, datetime | None] = {None: None}

    def at(text: str | None) -> datetime | None:
        moment = times.get(text)
        if moment is None and text is not None:
            moment = times[text] = dt(text)
        return moment

    return [
        DueCard(id_, card_ref(id_), name, phone, grade, owner, owner_id, model, at(due),
                _DUE_REASONS[reason] if reason else None, at(last_contact), followups,
                tuple(objections.split(",")) if objections else (), purpose, _STATUSES[status], _SOURCES[source],
                failed, at(left), delivered)
        for (id_, name, phone, grade, owner, owner_id, model, due, reason, last_contact, followups, objections,
             purpose, status, source, failed, left, delivered, *_following) in rows
    ]
