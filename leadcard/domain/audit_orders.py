"""The audit's rules of the sale's second half (seed 003: "订车后…跟进至最终交车", "已购车客户追踪回访";
DOMAIN.md "After the order"): a customer left without news of the car between order and delivery,
an after-delivery visit not made in time. Same shape as `audit_rules`: one function per rule, and the
table of their names, limits and reasons.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Iterator, Mapping

from leadcard.domain.audit_rules import Breach, CardState, Context, OrderSpan
from leadcard.domain.audit_spans import days
from leadcard.i18n import N_, _
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
        marks = [(order.at, _("订车（{at}）").format(at=ctx.md(order.at)))]
        marks += [(e.at, _("第 {seq} 次（{at}）").format(seq=e.seq, at=ctx.md(e.at))) for e in contacts]
        for (since, what), (until, then) in zip(marks, [*marks[1:], (end, _ending(order, ctx, end))]):
            gap = (ctx.day(until) - ctx.day(since)).days
            if gap <= every:
                continue
            ongoing = order.ended_at is None and until == end
            if ongoing:
                message = _("订车后最后一次联系是{what}，已 {days}没有告知客户车辆进度（订车后每 {every}一次）").format(
                    what=what, days=days(gap), every=days(every))
            else:
                message = _("{what}到{then}相隔 {days}没有联系客户（订车后每 {every}告知车辆进度）").format(
                    what=what, then=then, days=days(gap), every=days(every))
            yield Breach(since + timedelta(days=every), message, f"≤ {days(every)}", days(gap),
                         ongoing=ongoing)


def _ending(order: OrderSpan, ctx: Context, end) -> str:
    if order.ended_at is None:
        return _("今天")
    if order.delivered:
        return _("交车（{at}）").format(at=ctx.md(end))
    if order.reopened:
        return _("重新打开（{at}）").format(at=ctx.md(end))
    return _("退订（{at}）").format(at=ctx.md(end))


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
        if visit.in_time or (visit.made_at is None and ctx.as_of < deadline):
            continue
        due = ctx.md(ctx.start_of(visit.day))
        if visit.made_at is None:
            # Still to be made, as a date passed with no contact is: today's work, whatever the window.
            late = (ctx.today - visit.day).days
            yield Breach(deadline, _("交车（{delivered}）后第 {day} 天的回访（{due}）没有做，已过 {late}").format(
                delivered=delivered, day=visit.days, due=due, late=days(late)),
                _("第 {day} 天回访").format(day=visit.days), _("未回访"), ongoing=True)
        else:
            made = reached[visit.made_at]
            late = (ctx.day(made.at) - visit.day).days
            yield Breach(deadline, _("交车（{delivered}）后第 {day} 天的回访（{due}）到第 {seq} 次（{at}）才做，晚 {late}").format(
                delivered=delivered, day=visit.days, due=due, seq=made.seq, at=ctx.md(made.at), late=days(late)),
                _("第 {day} 天回访").format(day=visit.days), _("晚 {late}").format(late=days(late)), made.seq)


RULES: tuple[Rule, ...] = (
    Rule("order-gap", N_("订后"), N_("订车后没有按时告知客户车辆进度（订车到交车之间冷落客户）"), Severity.ERROR, order_gap,
         lambda p: {"limit_days": p.order_update_days},
         N_("成交就是订车；车可能要等几周，顾问每周打电话告知车辆进度（政策 order_update_days）。"
            "订车到交车之间被冷落的客户会退订或投诉：卡片要跟进到最终交车（订车后…跟进至最终交车）。"
            "交车或退订之前的间隔也一样稽核。")),
    Rule("after-delivery-late", N_("回访"), N_("交车后回访没有按时做"), Severity.WARNING, after_delivery_late,
         lambda p: {"grace_days": 0, "after_delivery_days": list(p.after_delivery_days)},
         N_("交车后，第二天、3 天、一周、一个月各回访一次车主（政策 after_delivery_days），并提醒首保、生日问候："
            "照顾好的车主（基盘/保客）会介绍朋友来，这是展厅最便宜的新客户（已购车客户追踪回访）。"
            "在回访当天或其后 grace_days 天内联系上车主，才算回访。")),
)
