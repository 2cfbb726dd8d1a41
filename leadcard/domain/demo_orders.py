"""The demo's second half of a sale (seed 003: 订车后跟进至交车, 已购车客户追踪回访): the news of the
car while the customer waits for it, the delivery, the owner's visits after it and the first-service
reminder — kept by the diligent, late or forgotten by the sloppy, so that `today` lists orders and
owners and the audit finds the customers dropped between order and delivery."""

from __future__ import annotations

import random
from calendar import monthrange
from datetime import date, datetime, time, timedelta

from leadcard.model import Channel, Outcome
from leadcard.schedule import Policy

PROGRESS = ("告知车辆进度：工厂已排产，预计按期到店", "告知车辆进度：车辆已下线，正在发运",
            "告知车辆进度：车辆已到店，预约交车时间和上牌资料")
AFTER_DELIVERY = ("交车后回访：用车顺利，讲解了车机互联和自适应巡航", "交车后回访：客户满意，提醒磨合期注意事项",
                  "交车后回访：客户问到保险理赔流程，已发给售后顾问", "交车满月回访：油耗满意，邀请参加车主活动")


def after_the_order(rng: random.Random, policy: Policy, ordered_at: datetime, now: datetime, diligence: float,
                    grade: str, birthday: str | None = None) -> tuple[list[dict], date, datetime | None]:
    """The follow-ups after an order, its expected delivery day, and when the car was delivered
    (None: the customer still waits for it); an owner's birthday ("MM-DD") brings a greeting."""
    delivery = (ordered_at + timedelta(days=rng.randint(10, 35))).date()
    delivered: datetime | None = _at(rng, delivery + timedelta(days=rng.choice((0, 0, 0, 1, 3))), ordered_at.tzinfo)
    today = datetime.combine(now.date(), time(), tzinfo=now.tzinfo)  # today's contacts are still to be made
    if delivered >= today:
        delivered = None
    followups = []
    call = ordered_at + timedelta(days=policy.order_update_days)
    while call < min(delivered or today, today):
        if rng.random() < diligence + 0.2:  # the sloppy let the customer wait without news
            followups.append(_contact(call, rng.choice(PROGRESS), grade))
        call += timedelta(days=policy.order_update_days * (1 if rng.random() < diligence else 2))
    if delivered is None:
        return followups, delivery, None
    for n in policy.after_delivery_days:
        late = 0 if rng.random() < diligence else rng.choice((1, 2, None))
        if late is not None:
            at = _at(rng, delivered.date() + timedelta(days=n + late), delivered.tzinfo)
            if at < today:
                followups.append(_contact(at, rng.choice(AFTER_DELIVERY), grade))
    service = _at(rng, _months_after(delivered.date(), policy.first_service_months), delivered.tzinfo)
    if service < today and rng.random() < diligence + 0.2:
        followups.append(_contact(service, "首保提醒：已约好周末到店做首次保养", grade))
    for year in range(delivered.year, today.year + 1):
        greeting = _birthday_in(birthday, year)
        if greeting is not None and delivered.date() <= greeting < today.date() and rng.random() < diligence + 0.2:
            followups.append(_contact(_at(rng, greeting, delivered.tzinfo), "生日祝福：发了祝福和保养优惠券",
                                      grade, Channel.WECHAT))
    return sorted(followups, key=lambda f: f["at"]), delivery, delivered


def _months_after(day: date, months: int) -> date:
    """As `day + relativedelta(months=months)`: the same day of the month, or that month's last."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, monthrange(year, month)[1]))


def _birthday_in(birthday: str | None, year: int) -> date | None:
    if not birthday:
        return None
    month, day = map(int, birthday.split("-"))
    try:
        return date(year, month, day)
    except ValueError:  # 02-29 in a common year: the day before
        return date(year, month, day - 1)


def _at(rng: random.Random, day: date, tz) -> datetime:
    return datetime.combine(day, time(rng.randint(10, 17), rng.choice((0, 15, 30, 45))), tzinfo=tz)


def _contact(at: datetime, content: str, grade: str, channel: Channel = Channel.PHONE) -> dict:
    return {"at": at, "channel": channel, "grade": grade, "outcome": Outcome.REACHED, "content": content}
