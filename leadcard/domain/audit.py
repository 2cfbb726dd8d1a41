"""`leadcard audit`: the supervisor's daily check of the cards, as precise as a linter.

The rules are data (`leadcard.domain.audit_rules`, and `audit_floor` for the floor's discipline): one small function per rule and a table giving each its stable name, severity,
default limits (from the store's policy numbers) and the reason it exists (DOMAIN.md, "Audit").
A store overrides any limit, the severity, or switches a rule off in its policy file:

```toml
[audit.first-call-late]
limit_hours = 12
[audit.unsigned]
enabled = false
```

The audit reads the store as it stood at a moment (`--date`: the end of that day): only records
made by then count, and each card's status, owner and grade are rebuilt from its dated events and
grade history, so a past day's audit gives the same answer whenever it is run.

What a person reads — a finding's message, expected and actual, the errors — is in the reader's
language (`_()`), JSON included; rule names, severities and the rest of the JSON are the same in both.
"""

from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta, timezone
from typing import Callable, Iterable, Iterator

from leadcard.errors import BadInput, NotAllowed
from leadcard.i18n import _
from leadcard.model import ACTIVE_STATUSES, EventKind, Role, Status
from leadcard.model.audit import AuditResult, Finding, OwnerSummary, Rule, RuleSettings, Severity
from leadcard.schedule import Policy, day_bounds, days_planned_ahead, visit_card_late
from leadcard.domain import audit_clock, audit_deals, audit_floor, audit_orders, audit_rules
from leadcard.domain.audit_shares import Plan, Share
from leadcard.domain.cores import usable_cores, worker_started
from leadcard.domain.session import Session
from leadcard.store import Scope, Store
from leadcard.store.audit import (History, Person, PhoneHolder, clock_overrides, comebacks, has_reviewers, histories,
                                  people, shared_phones, visible_cards)
from leadcard.store.visits import visits_as_of
from leadcard.domain.audit_rules import (
    FIELD_LABELS,
    Breach,
    CardState,
    Context,
    OrderSpan,
    duplicate_phone,
    plain,
    visit_without_card,
)
from leadcard.domain.audit_spans import days, listing, span

RULES: tuple[Rule, ...] = (audit_rules.RULES + audit_floor.RULES + audit_orders.RULES + audit_deals.RULES
                           + audit_clock.RULES)
RULES_BY_NAME = {rule.name: rule for rule in RULES}
RULE_NAMES = tuple(RULES_BY_NAME)


# Without --since the audit looks back this far; what is still wrong at the moment is reported however old.
LOOKBACK_DAYS = 30
PROGRESS_EVERY = 1_000  # cards between two words to the progress display

# Limits that only describe numbers kept elsewhere in the policy (the grades' own table).
_DESCRIPTIVE = {"cadence_days", "horizon_days", "after_delivery_days"}
# Word lists compared after `plain`, prepared once per audit under a private key.
_WORD_LISTS = {"vague_contents", "channel_plans", "checking_in", "vague_reasons", "competitor_reasons"}
# Hours, days, minutes or counts: a year of hours is beyond any sane limit (as for the policy's own
# numbers), and a larger one (or TOML's inf) would run the audit's dates off the calendar.
_LIMIT_MAX = 24 * 366


def rule_settings(policy: Policy) -> dict[str, RuleSettings]:
    """Every rule with its limits: the defaults, overridden by the store's `[audit.RULE]` tables."""
    tables = policy.audit or {}
    for name in tables:
        if name not in RULES_BY_NAME:
            raise _policy_error(_("政策里的 [audit.{name}] 不是稽核规则（规则有：{rules}）").format(
                name=name, rules=", ".join(RULE_NAMES)))
    settings = {}
    for rule in RULES:
        limits = rule.defaults(policy)
        enabled, severity = True, rule.severity
        for key, value in tables.get(rule.name, {}).items():
            where = _("政策里 [audit.{rule}] 的 {key}").format(rule=rule.name, key=key)
            if key == "enabled":
                if not isinstance(value, bool):
                    raise _policy_error(_("{where} 只能是 true 或 false").format(where=where))
                enabled = value
            elif key == "severity":
                if value not in set(Severity):
                    raise _policy_error(_("{where} 只能是 info、warning 或 error").format(where=where))
                severity = Severity(value)
            elif key not in limits or key in _DESCRIPTIVE:
                known = ", ".join(["enabled", "severity", *(k for k in limits if k not in _DESCRIPTIVE)])
                raise _policy_error(_("{where}：没有这项设置（可设：{settings}）").format(where=where, settings=known))
            elif isinstance(limits[key], list):
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise _policy_error(_("{where} 必须是一组词").format(where=where))
                limits[key] = list(value)
            elif not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise _policy_error(_("{where} 必须是不小于 0 的数").format(where=where))
            elif not value <= _LIMIT_MAX:  # nan too
                raise _policy_error(_("{where} 不能大于 {high}").format(where=where, high=_LIMIT_MAX))
            else:
                limits[key] = value
        if "grades" in limits:  # the grades a rule reads (purchase-plan-late)
            unknown = [g for g in limits["grades"] if policy.known_grade(g) is None]
            if unknown:
                raise _policy_error(_("政策里 [audit.{rule}] 的 grades：没有级别 {grade}（级别有：{grades}）").format(
                    rule=rule.name, grade=unknown[0], grades=", ".join(g.code for g in policy.grades)))
        if "fields" in limits:  # the card's fields a rule reads (incomplete-card, plan-update-late)
            unknown = [f for f in limits["fields"] if f not in FIELD_LABELS]
            if unknown:
                raise _policy_error(_("政策里 [audit.{rule}] 的 fields：没有卡片栏目 {field}（栏目有：{fields}）")
                                    .format(rule=rule.name, field=unknown[0], fields=", ".join(FIELD_LABELS)))
        settings[rule.name] = RuleSettings(rule, enabled, severity, limits)
    return settings


def _policy_error(problem: str) -> BadInput:
    """A mistake in the store's [audit.RULE] tables, and how to put it right."""
    return BadInput(_("{problem}；改好政策文件后运行 leadcard init --policy-file 文件").format(problem=problem))


def beyond_cadence(policy: Policy, grade: str, at: datetime, next_at: datetime, tz) -> str | None:
    """The warning `log` gives at once for a next date beyond the grade's cadence (None: within it,
    or the rule switched off), by the rule's own limits."""
    setting = rule_settings(policy)["plan-beyond-cadence"]
    cadence = policy.grade(grade).cadence_days
    ahead = days_planned_ahead(at, next_at, tz)
    if not setting.enabled or ahead <= cadence + setting.limits["grace_days"]:
        return None
    return _("提醒：下次访问在 {days}后，超出 {grade} 级的联系周期（每 {cadence}）；跟进已记录，请确认日期或调整级别。").format(
        days=days(ahead), grade=grade, cadence=days(cadence))


def explain(session: Session, name: str) -> RuleSettings:
    """One rule, its limits as this store's policy sets them, and why it exists."""
    return rule_settings(session.policy)[_rule_name(name)]


def _rule_name(name: str) -> str:
    key = (name or "").strip().lower()
    if key not in RULES_BY_NAME:
        raise BadInput(_("没有稽核规则 `{name}`；规则有：`{rules}`").format(name=name, rules=", ".join(RULE_NAMES)))
    return key


# -- running the audit ------------------------------------------------------------------------------


def parse_severity(raw: str) -> Severity:
    try:
        return Severity((raw or "").strip().lower())
    except ValueError:
        raise BadInput(_("没有严重程度 `{value}`；可用 `info`、`warning` 或 `error`").format(value=raw)) from None


def audit(
    session: Session,
    day: date | None = None,
    since: date | None = None,
    owner: str | None = None,
    only: Iterable[str] = (),
    ignore: Iterable[str] = (),
    step: Callable[[int, int | None], None] | None = None,
) -> AuditResult:
    """Every visible card checked against every enabled rule, as the store stood at `day`'s end;
    `step(done, None)` hears of the cards read."""
    only = {_rule_name(n) for n in only}
    ignored = {_rule_name(n) for n in ignore}
    settings = rule_settings(session.policy)
    running = [s for s in settings.values() if s.enabled and (not only or s.rule.name in only)
               and s.rule.name not in ignored]
    as_of = _moment(session, day)
    if since is None:
        since = as_of.date() - timedelta(days=LOOKBACK_DAYS)
    elif since > as_of.date():
        raise BadInput(_("--since {since} 晚于稽核的日期（{day}）").format(
            since=since.isoformat(), day=as_of.date().isoformat()))
    since_at = datetime.combine(since, time(), tzinfo=session.tz)
    owner_name = _owner(session, owner)
    store, scope = session.store, session.visible()
    plan = Plan(
        rules=tuple(s.rule.name for s in running), as_of=as_of, since_at=since_at, owner=owner_name,
        reviewers=has_reviewers(store), people=tuple(people(store)))
    ctx, blame = _context(session, plan)
    shares = _audited(session, plan, _shares(session, scope), step)
    findings = [f for share in shares for f in share.findings]
    summaries: dict[str | None, OwnerSummary] = {}
    for share in shares:
        for name, counted in share.summaries.items():
            summaries[name] = _added(summaries[name], counted) if name in summaries else counted
    shared = set().union(*(share.shared for share in shares))
    if shared:
        on_shared_phone = {card_id: card for share in shares for card_id, card in share.on_shared_phone.items()}
        setting = settings["duplicate-phone"]
        holders = shared_phones(store, as_of, sorted(shared))
        findings += [f for card, breach in _phone_conflicts(holders, on_shared_phone, ctx)
                     for f in _findings(setting, card, [breach], ctx, blame)]
    findings.sort(key=lambda f: (f.owner is None, f.owner or "", f.card_id, f.at, RULE_NAMES.index(f.rule)))
    # Counted in the order they are told: rules found as often are listed in it, however the cards
    # were shared out.
    for finding in findings:
        summary = summaries.setdefault(finding.owner, OwnerSummary(finding.owner))
        summary.by_rule[finding.rule] += 1
        summary.by_severity[finding.severity] += 1
    owners = sorted(summaries.values(), key=lambda s: (s.owner is None, s.owner or ""))
    total = OwnerSummary(None)
    for s in owners:
        total = _added(total, s)
    return AuditResult(as_of.date(), as_of, since, owner_name, tuple(running), findings, owners, total,
                       session.policy.timeliness_target, session.policy.first_call_hours)


def _context(session: Session, plan: Plan) -> tuple[Context, "_Blame"]:
    # The window's start in UTC, as the records are dated: two moments in one zone compare without
    # asking it their offsets, a twentieth of the time of a comparison across zones.
    since_at = plan.since_at.astimezone(timezone.utc)
    return Context(session, plan.as_of, plan.reviewers, since_at), _Blame(list(plan.people))


# From this many visible cards, an audit shares them among the machine's cores, one process each: its
# rules are Python, which one process runs on one core. A process takes ~0.2 s to start and open the
# store; this many cards take ~1 s to audit alone (10,000 cards: 1.08 → 0.85 s on 2 cores).
SHARED_FROM = 10_000


def _shares(session: Session, scope: Scope) -> int:
    cores = usable_cores()
    if cores < 2 or visible_cards(session.store, scope) < SHARED_FROM:
        return 1
    return cores


# How another process is started: anew (it imports what a share needs), as Windows and macOS must, on
# Linux too (~0.1 s more than a fork): a fork would copy the locks another thread holds at that
# moment (the progress bar's, on a terminal), which the share could then wait on for ever.
START_METHOD = "spawn"


def _audited(session: Session, plan: Plan, shares: int, step: Callable[[int, int | None], None] | None) -> list[Share]:
    """The cards audited in `shares` shares by card number: the first here, each other at once in a
    process of its own, on a connection of its own. What fails there is raised here; a share whose
    process could not start or was killed is audited here too (slower, the same answer)."""
    if shares == 1:
        return [_audit_share(session, plan, (0, 1), step)]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    store = session.store
    where = store.url if store.server else store.path
    with ProcessPoolExecutor(max_workers=shares - 1, mp_context=multiprocessing.get_context(START_METHOD),
                             initializer=worker_started, initargs=(os.getpid(),)) as pool:
        others = []
        for k in range(1, shares):
            try:
                others.append(pool.submit(_audit_share_apart, where, session.policy, session.now, session.tz,
                                          session.actor, plan, (k, shares)))
            except BrokenProcessPool:  # a process of the pool has died already
                others.append(None)
        done = [_audit_share(session, plan, (0, shares), step)]
        for k, other in enumerate(others, start=1):
            try:
                handed = other.result() if other is not None else None
            except BrokenProcessPool:  # its process could not start, or was killed
                handed = None
            done.append(handed if handed is not None else _audit_share(session, plan, (k, shares), None))
        return done


def _audit_share_apart(where, policy: Policy, now: datetime, tz, actor, plan: Plan, share: tuple[int, int]) -> Share:
    """A share audited in another process, on the store opened there (what fails is handed back as
    it was raised: a database error with its code, which tells busy from damaged)."""
    store = Store.open(where, tz, create=False)
    try:
        return _audit_share(Session(store, policy, now, tz, actor), plan, share, None)
    finally:
        store.close()


def _audit_share(session: Session, plan: Plan, share: tuple[int, int],
                 step: Callable[[int, int | None], None] | None) -> Share:
    """The cards of one share (`histories`' `share`), each checked against every rule of the plan but
    duplicate-phone, which compares cards of every share (the caller checks it); and the showroom
    log's visits without a card, by the first share."""
    settings = rule_settings(session.policy)
    running = [settings[name] for name in plan.rules]
    ctx, blame = _context(session, plan)
    as_of, since_at, owner_name = plan.as_of, plan.since_at, plan.owner
    store, scope = session.store, session.visible()
    # Read by each share itself: handing them over would take a share longer than reading them. A
    # comeback is told only within `within_days` of its loss and inside the window, so only a loss
    # approved from `within_days` before the window on can be told: a card of this share's own.
    if "false-loss" in plan.rules:
        within = timedelta(days=settings["false-loss"].limits["within_days"])
        ctx.comebacks = comebacks(store, scope, as_of, since_at - within, share)
    if "clock-override" in plan.rules:
        ctx.overrides = clock_overrides(store, as_of)
    checks = [(s, _prepared(s.limits)) for s in running if s.rule.check not in (duplicate_phone, visit_without_card)]
    phones = any(s.rule.name == "duplicate-phone" for s in running)
    on_shared_phone: dict[int, CardState | None] = {}
    shared: set[str] = set()
    findings: list[Finding] = []
    summaries: dict[str | None, OwnerSummary] = {}
    fields = tuple(dict.fromkeys(settings["incomplete-card"].limits["fields"]))
    first_call = timedelta(hours=session.policy.first_call_hours)
    # A delivered car's visits run this long after the delivery: its card is judged until then.
    visits = timedelta(days=max(session.policy.after_delivery_days, default=0)
                       + settings["after-delivery-late"].limits["grace_days"] + 1)
    quotes = any(s.rule.name == "quote-expired" for s in running)
    first_quotes = any(s.rule.name == "purchase-plan-late" for s in running)
    revived = next(((s, _prepared(s.limits)) for s in running if s.rule.name == "false-loss"), None)
    for checked, history in enumerate(histories(store, scope, as_of, since_at, fields,
                                                since_at - visits, quotes, revived is not None, phones,
                                                first_quotes, share),
                                      start=1):
        if step is not None and checked % PROGRESS_EVERY == 0:
            step(checked * share[1], None)  # the other shares read about as many meanwhile
        card = _state(history, ctx)
        if owner_name is not None and card.owner != owner_name:
            continue
        if history.shared:
            on_shared_phone[history.id] = card if card.status in ACTIVE_STATUSES else None
            shared.add(history.phone)
        # An order waiting for its car, and a loss request waiting for its verdict, are still someone's
        # work however old they are.
        settled = card.delivered_at + visits if card.status == Status.DELIVERED and card.delivered_at else (
            None if card.status in (Status.WON, Status.LOST_PENDING) else card.closed_at)
        if settled is not None and settled < ctx.since_at:  # the window in UTC, as the records (_context)
            # Closed before the window (and reopened after the moment audited): only a customer
            # lost then who came back inside it is still to be explained.
            if revived is not None and card.approvals:
                setting, limits = revived
                breaches = [b for b in setting.rule.check(card, ctx, limits) if b.at >= ctx.since_at]
                findings += _findings(setting, card, breaches, ctx, blame) if breaches else []
            continue
        summary = summaries.get(card.owner)
        if summary is None:
            summary = summaries[card.owner] = OwnerSummary(card.owner)
        summary.cards += 1
        summary.followups += sum(1 for e in card.entries if e.at >= ctx.since_at)
        _count_timeliness(summary, card, as_of, ctx.since_at, first_call)
        for setting, limits in checks:
            breaches = [b for b in setting.rule.check(card, ctx, limits) if b.ongoing or b.at >= ctx.since_at]
            if breaches:
                findings += _findings(setting, card, breaches, ctx, blame)
    visit_setting = next((s for s in running if s.rule.check is visit_without_card), None)
    # The showroom log's, by the first share: the command's own, which the others start after.
    if visit_setting is not None and share[0] == 0:
        findings += _visits_without_card(session, scope, visit_setting, ctx, since_at, owner_name)
    return Share(findings, summaries, on_shared_phone, shared)


def _added(a: OwnerSummary, b: OwnerSummary) -> OwnerSummary:
    """The counts of two summaries together, under the first's owner."""
    return OwnerSummary(a.owner, a.cards + b.cards, a.followups + b.followups, a.timely + b.timely,
                        a.timeliness_base + b.timeliness_base, a.by_rule + b.by_rule, a.by_severity + b.by_severity)


def _moment(session: Session, day: date | None) -> datetime:
    """The end of the day asked (or now, for today): the audit sees what was recorded by then."""
    if day is None:
        return session.now
    if day > session.today:
        raise BadInput(_("不能稽核 {day}：这一天还没到").format(day=day.isoformat()))
    return min(day_bounds(day, session.tz)[1], session.now)


def _owner(session: Session, owner: str | None) -> str | None:
    if owner is None:
        return None
    user = session.user(owner)
    visible = session.visible().owner_ids
    if visible is not None and user.id not in visible:
        raise NotAllowed(_("{actor} 看不到 {owner} 的卡片").format(actor=session.actor.name, owner=user.name))
    return user.name


def _prepared(limits: dict) -> dict:
    prepared = dict(limits)
    for key in _WORD_LISTS & set(limits):
        prepared["_" + key] = frozenset(plain(w) for w in limits[key])
    if "vague_contents" in limits:
        # Content longer than this (punctuation included) is never a one-word record.
        longest = max((len(w) for w in prepared["_vague_contents"]), default=0)
        prepared["_short_content"] = 2 * max(longest, limits["min_content_chars"]) + 8
    return prepared


def _findings(setting: RuleSettings, card: CardState, breaches: list[Breach], ctx: Context,
              blame: "_Blame") -> Iterator[Finding]:
    """At most one finding per card and rule (and one more for the history an import brought in),
    counting the times. It tells the occurrence still open, if one is (what must be done now),
    else the first (where the habit began)."""
    imported_at = card.imported_at
    fresh, history = [], []
    for breach in breaches:
        past = imported_at is not None and not breach.ongoing and breach.at <= imported_at
        (history if past else fresh).append(breach)
    h = card.history
    for group, imported in ((fresh, False), (history, True)):
        if not group:
            continue
        told = next((b for b in group if b.ongoing), None) or min(group, key=lambda b: b.at)
        if imported:
            # Nobody can act on what was done before the card came here: a note, not a failure.
            severity, owner, message = Severity.INFO, None, _("导入的历史：{message}").format(message=told.message)
        else:
            severity, owner, message = setting.severity, blame.who(setting.rule, card, told), told.message
        yield Finding(setting.rule.name, severity, h.ref, h.id, h.name, owner, ctx.local(told.at), message,
                      told.expected, told.actual, told.followup, len(group), imported)


class _Blame:
    """Who must act on a finding: the card's owner; for the rules a supervisor acts on, the active
    supervisor of the owner's team, else the manager (a supervisor's own card goes to the manager,
    as its loss does); nobody in a store without them."""

    def __init__(self, users: list[Person]):
        self._team = {p.name: p.team for p in users}
        self._supervisors: dict[str | None, list[str]] = {}
        for p in users:
            if p.active and p.role == Role.SUPERVISOR:
                self._supervisors.setdefault(p.team, []).append(p.name)
        self._managers = [p.name for p in users if p.active and p.role == Role.MANAGER]
        self._reviewer: dict[tuple[str | None, str | None], str | None] = {}

    def who(self, rule: Rule, card: CardState, breach: Breach) -> str | None:
        if breach.who is not None:
            return breach.who
        if rule.acts != "supervisor":
            return card.owner
        owner = card.owner
        # A pending loss waits on someone other than who asked for it, as `approve` requires.
        asked = card.requested_by if rule.name == "approval-pending" else None
        key = (owner, asked)
        if key not in self._reviewer:
            team = self._supervisors.get(self._team[owner], []) if owner in self._team else []
            self._reviewer[key] = next((n for n in (*team, *self._managers) if n not in (owner, asked)), None)
        return self._reviewer[key]


def _visits_without_card(session: Session, scope: Scope, setting: RuleSettings, ctx: Context,
                         since_at: datetime, owner: str | None) -> list[Finding]:
    """Showroom-log lines that left a phone but had no card `limit_minutes` after the customer left."""
    minutes = setting.limits["limit_minutes"]
    limit = timedelta(minutes=minutes)
    found = []
    for visit, card_recorded_at in visits_as_of(session.store, scope, since_at, ctx.as_of, minutes):
        if owner is not None and visit.consultant != owner:
            continue
        deadline = visit.ended_at + limit
        carded = card_recorded_at is not None and card_recorded_at <= ctx.as_of
        if not visit_card_late(visit.ended_at, ctx.as_of, minutes) or (carded and card_recorded_at <= deadline):
            continue
        left = ctx.md(visit.ended_at, clock=True)
        if carded:
            actual = span(card_recorded_at - visit.ended_at, limit)
            message = _("来店登记 #{visit}（{left} 离店，留电话 {phone}）{took} 后才建卡（时限 {limit}）").format(
                visit=visit.id, left=left, phone=visit.phone, took=actual, limit=span(limit))
        else:
            waited = span(ctx.as_of - visit.ended_at, limit)
            message = _("来店登记 #{visit}（{left} 离店，留电话 {phone}）已 {waited}，还没有建卡（时限 {limit}）").format(
                visit=visit.id, left=left, phone=visit.phone, waited=waited, limit=span(limit))
            actual = _("{waited} 未建卡").format(waited=waited)
        # The ref names the showroom log's line the same way in every language, as card refs do.
        found.append(Finding(setting.rule.name, setting.severity, f"来店#{visit.id}", 0, visit.name or _("（未留名）"),
                             visit.consultant, ctx.local(deadline), message, f"≤ {span(limit)}", actual))
    return found


def _count_timeliness(summary: OwnerSummary, card: CardState, as_of: datetime, since_at: datetime,
                      limit: timedelta) -> None:
    """跟进及时率: cards made in the window whose first follow-up came within the first-call limit."""
    if card.created_at < since_at:
        return
    first = card.entries[0].at if card.entries else None
    deadline = (card.history.left_at or card.created_at) + limit  # from when the customer left
    if first is not None and first <= deadline:
        summary.timely += 1
        summary.timeliness_base += 1
    elif first is not None or as_of > deadline:
        summary.timeliness_base += 1


def _phone_conflicts(phones: dict[str, list[PhoneHolder]], seen: dict[int, CardState | None],
                     ctx: Context) -> Iterator[tuple[CardState, Breach]]:
    """Two active cards on one phone, each judged as it stood at the audit's moment."""
    for holders in phones.values():
        active = [h for h in holders if (seen[h.card_id] is not None if h.card_id in seen else h.active_then)]
        if len(active) < 2:
            continue
        for holder in active:
            card = seen.get(holder.card_id)
            if card is None:
                continue
            others = [h for h in active if h.card_id != holder.card_id]
            # Cards the user may not see are counted, never named: no ref, no owner.
            shown = [h for h in others if ctx.sees(h.owner_id)]
            names = listing([_("{ref}（{owner}，{at} 建卡）").format(ref=h.ref, owner=h.owner or _("无人"),
                                                                    at=ctx.md(h.created_at)) for h in shown]
                            + ([_("{count} 张你看不到的卡片（请问主管）").format(count=len(others) - len(shown))]
                               if len(shown) < len(others) else []))
            # When the conflict arose, as far as the reader may know: a card they may not see is not dated.
            arose = max(h.created_at for h in (holder, *shown))
            yield card, Breach(arose, _("电话与 {cards} 相同：同一客户有 {count} 张在跟卡片，归属冲突").format(
                cards=names, count=len(active)), _("一位客户一张卡"), _("{count} 张").format(count=len(active)),
                ongoing=True)


def _state(h: History, ctx: Context) -> CardState:
    """The card at the audit's moment, rebuilt from its events and grade history."""
    as_of = ctx.as_of
    status = Status.OPEN
    owner = h.owner
    closed_at = won_at = handover_at = lost_at = imported_at = delivered_at = None
    orders: list[OrderSpan] = []
    lost: dict = {}
    approvals: list[tuple[datetime, str | None]] = []
    edits: list[tuple[datetime, dict]] = []
    requester = None
    decided = False
    for event in h.events:
        kind = event.kind
        if event.at > as_of:
            if kind == EventKind.ASSIGNED:
                owner = event.detail.get("from")  # the first reassignment after the moment names its owner then
                break
            continue
        if kind == EventKind.WON:
            status, won_at, closed_at, handover_at, decided = Status.WON, event.at, event.at, None, True
            orders.append(OrderSpan(event.at))
        elif kind == EventKind.DELIVERED:
            status, delivered_at = Status.DELIVERED, event.at
            if orders:
                orders[-1] = orders[-1]._replace(ended_at=event.at, delivered=True,
                                                 legacy=bool(event.detail.get("legacy")))
        elif kind == EventKind.ORDER_CANCELLED:
            status, closed_at, won_at = Status.OPEN, None, None
            if orders:
                orders[-1] = orders[-1]._replace(ended_at=event.at)
        elif kind == EventKind.HANDOVER:
            handover_at = handover_at or event.at
        elif kind == EventKind.LOST_REQUESTED:
            status, lost_at, closed_at, lost, decided = Status.LOST_PENDING, event.at, event.at, event.detail, True
            requester = event.by or owner
        elif kind == EventKind.LOST_APPROVED:
            status = Status.LOST
            approvals.append((event.at, requester))
        elif kind in (EventKind.LOST_REJECTED, EventKind.REOPENED):
            status, closed_at, lost_at, won_at = Status.OPEN, None, None, None
            if orders and orders[-1].ended_at is None:
                orders[-1] = orders[-1]._replace(ended_at=event.at, reopened=True)
        elif kind == EventKind.INVALID:
            status, closed_at, decided = Status.INVALID, event.at, True
        elif kind == EventKind.IMPORTED:
            imported_at = event.at
        elif kind == EventKind.EDITED:
            edits.append((event.at, event.detail.get("fields") or {}))
    if not decided and h.status != Status.OPEN and h.status_at is not None and h.status_at <= as_of:
        # A card closed without dated events (an import): its stored status and outcome stand.
        status, closed_at = Status(h.status), h.status_at
        outcome = h.outcome or {}
        if status in (Status.WON, Status.DELIVERED):
            # No order is kept for it: its days are not known, so no order rule judges it.
            won_at = h.status_at
            delivered_at = h.status_at if status == Status.DELIVERED else None
        elif status in (Status.LOST, Status.LOST_PENDING):
            lost_at, lost = h.status_at, outcome

    followed = sorted((e for e in h.entries if e.counts), key=lambda e: e.at)
    # The sales rules read the contacts up to the order; an order's and an owner's follow-ups have
    # rules of their own (audit_orders).
    entries = [e for e in followed if e.at <= won_at] if status in (Status.WON, Status.DELIVERED) else followed
    originals = [e for e in h.entries if e.corrects is None]

    times = [at for at, _ in h.grades]
    codes = [code for _, code in h.grades]
    grade = codes[-1] if codes else h.grade
    since = h.created_at  # without a grade history; else the first change of the latest run of its grade
    for at, code in zip(reversed(times), reversed(codes)):
        if code != grade:
            break
        since = at

    dormant = False
    if status == Status.OPEN:
        last = max((e.at for e in entries if e.reached), default=h.created_at)
        dormant = _dormant(last, as_of, ctx.policy.dormant_after_months)
    return CardState(h, owner, status, grade, since, times, codes, entries, originals, dormant,
                     closed_at, handover_at, lost_at, lost, approvals, imported_at,
                     requester if status == Status.LOST_PENDING else None, delivered_at, orders, followed, edits)


def _dormant(last: datetime, as_of: datetime, months: int) -> bool:
    """No reached contact for the policy's months; the calendar is consulted only near the edge."""
    gap = as_of - last
    if gap < timedelta(days=28 * months):
        return False
    if gap > timedelta(days=31 * months + 1):
        return True
    from dateutil.relativedelta import relativedelta

    return last + relativedelta(months=months) <= as_of
