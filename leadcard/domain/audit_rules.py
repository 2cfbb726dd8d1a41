"""The audit's rules as data: what a card looked like at the audit's moment (`CardState`), one
small function per rule yielding what it breached, and the table giving each rule its stable name,
severity, default limits (from the store's policy numbers) and the reason it exists (DOMAIN.md,
"Audit"). `leadcard.domain.audit` runs them.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Iterator, Mapping, NamedTuple

from leadcard.domain import audit_words
from leadcard.model import CARD_FIELDS, REACHING_CHANNELS, UNVISITED_SOURCES, WRITTEN_CHANNELS, Channel, Status
from leadcard.model.audit import Rule, Severity
from leadcard.schedule import (
    Policy,
    add_working_days,
    first_call_deadline,
    first_touch_deadline,
    is_working_day,
)
from leadcard.domain.session import Session, calendar_year
from leadcard.store.audit import Entry, History


FIELD_LABELS = {name: label for name, label, _ in CARD_FIELDS}


class Breach(NamedTuple):
    """What a rule found on one card: when it happened, and what was expected against what was done."""

    at: datetime
    message: str
    expected: str
    actual: str
    followup: int | None = None
    ongoing: bool = False  # still true at the audit's moment (kept by --since however old)
    who: str | None = None  # who must act, when the rule names someone else than the card's owner


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
    won_at: datetime | None = None
    handover_at: datetime | None = None
    lost_at: datetime | None = None
    lost: dict = field(default_factory=dict)  # the loss request: reason, competitor, note
    approvals: list[tuple[datetime, str | None]] = field(default_factory=list)  # losses approved: when, requested by
    imported_at: datetime | None = None  # brought in by `leadcard import`: what is dated before is history

    @property
    def created_at(self) -> datetime:
        return self.history.created_at

    def grade_at(self, moment: datetime) -> str:
        index = bisect_right(self.grade_times, moment) - 1
        return self.grade_codes[max(index, 0)] if self.grade_codes else self.grade


class Context:
    """What every rule needs: the policy, the moment, the time zone, the calendar."""

    def __init__(self, session: Session, as_of: datetime, reviewers: bool):
        self.session = session
        self.policy: Policy = session.policy
        self.tz: tzinfo = session.tz
        self.as_of = as_of
        self.today = as_of.date()
        self.reviewers = reviewers
        self.comebacks: dict = {}  # phones of approved losses seen again, by phone (false-loss reads them)
        self.quotes: dict = {}  # each card's latest quote at the moment, by card id (quote-expired reads them)
        self._calendars: dict[int, tuple[frozenset[date], frozenset[date]]] = {}
        fallback = min(g.cadence_days for g in self.policy.grades)
        self._cadence = {g.code: g.cadence_days for g in self.policy.grades}
        self._cadence_fallback = fallback

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
                cal = calendar_year(self.session.store, year)
                self._calendars[year] = (cal.holidays, cal.swapped_workdays)
            holidays |= self._calendars[year][0]
            swapped |= self._calendars[year][1]
        return holidays, swapped


# -- formatting the numbers of a finding ----------------------------------------------------------


def span(delta: timedelta) -> str:
    """A duration the way a supervisor says it: 6天19小时, 5小时20分, 40分钟."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{mins}分" if mins else f"{hours}小时"
    return f"{mins}分钟"


def _hours(limit: float) -> str:
    return f"{limit:g} 小时"


_NOISE = re.compile(r"[\W_]+")


@lru_cache(maxsize=1 << 16)  # plans and purposes repeat: "电话", "考虑得怎么样" …
def plain(text: str | None) -> str:
    """Text as the word lists compare it: no spaces or punctuation, full-width folded, lower case."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", text or "").lower())


# -- the rules --------------------------------------------------------------------------------------


def _first_contact(c: CardState, ctx: Context, deadline: datetime, limit: str, first: datetime | None,
                   what: str) -> Iterator[Breach]:
    """Both clocks run from when the customer left (离店), else from the card's creation; a lead
    that never visited from its arrival."""
    start = c.history.left_at or c.created_at
    if c.history.left_at:
        since = "离店"
    else:
        since = "线索到达" if c.history.source in UNVISITED_SOURCES else "建卡"
    made = ctx.md(start, clock=True)
    if first is not None:
        if first > deadline:
            took = span(first - start)
            yield Breach(deadline, f"{since}（{made}）后 {took} 才{what}（时限 {limit}）", f"≤ {limit}", took)
        return
    end = c.closed_at or ctx.as_of
    if end <= deadline:
        return  # not due yet, or the card ended before it was
    waited = span(end - start)
    if c.closed_at is not None:
        message = f"{since}（{made}）后直到结案（{ctx.md(c.closed_at)}）都没有{what}（时限 {limit}）"
    else:
        message = f"{since}（{made}）已 {waited}，还没有{what}（时限 {limit}）"
    yield Breach(deadline, message, f"≤ {limit}", f"{waited} 未做", ongoing=c.closed_at is None)


def _working(ctx: Context, source: str, limit: str) -> str:
    """A limit counted in working hours says so."""
    if source in ctx.policy.source_first_call_minutes:
        opening, closing = ctx.policy.working_hours
        return f"{limit}，营业时间 {opening:%H:%M}–{closing:%H:%M} 内计"
    return limit


def first_touch_late(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    first = next((e.at for e in c.entries if e.channel in WRITTEN_CHANNELS), None)
    h, hours = c.history, limits["limit_hours"]
    # Local time: working hours are the showroom's (the audit reads moments in UTC).
    deadline = first_touch_deadline(ctx.local(h.left_at or h.created_at), h.source, ctx.policy, hours)
    unvisited = h.source in UNVISITED_SOURCES and h.left_at is None
    what = "发短信/微信" if unvisited else "发感谢短信/微信"  # nobody thanks a lead for a visit it never made
    return _first_contact(c, ctx, deadline, _working(ctx, h.source, _hours(hours)), first, what)


def first_call_late(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    # Any contact that reached the customer by voice or face to face; a failed call confirms nothing.
    first = next((e.at for e in c.entries if e.reached and e.channel in REACHING_CHANNELS), None)
    h, hours = c.history, limits["limit_hours"]
    deadline = first_call_deadline(ctx.local(h.left_at or h.created_at), h.source, ctx.policy, hours)
    minutes = ctx.policy.source_first_call_minutes.get(h.source)
    limit = _working(ctx, h.source, f"{minutes} 分钟") if minutes is not None else _hours(hours)
    return _first_contact(c, ctx, deadline, limit, first, "电话或当面联系上客户")


def cadence_gap(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    grace = limits["grace_days"]
    previous: Entry | None = None
    for entry in c.entries:
        if previous is not None and (c.closed_at is None or entry.at <= c.closed_at):
            code = c.grade_at(previous.at)
            cadence = ctx.cadence(code)
            # Whole calendar days between the contacts' dates can exceed the cadence only if
            # the time between them reaches it: most pairs are settled without a time zone.
            if entry.at - previous.at >= timedelta(days=cadence + grace):
                days = (ctx.day(entry.at) - ctx.day(previous.at)).days
                if days > cadence + grace:
                    yield Breach(
                        previous.at + timedelta(days=cadence),
                        f"第 {previous.seq} 次（{ctx.md(previous.at)}）到第 {entry.seq} 次"
                        f"（{ctx.md(entry.at)}）相隔 {days} 天（{code} 级每 {cadence} 天联系一次）",
                        f"≤ {cadence} 天", f"{days} 天", entry.seq,
                    )
        previous = entry
    if previous is None or c.status != Status.OPEN or c.dormant:
        return
    cadence = ctx.cadence(c.grade)
    last_day = ctx.day(previous.at)
    if previous.next_at is not None and ctx.day(previous.next_at) <= last_day + timedelta(days=cadence):
        return  # a date within the cadence is planned: `overdue` watches it
    days = (ctx.today - last_day).days
    if days > cadence + grace:
        message = f"最后一次联系是第 {previous.seq} 次（{ctx.md(previous.at)}），已 {days} 天（{c.grade} 级每 {cadence} 天联系一次）"
        if previous.next_at is not None:
            message += f"；约定的下次访问 {ctx.md(previous.next_at)} 超出周期"
        yield Breach(previous.at + timedelta(days=cadence), message, f"≤ {cadence} 天", f"{days} 天",
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
        message = f"第 {entry.seq} 次（{ctx.md(entry.at)}）没有写下次访问时间"
        ongoing = index == last and c.status == Status.OPEN
        if ongoing:
            message += f"，此后 {(ctx.today - ctx.day(entry.at)).days} 天没有联系，也没有结果"
        yield Breach(entry.at, message, "写明下次访问时间", "未写", entry.seq, ongoing)


def overdue(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    grace = limits["grace_days"]
    entries = c.entries
    for index, entry in enumerate(entries):
        if entry.next_at is None or (c.closed_at is not None and entry.next_at > c.closed_at):
            continue
        planned = ctx.day(entry.next_at)
        passed = ctx.start_of(planned + timedelta(days=1 + grace))
        if index + 1 < len(entries):
            after = entries[index + 1]
            late = (ctx.day(after.at) - planned).days
            if late > grace:
                yield Breach(passed, f"第 {entry.seq} 次约定 {planned:%Y-%m-%d} 回访，第 {after.seq} 次到 "
                             f"{ctx.day(after.at):%Y-%m-%d} 才联系（晚 {late} 天）",
                             f"{planned:%Y-%m-%d}", f"{ctx.day(after.at):%Y-%m-%d}", after.seq)
        elif c.status == Status.OPEN:
            late = (ctx.today - planned).days
            if late > grace:
                yield Breach(passed, f"下次访问 {planned:%Y-%m-%d} 已过 {late} 天，没有联系（第 {entry.seq} 次约定）",
                             f"{planned:%Y-%m-%d} 联系", f"过期 {late} 天", entry.seq, ongoing=True)


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
                reasons.append(f"内容只有「{entry.content.strip()}」")
        plan = plain(entry.plan) if entry.plan else ""
        if plan:
            if plan in channel_plans:
                reasons.append(f"跟踪方案只写了「{entry.plan.strip()}」")
            if previous_plan is not None and plan == previous_plan[0]:
                reasons.append(f"跟踪方案与第 {previous_plan[1]} 次相同")
            previous_plan = (plan, entry.seq)
        if index > 0 and entry.reached and not _filled(entry.bottleneck) and not _filled(entry.problem):
            reasons.append("没有瓶颈分析")
        if entry.purpose and _checking_in(plain(entry.purpose), checking_in):
            reasons.append(f"访问目的「{entry.purpose.strip()}」只是问候")
        if reasons:
            yield Breach(entry.at, f"第 {entry.seq} 次（{ctx.md(entry.at)}）：" + "；".join(reasons),
                         "写清客户问题、瓶颈分析、具体方案和目的", "；".join(reasons), entry.seq)


def _filled(text: str | None) -> bool:
    return bool(text and text.strip())


@lru_cache(maxsize=1 << 14)
def _checking_in(purpose: str, phrases: frozenset[str]) -> bool:
    """A purpose that is a checking-in phrase, or holds one long enough not to be a coincidence."""
    return purpose in phrases or any(len(p) >= 4 and p in purpose for p in phrases)


def unsigned(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    if not ctx.reviewers or c.status != Status.OPEN or c.dormant or not c.entries:
        return
    days = limits["after_days"]
    last_signed = c.history.instructions[-1] if c.history.instructions else None
    cutoff = ctx.as_of - timedelta(days=days)
    # Imported follow-ups were signed (or not) on paper: a supervisor signs what is written here.
    signed_before = max(filter(None, (last_signed, c.imported_at)), default=None)
    waiting = [e for e in c.originals
               if (signed_before is None or e.recorded_at > signed_before) and e.recorded_at <= cutoff]
    if waiting:
        first = min(waiting, key=lambda e: e.recorded_at)
        age = (ctx.today - ctx.day(first.recorded_at)).days
        yield Breach(first.recorded_at + timedelta(days=days),
                     f"{len(waiting)} 次跟进没有主管批示（最早第 {first.seq} 次，{ctx.md(first.recorded_at)} 记录，"
                     f"已 {age} 天；应在 {days:g} 天内批示）",
                     f"≤ {days:g} 天内批示", f"{age} 天未批", first.seq, ongoing=True)


def stale_grade(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    if c.status != Status.OPEN or c.dormant:
        return
    grade = ctx.policy.known_grade(c.grade)
    if grade is None or grade.horizon_days is None:
        return
    held = (ctx.today - ctx.day(c.grade_since)).days
    if held > grade.horizon_days + limits["grace_days"]:
        yield Breach(c.grade_since + timedelta(days=grade.horizon_days),
                     f"{grade.code} 级（{grade.label}）自 {ctx.md(c.grade_since)} 已保持 {held} 天未成交"
                     f"（应在 {grade.horizon_days} 天内购车），请重新判断级别",
                     f"≤ {grade.horizon_days} 天", f"{held} 天", ongoing=True)


def gave_up_early(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    if c.lost_at is None or c.status not in (Status.LOST_PENDING, Status.LOST):
        return
    needed = limits["min_followups"]
    made = sum(1 for e in c.entries if e.at <= c.lost_at)
    if made < needed:
        yield Breach(c.lost_at,
                     f"{c.grade_at(c.lost_at)} 级客户只跟进了 {made} 次就申请战败（{ctx.md(c.lost_at)}）；"
                     f"八成成交在第 4–11 次跟进之后（至少 {needed:g} 次）",
                     f"≥ {needed:g} 次", f"{made} 次")


def lost_without_reason(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    if c.lost_at is None or c.status not in (Status.LOST_PENDING, Status.LOST):
        return
    reason = str(c.lost.get("reason") or "").strip()
    competitor = str(c.lost.get("competitor") or "").strip()
    note = str(c.lost.get("note") or "").strip()
    problems = []
    if not reason:
        problems.append("战败申请没有写原因")
    elif plain(reason) in limits["_vague_reasons"] and not note:
        problems.append(f"战败原因只写了「{reason}」，没有说明")
    if reason and plain(reason) in limits["_competitor_reasons"] and not competitor:
        problems.append(f"战败原因是「{reason}」，却没有写客户买了哪款车")
    if problems:
        yield Breach(c.lost_at, "；".join(problems) + f"（{ctx.md(c.lost_at)} 申请）",
                     "原因、所购竞品和分析", "；".join(problems))


def approval_pending(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    if c.status != Status.LOST_PENDING or c.lost_at is None:
        return
    hours = limits["limit_hours"]
    waited = ctx.as_of - c.lost_at
    if waited > timedelta(hours=hours):
        reason = c.lost.get("reason") or "—"
        yield Breach(c.lost_at + timedelta(hours=hours),
                     f"战败申请（{ctx.md(c.lost_at, clock=True)}，原因「{reason}」）已等待 {span(waited)} 未审批"
                     f"（时限 {_hours(hours)}）",
                     f"≤ {_hours(hours)}", span(waited), ongoing=True)


def late_record(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    hours = limits["limit_hours"]
    allowed = timedelta(hours=hours)
    for entry in c.originals:
        late = entry.recorded_at - entry.at
        if late > allowed:
            yield Breach(entry.recorded_at,
                         f"第 {entry.seq} 次：{ctx.md(entry.at, clock=True)} 的联系到 "
                         f"{ctx.md(entry.recorded_at, clock=True)} 才记录（晚 {span(late)}，时限 {_hours(hours)}）",
                         f"≤ {_hours(hours)}", span(late), entry.seq)


def incomplete_card(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    if c.status != Status.OPEN:
        return
    wanted = limits["fields"]
    missing = [FIELD_LABELS[name] for name in wanted if c.history.fields.get(name) in (None, "")]
    if missing:
        yield Breach(c.created_at, f"卡片缺少{'、'.join(missing)}",
                     "填写" + "、".join(FIELD_LABELS[n] for n in wanted), f"缺 {len(missing)} 项", ongoing=True)


def objection_unhandled(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    """An objection with no handling plan in time: a plan written at that follow-up or a later one,
    or a playbook script for the objection (one written before the objection counts too)."""
    hours = limits["limit_hours"]
    window = timedelta(hours=hours)
    for index, entry in enumerate(c.entries):
        if not entry.objections:
            continue
        deadline = entry.at + window
        if deadline > ctx.as_of or (c.closed_at is not None and c.closed_at <= deadline):
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
                message = (f"第 {entry.seq} 次（{ctx.md(entry.at)}）客户提出「{label}」，"
                           f"{span(handled_late - entry.at)} 后才有处理方案（时限 {_hours(hours)}）")
                actual = span(handled_late - entry.at)
            else:
                message = (f"第 {entry.seq} 次（{ctx.md(entry.at)}）客户提出「{label}」，已 "
                           f"{span(ctx.as_of - entry.at)} 没有处理方案：写跟踪方案，或请主管补充话术库"
                           f"（时限 {_hours(hours)}）")
                actual = "无方案"
            yield Breach(deadline, message, f"≤ {_hours(hours)} 形成异议处理方案", actual, entry.seq,
                         ongoing=handled_late is None and c.status == Status.OPEN)


def duplicate_phone(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    """Judged across cards once the pass is over (see `_phone_conflicts`)."""
    return iter(())


def visit_without_card(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    """Judged over the showroom log, not over cards (see `_visits_without_card`)."""
    return iter(())


def handover_late(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    if c.status != Status.WON or c.won_at is None:
        return
    allowed = int(limits["limit_working_days"])
    won = ctx.local(c.won_at)
    end = ctx.local(c.handover_at) if c.handover_at is not None else ctx.as_of
    holidays, swapped = ctx.calendar(won.year, max(end.year, won.year + 1))
    deadline = add_working_days(won, allowed, holidays, swapped)
    if end <= deadline:
        return
    taken = sum(1 for n in range(1, (end.date() - won.date()).days + 1)
                if is_working_day(won.date() + timedelta(days=n), holidays, swapped))
    if c.handover_at is not None:
        message = f"成交（{ctx.md(won)}）后第 {taken} 个工作日（{ctx.md(end)}）才交接售后（时限 {allowed} 个工作日）"
    else:
        message = f"成交（{ctx.md(won)}）已 {taken} 个工作日，还没有交接售后（时限 {allowed} 个工作日）"
    yield Breach(deadline, message, f"≤ {allowed} 个工作日", f"{taken} 个工作日", ongoing=c.handover_at is None)


# -- the table of rules -----------------------------------------------------------------------------


def _vague_defaults(policy: Policy) -> dict:
    return {
        "min_content_chars": 5,
        "vague_contents": list(audit_words.VAGUE_CONTENTS),
        "channel_plans": list(audit_words.CHANNEL_PLANS),
        "checking_in": list(audit_words.CHECKING_IN),
    }


RULES: tuple[Rule, ...] = (
    Rule("first-touch-late", "触达", "首次触达超时：离店后没有及时发感谢短信/微信", Severity.WARNING, first_touch_late,
         lambda p: {"limit_hours": p.first_touch_hours},
         "First touch: SMS or WeChat thank-you within 3 hours of the customer leaving (best within 30 min); "
         "it is the card's first follow-up. A call does not replace the written thank-you."),
    Rule("first-call-late", "首电", "首次电话超时：离店后没有及时电话（或到店、试驾、上门）联系上客户确认级别", Severity.ERROR, first_call_late,
         lambda p: {"limit_hours": p.first_call_hours},
         "First call: a phone call within 24 hours of the customer leaving to confirm the grade — the second "
         "follow-up; a customer who came back or test-drove was reached better than by phone, and a call that "
         "did not reach them confirms nothing. An online or 400 lead is called within minutes, in working "
         "hours (policy [sources.online] first_call_minutes). Grading only "
         "from the showroom log and calling days later loses hot customers (a card created 3 May whose first "
         "contact was 10 May is the textbook failure)."),
    Rule("cadence-gap", "间隔", "跟进间隔超过级别周期", Severity.WARNING, cadence_gap,
         lambda p: {"grace_days": 0, "cadence_days": {g.code: g.cadence_days for g in p.grades}},
         "A grade is the consultant's judgement of how soon the customer will buy; it sets how often they must "
         "be contacted (HABC: H every day, A every 7 days, B every 14, C every 30). Showrooms open on "
         "weekends, so contact cadence counts calendar days."),
    Rule("no-next-date", "无下次", "跟进没有写下次访问时间", Severity.WARNING, no_next_date,
         lambda p: {},
         "Every follow-up must set the next contact date; a card with no next date is a lost customer nobody "
         "noticed (a customer who said \"I'll come by after the Dragon Boat festival\", with no follow-up "
         "planned after it, was found a week after the festival with no contact and no outcome)."),
    Rule("overdue", "逾期", "约定的下次访问时间已过，没有联系", Severity.ERROR, overdue,
         lambda p: {"grace_days": 0},
         "The next contact date is a promise to the customer and the plan of the consultant's day: a date "
         "passed without contact is a customer left to the competitors."),
    Rule("vague-record", "敷衍", "跟进记录敷衍：一词内容、只写渠道的方案、重复方案、无瓶颈分析、问候式目的",
         Severity.WARNING, vague_record, _vague_defaults,
         "A serious follow-up answers four questions: what is the customer's problem, how do we solve it, is "
         "that feasible, what are the competitors doing. \"Phone\" is not a plan; \"have you thought about "
         "it?\" is not a purpose."),
    Rule("unsigned", "未批", "跟进没有主管批示", Severity.INFO, unsigned,
         lambda p: {"after_days": 2},
         "A supervisor reads the team's cards daily before the evening meeting and writes an instruction "
         "(主管批示) under follow-ups; a card nobody signs is a card consultants fill in for show. The "
         "finding is the supervisor's: the consultant's team's (the manager where the team has none).",
         acts="supervisor"),
    Rule("stale-grade", "级别", "级别保持超过期限仍未成交，需要重新判断", Severity.WARNING, stale_grade,
         lambda p: {"grace_days": 0, "horizon_days": {g.code: g.horizon_days for g in p.grades if g.horizon_days}},
         "Grades change over time; a grade H held past its horizon (7 days) with no order is stale and must "
         "be re-judged."),
    Rule("gave-up-early", "放弃", "跟进不足四次就申请战败", Severity.WARNING, gave_up_early,
         lambda p: {"min_followups": 4},
         "2% of sales close at the first contact, 3% after the 1st follow-up, 5% after the 2nd, 10% after the "
         "3rd, and 80% after the 4th to 11th. A card closed as lost with fewer than four follow-ups deserves "
         "a question."),
    Rule("lost-without-reason", "无因", "战败没有原因、所购竞品或说明", Severity.ERROR, lost_without_reason,
         lambda p: {"vague_reasons": list(audit_words.VAGUE_LOSS_REASONS),
                    "competitor_reasons": list(audit_words.COMPETITOR_LOSS_REASONS)},
         "A card ends as lost (战败) with a reason, the competitor bought and an analysis; stores fine "
         "invented defeats."),
    Rule("approval-pending", "待审", "战败申请等待主管审批过久", Severity.WARNING, approval_pending,
         lambda p: {"limit_hours": 24},
         "A consultant requests a lost sale and a supervisor approves or rejects it: a request left waiting "
         "is a customer nobody works and nobody has given up on. The finding is the approver's: the "
         "supervisor of the consultant's team (the manager where the team has none, or for a supervisor's "
         "own card).", acts="supervisor"),
    Rule("late-record", "补录", "联系之后过久才记录", Severity.INFO, late_record,
         lambda p: {"limit_hours": p.record_within_hours},
         "Record a contact within 1 hour of making it: details fade, and a record written days later is "
         "often written for the inspection."),
    Rule("incomplete-card", "不全", "卡片信息不完整", Severity.INFO, incomplete_card,
         lambda p: {"fields": ["model", "budget", "timeline"]},
         "Card rules: timely (created at once), complete (every field has a use), true (no invented data)."),
    Rule("duplicate-phone", "撞单", "同一电话有两张在跟卡片（归属冲突）", Severity.ERROR, duplicate_phone,
         lambda p: {},
         "One card per prospect: two open cards with the same phone are an ownership conflict between "
         "consultants."),
    Rule("handover-late", "交接", "成交后没有按时交接售后", Severity.WARNING, handover_late,
         lambda p: {"limit_working_days": p.handover_working_days},
         "A won deal is handed to after-sales within 1 working day. Working days follow the Chinese statutory "
         "calendar, including swapped weekend workdays (调休)."),
    Rule("objection-unhandled", "异议", "客户异议没有及时形成处理方案", Severity.WARNING, objection_unhandled,
         lambda p: {"limit_hours": p.objection_plan_hours},
         "An objection (price above a competitor, long delivery) gets a handling plan within 24 hours — with "
         "the supervisor, as a competitor comparison or a stock arrangement — and the answer goes into the "
         "script library (话术库) for the next consultant who hears it."),
    Rule("visit-without-card", "未建卡", "来店留档的客户没有及时建卡", Severity.WARNING, visit_without_card,
         lambda p: {"limit_minutes": p.visit_card_minutes},
         "A visit that left contact details must turn into a card, ideally within 30 minutes of the customer "
         "leaving: a customer in the showroom log with no card is a lead nobody follows."),
)
