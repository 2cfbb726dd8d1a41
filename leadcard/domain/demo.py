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
    BATCH, CARDS_PER_CONSULTANT, CARDS_PER_DAY, CHINESE_NUMBERS, CONSULTANTS, FATES, HORIZONS, LOGGED_SOURCES, MANAGER,
    NO_CONTACT_SHARE, ONLINE_PLATFORMS, SHOWROOM_SOURCES, SLIPS, SLOPPY_EVERY, SOURCES, SUPERVISOR, TEAM_SIZE,
    TEST_DRIVE_SHARE, person_name, phone_number, unique_name,
)
from leadcard.domain.demo_history import CardHistory, Consultant, clock
from leadcard.domain.demo_desk import DESK_TABLES, desk_rows, targets
from leadcard.errors import Refused
from leadcard.i18n import _
from leadcard.model import EventKind, Outcome, Role, Source, Status
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
    floor_writer = Writer(floor, _Random(f"{floor.seed}:{start}"), rows, _Random(f"{floor.seed}:{start}:desk"))
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


class Writer:
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
            left = min(arrived + stay, clock(day, 20, 30, self.tz))
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

    def _rows(self, card: dict, h: "CardHistory") -> None:
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
