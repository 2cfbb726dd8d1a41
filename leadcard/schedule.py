"""Pure date logic: the store's policy, grade cadences, when a card is due and why, working days.

No I/O and no clock reads: every function takes `now` (or a day) from its caller.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Iterable, Mapping, NamedTuple

from leadcard.errors import BadInput
from leadcard.model import WRITTEN_CHANNELS, Channel, DueReason


class Grade(NamedTuple):
    code: str
    label: str  # what the grade means, in the store's words
    cadence_days: int  # contact at least this often
    horizon_days: int | None  # the customer should buy within this; held longer, the grade is stale
    rank: int  # 0 is the hottest
    action: str  # the suggested contact when no plan was written
    aliases: tuple[str, ...] = ()


class Scheme(NamedTuple):
    name: str
    title: str
    grades: tuple[Grade, ...]
    default_grade: str


SCHEMES: dict[str, Scheme] = {
    # The card's own scheme, and an Inner Mongolia 4S store's (DOMAIN.md "Grades and cadence").
    "habc": Scheme(
        "habc",
        "HABC (H 7 天内 / A 1 个月内 / B 1–3 个月 / C 3 个月以上)",
        (
            Grade("H", "7 天内购车 / 待下订", 1, 7, 0, "每日联系：电话确认订车细节，邀约到店"),
            Grade("A", "1 个月内购车", 7, 30, 1, "电话 + 微信：报价、试驾邀约，解决瓶颈"),
            Grade("B", "1–3 个月购车", 14, 90, 2, "电话或微信：推送新品与活动，了解需求变化"),
            Grade("C", "3 个月以上购车", 30, None, 3, "微信或短信：保持联系，节日问候"),
        ),
        "B",
    ),
    # A dealer group's follow-up regulation: four tiers.
    "four-tier": Scheme(
        "four-tier",
        "四级（重点 / 意向 / 潜在 / 休眠）",
        (
            Grade("重点", "≥3 次接触、比价或议价，1 个月内购车", 2, 30, 0,
                  "到店面谈 + 定制方案（每周 ≥3 次）", ("key",)),
            Grade("意向", "已试驾或报价，需求明确，3 个月内购车", 3, 90, 1,
                  "电话 + 微信（每周 2 次）", ("intention",)),
            Grade("潜在", "首次咨询，需求模糊，无时间表", 7, None, 2,
                  "短信 + 朋友圈触达（每周 1 次）", ("potential",)),
            Grade("休眠", "6 个月无联系", 90, None, 3, "节日问候 + 新品资讯（每季度）", ("dormant",)),
        ),
        "潜在",
    ),
    # A B2B salesperson's scheme.
    "abc": Scheme(
        "abc",
        "ABC（A 1 个月内 / B 2 个月内 / C 3 个月内）",
        (
            Grade("A", "1 个月内成交", 1, 30, 0, "每日联系，盯紧不放"),
            Grade("B", "2 个月内成交", 3, 60, 1, "每 3 天联系一次"),
            Grade("C", "3 个月内成交", 7, 90, 2, "每周联系一次"),
        ),
        "B",
    ),
}

# Festivals at which dormant customers are woken (DOMAIN.md "Time rules"), as holidays' names.
WAKE_FESTIVALS = ("Spring Festival", "Dragon Boat Festival", "Mid-Autumn Festival", "National Day")


class Policy(NamedTuple):
    scheme: Scheme
    first_touch_hours: float = 3  # SMS/WeChat thank-you after the customer leaves
    first_call_hours: float = 24  # phone call confirming the grade
    record_within_hours: float = 1  # a contact is recorded within this of making it
    dormant_after_months: int = 6  # no contact this long: the card goes to the dormant pool
    wake_quarterly: bool = True  # dormant cards are woken for each quarter's first day
    wake_days_before_festival: int = 7  # … and each festival: listed from this many days before it through it
    wake_festivals: tuple[str, ...] = WAKE_FESTIVALS
    max_failed_attempts: int = 5  # unreachable attempts in a row before `today` suggests invalid
    visit_card_minutes: int = 30  # a showroom visit that left contact details becomes a card by then
    unsigned_days: int = 7  # a supervisor's `today` lists the team's unsigned follow-ups of these days
    handover_working_days: int = 1  # a won deal is handed to after-sales within this
    objection_plan_hours: float = 24  # an objection gets a handling plan within this
    reactivation_days: int = 30  # a woken dormant customer who responds within this is reactivated
    timeliness_target: float = 0.8  # 跟进及时率 below this means one-to-one coaching
    audit: Mapping[str, Mapping[str, object]] | None = None  # the store's [audit.RULE] tables
    loss_reasons: tuple[str, ...] = ("价格", "竞品品牌", "推迟购买", "贷款未过", "联系不上", "已在别处购买", "其他")

    @property
    def grades(self) -> tuple[Grade, ...]:
        return self.scheme.grades

    def grade(self, raw: str) -> Grade:
        """The grade named by its code or an alias; anything else is bad input (exit 2)."""
        key = unicodedata.normalize("NFKC", raw or "").strip()
        for grade in self.scheme.grades:
            if key == grade.code or key.upper() == grade.code or key.lower() in grade.aliases:
                return grade
        codes = " ".join(g.code for g in self.scheme.grades)
        raise BadInput(f"unknown grade {raw!r}: this store's grades ({self.scheme.name}) are {codes}")

    def known_grade(self, code: str) -> Grade | None:
        return next((g for g in self.scheme.grades if g.code == code), None)

    def rank(self, code: str) -> int:
        grade = self.known_grade(code)
        return grade.rank if grade else len(self.scheme.grades)


_POLICY_NUMBERS = {
    "first_touch_hours": float,
    "first_call_hours": float,
    "record_within_hours": float,
    "dormant_after_months": int,
    "wake_quarterly": bool,
    "wake_days_before_festival": int,
    "max_failed_attempts": int,
    "visit_card_minutes": int,
    "unsigned_days": int,
    "handover_working_days": int,
    "objection_plan_hours": float,
    "reactivation_days": int,
    "timeliness_target": float,
}


def load_policy(scheme_name: str, overrides_toml: str | None = None) -> Policy:
    """The store's policy: a named scheme, with numbers overridden by the store's TOML.

    ```toml
    first_call_hours = 12
    [grades.H]
    cadence_days = 2
    [audit.vague-record]
    enabled = false
    ```
    """
    if scheme_name not in SCHEMES:
        raise BadInput(f"unknown policy {scheme_name!r}: use one of {', '.join(SCHEMES)}")
    policy = Policy(SCHEMES[scheme_name])
    if not overrides_toml:
        return policy
    import tomllib  # only stores with overrides pay for the TOML parser

    try:
        data = tomllib.loads(overrides_toml)
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(f"policy file is not valid TOML: {exc}") from None
    return apply_overrides(policy, data)


def apply_overrides(policy: Policy, data: Mapping[str, object]) -> Policy:
    changes: dict[str, object] = {}
    for key, value in data.items():
        if key in _POLICY_NUMBERS:
            kind = _POLICY_NUMBERS[key]
            if kind is bool:
                if not isinstance(value, bool):
                    raise BadInput(f"policy: {key} must be true or false")
            elif not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise BadInput(f"policy: {key} must be a non-negative number")
            changes[key] = kind(value)
        elif key == "wake_festivals":
            changes[key] = tuple(str(v) for v in _list(key, value))
        elif key == "loss_reasons":
            changes[key] = tuple(str(v) for v in _list(key, value))
        elif key == "audit":
            if not isinstance(value, dict):
                raise BadInput("policy: [audit] must be a table of rules")
            changes[key] = {str(rule): dict(limits) for rule, limits in value.items()}
        elif key == "grades":
            changes["scheme"] = _override_grades(policy.scheme, value)
        elif key != "scheme":
            raise BadInput(f"policy: unknown setting {key!r}")
    return policy._replace(**changes)


def _list(key: str, value: object) -> list:
    if not isinstance(value, list):
        raise BadInput(f"policy: {key} must be a list")
    return value


def _override_grades(scheme: Scheme, table: object) -> Scheme:
    if not isinstance(table, dict):
        raise BadInput("policy: [grades] must be a table keyed by grade")
    grades = {g.code: g for g in scheme.grades}
    for code, numbers in table.items():
        if code not in grades:
            raise BadInput(f"policy: grade {code!r} is not in the {scheme.name} scheme")
        allowed = {"cadence_days", "horizon_days", "action", "label"}
        unknown = set(numbers) - allowed
        if unknown:
            raise BadInput(f"policy: grade {code}: unknown setting {sorted(unknown)[0]!r}")
        grades[code] = grades[code]._replace(**numbers)
    return scheme._replace(grades=tuple(grades[g.code] for g in scheme.grades))


class Contact(NamedTuple):
    """What scheduling needs of one effective follow-up."""

    at: datetime
    channel: Channel
    reached: bool = True
    next_at: datetime | None = None
    purpose: str | None = None
    objections: tuple[str, ...] = ()  # tags the customer raised


class Due(NamedTuple):
    at: datetime
    reason: DueReason
    purpose: str | None = None


class Timing(NamedTuple):
    """A card's schedule, derived from its contacts; the store keeps it on the card row."""

    due: Due | None
    dormant_at: datetime
    first_touch_at: datetime | None
    first_call_at: datetime | None
    last_contact_at: datetime | None
    next_at: datetime | None
    next_purpose: str | None
    failed_attempts: int = 0  # attempts in a row, since the last contact, that did not reach them
    objections: tuple[str, ...] = ()  # raised at the latest follow-up


def card_timing(created_at: datetime, grade_code: str, contacts: Iterable[Contact], policy: Policy,
                returned_at: datetime | None = None, visited_at: datetime | None = None) -> Timing:
    """When an open card is next due and why (CONTRACT.md, `today`).

    The customer came back and someone else received them (`returned_at`, the latest such visit):
    `returned` from the visit until anything is logged after it. Otherwise, until it has an
    SMS/WeChat contact: `first-touch`, 3 h after creation. Until it has a phone call: `first-call`,
    24 h after creation. Then the next date planned at the latest follow-up (`planned`), or with none
    planned the latest contact plus the grade's cadence (`cadence`).
    Attempts that did not reach the customer count as the consultant's duty done for first touch
    and first call, but not as contact for the dormant clock; a return visit (`visited_at`, the
    latest) does: the customer was here in person.
    """
    from dateutil.relativedelta import relativedelta  # writes need it; `today` only reads

    ordered = sorted(contacts, key=lambda c: c.at)
    first_touch = next((c.at for c in ordered if c.channel in WRITTEN_CHANNELS), None)
    first_call = next((c.at for c in ordered if c.channel == Channel.PHONE), None)
    latest = ordered[-1] if ordered else None
    last_reached = max((c.at for c in ordered if c.reached), default=None)
    last_seen = max((t for t in (last_reached, visited_at) if t is not None), default=created_at)
    dormant_at = last_seen + relativedelta(months=policy.dormant_after_months)

    if returned_at is not None and not any(c.at >= returned_at for c in ordered):
        due = Due(returned_at, DueReason.RETURNED)
    elif first_touch is None:
        due = Due(created_at + timedelta(hours=policy.first_touch_hours), DueReason.FIRST_TOUCH)
    elif first_call is None:
        due = Due(created_at + timedelta(hours=policy.first_call_hours), DueReason.FIRST_CALL)
    elif latest.next_at is not None:
        due = Due(latest.next_at, DueReason.PLANNED, latest.purpose)
    else:
        grade = policy.known_grade(grade_code)
        cadence = grade.cadence_days if grade else min(g.cadence_days for g in policy.grades)
        due = Due(latest.at + timedelta(days=cadence), DueReason.CADENCE)
    return Timing(
        due=due,
        dormant_at=dormant_at,
        first_touch_at=first_touch,
        first_call_at=first_call,
        last_contact_at=last_reached,
        next_at=latest.next_at if latest else None,
        next_purpose=latest.purpose if latest else None,
        failed_attempts=sum(1 for c in ordered if not c.reached and (last_reached is None or c.at > last_reached)),
        objections=latest.objections if latest else (),
    )


def day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The first and the last instant of a local calendar day."""
    start = datetime.combine(day, time(), tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), time(), tzinfo=tz) - timedelta(microseconds=1)


def overdue_days(due_at: datetime, day: date, tz: tzinfo) -> int:
    """Calendar days from the due date to the day asked; 0 when due that day (or later)."""
    return max(0, (day - due_at.astimezone(tz).date()).days)


def days_between(earlier: datetime, day: date, tz: tzinfo) -> int:
    return (day - earlier.astimezone(tz).date()).days


def wake_up_days(year: int, festivals: Mapping[tuple[str, int], date], policy: Policy) -> set[date]:
    """Days on which the dormant pool is listed: each quarter's first day, and the days that
    fall `wake_days_before_festival` before each festival the policy names.

    `festivals` maps (festival name, year) to the festival's first day; pass this year's and
    the next's, so a Spring Festival early in the next year can wake cards late in this one.
    """
    days: set[date] = set()
    if policy.wake_quarterly:
        days |= {date(year, month, 1) for month in (1, 4, 7, 10)}
    lead = timedelta(days=policy.wake_days_before_festival)
    for (name, _), first_day in festivals.items():
        if name in policy.wake_festivals:
            wake = first_day - lead
            if wake.year == year:
                days.add(wake)
    return days


def in_wake_up_window(day: date, festivals: Mapping[tuple[str, int], date], policy: Policy) -> bool:
    """Whether the dormant pool is listed on `day`: from `wake_days_before_festival` days before each
    occasion — a festival the policy names, or a quarter's first day — through the occasion itself.
    A window, not one day, so that a consultant off on its first day still sees the pool.

    `festivals` as for wake_up_days, of the day's year and the next (a window may cross New Year).
    """
    lead = timedelta(days=policy.wake_days_before_festival)
    occasions = [first_day for (name, _), first_day in festivals.items() if name in policy.wake_festivals]
    if policy.wake_quarterly:
        occasions += [date(year, month, 1) for year in (day.year, day.year + 1) for month in (1, 4, 7, 10)]
    return any(occasion - lead <= day <= occasion for occasion in occasions)


def is_working_day(day: date, holidays: set[date], swapped_workdays: set[date]) -> bool:
    """China's statutory calendar: weekends off except swapped workdays (调休), holidays off."""
    if day in swapped_workdays:
        return True
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: datetime, n: int, holidays: set[date], swapped_workdays: set[date]) -> datetime:
    """The moment `n` working days after `start` (same time of day)."""
    current = start
    remaining = n
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current.date(), holidays, swapped_workdays):
            remaining -= 1
    return current
