"""The audit's rules of the floor's discipline (DOMAIN.md, "Grades and cadence"; seed 003's
fines for 虚假战败): a loss approved for a customer who came back, a hot card left to go dormant,
a next contact planned beyond the grade's cadence. Same shape as `audit_rules`: one function per
rule, and the table of their names, limits and reasons.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Iterator, Mapping

from dateutil.relativedelta import relativedelta

from leadcard.domain.audit_rules import Breach, CardState, Context
from leadcard.model.audit import Rule, Severity
from leadcard.model import Status, card_ref
from leadcard.schedule import days_planned_ahead

_COMEBACK_WORDS = {"card": "新建卡片", "visit": "到店登记", "order": "订车成交"}


def false_loss(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    """Each approved loss whose customer came back within `within_days`: a card made on the phone
    (by anyone; the lost card itself is older), a showroom visit, or an order. The consultant who
    asked for the loss must explain it."""
    seen = ctx.comebacks.get(c.history.phone, ())
    window = timedelta(days=limits["within_days"])
    for approved, requester in c.approvals:
        back = next((b for b in seen if approved < b.at <= approved + window
                     and not (b.kind == "card" and b.card_id == c.history.id)), None)
        if back is None:
            continue
        days = (ctx.day(back.at) - ctx.day(approved)).days
        if ctx.session.may_see(back.by_id):
            where = (f" {card_ref(back.card_id)}" if back.card_id else "") + f"（{back.by or '无人'}）"
        else:  # another team's card or visit: told that it happened, not whose or which
            where = "（你看不到的记录，请问主管）"
        yield Breach(back.at,
                     f"战败（{ctx.md(approved)} 批准，{requester or '—'} 申请）后 {days} 天客户又出现："
                     f"{ctx.md(back.at)} {_COMEBACK_WORDS[back.kind]}{where}，疑似虚假战败",
                     f"批准后 {limits['within_days']:g} 天内不再出现", f"{days} 天后{_COMEBACK_WORDS[back.kind]}",
                     who=requester)


def neglected_to_dormant(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    """An open card that went dormant still graded hot: the rules that watch an active card stop
    at dormancy, so this one stays while it sleeps."""
    if c.status != Status.OPEN or not c.dormant:
        return
    months = ctx.policy.dormant_after_months
    last = max((e.at for e in c.entries if e.reached), default=c.created_at)
    slept = last + relativedelta(months=months)
    grade = c.grade_at(slept)
    if grade not in limits["grades"]:
        return
    yield Breach(slept,
                 f"{grade} 级客户自 {ctx.md(last)} 起 {months} 个月没有联系，{ctx.md(slept)} 转入休眠，"
                 f"其间没有降级（{grade} 级应每 {ctx.cadence(grade)} 天联系一次）",
                 f"{grade} 级每 {ctx.cadence(grade)} 天联系，或降级", f"{months} 个月未联系", ongoing=True)


def plan_beyond_cadence(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    for entry in c.entries:
        if entry.next_at is None:
            continue
        grade = c.grade_at(entry.at)
        cadence = ctx.cadence(grade)
        days = days_planned_ahead(entry.at, entry.next_at, ctx.tz)
        if days > cadence + limits["grace_days"]:
            yield Breach(entry.at, f"第 {entry.seq} 次（{ctx.md(entry.at)}）约定的下次访问 {ctx.md(entry.next_at)} "
                         f"在 {days} 天后，超出 {grade} 级的联系周期（每 {cadence} 天）",
                         f"≤ {cadence} 天", f"{days} 天", entry.seq)


RULES: tuple[Rule, ...] = (
    Rule("false-loss", "假败", "战败批准后客户又出现（新卡、到店或订车）：疑似虚假战败", Severity.ERROR, false_loss,
         lambda p: {"within_days": 90},
         "A consultant requests a lost sale (战败) and a supervisor approves it; stores fine invented defeats "
         "(虚假战败, 100 yuan each, doubled the second time). A customer declared lost who comes back within "
         "90 days — a new card with the same phone by anyone, a showroom visit, an order — was not lost. The "
         "finding is the consultant's who asked for the loss."),
    Rule("neglected-to-dormant", "冷落", "高级别客户没有降级就因无人联系转入休眠", Severity.ERROR, neglected_to_dormant,
         lambda p: {"grades": [g.code for g in p.grades[:2]]},
         "A grade sets how often a customer must be contacted; an H or A customer (the scheme's two hottest "
         "grades) left without contact for the dormant period (6 months) was neglected, not cooled: the "
         "consultant should have regraded them down. The finding stays while the card sleeps."),
    Rule("plan-beyond-cadence", "远约", "约定的下次访问超出级别的联系周期", Severity.WARNING, plan_beyond_cadence,
         lambda p: {"grace_days": 0, "cadence_days": {g.code: g.cadence_days for g in p.grades}},
         "Every follow-up sets the next contact date, and the grade sets how soon it must be (HABC: H every "
         "day, A every 7 days, B every 14, C every 30): an H customer booked for next week will be called too "
         "late. `leadcard log` warns at once."),
)
