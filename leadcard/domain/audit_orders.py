"""The audit's rules of the sale's second half (seed 003: "订车后…跟进至最终交车", "已购车客户追踪回访";
DOMAIN.md "After the order"): a customer left without news of the car between order and delivery,
an after-delivery visit not made in time. Same shape as `audit_rules`: one function per rule, and the
table of their names, limits and reasons.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Iterator, Mapping

from leadcard.domain.audit_rules import Breach, CardState, Context, OrderSpan
from leadcard.model import Status
from leadcard.model.audit import Rule, Severity
from leadcard.schedule import after_delivery_visits


def order_gap(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    """Each order, from it to its delivery or cancellation (or the audit's moment while it waits):
    no stretch without a contact that reached the customer longer than `limit_days`."""
    every = limits["limit_days"]
    for order in c.orders:
        if order.legacy:
            continue
        end = order.ended_at or (ctx.as_of if c.status == Status.WON else None)
        if end is None:
            continue
        contacts = [e for e in c.followed if e.reached and order.at < e.at <= end]
        marks = [(order.at, f"订车（{ctx.md(order.at)}）")]
        marks += [(e.at, f"第 {e.seq} 次（{ctx.md(e.at)}）") for e in contacts]
        for (since, what), (until, then) in zip(marks, [*marks[1:], (end, _ending(order, ctx, end))]):
            days = (ctx.day(until) - ctx.day(since)).days
            if days <= every:
                continue
            ongoing = order.ended_at is None and until == end
            if ongoing:
                message = f"订车后最后一次联系是{what}，已 {days} 天没有告知客户车辆进度（订车后每 {every:g} 天一次）"
            else:
                message = f"{what}到{then}相隔 {days} 天没有联系客户（订车后每 {every:g} 天告知车辆进度）"
            yield Breach(since + timedelta(days=every), message, f"≤ {every:g} 天", f"{days} 天",
                         ongoing=ongoing)


def _ending(order: OrderSpan, ctx: Context, end) -> str:
    if order.ended_at is None:
        return "今天"
    if order.delivered:
        return f"交车（{ctx.md(end)}）"
    return f"退订（{ctx.md(end)}）"


def after_delivery_late(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    """Each after-delivery visit (the policy's days after the delivery day) is made on its day, or
    within `grace_days` after it, by a contact that reached the owner; one contact made late may
    stand for several visits, each of them late."""
    order = c.orders[-1] if c.orders else None
    if c.status != Status.DELIVERED or c.delivered_at is None or order is None or order.legacy:
        return
    grace = limits["grace_days"]
    reached = {e.at: e for e in c.followed if e.reached}
    delivered = ctx.md(c.delivered_at)
    for visit in after_delivery_visits(c.delivered_at, reached, ctx.policy, ctx.tz, grace):
        deadline = ctx.start_of(visit.day + timedelta(days=grace + 1))
        due = ctx.md(ctx.start_of(visit.day))
        if visit.in_time or (visit.made_at is None and ctx.as_of < deadline):
            continue
        if visit.made_at is None:
            late = (ctx.today - visit.day).days
            yield Breach(deadline, f"交车（{delivered}）后第 {visit.days} 天的回访（{due}）没有做，已过 {late} 天",
                         f"第 {visit.days} 天回访", "未回访")
        else:
            made = reached[visit.made_at]
            late = (ctx.day(made.at) - visit.day).days
            yield Breach(deadline, f"交车（{delivered}）后第 {visit.days} 天的回访（{due}）到第 {made.seq} 次"
                         f"（{ctx.md(made.at)}）才做，晚 {late} 天", f"第 {visit.days} 天回访", f"晚 {late} 天", made.seq)


RULES: tuple[Rule, ...] = (
    Rule("order-gap", "订后", "订车后没有按时告知客户车辆进度（订车到交车之间冷落客户）", Severity.ERROR, order_gap,
         lambda p: {"limit_days": p.order_update_days},
         "成交 is the order; the car may take weeks, and the consultant calls weekly with its progress "
         "(policy order_update_days). A customer dropped between order and delivery cancels (退订) or "
         "complains: the card must be followed to the final delivery (订车后…跟进至最终交车). Stretches "
         "before a delivery or a cancellation are judged too."),
    Rule("after-delivery-late", "回访", "交车后回访没有按时做", Severity.WARNING, after_delivery_late,
         lambda p: {"grace_days": 0, "after_delivery_days": list(p.after_delivery_days)},
         "After delivery the owner is visited the next day, after 3 days, a week and a month (policy "
         "after_delivery_days), reminded of the first service and greeted on their birthday: owners "
         "(基盘/保客) who are looked after refer friends, the cheapest new customers a showroom has "
         "(已购车客户追踪回访). A visit counts when a contact reaches the owner on its day, or within "
         "grace_days after it."),
)
