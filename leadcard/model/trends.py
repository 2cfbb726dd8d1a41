"""The values a trend (趋势) is made of: the KPIs of consecutive weeks or months, each with its
numerator and denominator, in total and per consultant. Computed by leadcard.domain.trends, drawn
by leadcard.render.trend."""

from __future__ import annotations

from dataclasses import dataclass

from leadcard.model.reports import Period, Ratio

# The KPIs a trend follows, in the order shown: the report's (跟进及时率 … 战败明确率), then the
# showroom's (留档率, 试驾率, 邀约到店率, 成交率). JSON series are named `<key>_rate`.
TREND_KPIS = ("timeliness", "completeness", "conversion", "reactivation", "referral", "after_delivery",
              "loss_clarity", "card", "test_drive", "invitation", "close")
# The counts a trend follows beside them (JSON `counts`).
TREND_COUNTS = ("new_cards", "followups", "wins", "orders", "cancellations", "deliveries", "first_visits",
                "return_visits", "phone_ins", "test_drives")


@dataclass(frozen=True)
class Point:
    """One period of one series: each KPI's ratio and each count."""

    ratios: dict[str, Ratio]
    counts: dict[str, int]


@dataclass(frozen=True)
class Series:
    owner: str | None  # None: everyone the reader may see
    points: list[Point]  # one per period, oldest first
    showroom: str | None = None  # on a dealer group's hub: the showroom the consultant works in


@dataclass(frozen=True)
class Trend:
    kind: str  # "weekly" or "monthly"
    periods: list[Period]  # oldest first, the last complete one last
    kpis: tuple[str, ...]  # the KPIs asked for (all of TREND_KPIS by default)
    targets: dict[str, float]  # a KPI's target, where the policy sets one
    total: Series
    by_owner: list[Series]
    showrooms: tuple[str, ...] = ()  # on a dealer group's hub: the showrooms merged
