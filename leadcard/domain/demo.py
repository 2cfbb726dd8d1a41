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
import marshal
import random
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from itertools import compress
from typing import Callable, Iterator

from leadcard.domain import demo_floor as F
from leadcard.domain.cards import FOLLOWED_AFTER_SALE, timing_columns
from leadcard.domain.cores import usable_cores, worker_started
from leadcard.domain.session import Session
from leadcard.domain.demo_floor import (
    BATCH, CARDS_PER_CONSULTANT, CARDS_PER_DAY, CHINESE_NUMBERS, CONSULTANTS, FATES, HORIZONS, LOGGED_SOURCES, MANAGER,
    NO_CONTACT_SHARE, ONLINE_PLATFORMS, SHOWROOM_SOURCES, SLIPS, SLOPPY_EVERY, SOURCES, SUPERVISOR, TEAM_SIZE,
    TEST_DRIVE_SHARE, person_name, phone_number, unique_name,
)
from leadcard.domain.demo_history import MINUTES, CardHistory, Consultant, Weighted, clock, to_json
from leadcard.domain.demo_desk import DESK_COLUMNS, desk_rows, targets
from leadcard.domain.demo_edits import needs_changed
from leadcard.errors import Refused
from leadcard.i18n import _
from leadcard.model import Channel, DueReason, EventKind, Outcome, Role, Source, Status
from leadcard.schedule import Contact, Deal, Policy
from leadcard.store.bulk import bulk_insert, filling, indexes_deferred, insert_values, stamper

# The columns of each table's generated rows, in the order of a row's values (SQL values already:
# moments as stored text, enums as their value). A row of a linked table points at a follow-up: it
# ends with that follow-up's place among the batch's follow-ups (1 the first), or None, which the
# store adds to the id before the batch.
COLUMNS = {
    "cards": ("id", "created_at", "recorded_at", "source", "owner_id", "name", "phone", "grade", "status",
              "status_at", "left_at", "platform", "gender", "age", "model", "colour", "budget", "occupation",
              "residence", "payment", "usage", "current_vehicle", "concerns", "competitors", "purchase_type",
              "timeline", "birthday", "referred_by", "outcome", "followup_count", "first_touch_at", "first_call_at",
              "last_contact_at", "next_at", "next_purpose", "due_at", "due_reason", "dormant_at", "failed_attempts",
              "objections"),
    "followups": ("card_id", "seq", "at", "recorded_at", "author_id", "channel", "outcome", "grade", "impression",
                  "content", "problem", "solution", "feasibility", "competition", "bottleneck", "plan", "next_at",
                  "purpose"),
    "grade_changes": ("card_id", "at", "from_grade", "to_grade", "by_id", "reason"),
    "instructions": ("card_id", "at", "author_id", "text"),
    "card_events": ("card_id", "at", "kind", "by_id", "detail"),
    "followup_objections": ("tag",),
    "visits": ("arrived_at", "left_at", "party_size", "source", "model", "test_drive", "consultant_id",
               "contact_left", "name", "phone", "notes", "card_id", "recorded_at", "recorded_by", "return_visit"),
    **DESK_COLUMNS,
}
LINKED = frozenset({"grade_changes", "instructions", "followup_objections", "test_drives"})
# An enum's value as stored, looked up: `.value` is a property, and rows hold hundreds of thousands.
TEXT = {member: member.value for kind in (Source, Status, Channel, Outcome, EventKind, DueReason) for member in kind}


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
    # Once the rows are in, the workers are done: their cores sort the indexes.
    with filling(store), indexes_deferred(store, COLUMNS, helpers=usable_cores() - 1):
        consultants, supervisors = _users(session, random.Random(seed), n_cards)
        floor = Floor(session.policy, tuple(consultants), supervisors, n_cards, session.now, session.tz, seed)
        stats = {"cards": 0, "followups": 0, "visits": 0}
        if step is not None:
            step(0, n_cards)
        for batch in _batches(floor):
            base = store.last_id("followups")  # the batch's follow-ups follow it, in order
            for table, rows in batch.items():
                insert_values(store, table, COLUMNS[table], rows, followup_base=base if table in LINKED else None)
            stats["cards"] += len(batch["cards"])
            stats["followups"] += len(batch["followups"])
            stats["visits"] += len(batch["visits"])
            if step is not None:
                step(stats["cards"], n_cards)
        # The playbook was written when the store opened, by each team's supervisor.
        opened = session.now - timedelta(days=floor.span_days + 30)
        bulk_insert(store, "playbook", ({"tag": tag, "text": text, "author_id": supervisors[consultants[0].id].id,
                                        "at": opened} for tag, text in F.DEMO_SCRIPTS), ("at",))
        bulk_insert(store, "sales_targets", targets(random.Random(f"{seed}:targets"), consultants,
                                                  store.user_by_name(MANAGER).id, session.now), ("set_at",))
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
        yield _cards(floor, 0)
        return
    from concurrent.futures import ProcessPoolExecutor

    workers = max(1, min(len(starts), usable_cores()))
    # A worker only builds batches: the cycle collector would go over each batch's million
    # containers before it is sent, and free nothing.
    with _uncollected(), ProcessPoolExecutor(max_workers=workers, initializer=worker_started,
                                             initargs=(os.getpid(), False)) as pool:
        pending: deque = deque()
        for start in starts:
            pending.append(pool.submit(_packed, floor, start))
            if len(pending) > workers:  # bounded: memory stays flat however many cards
                yield marshal.loads(pending.popleft().result())
        while pending:
            yield marshal.loads(pending.popleft().result())


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


def _cards(floor: Floor, start: int) -> dict[str, list[tuple]]:
    """One batch of cards with their histories, as rows of SQL values (`COLUMNS`) made where they
    are drawn, so the inserting process only inserts; its own generator, so batches can run anywhere."""
    rows: dict[str, list[tuple]] = {table: [] for table in COLUMNS}
    # The deal desk and the changes of needs draw from streams of their own, so the rest of the store
    # stays as it was.
    floor_writer = Writer(floor, _Random(f"{floor.seed}:{start}"), rows, _Random(f"{floor.seed}:{start}:desk"),
                          _Random(f"{floor.seed}:{start}:edits"))
    with _uncollected():
        for index in range(start, min(start + BATCH, floor.total)):
            floor_writer.card(index)
    return rows


def _packed(floor: Floor, start: int) -> bytes:
    """A batch for the inserting process: rows of plain values, which marshal packs and reads back in
    a fraction of the time pickle takes (both processes run the same Python)."""
    return marshal.dumps(_cards(floor, start))


class _Random(random.Random):
    """The standard generator, its two commonest draws without the checks of the general case (a
    100,000-card store draws them millions of times), each with the standard `_randbelow` in line
    (a call less per draw). Each takes the same bits from the stream as the standard one, so a seed
    builds the store it always built."""

    def choice(self, seq):
        n = len(seq)
        if not n:
            raise IndexError("choice from an empty sequence")
        getrandbits, k = self.getrandbits, n.bit_length()
        r = getrandbits(k)
        while r >= n:
            r = getrandbits(k)
        return seq[r]

    def randint(self, a: int, b: int) -> int:
        n = b - a + 1
        if n <= 0:
            raise ValueError(f"empty range for randint({a}, {b})")
        getrandbits, k = self.getrandbits, n.bit_length()
        r = getrandbits(k)
        while r >= n:
            r = getrandbits(k)
        return a + r


class Writer:
    """Writes cards as the floor would have: one customer at a time, in the order they came."""

    def __init__(self, floor: Floor, rng: random.Random, rows: dict[str, list[tuple]], desk: random.Random,
                 edits: random.Random):
        self.floor, self.rng, self.rows = floor, rng, rows
        self.now, self.tz = floor.now, floor.tz
        self.stamp = stamper(floor.tz)
        # Cards come from completed days: this morning's work is what `today` lists.
        self.last_day = floor.now.date() - timedelta(days=1)
        self.last_creation = floor.now - MINUTES[1]
        self.grades = floor.policy.grades
        self.cadence = {g.code: g.cadence_days for g in self.grades}
        self.sources = Weighted(*zip(*SOURCES))
        self.models = Weighted(F.LINEUP, [m.share for m in F.LINEUP])
        self.horizons = Weighted(HORIZONS, [h[0] for h in HORIZONS])
        self.fates = Weighted(*zip(*FATES))
        self.midnights: dict[date, datetime] = {}
        # The delivered cards of this batch, and when: their owners refer friends.
        self.owners: list[int] = []
        self.delivered: list[datetime] = []
        self.desk, self.edits = desk, edits

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
        return self.at(day, hours, self.rng.uniform(low, high))

    def at(self, day: date, hours: F.Hours, share: float) -> datetime:
        """The minute of `day` when a `share` of its activity in `hours` has passed."""
        midnight = self.midnights.get(day)
        if midnight is None:
            midnight = self.midnights[day] = datetime(day.year, day.month, day.day, tzinfo=self.tz)
        return midnight + MINUTES[int(hours.minute(share))]

    def card(self, index: int) -> None:
        rng, floor = self.rng, self.floor
        consultant = floor.consultants[index % len(floor.consultants)]
        card_id = index + 1
        # Older cards first, so card numbers grow with time; more cards in recent months.
        age = floor.span_days * ((floor.total - index) / floor.total) ** 1.5
        back = int(age)
        position = 1 - (age - back)  # where in the day's traffic the customer came
        source = self.sources.draw(rng)
        model = self.models.draw(rng)
        fill = {"model": model.name, "trim": rng.choice(model.trims), "rival": rng.choice(model.rivals),
                "colour": rng.choice(F.COLOURS), "concern": rng.choice(F.CONCERNS)}
        day = self.last_day - timedelta(days=back)
        hours = F.SHOWROOM if source in SHOWROOM_SOURCES or source == Source.SHOW else F.CALLS
        arrived = self.at(day, hours, position)
        test_drive = source in SHOWROOM_SOURCES and rng.random() < TEST_DRIVE_SHARE
        if source in SHOWROOM_SOURCES or source == Source.SHOW:
            stay = MINUTES[rng.randint(35, 90) + (30 if test_drive else 0)]
            left = min(arrived + stay, clock(day, 20, 30, self.tz))
        elif source == Source.PHONE_IN:
            left = arrived + MINUTES[rng.randint(3, 8)]
        else:
            left = arrived  # an online or 400 lead: it arrives, nobody leaves
        late_card = source in LOGGED_SOURCES and self.slip(consultant, "late_card")
        created = min(left + MINUTES[rng.randint(40, 150) if late_card else rng.randint(3, 15)],
                      self.last_creation)
        _weight, low, high = self.horizons.draw(rng)
        fate = self.fates.draw(rng)
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

        history = CardHistory(self, consultant, card, fill, decides, fate)
        history.first_contacts(source, created, test_drive)
        history.follow_up()
        history.close()
        self._rows(card, history)

    def _fields(self, rng, consultant, card_id, created, source, name, phone, grade, model, fill, decides) -> dict:
        careless = self.slip(consultant, "incomplete")
        days = (decides - created).days
        low, high = model.price
        return {
            "id": card_id, "created_at": created, "recorded_at": created + MINUTES[rng.randint(1, 8)],
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
        owners = list(compress(self.owners, map(created.__gt__, self.delivered)))
        return self.rng.choice(owners) if owners else None

    def _visit(self, consultant, arrived, left, source, model, test_drive, card, notes) -> None:
        """A line of the showroom log (来店(电)登记) that left a phone, linked to its card; a customer
        still in the showroom now has no leaving time yet. A visit after the card was made is the log's
        return visit (再次到店), as `visit add` attaches one by the card's phone."""
        stamp = self.stamp
        self.rows["visits"].append((
            stamp(arrived), stamp(left) if left <= self.now else None, None if source == Source.PHONE_IN else self.rng.choice((1, 1, 2, 2, 2, 3, 4)),
            TEXT[source], model, int(test_drive), consultant.id, 1, card["name"], card["phone"], notes, card["id"],
            stamp(self._written(left)), consultant.id, int(arrived > card["created_at"]),
        ))

    def _walk_in_without_contact(self, consultant, day, model) -> None:
        rng, stamp = self.rng, self.stamp
        arrived = self.on(day, F.SHOWROOM)
        left = arrived + MINUTES[rng.randint(10, 40)]
        self.rows["visits"].append((
            stamp(arrived), stamp(left), rng.choice((1, 2, 2, 3)), TEXT[Source.WALK_IN], model.name, 0, consultant.id,
            0, rng.choice(F.SURNAMES) + rng.choice(("先生", "女士")), None,
            rng.choice(F.NO_CONTACT_NOTES).format(model=model.name), None, stamp(self._written(left)), consultant.id, 0,
        ))

    def _written(self, left: datetime) -> datetime:
        """When the receptionist writes a visit's line: minutes after the customer left, by now at the latest."""
        return min(left + MINUTES[self.rng.randint(1, 5)], self.now)

    def _rows(self, card: dict, h: "CardHistory") -> None:
        rows, stamp, card_id, owner = self.rows, self.stamp, card["id"], h.consultant.id
        before = len(rows["followups"])  # the batch's follow-ups before this card's: a link's place is after
        h.entries.sort(key=_at)
        contacts, followups, objections = [], rows["followups"], rows["followup_objections"]
        for seq, e in enumerate(h.entries, start=1):
            e["seq"] = seq
            at, channel, outcome, next_at, purpose, raised = (e["at"], e["channel"], e["outcome"], e["next_at"],
                                                              e["purpose"], e["_objections"])
            contacts.append(Contact(at, channel, outcome == Outcome.REACHED, next_at, purpose, raised))
            followups.append((card_id, seq, stamp(at), stamp(e["recorded_at"]), e["author_id"], TEXT[channel],
                              TEXT[outcome], e["grade"], e["impression"], e["content"], e["problem"], e["solution"],
                              e["feasibility"], e["competition"], e["bottleneck"], e["plan"], stamp(next_at), purpose))
            if raised:
                objections += [(tag, before + seq) for tag in raised]
        rows["instructions"] += [(card_id, stamp(at), author, text, before + seq)
                                 for at, author, text, seq in h.signatures()]
        changes = rows["grade_changes"]
        changes.append((card_id, stamp(card["created_at"]), None, card["grade"], owner, "建卡", None))
        for at, previous, grade, entry in h.changes:
            changes.append((card_id, stamp(at), previous, grade, owner, "购车时间临近", before + entry["seq"]))
        card["grade"] = h.grade
        card["status"], outcome, events = h.status, h.outcome, h.events
        card["outcome"] = to_json(outcome) if outcome else None
        if events:
            card["status_at"] = events[-1]["at"]
        sup = self.floor.supervisors[h.consultant.id]
        desk_events, rejected_at = desk_rows(self.desk, self.floor.policy, card, h.consultant, (sup.id, sup.name),
                                             h.entries, self.now, rows, stamp, before)
        # After the desk, which reads the payment as first recorded (a loan applied for, then paid in full).
        edits = needs_changed(self.edits, card, h.entries, events[0]["at"] if events else None, self.now)
        deal = None
        if card["status"] in FOLLOWED_AFTER_SALE:
            deal = Deal(outcome["at"], date.fromisoformat(outcome["delivery"]), outcome.get("delivered_at"),
                        card["birthday"])
            if outcome.get("delivered_at"):
                self.owners.append(card_id)
                self.delivered.append(outcome["delivered_at"])
        card.update(timing_columns(self.floor.policy, card["created_at"], card["grade"], card["status"] == Status.OPEN,
                                   contacts, card["left_at"], card["source"], deal=deal, tz=self.tz,
                                   finance_rejected_at=rejected_at))
        rows["cards"].append(_card_row(card, stamp))
        rows["card_events"].append((card_id, stamp(card["created_at"]), TEXT[EventKind.CREATED], owner,
                                    to_json({"source": TEXT[card["source"]]})))
        rows["card_events"] += [(card_id, stamp(e["at"]), TEXT[e["kind"]], e["by_id"], e["detail"])
                                for e in events + desk_events]
        rows["card_events"] += [(card_id, stamp(at), TEXT[EventKind.EDITED], by, to_json(detail))
                                for at, by, detail in edits]


def _at(entry: dict) -> datetime:
    return entry["at"]


def _card_row(c: dict, stamp: Callable[[datetime | None], str | None]) -> tuple:
    return (c["id"], stamp(c["created_at"]), stamp(c["recorded_at"]), TEXT[c["source"]], c["owner_id"], c["name"],
            c["phone"], c["grade"], TEXT[c["status"]], stamp(c["status_at"]), stamp(c["left_at"]), c["platform"],
            c["gender"], c["age"], c["model"], c["colour"], c["budget"], c["occupation"], c["residence"],
            c["payment"], c["usage"], c["current_vehicle"], c["concerns"], c["competitors"], c["purchase_type"],
            c["timeline"], c["birthday"], c["referred_by"], c["outcome"], c["followup_count"],
            stamp(c["first_touch_at"]), stamp(c["first_call_at"]), stamp(c["last_contact_at"]), stamp(c["next_at"]),
            c["next_purpose"], stamp(c["due_at"]), TEXT.get(c["due_reason"]), stamp(c["dormant_at"]),
            c["failed_attempts"], c["objections"])


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
