"""Weekly and monthly summaries (周报 / 月报): the measures of DOMAIN.md, from dated records only.

A report describes a period as it stood at the period's end: follow-ups by their date, grades from
the grade history, statuses and owners from the card's events. Nothing dated at or after the end
counts, so a past period gives the same figures whenever it is run, whatever happened since.

Definitions (also in README and `leadcard report --help`):
- timeliness 跟进及时率: cards made in the period whose first follow-up (any channel, an attempt
  too) came within `first_call_hours` (24 h) of the customer leaving (离店, else the card's
  creation) and before the period's end ÷ cards made in the period, less those with no follow-up
  whose 24 h had not run out by its end (not to be judged yet: the audit leaves them alike — a card
  made late on a Sunday and called on Monday morning is no failure of its week). Below
  `timeliness_target` (80 %) means one-to-one coaching.
- completeness 记录完整率: sales follow-ups dated in the period with all the discipline asks of them
  written ÷ sales follow-ups dated in the period (an entry corrected by another counts once, as
  corrected). Content, plan and next date are asked of each, but of the thank-you message before the
  first call (the policy schedules the call) and of the contact that ended the card (won, lost or
  invalid at the period's end) the content only, as the audit's no-next-date asks. A follow-up
  written while the card held an order or after its delivery (an order's progress, an owner's care)
  is no sales contact: `log` asks it no next date, so it counts in neither.
- conversion 转化率: the cohort is every card in hand during the period — made before its end and
  not closed (won, lost, invalid) at its start, or reopened in it; cards won in the period ÷ the
  cohort's valid cards (not invalid at the period's end).
- reactivation 休眠激活率: wake-ups in the period whose customer responded within
  `reactivation_days` (30) and before the period's end — a two-way contact that reached them (a
  call, visit, home visit or test drive: the waking contact itself or a later one; an SMS or WeChat
  message sent is no answer) ÷ wake-ups in the period.
- referral 转介绍率: cards won in the period that came by referral — a link to the referrer's card
  (`add --referred-by`), or the source label for a card without one ÷ cards won in the period.
- after-delivery 交车回访及时率: after-delivery visits due in the period (the policy's days after a
  delivery) made on their day, or within the audit's `[audit.after-delivery-late] grace_days`, by a
  contact that reached the owner before the period's end ÷ those visits.
- loss clarity 战败明确率: loss requests made in the period that were approved by its end with a
  reason — and a competitor when the reason names one (competitor 竞品品牌, bought elsewhere
  已在别处购买: the audit's `[audit.lost-without-reason] competitor_reasons`) ÷ loss requests made
  in the period. A postponed purchase or a refused loan has no competitor to name.
- objections 客户异议: per objection, the cards whose follow-ups dated in the period raised it;
  its win rate is those won at the period's end ÷ those cards. The report shows the
  `TOP_OBJECTIONS` most raised.
- grade accuracy 级别准确率: of the gradings to a grade whose horizon (H 7 days, A 30, B 90) ended in
  the period, how many cards were won within the horizon; counted under whoever graded.
- the showroom's traffic (首次/再次进店, 来电, 留档率, 试驾率, 邀约到店率, 成交率): `domain.traffic`;
  the monthly targets, attainment (达成率) and the month's forecast: `domain.targets`.
Cards are counted under their owner at the period's end; follow-ups under their author.

Wins are orders (成交/订车) of the period still standing at its end: an order cancelled (退订) later
leaves the period as it was, one cancelled within it does not count. The report also counts every
order placed, the cancellations with their reasons, the deliveries (交车) with the days from order to
delivery, and the referrals per referrer.
"""

import math
from bisect import bisect_right
from datetime import date, datetime, time, timedelta
from typing import Callable, Iterable, NamedTuple

from leadcard.errors import BadInput
from leadcard.i18n import _
from leadcard.model import Channel, EventKind, Source, Status, card_ref
from leadcard.model.reports import (
    FOLLOWUPS_PER_WIN,
    Cancellations,
    Deliveries,
    Figures,
    GradeAccuracy,
    ObjectionWins,
    Orders,
    Period,
    Ratio,
    Referrer,
    Report,
    Traffic,
)
from leadcard.parse import parse_iso_week, parse_month
from leadcard.domain.session import Session
from leadcard.domain import targets
from leadcard.domain.traffic import showroom_traffic, traffic_records
from leadcard.schedule import Policy
from leadcard.store import objections as objection_sql
from leadcard.store import report_events as events
from leadcard.store import reports as sql

# A reached contact in which the customer answered: a greeting SMS or WeChat sent is not one.
TWO_WAY_CHANNELS = frozenset({Channel.PHONE, Channel.VISIT, Channel.HOME, Channel.TEST_DRIVE})

# The status a card has after each status event (no event yet: open).
_STATUS_AFTER = {
    None: Status.OPEN,
    EventKind.WON: Status.WON,
    EventKind.ORDER_CANCELLED: Status.OPEN,
    EventKind.DELIVERED: Status.DELIVERED,
    EventKind.LOST_REQUESTED: Status.LOST_PENDING,
    EventKind.LOST_APPROVED: Status.LOST,
    EventKind.LOST_REJECTED: Status.OPEN,
    EventKind.INVALID: Status.INVALID,
    EventKind.REOPENED: Status.OPEN,
}
_IN_HAND = (Status.OPEN, Status.LOST_PENDING)


def week_period(raw: str | None, today: date) -> Period:
    """An ISO week (`2026-W47`); by default the last complete week."""
    monday = parse_iso_week(raw) if raw else today - timedelta(days=today.weekday() + 7)
    year, week, _weekday = monday.isocalendar()
    return _started(Period("weekly", f"{year}-W{week:02d}", monday, monday + timedelta(days=6)), today)


def month_period(raw: str | None, today: date) -> Period:
    """A calendar month (`2026-11`); by default the last complete month."""
    if raw:
        first = parse_month(raw)
    else:
        first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return _started(Period("monthly", f"{first:%Y-%m}", first, following - timedelta(days=1)), today)


def _started(period: Period, today: date) -> Period:
    if period.first_day > today:
        raise BadInput(_("{period} 还没有开始（今天是 {today}）").format(period=period.label, today=today.isoformat()))
    return period


class _Records(NamedTuple):
    """Everything a period's figures are made of, as the store read it."""

    states: list[sql.CardStates]  # the cards in hand during the period
    new_cards: list[sql.NewCards]
    followups: list[sql.FollowUpCount]
    wins: list[events.Wins]
    requests: list[events.LossRequests]
    losses: list[events.Losses]
    wakes: list[events.Wake]
    orders: list[events.Orders]
    cancellations: list[events.Cancellations]
    deliveries: list[events.Delivery]  # delivered in the period
    visits: list[tuple[str | None, bool]]  # after-delivery visits due in the period: (owner, made in time)
    referrals: list[events.Referral]
    settled: sql.Settled = sql.Settled(frozenset(), 0)  # the cards closed before the period (a report's)

    def by_owner(self) -> dict[str | None, "_Records"]:
        """Each owner's records (a follow-up's author's), in one pass over them; every owner a record
        or a card closed before the period names, in name order."""
        kinds = ("states", "new_cards", "wins", "requests", "losses", "wakes", "orders", "cancellations",
                 "deliveries", "referrals")
        found: dict[str | None, dict[str, list]] = {}

        def of(owner: str | None) -> dict[str, list]:
            lists = found.get(owner)
            if lists is None:
                lists = found[owner] = {kind: [] for kind in (*kinds, "followups", "visits")}
            return lists

        for kind in kinds:
            for record in getattr(self, kind):
                of(record.owner)[kind].append(record)
        for f in self.followups:
            of(f.author)["followups"].append(f)
        for visit in self.visits:
            of(visit[0])["visits"].append(visit)
        for owner in self.settled.owners:
            of(owner)
        return {owner: _Records(**found[owner]) for owner in sorted(found, key=lambda n: (n is None, n or ""))}


class PeriodFigures(NamedTuple):
    """A period's records and the figures made of them, in total and per consultant."""

    start: datetime
    end: datetime
    records: _Records
    totals: Figures
    by_owner: list[Figures]
    traffic: Traffic
    traffic_by_owner: list[Traffic]


# The parts of a report, each a pass over the store's cards: `build_report` tells its progress by them.
REPORT_PARTS = 12
Step = Callable[[int, int | None], None]


class _Parts:
    """How far a report is, told to `step(done, total)` in the store's cards: each part done moves
    it on by its share (the parts are queries and sums over all of them)."""

    def __init__(self, step: Step | None, cards: int):
        self.step, self.cards, self.done = step, cards, 0

    def after(self, value):
        """`value`, once its part of the report is done."""
        self.done += 1
        if self.step is not None:
            self.step(self.cards * self.done // REPORT_PARTS, self.cards)
        return value


def periods_figures(session: Session, periods: list[Period], states: Callable | None = None,
                    parts: _Parts | None = None) -> list[PeriodFigures]:
    """Each period's measures over the cards this user may see (`session.visible()`), every kind of
    record read once for all the periods: the report's figures (one period), a trend's points.

    `states(store, scope, bounds)` gives the cards' states of each period (`CardStates` per period);
    by default the report's, with the funnel's grades and dormancy. `parts` hears each part done."""
    after = parts.after if parts is not None else (lambda value: value)

    store, policy, tz, scope = session.store, session.policy, session.tz, session.visible()
    store.read_mapped()
    bounds = [_bounds(p, tz) for p in periods]

    def read_beside(reader: Session) -> tuple:
        """Read on a second connection meanwhile: what SQL sums into few rows — the follow-ups, the
        showroom's traffic — for a row handed over from there takes Python's lock from this thread,
        which holds it most of the time."""
        own = reader.store
        return sql.followup_counts(own, scope, bounds), traffic_records(own, scope, bounds)

    def read_states(reader: Session) -> tuple:
        """The report's cards' states, on a third connection: as long a read as the two above together."""
        from dateutil.relativedelta import relativedelta  # loaded here, while the other reads go on

        own = reader.store
        return ([sql.card_states(own, scope, start, end, end - relativedelta(months=policy.dormant_after_months))
                 for start, end in bounds],
                [sql.settled(own, scope, start, end) for start, end in bounds])

    beside = session.beside(read_beside)
    stated = session.beside(read_states) if states is None else None
    # Deliveries this long before a period can have a visit due in it.
    reach = timedelta(days=max(policy.after_delivery_days, default=0) + 1)
    read = {
        "new_cards": after(sql.new_cards(store, scope, bounds, timedelta(hours=policy.first_call_hours))),
        "wins": after(events.wins(store, scope, bounds, Source.REFERRAL, FOLLOWUPS_PER_WIN[-1][1])),
        "requests": after(events.loss_requests(store, scope, bounds)),
        "losses": after(events.approved_losses(store, scope, bounds)),
        "wakes": after(events.wakes(store, scope, bounds)),
        "orders": after(events.orders(store, scope, bounds)),
        "cancellations": after(events.cancellations(store, scope, bounds)),
        "referrals": after(events.referrals(store, scope, bounds)),
    }
    delivered, visits = _deliveries(store, periods, bounds, after(events.deliveries(store, scope, bounds, bounds[0][0] - reach)),
                                    policy, tz, _after_delivery_grace(policy))
    if states is not None:  # a trend's states of the cards: a row for each event of a card, read here
        card_states, settled = states(store, scope, bounds), [sql.Settled(frozenset(), 0) for _b in bounds]
    else:
        card_states, settled = stated()
    read["followups"], traffic_read = after(beside())
    split = {key: [[] for _p in periods] for key in read}
    for key, found in read.items():
        for record in found:
            split[key][record.period].append(record)
    grades = tuple(g.code for g in policy.grades)
    measured = []
    for i, (period, (start, end)) in enumerate(zip(periods, bounds)):
        records = _Records(
            states=card_states[i], new_cards=split["new_cards"][i], followups=split["followups"][i],
            wins=split["wins"][i], requests=split["requests"][i], losses=split["losses"][i], wakes=split["wakes"][i],
            orders=split["orders"][i], cancellations=split["cancellations"][i],
            deliveries=delivered[i], visits=visits[i],
            referrals=split["referrals"][i], settled=settled[i],
        )
        figures = _Figuring(session, grades, end)
        by_owner = [figures.of(owner, own) for owner, own in records.by_owner().items()]
        measured.append((start, end, records, figures.of(None, records), by_owner))
    traffic = showroom_traffic(traffic_read, [{f.owner: f.wins for f in m[4]} for m in measured])
    return [PeriodFigures(*m, *t) for m, t in zip(measured, traffic)]


def build_report(session: Session, period: Period, step: Step | None = None) -> Report:
    """The period's report over the cards this user may see (`session.visible()`); `step(done,
    total)` hears how far it is, counted in the store's cards."""
    store, policy, tz, scope = session.store, session.policy, session.tz, session.visible()
    parts = _Parts(step, store.card_count() if step is not None else 0)
    start, end = _bounds(period, tz)
    # The gradings judged and the objections met, read meanwhile on a connection of their own. The
    # forecast weighs only the hottest grades: the others' gradings are not read for it.
    judged = session.beside(lambda reader: (
        _grade_accuracy(reader, end - timedelta(days=targets.ACCURACY_DAYS), end, policy.grades[:targets.HOT_GRADES]),
        _grade_accuracy(reader, start, end), objection_sql.objection_cards(reader.store, scope, start, end)))
    [measured] = periods_figures(session, [period], parts=parts)
    records = measured.records
    grades = tuple(g.code for g in policy.grades)
    totals, by_owner = measured.totals, measured.by_owner
    traffic, traffic_by_owner = measured.traffic, measured.traffic_by_owner
    in_hand_end = [s for s in records.states if _status(s.status_event_at_end) == Status.OPEN]
    accuracy, grade_accuracy, objections = parts.after(judged())
    standings = parts.after(targets.standings(session, period, end, {f.owner: f.funnel for f in by_owner}, accuracy,
                                              records.wins, records.deliveries))
    return Report(
        period=period,
        grades=grades,
        timeliness_target=policy.timeliness_target,
        totals=totals,
        by_owner=by_owner,
        new_by_source=_sums(((c.source, c.cards) for c in records.new_cards), [s.value for s in Source]),
        followups_by_channel=_sums(((f.channel, f.followups) for f in records.followups), [c.value for c in Channel]),
        loss_reasons=_sums(((loss.reason or "", loss.losses) for loss in records.losses), list(policy.loss_reasons)),
        loss_competitors=_sums(((loss.competitor or "", loss.losses) for loss in records.losses), []),
        dormant_at_end=sum(s.cards for s in in_hand_end if s.dormant_at_end),
        lost_pending_at_end=sum(s.cards for s in records.states
                                if _status(s.status_event_at_end) == Status.LOST_PENDING),
        wakes=len(records.wakes),
        grade_accuracy=grade_accuracy,
        objections=[ObjectionWins(o.tag, o.label, Ratio(o.won, o.cards)) for o in objections],
        orders=Orders(
            placed=sum(o.orders for o in records.orders),
            standing=sum(o.orders for o in records.orders if not o.cancelled),
            by_model=_sums(((o.model or "", o.orders) for o in records.orders), []),
            waiting_at_end=sum(s.cards for s in records.states if _status(s.status_event_at_end) == Status.WON)
            + records.settled.waiting,
        ),
        deliveries=Deliveries(
            delivered=len(records.deliveries),
            order_days=[(d.at.astimezone(tz).date() - d.ordered_at.astimezone(tz).date()).days
                        for d in records.deliveries if d.ordered_at is not None and not d.legacy],
            after_delivery=totals.after_delivery,
        ),
        cancellations=Cancellations(sum(c.cancellations for c in records.cancellations),
                                    _sums(((c.reason or "", c.cancellations) for c in records.cancellations), [])),
        referrers=_referrers(session, records.referrals),
        traffic=traffic,
        traffic_by_owner=traffic_by_owner,
        standings=standings,
        standing_totals=targets.totals(standings),
        accuracy_days=targets.ACCURACY_DAYS,
    )


def _deliveries(store, periods: list[Period], bounds: list[tuple[datetime, datetime]], found: list[events.Delivery],
                policy: Policy, tz, grace: float) -> tuple[list[list[events.Delivery]], list[list[tuple[str | None, bool]]]]:
    """Each period's deliveries (under the owner at its end), and its after-delivery visits — due in
    it — as (owner, made in time): made in time when a contact reached the owner on the visit's day
    or within the grace days after it (as `schedule.after_delivery_visits` has it: the first contact
    on or after its day is then one of those), before the end of the period it is due in and
    standing then."""
    starts = [start for start, _end in bounds]
    first_days = [p.first_day for p in periods]

    def due_in(day: date) -> int | None:
        i = bisect_right(first_days, day) - 1
        return i if i >= 0 and day <= periods[i].last_day else None

    def start_of(day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=tz)

    late = timedelta(days=math.floor(grace) + 1)  # the first day past the grace
    plans: dict[date, list[tuple[int, datetime, datetime, datetime]]] = {}

    def visits_of(day: date) -> list[tuple[int, datetime, datetime, datetime]]:
        """The visits of a delivery on that day that are due in a period: (period, from, before,
        standing at), worked out once for the day's deliveries."""
        found = plans.get(day)
        if found is None:
            found = plans[day] = []
            for n in policy.after_delivery_days:
                visit = day + timedelta(days=n)
                i = due_in(visit)
                if i is not None:
                    end = bounds[i][1]
                    found.append((i, start_of(visit), min(start_of(visit + late), end), end))
        return found

    delivered: list[list[events.Delivery]] = [[] for _p in periods]
    asked: list[tuple[int, datetime, datetime, datetime]] = []  # (card, from, before, standing at)
    due: list[tuple[int, str | None]] = []  # … and the period each is due in, with the owner then
    for d in found:
        i = bisect_right(starts, d.at) - 1
        if i >= 0 and d.at < bounds[i][1]:
            seen, owner = d.owner_at(i)
            if seen:
                delivered[i].append(d._replace(owner=owner))
        if d.legacy:
            continue
        for i, start, before, end in visits_of(d.at.astimezone(tz).date()):
            seen, owner = d.owner_at(i)
            if seen:
                asked.append((d.card_id, start, before, end))
                due.append((i, owner))
    made = events.visits_made(store, asked)
    visits: list[list[tuple[str | None, bool]]] = [[] for _p in periods]
    for k, (i, owner) in enumerate(due):
        visits[i].append((owner, k in made))
    return delivered, visits


def _after_delivery_grace(policy: Policy) -> float:
    """The days an after-delivery visit may come after its own, as the store's audit allows them."""
    from leadcard.domain.audit import rule_settings

    return rule_settings(policy)["after-delivery-late"].limits["grace_days"]


def _referrers(session: Session, referrals: list[events.Referral]) -> list[Referrer]:
    """Referrals per referrer, the most first; a referrer the reader may not see is counted, unnamed."""
    visible = session.visible().owner_ids
    tally: dict[int | None, list] = {}
    for r in referrals:
        shown = visible is None or r.referrer_owner_id in visible
        key = r.referrer_id if shown else None
        entry = tally.setdefault(key, [card_ref(r.referrer_id) if shown else None, r.referrer_name if shown else None,
                                       r.referrer_owner if shown else None, 0, 0])
        entry[3] += 1
        entry[4] += r.won
    found = [Referrer(*entry) for entry in tally.values()]
    return sorted(found, key=lambda r: (r.ref is None, -r.referrals, -r.won, r.ref or ""))


def _competitor_reasons(policy: Policy) -> frozenset[str]:
    """The loss reasons that name a competitor, as the store's audit reads them (one list for both)."""
    from leadcard.domain.audit import rule_settings
    from leadcard.domain.audit_rules import plain

    return frozenset(plain(w) for w in rule_settings(policy)["lost-without-reason"].limits["competitor_reasons"])


class _Figuring:
    """Turns one owner's records (or everyone's) into their figures."""

    def __init__(self, session: Session, grades: tuple[str, ...], end: datetime):
        # The audit's rules are loaded here, once the report's reads have started, not at start-up.
        from leadcard.domain.audit_rules import plain

        self.plain = plain
        self.policy = session.policy
        self.grades = grades
        self.end = end
        self.competitor_reasons = _competitor_reasons(session.policy)

    def of(self, owner: str | None, r: _Records) -> Figures:
        policy = self.policy
        funnel = dict.fromkeys(self.grades, 0)
        valid = 0  # the cohort's cards not invalid at the period's end
        for s in r.states:
            at_end = _status(s.status_event_at_end)
            if at_end == Status.OPEN and not s.dormant_at_end:
                funnel[s.grade] = funnel.get(s.grade, 0) + s.cards
            if (_status(s.status_event_at_start) in _IN_HAND or s.reopened_in_period) and at_end != Status.INVALID:
                valid += s.cards
        new_cards = sum(c.cards for c in r.new_cards)
        timely = sum(c.cards for c in r.new_cards if c.timely)
        decided = sum(c.cards for c in r.new_cards if c.timely is not None)
        complete = sum(f.followups for f in r.followups if f.complete and f.selling)
        selling = sum(f.followups for f in r.followups if f.selling)
        followups = sum(f.followups for f in r.followups)
        responded = sum(1 for w in r.wakes if _responded(w, policy.reactivation_days, self.end))
        wins = sum(w.cards for w in r.wins)
        referred = sum(w.cards for w in r.wins if w.referred)
        requests = sum(q.requests for q in r.requests)
        clear = sum(q.requests for q in r.requests if q.verdict == EventKind.LOST_APPROVED and q.reason
                    and (q.competitor or self.plain(q.reason) not in self.competitor_reasons))
        per_win = [0] * len(FOLLOWUPS_PER_WIN)
        for w in r.wins:
            per_win[max(i for i, (_, least, _) in enumerate(FOLLOWUPS_PER_WIN) if w.followups >= least)] += w.cards
        return Figures(
            owner=owner,
            new_cards=new_cards,
            followups=followups,
            wins=wins,
            losses=sum(loss.losses for loss in r.losses),
            loss_requests=requests,
            open_at_end=sum(funnel.values()),
            funnel=funnel,
            timeliness=Ratio(timely, decided),
            completeness=Ratio(complete, selling),
            conversion=Ratio(wins, valid),
            reactivation=Ratio(responded, len(r.wakes)),
            referral=Ratio(referred, wins),
            loss_clarity=Ratio(clear, requests),
            followups_per_win=tuple(per_win),
            orders=sum(o.orders for o in r.orders),
            cancellations=sum(c.cancellations for c in r.cancellations),
            deliveries=len(r.deliveries),
            after_delivery=Ratio(sum(1 for _, in_time in r.visits if in_time), len(r.visits)),
            referrals=len(r.referrals),
        )


def _status(kind: str | None) -> Status:
    return _STATUS_AFTER.get(kind, Status.OPEN)


def _responded(wake: events.Wake, days: int, end: datetime) -> bool:
    """The customer answered within `days` of the wake-up, and before the period's end: a two-way
    contact reached them, or they wrote back themselves (客户主动) — the waking contact or a later one
    alike, for a greeting or a push sent after the wake-up answers no more than the one that woke the card."""
    until = min(wake.at + timedelta(days=days), end)
    return any(c.reached and (c.channel in TWO_WAY_CHANNELS or c.inbound)
               for c in wake.contacts if wake.at <= c.at <= until)


def _bounds(period: Period, tz) -> tuple[datetime, datetime]:
    """A period's first moment and the first moment after it, in the store's time zone."""
    return (datetime.combine(period.first_day, time(), tzinfo=tz),
            datetime.combine(period.last_day + timedelta(days=1), time(), tzinfo=tz))


def _grade_accuracy(session: Session, start: datetime, end: datetime,
                    grades: tuple | None = None) -> list[GradeAccuracy]:
    """Gradings (to `grades`, by default every grade) whose horizon ended in the period: was the card
    won within it?"""
    horizons = {g.code: timedelta(days=g.horizon_days) for g in grades or session.policy.grades if g.horizon_days}
    windows = {grade: (start - horizon, end - horizon, horizon.days) for grade, horizon in horizons.items()}
    found = sql.gradings(session.store, session.visible(), windows, end)
    order = list(horizons)
    return [
        GradeAccuracy(g.grader, g.grade, horizons[g.grade].days,
                      Ratio(g.won + sum(n for at, won_at, n in g.near if won_at <= at + horizons[g.grade]), g.graded))
        for g in sorted(found, key=lambda g: (g.grader is None, g.grader or "", order.index(g.grade)))
    ]


def _sums(pairs: Iterable[tuple[str, int]], known: list[str]) -> dict[str, int]:
    """Totals per key: known keys first in their order (zeros dropped), then others by size."""
    totals: dict[str, int] = {}
    for key, n in pairs:
        totals[key] = totals.get(key, 0) + n
    ordered = {k: totals[k] for k in known if totals.get(k)}
    rest = sorted((k for k in totals if k not in ordered), key=lambda k: (-totals[k], k))
    return {**ordered, **{k: totals[k] for k in rest}}
