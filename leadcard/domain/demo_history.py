"""One demo card's life, drawn: its follow-ups at the grade's cadence, grade changes, the ending
(won, lost, invalid, or still open) and the supervisor's signatures (`demo` writes the rows)."""

from __future__ import annotations

import json
import random
from bisect import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from itertools import accumulate

from leadcard.domain import demo_floor as F
from leadcard.domain.demo_floor import (
    CHECK_CALL_MISSES, DROP_WEIGHT, MANAGER, OBJECTION_SHARE, SHOWROOM_SOURCES,
    SUPERVISOR_MISSES, UNREACHED_SHARE,
)
from leadcard.domain.demo_orders import after_the_order
from leadcard.domain.persistence import MIN_FOLLOWUPS
from leadcard.model import Channel, EventKind, Outcome, Source, Status


@dataclass(frozen=True)
class Consultant:
    name: str
    id: int
    slack: float  # the share of duties this person lets slip


def _iso(value):
    return value.isoformat() if isinstance(value, datetime) else value


# As json.dumps(value, ensure_ascii=False) writes it, moments in ISO 8601; one encoder for all (the
# call makes one each time).
to_json = json.JSONEncoder(ensure_ascii=False, default=_iso).encode
# Whole minutes as timedeltas, made once: a 100,000-card store adds millions of them.
MINUTES = tuple(timedelta(minutes=n) for n in range(24 * 60))


class Weighted:
    """A weighted draw as `random.choices(population, weights)[0]` makes it (the same number drawn,
    the same pick), its running totals summed once rather than at every draw."""

    def __init__(self, population: Sequence, weights: Iterable[float]):
        self.population, self.totals = tuple(population), list(accumulate(weights))
        self.total, self.last = self.totals[-1] + 0.0, len(self.population) - 1

    def draw(self, rng: random.Random):
        return self.population[bisect(self.totals, rng.random() * self.total, 0, self.last)]


def part_way(created: datetime, until: datetime, share: float) -> datetime:
    """A moment `share` of the way from `created` to `until`."""
    return created + (until - created) * share


def clock(day: date, hour: int, minute: int, tz: tzinfo) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)


class CardHistory:
    """One card's follow-ups, grade changes, ending and the supervisor's signatures, drawn by the
    demo's `Writer` (its random numbers, clock and the floor's habits)."""

    def __init__(self, writer, consultant: Consultant, card: dict, fill: dict, decides: datetime, fate: str):
        self.w, self.rng, self.consultant, self.card, self.fill = writer, writer.rng, consultant, card, fill
        self.decides, self.fate = decides, fate
        # A lost customer often buys elsewhere before their own date: the card ends when they do.
        self.ends = (part_way(card["created_at"], decides, self.rng.uniform(0.35, 1.0)) if fate == "lost"
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
            called = created + MINUTES[rng.randint(3, 20)]
            if late_call:
                called = w.on(created.date() + timedelta(days=1), F.CALLS, 0.0, 0.3)
            if called >= self.now:
                return
            minutes = max(1, int((called - created).total_seconds() // 60))
            self.last = self._entry(called, Channel.PHONE, F.LEAD_CALL.format(minutes=minutes, **fill))
            added = min(called + MINUTES[rng.randint(5, 30)], clock(called.date(), 20, 58, self.tz))
            if added < self.now and self.last["outcome"] == Outcome.REACHED:
                self._entry(added, Channel.WECHAT, F.THANKS[source.value].format_map(fill), problem="落地价和现车",
                            next_from=self.last)
            return
        day = created.date()
        if w.slip(self.consultant, "late_touch"):
            touched = w.on(day + timedelta(days=1), F.CALLS, 0.0, 0.25)  # the next morning
        else:
            touched = min(created + MINUTES[rng.randint(5, 30)], clock(day, 20, 58, self.tz))
        thanks = F.THANKS[source.value]
        if test_drive:
            thanks = "感谢今天到店试驾{model}，发送{trim}报价单和顾问名片"
        if touched < self.now:
            self._entry(touched, rng.choice((Channel.WECHAT, Channel.WECHAT, Channel.SMS)), thanks.format_map(fill),
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
            channel = next_channel(rng, days_left, last["outcome"] != Outcome.REACHED)
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
            lost_too_soon = (self.fate == "lost" and len(self.entries) < MIN_FOLLOWUPS - 1
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
                w._visit(self.consultant, at, at + MINUTES[rng.randint(40, 100)], self.card["source"],
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
            recorded = at + MINUTES[rng.randint(2, 40)]
        entry = {
            "card_id": self.card["id"], "seq": 0, "at": at, "recorded_at": min(recorded, self.now),
            "author_id": consultant.id, "channel": channel,
            "outcome": Outcome.REACHED if reached else
            Outcome.WRONG_NUMBER if self.wrong_number else Outcome.UNREACHABLE, "grade": self.grade,
            "impression": None, "content": content, "problem": problem, "solution": None, "feasibility": None,
            "competition": None, "bottleneck": None, "plan": None,
            "next_at": next_from["next_at"] if next_from else None,
            "purpose": next_from["purpose"] if next_from else None,
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
            entry["content"] = content or rng.choice(F.CONTENT[channel.value]).format_map(fill)
            entry["impression"] = rng.choice(F.IMPRESSIONS)
            entry["problem"] = rng.choice(F.PROBLEMS).format_map(fill)
            entry["solution"] = rng.choice(F.SOLUTIONS)
            entry["feasibility"] = rng.choice(F.FEASIBLE)
            entry["competition"] = f"{fill['rival']} 本月优惠 {rng.choice((5000, 8000, 10000, 12000))} 元"
            entry["bottleneck"] = rng.choice(F.BOTTLENECKS).format_map(fill)
            entry["plan"] = self._new_plan(F.PLANS)
            entry["purpose"] = rng.choice(F.PURPOSES)
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
        self._plan = self.rng.choice(_OTHER_PLANS[plans].get(self._plan, plans))
        return self._plan.format_map(self.fill)

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
        # What follows the closing contact (the order or the invalid mark five minutes on, a loss request
        # up to forty) has happened by now, or the card is not closed yet.
        if at + MINUTES[40] >= self.now:
            self._link_changes()
            return
        owner, sup = self.consultant.id, w.floor.supervisors[self.consultant.id]
        if self.fate == "won":
            self._entry(at, Channel.VISIT, F.CLOSING["won"].format_map(fill))
            w._visit(self.consultant, at - MINUTES[rng.randint(40, 90)], at, self.card["source"],
                     fill["model"], False, self.card, "签约交定金")
            self._order(at + MINUTES[5], f"{fill['model']} {fill['trim']}")
        elif self.fate == "lost":
            reason = rng.choice(F.LOSS_REASONS)
            competitor = fill["rival"] if reason in F.RIVAL_REASONS else None
            self._entry(at, Channel.PHONE, F.CLOSING["lost"].format(reason=reason, **fill) if competitor else
                        F.LOSS_NOTES[reason].format_map(fill))
            requested = at + MINUTES[rng.randint(10, 40)]
            note = F.LOSS_NOTES[reason].format_map(fill)
            self.outcome = {"reason": reason, "competitor": competitor, "note": note, "requested_at": requested,
                            "requested_by": self.consultant.name}
            self.events = [{"at": requested, "kind": EventKind.LOST_REQUESTED, "by_id": owner,
                            "detail": to_json({"reason": reason, "competitor": competitor, "note": note})}]
            self.status = Status.LOST_PENDING
            # Approved at the next morning meeting after the supervisor's check call (战败核实),
            # within a day, or days later when the check call does not reach the customer; on the
            # supervisor's day off the manager approves.
            meeting = clock(requested.date() + timedelta(days=1), 8, 40, self.tz) + timedelta(
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
            self.events = [{"at": at + MINUTES[5], "kind": EventKind.INVALID, "by_id": owner,
                            "detail": to_json({"reason": reason})}]
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
                        "detail": to_json({"model": model, "delivery": delivery.isoformat()})}]
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
                                "detail": to_json({"to": F.HANDOVER_TO})})

    def _link_changes(self) -> None:
        """Each grade change belongs to the follow-up it was judged at (the latest at that moment)."""
        by_time = {e["at"]: e for e in self.entries}
        self.changes = [(at, before, after, by_time[at]) for at, before, after, _detail in self.changes]
        for entry in self.entries:
            for shared in entry.pop("_shares", ()):
                shared["next_at"], shared["purpose"] = entry["next_at"], entry["purpose"]
            entry.pop("_no_next")

    # -- the supervisor ------------------------------------------------------------------------------

    def signatures(self) -> list[tuple[datetime, int, str, int]]:
        """主管批示: each evening the supervisor signs the day's follow-ups of the team's cards (on
        their day off, the next evening), writing a word on the latest; a few slip through (half of
        them are caught up the next evening). Each as (when, the supervisor, the words, the seq of
        the follow-up signed)."""
        sup = self.w.floor.supervisors[self.consultant.id]
        by_day: dict[date, list] = {}  # day → [the latest written up, the highest seq, any vague]
        for entry in self.entries:
            recorded = entry["recorded_at"]
            day = recorded.date()
            seen = by_day.get(day)
            if seen is None:
                by_day[day] = [recorded, entry["seq"], entry["_vague"]]
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
            at = max(self.w.on(review_day, F.REVIEW), latest + MINUTES[10])
            if at >= self.now:
                continue
            signed.append((at, sup.id, F.VAGUE_INSTRUCTION if vague else self.rng.choice(F.INSTRUCTIONS), seq))
        return signed


# For each list of plans, each plan's alternatives (any other plan, in order).
_OTHER_PLANS = {plans: {last: tuple(p for p in plans if p != last) for last in plans}
                for plans in (F.PLANS, F.RETRY_PLANS)}
_CHANNELS = (Channel.PHONE, Channel.WECHAT, Channel.VISIT, Channel.TEST_DRIVE)
_NEAR_CHANNELS, _FAR_CHANNELS = Weighted(_CHANNELS, (45, 20, 22, 13)), Weighted(_CHANNELS, (55, 35, 7, 3))


def next_channel(rng: random.Random, days_left: int, retry: bool) -> Channel:
    """Calls mostly; as the purchase nears, more customers come back to the showroom and test-drive."""
    if retry:
        return Channel.PHONE
    return (_NEAR_CHANNELS if days_left <= 30 else _FAR_CHANNELS).draw(rng)
