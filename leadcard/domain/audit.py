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
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Iterable, Iterator

from leadcard.errors import BadInput, NotAllowed
from leadcard.model import ACTIVE_STATUSES, EventKind, Role, Status
from leadcard.model.audit import AuditResult, Finding, OwnerSummary, Rule, RuleSettings, Severity
from leadcard.schedule import Policy, day_bounds, days_planned_ahead
from leadcard.domain import audit_deals, audit_floor, audit_rules
from leadcard.domain.session import Session
from leadcard.store.audit import (History, Person, PhoneHolder, comebacks, has_reviewers, histories, people,
                                  shared_phones)
from leadcard.store.deals import latest_quotes_as_of
from leadcard.store.visits import visits_as_of
from leadcard.domain.audit_rules import (
    FIELD_LABELS,
    Breach,
    CardState,
    Context,
    duplicate_phone,
    plain,
    span,
    visit_without_card,
)

RULES: tuple[Rule, ...] = audit_rules.RULES + audit_floor.RULES + audit_deals.RULES
RULES_BY_NAME = {rule.name: rule for rule in RULES}
RULE_NAMES = tuple(RULES_BY_NAME)


# Without --since the audit looks back this far; what is still wrong at the moment is reported however old.
LOOKBACK_DAYS = 30

# Limits that only describe numbers kept elsewhere in the policy (the grades' own table).
_DESCRIPTIVE = {"cadence_days", "horizon_days"}
# Word lists compared after `plain`, prepared once per audit under a private key.
_WORD_LISTS = {"vague_contents", "channel_plans", "checking_in", "vague_reasons", "competitor_reasons"}


def rule_settings(policy: Policy) -> dict[str, RuleSettings]:
    """Every rule with its limits: the defaults, overridden by the store's `[audit.RULE]` tables."""
    tables = policy.audit or {}
    for name in tables:
        if name not in RULES_BY_NAME:
            raise BadInput(f"policy: [audit.{name}] is not an audit rule (rules: {', '.join(RULE_NAMES)})")
    settings = {}
    for rule in RULES:
        limits = rule.defaults(policy)
        enabled, severity = True, rule.severity
        for key, value in tables.get(rule.name, {}).items():
            where = f"policy: [audit.{rule.name}] {key}"
            if key == "enabled":
                if not isinstance(value, bool):
                    raise BadInput(f"{where} must be true or false")
                enabled = value
            elif key == "severity":
                if value not in set(Severity):
                    raise BadInput(f"{where} must be info, warning or error")
                severity = Severity(value)
            elif key not in limits or key in _DESCRIPTIVE:
                known = ", ".join(["enabled", "severity", *(k for k in limits if k not in _DESCRIPTIVE)])
                raise BadInput(f"{where}: no such setting (settings: {known})")
            elif isinstance(limits[key], list):
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise BadInput(f"{where} must be a list of words")
                limits[key] = list(value)
            elif not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise BadInput(f"{where} must be a non-negative number")
            else:
                limits[key] = value
        if rule.name == "incomplete-card":
            unknown = [f for f in limits["fields"] if f not in FIELD_LABELS]
            if unknown:
                raise BadInput(f"policy: [audit.incomplete-card] fields: unknown card field {unknown[0]!r}")
        settings[rule.name] = RuleSettings(rule, enabled, severity, limits)
    return settings


def beyond_cadence(policy: Policy, grade: str, at: datetime, next_at: datetime, tz) -> str | None:
    """The warning `log` gives at once for a next date beyond the grade's cadence (None: within it,
    or the rule switched off), by the rule's own limits."""
    setting = rule_settings(policy)["plan-beyond-cadence"]
    cadence = policy.grade(grade).cadence_days
    days = days_planned_ahead(at, next_at, tz)
    if not setting.enabled or days <= cadence + setting.limits["grace_days"]:
        return None
    return f"提醒：下次访问在 {days} 天后，超出 {grade} 级的联系周期（每 {cadence} 天）；跟进已记录，请确认日期或调整级别。"


def explain(session: Session, name: str) -> RuleSettings:
    """One rule, its limits as this store's policy sets them, and why it exists."""
    return rule_settings(session.policy)[_rule_name(name)]


def _rule_name(name: str) -> str:
    key = (name or "").strip().lower()
    if key not in RULES_BY_NAME:
        raise BadInput(f"unknown audit rule {name!r}: use one of {', '.join(RULE_NAMES)}")
    return key


# -- running the audit ------------------------------------------------------------------------------


def parse_severity(raw: str) -> Severity:
    try:
        return Severity((raw or "").strip().lower())
    except ValueError:
        raise BadInput(f"unknown severity {raw!r}: use info, warning or error") from None


def audit(
    session: Session,
    day: date | None = None,
    since: date | None = None,
    owner: str | None = None,
    only: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> AuditResult:
    """Every visible card checked against every enabled rule, as the store stood at `day`'s end."""
    only = {_rule_name(n) for n in only}
    ignored = {_rule_name(n) for n in ignore}
    settings = rule_settings(session.policy)
    running = [s for s in settings.values() if s.enabled and (not only or s.rule.name in only)
               and s.rule.name not in ignored]
    as_of = _moment(session, day)
    if since is None:
        since = as_of.date() - timedelta(days=LOOKBACK_DAYS)
    elif since > as_of.date():
        raise BadInput(f"--since {since.isoformat()} comes after the day audited ({as_of.date().isoformat()})")
    since_at = datetime.combine(since, time(), tzinfo=session.tz)
    owner_name = _owner(session, owner)
    store = session.store
    ctx = Context(session, as_of, has_reviewers(store))
    if any(s.rule.name == "false-loss" for s in running):
        ctx.comebacks = comebacks(store, as_of)
    if any(s.rule.name == "quote-expired" for s in running):
        ctx.quotes = latest_quotes_as_of(store, as_of)
    blame = _Blame(people(store))
    checks = [(s, _prepared(s.limits)) for s in running if s.rule.check not in (duplicate_phone, visit_without_card)]
    phones = shared_phones(store, as_of) if any(s.rule.name == "duplicate-phone" for s in running) else {}
    on_shared_phone: dict[int, CardState | None] = {}  # visible cards on a shared phone: state if active
    findings: list[Finding] = []
    summaries: dict[str | None, OwnerSummary] = {}
    fields = tuple(dict.fromkeys(settings["incomplete-card"].limits["fields"]))
    first_call = timedelta(hours=session.policy.first_call_hours)
    for history in histories(store, session.visible(), as_of, since_at, fields):
        card = _state(history, ctx)
        if owner_name is not None and card.owner != owner_name:
            continue
        if history.phone in phones:
            on_shared_phone[history.id] = card if card.status in ACTIVE_STATUSES else None
        if card.closed_at is not None and card.closed_at < since_at:
            continue  # closed before the window (and reopened after the moment audited)
        summary = summaries.get(card.owner)
        if summary is None:
            summary = summaries[card.owner] = OwnerSummary(card.owner)
        summary.cards += 1
        summary.followups += sum(1 for e in card.entries if e.at >= since_at)
        _count_timeliness(summary, card, as_of, since_at, first_call)
        for setting, limits in checks:
            breaches = [b for b in setting.rule.check(card, ctx, limits) if b.ongoing or b.at >= since_at]
            if breaches:
                findings += _findings(setting, card, breaches, ctx, blame)
    if phones and any(s.rule.name == "duplicate-phone" for s in running):
        setting = settings["duplicate-phone"]
        findings += [f for card, breach in _phone_conflicts(phones, on_shared_phone, ctx)
                     for f in _findings(setting, card, [breach], ctx, blame)]
    visit_setting = next((s for s in running if s.rule.check is visit_without_card), None)
    if visit_setting is not None:
        findings += _visits_without_card(session, visit_setting, ctx, since_at, owner_name)
    for finding in findings:
        summary = summaries.setdefault(finding.owner, OwnerSummary(finding.owner))
        summary.by_rule[finding.rule] += 1
        summary.by_severity[finding.severity] += 1
    findings.sort(key=lambda f: (f.owner is None, f.owner or "", f.card_id, f.at, RULE_NAMES.index(f.rule)))
    owners = sorted(summaries.values(), key=lambda s: (s.owner is None, s.owner or ""))
    total = OwnerSummary(None)
    for s in owners:
        total.cards += s.cards
        total.followups += s.followups
        total.timely += s.timely
        total.timeliness_base += s.timeliness_base
        total.by_rule += s.by_rule
        total.by_severity += s.by_severity
    return AuditResult(as_of.date(), as_of, since, owner_name, tuple(running), findings, owners, total,
                       session.policy.timeliness_target, session.policy.first_call_hours)


def _moment(session: Session, day: date | None) -> datetime:
    """The end of the day asked (or now, for today): the audit sees what was recorded by then."""
    if day is None:
        return session.now
    if day > session.today:
        raise BadInput(f"cannot audit {day.isoformat()}: that day has not come yet")
    return min(day_bounds(day, session.tz)[1], session.now)


def _owner(session: Session, owner: str | None) -> str | None:
    if owner is None:
        return None
    user = session.user(owner)
    visible = session.visible().owner_ids
    if visible is not None and user.id not in visible:
        raise NotAllowed(f"{session.actor.name} cannot see {user.name}'s cards")
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
            severity, owner, message = Severity.INFO, None, f"导入的历史：{told.message}"
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
        self._reviewer: dict[str | None, str | None] = {}

    def who(self, rule: Rule, card: CardState, breach: Breach) -> str | None:
        if breach.who is not None:
            return breach.who
        if rule.acts != "supervisor":
            return card.owner
        owner = card.owner
        if owner not in self._reviewer:
            team = self._supervisors.get(self._team[owner], []) if owner in self._team else []
            self._reviewer[owner] = next((n for n in (*team, *self._managers) if n != owner), None)
        return self._reviewer[owner]


def _visits_without_card(session: Session, setting: RuleSettings, ctx: Context, since_at: datetime,
                         owner: str | None) -> list[Finding]:
    """Showroom-log lines that left a phone but had no card `limit_minutes` after the customer left."""
    limit = timedelta(minutes=setting.limits["limit_minutes"])
    found = []
    for visit, card_recorded_at in visits_as_of(session.store, session.visible(), since_at, ctx.as_of):
        if owner is not None and visit.consultant != owner:
            continue
        deadline = visit.ended_at + limit
        carded = card_recorded_at is not None and card_recorded_at <= ctx.as_of
        if deadline > ctx.as_of or (carded and card_recorded_at <= deadline):
            continue
        left = ctx.md(visit.ended_at, clock=True)
        if carded:
            took = span(card_recorded_at - visit.ended_at)
            message = f"来店登记 #{visit.id}（{left} 离店，留电话 {visit.phone}）{took} 后才建卡（时限 {span(limit)}）"
            actual = took
        else:
            waited = span(ctx.as_of - visit.ended_at)
            message = f"来店登记 #{visit.id}（{left} 离店，留电话 {visit.phone}）已 {waited}，还没有建卡（时限 {span(limit)}）"
            actual = f"{waited} 未建卡"
        found.append(Finding(setting.rule.name, setting.severity, f"来店#{visit.id}", 0, visit.name or "（未留名）",
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
    """Two active cards on one phone. Cards the audit saw are judged as they stood at its moment;
    others (outside the user's scope) by their status today."""
    for holders in phones.values():
        active = [h for h in holders if (seen[h.card_id] is not None if h.card_id in seen else h.active_now)]
        if len(active) < 2:
            continue
        for holder in active:
            card = seen.get(holder.card_id)
            if card is None:
                continue
            others = [h for h in active if h.card_id != holder.card_id]
            names = "、".join(f"{h.ref}（{h.owner or '无人'}，{ctx.md(h.created_at)} 建卡）" for h in others)
            arose = max(h.created_at for h in active)
            yield card, Breach(arose, f"电话与 {names} 相同：同一客户有 {len(active)} 张在跟卡片，归属冲突",
                               "一位客户一张卡", f"{len(active)} 张", ongoing=True)


def _state(h: History, ctx: Context) -> CardState:
    """The card at the audit's moment, rebuilt from its events and grade history."""
    as_of = ctx.as_of
    status = Status.OPEN
    owner = h.owner
    closed_at = won_at = handover_at = lost_at = imported_at = None
    lost: dict = {}
    approvals: list[tuple[datetime, str | None]] = []
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
        elif kind == EventKind.INVALID:
            status, closed_at, decided = Status.INVALID, event.at, True
        elif kind == EventKind.IMPORTED:
            imported_at = event.at
    if not decided and h.status != Status.OPEN and h.status_at is not None and h.status_at <= as_of:
        # A card closed without dated events (an import): its stored status and outcome stand.
        status, closed_at = Status(h.status), h.status_at
        outcome = h.outcome or {}
        if status == Status.WON:
            won_at = h.status_at
        elif status in (Status.LOST, Status.LOST_PENDING):
            lost_at, lost = h.status_at, outcome

    corrected = {e.corrects for e in h.entries if e.corrects is not None}
    entries = [e for e in h.entries if e.id not in corrected] if corrected else list(h.entries)
    entries.sort(key=lambda e: e.at)
    originals = [e for e in h.entries if e.corrects is None]

    times = [at for at, _ in h.grades]
    codes = [code for _, code in h.grades]
    grade = codes[-1] if codes else h.grade
    since = times[-1] if times else h.created_at
    for at, code in zip(reversed(times), reversed(codes)):
        if code != grade:
            break
        since = at

    dormant = False
    if status == Status.OPEN:
        last = max((e.at for e in entries if e.reached), default=h.created_at)
        dormant = _dormant(last, as_of, ctx.policy.dormant_after_months)
    return CardState(h, owner, status, grade, since, times, codes, entries, originals, dormant,
                     closed_at, won_at, handover_at, lost_at, lost, approvals, imported_at)


def _dormant(last: datetime, as_of: datetime, months: int) -> bool:
    """No reached contact for the policy's months; the calendar is consulted only near the edge."""
    gap = as_of - last
    if gap < timedelta(days=28 * months):
        return False
    if gap > timedelta(days=31 * months + 1):
        return True
    from dateutil.relativedelta import relativedelta

    return last + relativedelta(months=months) <= as_of
