"""`leadcard import`: cards (and their follow-up history) from the store's Excel habits.

All or nothing (CONTRACT.md): rows are validated by the same parsers as `add` and `log`, inserted
chunk by chunk inside one transaction, and the transaction is rolled back when any row is bad
(unless --skip-bad) or on --dry-run, so a dry run reports exactly what a real run would do.
Rows stream from the file: memory stays flat however long it is.
"""

from __future__ import annotations

import csv
import json
import os
import re
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Iterator

from leadcard.domain import objections
from leadcard.domain.cards import owner_for_new_card, timing_columns
from leadcard.errors import BadInput, LeadcardError
from leadcard.model import CARD_FIELD_NAMES, EventKind, Outcome, Source, Status
from leadcard.parse import lookup, normalise_phone, parse_channel, parse_lead_source, parse_outcome, parse_when
from leadcard.domain.session import Session
from leadcard.domain.exchange.tables import Table, is_workbook, open_tables
from leadcard.store import Store, sql_value, ts
from leadcard.store import exchange as sql
from leadcard.domain.exchange.layout import (
    CARD_COLUMNS,
    CARD_SHEET,
    FOLLOWUP_COLUMNS,
    FOLLOWUP_SHEET,
    INSTRUCTION_COLUMNS,
    INSTRUCTION_SHEET,
    OBJECTION_SEPARATORS,
    STATUS_WORDS,
    YES_NO,
    Column,
    header_key,
    synonym_table,
)

CHUNK = 2000
_CARD_WORDS = synonym_table(CARD_COLUMNS)
_FOLLOWUP_WORDS = synonym_table(FOLLOWUP_COLUMNS)
_INSTRUCTION_WORDS = synonym_table(INSTRUCTION_COLUMNS)
_SLASHED = re.compile(r"(\d{4})[/.年](\d{1,2})[/.月](\d{1,2})日?(?:[ t]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_PLAIN_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?::\d{2})?)?")
# The dated events a closed card's story needs (reports count them), as the lifecycle commands
# write them: (kind, the outcome's key holding its time, the outcome's keys kept as detail).
_CLOSING_EVENTS = {
    Status.WON: ((EventKind.WON, "at", {"model": "model"}),
                 (EventKind.HANDOVER, "handover_at", {"to": "handover_to"})),
    Status.LOST_PENDING: ((EventKind.LOST_REQUESTED, "requested_at",
                           {"reason": "reason", "competitor": "competitor", "note": "note"}),),
    Status.LOST: ((EventKind.LOST_REQUESTED, "requested_at",
                   {"reason": "reason", "competitor": "competitor", "note": "note"}),
                  (EventKind.LOST_APPROVED, "decided_at", {})),
    Status.INVALID: ((EventKind.INVALID, "at", {"reason": "reason"}),),
}


@dataclass(frozen=True)
class Problem:
    part: str  # which table: 意向客户 (cards) or 跟进记录 (follow-ups)
    line: int  # the header is line 1, as a spreadsheet numbers its rows
    reason: str


@dataclass
class ImportReport:
    path: str
    format: str
    encoding: str | None
    dry_run: bool
    skip_bad: bool
    written: bool = False
    cards: int = 0
    followups: int = 0
    errors: list[Problem] = field(default_factory=list)
    duplicates: list[Problem] = field(default_factory=list)
    instructions: int = 0
    skipped_history: int = 0  # follow-ups and instructions of cards already in the store: not imported again
    unknown_columns: dict[str, list[str]] = field(default_factory=dict)
    rejects: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """Bad rows without --skip-bad: nothing is (or would be) written."""
        return bool(self.errors) and not self.skip_bad


class _Discard(Exception):
    """Raised inside the import's transaction to roll it back (dry run, bad rows)."""


class _BadRow(Exception):
    pass


def import_file(session: Session, path: Path, followups: Path | None, instructions: Path | None,
                dry_run: bool, skip_bad: bool) -> ImportReport:
    """Cards from FILE; their history (跟进记录) and supervisor instructions (主管批示) from the
    workbook's other sheets or from files of their own."""
    path = Path(path)
    with ExitStack() as stack:
        tables = open_tables(stack, path, {FOLLOWUP_SHEET: followups, INSTRUCTION_SHEET: instructions})
        cards, history, notes = (tables.get(part) for part in (CARD_SHEET, FOLLOWUP_SHEET, INSTRUCTION_SHEET))
        report = ImportReport(str(path), "xlsx" if is_workbook(path) else "csv", cards.encoding, dry_run, skip_bad)
        importer = _Importer(session, report, with_history=history is not None)
        try:
            sql.prepare_bulk_load(session.store)
            with session.store.transaction():
                importer.cards(cards, _rejects(stack, cards, report))
                if history is not None:
                    importer.followups(history, _rejects(stack, history, report))
                    importer.grade_history()
                if notes is not None:
                    importer.instructions(notes, _rejects(stack, notes, report))
                if dry_run or report.failed:
                    raise _Discard
        except _Discard:
            pass
        else:
            report.written = True
    if not report.written:
        report.rejects = []
    return report


def _rejects(stack: ExitStack, table: Table, report: ImportReport):
    """A writer for the rows --skip-bad leaves out: a CSV beside the input, kept only if written."""
    if not report.skip_bad or report.dry_run:
        return None
    suffix = "" if table.part == CARD_SHEET or not is_workbook(table.path) else f".{table.part}"
    target = table.path.with_name(f"{table.path.stem}{suffix}.rejects.csv")
    return stack.enter_context(_RejectsFile(target, [*table.header, "原行号", "错误原因"], report))


class _RejectsFile:
    def __init__(self, target: Path, header: list[str], report: ImportReport):
        self.target, self.header, self.report = target, header, report
        self.count = 0

    def __enter__(self):
        fd, self.temp = tempfile.mkstemp(dir=self.target.parent, prefix=".rejects-", suffix=".csv")
        self.file = os.fdopen(fd, "w", encoding="utf-8-sig", newline="")
        self.writer = csv.writer(self.file)
        self.writer.writerow(self.header)
        return self

    def write(self, raw: list, line: int, reason: str) -> None:
        cells = ["" if v is None else v for v in raw][: len(self.header) - 2]
        cells += [""] * (len(self.header) - 2 - len(cells))
        self.writer.writerow([*cells, line, reason])
        self.count += 1

    def __exit__(self, exc_type, exc, tb):
        self.file.close()
        # Kept only when the import was committed with rows left out; the report says where.
        if exc_type is None and self.count and not self.report.failed:
            os.replace(self.temp, self.target)
            self.report.rejects.append(str(self.target))
        else:
            os.unlink(self.temp)
        return False


# -- validating and inserting ------------------------------------------------------------------------


def _columns(table: Table, words: dict[str, Column], required: tuple[str, ...], report: ImportReport) -> list:
    """Which column of the file holds which field; unknown ones are reported and kept as notes."""
    mapping: list[tuple[str, int]] = []
    seen: dict[str, str] = {}
    unknown: list[str] = []
    for index, title in enumerate(table.header):
        title = str(title).strip()
        if not title:
            continue
        column = words.get(header_key(title))
        if column is None:
            unknown.append(title)
            mapping.append(("?" + title, index))
            continue
        if column.key in seen:
            raise BadInput(f"{table.path.name}: columns {seen[column.key]!r} and {title!r} both mean {column.header}")
        seen[column.key] = title
        if not column.key.startswith("_"):
            mapping.append((column.key, index))
    missing = [key for key in required if key not in seen]
    if missing:
        names = [next(c for c in words.values() if c.key == key) for key in missing]
        raise BadInput(
            f"{table.path.name}: no column for " + ", ".join(
                f"{c.header} ({'/'.join((c.header, *c.synonyms[:3]))})" for c in names)
        )
    if unknown:
        report.unknown_columns[table.part] = unknown
    return mapping


def _cells(raw: list, mapping: list) -> tuple[dict[str, object], list[tuple[str, object]]]:
    values: dict[str, object] = {}
    extras: list[tuple[str, object]] = []
    width = len(raw)
    for key, index in mapping:
        if index >= width:
            continue
        value = raw[index]
        if value.__class__ is str:
            value = value.strip()
            if not value:
                continue
        elif value is None:
            continue
        if key[0] == "?":
            extras.append((key[1:], value))
        else:
            values[key] = value
    return values, extras


class _Importer:
    def __init__(self, session: Session, report: ImportReport, with_history: bool):
        self.session = session
        self.store: Store = session.store
        self.policy = session.policy
        self.report = report
        self.now = session.now
        self.first_card_id = self.store.next_id("cards")
        self.with_history = with_history  # then grade histories are written once the history is in
        self.words: dict[tuple, object] = {}
        self.schedules: dict[tuple, dict] = {}
        self._stamp = lru_cache(maxsize=4096)(ts)
        self.authors: dict[str, int] = {}
        self.known_objections = None  # the store's objection list, read when a file names one

    def _parsed(self, table: Table, mapping: list, parse, rejects) -> Iterator[list[tuple[int, list, dict]]]:
        """The table's rows validated a chunk at a time: (line, cells, row) of the good ones; the bad
        ones reported (and written to the rejects file) as they come. Blank rows are skipped."""
        for chunk in _chunks(table.rows):
            good = []
            for line, raw in chunk:
                if not any(v not in (None, "") for v in raw):
                    continue
                try:
                    good.append((line, raw, parse(*_cells(raw, mapping))))
                except _BadRow as exc:
                    self._bad(table.part, line, str(exc), raw, rejects)
            yield good

    # -- cards ------------------------------------------------------------------------------------

    def cards(self, table: Table, rejects) -> None:
        mapping = _columns(table, _CARD_WORDS, ("name", "phone"), self.report)
        next_id = self.first_card_id
        for valid in self._parsed(table, mapping, self._card, rejects):
            existing = sql.cards_with_phones(self.store, [row["phone"] for _, _, row in valid])
            rows, seen = [], {}
            for line, _, row in valid:
                phone = row["phone"]
                if phone in seen or phone in existing:
                    self._duplicate(table.part, line, phone, seen.get(phone), existing.get(phone))
                    continue
                seen[phone] = line
                row["id"] = next_id
                next_id += 1
                rows.append(row)
            self._insert_cards(rows)

    def _card(self, values: dict, extras: list) -> dict:
        policy, now = self.policy, self.now
        name = _text(values.get("name"))
        if not name:
            raise _BadRow("no name (姓名)")
        phone = _check(normalise_phone, _text(values.get("phone")) or "")
        word = self._word
        grade = word(policy.grade, str(values["grade"])).code if "grade" in values else policy.scheme.default_grade
        first_grade = word(policy.grade, str(values["first_grade"])).code if "first_grade" in values else None
        source, platform = word(_lead_source, (_text(values.get("source")), _text(values.get("platform"))))
        status = word(_status, str(values["status"])) if "status" in values else Status.OPEN
        created_at = self._moment(values.get("created_at")) or now
        if created_at > now + timedelta(minutes=1):
            raise _BadRow(f"建卡时间 {created_at:%Y-%m-%d %H:%M} is in the future")
        left_at = self._moment(values.get("left_at"))
        if left_at is not None and left_at > now + timedelta(minutes=1):
            raise _BadRow(f"离店时间 {left_at:%Y-%m-%d %H:%M} is in the future")
        outcome = _outcome(values.get("outcome"))
        owner = word(self._owner, _text(values["owner"])) if "owner" in values else self.session.actor
        fields = {name: None for name in CARD_FIELD_NAMES}
        for key in CARD_FIELD_NAMES:
            if key in values:
                fields[key] = _text(values[key])
        if fields["age"] is not None:
            fields["age"] = _age(fields["age"])
        fields["notes"] = _joined(fields["notes"], extras)
        do_not_contact = word(_yes_no, str(values["do_not_contact"])) if "do_not_contact" in values else False
        active = status == Status.OPEN and not do_not_contact
        stamp = self._stamp
        return {
            "created_at": stamp(created_at),
            "recorded_at": stamp(self._moment(values.get("recorded_at")) or now),
            "source": source.value,
            "platform": platform,
            "left_at": stamp(left_at) if left_at else None,
            "owner_id": owner.id if owner else None,
            "name": name,
            "phone": phone,
            **fields,
            "grade": grade,
            "first_grade": first_grade,
            "status": status.value,
            "status_at": stamp(self._moment(values.get("status_at")) or created_at),
            "outcome": json.dumps(outcome, ensure_ascii=False) if outcome else None,
            "do_not_contact": int(do_not_contact),
            **self._schedule(created_at, grade, active, left_at, source),
        }

    def _owner(self, name: str):
        try:
            return owner_for_new_card(self.session, name)
        except LeadcardError as exc:
            raise BadInput(str(exc).split(" (")[0]) from None

    def _word(self, parse, raw: str):
        """A value of a small vocabulary (grade, source, status, channel, owner, date), parsed once per
        distinct spelling: the parsers are the shared ones, the cache keeps 100,000 rows fast."""
        key = (parse, raw)
        found = self.words.get(key)
        if found is None:
            if len(self.words) > 5_000:
                self.words.clear()  # bounded, however varied the file
            try:
                found = parse(raw)
            except BadInput as exc:
                found = _BadRow(str(exc))
            self.words[key] = found
        if isinstance(found, _BadRow):
            raise _BadRow(*found.args)
        return found

    def _schedule(self, created_at: datetime, grade: str, active: bool, left_at: datetime | None,
                  source: Source) -> dict:
        """The derived columns of a card without history (cards.timing_columns), as stored text."""
        key = (created_at, grade, active, left_at, source)
        found = self.schedules.get(key)
        if found is None:
            if len(self.schedules) > 2_000:
                self.schedules.clear()
            timing = timing_columns(self.policy, created_at, grade, active, [], left_at, source)
            found = {k: sql_value(v) for k, v in timing.items()}
            self.schedules[key] = found
        return found

    def _insert_cards(self, rows: list[dict]) -> None:
        if not rows:
            return
        actor = self.session.actor_id
        changes = []
        for r in rows:
            first = r.pop("first_grade")
            if first is None and self.with_history:
                continue  # grade_history starts it from the grade judged at the first contact
            change = {"card_id": r["id"], "at": r["created_at"], "by_id": r["owner_id"], "reason": "导入"}
            changes.append({**change, "from_grade": None, "to_grade": first or r["grade"]})
            if not self.with_history and first and first != r["grade"]:  # regraded since; when is not known
                changes.append({**change, "from_grade": first, "to_grade": r["grade"]})
        self.store.bulk_insert("cards", rows, ())
        self.store.bulk_insert("grade_changes", changes, ())
        self.store.bulk_insert("card_events", ({
            "card_id": r["id"], "at": r["created_at"], "kind": EventKind.CREATED.value, "by_id": actor,
            "detail": json.dumps({"source": r["source"]})} for r in rows), ())
        # The audit reads what is dated before this as history brought in, not as today's work.
        imported = self._stamp(self.now)
        self.store.bulk_insert("card_events", ({
            "card_id": r["id"], "at": imported, "kind": EventKind.IMPORTED.value, "by_id": actor,
            "detail": None} for r in rows), ())
        closing = [event for r in rows if r["status"] != Status.OPEN for event in _closing_events(r, actor)]
        self.store.bulk_insert("card_events", closing, ())
        self.report.cards += len(rows)

    # -- follow-ups -------------------------------------------------------------------------------

    def followups(self, table: Table, rejects) -> None:
        mapping = _columns(table, _FOLLOWUP_WORDS, ("phone", "at", "channel", "content"), self.report)
        first_followup_id = next_id = self.store.next_id("followups")
        for parsed in self._parsed(table, mapping, self._followup, rejects):
            cards, older = self._cards_of(parsed)
            seqs = sql.last_seqs(self.store, (c["id"] for c in cards.values()))
            ids: dict[tuple[int, int], int] = {}
            rows = []
            for line, raw, row in parsed:
                card = self._card_of(table.part, line, raw, row.pop("phone"), cards, older, rejects)
                if card is None:
                    continue
                try:
                    self._link(row, card, ids)
                except _BadRow as exc:
                    self._bad(table.part, line, str(exc), raw, rejects)
                    continue
                row["id"] = next_id
                next_id += 1
                row["seq"] = seqs[card["id"]] = seqs.get(card["id"], 0) + 1
                ids[(card["id"], row["seq"])] = row["id"]
                rows.append(row)
            raised = [{"followup_id": row["id"], "tag": tag} for row in rows for tag in row.pop("objections")]
            if rows:
                self.store.bulk_insert("followups", rows, ())
                self.store.bulk_insert("followup_objections", raised, ())
                self.report.followups += len(rows)
        self._reschedule(first_followup_id)

    def _objections(self, cell: object) -> tuple[str, ...]:
        """客户异议: tags or Chinese labels of the store's list (retired ones too: this is history)."""
        if cell is None:
            return ()
        if self.known_objections is None:
            self.known_objections = objections.list_objections(self.session, include_retired=True)
        tags: list[str] = []
        for text in OBJECTION_SEPARATORS.split(str(cell)):
            if text.strip():
                tag = self._word(lambda t: objections.find(self.known_objections, t).tag, text.strip())
                if tag not in tags:
                    tags.append(tag)
        return tuple(tags)

    def _followup(self, values: dict, extras: list) -> dict:
        phone, at = self._keyed(values, "跟进时间")
        channel = self._word(parse_channel, str(values.get("channel", "")))
        content = _joined(_text(values.get("content")), extras)
        if not content:
            raise _BadRow("no content (洽谈内容)")
        next_at = self._moment(values.get("next_at"))
        if next_at is not None and next_at <= at:
            raise _BadRow(f"下次访问时间 {next_at:%Y-%m-%d %H:%M} must come after the contact")
        author = self._author(values.get("author"))
        corrects = values.get("corrects")
        return {
            "card_id": None, "seq": None, "at": ts(at), "recorded_at": ts(self._moment(values.get("recorded_at")) or self.now),
            "author_id": author, "channel": channel.value,
            "outcome": self._word(parse_outcome, str(values["outcome"])).value if "outcome" in values else Outcome.REACHED.value,
            "grade": self._word(self.policy.grade, str(values["grade"])).code if "grade" in values else None,
            "impression": _text(values.get("impression")), "content": content,
            **{k: _text(values.get(k)) for k in ("problem", "solution", "feasibility", "competition", "bottleneck", "plan")},
            "next_at": ts(next_at), "purpose": _text(values.get("purpose")),
            "corrects": _whole(corrects, "更正序号") if corrects is not None else None,
            "phone": phone,
            "objections": self._objections(values.get("objections")),
        }

    def _link(self, row: dict, card, ids: dict) -> None:
        if row["at"] < card["created_at"]:
            raise _BadRow(f"跟进时间 comes before the card was created ({self.store.dt(card['created_at']):%Y-%m-%d %H:%M})")
        row["card_id"] = card["id"]
        row["grade"] = row["grade"] or card["grade"]
        if row["corrects"] is not None:
            target = ids.get((card["id"], row["corrects"])) or self.store.followup_id(card["id"], row["corrects"])
            if target is None:
                raise _BadRow(f"更正序号 {row['corrects']}: the card has no such follow-up before this one")
            row["corrects"] = target

    def _author(self, name: object) -> int | None:
        if name is None:
            return None
        key = _text(name)
        if key not in self.authors:
            user = self.store.user_by_name(key)
            if user is None:
                raise _BadRow(f"no user named {key!r} (记录人)")
            self.authors[key] = user.id
        return self.authors[key]

    def _reschedule(self, first_followup_id: int) -> None:
        """Recompute the due date of every card that received history, as `log` does, a batch at a time."""
        policy = self.policy
        for batch in sql.cards_with_new_followups(self.store, first_followup_id):
            history = sql.effective_contacts(self.store, batch)
            updates = []
            for r in sql.schedule_inputs(self.store, batch):
                contacts = history.get(r["id"], [])
                active = r["status"] == Status.OPEN and not r["do_not_contact"]
                updates.append((r["id"], timing_columns(policy, self.store.dt(r["created_at"]), r["grade"], active,
                                                        contacts, self.store.dt(r["left_at"]), r["source"])))
            sql.update_schedules(self.store, updates)

    # -- supervisor instructions (主管批示) ---------------------------------------------------------

    def instructions(self, table: Table, rejects) -> None:
        mapping = _columns(table, _INSTRUCTION_WORDS, ("phone", "at", "text"), self.report)
        for parsed in self._parsed(table, mapping, self._instruction, rejects):
            cards, older = self._cards_of(parsed)
            rows = []
            for line, raw, row in parsed:
                card = self._card_of(table.part, line, raw, row.pop("phone"), cards, older, rejects)
                if card is None:
                    continue
                seq = row["followup_id"]
                if seq is not None:
                    row["followup_id"] = self.store.followup_id(card["id"], seq)
                    if row["followup_id"] is None:
                        self._bad(table.part, line, f"跟进序号 {seq}: the card has no such follow-up", raw, rejects)
                        continue
                row["card_id"] = card["id"]
                rows.append(row)
            self.store.bulk_insert("instructions", rows, ())
            self.report.instructions += len(rows)

    def _instruction(self, values: dict, extras: list) -> dict:
        phone, at = self._keyed(values, "批示时间")
        text = _joined(_text(values.get("text")), extras)
        if not text:
            raise _BadRow("no instruction (批示内容)")
        seq = values.get("followup")
        return {"card_id": None, "followup_id": _whole(seq, "跟进序号") if seq is not None else None, "at": ts(at),
                "author_id": self._author(values.get("author")), "text": text, "phone": phone}

    def _keyed(self, values: dict, when: str) -> tuple[str, datetime]:
        """What every history row needs: the customer's phone (its key) and a moment not in the future."""
        phone = _check(normalise_phone, _text(values.get("phone")) or "")
        at = self._moment(values.get("at"))
        if at is None:
            raise _BadRow(f"no time ({when})")
        if at > self.now + timedelta(minutes=1):
            raise _BadRow(f"{when} {at:%Y-%m-%d %H:%M} is in the future")
        return phone, at

    def _cards_of(self, parsed: list) -> tuple[dict, dict]:
        """The cards this import made for a chunk's phones, and the older cards holding the others."""
        phones = list({row["phone"] for _, _, row in parsed})
        cards = sql.imported_cards(self.store, phones, self.first_card_id)
        return cards, sql.cards_with_phones(self.store, [p for p in phones if p not in cards])

    def _card_of(self, part: str, line: int, raw: list, phone: str, cards: dict, older: dict, rejects):
        """The imported card a history row belongs to; None (counted or reported) when there is none."""
        card = cards.get(phone)
        if card is None:
            if phone in older:
                self.report.skipped_history += 1  # the card was already there, and so is its history
            else:
                self._bad(part, line, f"no card with phone {phone} in this import", raw, rejects)
        return card

    def grade_history(self) -> None:
        """Each card's grade history (who, when, from, to, why) from the grade judged at each contact
        (级别判定), as `log --grade` would have written it; a batch of cards at a time."""
        for batch in sql.imported_cards_in_batches(self.store, self.first_card_id):
            judged = sql.judged_grades(self.store, [card["id"] for card in batch])
            rows = []
            for card in batch:
                steps = judged.get(card["id"], [])
                change = {"card_id": card["id"], "by_id": card["owner_id"], "reason": "导入", "followup_id": None}
                grade = card["first_grade"]  # written with the card when the file gave it (建卡级别)
                if grade is None:
                    grade = steps[0]["grade"] if steps else card["grade"]
                    rows.append({**change, "at": card["created_at"], "from_grade": None, "to_grade": grade})
                for step in steps:
                    if step["grade"] != grade:
                        rows.append({**change, "at": step["at"], "from_grade": grade, "to_grade": step["grade"],
                                     "by_id": step["author_id"] or card["owner_id"],
                                     "reason": step["bottleneck"] or step["content"], "followup_id": step["id"]})
                        grade = step["grade"]
                if grade != card["grade"]:  # regraded without a contact: when is not known, so at the last one
                    at = steps[-1]["at"] if steps else card["created_at"]
                    rows.append({**change, "at": at, "from_grade": grade, "to_grade": card["grade"]})
            self.store.bulk_insert("grade_changes", rows, ())

    # -- reporting --------------------------------------------------------------------------------

    def _bad(self, part: str, line: int, reason: str, raw: list, rejects) -> None:
        self.report.errors.append(Problem(part, line, reason))
        if rejects is not None:
            rejects.write(raw, line, reason)

    def _duplicate(self, part: str, line: int, phone: str, earlier_line: int | None, existing) -> None:
        if existing is not None and existing[0] < self.first_card_id:
            from leadcard.store import card_ref

            reason = f"phone {phone} is already on card {card_ref(existing[0])} ({existing[1]}): not imported again"
        else:
            where = f"line {earlier_line}" if earlier_line else "an earlier line"
            reason = f"phone {phone} is already on {where} of this file: not imported twice"
        self.report.duplicates.append(Problem(part, line, reason))

    def _moment(self, value: object) -> datetime | None:
        if value is None:
            return None
        tz = self.session.tz
        if isinstance(value, datetime):
            return value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)
        if isinstance(value, date):
            return datetime.combine(value, time(), tzinfo=tz)
        text = str(value).strip()
        if _PLAIN_ISO.fullmatch(text):
            # The form export writes and parse_when reads, at C speed: history has a new time per row.
            try:
                return datetime.fromisoformat(text).replace(tzinfo=tz)
            except ValueError:
                pass  # parse_when says what is wrong with it
        return self._word(self._when, text)

    def _when(self, text: str) -> datetime:
        if m := _SLASHED.fullmatch(text):  # how Excel saves dates: 2026/5/3 9:05
            y, mo, d, h, mi, s = m.groups()
            text = f"{y}-{int(mo):02d}-{int(d):02d}" + (f" {int(h):02d}:{mi}:{s or '00'}" if h else "")
        return parse_when(text, self.now, self.session.tz)


def _closing_events(row: dict, actor: int | None) -> list[dict]:
    outcome = json.loads(row["outcome"]) if row["outcome"] else {}
    events = []
    for kind, time_key, keys in _CLOSING_EVENTS[Status(row["status"])]:
        if kind == EventKind.HANDOVER and not outcome.get(time_key):
            continue  # won, not yet handed over
        at = _outcome_time(outcome.get(time_key)) or row["status_at"]
        detail = {name: outcome.get(key) for name, key in keys.items()}
        events.append({"card_id": row["id"], "at": at, "kind": kind.value, "by_id": actor,
                       "detail": json.dumps(detail, ensure_ascii=False) if detail else None})
    return events


def _lead_source(cells: tuple[str | None, str | None]) -> tuple[Source, str | None]:
    """来源 and 平台 together: 汽车之家 as the source is an online lead from that platform."""
    source, platform = parse_lead_source(*cells)
    return source or Source.WALK_IN, platform


def _status(raw: str) -> Status:
    return lookup(STATUS_WORDS, raw, "status", "open, won, lost-pending, lost, invalid (or 跟进中, 成交, 战败待审, 战败, 无效)")


def _joined(text: str | None, extras: list[tuple[str, object]]) -> str | None:
    """Columns nobody asked for are not dropped: they follow the text as `header：value`."""
    if not extras:
        return text
    kept = "；".join(f"{title}：{_text(value)}" for title, value in extras)
    return f"{text}；{kept}" if text else kept


def _outcome_time(value: object) -> str | None:
    """A time inside 结案信息 (ISO 8601, as the lifecycle commands write it), as stored; else None."""
    try:
        return ts(datetime.fromisoformat(str(value))) if value else None
    except ValueError:
        return None


def _yes_no(raw: str) -> bool:
    return lookup(YES_NO, raw, "yes/no", "是 or 否")


def _chunks(rows: Iterator) -> Iterator[list]:
    while chunk := list(islice(rows, CHUNK)):
        yield chunk


def _check(parse, raw: str):
    """One of the shared parsers (the rules of `add` and `log`), its complaint made a row's reason."""
    try:
        return parse(raw)
    except BadInput as exc:
        raise _BadRow(str(exc)) from None


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores 13800138000 and 35 as floats
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    text = str(value).strip()
    return text or None


def _whole(value: object, what: str) -> int:
    try:
        number = float(str(value).strip())
    except ValueError:
        raise _BadRow(f"{what}: not a number: {value!r}") from None
    if not number.is_integer():
        raise _BadRow(f"{what}: not a whole number: {value!r}")
    return int(number)


def _age(value: str) -> int:
    age = _whole(value.removesuffix("岁"), "年龄")
    if not 0 <= age <= 120:
        raise _BadRow(f"年龄 {age} is not an age")
    return age


def _outcome(value: object) -> dict:
    if value is None:
        return {}
    try:
        data = json.loads(str(value))
    except ValueError:
        raise _BadRow("结案信息 is not JSON (export writes it as JSON)") from None
    if not isinstance(data, dict):
        raise _BadRow("结案信息 must be a JSON object")
    return data
