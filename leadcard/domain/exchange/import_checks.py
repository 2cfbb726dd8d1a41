"""Checking an import's rows, each by itself: a row's values made a card, follow-up or instruction
row by the parsers `add` and `log` use (phones, times, grades, sources, statuses, owners, authors,
objections), or BadRow saying what is wrong."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Collection, Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from leadcard.domain import objections
from leadcard.domain.cards import FOLLOWED_AFTER_SALE, deal_of, owner_for_new_card, timing_columns
from leadcard.domain.exchange.import_report import ImportReport
from leadcard.domain.exchange.import_rows import BadRow
from leadcard.domain.exchange.import_values import (
    as_age,
    as_outcome,
    as_status,
    as_text,
    as_whole,
    as_yes_no,
    checked,
    excel_serial,
    joined,
)
from leadcard.domain.exchange.layout import CARD_SHEET, FOLLOWUP_SHEET, INSTRUCTION_SHEET, OBJECTION_SEPARATORS
from leadcard.domain.session import Session
from leadcard.errors import BadInput, LeadcardError
from leadcard.i18n import _
from leadcard.model import CARD_FIELD_NAMES, OUTCOME_LABELS, Outcome, Role, Source, Status, User
from leadcard.parse import (carries_time, normalise_phone, parse_birthday, parse_channel, parse_lead_source,
                            parse_outcome, parse_when, within_years)
from leadcard.schedule import Deal, planned_after
from leadcard.store import Store, sql_value, ts
from leadcard.usertext import check_text

_SLASHED = re.compile(r"(\d{4})[/.年](\d{1,2})[/.月](\d{1,2})日?(?:[ t]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_CARD_FIELDS = frozenset(CARD_FIELD_NAMES)
_PLAIN_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?::\d{2})?)?")


class RowChecks:
    """`card`, `followup` and `instruction` each take a row's values and the cells of columns nobody
    asked for (kept with the row's text), and give the row to write."""

    def __init__(self, session: Session, report: ImportReport, create_users: bool = False, team: str | None = None):
        self.session = session
        self.store: Store = session.store
        self.policy = session.policy
        self.now = session.now
        self.latest = self.now + timedelta(minutes=1)  # a later moment is in the future
        self.now_stamp = ts(self.now)
        self.report = report
        # 销售顾问 not among the users: made consultants of `team` (--create-users), else kept on the
        # card in a store without users (single-user mode), else the row is bad.
        self.create_users, self.team = create_users, team
        self.userless = self.store.user_count() == 0
        self.understood = {key: report.understood.setdefault(key, Counter()) for key in ("grade", "source", "owner")}
        self.words: dict[tuple, object] = {}
        self.schedules: dict[tuple, dict] = {}
        self._stamp = lru_cache(maxsize=4096)(ts)
        self.authors: dict[str, int] = {}
        self.known_objections = None  # the store's objection list, read when a file names one
        self.blank_card = _blank_card(CARD_FIELD_NAMES)

    def card_fields(self, fields: Collection[str]) -> None:
        """The card fields a file has columns for (Rows.fields): its cards' rows hold only those, and
        the notes (where the columns nobody asked for go); the store leaves the others NULL."""
        self.blank_card = _blank_card(name for name in CARD_FIELD_NAMES if name in fields or name == "notes")

    def card(self, values: dict, extras: list) -> dict:
        policy, now, latest = self.policy, self.now, self.latest
        problems: list[BadRow] = []

        def cell(check, *args, default=None):
            """One cell's check: its problem is noted and the row's other cells are checked too."""
            try:
                return check(*args)
            except BadRow as exc:
                problems.append(exc)
                return default

        name = as_text(values.get("name"))
        if not name:
            problems.append(BadRow(_("没有姓名（姓名）"), "name"))
        elif not name.isprintable():  # (check_text's own test, spared a call per row)
            cell(checked, lambda text: check_text(text, _("姓名"), line=True), name)
        phone = cell(self._phone, as_text(values.get("phone")))
        word = self._word
        # Before the other cells: a dry run names every consultant it would create or keep.
        owner, named_owner = (cell(word, self._owner, as_text(values["owner"]), default=(None, None))
                              if "owner" in values else (self.session.actor, None))
        graded = as_text(values["grade"]) if "grade" in values else None
        grade = cell(word, self._grade, graded, default=policy.scheme.default_grade) if "grade" in values \
            else policy.scheme.default_grade
        first_grade = cell(word, self._grade, as_text(values["first_grade"])) if "first_grade" in values else None
        cells = (as_text(values.get("source")), as_text(values.get("platform")))
        source, platform, understood_source = cell(word, self._source_cells, cells, default=(None, None, None))
        status = cell(word, as_status, str(values["status"]), default=Status.OPEN) if "status" in values else Status.OPEN
        made = cell(self._moment, values.get("created_at"), (CARD_SHEET, "created_at"))
        created_at = made or now
        if created_at > latest:
            at = f"{created_at:%Y-%m-%d %H:%M}"
            problems.append(BadRow(_("建卡时间 {at} 在未来").format(at=at), "future", _("建卡时间在未来"), at))
        left_at = cell(self._moment, values["left_at"], (CARD_SHEET, "left_at")) if "left_at" in values else None
        if left_at is not None and left_at > latest:
            problems.append(BadRow(_("离店时间 {at} 在未来").format(at=f"{left_at:%Y-%m-%d %H:%M}")))
        stated = cell(self._moment, values["status_at"], (CARD_SHEET, "status_at")) if "status_at" in values else None
        status_at = stated or created_at
        if stated is not None and stated > latest:
            at = f"{stated:%Y-%m-%d %H:%M}"
            problems.append(BadRow(_("状态时间 {at} 在未来").format(at=at), "status-future", _("状态时间在未来"), at))
        elif stated is not None and made is not None and stated < made:
            # A card closed before it was made would count as closed in periods before it existed. A
            # sheet's bare date of the day the card was made means that day: from the making on.
            if stated.date() < made.date():
                at = f"{stated:%Y-%m-%d %H:%M}"
                problems.append(BadRow(_("状态时间 {at} 早于建卡时间 {created}").format(
                    at=at, created=f"{made:%Y-%m-%d %H:%M}"), "status-before-card", _("状态时间早于建卡时间"), at))
            status_at = made
        outcome = cell(as_outcome, values["outcome"], default={}) if "outcome" in values else {}
        after_sale = status in FOLLOWED_AFTER_SALE
        if after_sale:
            outcome = cell(self._order, outcome, status, status_at, default=outcome)
        row = self.blank_card.copy()  # every row of a file has the same columns
        for key in _CARD_FIELDS.intersection(values):
            row[key] = as_text(values[key])
        if row.get("age") is not None:
            row["age"] = cell(as_age, row["age"])
        row["notes"] = joined(row["notes"], extras)
        do_not_contact = cell(word, as_yes_no, str(values["do_not_contact"]), default=False) \
            if "do_not_contact" in values else False
        born = values.get("birthday")
        born = born if born is None else excel_serial(born) or born
        if isinstance(born, (date, datetime)):  # a date cell of Excel
            born = f"{born:%m-%d}"
        birthday = cell(checked, parse_birthday, as_text(born)) if born not in (None, "") else None
        if problems:
            raise BadRow.of(problems)
        active = status == Status.OPEN and not do_not_contact
        deal = deal_of(outcome, created_at, birthday) if after_sale and not do_not_contact else None
        stamp = self._stamp
        understood = self.understood
        if "grade" in values:
            understood["grade"][(graded, grade)] += 1
        if "source" in values or "platform" in values:
            understood["source"][understood_source] += 1
        if "owner" in values:
            understood["owner"][(as_text(values["owner"]), "kept" if named_owner else
                                 "created" if owner.name in self.report.created_users else "user")] += 1
        row["created_at"] = stamp(created_at)
        row["recorded_at"] = (stamp(self._moment(values["recorded_at"], (CARD_SHEET, "recorded_at")))
                              if "recorded_at" in values else self.now_stamp)
        row["source"], row["platform"] = source, platform
        if left_at:
            row["left_at"] = stamp(left_at)
        if owner:
            row["owner_id"] = owner.id
        row["named_owner"], row["name"], row["phone"] = named_owner, name, phone
        row["grade"], row["first_grade"] = grade, first_grade
        row["status"], row["status_at"] = status.value, stamp(status_at)
        if outcome:
            row["outcome"] = json.dumps(outcome, ensure_ascii=False)
        row["birthday"], row["do_not_contact"] = birthday, int(do_not_contact)
        row.update(self._schedule(created_at, grade, active, left_at, source, deal))
        return row

    def followup(self, values: dict, extras: list) -> dict:
        phone, at = self._keyed(values, FOLLOWUP_SHEET)
        channel = self._word(parse_channel, str(values.get("channel", "")))
        content = joined(as_text(values.get("content")), extras)
        if not content:
            raise BadRow(_("没有洽谈内容（洽谈内容）"))
        next_at = self._moment(values.get("next_at"), (FOLLOWUP_SHEET, "next_at"), after_contact=at)
        all_day = next_at is not None and _whole_day(values["next_at"])
        if next_at is not None and not planned_after(at, next_at, all_day, self.session.tz):
            when = f"{next_at:%Y-%m-%d}" if all_day else f"{next_at:%Y-%m-%d %H:%M}"
            raise BadRow(_("下次访问时间 {at} 必须在这次联系之后").format(at=when))
        author = self._author(values.get("author"), (FOLLOWUP_SHEET, "author"))
        corrects = values.get("corrects")
        outcome = self._word(parse_outcome, str(values["outcome"])) if "outcome" in values else Outcome.REACHED
        inbound = self._word(as_yes_no, str(values["inbound"])) if "inbound" in values else False
        if inbound and outcome != Outcome.REACHED:
            raise BadRow(_("客户主动联系就是联系上了：结果不能是{outcome}（客户主动）").format(
                outcome=_(OUTCOME_LABELS[outcome.value])))
        return {
            **self._withdrawal(values),
            "card_id": None, "seq": None, "at": ts(at), "recorded_at": ts(self._moment(values.get("recorded_at"), (FOLLOWUP_SHEET, "recorded_at")) or self.now),
            "author_id": author, "channel": channel.value,
            "outcome": outcome.value, "inbound": int(inbound),
            "grade": self._word(self.policy.grade, str(values["grade"])).code if "grade" in values else None,
            "impression": as_text(values.get("impression")), "content": content,
            **{k: as_text(values.get(k)) for k in ("problem", "solution", "feasibility", "competition", "bottleneck", "plan")},
            "next_at": ts(next_at), "next_all_day": int(all_day),
            "purpose": as_text(values.get("purpose")),
            "corrects": as_whole(corrects, "更正序号") if corrects is not None else None,
            "phone": phone,
            "objections": self._objections(values.get("objections")),
        }

    def _withdrawal(self, values: dict) -> dict:
        """撤回: an entry withdrawn as export marks it, written with it (`_void`: None when it stands)."""
        reason = as_text(values.get("void_reason"))
        if reason is None:
            if values.get("voided_at") is not None or values.get("voided_by") is not None:
                raise BadRow(_("有撤回时间/撤回人却没有撤回原因：写明为什么撤回这条记录"))
            return {"_void": None}
        at = self._moment(values.get("voided_at"), (FOLLOWUP_SHEET, "voided_at")) or self.now
        by = self._author(values.get("voided_by"), (FOLLOWUP_SHEET, "voided_by"))
        return {"_void": {"at": ts(at), "by_id": by, "reason": reason}}

    def instruction(self, values: dict, extras: list) -> dict:
        phone, at = self._keyed(values, INSTRUCTION_SHEET)
        text = joined(as_text(values.get("text")), extras)
        if not text:
            raise BadRow(_("没有批示内容（批示内容）"))
        seq = values.get("followup")
        return {"card_id": None, "followup_id": as_whole(seq, "跟进序号") if seq is not None else None, "at": ts(at),
                "author_id": self._author(values.get("author"), (INSTRUCTION_SHEET, "author")), "text": text,
                "phone": phone}

    def _keyed(self, values: dict, part: str) -> tuple[str, datetime]:
        """What every history row needs: the customer's phone (its key) and a moment not in the future."""
        phone = self._phone(as_text(values.get("phone")))
        at = self._moment(values.get("at"), (part, "at"))
        when = self._header(part, "at")
        if at is None:
            raise BadRow(_("没有时间（{column}）").format(column=when))
        if at > self.now + timedelta(minutes=1):
            raise BadRow(_("{column} {at} 在未来").format(column=when, at=f"{at:%Y-%m-%d %H:%M}"))
        return phone, at

    def _source_cells(self, cells: tuple[str | None, str | None]) -> tuple[str, str | None, tuple[str, str]]:
        """来源 and 平台 together: 汽车之家 as the source is an online lead from that platform. The
        source as stored (Source's value: an enum's value is slow to read a row at a time), and how
        the report tells what the cells were taken for."""
        try:
            source, platform = parse_lead_source(*cells, self.policy)
        except BadInput as exc:
            raise BadRow(str(exc), "source") from None
        source = (source or Source.WALK_IN).value
        return source, platform, (" / ".join(c for c in cells if c), "/".join(filter(None, (source, platform))))

    def _phone(self, text: str | None) -> str:
        if not text:
            raise BadRow(_("没有电话（电话）"), "phone")
        try:
            # 'Excel's text mark (a Text cell, a CRM's export: '13800138002) is no part of the number.
            return normalise_phone(text[1:] if text[0] == "'" else text)
        except BadInput as exc:
            raise BadRow(str(exc), "phone", _("不是电话号码"), text) from None

    def _grade(self, value: object) -> str:
        raw = as_text(value) or ""
        try:
            return self._word(self.policy.grade, raw).code
        except BadRow:
            codes = " ".join(g.code for g in self.policy.grades)
            raise BadRow(_("级别「{grade}」不在本店的分级中（{codes}）").format(grade=raw, codes=codes), "grade") from None

    def _owner(self, name: str) -> tuple[User | None, str | None]:
        """The card's owner, and the name kept on it when the store has no users yet."""
        if self.store.user_by_name(name) is None:
            if self.userless:
                return None, name
            if not self.create_users:
                raise BadRow(_("销售顾问「{name}」不是本店的用户（经理可加 --create-users --team 小组，把其建为顾问）")
                             .format(name=name), "owner")
            check_text(name, _("用户的姓名"), line=True)
            self.store.add_user(name, Role.CONSULTANT, self.team, self.now)
            self.report.created_users.append(name)
        try:
            return owner_for_new_card(self.session, name), None
        except LeadcardError as exc:
            raise BadRow(str(exc).split(" (")[0], "owner") from None

    def _author(self, name: object, column: tuple[str, str]) -> int | None:
        if name is None:
            return None
        key = as_text(name)
        if key not in self.authors:
            user = self.store.user_by_name(key)
            if user is None:
                role = "supervisor" if column[0] == INSTRUCTION_SHEET else "consultant"
                raise BadRow(_("没有名为 {name} 的用户（{column}）：先添加（leadcard user add {name} --role {role}）").format(
                    name=key, column=self._header(*column), role=role))
            self.authors[key] = user.id
        return self.authors[key]

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

    def _schedule(self, created_at: datetime, grade: str, active: bool, left_at: datetime | None,
                  source: str, deal: Deal | None = None) -> dict:
        """The derived columns of a card without history (cards.timing_columns), as stored text."""
        key = (created_at, grade, active, left_at, source, deal)
        found = self.schedules.get(key)
        if found is None:
            if len(self.schedules) > 2_000:
                self.schedules.clear()
            timing = timing_columns(self.policy, created_at, grade, active, [], left_at, source, deal=deal,
                                    tz=self.session.tz)
            found = {k: sql_value(v) for k, v in timing.items()}
            self.schedules[key] = found
        return found

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
                found = BadRow(str(exc))
            except BadRow as exc:
                found = exc
            self.words[key] = found
        if isinstance(found, BadRow):
            raise found.again()
        return found

    def _order(self, outcome: dict, status: Status, closed_at: datetime) -> dict:
        """An order and its delivery from 结案信息, as the lifecycle commands write them; a delivery with
        no time of its own (a paper card's 成交) was made when the card closed, like a deal won before
        orders were kept."""
        order = dict(outcome)
        try:
            order["at"] = self._aware(order.get("at"), closed_at).isoformat()
            if order.get("delivery") is not None:
                order["delivery"] = date.fromisoformat(str(order["delivery"])).isoformat()
            if status == Status.WON:
                order.pop("delivered_at", None)
            elif order.get("delivered_at"):
                order["delivered_at"] = self._aware(order["delivered_at"], closed_at).isoformat()
            else:
                order.update(delivered_at=order["at"], legacy=True)
        except ValueError:
            raise BadRow(_("结案信息：订单的时间和交车日期必须是 ISO 8601 格式（导出时就是这样写的）")) from None
        return order

    def _aware(self, value: object, default: datetime) -> datetime:
        moment = datetime.fromisoformat(str(value)) if value else default
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=self.session.tz)

    def _moment(self, value: object, column: tuple[str, str], after_contact: datetime | None = None) -> datetime | None:
        """A cell's moment, its problem told with its `column` (part, field). What a sheet records
        happened before the import: a day written without its year is the latest such day up to now;
        a contact planned (`after_contact`, a follow-up's time) is the first such day from that follow-up's on."""
        if value is None:
            return None
        try:
            if after_contact is not None:
                return self._moment_of(value, after_contact.date())
            if value.__class__ is str:  # a CSV's cell: the same days come again and again down a file
                return self._word(self._moment_of, value)
            return self._moment_of(value)
        except BadRow as exc:
            title = self._header(*column)
            summary = exc.summary and _("{column}：{reason}").format(column=title, reason=exc.summary)
            raise BadRow(_("{column}：{reason}").format(column=title, reason=exc), exc.kind, summary, exc.value) from None

    def _header(self, part: str, field: str) -> str:
        """The file's own header of a field's column (建档日期 for 建卡时间), as a problem names it."""
        return next((title for title, key, _label in self.report.columns.get(part, ()) if key == field), field)

    def _moment_of(self, value: object, planned_from: date | None = None) -> datetime:
        tz = self.session.tz
        value = excel_serial(value) or value
        if isinstance(value, datetime):
            moment = value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)
        elif isinstance(value, date):
            moment = datetime.combine(value, time(), tzinfo=tz)
        else:
            text = str(value).strip()
            # The form export writes and parse_when reads, at C speed: history has a new time per row.
            try:
                moment = datetime.fromisoformat(text).replace(tzinfo=tz) if _PLAIN_ISO.fullmatch(text) else None
            except ValueError:
                moment = None  # parse_when says what is wrong with it
            if moment is None:
                try:
                    if planned_from is not None:
                        return checked(lambda t: self._when(t, planned_from), text)
                    return self._word(self._when, text)
                except BadRow as exc:
                    raise BadRow(str(exc), "date", _("日期无法识别"), text) from None
        return checked(lambda m: within_years(m, value), moment)

    def _when(self, text: str, planned_from: date | None = None) -> datetime:
        if m := _SLASHED.fullmatch(text):  # how Excel saves dates: 2026/5/3 9:05
            y, mo, d, h, mi, s = m.groups()
            text = f"{y}-{int(mo):02d}-{int(d):02d}" + (f" {int(h):02d}:{mi}:{s or '00'}" if h else "")
        if planned_from is not None:
            return parse_when(text, self.now, self.session.tz, earliest=planned_from)
        return parse_when(text, self.now, self.session.tz, latest=self.now.date())


def _blank_card(fields: Iterable[str]) -> dict:
    """An imported card's row before its values: its columns but its schedule's (RowChecks._schedule)."""
    return dict.fromkeys(("created_at", "recorded_at", "source", "platform", "left_at", "owner_id", "named_owner",
                          "name", "phone", *fields, "grade", "first_grade", "status", "status_at", "outcome",
                          "birthday", "do_not_contact"))


def _whole_day(value: object) -> bool:
    """下次访问时间 given as a day without a time, as `log --next 2026-12-05` takes it: the whole day.
    Excel keeps a date typed alone as its midnight."""
    if isinstance(value, datetime):
        return value.time() == time()
    if isinstance(value, date):
        return True
    text = str(value).strip()
    if m := _SLASHED.fullmatch(text):
        return m.group(4) is None
    return not carries_time(text)
