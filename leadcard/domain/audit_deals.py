"""The audit's rules of the deal desk: a key customer given no written purchase plan, a quote left
to lapse. Same shape as `audit_rules`: the rule's function, and its name, limits and reason in the
table."""

from __future__ import annotations

from datetime import timedelta
from typing import Iterator, Mapping

from leadcard.domain.audit_rules import Breach, CardState, Context
from leadcard.domain.audit_spans import days, span
from leadcard.domain.key_plans import PLAN_DAYS, default_key_grades, judged_key
from leadcard.i18n import N_, _
from leadcard.model import Status
from leadcard.model.audit import Rule, Severity


def quote_expired(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    """The latest quote of an open card has lapsed (past the end of its last valid day, plus grace)
    and no contact has reached the customer since it was given."""
    if c.status != Status.OPEN or c.dormant:
        return
    quote = c.history.quote
    if quote is None or quote.valid_until is None:
        return
    lapsed = ctx.start_of(quote.valid_until + timedelta(days=1 + limits["grace_days"]))
    if lapsed > ctx.as_of or any(e.reached and e.at > quote.at for e in c.entries):
        return
    late = days((ctx.today - quote.valid_until).days)
    yield Breach(lapsed,
                 _("第 {seq} 次报价（{at}，{net}元）有效期至 {until}，已过期 {late}，报价后没有再联系上客户").format(
                     seq=quote.seq, at=ctx.md(quote.at), net=f"{quote.price - quote.discount:,}",
                     until=ctx.md(ctx.start_of(quote.valid_until)), late=late),
                 _("报价有效期内跟进客户，或重新报价"), _("过期 {late}未联系").format(late=late), ongoing=True)


def purchase_plan_late(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    """A key customer (重点客户: the card judged one of `grades`, the scheme's hottest by default) is
    given a written purchase plan — a quote (报价单: price, discount, 精品, insurance, financing) —
    within `limit_days` of being judged one. A quote given before counts: the customer holds a plan.
    Not owed once the card was re-judged, ordered or closed by the deadline."""
    keys = set(limits["grades"])
    allowed = timedelta(days=limits["limit_days"])
    quoted = c.history.first_quoted
    for became in judged_key(zip(c.grade_times, c.grade_codes), keys):
        deadline = became + allowed
        # At the deadline itself a quote would still be in time: late only once it has passed.
        if deadline >= ctx.as_of or (quoted is not None and quoted <= deadline):
            continue
        if (c.closed_at is not None and c.closed_at <= deadline) or any(became <= o.at <= deadline for o in c.orders):
            continue  # ordered, or closed for good, by then: the plan is moot
        grade = c.grade_at(became)
        if c.grade_at(deadline) not in keys:
            continue  # re-judged within the limit
        limit = days(limits["limit_days"])
        if quoted is not None:
            took = span(quoted - became, allowed)
            yield Breach(deadline, _("{at} 判为 {grade} 级（重点客户），{took}后才第一次报价（{quoted}），时限 {limit}").format(
                at=ctx.md(became), grade=grade, took=took, quoted=ctx.md(quoted), limit=limit),
                _("{limit}内给出书面购车方案（报价）").format(limit=limit), took)
            continue
        waited = span(ctx.as_of - became, allowed)
        yield Breach(deadline, _("{at} 判为 {grade} 级（重点客户），已 {waited}，还没有书面购车方案（报价），时限 {limit}").format(
            at=ctx.md(became), grade=grade, waited=waited, limit=limit),
            _("{limit}内给出书面购车方案（报价）").format(limit=limit), _("{waited}未报价").format(waited=waited),
            ongoing=c.status == Status.OPEN and not c.dormant and c.grade in keys)


RULES: tuple[Rule, ...] = (
    Rule("quote-expired", N_("报价"), N_("报价过了有效期，报价后没有再联系客户"), Severity.WARNING, quote_expired,
         lambda p: {"grace_days": 0},
         N_("成交在报价台上谈成：报价有有效期，过期前的几天正是客户拿主意的时候。报价过期、其间没有再联系上客户，"
            "就是把客户和价格单独留在了一起——案例里那位客户，就是为了 9.58万 的报价流失的。只看卡片最新的一次报价，"
            "也只算报价之后联系上客户的跟进。")),
    Rule("purchase-plan-late", N_("方案"), N_("重点客户没有及时拿到书面购车方案（报价）"), Severity.WARNING,
         purchase_plan_late, lambda p: {"limit_days": PLAN_DAYS, "grades": default_key_grades(p)},
         N_("重点客户已经在比价、议价，一个月内就要买：客户跟进管理办法要求 2 天内出具《购车方案对比表》，"
            "把车型、价格、优惠、精品、保险和贷款写清楚给客户，不让竞品的报价先到。本工具里书面方案就是报价"
            "（leadcard quote）；判为重点客户之前已经报过价的也算。时限内重新判了级别、下了订单或卡片已关闭的，不算。"
            "哪些级别算重点客户由 grades 指定，默认是本店级别体系里最热的一级（H、重点、A）。")),
)
