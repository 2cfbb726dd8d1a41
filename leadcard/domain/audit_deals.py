"""The audit's rule of the deal desk: a quote left to lapse. Same shape as `audit_rules`: the rule's
function, and its name, limits and reason in the table."""

from __future__ import annotations

from datetime import timedelta
from typing import Iterator, Mapping

from leadcard.domain.audit_rules import Breach, CardState, Context
from leadcard.domain.audit_spans import days
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


RULES: tuple[Rule, ...] = (
    Rule("quote-expired", N_("报价"), N_("报价过了有效期，报价后没有再联系客户"), Severity.WARNING, quote_expired,
         lambda p: {"grace_days": 0},
         N_("成交在报价台上谈成：报价有有效期，过期前的几天正是客户拿主意的时候。报价过期、其间没有再联系上客户，"
            "就是把客户和价格单独留在了一起——案例里那位客户，就是为了 9.58万 的报价流失的。只看卡片最新的一次报价，"
            "也只算报价之后联系上客户的跟进。")),
)
