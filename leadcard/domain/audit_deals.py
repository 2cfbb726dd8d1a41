"""The audit's rule of the deal desk: a quote left to lapse. Same shape as `audit_rules`: the rule's
function, and its name, limits and reason in the table."""

from __future__ import annotations

from datetime import timedelta
from typing import Iterator, Mapping

from leadcard.domain.audit_rules import Breach, CardState, Context
from leadcard.model import Status
from leadcard.model.audit import Rule, Severity


def quote_expired(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    """The latest quote of an open card has lapsed (past the end of its last valid day, plus grace)
    and no contact has reached the customer since it was given."""
    if c.status != Status.OPEN or c.dormant:
        return
    quote = ctx.quotes.get(c.history.id)
    if quote is None or quote.valid_until is None:
        return
    lapsed = ctx.start_of(quote.valid_until + timedelta(days=1 + limits["grace_days"]))
    if lapsed > ctx.as_of or any(e.reached and e.at > quote.at for e in c.entries):
        return
    days = (ctx.today - quote.valid_until).days
    yield Breach(lapsed,
                 f"第 {quote.seq} 次报价（{ctx.md(quote.at)}，{quote.price - quote.discount:,}元）有效期至 "
                 f"{ctx.md(ctx.start_of(quote.valid_until))}，已过期 {days} 天，报价后没有再联系上客户",
                 "报价有效期内跟进客户，或重新报价", f"过期 {days} 天未联系", ongoing=True)


RULES: tuple[Rule, ...] = (
    Rule("quote-expired", "报价", "报价过了有效期，报价后没有再联系客户", Severity.WARNING, quote_expired,
         lambda p: {"grace_days": 0},
         "Deals are made at the desk: a quote (报价) is an offer with a validity, and the days before it lapses "
         "are when the customer decides. A quote that lapsed with no contact after it was given is a customer "
         "left alone with the price — the seeds' customer lost over a 9.58万 quote. Only the card's latest "
         "quote counts, and only a contact that reached the customer after it."),
)
