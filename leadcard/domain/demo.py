"""A realistic sample showroom: a GAC Toyota 4S store's sales floor with months of history.

Three consultants of different discipline (two decent, one sloppy), a supervisor who reads the
cards every evening, signs the day's follow-ups and approves losses, a manager. Customers walk in
(some leave no phone), phone in, come from online platforms, auto shows and referrals; the showroom
log (来店登记) holds every visit, and a card is made from each visit that left a phone. Every contact
falls in working hours, by channel: the thank-you message soon after the customer leaves, the call
within a day, later contacts at the grade's cadence, as the customer's purchase nears. Cards end won,
lost (approved, or still waiting for the supervisor), invalid, or are still open; the sloppy let
some go dormant. The deal desk (`demo_desk`) adds test drives, quotes, trade-ins, loans and
the month's targets. So `today`, `show`, `audit` and `report` read like a real store's.

`--cards 100000` builds a benchmark store in seconds: rows are generated in worker processes and
bulk inserted.
"""

from __future__ import annotations

import gc
import json
import os
import random
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from operator import itemgetter
from typing import Callable, Iterator

from leadcard.domain import demo_floor as F
from leadcard.domain.cards import FOLLOWED_AFTER_SALE, timing_columns
from leadcard.domain.session import Session
from leadcard.domain.demo_floor import (
    BATCH, CARDS_PER_CONSULTANT, CARDS_PER_DAY, CHECK_CALL_MISSES, CHINESE_NUMBERS, CONSULTANTS, DROP_WEIGHT, FATES,
    HORIZONS, LOGGED_SOURCES, MANAGER, MIN_FOLLOWUPS_BEFORE_LOSS, NO_CONTACT_SHARE, OBJECTION_SHARE, ONLINE_PLATFORMS,
    SHOWROOM_SOURCES, SLIPS, SLOPPY_EVERY, SOURCES, SUPERVISOR, SUPERVISOR_MISSES, TEAM_SIZE, TEST_DRIVE_SHARE,
    UNREACHED_SHARE, person_name, phone_number, unique_name,
)
from leadcard.domain.demo_orders import after_the_order
from leadcard.domain.demo_desk import DESK_TABLES, desk_rows, targets
from leadcard.errors import Refused
from leadcard.i18n import _
from leadcard.model import Channel, EventKind, Outcome, Role, Source, Status
from leadcard.schedule import Contact, Deal, Policy
from leadcard.store import sql_value, ts

# The columns of the generated rows that hold datetimes or enums (the rest go to SQLite as they are).
TYPED_COLUMNS = {
    "cards": ("created_at", "recorded_at", "left_at", "source", "status", "status_at", "first_touch_at", "first_call_at",
              "last_contact_at", "next_at", "due_at", "due_reason", "dormant_at"),
    "followups": ("at", "recorded_at", "channel", "outcome", "next_at"),
    "grade_changes": ("at",),
    "instructions": ("at",),
    "card_events": ("at",),
    "followup_objections": (),
    "visits": ("arrived_at", "left_at", "source", "recorded_at"),
    "playbook": ("at",),
    "sales_targets": ("set_at",),
    **DESK_TABLES,
}


@dataclass(frozen=True)
class Consultant:
    name: str
    id: int
    slack: float  # the share of duties this person lets slip


@dataclass(frozen=True)
class Supervisor:
    id: int
    name: str
    day_off: int  # weekday (0 Monday): that day's follow-ups are signed the day after


@dataclass(frozen=True)
class Floor:
    """What generating a batch of cards needs; plain data, so worker processes can receive it."""

    policy: Policy
    consultants: tuple[Consultant, ...]
    supervisors: dict[int, Supervisor]  # consultant id → their supervisor
    total: int
    now: datetime  # local
    tz: tzinfo
    seed: int

    @property
    def span_days(self) -> float:
        return max(240, self.total / CARDS_PER_DAY)


def build(session: Session, n_cards: int, seed: int, step: Callable[[int, int | None], None] | None = None) -> dict:
    """`step(done, total)` hears of the cards built, a batch at a time."""
    store = session.store
    if store.card_count() > 0:
        raise Refused(_("这个数据库里已经有卡片：演示数据只填入空库（用 --db demo.db）"))
    with store.transaction(), store.indexes_deferred(TYPED_COLUMNS):
        consultants, supervisors = _users(session, random.Random(seed), n_cards)
        floor = Floor(session.policy, tuple(consultants), supervisors, n_cards, session.now, session.tz, seed)
        stats = {"cards": 0, "followups": 0, "visits": 0}
        if step is not None:
            step(0, n_cards)
        for batch in _batches(floor):
            base = store.last_id("followups")  # the batch's follow-ups follow it, in order
            for table, (columns, rows, linked) in batch.items():
                store.insert_values(table, columns, rows, followup_base=base if linked else None)
            stats["cards"] += len(batch["cards"][1])
            stats["followups"] += len(batch["followups"][1])
            stats["visits"] += len(batch["visits"][1])
            if step is not None:
                step(stats["cards"], n_cards)
        # The playbook was written when the store opened, by each team's supervisor.
        opened = session.now - timedelta(days=floor.span_days + 30)
        store.bulk_insert("playbook", ({"tag": tag, "text": text, "author_id": supervisors[consultants[0].id].id,
                                        "at": opened} for tag, text in F.DEMO_SCRIPTS),
                          TYPED_COLUMNS["playbook"])
        store.bulk_insert("sales_targets", targets(random.Random(f"{seed}:targets"), consultants,
                                                  store.user_by_name(MANAGER).id, session.now),
                          TYPED_COLUMNS["sales_targets"])
        store.set_setting("default_user", consultants[0].name)
        store.set_setting("demo", json.dumps({"seed": seed, "cards": n_cards}))
    return {
        "db": str(store.path),
        **stats,
        "users": [u.name for u in store.users()],
        "default_user": consultants[0].name,
        "supervisor": SUPERVISOR,
        "manager": MANAGER,
        "example": "A00001" if n_cards else None,
    }


def _batches(floor: Floor) -> Iterator[dict]:
    """Batches of rows in card order. With several batches they are generated in worker processes,
    a few ahead of the inserts, so a 100,000-card store takes seconds rather than minutes."""
    starts = range(0, floor.total, BATCH)
    if len(starts) == 1:
        yield _values(floor, 0)
        return
    from concurrent.futures import ProcessPoolExecutor

    workers = max(1, min(len(starts), os.cpu_count() or 1))
    with _uncollected(), ProcessPoolExecutor(max_workers=workers) as pool:
        pending: deque = deque()
        for start in starts:
            pending.append(pool.submit(_values, floor, start))
            if len(pending) > workers:  # bounded: memory stays flat however many cards
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _users(session: Session, rng: random.Random, n_cards: int) -> tuple[list[Consultant], dict[int, Supervisor]]:
    """A manager, then teams of up to six consultants, each team with its supervisor."""
    store, now = session.store, session.now
    n_consultants = max(len(CONSULTANTS), n_cards // CARDS_PER_CONSULTANT)
    store.add_user(MANAGER, Role.MANAGER, None, now)
    consultants: list[Consultant] = []
    supervisor_of_team: dict[int, Supervisor] = {}
    taken = {MANAGER, SUPERVISOR, *(name for name, _ in CONSULTANTS)}
    for index in range(n_consultants):
        team_no = index // TEAM_SIZE
        team = f"{CHINESE_NUMBERS[team_no % 10]}组" + (str(team_no // 10) if team_no >= 10 else "")
        if team_no not in supervisor_of_team:
            name = SUPERVISOR if team_no == 0 else unique_name(rng, taken, "主管")
            # A weekday off: showrooms are busiest at weekends.
            supervisor_of_team[team_no] = Supervisor(store.add_user(name, Role.SUPERVISOR, team, now), name,
                                                     1 + team_no % 4)
        if index < len(CONSULTANTS):
            name, slack = CONSULTANTS[index]
        else:
            name = unique_name(rng, taken)
            slack = CONSULTANTS[-1][1] if index % SLOPPY_EVERY == SLOPPY_EVERY - 1 else rng.uniform(0.02, 0.08)
        consultants.append(Consultant(name, store.add_user(name, Role.CONSULTANT, team, now), slack))
    return consultants, {c.id: supervisor_of_team[i // TEAM_SIZE] for i, c in enumerate(consultants)}


def _cards(floor: Floor, start: int) -> dict[str, list[dict]]:
    """One batch of cards with their histories; its own generator, so batches can run anywhere."""
    rows: dict[str, list[dict]] = {table: [] for table in ("cards", "followups", "grade_changes", "instructions",
                                                           "card_events", "followup_objections", "visits",
                                                           *DESK_TABLES)}
    # The deal desk draws from a stream of its own, so the rest of the store stays as it was.
    floor_writer = _Writer(floor, _Random(f"{floor.seed}:{start}"), rows, _Random(f"{floor.seed}:{start}:desk"))
    for index in range(start, min(start + BATCH, floor.total)):
        floor_writer.card(index)
    return rows


class _Random(random.Random):
    """The standard generator, its two commonest draws without the checks of the general case (a
    100,000-card store draws them millions of times). Each takes the same bits from the stream as
    the standard one, so a seed builds the store it always built."""

    def choice(self, seq):
        n = len(seq)
        if not n:
            raise IndexError("choice from an empty sequence")
        return seq[self._below(n)]

    def randint(self, a: int, b: int) -> int:
        if b < a:
            raise ValueError(f"empty range for randint({a}, {b})")
        return a + self._below(b - a + 1)

    def _below(self, n: int) -> int:
        getrandbits, k = self.getrandbits, n.bit_length()
        r = getrandbits(k)
        while r >= n:
            r = getrandbits(k)
        return r


class _Writer:
    """Writes cards as the floor would have: one customer at a time, in the order they came."""

    def __init__(self, floor: Floor, rng: random.Random, rows: dict[str, list[dict]], desk: random.Random):
        self.floor, self.rng, self.rows = floor, rng, rows
        self.now, self.tz = floor.now, floor.tz
        # Cards come from completed days: this morning's work is what `today` lists.
        self.last_day = floor.now.date() - timedelta(days=1)
        self.grades = floor.policy.grades
        self.cadence = {g.code: g.cadence_days for g in self.grades}
        self.sources, self.source_weights = zip(*SOURCES)
        self.model_weights = [m.share for m in F.LINEUP]
        self.horizon_weights = [h[0] for h in HORIZONS]
        self.fates, self.fate_weights = zip(*FATES)
        self.owners: list[tuple[int, datetime]] = []  # delivered cards of this batch, and when: they refer friends
        self.desk = desk

    def slip(self, consultant: Consultant, kind: str) -> bool:
        return self.rng.random() < consultant.slack * SLIPS[kind]

    def grade_for(self, days_left: float) -> str:
        """The grade a careful consultant gives a customer who will buy in `days_left` days."""
        for grade in self.grades:
            # A day's margin: a grade given on the horizon's last day is not stale by next morning.
            if grade.horizon_days is None or days_left < grade.horizon_days - 1:
                return grade.code
        return self.grades[-1].code

    def on(self, day: date, hours: F.Hours, low: float = 0.0, high: float = 1.0) -> datetime:
        return hours.on(day, self.rng.uniform(low, high), self.tz)

    def card(self, index: int) -> None:
        rng, floor = self.rng, self.floor
        consultant = floor.consultants[index % len(floor.consultants)]
        card_id = index + 1
        # Older cards first, so card numbers grow with time; more cards in recent months.
        age = floor.span_days * ((floor.total - index) / floor.total) ** 1.5
        back = int(age)
        position = 1 - (age - back)  # where in the day's traffic the customer came
        source = rng.choices(self.sources, self.source_weights)[0]
        model = rng.choices(F.LINEUP, self.model_weights)[0]
        fill = {"model": model.name, "trim": rng.choice(model.trims), "rival": rng.choice(model.rivals),
                "colour": rng.choice(F.COLOURS), "concern": rng.choice(F.CONCERNS)}
        day = self.last_day - timedelta(days=back)
        hours = F.SHOWROOM if source in SHOWROOM_SOURCES or source == Source.SHOW else F.CALLS
        arrived = hours.on(day, position, self.tz)
        test_drive = source in SHOWROOM_SOURCES and rng.random() < TEST_DRIVE_SHARE
        if source in SHOWROOM_SOURCES or source == Source.SHOW:
            stay = timedelta(minutes=rng.randint(35, 90) + (30 if test_drive else 0))
            left = min(arrived + stay, _clock(day, 20, 30, self.tz))
        elif source == Source.PHONE_IN:
            left = arrived + timedelta(minutes=rng.randint(3, 8))
        else:
            left = arrived  # an online or 400 lead: it arrives, nobody leaves
        late_card = source in LOGGED_SOURCES and self.slip(consultant, "late_card")
        created = min(left + timedelta(minutes=rng.randint(40, 150) if late_card else rng.randint(3, 15)),
                      floor.now - timedelta(minutes=1))
        _weight, low, high = rng.choices(HORIZONS, self.horizon_weights)[0]
        fate = rng.choices(self.fates, self.fate_weights)[0]
        decides = created + timedelta(days=rng.uniform(1, 6) if fate == "invalid" else rng.uniform(low, high))
        first_grade = self.grade_for((decides - created).days)
        phone, name = phone_number(rng, index), person_name(rng)
        card = self._fields(rng, consultant, card_id, created, source, name, phone, first_grade, model, fill,
                            decides)
        if source in LOGGED_SOURCES:
            card["left_at"] = left  # the first-contact clocks run from here, as `add --visit` sets them
            self._visit(consultant, arrived, left, source, model.name, test_drive, card, None)
        if source in SHOWROOM_SOURCES and rng.random() < NO_CONTACT_SHARE:
            self._walk_in_without_contact(consultant, day, model)

        history = _History(self, consultant, card, fill, decides, fate)
        history.first_contacts(source, created, test_drive)
        history.follow_up()
        history.close()
        self._rows(card, history)

    def _fields(self, rng, consultant, card_id, created, source, name, phone, grade, model, fill, decides) -> dict:
        careless = self.slip(consultant, "incomplete")
        days = (decides - created).days
        low, high = model.price
        return {
            "id": card_id, "created_at": created, "recorded_at": created + timedelta(minutes=rng.randint(1, 8)),
            "source": source, "owner_id": consultant.id, "name": name, "phone": phone, "grade": grade,
            "status": Status.OPEN, "status_at": created, "left_at": None,
            "platform": rng.choice(ONLINE_PLATFORMS) if source == Source.ONLINE else None,
            "gender": rng.choice(("男", "女")), "age": rng.randint(24, 58), "model": f"{model.name} {fill['trim']}",
            "colour": fill["colour"] if rng.random() < 0.6 else None,
            "budget": None if careless else f"{round(rng.uniform(low, high))} 万左右",
            "occupation": rng.choice(F.OCCUPATIONS) if rng.random() < 0.7 else None,
            "residence": rng.choice(F.RESIDENCES) if rng.random() < 0.8 else None,
            "payment": rng.choice(("全款", "贷款", "贷款", "租赁")) if rng.random() < 0.7 else None,
            "usage": rng.choice(("家用", "家用", "商用")) if rng.random() < 0.6 else None,
            "current_vehicle": rng.choice(F.CURRENT_VEHICLES) if rng.random() < 0.6 else None,
            "concerns": ",".join(rng.sample(F.CONCERNS, rng.randint(1, 3))),
            "competitors": ",".join(rng.sample(model.rivals, rng.randint(1, 3))),
            "purchase_type": rng.choice(("首购", "增购", "换购")) if rng.random() < 0.7 else None,
            "timeline": None if careless and rng.random() < 0.5 else
            ("一周内" if days <= 7 else "一个月内" if days <= 30 else "三个月内" if days <= 90 else "半年内"),
            "birthday": f"{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" if rng.random() < 0.3 else None,
            "referred_by": self._referrer(source, created),
        }

    def _referrer(self, source: Source, created: datetime) -> int | None:
        """A referred customer (转介绍) comes from an owner whose car was delivered before."""
        if source != Source.REFERRAL:
            return None  # the owners are looked through only for a referral: a batch has thousands
        owners = [card_id for card_id, delivered in self.owners if delivered < created]
        return self.rng.choice(owners) if owners else None

    def _visit(self, consultant, arrived, left, source, model, test_drive, card, notes) -> None:
        """A line of the showroom log (来店(电)登记) that left a phone, linked to its card."""
        self.rows["visits"].append({
            "arrived_at": arrived, "left_at": left,
            "party_size": None if source == Source.PHONE_IN else self.rng.choice((1, 1, 2, 2, 2, 3, 4)),
            "source": source, "model": model, "test_drive": int(test_drive), "consultant_id": consultant.id,
            "contact_left": 1, "name": card["name"], "phone": card["phone"], "notes": notes, "card_id": card["id"],
            "recorded_at": left + timedelta(minutes=self.rng.randint(1, 5)), "recorded_by": consultant.id,
        })

    def _walk_in_without_contact(self, consultant, day, model) -> None:
        rng = self.rng
        arrived = self.on(day, F.SHOWROOM)
        left = arrived + timedelta(minutes=rng.randint(10, 40))
        self.rows["visits"].append({
            "arrived_at": arrived, "left_at": left, "party_size": rng.choice((1, 2, 2, 3)), "source": Source.WALK_IN,
            "model": model.name, "test_drive": 0, "consultant_id": consultant.id, "contact_left": 0,
            "name": rng.choice(F.SURNAMES) + rng.choice(("先生", "女士")), "phone": None,
            "notes": rng.choice(F.NO_CONTACT_NOTES).format(model=model.name), "card_id": None,
            "recorded_at": left + timedelta(minutes=rng.randint(1, 5)), "recorded_by": consultant.id,
        })

    def _rows(self, card: dict, h: "_History") -> None:
        rows, card_id, owner = self.rows, card["id"], h.consultant.id
        h.entries.sort(key=lambda e: e["at"])
        contacts = []
        for seq, entry in enumerate(h.entries, start=1):
            entry["seq"] = seq
            raised = entry.pop("_objections")
            rows["followup_objections"] += [{"card_id": card_id, "_seq": seq, "tag": tag} for tag in raised]
            contacts.append(Contact(entry["at"], entry["channel"], entry["outcome"] == Outcome.REACHED,
                                    entry["next_at"], entry["purpose"], raised))
        rows["instructions"] += h.signatures()
        for entry in h.entries:
            entry.pop("_vague")
        rows["followups"] += h.entries
        rows["grade_changes"].append({"card_id": card_id, "at": card["created_at"], "from_grade": None,
                                      "to_grade": card["grade"], "by_id": owner, "reason": "建卡", "_seq": None})
        for at, before, after, entry in h.changes:
            rows["grade_changes"].append({"card_id": card_id, "at": at, "from_grade": before, "to_grade": after,
                                          "by_id": owner, "reason": "购车时间临近", "_seq": entry["seq"]})
        card["grade"] = h.grade
        card["status"], outcome, events = h.status, h.outcome, h.events
        card["outcome"] = json.dumps(outcome, ensure_ascii=False, default=_iso) if outcome else None
        if events:
            card["status_at"] = events[-1]["at"]
        sup = self.floor.supervisors[h.consultant.id]
        desk_records, desk_events, rejected_at = desk_rows(self.desk, self.floor.policy, card, h.consultant,
                                                          (sup.id, sup.name), h.entries, self.now)
        for table, records in desk_records.items():
            rows[table] += records
        deal = None
        if card["status"] in FOLLOWED_AFTER_SALE:
            deal = Deal(outcome["at"], date.fromisoformat(outcome["delivery"]), outcome.get("delivered_at"),
                        card["birthday"])
            if outcome.get("delivered_at"):
                self.owners.append((card_id, outcome["delivered_at"]))
        card.update(timing_columns(self.floor.policy, card["created_at"], card["grade"], card["status"] == Status.OPEN,
                                   contacts, card["left_at"], card["source"], deal=deal, tz=self.tz,
                                   finance_rejected_at=rejected_at))
        rows["cards"].append(card)
        rows["card_events"].append({"card_id": card_id, "at": card["created_at"], "kind": EventKind.CREATED,
                                    "by_id": owner, "detail": json.dumps({"source": card["source"].value})})
        rows["card_events"] += [{"card_id": card_id, **e} for e in events + desk_events]


def _part_way(created: datetime, until: datetime, share: float) -> datetime:
    """A moment `share` of the way from `created` to `until`."""
    return created + (until - created) * share


def _clock(day: date, hour: int, minute: int, tz: tzinfo) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)


class _History:
    """One card's follow-ups, grade changes, ending and the supervisor's signatures."""

    def __init__(self, writer: _Writer, consultant: Consultant, card: dict, fill: dict, decides: datetime, fate: str):
        self.w, self.rng, self.consultant, self.card, self.fill = writer, writer.rng, consultant, card, fill
        self.decides, self.fate = decides, fate
        # A lost customer often buys elsewhere before their own date: the card ends when they do.
        self.ends = (_part_way(card["created_at"], decides, self.rng.uniform(0.35, 1.0)) if fate == "lost"
                     else decides)
        self.now, self.tz = writer.now, writer.tz
        self.grade = card["grade"]
        self.entries: list[dict] = []
        self.changes: list[tuple[datetime, str, str, dict]] = []
        self.status, self.outcome, self.events = Status.OPEN, None, []
        self.after_order: list[dict] = []  # an order's news of the car, an owner's visits after delivery
        # After how many contacts the card is dropped (None: never).
        self.drops_after = (self.rng.randint(3, 8) if self.rng.random() < DROP_WEIGHT * consultant.slack ** 2
                            else None)
        self.dropped = False
        self.last: dict | None = None  # the latest contact that plans the next
        self.visited = card["source"] in SHOWROOM_SOURCES  # a later visit is a return visit
        # A fake number (空号) is never reached; the card ends invalid.
        self.wrong_number = fate == "invalid" and self.rng.random() < 0.4
        self._plan = ""  # the last plan's template: a plan is not copied from one follow-up to the next

    # -- contacts ------------------------------------------------------------------------------------

    def first_contacts(self, source: Source, created: datetime, test_drive: bool) -> None:
        """The thank-you message soon after the customer left and the call within a day; an online
        or 400 lead is called within minutes, then added on WeChat."""
        w, rng, fill = self.w, self.rng, self.fill
        late_call = w.slip(self.consultant, "late_call")
        if source in (Source.ONLINE, Source.HOTLINE):
            called = created + timedelta(minutes=rng.randint(3, 20))
            if late_call:
                called = w.on(created.date() + timedelta(days=1), F.CALLS, 0.0, 0.3)
            if called >= self.now:
                return
            minutes = max(1, int((called - created).total_seconds() // 60))
            self.last = self._entry(called, Channel.PHONE, F.LEAD_CALL.format(minutes=minutes, **fill))
            added = min(called + timedelta(minutes=rng.randint(5, 30)), _clock(called.date(), 20, 58, self.tz))
            if added < self.now and self.last["outcome"] == Outcome.REACHED:
                self._entry(added, Channel.WECHAT, F.THANKS[source.value].format(**fill), problem="落地价和现车",
                            next_from=self.last)
            return
        day = created.date()
        if w.slip(self.consultant, "late_touch"):
            touched = w.on(day + timedelta(days=1), F.CALLS, 0.0, 0.25)  # the next morning
        else:
            touched = min(created + timedelta(minutes=rng.randint(5, 30)), _clock(day, 20, 58, self.tz))
        thanks = F.THANKS[source.value]
        if test_drive:
            thanks = "感谢今天到店试驾{model}，发送{trim}报价单和顾问名片"
        if touched < self.now:
            self._entry(touched, rng.choice((Channel.WECHAT, Channel.WECHAT, Channel.SMS)), thanks.format(**fill),
                        first_touch=True)
        called = self._first_call_time(created, late_call)
        if called < self.now:
            self.last = self._entry(called, Channel.PHONE, F.FIRST_CALL.format(
                budget=self.card["budget"] or "未定", timeline=self.card["timeline"] or "未定", grade=self.grade,
                **fill), thorough=not w.slip(self.consultant, "vague"))

    def _first_call_time(self, created: datetime, late: bool) -> datetime:
        """Within 24 hours, in calling hours: the next day before the hour of `created`, or the
        same afternoon after a morning; `late`, two or three days on (the first call, a handover)."""
        w, day = self.w, created.date()
        if late:
            return w.on(day + timedelta(days=self.rng.randint(2, 3)), F.CALLS)
        minute = created.hour * 60 + created.minute
        if minute < 11 * 60:
            return w.on(day, F.CALLS, F.CALLS.share(minute + 120), F.CALLS.share(18 * 60))
        return w.on(day + timedelta(days=1), F.CALLS, 0.0, F.CALLS.share(minute - 30))

    def follow_up(self) -> None:
        """Contacts at the grade's cadence until the customer decides (or the card is dropped)."""
        w, rng = self.w, self.rng
        last = self.last
        while last is not None:
            days_left = (self.decides - last["at"]).days
            channel = _next_channel(rng, days_left, last["outcome"] != Outcome.REACHED)
            hours = F.SHOWROOM if channel in (Channel.VISIT, Channel.TEST_DRIVE) else F.CALLS
            cadence = w.cadence.get(self.grade, 7)
            gap = 1 if last["outcome"] != Outcome.REACHED else cadence
            planned = w.on(last["at"].date() + timedelta(days=gap), hours)
            if not last["_no_next"]:
                last["next_at"] = planned
            if planned >= self.now:
                return  # due: on `today`
            if len(self.entries) == self.drops_after:
                self.dropped = True
                return
            lost_too_soon = (self.fate == "lost" and len(self.entries) < MIN_FOLLOWUPS_BEFORE_LOSS - 1
                             and not w.slip(self.consultant, "give_up"))
            if planned >= self.ends and not lost_too_soon:
                return
            at = planned
            if w.slip(self.consultant, "late_contact"):
                at = w.on(planned.date() + timedelta(days=rng.randint(1, 3)), hours)
                if at >= self.now:
                    return  # overdue this morning
            reached = channel in (Channel.VISIT, Channel.TEST_DRIVE) or rng.random() > UNREACHED_SHARE
            last = self._entry(at, channel, None, thorough=not w.slip(self.consultant, "vague"), reached=reached)
            if channel in (Channel.VISIT, Channel.TEST_DRIVE):
                w._visit(self.consultant, at, at + timedelta(minutes=rng.randint(40, 100)), self.card["source"],
                         self.fill["model"], channel == Channel.TEST_DRIVE, self.card,
                         "再次到店" if self.visited else "邀约到店")
                self.visited = True

    def _entry(self, at: datetime, channel: Channel, content: str | None, thorough: bool = True,
               reached: bool = True, first_touch: bool = False, problem: str | None = None,
               next_from: dict | None = None) -> dict:
        w, rng, fill, consultant = self.w, self.rng, self.fill, self.consultant
        if self.wrong_number and channel == Channel.PHONE:
            reached = False
        if reached and not first_touch:
            self._regrade(at)
        if w.slip(consultant, "late_record"):
            recorded = w.on(at.date() + timedelta(days=1), F.CALLS, 0.0, 0.2)  # written up the next morning
        else:
            recorded = at + timedelta(minutes=rng.randint(2, 40))
        entry = {
            "card_id": self.card["id"], "seq": 0, "at": at, "recorded_at": min(recorded, self.now),
            "author_id": consultant.id, "channel": channel,
            "outcome": Outcome.REACHED if reached else
            Outcome.WRONG_NUMBER if self.wrong_number else Outcome.UNREACHABLE, "grade": self.grade,
            "impression": None, "content": content, "problem": problem, "solution": None, "feasibility": None,
            "competition": None, "bottleneck": None, "plan": None,
            "next_at": next_from["next_at"] if next_from else None,
            "purpose": next_from["purpose"] if next_from else None, "corrects": None,
            "_no_next": first_touch or w.slip(consultant, "no_next"), "_vague": not thorough, "_objections": (),
        }
        if next_from is not None:
            entry["_no_next"] = True  # it shares the call's plan
            next_from.setdefault("_shares", []).append(entry)
        if first_touch:
            pass  # the thank-you: the policy schedules the first call
        elif not reached:
            entry["content"] = "空号，无法接通" if self.wrong_number else rng.choice(F.UNREACHED)
            entry["plan"] = self._new_plan(F.RETRY_PLANS)
            entry["purpose"] = rng.choice(F.PURPOSES)
        elif thorough:
            entry["content"] = content or rng.choice(F.CONTENT[channel.value]).format(**fill)
            entry.update({
                "impression": rng.choice(F.IMPRESSIONS), "problem": rng.choice(F.PROBLEMS).format(**fill),
                "solution": rng.choice(F.SOLUTIONS), "feasibility": rng.choice(F.FEASIBLE),
                "competition": f"{fill['rival']} 本月优惠 {rng.choice((5000, 8000, 10000, 12000))} 元",
                "bottleneck": rng.choice(F.BOTTLENECKS).format(**fill),
                "plan": self._new_plan(F.PLANS), "purpose": rng.choice(F.PURPOSES),
            })
        else:
            entry["content"] = rng.choice(F.SLOPPY_CONTENT)
            entry["plan"] = rng.choice(F.SLOPPY_PLAN)
            entry["purpose"] = rng.choice(F.SLOPPY_PURPOSE)
        if entry["_no_next"] and not first_touch and next_from is None:
            entry["plan"] = entry["purpose"] = None
        if reached and not first_touch and self.entries and rng.random() < OBJECTION_SHARE:
            entry["_objections"] = tuple(dict.fromkeys(rng.choices(F.DEMO_OBJECTIONS, k=rng.choice((1, 1, 2)))))
            if not thorough:
                entry["plan"] = None  # an objection the careless had no answer to: no handling plan
        self.entries.append(entry)
        return entry

    def _new_plan(self, plans: tuple[str, ...]) -> str:
        self._plan = self.rng.choice([p for p in plans if p != self._plan])
        return self._plan.format(**self.fill)

    def _regrade(self, at: datetime) -> None:
        """Customers warm up as their purchase nears; the careful regrade them when it does."""
        grade = self.w.grade_for((self.decides - at).days)
        if grade != self.grade and not self.w.slip(self.consultant, "no_regrade"):
            self.changes.append((at, self.grade, grade, None))
            self.grade = grade

    # -- the ending ------------------------------------------------------------------------------

    def close(self) -> None:
        if self.dropped or not self.entries:
            self._link_changes()
            return
        w, rng, fill, last = self.w, self.rng, self.fill, self.entries[-1]
        hours = F.SHOWROOM if self.fate == "won" else F.CALLS
        at = max(self.ends, last["at"] + timedelta(hours=2))
        day = at.date() + timedelta(days=1 if at.hour >= 19 else 0)
        at = w.on(day, hours, hours.share(at.hour * 60 + at.minute) if day == at.date() else 0.0)
        if at >= self.now:
            self._link_changes()
            return
        owner, sup = self.consultant.id, w.floor.supervisors[self.consultant.id]
        if self.fate == "won":
            self._entry(at, Channel.VISIT, F.CLOSING["won"].format(**fill))
            w._visit(self.consultant, at - timedelta(minutes=rng.randint(40, 90)), at, self.card["source"],
                     fill["model"], False, self.card, "签约交定金")
            self._order(at + timedelta(minutes=5), f"{fill['model']} {fill['trim']}")
        elif self.fate == "lost":
            reason = rng.choice(F.LOSS_REASONS)
            competitor = fill["rival"] if reason in F.RIVAL_REASONS else None
            self._entry(at, Channel.PHONE, F.CLOSING["lost"].format(reason=reason, **fill) if competitor else
                        F.LOSS_NOTES[reason].format(**fill))
            requested = at + timedelta(minutes=rng.randint(10, 40))
            note = F.LOSS_NOTES[reason].format(**fill)
            self.outcome = {"reason": reason, "competitor": competitor, "note": note, "requested_at": requested,
                            "requested_by": self.consultant.name}
            self.events = [{"at": requested, "kind": EventKind.LOST_REQUESTED, "by_id": owner,
                            "detail": json.dumps({"reason": reason, "competitor": competitor, "note": note},
                                                 ensure_ascii=False)}]
            self.status = Status.LOST_PENDING
            # Approved at the next morning meeting after the supervisor's check call (战败核实),
            # within a day, or days later when the check call does not reach the customer; on the
            # supervisor's day off the manager approves.
            meeting = _clock(requested.date() + timedelta(days=1), 8, 40, self.tz) + timedelta(
                minutes=rng.randint(0, 50))
            decided = min(meeting, requested + timedelta(hours=23, minutes=30))
            if rng.random() < CHECK_CALL_MISSES:
                decided = meeting + timedelta(days=rng.randint(1, 3))
            if decided < self.now:
                by = sup if decided.weekday() != sup.day_off else None
                self.outcome.update({"decided_at": decided, "decided_by": by.name if by else MANAGER,
                                     "verdict": "approved"})
                self.events.append({"at": decided, "kind": EventKind.LOST_APPROVED,
                                    "by_id": by.id if by else None, "detail": None})
                self.status = Status.LOST
        else:
            reason = "空号" if self.wrong_number else rng.choice(F.INVALID_REASONS[1:])
            self._entry(at, Channel.PHONE, F.CLOSING[reason])["content"] = F.CLOSING[reason]
            self.outcome = {"reason": reason, "at": at}
            self.events = [{"at": at + timedelta(minutes=5), "kind": EventKind.INVALID, "by_id": owner,
                            "detail": json.dumps({"reason": reason}, ensure_ascii=False)}]
            self.status = Status.INVALID
        closing = self.entries[-1]
        closing["next_at"] = closing["plan"] = closing["purpose"] = None
        closing["_objections"] = ()  # the customer decided: nothing left to object to
        for later in self.after_order:
            self.entries.append({**closing, **later, "recorded_at": min(later["at"] + timedelta(
                minutes=rng.randint(2, 40)), self.now), "problem": None, "solution": None, "feasibility": None,
                "competition": None, "bottleneck": None, "impression": None})
        self._link_changes()

    def _order(self, won: datetime, model: str) -> None:
        """成交 is the order; the car comes weeks later (seed 003: 订车后跟进至最终交车), then the owner
        is handed to after-sales and visited after the delivery."""
        w, rng, owner = self.w, self.rng, self.consultant.id
        diligence = 1 - self.consultant.slack * 3
        self.after_order, delivery, delivered = after_the_order(rng, w.floor.policy, won, self.now, diligence,
                                                                self.grade, self.card["birthday"])
        self.outcome = {"model": model, "at": won, "delivery": delivery.isoformat()}
        self.events = [{"at": won, "kind": EventKind.WON, "by_id": owner,
                        "detail": json.dumps({"model": model, "delivery": delivery.isoformat()}, ensure_ascii=False)}]
        self.status = Status.WON
        if delivered is None:
            return  # the customer still waits for the car
        self.outcome["delivered_at"] = delivered
        self.events.append({"at": delivered, "kind": EventKind.DELIVERED, "by_id": owner, "detail": None})
        self.status = Status.DELIVERED
        handover = self._first_call_time(delivered, w.slip(self.consultant, "late_handover"))
        if handover < self.now:
            self.outcome.update({"handover_to": F.HANDOVER_TO, "handover_at": handover})
            self.events.append({"at": handover, "kind": EventKind.HANDOVER, "by_id": owner,
                                "detail": json.dumps({"to": F.HANDOVER_TO}, ensure_ascii=False)})

    def _link_changes(self) -> None:
        """Each grade change belongs to the follow-up it was judged at (the latest at that moment)."""
        by_time = {e["at"]: e for e in self.entries}
        self.changes = [(at, before, after, by_time[at]) for at, before, after, _ in self.changes]
        for entry in self.entries:
            for shared in entry.pop("_shares", ()):
                shared["next_at"], shared["purpose"] = entry["next_at"], entry["purpose"]
            entry.pop("_no_next")

    # -- the supervisor ------------------------------------------------------------------------------

    def signatures(self) -> list[dict]:
        """主管批示: each evening the supervisor signs the day's follow-ups of the team's cards (on
        their day off, the next evening), writing a word on the latest; a few slip through (half of
        them are caught up the next evening)."""
        sup = self.w.floor.supervisors[self.consultant.id]
        by_day: dict[date, list] = {}  # day → [the latest written up, the highest seq, any vague]
        for entry in self.entries:
            recorded = entry["recorded_at"]
            seen = by_day.get(recorded.date())
            if seen is None:
                by_day[recorded.date()] = [recorded, entry["seq"], entry["_vague"]]
            else:
                seen[0], seen[1] = max(seen[0], recorded), max(seen[1], entry["seq"])
                seen[2] = seen[2] or entry["_vague"]
        signed = []
        for day, (latest, seq, vague) in by_day.items():
            review_day = day + timedelta(days=1) if day.weekday() == sup.day_off else day
            if self.rng.random() < SUPERVISOR_MISSES:
                if self.rng.random() < 0.5:
                    continue  # never signed
                review_day += timedelta(days=1)  # caught up the next evening
            at = max(self.w.on(review_day, F.REVIEW), latest + timedelta(minutes=10))
            if at >= self.now:
                continue
            signed.append({"card_id": self.card["id"], "followup_id": None, "at": at, "author_id": sup.id,
                           "text": F.VAGUE_INSTRUCTION if vague else self.rng.choice(F.INSTRUCTIONS),
                           "_seq": seq})
        return signed


def _next_channel(rng: random.Random, days_left: int, retry: bool) -> Channel:
    """Calls mostly; as the purchase nears, more customers come back to the showroom and test-drive."""
    if retry:
        return Channel.PHONE
    if days_left <= 30:
        return rng.choices((Channel.PHONE, Channel.WECHAT, Channel.VISIT, Channel.TEST_DRIVE), (45, 20, 22, 13))[0]
    return rng.choices((Channel.PHONE, Channel.WECHAT, Channel.VISIT, Channel.TEST_DRIVE), (55, 35, 7, 3))[0]


# Rows that point at a follow-up carry its sequence number on the card; as SQL values, its place
# among the batch's follow-ups (1 the first), which the store adds to the id before the batch.
_LINKED = {"grade_changes", "instructions", "followup_objections", "test_drives"}
# A linked table without a card column of its own carries the card only for the link.
_LINK_ONLY = {"followup_objections": ("card_id",)}


def _values(floor: Floor, start: int) -> dict[str, tuple[list[str], list[tuple], bool]]:
    """A batch as SQL-ready tuples, converted in the worker so the inserting process only inserts."""
    with _uncollected():
        return _sql_ready(_cards(floor, start))


@contextmanager
def _uncollected() -> Iterator[None]:
    """Batches are a million small containers that live until they are inserted: the cycle
    collector's passes over them, in the workers and in the process receiving them, cost a
    sixth of the time and free nothing."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _sql_ready(tables: dict[str, list[dict]]) -> dict[str, tuple[list[str], list[tuple], bool]]:
    batch = {}
    place = {(f["card_id"], f["seq"]): n for n, f in enumerate(tables["followups"], start=1)}
    for table, rows in tables.items():
        if not rows:
            batch[table] = ([], [], False)
            continue
        linked = table in _LINKED
        skipped = ("_seq", "followup_id", *_LINK_ONLY.get(table, ()))
        columns = [c for c in rows[0] if c not in skipped]
        pick = itemgetter(*columns, *(("card_id", "_seq") if linked else ()))
        typed = [i for i, c in enumerate(columns) if c in TYPED_COLUMNS[table]]
        values = [list(pick(row)) for row in rows]
        for value in values:
            for i in typed:
                v = value[i]
                if v.__class__ is datetime:  # most of them: the conversion's one check, inline
                    value[i] = ts(v)
                elif v is not None:
                    value[i] = sql_value(v)
        width = len(columns)
        if linked:
            values = [(*value[:width], place.get((value[width], value[width + 1]))) for value in values]
        else:
            values = [tuple(value) for value in values]
        batch[table] = (columns, values, linked)
    return batch


def _iso(value):
    return value.isoformat() if isinstance(value, datetime) else value
