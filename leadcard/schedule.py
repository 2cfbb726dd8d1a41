"""Pure date logic: the store's policy, grade cadences, when a card is due and why, working days.

No I/O and no clock reads: every function takes `now` (or a day) from its caller.
"""

import math
import unicodedata
from bisect import bisect_left
from datetime import date, datetime, time, timedelta, tzinfo
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from leadcard.chinacal import WAKE_FESTIVALS, own_calendar
from leadcard.errors import BadInput
from leadcard.floor_words import PLATFORM_WORDS, SOURCE_WORDS, word_key
from leadcard.i18n import N_, _
from leadcard.model import REACHING_CHANNELS, WRITTEN_CHANNELS, Channel, DueReason


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


# Titles, labels and actions are marked for the catalog and translated where they are shown.
SCHEMES: dict[str, Scheme] = {
    # The card's own scheme, and an Inner Mongolia 4S store's (DOMAIN.md "Grades and cadence").
    "habc": Scheme(
        "habc",
        N_("HABC (H 7 天内 / A 1 个月内 / B 1–3 个月 / C 3 个月以上)"),
        (
            Grade("H", N_("7 天内购车 / 待下订"), 1, 7, 0, N_("每日联系：电话确认订车细节，邀约到店")),
            Grade("A", N_("1 个月内购车"), 7, 30, 1, N_("电话 + 微信：报价、试驾邀约，解决瓶颈")),
            Grade("B", N_("1–3 个月购车"), 14, 90, 2, N_("电话或微信：推送新品与活动，了解需求变化")),
            Grade("C", N_("3 个月以上购车"), 30, None, 3, N_("微信或短信：保持联系，节日问候")),
        ),
        "B",
    ),
    # A dealer group's follow-up regulation: four tiers.
    "four-tier": Scheme(
        "four-tier",
        N_("四级（重点 / 意向 / 潜在 / 休眠）"),
        (
            Grade("重点", N_("≥3 次接触、比价或议价，1 个月内购车"), 2, 30, 0,
                  N_("到店面谈 + 定制方案（每周 ≥3 次）"), ("key",)),
            Grade("意向", N_("已试驾或报价，需求明确，3 个月内购车"), 3, 90, 1,
                  N_("电话 + 微信（每周 2 次）"), ("intention",)),
            Grade("潜在", N_("首次咨询，需求模糊，无时间表"), 7, None, 2,
                  N_("短信 + 朋友圈触达（每周 1 次）"), ("potential",)),
            Grade("休眠", N_("6 个月无联系"), 90, None, 3, N_("节日问候 + 新品资讯（每季度）"), ("dormant",)),
        ),
        "潜在",
    ),
    # A B2B salesperson's scheme.
    "abc": Scheme(
        "abc",
        N_("ABC（A 1 个月内 / B 2 个月内 / C 3 个月内）"),
        (
            Grade("A", N_("1 个月内成交"), 1, 30, 0, N_("每日联系，盯紧不放")),
            Grade("B", N_("2 个月内成交"), 3, 60, 1, N_("每 3 天联系一次")),
            Grade("C", N_("3 个月内成交"), 7, 90, 2, N_("每周联系一次")),
        ),
        "B",
    ),
}



# What follows a grade on a sheet: H级, A类, 重点客户, H级客户.
_GRADE_SUFFIXES = ("级客户", "类客户", "级", "类", "客户")


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
    handover_working_days: int = 1  # a delivered car's owner is handed to after-sales within this
    order_update_days: int = 7  # an order waiting for its car: the customer hears of its progress this often
    after_delivery_days: tuple[int, ...] = (1, 3, 7, 30)  # after-delivery visits (交车后回访), days after delivery
    first_service_months: int = 3  # the first-service reminder (首保提醒), months after delivery
    objection_plan_hours: float = 24  # an objection gets a handling plan within this
    reactivation_days: int = 30  # a woken dormant customer who responds within this is reactivated
    timeliness_target: float = 0.8  # 跟进及时率 below this means one-to-one coaching
    quote_discount_limit: int = 3000  # yuan a consultant may take off a quote; above it, 经理批价
    quote_valid_days: int = 7  # a quote given without --valid-until holds this many days after today
    # The hours a lead that never visited is called in (DOMAIN.md "Time rules"): the showroom's
    # opening hours, every day of the week, since showrooms open on weekends and holidays.
    working_hours: tuple[time, time] = (time(9), time(21))
    # [sources.SOURCE] first_call_minutes: leads that never visited are called within minutes,
    # counted in working hours (dealers and OEMs measure online and 400 leads so).
    source_first_call_minutes: Mapping[str, int] = {"online": 30, "hotline": 30}
    # [sources.SOURCE] words and [sources.online.platforms]: what the floor writes for a source
    # (floor_words), extended by the store.
    source_words: Mapping[str, str] = SOURCE_WORDS
    platforms: Mapping[str, str] = PLATFORM_WORDS
    audit: Mapping[str, Mapping[str, object]] | None = None  # the store's [audit.RULE] tables
    # [calendar.YEAR]: a year's holidays and swapped workdays (调休上班) as the State Council announced
    # them, for a year the installed `holidays` does not know yet; they replace its estimate.
    calendar: Mapping[int, tuple[frozenset[date], frozenset[date]]] = {}
    loss_reasons: tuple[str, ...] = ("价格", "竞品品牌", "推迟购买", "贷款未过", "联系不上", "已在别处购买", "其他")

    @property
    def grades(self) -> tuple[Grade, ...]:
        return self.scheme.grades

    def grade(self, raw: str) -> Grade:
        """The grade named by its code or an alias, as the floor writes it too (`H级`, `Ａ级`, ` b `,
        `重点客户`); anything else is bad input (exit 2)."""
        key = word_key(raw)
        for word in (key, *(key.removesuffix(s) for s in _GRADE_SUFFIXES if key.endswith(s) and key != s)):
            for grade in self.scheme.grades:
                if word == grade.code.lower() or word in grade.aliases:
                    return grade
        codes = " ".join(g.code for g in self.scheme.grades)
        raise BadInput(_("不认识的级别 `{raw}`：本店的级别（{scheme}）是 {codes}").format(raw=raw, scheme=self.scheme.name, codes=codes))

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
    "order_update_days": int,
    "first_service_months": int,
    "objection_plan_hours": float,
    "reactivation_days": int,
    "timeliness_target": float,
    "quote_discount_limit": int,
    "quote_valid_days": int,
}
# Upper bounds, so that a typo (240000 for 24) is caught when the policy is loaded, not months later.
_POLICY_LIMITS = {"timeliness_target": 1, "dormant_after_months": 120, "wake_days_before_festival": 366,
                  "first_service_months": 120,
                  "quote_discount_limit": 10_000_000}
# Numbers that are a period: 0 would put the card due again the moment it is contacted.
_POLICY_FLOORS = {"order_update_days": 1, "first_service_months": 1}
_AFTER_DELIVERY_DAYS_MAX = 3660
_DEFAULT_LIMIT = 24 * 366  # hours, days or counts: a year of hours is beyond any sane setting
_FIRST_CALL_MINUTES_MAX = 7 * 24 * 60


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
        raise BadInput(_("不认识的政策“{name}”：可用 {choices}").format(name=scheme_name, choices=", ".join(SCHEMES)))
    policy = Policy(SCHEMES[scheme_name])
    if not overrides_toml:
        return policy
    import tomllib  # only stores with overrides pay for the TOML parser

    try:
        data = tomllib.loads(overrides_toml)
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(_("政策文件不是有效的 TOML：{error}").format(error=exc)) from None
    except RecursionError:  # arrays or tables nested thousands deep: no policy is written so
        raise BadInput(_("政策文件不是有效的 TOML：嵌套太深")) from None
    return apply_overrides(policy, data)


def apply_overrides(policy: Policy, data: Mapping[str, object]) -> Policy:
    changes: dict[str, object] = {}
    for key, value in data.items():
        if key in _POLICY_NUMBERS:
            kind = _POLICY_NUMBERS[key]
            if kind is bool:
                if not isinstance(value, bool):
                    raise BadInput(_("政策：{key} 只能是 true 或 false").format(key=key))
            else:
                limit = _POLICY_LIMITS.get(key, _DEFAULT_LIMIT)
                _number(key, value, _POLICY_FLOORS.get(key, 0), limit)
            changes[key] = kind(value)
        elif key == "working_hours":
            changes[key] = parse_working_hours(value)
        elif key == "sources":
            changes.update(_override_sources(policy, value))
        elif key == "wake_festivals":
            changes[key] = tuple(str(v) for v in _list(key, value))
        elif key == "after_delivery_days":
            days = _list(key, value)
            for day in days:
                _number(key, day, 1, _AFTER_DELIVERY_DAYS_MAX)
                if day != int(day):
                    raise BadInput(_("政策：{key} 须列出整天数，不能是 {day}").format(key=key, day=day))
            changes[key] = tuple(sorted({int(d) for d in days}))
        elif key == "loss_reasons":
            changes[key] = tuple(str(v) for v in _list(key, value))
        elif key == "audit":
            if not isinstance(value, dict):
                raise BadInput(_("政策：[audit] 须是按规则分的表"))
            for rule, limits in value.items():
                if not isinstance(limits, dict):
                    raise BadInput(_("政策：[audit.{rule}] 须是按限值分的表").format(rule=rule))
            changes[key] = {str(rule): dict(limits) for rule, limits in value.items()}
        elif key == "grades":
            changes["scheme"] = _override_grades(policy.scheme, value)
        elif key == "calendar":
            changes[key] = own_calendar(value)
        elif key != "scheme":
            raise BadInput(_("政策：不认识的设置“{key}”").format(key=key))
    return policy._replace(**changes)


def _number(key: str, value: object, low: float, high: float) -> None:
    """A policy number: finite (TOML allows nan and inf) and within its range, else bad input."""
    if (not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value)
            or not low <= value <= high):
        raise BadInput(_("政策：{key} 须是 {low} 到 {high} 之间的数").format(key=key, low=f"{low:g}", high=f"{high:g}"))


def parse_working_hours(value: object) -> tuple[time, time]:
    """`"09:00-21:00"`: opening and closing, the closing later the same day."""
    text = unicodedata.normalize("NFKC", str(value)).replace(" ", "") if isinstance(value, str) else ""
    opening, dash, closing = text.partition("-")
    try:
        hours = (time.fromisoformat(opening), time.fromisoformat(closing)) if dash else None
    except ValueError:
        hours = None
    # A time with an offset ("21:00+08:00") is no showroom clock, and cannot be compared with one.
    if hours is None or hours[0].tzinfo or hours[1].tzinfo or hours[0] >= hours[1]:
        raise BadInput(_("政策：working_hours 应写成 \"09:00-21:00\"（开门早于关门），不能是 {value}").format(value=repr(value)))
    return hours


def _override_sources(policy: Policy, table: object) -> dict[str, Mapping[str, object]]:
    """[sources.SOURCE]: first_call_minutes, the floor's words for it (`words = ["老带新"]`), and for
    online its platforms (`[sources.online.platforms]` "瓜子" = "瓜子二手车")."""
    from leadcard.model import Source  # only a policy with [sources] needs the names

    if not isinstance(table, dict):
        raise BadInput(_("政策：[sources] 须是按来源分的表"))
    minutes, words, platforms = (dict(policy.source_first_call_minutes), dict(policy.source_words),
                                 dict(policy.platforms))
    for name, rules in table.items():
        if name not in {s.value for s in Source}:
            raise BadInput(_("政策：[sources] 里有不认识的来源“{name}”（可用 {choices}）").format(
                name=name, choices=", ".join(s.value for s in Source)))
        allowed = {"first_call_minutes", "words"} | ({"platforms"} if name == Source.ONLINE else set())
        if not isinstance(rules, dict) or set(rules) - allowed:
            raise BadInput(_("政策：[sources.{name}] 只能设 {keys}").format(name=name, keys=", ".join(sorted(allowed))))
        if "first_call_minutes" in rules:
            value = rules["first_call_minutes"]
            _number(f"sources.{name}.first_call_minutes", value, 1, _FIRST_CALL_MINUTES_MAX)
            minutes[name] = int(value)
        for word in _list(f"sources.{name}.words", rules.get("words", [])):
            words[_word(f"sources.{name}.words", word)] = name
        named = rules.get("platforms", {})
        if not isinstance(named, dict):
            raise BadInput(_("政策：[sources.online.platforms] 须是“写法 = 平台名”的表"))
        for word, platform in named.items():
            platforms[_word("sources.online.platforms", word)] = _word("sources.online.platforms", platform, key_form=False)
    return {"source_first_call_minutes": minutes, "source_words": words, "platforms": platforms}


def _word(key: str, value: object, *, key_form: bool = True) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise BadInput(_("政策：{key} 里须是非空的文字，不能是 {value}").format(key=key, value=repr(value)))
    return word_key(text) if key_form else unicodedata.normalize("NFKC", text)


def _list(key: str, value: object) -> list:
    if not isinstance(value, list):
        raise BadInput(_("政策：{key} 须是列表").format(key=key))
    return value


def _override_grades(scheme: Scheme, table: object) -> Scheme:
    if not isinstance(table, dict):
        raise BadInput(_("政策：[grades] 须是按级别分的表"))
    grades = {g.code: g for g in scheme.grades}
    for code, numbers in table.items():
        if code not in grades:
            raise BadInput(_("政策：级别“{code}”不在 {scheme} 方案里").format(code=code, scheme=scheme.name))
        if not isinstance(numbers, dict):
            raise BadInput(_("政策：[grades.{code}] 须是按设置分的表").format(code=code))
        allowed = {"cadence_days", "horizon_days", "action", "label", "aliases"}
        unknown = set(numbers) - allowed
        if unknown:
            raise BadInput(_("政策：级别 {code}：不认识的设置“{key}”").format(code=code, key=sorted(unknown)[0]))
        for key in ("cadence_days", "horizon_days"):
            if key in numbers and not (key == "horizon_days" and numbers[key] is None):
                _number(f"grades.{code}.{key}", numbers[key], 1, 3660)
        numbers = dict(numbers)
        if "aliases" in numbers:  # the store's own words for the grade (热, 重点), beside the scheme's
            added = (_word(f"grades.{code}.aliases", a) for a in _list(f"grades.{code}.aliases", numbers["aliases"]))
            numbers["aliases"] = (*grades[code].aliases, *added)
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


# The version of how a card's schedule (Timing, deal_due, and domain.cards.timing_columns around them)
# comes from its records. Raise it with any change that makes a stored card's derived columns come out
# otherwise: a store derived by an older version recomputes them when it is next opened
# (domain/admin.py `rederive`), as a change of its policy does; a morning list must not keep an old
# version's due times until each card happens to be written again.
DERIVATION = 1


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
                left_at: datetime | None = None, source: str | None = None,
                returned_at: datetime | None = None, visited_at: datetime | None = None,
                finance_rejected_at: datetime | None = None) -> Timing:
    """When an open card is next due and why (CONTRACT.md, `today`; README "When is a card due").

    The customer came back and someone else received them (`returned_at`, the latest such visit):
    `returned` from the visit until anything is logged after it. The loan application stands
    rejected (`finance_rejected_at`): `finance-rejected` from the rejection until a contact reaches
    the customer at or after it. When both are owed, the earlier. Otherwise both first-contact
    clocks start when the customer left (`left_at`), else at the card's creation. Until it has an
    SMS/WeChat contact: `first-touch`, 3 h on. Until a contact has reached the customer by voice or
    face to face: `first-call`, 24 h on, or for a source with `first_call_minutes` (online, 400)
    that many minutes of working hours on. While either is owed, the earlier deadline is due. Then
    the plan in force (`planned`): the next date set by the latest contact that reached the
    customer, or a retry set by a later failed attempt — an attempt without a date leaves the plan
    as it was. With none planned: the latest contact that reached the customer plus the grade's
    cadence (`cadence`). A return visit (`visited_at`, the latest) counts as contact for the
    dormant clock: the customer was here in person.
    """
    from dateutil.relativedelta import relativedelta  # writes need it; `today` only reads

    ordered = sorted(contacts, key=lambda c: c.at)
    start = left_at or created_at
    # The written thank-you counts once sent: whether a message arrived is not the consultant's to know.
    first_touch = next((c.at for c in ordered if c.channel in WRITTEN_CHANNELS), None)
    # An attempt that did not reach the customer confirms no grade (seed 000: 电话回访…确认级别).
    first_call = next((c.at for c in ordered if c.reached and c.channel in REACHING_CHANNELS), None)
    latest = ordered[-1] if ordered else None
    last_reached = max((c.at for c in ordered if c.reached), default=None)
    last_seen = max((t for t in (last_reached, visited_at) if t is not None), default=created_at)
    dormant_at = last_seen + relativedelta(months=policy.dormant_after_months)
    next_at, purpose = _plan_in_force(ordered)

    owed: list[Due] = []
    if first_touch is None:
        owed.append(Due(first_touch_deadline(start, source, policy), DueReason.FIRST_TOUCH))
    if first_call is None:
        owed.append(Due(first_call_deadline(start, source, policy), DueReason.FIRST_CALL))
    happened = []  # what happened to the customer since the last contact, and must be answered first
    if returned_at is not None and not any(c.at >= returned_at for c in ordered):
        happened.append(Due(returned_at, DueReason.RETURNED))
    if finance_rejected_at is not None and not any(c.reached and c.at >= finance_rejected_at for c in ordered):
        happened.append(Due(finance_rejected_at, DueReason.FINANCE_REJECTED))
    if happened:
        due = min(happened, key=lambda d: d.at)
    elif owed:
        due = min(owed, key=lambda d: d.at)
    elif next_at is not None:
        due = Due(next_at, DueReason.PLANNED, purpose)
    else:
        grade = policy.known_grade(grade_code)
        cadence = grade.cadence_days if grade else min(g.cadence_days for g in policy.grades)
        due = Due(last_reached + timedelta(days=cadence), DueReason.CADENCE)  # first call done: reached
    return Timing(
        due=due,
        dormant_at=dormant_at,
        first_touch_at=first_touch,
        first_call_at=first_call,
        last_contact_at=last_reached,
        next_at=next_at,
        next_purpose=purpose,
        failed_attempts=sum(1 for c in ordered if not c.reached and (last_reached is None or c.at > last_reached)),
        objections=latest.objections if latest else (),
    )


# An order's and an owner's occasions are due from the start of their day, for the whole of it (deal_due).
WHOLE_DAY_REASONS = frozenset({DueReason.DELIVERY, DueReason.AFTER_DELIVERY, DueReason.FIRST_SERVICE,
                               DueReason.BIRTHDAY})


class Deal(NamedTuple):
    """What the schedule needs of an order (成交/订车) and, once its car is delivered, of its owner."""

    ordered_at: datetime
    delivery_day: date | None = None  # the expected delivery the order promised (交车日期)
    delivered_at: datetime | None = None
    birthday: str | None = None  # "MM-DD"
    legacy: bool = False  # won before orders were kept: its after-delivery visits are not asked for


def deal_due(deal: Deal, contacts: Iterable[Contact], policy: Policy, tz: tzinfo) -> Due | None:
    """When an ordered or delivered card is next due and why (README "After the order").

    Waiting for its car: the expected delivery day (`delivery`); before it, the customer hears of
    the car's progress every `order_update_days` after the latest contact that reached them since
    the order (`cadence`), unless a date was planned since (`planned`). Delivered: each
    after-delivery visit (`after-delivery`), the first service (`first-service`) and every birthday
    (`birthday`) is due from the start of its day until a contact reaches the owner on or after it;
    a date planned since the delivery comes first when it is earlier. None: nothing left to do.
    """
    ordered = sorted(contacts, key=lambda c: c.at)
    start = deal.delivered_at or deal.ordered_at
    since = [c for c in ordered if c.at >= start]
    last_reached = max((c.at for c in ordered if c.reached), default=None)
    next_at, purpose = _plan_in_force(since)
    planned = Due(next_at, DueReason.PLANNED, purpose) if next_at is not None else None
    if deal.delivered_at is None:
        heard = max((c.at for c in since if c.reached), default=deal.ordered_at)
        due = planned or Due(heard + timedelta(days=policy.order_update_days), DueReason.CADENCE)
        if deal.delivery_day is not None:
            delivery = Due(_start_of(deal.delivery_day, tz), DueReason.DELIVERY)
            due = min(due, delivery, key=lambda d: (d.at, d.reason != DueReason.DELIVERY))
        return due
    occasion = next((o for o in owner_occasions(deal, policy, tz, last_reached)
                     if last_reached is None or o.at > last_reached), None)
    return min((d for d in (planned, occasion) if d is not None), key=lambda d: d.at, default=None)


def owner_occasions(deal: Deal, policy: Policy, tz: tzinfo, after: datetime | None = None) -> list[Due]:
    """A delivered car's occasions in time order (each from the start of its day): the after-delivery
    visits and the first service (none for a legacy delivery), and the owner's next birthday that is
    not on or before `after`'s day."""
    from dateutil.relativedelta import relativedelta

    day = deal.delivered_at.astimezone(tz).date()
    found = []
    if not deal.legacy:
        found += [Due(_start_of(day + timedelta(days=n), tz), DueReason.AFTER_DELIVERY)
                  for n in policy.after_delivery_days]
        found.append(Due(_start_of(day + relativedelta(months=policy.first_service_months), tz),
                         DueReason.FIRST_SERVICE))
    if deal.birthday:
        seen = max(day, after.astimezone(tz).date() + timedelta(days=1)) if after else day
        found.append(Due(_start_of(next_birthday(deal.birthday, seen), tz), DueReason.BIRTHDAY))
    return sorted(found, key=lambda d: d.at)


class AfterDeliveryVisit(NamedTuple):
    days: int  # after the delivery day (1, 3, 7, 30 …)
    day: date  # the day it is due
    made_at: datetime | None  # the first contact that reached the owner on or after that day
    in_time: bool  # made on its day, or within the grace days after it


def after_delivery_visits(delivered_at: datetime, reached: Iterable[datetime], policy: Policy, tz: tzinfo,
                          grace_days: float = 0) -> list[AfterDeliveryVisit]:
    """Each after-delivery visit of a delivery and how it was made, from the moments a contact reached
    the owner (the audit's after-delivery-late and the report's timeliness read the same)."""
    delivered = delivered_at.astimezone(tz).date()
    # Each contact's day in the store's zone, worked out once (a trend asks it of thousands of
    # deliveries); in time order the days are in order too, so the first on or after a day is bisected.
    after = sorted((t, t.astimezone(tz).date()) for t in reached)
    after = [(t, day) for t, day in after if day > delivered]
    days = [day for _t, day in after]
    visits = []
    for n in policy.after_delivery_days:
        day = delivered + timedelta(days=n)
        i = bisect_left(days, day)
        made = after[i][0] if i < len(after) else None
        in_time = made is not None and (after[i][1] - day).days <= grace_days
        visits.append(AfterDeliveryVisit(n, day, made, in_time))
    return visits


def after_delivery_day(delivered_at: datetime, due_at: datetime, tz: tzinfo) -> int:
    """Which after-delivery visit a due date is: the days from the delivery day to it (1, 3, 7 …)."""
    return (due_at.astimezone(tz).date() - delivered_at.astimezone(tz).date()).days


def next_birthday(birthday: str, on_or_after: date) -> date:
    """The first birthday ("MM-DD") on or after a day; 02-29 falls on 02-28 in other years."""
    month, day = (int(part) for part in birthday.split("-"))
    for year in (on_or_after.year, on_or_after.year + 1):
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        found = date(year, month, 28 if (month, day) == (2, 29) and not leap else day)
        if found >= on_or_after:
            return found
    raise AssertionError("a birthday comes every year")


def _start_of(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=tz)


def days_planned_ahead(at: datetime, next_at: datetime, tz: tzinfo) -> int:
    """Calendar days from a contact to the next one it plans, in the store's zone (cadence counts
    calendar days: showrooms open on weekends)."""
    return (next_at.astimezone(tz).date() - at.astimezone(tz).date()).days


def planned_after(at: datetime, next_at: datetime, all_day: bool, tz: tzinfo) -> bool:
    """Whether a next date set at a contact lies after it. A whole day (a date without a time) ends
    at midnight, so it is ahead while any of it is: planned for the contact's own day, it is due today."""
    return days_planned_ahead(at, next_at, tz) >= 0 if all_day else next_at > at


def _plan_in_force(ordered: list[Contact]) -> tuple[datetime | None, str | None]:
    """The next date and purpose in force after the contacts: a contact that reached the customer
    sets them (or clears them, with no date); a failed attempt only sets a retry date, keeping the
    purpose planned before unless it gives one, and without a date changes nothing."""
    next_at = purpose = None
    for c in ordered:
        if c.reached:
            next_at, purpose = c.next_at, c.purpose
        elif c.next_at is not None:
            next_at, purpose = c.next_at, c.purpose or purpose
    return next_at, purpose


def first_touch_deadline(start: datetime, source: str | None, policy: Policy, hours: float | None = None) -> datetime:
    """When the written first touch is due: `first_touch_hours` (or `hours`) after the clock starts.
    A source counted in working minutes counts these hours so too: no message to a stranger at midnight."""
    hours = policy.first_touch_hours if hours is None else hours
    if source in policy.source_first_call_minutes:
        return add_working_minutes(start, hours * 60, policy.working_hours)
    return start + timedelta(hours=hours)


def first_call_deadline(start: datetime, source: str | None, policy: Policy, hours: float | None = None) -> datetime:
    """When the first call is due: `first_call_hours` (or `hours`) after the clock starts, or for a
    source with its own `first_call_minutes`, that many minutes of the store's working hours."""
    minutes = policy.source_first_call_minutes.get(source) if source else None
    if minutes is None:
        return start + timedelta(hours=policy.first_call_hours if hours is None else hours)
    return add_working_minutes(start, minutes, policy.working_hours)


def visit_card_late(left_at: datetime, now: datetime, minutes: float) -> bool:
    """A showroom visit that left contact details and has no card is late once `minutes` (the
    policy's `visit_card_minutes`, or the audit's limit) after the customer left have passed: a card
    made at that very second is in time."""
    return left_at + timedelta(minutes=minutes) < now


def add_working_minutes(start: datetime, minutes: float, hours: tuple[time, time]) -> datetime:
    """The moment `minutes` of working hours after `start`, in `start`'s own time zone: pass it in
    the store's local time, since working hours are the showroom's clock.

    Working hours are the same every day. A lead that arrives before opening is counted from
    opening, one at or after closing from the next opening; a deadline that falls exactly at
    closing stays that day.
    """
    opening, closing = hours
    tz = start.tzinfo
    remaining = timedelta(minutes=minutes)
    day = start.date()
    current = start
    while True:
        day_open = datetime.combine(day, opening, tzinfo=tz)
        day_close = datetime.combine(day, closing, tzinfo=tz)
        current = max(current, day_open)
        if current < day_close:
            if current + remaining <= day_close:
                return current + remaining
            remaining -= day_close - current
        day += timedelta(days=1)
        current = datetime.combine(day, opening, tzinfo=tz)


def day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The first and the last instant of a local calendar day."""
    start = datetime.combine(day, time(), tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), time(), tzinfo=tz) - timedelta(microseconds=1)


def as_the_day_stands(now: datetime, day: date, tz: tzinfo) -> datetime:
    """The moment a day's list is read at, for which cards are dormant by then: now, on the day
    itself (a card turning dormant today is due until it does); a past day as it ended, a day to
    come as it begins."""
    start, end = day_bounds(day, tz)
    return min(max(now, start), end)


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
    for (name, _year), first_day in festivals.items():
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
