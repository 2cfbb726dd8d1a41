"""`leadcard export` and `leadcard calendar`: the cards out again, in the layout import reads.

Files are written to a temporary name beside the target and renamed when complete, so a reader
never sees half an export; they are private (0600) like the store, since they hold customer data.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Iterator

from leadcard.domain import objections
from leadcard.domain.cards import today_item, wake_up_days_between
from leadcard.errors import BadInput
from leadcard.model import CHANNEL_LABELS, DUE_REASON_LABELS, SOURCE_LABELS, Card, FollowUp, Visit, card_ref
from leadcard.parse import mask_phone
from leadcard.schedule import day_bounds
from leadcard.domain.session import Session
from leadcard.store import exchange as sql
from leadcard.store.visits import visits_in
from leadcard.domain.exchange.layout import (
    CARD_EXPORT,
    CARD_SHEET,
    FOLLOWUP_EXPORT,
    FOLLOWUP_SHEET,
    INSTRUCTION_EXPORT,
    INSTRUCTION_SHEET,
    OUTCOME_HEADERS,
    STATUS_HEADERS,
    VISIT_EXPORT,
    VISIT_SHEET,
    local_text,
)

FORMATS = ("csv", "xlsx", "json")


@dataclass
class ExportResult:
    format: str
    files: list[str] = field(default_factory=list)  # empty: written to stdout
    cards: int = 0
    followups: int = 0
    instructions: int = 0
    visits: int = 0


def export_format(fmt: str | None, output: Path | None) -> str:
    """--format, else the output's suffix, else CSV."""
    chosen = (fmt or (output.suffix.lstrip(".") if output else "") or "csv").lower()
    if chosen not in FORMATS:
        raise BadInput(f"unknown export format {chosen!r}: use csv, xlsx or json")
    if chosen == "xlsx" and output is None:
        raise BadInput("an xlsx export needs --output FILE.xlsx")
    return chosen


def export(session: Session, fmt: str, output: Path | None, stdout: IO[str]) -> ExportResult:
    """Every card the acting user can see, its follow-ups and its supervisor instructions, and the
    showroom log of the visits they received (more sheets, more files beside the first, or more keys)."""
    result = ExportResult(fmt)
    if fmt == "xlsx":
        _xlsx(session, output, result)
    elif fmt == "json":
        with _target(output, stdout, result) as out:
            _json(session, out, result)
    else:
        with _target(output, stdout, result) as out:
            _csv(out, _card_rows(session, result, plain=True), CARD_EXPORT)
        if output is not None:
            with _target(output.with_name(f"{output.stem}.followups{output.suffix}"), stdout, result) as out:
                _csv(out, _followup_rows(session, result, plain=True), FOLLOWUP_EXPORT)
            with _target(output.with_name(f"{output.stem}.instructions{output.suffix}"), stdout, result) as out:
                _csv(out, _instruction_rows(session, result, plain=True), INSTRUCTION_EXPORT)
            with _target(output.with_name(f"{output.stem}.visits{output.suffix}"), stdout, result) as out:
                _csv(out, _visit_rows(session, result, plain=True), VISIT_EXPORT)
    return result


@contextmanager
def _target(output: Path | None, stdout: IO[str], result: ExportResult) -> Iterator[IO[str]]:
    if output is None:
        yield stdout
        return
    with _replacing(output) as temp:
        # Excel opens UTF-8 only with a BOM; the JSON stays plain UTF-8.
        encoding = "utf-8" if result.format == "json" else "utf-8-sig"
        with open(temp, "w", encoding=encoding, newline="") as out:
            yield out
    result.files.append(str(output))


@contextmanager
def _replacing(target: Path) -> Iterator[Path]:
    """A private temporary file beside the target, renamed over it once complete."""
    target = Path(target)
    if not target.parent.is_dir():
        raise BadInput(f"cannot write {target}: directory {target.parent} does not exist")
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(temp)
        os.replace(temp, target)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def _card_rows(session: Session, result: ExportResult, plain: bool) -> Iterator[list]:
    owners = session.phone_owners()
    for card, status_at, first_grade in sql.cards_in(session.store, session.visible()):
        card = card._replace(phone=_phone(owners, card.phone, card.owner_id))
        result.cards += 1
        yield _card_cells(card, status_at, first_grade, plain)


def _card_cells(card: Card, status_at: datetime | None, first_grade: str | None, plain: bool) -> list:
    moment = local_text if plain else _naive
    values = {
        "_ref": card.ref, "name": card.name, "phone": card.phone, "grade": card.grade, "first_grade": first_grade,
        "status": STATUS_HEADERS[card.status], "source": SOURCE_LABELS[card.source],
        "platform": card.platform, "left_at": moment(card.left_at),
        "created_at": moment(card.created_at), "recorded_at": moment(card.recorded_at), "owner": card.owner,
        **card.fields,
        "birthday": card.birthday,
        "do_not_contact": "是" if card.do_not_contact else None,
        "status_at": moment(status_at),
        "outcome": json.dumps(card.outcome, ensure_ascii=False) if card.outcome else None,
    }
    return [values.get(c.key) for c in CARD_EXPORT]


def _followup_rows(session: Session, result: ExportResult, plain: bool) -> Iterator[list]:
    labels = objections.labels(session)
    owners = session.phone_owners()
    for ref, phone, owner_id, f in sql.followups_in(session.store, session.visible()):
        result.followups += 1
        yield _followup_cells(ref, _phone(owners, phone, owner_id), f, labels, plain)


def _followup_cells(ref: str, phone: str, f: FollowUp, labels: dict[str, str], plain: bool) -> list:
    moment = local_text if plain else _naive
    values = {
        "phone": phone, "_ref": ref, "_seq": f.seq, "at": moment(f.at), "channel": CHANNEL_LABELS[f.channel],
        "outcome": OUTCOME_HEADERS[f.outcome.value], "grade": f.grade, "impression": f.impression,
        "content": f.content, "problem": f.problem, "solution": f.solution, "feasibility": f.feasibility,
        "competition": f.competition, "bottleneck": f.bottleneck, "plan": f.plan, "next_at": moment(f.next_at),
        "purpose": f.purpose, "objections": "、".join(labels.get(t, t) for t in f.objections) or None,
        "recorded_at": moment(f.recorded_at), "author": f.author, "corrects": f.corrects,
    }
    return [values.get(c.key) for c in FOLLOWUP_EXPORT]


def _instruction_rows(session: Session, result: ExportResult, plain: bool) -> Iterator[list]:
    moment = local_text if plain else _naive
    owners = session.phone_owners()
    for ref, phone, owner_id, i in sql.instructions_in(session.store, session.visible()):
        result.instructions += 1
        values = {"phone": _phone(owners, phone, owner_id), "_ref": ref, "followup": i.followup_seq,
                  "at": moment(i.at), "author": i.author, "text": i.text}
        yield [values.get(c.key) for c in INSTRUCTION_EXPORT]


def _visit_rows(session: Session, result: ExportResult, plain: bool) -> Iterator[list]:
    moment = local_text if plain else _naive
    owners = session.phone_owners()
    for v in _visits(session):
        result.visits += 1
        values = {
            "arrived_at": moment(v.arrived_at), "left_at": moment(v.left_at), "party_size": v.party_size,
            "source": SOURCE_LABELS[v.source], "model": v.model, "test_drive": "是" if v.test_drive else None,
            "consultant": v.consultant, "contact_left": "是" if v.contact_left else None, "name": v.name,
            "phone": _phone(owners, v.phone, v.consultant_id),
            "_ref": card_ref(v.card_id) if v.card_id else None, "notes": v.notes,
        }
        yield [values[c.key] for c in VISIT_EXPORT]


def _visits(session: Session) -> Iterator[Visit]:
    """The visits the user received, naming only the cards they may see (a return visit to a
    colleague's card is just a return visit)."""
    for v in visits_in(session.store, session.visible()):
        yield session.shown_visit(v)


def _phone(owners: frozenset[int] | None, phone: str | None, owner_id: int | None) -> str | None:
    """A phone as `Session.phone_owners` lets it be shown (`owners` read once per table)."""
    if not phone or owners is None or owner_id in owners:
        return phone
    return mask_phone(phone)


def _naive(moment: datetime | None) -> datetime | None:
    """Excel has no time zones: a cell holds the store's local time."""
    return moment.replace(tzinfo=None) if moment is not None else None


def _csv(out: IO[str], rows: Iterator[list], columns) -> None:
    writer = csv.writer(out)
    writer.writerow([c.header for c in columns])
    writer.writerows(rows)


def _xlsx(session: Session, output: Path, result: ExportResult) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    for title, columns, rows in ((CARD_SHEET, CARD_EXPORT, _card_rows(session, result, plain=False)),
                                 (FOLLOWUP_SHEET, FOLLOWUP_EXPORT, _followup_rows(session, result, plain=False)),
                                 (INSTRUCTION_SHEET, INSTRUCTION_EXPORT, _instruction_rows(session, result, plain=False)),
                                 (VISIT_SHEET, VISIT_EXPORT, _visit_rows(session, result, plain=False))):
        sheet = book.create_sheet(title)
        sheet.freeze_panes = "A2"
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width + 2
        bold = Font(bold=True)
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=column.header)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    with _replacing(output) as temp:
        book.save(temp)
    result.files.append(str(output))


def _json(session: Session, out: IO[str], result: ExportResult) -> None:
    """One document, written as it is read: {"cards": [...], "followups": [...], "instructions": [...],
    "visits": [...]}."""
    owners = session.phone_owners()
    out.write('{"cards": [')
    for n, (card, status_at, first_grade) in enumerate(sql.cards_in(session.store, session.visible())):
        card = card._replace(phone=_phone(owners, card.phone, card.owner_id))
        data = {"ref": card.ref, "name": card.name, "phone": card.phone, "grade": card.grade, "first_grade": first_grade,
                "status": card.status.value, "source": card.source.value, "platform": card.platform,
                "left_at": _iso(card.left_at), "created_at": _iso(card.created_at),
                "recorded_at": _iso(card.recorded_at), "owner": card.owner, **card.fields,
                "do_not_contact": card.do_not_contact,
                "status_at": _iso(status_at), "outcome": card.outcome or None}
        out.write(("," if n else "") + "\n  " + json.dumps(data, ensure_ascii=False))
        result.cards += 1
    out.write('\n], "followups": [')
    for n, (ref, phone, owner_id, f) in enumerate(sql.followups_in(session.store, session.visible())):
        data = {"ref": ref, "phone": _phone(owners, phone, owner_id),
                "seq": f.seq, "at": _iso(f.at), "channel": f.channel.value, "outcome": f.outcome.value,
                "grade": f.grade, "impression": f.impression, "content": f.content, "problem": f.problem,
                "solution": f.solution, "feasibility": f.feasibility, "competition": f.competition,
                "bottleneck": f.bottleneck, "plan": f.plan, "next_at": _iso(f.next_at), "purpose": f.purpose,
                "objections": list(f.objections),
                "recorded_at": _iso(f.recorded_at), "author": f.author, "corrects": f.corrects}
        out.write(("," if n else "") + "\n  " + json.dumps(data, ensure_ascii=False))
        result.followups += 1
    out.write('\n], "instructions": [')
    for n, (ref, phone, owner_id, i) in enumerate(sql.instructions_in(session.store, session.visible())):
        data = {"ref": ref, "phone": _phone(owners, phone, owner_id), "followup": i.followup_seq, "at": _iso(i.at),
                "author": i.author, "text": i.text}
        out.write(("," if n else "") + "\n  " + json.dumps(data, ensure_ascii=False))
        result.instructions += 1
    out.write('\n], "visits": [')
    for n, v in enumerate(_visits(session)):
        data = {"arrived_at": _iso(v.arrived_at), "left_at": _iso(v.left_at), "party_size": v.party_size,
                "source": v.source.value, "model": v.model, "test_drive": v.test_drive, "consultant": v.consultant,
                "contact_left": v.contact_left, "name": v.name,
                "phone": _phone(owners, v.phone, v.consultant_id),
                "card": card_ref(v.card_id) if v.card_id else None, "notes": v.notes}
        out.write(("," if n else "") + "\n  " + json.dumps(data, ensure_ascii=False))
        result.visits += 1
    out.write("\n]}\n")


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


# -- calendar ---------------------------------------------------------------------------------------

WAKE_UP_LISTED = 30  # customers named in a wake-up day's event; `today` lists them all that day


@dataclass
class CalendarResult:
    file: str | None
    events: int  # due contacts
    wake_up_days: int  # days the dormant pool is listed, one all-day event each
    start: datetime
    end: datetime


def calendar(session: Session, output: Path | None, days: int, stdout: IO[str]) -> CalendarResult:
    """One event per due contact of the acting user's cards, from overdue to `days` ahead, and an
    all-day event on each wake-up day (休眠唤醒) with the customers dormant by then.

    Each card keeps one UID (card number @ the store's identity), so importing the feed again
    moves the event to the card's new due time instead of adding another.
    """
    from icalendar import Calendar, Event

    store, now, tz = session.store, session.now, session.tz
    start, _ = day_bounds(session.today, tz)
    _, end = day_bounds(session.today + timedelta(days=days), tz)
    scope = session.visible()
    uid = sql.store_uid(store)
    feed = Calendar()
    feed.add("prodid", "-//leadcard//意向客户回访//ZH")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", "客户回访")
    cards = sql.due_until(store, end, now, scope)
    for card in cards:
        item = today_item(session, card, card.due_at, card.due_reason, session.today)
        shown = item.card
        # An overdue contact is still to be made: it moves to today, at the hour it was planned.
        when = card.due_at if card.due_at >= start else datetime.combine(session.today, card.due_at.timetz())
        late = f"（逾期 {item.overdue_days} 天）" if item.overdue_days > 0 else ""
        event = Event()
        event.add("uid", f"{card.ref}-{uid}@leadcard")
        event.add("dtstamp", now.astimezone(timezone.utc))
        event.add("dtstart", when.astimezone(timezone.utc))
        event.add("duration", timedelta(minutes=15))
        event.add("summary", f"{DUE_REASON_LABELS[item.reason]} {shown.name} {shown.grade}级{late}")
        lines = [f"卡号 {card.ref}", f"电话 {shown.phone}", f"车型 {shown.fields.get('model') or '—'}",
                 f"{'计划' if not item.suggested else '建议'}：{item.purpose or '—'}"]
        event.add("description", "\n".join(lines))
        feed.add_component(event)
    wake_days = 0
    for day in wake_up_days_between(session, session.today, session.today + timedelta(days=days)):
        pool = store.dormant_cards(day_bounds(day, tz)[1], scope)
        if not pool:
            continue
        wake_days += 1
        event = Event()
        event.add("uid", f"wake-{day:%Y%m%d}-{uid}@leadcard")
        event.add("dtstamp", now.astimezone(timezone.utc))
        event.add("dtstart", day)
        event.add("summary", f"休眠唤醒 {len(pool)} 位客户")
        shown = [session.shown(c) for c in pool[:WAKE_UP_LISTED]]
        lines = [f"{c.ref} {c.name} {c.grade}级 {c.phone}" for c in shown]
        if len(pool) > WAKE_UP_LISTED:
            lines.append(f"…… 共 {len(pool)} 位")
        lines.append("当天 leadcard today 列出全部")
        event.add("description", "\n".join(lines))
        feed.add_component(event)
    data = feed.to_ical()
    if output is None:
        stdout.write(data.decode("utf-8"))
    else:
        with _replacing(output) as temp:
            temp.write_bytes(data)
    return CalendarResult(str(output) if output else None, len(cards), wake_days, start, end)
