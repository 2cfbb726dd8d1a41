"""Writing an import's checked rows inside its transaction, a chunk at a time: each card unless its
phone is already taken (a duplicate), each history row to its card (or reported), and what `add`,
`log` and the lifecycle commands would have written with them: grade histories, due dates, events."""

from __future__ import annotations

import json
from datetime import datetime

from leadcard.domain.cards import FOLLOWED_AFTER_SALE, deal_of, timing_columns
from leadcard.domain.exchange.import_report import ImportReport, Problem
from leadcard.domain.exchange.import_rows import BadRow, Rows
from leadcard.domain.session import Session
from leadcard.i18n import _
from leadcard.model import EventKind, Status
from leadcard.store import Store, ts
from leadcard.store import exchange as sql
from leadcard.store.bulk import bulk_insert

_IMPORTED = "导入"  # the reason of the grade changes an import writes
# The dated events a closed card's story needs (reports count them), as the lifecycle commands
# write them: (kind, the outcome's key holding its time, the outcome's keys kept as detail).
_CLOSING_EVENTS = {
    Status.WON: ((EventKind.WON, "at", {"model": "model", "delivery": "delivery"}),),
    Status.DELIVERED: ((EventKind.WON, "at", {"model": "model", "delivery": "delivery"}),
                       (EventKind.DELIVERED, "delivered_at", {"legacy": "legacy"}),
                       (EventKind.HANDOVER, "handover_at", {"to": "handover_to"})),
    Status.LOST_PENDING: ((EventKind.LOST_REQUESTED, "requested_at",
                           {"reason": "reason", "competitor": "competitor", "note": "note"}),),
    Status.LOST: ((EventKind.LOST_REQUESTED, "requested_at",
                   {"reason": "reason", "competitor": "competitor", "note": "note"}),
                  (EventKind.LOST_APPROVED, "decided_at", {})),
    Status.INVALID: ((EventKind.INVALID, "at", {"reason": "reason"}),),
}


class ImportWriter:
    def __init__(self, session: Session, report: ImportReport, with_history: bool):
        self.session = session
        self.store: Store = session.store
        self.policy = session.policy
        self.report = report
        self.first_card_id = self.store.next_id("cards")
        self.with_history = with_history  # then grade histories are written once the history is in
        # Phones of this file's cards found on cards the importer may not see: their history rows are
        # left out as those of any duplicate are, and told of in no other way.
        self.unseen: set[str] = set()
        self.sees = session.sees()  # whose older cards the importer may see: asked once, not once a row

    # -- cards ------------------------------------------------------------------------------------

    def cards(self, table: Rows) -> None:
        next_id = self.first_card_id
        for valid in table:
            existing = sql.cards_with_phones(self.store, [row["phone"] for _, _, row in valid])
            rows, seen = [], {}
            for line, _cells, row in valid:
                phone = row["phone"]
                if phone in seen or phone in existing:
                    self._duplicate(table.part, line, phone, seen.get(phone), existing.get(phone))
                    continue
                seen[phone] = line
                row["id"] = next_id
                next_id += 1
                rows.append(row)
            self._insert_cards(rows)

    def _insert_cards(self, rows: list[dict]) -> None:
        if not rows:
            return
        actor = self.session.actor_id
        firsts = [r.pop("first_grade") for r in rows]
        bulk_insert(self.store, "cards", rows, ())
        first_id, last_id = rows[0]["id"], rows[-1]["id"]
        if any(first is not None for first in firsts):
            bulk_insert(self.store, "grade_changes", self._first_grades(rows, firsts), ())
        elif not self.with_history:  # (with it, grade_history starts each from the first contact's grade)
            sql.imported_grades(self.store, first_id, last_id, _IMPORTED)
        # The audit reads what is dated before the 'imported' event as history brought in, not as
        # today's work.
        sql.imported_card_events(self.store, first_id, last_id, actor, ts(self.session.now))
        closing = [event for r in rows if r["status"] != Status.OPEN for event in _closing_events(r, actor)]
        bulk_insert(self.store, "card_events", closing, ())
        self.report.cards += len(rows)

    def _first_grades(self, rows: list[dict], firsts: list[str | None]) -> list[dict]:
        """The cards' grade histories when the file gave a grade each card was made with (建卡级别)."""
        changes = []
        for r, first in zip(rows, firsts):
            if first is None and self.with_history:
                continue  # grade_history starts it from the grade judged at the first contact
            change = {"card_id": r["id"], "at": r["created_at"], "by_id": r["owner_id"], "reason": _IMPORTED}
            changes.append({**change, "from_grade": None, "to_grade": first or r["grade"]})
            if not self.with_history and first and first != r["grade"]:  # regraded since; when is not known
                changes.append({**change, "from_grade": first, "to_grade": r["grade"]})
        return changes

    def _duplicate(self, part: str, line: int, phone: str, earlier_line: int | None, existing) -> None:
        if existing is not None and existing[0] < self.first_card_id and not self.sees(existing[2]):
            # Closed cards too: a dry run must not list which of a file's customers other teams hold.
            self.unseen.add(phone)
            reason = _("电话 {phone} 已在一张你看不到的卡片上（请问主管），不再导入").format(phone=phone)
            summary = _("电话已在一张你看不到的卡片上（请问主管），不再导入")
        elif existing is not None and existing[0] < self.first_card_id:
            from leadcard.model import card_ref

            reason = _("电话 {phone} 已在卡片 {ref}（{name}）上，不再导入").format(
                phone=phone, ref=card_ref(existing[0]), name=existing[1])
            summary = _("电话已在店里的卡片上，不再导入")
        else:
            where = _("第 {line} 行").format(line=earlier_line) if earlier_line else _("前面某一行")
            reason = _("电话 {phone} 已在本文件的{where}出现，不重复导入").format(phone=phone, where=where)
            summary = _("电话在本文件前面已出现，不重复导入")
        self.report.duplicates.append(Problem(part, line, reason, "duplicate", summary, phone))

    # -- follow-ups -------------------------------------------------------------------------------

    def followups(self, table: Rows) -> None:
        first_followup_id = next_id = self.store.next_id("followups")
        for parsed in table:
            cards, older = self._cards_of(parsed)
            seqs = sql.last_seqs(self.store, (c["id"] for c in cards.values()))
            ids: dict[tuple[int, int], int] = {}
            rows = []
            for line, raw, row in parsed:
                card = self._card_of(table, line, raw, row.pop("phone"), cards, older)
                if card is None:
                    continue
                try:
                    self._link(row, card, ids)
                except BadRow as exc:
                    table.reject(line, raw, exc)
                    continue
                row["id"] = next_id
                next_id += 1
                row["seq"] = seqs[card["id"]] = seqs.get(card["id"], 0) + 1
                ids[(card["id"], row["seq"])] = row["id"]
                rows.append(row)
            raised = [{"followup_id": row["id"], "tag": tag} for row in rows for tag in row.pop("objections")]
            voids = [{"followup_id": row["id"], **void} for row in rows if (void := row.pop("_void"))]
            if rows:
                bulk_insert(self.store, "followups", rows, ())
                bulk_insert(self.store, "followup_objections", raised, ())
                bulk_insert(self.store, "followup_voids", voids, ())
                self.report.followups += len(rows)
        self._reschedule(first_followup_id)

    def _link(self, row: dict, card, ids: dict) -> None:
        if row["at"] < card["created_at"]:
            raise BadRow(_("跟进时间早于建卡时间（{at}）").format(at=f"{self.store.dt(card['created_at']):%Y-%m-%d %H:%M}"))
        row["card_id"] = card["id"]
        row["grade"] = row["grade"] or card["grade"]
        if row["corrects"] is not None:
            target = ids.get((card["id"], row["corrects"])) or self.store.followup_id(card["id"], row["corrects"])
            if target is None:
                raise BadRow(_("更正序号 {seq}：这张卡片在此之前没有这次跟进").format(seq=row["corrects"]))
            row["corrects"] = target

    def _reschedule(self, first_followup_id: int) -> None:
        """Recompute the due date of every card that received history, as `log` does, a batch at a time."""
        policy = self.policy
        for batch in sql.cards_with_new_followups(self.store, first_followup_id):
            history = sql.effective_contacts(self.store, batch)
            updates = []
            for r in sql.schedule_inputs(self.store, batch):
                contacts = history.get(r["id"], [])
                active = r["status"] == Status.OPEN and not r["do_not_contact"]
                created_at = self.store.dt(r["created_at"])
                deal = (deal_of(json.loads(r["outcome"] or "{}"), created_at, r["birthday"])
                        if r["status"] in FOLLOWED_AFTER_SALE and not r["do_not_contact"] else None)
                updates.append((r["id"], timing_columns(policy, created_at, r["grade"], active, contacts,
                                                        self.store.dt(r["left_at"]), r["source"], deal=deal,
                                                        tz=self.session.tz)))
            sql.update_schedules(self.store, updates)

    def grade_history(self) -> None:
        """Each card's grade history (who, when, from, to, why) from the grade judged at each contact
        (级别判定), as `log --grade` would have written it; a batch of cards at a time."""
        for batch in sql.imported_cards_in_batches(self.store, self.first_card_id):
            judged = sql.judged_grades(self.store, [card["id"] for card in batch])
            rows = []
            for card in batch:
                steps = judged.get(card["id"], [])
                change = {"card_id": card["id"], "by_id": card["owner_id"], "reason": _IMPORTED, "followup_id": None}
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
            bulk_insert(self.store, "grade_changes", rows, ())

    # -- supervisor instructions (主管批示) ---------------------------------------------------------

    def instructions(self, table: Rows) -> None:
        for parsed in table:
            cards, older = self._cards_of(parsed)
            rows = []
            for line, raw, row in parsed:
                card = self._card_of(table, line, raw, row.pop("phone"), cards, older)
                if card is None:
                    continue
                seq = row["followup_id"]
                if seq is not None:
                    row["followup_id"] = self.store.followup_id(card["id"], seq)
                    if row["followup_id"] is None:
                        table.reject(line, raw, BadRow(_("跟进序号 {seq}：这张卡片没有这次跟进").format(seq=seq)))
                        continue
                row["card_id"] = card["id"]
                rows.append(row)
            bulk_insert(self.store, "instructions", rows, ())
            self.report.instructions += len(rows)

    # -- the card a history row belongs to ----------------------------------------------------------

    def _cards_of(self, parsed: list) -> tuple[dict, dict]:
        """The cards this import made for a chunk's phones, and the older cards holding the others."""
        phones = list({row["phone"] for _, _, row in parsed})
        cards = sql.imported_cards(self.store, phones, self.first_card_id)
        return cards, sql.cards_with_phones(self.store, [p for p in phones if p not in cards])

    def _card_of(self, table: Rows, line: int, raw: list, phone: str, cards: dict, older: dict):
        """The imported card a history row belongs to; None (counted or reported) when there is none."""
        card = cards.get(phone)
        if card is None:
            if phone in older and (self.sees(older[phone][2]) or phone in self.unseen):
                self.report.skipped_history += 1  # the card was already there, and so is its history
            else:
                table.reject(line, raw, BadRow(_("本次导入中没有电话为 {phone} 的卡片").format(phone=phone), "card",
                                               _("本次导入中没有这个电话的卡片"), phone))
        return card


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


def _outcome_time(value: object) -> str | None:
    """A time inside 结案信息 (ISO 8601, as the lifecycle commands write it), as stored; else None."""
    try:
        return ts(datetime.fromisoformat(str(value))) if value else None
    except ValueError:
        return None
