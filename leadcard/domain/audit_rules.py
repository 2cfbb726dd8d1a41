"""The audit's rules as data: what a card looked like at the audit's moment (`CardState`), one
small function per rule yielding what it breached, and the table giving each rule its stable name,
severity, default limits (from the store's policy numbers) and the reason it exists (DOMAIN.md,
"Audit"). `leadcard.domain.audit` runs them.

A finding's words are put in the reader's language as it is made (`_()`); the table's labels, titles
and reasons are marked with `N_()` and translated where they are shown.
"""

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from operator import attrgetter
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Callable, Iterator, Mapping, NamedTuple

from leadcard.domain import audit_words
from leadcard.domain.audit_spans import days, every, in_hours, listing, span, times, working_days
from leadcard.domain.persistence import MIN_FOLLOWUPS
from leadcard.i18n import N_, _
from leadcard.model import CARD_FIELDS, REACHING_CHANNELS, UNVISITED_SOURCES, WRITTEN_CHANNELS, Channel, Status
from leadcard.model.audit import Rule, Severity
from leadcard.chinacal import is_working_day, working_days_end
from leadcard.schedule import Policy, first_call_deadline, first_touch_deadline
from leadcard.domain.session import Session, calendar_year
from leadcard.store.audit import Entry, History


FIELD_LABELS = {name: label for name, label, _ in CARD_FIELDS}
_AT = attrgetter("at")  # a follow-up's time, by which its card's are bisected


class Breach(NamedTuple):
    """What a rule found on one card: when it happened, and what was expected against what was done."""

    at: datetime
    message: str
    expected: str
    actual: str
    followup: int | None = None
    ongoing: bool = False  # still true at the audit's moment (kept by --since however old)
    who: str | None = None  # who must act, when the rule names someone else than the card's owner


class OrderSpan(NamedTuple):
    """An order (成交/订车) on the card: from it to its delivery, cancellation or reopening."""

    at: datetime
    ended_at: datetime | None = None  # still waiting for its car at the audit's moment: None
    delivered: bool = False
    legacy: bool = False  # won before orders were kept: delivered that day, visits not asked for
    reopened: bool = False  # ended by the deal reopened (重新打开), not by a cancellation (退订)


@dataclass
class CardState:
    """One card as it stood at the audit's moment."""

    history: History
    owner: str | None
    status: Status
    grade: str
    grade_since: datetime
    grade_times: list[datetime]
    grade_codes: list[str]
    entries: list[Entry]  # effective follow-ups (corrections replace what they correct), in time order
    originals: list[Entry]  # every follow-up that is not a correction, as first recorded
    dormant: bool
    closed_at: datetime | None = None  # when it last left `open` (won, loss requested, invalid)
    handover_at: datetime | None = None
    lost_at: datetime | None = None
    lost: dict = field(default_factory=dict)  # the loss request: reason, competitor, note
    approvals: list[tuple[datetime, str | None]] = field(default_factory=list)  # losses approved: when, requested by
    imported_at: datetime | None = None  # brought in by `leadcard import`: what is dated before is history
    requested_by: str | None = None  # who asked for the loss still pending: never its approver
    delivered_at: datetime | None = None  # 交车, when the card is delivered
    orders: list[OrderSpan] = field(default_factory=list)
    followed: list[Entry] = field(default_factory=list)  # every effective follow-up, in time order
    edits: list[tuple[datetime, dict]] = field(default_factory=list)  # 修改资料: when, {field: [before, after]}

    @property
    def created_at(self) -> datetime:
        return self.history.created_at

    def grade_at(self, moment: datetime) -> str:
        index = bisect_right(self.grade_times, moment) - 1
        return self.grade_codes[max(index, 0)] if self.grade_codes else self.grade

    def before(self, moment: datetime) -> int:
        """How many of the effective follow-ups came before the moment (they are in time order)."""
        return bisect_left(self.entries, moment, key=_AT)


class Context:
    """What every rule needs: the policy, the moment, the time zone, the calendar; and where the
    audit's window starts (`since_at`, in UTC as the records are): a breach before it that is over is
    not told, so a rule may pass over what could only give such a breach."""

    def __init__(self, session: Session, as_of: datetime, reviewers: bool, since_at: datetime):
        self.session = session
        self.policy: Policy = session.policy
        self.tz: tzinfo = session.tz
        self.as_of = as_of
        self.today = as_of.date()
        self.reviewers = reviewers
        self.comebacks: dict = {}  # phones of approved losses seen again, by phone (false-loss reads them)
        self.overrides: dict = {}  # records written under an overridden clock, by card (clock-override)
        self._calendars: dict[int, tuple[frozenset[date], frozenset[date]]] = {}
        fallback = min(g.cadence_days for g in self.policy.grades)
        self._cadence = {g.code: g.cadence_days for g in self.policy.grades}
        self._cadence_fallback = fallback
        self.since_at = since_at

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    def day(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def md(self, moment: datetime, clock: bool = False) -> str:
        """A moment in a message: month and day (and time), the year too when it is not this one."""
        local = moment.astimezone(self.tz)
        # Fields, not strftime: an audit of a big store writes this hundreds of thousands of times.
        text = f"{local.month:02d}-{local.day:02d}"
        if local.year != self.today.year:
            text = f"{local.year}-{text}"
        return f"{text} {local.hour:02d}:{local.minute:02d}" if clock else text

    @cached_property
    def playbook(self) -> tuple[dict[str, str], dict[str, datetime]]:
        """Objection labels, and when each objection's first script (话术) was written by the moment."""
        from leadcard.store import objections

        return objections.labels(self.session.store), objections.first_scripts(self.session.store, self.as_of)

    @cached_property
    def sees(self) -> Callable[[int | None], bool]:
        """Whose records the reader may see named (`Session.sees`), asked of the store once an audit."""
        return self.session.sees()

    def cadence(self, grade: str) -> int:
        return self._cadence.get(grade, self._cadence_fallback)

    def start_of(self, day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=self.tz)

    def calendar(self, first_year: int, last_year: int) -> tuple[set[date], set[date]]:
        """China's holidays and swapped workdays (调休) of the years, cached in the store."""
        holidays: set[date] = set()
        swapped: set[date] = set()
        for year in range(first_year, last_year + 1):
            if year not in self._calendars:
                cal = calendar_year(self.session.store, year, self.session.policy)
                self._calendars[year] = (cal.holidays, cal.swapped_workdays)
            holidays |= self._calendars[year][0]
            swapped |= self._calendars[year][1]
        return holidays, swapped


_NOISE = re.compile(r"[\W_]+")


@lru_cache(maxsize=1 << 16)  # plans and purposes repeat: "电话", "考虑得怎么样" …
def plain(text: str | None) -> str:
    """Text as the word lists compare it: no spaces or punctuation, full-width folded, lower case."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", text or "").lower())


# -- the rules --------------------------------------------------------------------------------------


def _first_contact(c: CardState, ctx: Context, deadline: datetime, limit: timedelta, limit_words: Callable[[], str],
                   first: datetime | None, what: str) -> Iterator[Breach]:
    """Both clocks run from when the customer left (离店), else from the card's creation; a lead
    that never visited from its arrival. The limit (`limit` long, counted in working hours where the
    source's are) is put in words only for a breach: most cards have none."""
    start = c.history.left_at or c.created_at
    if first is not None:
        if first > deadline:
            took, words = span(first - start, limit), limit_words()
            yield Breach(deadline, _("{since}后 {took} 才{what}（时限 {limit}）").format(
                since=_clock_start(c, ctx, start), took=took, what=what, limit=words), f"≤ {words}", took)
        return
    end = c.closed_at or ctx.as_of
    if end <= deadline:
        return  # not due yet, or the card ended before it was
    waited, words, since = span(end - start, limit), limit_words(), _clock_start(c, ctx, start)
    if c.closed_at is not None:
        message = _("{since}后直到结案（{closed}）都没有{what}（时限 {limit}）").format(
            since=since, closed=ctx.md(c.closed_at), what=what, limit=words)
    else:
        message = _("{since}已 {waited}，还没有{what}（时限 {limit}）").format(
            since=since, waited=waited, what=what, limit=words)
    yield Breach(deadline, message, f"≤ {words}", _("{waited} 未做").format(waited=waited),
                 ongoing=c.closed_at is None)


def _clock_start(c: CardState, ctx: Context, start: datetime) -> str:
    made = ctx.md(start, clock=True)
    if c.history.left_at:
        return _("离店（{at}）").format(at=made)
    if c.history.source in UNVISITED_SOURCES:
        return _("线索到达（{at}）").format(at=made)
    return _("建卡（{at}）").format(at=made)


def _working(ctx: Context, source: str, limit: str) -> str:
    """A limit counted in working hours says so."""
    if source in ctx.policy.source_first_call_minutes:
        opening, closing = ctx.policy.working_hours
        return _("{limit}，营业时间 {opening}–{closing} 内计").format(
            limit=limit, opening=f"{opening:%H:%M}", closing=f"{closing:%H:%M}")
    return limit


def first_touch_late(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    first = next((e.at for e in c.entries if e.channel in WRITTEN_CHANNELS), None)
    h, hours = c.history, limits["limit_hours"]
    # Local time: working hours are the showroom's (the audit reads moments in UTC).
    deadline = first_touch_deadline(ctx.local(h.left_at or h.created_at), h.source, ctx.policy, hours)
    unvisited = h.source in UNVISITED_SOURCES and h.left_at is None
    what = _("发短信/微信") if unvisited else _("发感谢短信/微信")  # nobody thanks a lead for a visit it never made
    return _first_contact(c, ctx, deadline, timedelta(hours=hours), lambda: _working(ctx, h.source, in_hours(hours)),
                          first, what)


def first_call_late(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    # Any contact that reached the customer by voice or face to face; a failed call confirms nothing.
    first = next((e.at for e in c.entries if e.reached and e.channel in REACHING_CHANNELS), None)
    h, hours = c.history, limits["limit_hours"]
    deadline = first_call_deadline(ctx.local(h.left_at or h.created_at), h.source, ctx.policy, hours)
    minutes = ctx.policy.source_first_call_minutes.get(h.source)

    def limit() -> str:
        if minutes is None:
            return in_hours(hours)
        return _working(ctx, h.source, _("{minutes} 分钟").format(minutes=minutes))

    allowed = timedelta(hours=hours) if minutes is None else timedelta(minutes=minutes)
    return _first_contact(c, ctx, deadline, allowed, limit, first, _("电话或当面联系上客户"))


def may_be_days_apart(earlier: datetime, later: datetime, limit: float) -> bool:
    """Whether two moments' dates can lie more than `limit` calendar days apart: only if more than
    its whole days of time lie between them (the store's zone keeping one offset, as China's does),
    so most pairs are settled without a time zone."""
    return later - earlier > timedelta(days=int(limit))


def cadence_gap(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    grace = limits["grace_days"]
    previous: Entry | None = None
    for entry in c.entries:
        if previous is not None and (c.closed_at is None or entry.at <= c.closed_at):
            code = c.grade_at(previous.at)
            cadence = ctx.cadence(code)
            if may_be_days_apart(previous.at, entry.at, cadence + grace):
                apart = (ctx.day(entry.at) - ctx.day(previous.at)).days
                if apart > cadence + grace:
                    yield Breach(
                        previous.at + timedelta(days=cadence),
                        _("第 {seq} 次（{at}）到第 {next_seq} 次（{next_at}）相隔 {days}（{cadence}）").format(
                            seq=previous.seq, at=ctx.md(previous.at), next_seq=entry.seq, next_at=ctx.md(entry.at),
                            days=days(apart), cadence=every(code, cadence)),
                        f"≤ {days(cadence)}", days(apart), entry.seq,
                    )
        previous = entry
    if previous is None or c.status != Status.OPEN or c.dormant:
        return
    cadence = ctx.cadence(c.grade)
    last_day = ctx.day(previous.at)
    if previous.next_at is not None and ctx.day(previous.next_at) <= last_day + timedelta(days=cadence):
        return  # a date within the cadence is planned: `overdue` watches it
    silent = (ctx.today - last_day).days
    if silent > cadence + grace:
        message = _("最后一次联系是第 {seq} 次（{at}），已 {days}（{cadence}）").format(
            seq=previous.seq, at=ctx.md(previous.at), days=days(silent), cadence=every(c.grade, cadence))
        if previous.next_at is not None:
            message += _("；约定的下次访问 {next_at} 超出周期").format(next_at=ctx.md(previous.next_at))
        yield Breach(previous.at + timedelta(days=cadence), message, f"≤ {days(cadence)}", days(silent),
                     previous.seq, ongoing=True)


def no_next_date(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    called = False
    last = len(c.entries) - 1
    for index, entry in enumerate(c.entries):
        before_first_call = not called
        called = called or entry.channel == Channel.PHONE
        if entry.next_at is not None:
            continue
        if before_first_call and entry.channel in WRITTEN_CHANNELS:
            continue  # the thank-you message: the policy schedules the first call
        if index == last and c.closed_at is not None:
            continue  # the contact that ended the card
        message = _("第 {seq} 次（{at}）没有写下次访问时间").format(seq=entry.seq, at=ctx.md(entry.at))
        ongoing = index == last and c.status == Status.OPEN
        if ongoing:
            message += _("，此后 {days}没有联系，也没有结果").format(days=days((ctx.today - ctx.day(entry.at)).days))
        yield Breach(entry.at, message, _("写明下次访问时间"), _("未写"), entry.seq, ongoing)


def overdue(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    grace = limits["grace_days"]
    entries = c.entries
    # A missed plan is told from the day after its grace, which is never after the next contact: the
    # plans whose next contact came before the window give no breach the audit tells.
    start = max(c.before(ctx.since_at) - 1, 0)
    for index, entry in enumerate(entries[start:], start):
        if entry.next_at is None or (c.closed_at is not None and entry.next_at > c.closed_at):
            continue
        planned = ctx.day(entry.next_at)
        if index + 1 < len(entries):
            after = entries[index + 1]
            contacted_on = ctx.day(after.at)
            late = (contacted_on - planned).days
            if late > grace:
                contacted = f"{contacted_on:%Y-%m-%d}"
                # When the plan was missed is worked out for a breach only: most plans are kept.
                passed = ctx.start_of(planned + timedelta(days=1 + grace))
                yield Breach(passed, _("第 {seq} 次约定 {planned} 回访，第 {next_seq} 次到 {contacted} 才联系（晚 {late}）").format(
                    seq=entry.seq, planned=f"{planned:%Y-%m-%d}", next_seq=after.seq, contacted=contacted,
                    late=days(late)), f"{planned:%Y-%m-%d}", contacted, after.seq)
        elif c.status == Status.OPEN:
            late = (ctx.today - planned).days
            if late > grace:
                passed = ctx.start_of(planned + timedelta(days=1 + grace))
                yield Breach(passed, _("下次访问 {planned} 已过 {late}，没有联系（第 {seq} 次约定）").format(
                    planned=f"{planned:%Y-%m-%d}", late=days(late), seq=entry.seq),
                    _("{planned} 联系").format(planned=f"{planned:%Y-%m-%d}"), _("过期 {late}").format(late=days(late)),
                    entry.seq, ongoing=True)


def vague_record(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    min_chars = limits["min_content_chars"]
    short = limits["_short_content"]
    vague = limits["_vague_contents"]
    channel_plans = limits["_channel_plans"]
    checking_in = limits["_checking_in"]
    previous_plan: tuple[str, int] | None = None
    for index, entry in enumerate(c.entries):
        reasons = []
        if entry.reached and len(entry.content) <= short:  # longer text cannot be one word
            content = plain(entry.content)
            if len(content) < min_chars or content in vague:
                reasons.append(_("内容只有「{content}」").format(content=entry.content.strip()))
        plan = plain(entry.plan) if entry.plan else ""
        if plan:
            if plan in channel_plans:
                reasons.append(_("跟踪方案只写了「{plan}」").format(plan=entry.plan.strip()))
            if previous_plan is not None and plan == previous_plan[0]:
                reasons.append(_("跟踪方案与第 {seq} 次相同").format(seq=previous_plan[1]))
            previous_plan = (plan, entry.seq)
        if index > 0 and entry.reached and not _filled(entry.bottleneck) and not _filled(entry.problem):
            reasons.append(_("没有瓶颈分析"))
        if entry.purpose and _checking_in(plain(entry.purpose), checking_in):
            reasons.append(_("访问目的「{purpose}」只是问候").format(purpose=entry.purpose.strip()))
        if reasons:
            told = _("；").join(reasons)
            yield Breach(entry.at, _("第 {seq} 次（{at}）：{problems}").format(seq=entry.seq, at=ctx.md(entry.at),
                                                                          problems=told),
                         _("写清客户问题、瓶颈分析、具体方案和目的"), told, entry.seq)


def _filled(text: str | None) -> bool:
    return bool(text and text.strip())


@lru_cache(maxsize=1 << 14)
def _checking_in(purpose: str, phrases: frozenset[str]) -> bool:
    """A purpose that is a checking-in phrase, or holds one long enough not to be a coincidence."""
    return purpose in phrases or any(len(p) >= 4 and p in purpose for p in phrases)


def unsigned(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    if not ctx.reviewers or c.status != Status.OPEN or c.dormant or not c.entries:
        return
    after = limits["after_days"]
    last_signed = c.history.last_signed
    cutoff = ctx.as_of - timedelta(days=after)
    # Imported follow-ups were signed (or not) on paper: a supervisor signs what is written here.
    signed_before = max(filter(None, (last_signed, c.imported_at)), default=None)
    # Exactly `after_days` old is still within them, as every limit of the audit is.
    waiting = [e for e in c.originals
               if (signed_before is None or e.recorded_at > signed_before) and e.recorded_at < cutoff]
    if waiting:
        first = min(waiting, key=lambda e: e.recorded_at)
        age = days((ctx.today - ctx.day(first.recorded_at)).days)
        yield Breach(first.recorded_at + timedelta(days=after),
                     _("{count} 次跟进没有主管批示（最早第 {seq} 次，{at} 记录，已 {age}；应在 {limit}内批示）").format(
                         count=len(waiting), seq=first.seq, at=ctx.md(first.recorded_at), age=age, limit=days(after)),
                     _("≤ {limit}内批示").format(limit=days(after)), _("{age}未批").format(age=age), first.seq,
                     ongoing=True)


def stale_grade(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    if c.status != Status.OPEN or c.dormant:
        return
    grade = ctx.policy.known_grade(c.grade)
    if grade is None or grade.horizon_days is None:
        return
    held = (ctx.today - ctx.day(c.grade_since)).days
    if held > grade.horizon_days + limits["grace_days"]:
        yield Breach(c.grade_since + timedelta(days=grade.horizon_days),
                     _("{grade} 级（{label}）自 {since} 已保持 {held}未成交（应在 {horizon}内购车），请重新判断级别").format(
                         grade=grade.code, label=_(grade.label), since=ctx.md(c.grade_since), held=days(held),
                         horizon=days(grade.horizon_days)),
                     f"≤ {days(grade.horizon_days)}", days(held), ongoing=True)


def gave_up_early(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    if c.lost_at is None or c.status not in (Status.LOST_PENDING, Status.LOST):
        return
    needed = limits["min_followups"]
    made = sum(1 for e in c.entries if e.at <= c.lost_at)
    if made < needed:
        yield Breach(c.lost_at,
                     _("{grade} 级客户只跟进了 {made}就申请战败（{at}）；八成成交在第 4–11 次跟进之后（至少 {needed}）").format(
                         grade=c.grade_at(c.lost_at), made=times(made), at=ctx.md(c.lost_at), needed=times(needed)),
                     f"≥ {times(needed)}", times(made))


def lost_without_reason(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    if c.lost_at is None or c.status not in (Status.LOST_PENDING, Status.LOST):
        return
    reason = str(c.lost.get("reason") or "").strip()
    competitor = str(c.lost.get("competitor") or "").strip()
    note = str(c.lost.get("note") or "").strip()
    problems = []
    if not reason:
        problems.append(_("战败申请没有写原因"))
    elif plain(reason) in limits["_vague_reasons"] and not note:
        problems.append(_("战败原因只写了「{reason}」，没有说明").format(reason=reason))
    if reason and plain(reason) in limits["_competitor_reasons"] and not competitor:
        problems.append(_("战败原因是「{reason}」，却没有写客户买了哪款车").format(reason=reason))
    if problems:
        told = _("；").join(problems)
        yield Breach(c.lost_at, _("{problems}（{at} 申请）").format(problems=told, at=ctx.md(c.lost_at)),
                     _("原因、所购竞品和分析"), told)


def approval_pending(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    if c.status != Status.LOST_PENDING or c.lost_at is None:
        return
    hours = limits["limit_hours"]
    allowed = timedelta(hours=hours)
    waited = ctx.as_of - c.lost_at
    if waited > allowed:
        reason = c.lost.get("reason") or "—"
        yield Breach(c.lost_at + allowed,
                     _("战败申请（{at}，原因「{reason}」）已等待 {waited} 未审批（时限 {limit}）").format(
                         at=ctx.md(c.lost_at, clock=True), reason=reason, waited=span(waited, allowed),
                         limit=in_hours(hours)),
                     f"≤ {in_hours(hours)}", span(waited, allowed), ongoing=True)


def late_record(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    hours = limits["limit_hours"]
    allowed = timedelta(hours=hours)
    for entry in c.originals:
        late = entry.recorded_at - entry.at
        if late > allowed:
            yield Breach(entry.recorded_at,
                         _("第 {seq} 次：{at} 的联系到 {recorded} 才记录（晚 {late}，时限 {limit}）").format(
                             seq=entry.seq, at=ctx.md(entry.at, clock=True),
                             recorded=ctx.md(entry.recorded_at, clock=True), late=span(late, allowed),
                             limit=in_hours(hours)),
                         f"≤ {in_hours(hours)}", span(late, allowed), entry.seq)


def incomplete_card(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    if c.status != Status.OPEN:
        return
    wanted = limits["fields"]
    # A field of blanks tells no more than an empty one.
    missing = [_(FIELD_LABELS[name]) for name in wanted if not str(c.history.fields.get(name) or "").strip()]
    if missing:
        yield Breach(c.created_at, _("卡片缺少{fields}").format(fields=listing(missing)),
                     _("填写{fields}").format(fields=listing(_(FIELD_LABELS[n]) for n in wanted)),
                     _("缺 {count} 项").format(count=len(missing)), ongoing=True)


def objection_unhandled(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    """An objection with no handling plan in time: a plan written at that follow-up or a later one,
    or a playbook script for the objection (one written before the objection counts too)."""
    hours = limits["limit_hours"]
    window = timedelta(hours=hours)
    for index, entry in enumerate(c.entries):
        if not entry.objections:
            continue
        deadline = entry.at + window
        # At the deadline itself a plan would still be in time: late only once it has passed.
        if deadline >= ctx.as_of or (c.closed_at is not None and c.closed_at <= deadline):
            continue
        plans = [e.at for e in c.entries[index:] if _filled(e.plan)]
        if any(at <= deadline for at in plans):
            continue
        labels, scripts = ctx.playbook
        for tag in entry.objections:
            scripted = scripts.get(tag)
            if scripted is not None and scripted <= deadline:
                continue
            label = labels.get(tag, tag)
            handled_late = min([*plans, *([scripted] if scripted else [])], default=None)
            if handled_late is not None:
                actual = span(handled_late - entry.at, window)
                message = _("第 {seq} 次（{at}）客户提出「{objection}」，{took} 后才有处理方案（时限 {limit}）").format(
                    seq=entry.seq, at=ctx.md(entry.at), objection=label, took=actual, limit=in_hours(hours))
            elif c.closed_at is not None:
                # The wait ended when the card closed: told up to then, the same on any later day.
                actual = _("无方案")
                message = _("第 {seq} 次（{at}）客户提出「{objection}」，直到结案（{closed}）都没有处理方案（时限 {limit}）").format(
                    seq=entry.seq, at=ctx.md(entry.at), objection=label, closed=ctx.md(c.closed_at),
                    limit=in_hours(hours))
            else:
                actual = _("无方案")
                message = _("第 {seq} 次（{at}）客户提出「{objection}」，已 {waited} 没有处理方案：写跟踪方案，"
                            "或请主管补充话术库（时限 {limit}）").format(
                    seq=entry.seq, at=ctx.md(entry.at), objection=label, waited=span(ctx.as_of - entry.at, window),
                    limit=in_hours(hours))
            yield Breach(deadline, message, _("≤ {limit} 形成异议处理方案").format(limit=in_hours(hours)), actual,
                         entry.seq, ongoing=handled_late is None and c.status == Status.OPEN)


def duplicate_phone(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    """Judged across cards once the pass is over (see `_phone_conflicts`)."""
    return iter(())


def visit_without_card(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    """Judged over the showroom log, not over cards (see `_visits_without_card`)."""
    return iter(())


def working_days_past(ctx: Context, start: datetime, end: datetime, allowed: int) -> tuple[datetime, int | None]:
    """The deadline of `allowed` working days after `start`'s day (its last second), and, when `end`
    is past it, which working day after `start`'s `end` came on — or, on a day off, the next one: a
    day past the deadline is never told as within it (None: in time)."""
    holidays, swapped = ctx.calendar(start.year, max(end.year, start.year + 1))
    deadline = working_days_end(start, allowed, holidays, swapped)
    if end <= deadline:
        return deadline, None
    return deadline, 1 + sum(1 for n in range(1, (end.date() - start.date()).days)
                             if is_working_day(start.date() + timedelta(days=n), holidays, swapped))


def handover_late(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    """The owner is handed to after-sales once the car is delivered, not at the order: by the end of
    the limit's last working day after the delivery's day."""
    if c.status != Status.DELIVERED or c.delivered_at is None:
        return
    allowed = int(limits["limit_working_days"])
    delivered = ctx.local(c.delivered_at)
    end = ctx.local(c.handover_at) if c.handover_at is not None else ctx.as_of
    deadline, taken = working_days_past(ctx, delivered, end, allowed)
    if taken is None:
        return
    limit = working_days(allowed)
    if c.handover_at is not None:
        message = _("交车（{delivered}）后 {at} 才交接售后（时限 {limit}：{deadline} 当天）").format(
            delivered=ctx.md(delivered), at=ctx.md(end, clock=True), limit=limit, deadline=ctx.md(deadline))
    else:
        message = _("交车（{delivered}）后还没有交接售后，已过时限（{limit}：{deadline} 当天）").format(
            delivered=ctx.md(delivered), limit=limit, deadline=ctx.md(deadline))
    yield Breach(deadline, message, f"≤ {limit}", working_days(taken), ongoing=c.handover_at is None)


# -- the table of rules -----------------------------------------------------------------------------


def _vague_defaults(policy: Policy) -> dict:
    return {
        "min_content_chars": 5,
        "vague_contents": list(audit_words.VAGUE_CONTENTS),
        "channel_plans": list(audit_words.CHANNEL_PLANS),
        "checking_in": list(audit_words.CHECKING_IN),
    }


RULES: tuple[Rule, ...] = (
    Rule("first-touch-late", N_("触达"), N_("首次触达超时：离店后没有及时发感谢短信/微信"), Severity.WARNING,
         first_touch_late, lambda p: {"limit_hours": p.first_touch_hours},
         N_("首次触达：客户离店后 3 小时内（最好 30 分钟内）发感谢短信或微信，这是卡片的第一次跟进。"
            "打电话不能代替书面的感谢。")),
    Rule("first-call-late", N_("首电"), N_("首次电话超时：离店后没有及时电话（或到店、试驾、上门）联系上客户确认级别"),
         Severity.ERROR, first_call_late, lambda p: {"limit_hours": p.first_call_hours},
         N_("首次电话：客户离店后 24 小时内打电话确认级别，这是第二次跟进；客户再次到店或来试驾，比电话联系得更充分，"
            "而没有打通的电话什么也确认不了。网络线索和 400 线索要在营业时间内几分钟之内回电"
            "（政策 [sources.online] first_call_minutes）。只凭来店登记定级、几天后才打电话，会丢掉热客户"
            "（5 月 3 日建卡、5 月 10 日才首次联系，就是典型的失败）。")),
    Rule("cadence-gap", N_("间隔"), N_("跟进间隔超过级别周期"), Severity.WARNING, cadence_gap,
         lambda p: {"grace_days": 0, "cadence_days": {g.code: g.cadence_days for g in p.grades}},
         N_("级别是顾问对客户多快购车的判断，它决定多久必须联系一次（HABC：H 级每天、A 级每 7 天、B 级每 14 天、"
            "C 级每 30 天）。展厅周末照常营业，所以联系周期按自然日计算。")),
    Rule("no-next-date", N_("无下次"), N_("跟进没有写下次访问时间"), Severity.WARNING, no_next_date,
         lambda p: {},
         N_("每次跟进都要约定下次联系时间；没有下次时间的卡片，就是没人发现的流失客户（一位客户说“端午节后再来看看”，"
            "之后没有安排跟进，节后一周才发现既没有联系，也没有结果）。")),
    Rule("overdue", N_("逾期"), N_("约定的下次访问时间已过，没有联系"), Severity.ERROR, overdue,
         lambda p: {"grace_days": 0},
         N_("约定的下次联系时间既是对客户的承诺，也是顾问当天的工作安排：过了日期还没有联系，"
            "就是把客户留给了竞争对手。")),
    Rule("vague-record", N_("敷衍"), N_("跟进记录敷衍：一词内容、只写渠道的方案、重复方案、无瓶颈分析、问候式目的"),
         Severity.WARNING, vague_record, _vague_defaults,
         N_("认真的跟进要回答四个问题：客户的问题是什么，我们怎么解决，方案是否可行，竞争对手在做什么。"
            "“电话”不是方案，“考虑得怎么样了？”也不是访问目的。")),
    Rule("unsigned", N_("未批"), N_("跟进没有主管批示"), Severity.INFO, unsigned,
         lambda p: {"after_days": 2},
         N_("主管每天在晚会前阅读本组的卡片，在跟进下面写主管批示；没有人批示的卡片，顾问就只会为应付检查而填写。"
            "这条问题由主管处理：顾问所在组的主管（该组没有主管时由经理处理）。"),
         acts="supervisor"),
    Rule("stale-grade", N_("旧级别"), N_("级别保持超过期限仍未成交，需要重新判断"), Severity.WARNING, stale_grade,
         lambda p: {"grace_days": 0, "horizon_days": {g.code: g.horizon_days for g in p.grades if g.horizon_days}},
         N_("级别会随时间变化：H 级客户超过期限（7 天）仍未订车，说明级别已经过时，必须重新判断。")),
    Rule("gave-up-early", N_("放弃"), N_("跟进不足四次就申请战败"), Severity.WARNING, gave_up_early,
         lambda p: {"min_followups": MIN_FOLLOWUPS},
         N_("成交的客户中，2% 在首次接触时成交，3% 在第 1 次跟进后，5% 在第 2 次后，10% 在第 3 次后，"
            "80% 在第 4 至 11 次跟进之后。跟进不到四次就以战败结案的卡片，值得问一问。")),
    Rule("lost-without-reason", N_("无因"), N_("战败没有原因、所购竞品或说明"), Severity.ERROR, lost_without_reason,
         lambda p: {"vague_reasons": list(audit_words.VAGUE_LOSS_REASONS),
                    "competitor_reasons": list(audit_words.COMPETITOR_LOSS_REASONS)},
         N_("卡片以战败结案时，要写明原因、客户所购的竞品和分析；门店对编造的战败（虚假战败）要罚款。")),
    Rule("approval-pending", N_("待审"), N_("战败申请等待主管审批过久"), Severity.WARNING, approval_pending,
         lambda p: {"limit_hours": 24},
         N_("顾问申请战败，由主管批准或驳回：一直搁置的申请，意味着这位客户既没有人跟进，也没有人放弃。"
            "这条问题由审批人处理：顾问所在组的主管（该组没有主管、卡片是主管自己的，或战败由主管本人申请时，"
            "由经理处理：没有人批准自己的申请）。"),
         acts="supervisor"),
    Rule("late-record", N_("补录"), N_("联系之后过久才记录"), Severity.INFO, late_record,
         lambda p: {"limit_hours": p.record_within_hours},
         N_("每次联系后 1 小时内记录：时间一长细节就会淡忘，几天后才补写的记录，往往是为了应付检查。")),
    Rule("incomplete-card", N_("不全"), N_("卡片信息不完整"), Severity.INFO, incomplete_card,
         lambda p: {"fields": ["model", "budget", "timeline"]},
         N_("建卡三原则：及时（客户一离店就建卡）、完整（每一栏都有用处）、真实（不编造信息）。")),
    Rule("duplicate-phone", N_("撞单"), N_("同一电话有两张在跟卡片（归属冲突）"), Severity.ERROR, duplicate_phone,
         lambda p: {},
         N_("一位客户只建一张卡：同一个电话有两张在跟的卡片，就是顾问之间的归属冲突（撞单），由主管裁定归属。")),
    Rule("handover-late", N_("交接"), N_("交车后没有按时交接售后"), Severity.WARNING, handover_late,
         lambda p: {"limit_working_days": p.handover_working_days},
         N_("交车时完善车主档案，并在 1 个工作日内把客户交接给售后。工作日按国家法定节假日安排计算，周末调休上班的"
            "日子也算工作日。订车记录之前的成交，按成交当天交车计。")),
    Rule("objection-unhandled", N_("异议"), N_("客户异议没有及时形成处理方案"), Severity.WARNING, objection_unhandled,
         lambda p: {"limit_hours": p.objection_plan_hours},
         N_("客户的异议（比如价格高于竞品、交车周期长）要在 24 小时内形成处理方案——和主管一起，做竞品对比或安排现车——"
            "并把答案写进话术库，留给下一位遇到同样异议的顾问。")),
    Rule("visit-without-card", N_("未建卡"), N_("来店留档的客户没有及时建卡"), Severity.WARNING, visit_without_card,
         lambda p: {"limit_minutes": p.visit_card_minutes},
         N_("留下联系方式的来店客户必须建卡，最好在客户离店后 30 分钟内：来店登记上有、却没有卡片的客户，"
            "就是没有人跟进的线索。")),
)
