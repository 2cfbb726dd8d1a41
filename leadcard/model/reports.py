"""The values a report is made of: its period, each measure with its numerator and denominator,
the figures per consultant and in total. Computed by leadcard.domain.reports, drawn by
leadcard.render.report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

# 2% of sales close at the first contact, 3% after the 1st follow-up, 5% after the 2nd, 10% after
# the 3rd, 80% after the 4th to 11th (the seeds): (label, fewest follow-ups, share of wins).
FOLLOWUPS_PER_WIN = (("0", 0, 0.02), ("1", 1, 0.03), ("2", 2, 0.05), ("3", 3, 0.10), ("4+", 4, 0.80))
# A report shows this many objections, the most raised first (it holds them all: a dealer group's
# hub adds up each showroom's before choosing).
TOP_OBJECTIONS = 10


@dataclass(frozen=True)
class Period:
    kind: str  # "weekly" or "monthly"
    label: str  # "2026-W47", "2026-11"
    first_day: date
    last_day: date


@dataclass(frozen=True)
class Ratio:
    """A measure shown with its numerator and denominator; no rate when there is nothing to divide."""

    numerator: int
    denominator: int

    @property
    def rate(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True)
class Figures:
    """The measures of one consultant, or of everyone (owner None in the totals)."""

    owner: str | None
    new_cards: int
    followups: int
    wins: int
    losses: int  # approved in the period
    loss_requests: int
    open_at_end: int  # the funnel's total
    funnel: dict[str, int]  # open cards per grade at the period's end, hottest first
    timeliness: Ratio
    completeness: Ratio
    conversion: Ratio
    reactivation: Ratio
    referral: Ratio
    loss_clarity: Ratio
    followups_per_win: tuple[int, ...]  # wins per FOLLOWUPS_PER_WIN bucket
    orders: int = 0  # placed in the period, cancelled since or not
    cancellations: int = 0  # 退订 in the period
    deliveries: int = 0  # 交车 in the period
    after_delivery: Ratio = Ratio(0, 0)  # after-delivery visits due in the period made in time ÷ due
    referrals: int = 0  # cards made in the period that an owner or a customer referred (转介绍 links)
    showroom: str | None = None  # on a dealer group's hub: the showroom the consultant works in


@dataclass(frozen=True)
class GradeAccuracy:
    grader: str | None
    grade: str
    horizon_days: int
    won: Ratio  # cards won within the horizon ÷ cards graded
    showroom: str | None = None  # on a dealer group's hub


@dataclass(frozen=True)
class ObjectionWins:
    tag: str
    label: str
    won: Ratio  # cards that raised it in the period and were won at its end ÷ cards that raised it


@dataclass(frozen=True)
class Orders:
    """成交/订车 in the period, how many still stood at its end, and the orders waiting for their car then."""

    placed: int
    standing: int  # not cancelled by the period's end
    by_model: dict[str, int]
    waiting_at_end: int


@dataclass(frozen=True)
class Deliveries:
    """交车 in the period: how long the car took from its order, and the visits after delivery."""

    delivered: int
    order_days: list[int]  # per delivery of a kept order (a legacy one has none): order to delivery, days
    after_delivery: Ratio  # visits due in the period made in time ÷ visits due

    @property
    def average_days(self) -> float | None:
        return sum(self.order_days) / len(self.order_days) if self.order_days else None


@dataclass(frozen=True)
class Cancellations:
    count: int
    reasons: dict[str, int]


@dataclass(frozen=True)
class Referrer:
    """A customer whose referrals (转介绍) came in the period, and how many of them ordered."""

    ref: str | None  # None: a referrer the reader may not see
    name: str | None
    owner: str | None
    referrals: int
    won: int
    showroom: str | None = None  # on a dealer group's hub


@dataclass(frozen=True)
class Traffic:
    """The showroom's traffic (展厅客流) of one consultant, or of everyone (owner None): visits under
    who received them, invitations under who invited, orders under the card's owner at the end."""

    owner: str | None
    first_visits: int  # 首次进店: walk-ins that were not return visits
    return_visits: int  # 再次进店
    phone_ins: int  # 来电 (and 400), apart from the walk-ins
    test_drives: int  # test drives registered in the period, wherever made
    card: Ratio  # 留档率: first visits that left contact details ÷ first visits
    test_drive: Ratio  # 试驾率: walk-ins (first and return) with a test drive ÷ walk-ins
    invitation: Ratio  # 邀约到店率: invitations planned for the period that came ÷ those invitations
    close: Ratio  # 成交率: orders ÷ first visits
    showroom: str | None = None  # on a dealer group's hub


@dataclass(frozen=True)
class Target:
    """月度目标: a consultant's target for a month, as set last by a moment."""

    user: str
    team: str | None
    month: str  # 2026-12
    orders: int
    deliveries: int | None
    set_by: str | None
    set_at: datetime


@dataclass(frozen=True)
class ForecastTerm:
    """One grade's share of a forecast: its open cards weighted by how often such cards were won."""

    grade: str
    open_cards: int  # open (not dormant) cards of the grade at the period's end
    weight: float  # the accuracy used: gradings won within the horizon ÷ gradings
    basis: str  # "own": the consultant's measured accuracy; "floor": everyone's; "none": not measured, 0
    measured: Ratio  # the accuracy the weight came from

    @property
    def expected(self) -> float:
        return self.open_cards * self.weight


@dataclass(frozen=True)
class Forecast:
    """The month's orders foreseen at the period's end: orders so far + Σ open hot cards × weight."""

    orders_so_far: int
    terms: tuple[ForecastTerm, ...]

    @property
    def value(self) -> float:
        return self.orders_so_far + sum(t.expected for t in self.terms)


@dataclass(frozen=True)
class Standing:
    """A consultant against the month's target (达成率), and the month's forecast."""

    owner: str | None
    month: str
    target: Target | None
    orders: int  # orders from the month's first day to the period's end
    forecast: Forecast
    showroom: str | None = None  # on a dealer group's hub
    deliveries: int = 0  # deliveries (交车) from the month's first day to the period's end

    @property
    def attainment(self) -> Ratio | None:
        return Ratio(self.orders, self.target.orders) if self.target else None

    @property
    def delivery_attainment(self) -> Ratio | None:
        """交车达成率, where the target names the month's deliveries."""
        if self.target is None or self.target.deliveries is None:
            return None
        return Ratio(self.deliveries, self.target.deliveries)


@dataclass(frozen=True)
class StandingTotals:
    """The floor against its targets: each rate over the consultants whose target names it, so an
    order or delivery of someone without such a target adds to neither side."""

    orders_target: int | None  # the targets added up; None: nobody has one
    orders: int  # everyone's orders of the month so far
    attainment: Ratio | None  # the orders of those with a target ÷ their targets
    deliveries_target: int | None  # the targets that name deliveries added up; None: none names them
    deliveries: int  # everyone's deliveries of the month so far
    delivery_attainment: Ratio | None  # the deliveries of those whose target names them ÷ those targets
    forecast: float  # everyone's forecasts added up


@dataclass(frozen=True)
class Report:
    period: Period
    grades: tuple[str, ...]  # the policy's, hottest first
    timeliness_target: float
    totals: Figures
    by_owner: list[Figures]
    new_by_source: dict[str, int]
    followups_by_channel: dict[str, int]
    loss_reasons: dict[str, int]  # approved losses in the period, by reason ("" when none was given)
    loss_competitors: dict[str, int]
    dormant_at_end: int
    lost_pending_at_end: int
    wakes: int
    grade_accuracy: list[GradeAccuracy] = field(default_factory=list)
    objections: list[ObjectionWins] = field(default_factory=list)  # every one raised, the most raised first
    orders: Orders = field(default_factory=lambda: Orders(0, 0, {}, 0))
    deliveries: Deliveries = field(default_factory=lambda: Deliveries(0, [], Ratio(0, 0)))
    cancellations: Cancellations = field(default_factory=lambda: Cancellations(0, {}))
    referrers: list[Referrer] = field(default_factory=list)  # the most referrals first
    traffic: Traffic | None = None  # the showroom's traffic in total
    traffic_by_owner: list[Traffic] = field(default_factory=list)
    standings: list[Standing] = field(default_factory=list)  # targets and forecasts, per consultant
    standing_totals: StandingTotals | None = None  # the standings' 合计; None: no standings
    accuracy_days: int = 0  # the forecast's weights measure gradings whose horizon ended in these days
    showrooms: tuple[str, ...] = ()  # on a dealer group's hub: the showrooms merged
