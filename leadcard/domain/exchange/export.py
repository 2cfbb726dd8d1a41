"""`leadcard export`: the cards out again, in the layout import reads.

This module decides what goes out (the cards the acting user can see, phones as they may see them)
and each row's values; render.exchange writes the files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

from leadcard.domain import objections
from leadcard.errors import BadInput
from leadcard.i18n import _
from leadcard.model import CHANNEL_LABELS, SOURCE_LABELS, Card, Visit, card_ref
from leadcard.parse import mask_phone, output_format
from leadcard.domain.session import Session
from leadcard.domain.exchange.roundtrip import whole_store
from leadcard.store import exchange as sql
from leadcard.store.visits import visits_in
from leadcard.domain.exchange.layout import (
    BESIDE,
    CARD_EXPORT,
    CARD_SHEET,
    FINANCE_EXPORT,
    FINANCE_SHEET,
    FOLLOWUP_EXPORT,
    FOLLOWUP_SHEET,
    INSTRUCTION_EXPORT,
    INSTRUCTION_SHEET,
    OUTCOME_HEADERS,
    QUOTE_EXPORT,
    QUOTE_SHEET,
    STATUS_HEADERS,
    TEST_DRIVE_EXPORT,
    TEST_DRIVE_SHEET,
    TRADE_IN_EXPORT,
    TRADE_IN_SHEET,
    VISIT_EXPORT,
    VISIT_SHEET,
    Column,
    local_text,
)
from leadcard.model.deals import FINANCE_STATUS_LABELS, QUOTE_STATUS_LABELS
from leadcard.store import deals as desk_sql

FORMATS = ("csv", "xlsx", "json")
SUFFIXES = {f".{f}": f for f in FORMATS}


@dataclass
class Sheet:
    """One part of an export, its rows read from the store only as they are written."""

    name: str  # the JSON key, and the infix of its CSV file beside the first (FILE.followups.csv)
    title: str  # the workbook's sheet
    columns: tuple[Column, ...]
    rows: Iterator  # cells in the columns' order, or (JSON) one object each
    count: int = 0  # rows written so far
    tick: Callable[[], None] | None = None  # told of each row written (the export's progress)
    schema: int | None = None  # the store part of a JSON export: its rows are (table, columns, rows)

    def __iter__(self) -> Iterator:
        tick = self.tick
        for row in self.rows:
            self.count += 1
            if tick is not None:
                tick()
            yield row


def export_format(fmt: str | None, output: Path | None) -> str:
    """--format, else the output's suffix, else CSV; a --format the suffix contradicts is bad input."""
    chosen = output_format(fmt, output, SUFFIXES) or (output.suffix.lstrip(".").lower() if output else "") or "csv"
    if chosen not in FORMATS:
        raise BadInput(_("不认识的导出格式 {format}：请用 csv、xlsx 或 json").format(format=chosen))
    if chosen == "xlsx" and output is None:
        raise BadInput(_("xlsx 导出是文件：请加 --output 文件.xlsx"))
    return chosen


def export(session: Session, fmt: str, step: Callable[[int, int | None], None] | None = None) -> tuple[Sheet, ...]:
    """Every card the acting user can see, its follow-ups and its supervisor instructions, and the
    showroom log of the visits they received: the cards sheet first, then the rest (more sheets,
    more files beside the first, or more keys). `step(done, None)` hears of the rows written. A
    JSON export by whoever sees the whole store ends with every table as stored, which `import`
    restores (roundtrip.py)."""
    if fmt == "json":
        rows = (_card_records(session), _followup_records(session), _instruction_records(session),
                _visit_records(session))
    else:
        # A CSV cell holds a moment as a person types it back; an Excel cell as a date.
        moment = local_text if fmt == "csv" else _naive
        rows = (_card_rows(session, moment), _followup_rows(session, moment), _instruction_rows(session, moment),
                _visit_rows(session, moment))
    tick = _ticker(step) if step is not None else None
    whole = whole_store(session) if fmt == "json" else None
    return (Sheet("cards", CARD_SHEET, CARD_EXPORT, rows[0], tick=tick),
            Sheet(BESIDE[FOLLOWUP_SHEET], FOLLOWUP_SHEET, FOLLOWUP_EXPORT, rows[1], tick=tick),
            Sheet(BESIDE[INSTRUCTION_SHEET], INSTRUCTION_SHEET, INSTRUCTION_EXPORT, rows[2], tick=tick),
            Sheet("visits", VISIT_SHEET, VISIT_EXPORT, rows[3], tick=tick),
            *_desk_sheets(session, fmt, tick),
            *([Sheet("store", "", (), whole[1], schema=whole[0])] if whole else []))


PROGRESS_EVERY = 1_000  # rows between two words to the progress display


def _ticker(step: Callable[[int, int | None], None]) -> Callable[[], None]:
    """Counts the rows of every sheet written, telling `step` every PROGRESS_EVERY rows."""
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if done % PROGRESS_EVERY == 0:
            step(done, None)

    return tick


# The deal desk's sheets: (key, sheet, columns, a record's values — in a sheet's words, or JSON's).
_DESK = (
    ("test_drives", TEST_DRIVE_SHEET, TEST_DRIVE_EXPORT, lambda t, sheet: {
        "followup": t.seq, "at": t.at, "vehicle": t.vehicle,
        "licence_checked": ("是" if t.licence_checked else "否") if sheet else t.licence_checked,
        "visit": t.visit_id, "author": t.author}),
    ("quotes", QUOTE_SHEET, QUOTE_EXPORT, lambda q, sheet: {
        "seq": q.seq, "at": q.at, "author": q.author, "model": q.model, "price": q.price, "discount": q.discount,
        "net": q.net, "extras": q.extras, "valid_until": q.valid_until,
        "status": QUOTE_STATUS_LABELS[q.status] if sheet else q.status.value,
        "approved_by": q.approved_by, "approved_at": q.approved_at}),
    ("trade_ins", TRADE_IN_SHEET, TRADE_IN_EXPORT, lambda t, sheet: {
        "seq": t.seq, "at": t.at, "author": t.author, "vehicle": t.vehicle, "appraisal": t.appraisal}),
    ("finance", FINANCE_SHEET, FINANCE_EXPORT, lambda f, sheet: {
        "seq": f.seq, "at": f.at, "author": f.author,
        "status": FINANCE_STATUS_LABELS[f.status] if sheet else f.status.value, "bank": f.bank, "amount": f.amount}),
)
_MOMENTS = {"at", "approved_at"}


def _desk_sheets(session: Session, fmt: str, tick: Callable[[], None] | None) -> list[Sheet]:
    """Test drives, quotes, trade-ins and loan applications of the cards the user may see, phones
    as they may see them: for reading (import does not read them back)."""
    found = desk_sql.desk_in(session.store, session.visible())
    owners = session.phone_owners()
    return [Sheet(key, title, columns, _desk_rows(found[key], columns, values, owners, fmt), tick=tick)
            for key, title, columns, values in _DESK]


def _desk_rows(records: Iterator, columns: tuple[Column, ...], values: Callable, owners: frozenset[int] | None,
               fmt: str) -> Iterator:
    moment = local_text if fmt == "csv" else _naive
    for ref, phone, owner_id, record in records:
        phone = _phone(owners, phone, owner_id)
        if fmt == "json":
            yield {"ref": ref, "phone": phone, **values(record, False)}
        else:
            cells = {"phone": phone, "_ref": ref, **values(record, True)}
            yield [moment(cells[c.key]) if c.key in _MOMENTS else cells.get(c.key) for c in columns]


def _phone(owners: frozenset[int] | None, phone: str | None, owner_id: int | None) -> str | None:
    """A phone as `Session.phone_owners` lets it be shown (`owners` read once per table)."""
    if not phone or owners is None or owner_id in owners:
        return phone
    return mask_phone(phone)


def _naive(moment: datetime | None) -> datetime | None:
    """Excel has no time zones: a cell holds the store's local time."""
    return moment.replace(tzinfo=None) if moment is not None else None


# -- what each user may see ---------------------------------------------------------------------------


def _cards(session: Session) -> Iterator[tuple[Card, datetime | None, str | None]]:
    owners = session.phone_owners()
    for card, status_at, first_grade in sql.cards_in(session.store, session.visible()):
        yield card._replace(phone=_phone(owners, card.phone, card.owner_id)), status_at, first_grade


def _history(session: Session, entries: Callable) -> Iterator[tuple]:
    """(card number, the card's phone as this user may see it, entry) for follow-ups or instructions."""
    owners = session.phone_owners()
    for ref, phone, owner_id, entry in entries(session.store, session.visible()):
        yield ref, _phone(owners, phone, owner_id), entry


def _visits(session: Session) -> Iterator[Visit]:
    """The visits the user received, naming only the cards they may see (a return visit to a
    colleague's card is just a return visit)."""
    owners, shown = session.phone_owners(), session.shows_visits()
    for v in visits_in(session.store, session.visible()):
        v = shown(v)
        yield v._replace(phone=_phone(owners, v.phone, v.consultant_id))


# -- cells, as import reads them back ------------------------------------------------------------------


def _card_rows(session: Session, moment: Callable) -> Iterator[list]:
    for card, status_at, first_grade in _cards(session):
        values = {
            "_ref": card.ref, "name": card.name, "phone": card.phone, "grade": card.grade, "first_grade": first_grade,
            "status": STATUS_HEADERS[card.status], "source": SOURCE_LABELS[card.source],
            "platform": card.platform, "left_at": moment(card.left_at), "created_at": moment(card.created_at),
            # a consultant an import kept by name (no such user yet) goes back out as the sheet named them
            "recorded_at": moment(card.recorded_at), "owner": card.owner or card.named_owner, **card.fields,
            "birthday": card.birthday,
            "do_not_contact": "是" if card.do_not_contact else None,
            "status_at": moment(status_at),
            "outcome": json.dumps(card.outcome, ensure_ascii=False) if card.outcome else None,
        }
        yield [values.get(c.key) for c in CARD_EXPORT]


def _followup_rows(session: Session, moment: Callable) -> Iterator[list]:
    labels = objections.labels(session)
    for ref, phone, f in _history(session, sql.followups_in):
        values = {
            "phone": phone, "_ref": ref, "_seq": f.seq, "at": moment(f.at), "channel": CHANNEL_LABELS[f.channel],
            "outcome": OUTCOME_HEADERS[f.outcome.value], "inbound": "是" if f.inbound else None,
            "grade": f.grade, "impression": f.impression,
            "content": f.content, "problem": f.problem, "solution": f.solution, "feasibility": f.feasibility,
            "competition": f.competition, "bottleneck": f.bottleneck, "plan": f.plan,
            "next_at": _whole_day(moment(f.next_at)) if f.next_all_day else moment(f.next_at),
            "purpose": f.purpose, "objections": "、".join(labels.get(t, t) for t in f.objections) or None,
            "recorded_at": moment(f.recorded_at), "author": f.author, "corrects": f.corrects,
        }
        if f.voided:
            values.update(void_reason=f.voided.reason, voided_by=f.voided.by, voided_at=moment(f.voided.at))
        yield [values.get(c.key) for c in FOLLOWUP_EXPORT]


def _whole_day(cell: object) -> object:
    """A next date given without a time goes out as the day alone, which import reads as the whole
    day: the date part of a CSV's text, a date in Excel."""
    return cell.date() if isinstance(cell, datetime) else cell[:10]


def _instruction_rows(session: Session, moment: Callable) -> Iterator[list]:
    for ref, phone, i in _history(session, sql.instructions_in):
        values = {"phone": phone, "_ref": ref, "followup": i.followup_seq, "at": moment(i.at), "author": i.author,
                  "text": i.text}
        yield [values.get(c.key) for c in INSTRUCTION_EXPORT]


def _visit_rows(session: Session, moment: Callable) -> Iterator[list]:
    for v in _visits(session):
        values = {
            "arrived_at": moment(v.arrived_at), "left_at": moment(v.left_at), "party_size": v.party_size,
            "source": SOURCE_LABELS[v.source], "model": v.model, "test_drive": "是" if v.test_drive else None,
            "consultant": v.consultant, "contact_left": "是" if v.contact_left else None, "name": v.name,
            "phone": v.phone, "_ref": card_ref(v.card_id) if v.card_id else None, "notes": v.notes,
        }
        yield [values[c.key] for c in VISIT_EXPORT]


# -- JSON objects (moments stay moments: the JSON writer draws them) -----------------------------------


def _card_records(session: Session) -> Iterator[dict]:
    for card, status_at, first_grade in _cards(session):
        yield {"ref": card.ref, "name": card.name, "phone": card.phone, "grade": card.grade, "first_grade": first_grade,
               "status": card.status.value, "source": card.source.value, "platform": card.platform,
               "left_at": card.left_at, "created_at": card.created_at,
               "recorded_at": card.recorded_at, "owner": card.owner, **card.fields, "birthday": card.birthday,
               "do_not_contact": card.do_not_contact,
               "status_at": status_at, "outcome": card.outcome or None}


def _followup_records(session: Session) -> Iterator[dict]:
    for ref, phone, f in _history(session, sql.followups_in):
        yield {"ref": ref, "phone": phone,
               "seq": f.seq, "at": f.at, "channel": f.channel.value, "outcome": f.outcome.value, "inbound": f.inbound,
               "grade": f.grade, "impression": f.impression, "content": f.content, "problem": f.problem,
               "solution": f.solution, "feasibility": f.feasibility, "competition": f.competition,
               "bottleneck": f.bottleneck, "plan": f.plan, "next_at": f.next_at, "next_all_day": f.next_all_day,
               "purpose": f.purpose, "objections": list(f.objections),
               "recorded_at": f.recorded_at, "author": f.author, "corrects": f.corrects,
               "voided": {"at": f.voided.at, "by": f.voided.by, "reason": f.voided.reason} if f.voided else None}


def _instruction_records(session: Session) -> Iterator[dict]:
    for ref, phone, i in _history(session, sql.instructions_in):
        yield {"ref": ref, "phone": phone, "followup": i.followup_seq, "at": i.at, "author": i.author, "text": i.text}


def _visit_records(session: Session) -> Iterator[dict]:
    for v in _visits(session):
        yield {"arrived_at": v.arrived_at, "left_at": v.left_at, "party_size": v.party_size,
               "source": v.source.value, "model": v.model, "test_drive": v.test_drive, "consultant": v.consultant,
               "contact_left": v.contact_left, "name": v.name, "phone": v.phone,
               "card": card_ref(v.card_id) if v.card_id else None, "notes": v.notes}
