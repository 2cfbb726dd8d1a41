"""The values of an audit: severities, a rule and its settings, a finding, the summaries per
consultant and the whole result. Computed by leadcard.domain.audit, drawn by leadcard.render.audit."""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Callable, Iterable

from leadcard.i18n import N_

if TYPE_CHECKING:
    from leadcard.schedule import Policy


class Severity(enum.StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}
# Shown through `_()`: `_(SEVERITY_LABELS[severity])`.
SEVERITY_LABELS = {Severity.INFO: N_("提示"), Severity.WARNING: N_("警告"), Severity.ERROR: N_("错误")}


@dataclass(frozen=True)
class Rule:
    name: str
    # label, title and reason are Chinese, marked for the catalog (N_) and translated where shown
    label: str  # a short column heading
    title: str
    severity: Severity
    check: Callable[..., Iterable]  # (card state, context, limits) → breaches: leadcard.domain.audit_rules
    defaults: Callable[[Policy], dict]  # the limits, from the policy's numbers where it has them
    reason: str  # why the rule exists (DOMAIN.md)
    acts: str = "owner"  # who must act on a finding: the card's "owner", or its team's "supervisor"


@dataclass(frozen=True)
class RuleSettings:
    rule: Rule
    enabled: bool
    severity: Severity
    limits: dict


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    ref: str
    card_id: int
    name: str
    owner: str | None
    at: datetime
    message: str
    expected: str
    actual: str
    followup: int | None = None
    count: int = 1  # how many times the rule was broken on the card in the run (the message tells one)
    imported: bool = False  # broken in the history brought in by `leadcard import`, before it
    showroom: str | None = None  # on a dealer group's hub: the showroom the card is in


@dataclass
class OwnerSummary:
    owner: str | None
    cards: int = 0
    followups: int = 0
    timely: int = 0  # cards whose first follow-up came within the first-call limit
    timeliness_base: int = 0  # cards whose first-call limit has passed (or that were contacted)
    by_rule: Counter = field(default_factory=Counter)
    by_severity: Counter = field(default_factory=Counter)
    showroom: str | None = None  # on a dealer group's hub

    @property
    def findings(self) -> int:
        return sum(self.by_rule.values())

    @property
    def timeliness_rate(self) -> float | None:
        return self.timely / self.timeliness_base if self.timeliness_base else None


@dataclass(frozen=True)
class AuditResult:
    day: date
    as_of: datetime
    since: date  # findings from this day on (problems still open are reported however old)
    owner: str | None
    rules: tuple[RuleSettings, ...]  # the rules that ran
    findings: list[Finding]
    owners: list[OwnerSummary]
    total: OwnerSummary
    timeliness_target: float  # 跟进及时率 below this means one-to-one coaching
    timeliness_hours: float  # … counting first follow-ups within this of creation

    def fails(self, level: Severity | None) -> bool:
        if level is None:
            return False
        return any(SEVERITY_RANK[f.severity] >= SEVERITY_RANK[level] for f in self.findings)
