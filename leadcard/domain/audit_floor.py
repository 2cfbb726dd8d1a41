"""The audit's rules of the floor's discipline (DOMAIN.md, "Grades and cadence"; seed 003's
fines for 虚假战败): a loss approved for a customer who came back, a hot card left to go dormant,
a next contact planned beyond the grade's cadence. Same shape as `audit_rules`: one function per
rule, and the table of their names, limits and reasons (in Chinese, translated where shown).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Iterator, Mapping

from dateutil.relativedelta import relativedelta

from leadcard.domain.audit_rules import Breach, CardState, Context, may_be_days_apart
from leadcard.domain.audit_spans import days, every, months
from leadcard.i18n import N_, _
from leadcard.model.audit import Rule, Severity
from leadcard.model import Status, card_ref
from leadcard.schedule import days_planned_ahead

_COMEBACK_WORDS = {"card": N_("新建卡片"), "visit": N_("到店登记"), "order": N_("订车成交")}


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
        later = days((ctx.day(back.at) - ctx.day(approved)).days)
        how = _(_COMEBACK_WORDS[back.kind])
        if ctx.sees(back.by_id):
            where = _("{card}（{who}）").format(card=f" {card_ref(back.card_id)}" if back.card_id else "",
                                              who=back.by or _("无人"))
        else:  # another team's card or visit: told that it happened, not whose or which
            where = _("（你看不到的记录，请问主管）")
        yield Breach(back.at,
                     _("战败（{approved} 批准，{requester} 申请）后 {days}客户又出现：{at} {how}{where}，"
                       "疑似虚假战败").format(
                         approved=ctx.md(approved), requester=requester or "—", days=later, at=ctx.md(back.at),
                         how=how, where=where),
                     _("批准后 {days}内不再出现").format(days=days(limits["within_days"])),
                     _("{days}后{how}").format(days=later, how=how), who=requester)


def neglected_to_dormant(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    """An open card that went dormant still graded hot: the rules that watch an active card stop
    at dormancy, so this one stays while it sleeps."""
    if c.status != Status.OPEN or not c.dormant:
        return
    spell = ctx.policy.dormant_after_months
    last = max((e.at for e in c.entries if e.reached), default=c.created_at)
    slept = last + relativedelta(months=spell)
    grade = c.grade_at(slept)
    if grade not in limits["grades"]:
        return
    silent = months(spell)
    yield Breach(slept,
                 _("{grade} 级客户自 {since} 起 {months}没有联系，{slept} 转入休眠，其间没有降级（{cadence}）").format(
                     grade=grade, since=ctx.md(last), months=silent, slept=ctx.md(slept),
                     cadence=every(grade, ctx.cadence(grade))),
                 _("{cadence}，或降级").format(cadence=every(grade, ctx.cadence(grade))),
                 _("{months}未联系").format(months=silent), ongoing=True)


def plan_beyond_cadence(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    for entry in c.entries:
        if entry.next_at is None:
            continue
        grade = c.grade_at(entry.at)
        cadence = ctx.cadence(grade)
        if not may_be_days_apart(entry.at, entry.next_at, cadence + limits["grace_days"]):
            continue
        ahead = days_planned_ahead(entry.at, entry.next_at, ctx.tz)
        if ahead > cadence + limits["grace_days"]:
            yield Breach(entry.at, _("第 {seq} 次（{at}）约定的下次访问 {next_at} 在 {days}后，超出 {grade} 级的联系周期"
                                     "（每 {cadence}）").format(
                seq=entry.seq, at=ctx.md(entry.at), next_at=ctx.md(entry.next_at), days=days(ahead), grade=grade,
                cadence=days(cadence)), f"≤ {days(cadence)}", days(ahead), entry.seq)


RULES: tuple[Rule, ...] = (
    Rule("false-loss", N_("假败"), N_("战败批准后客户又出现（新卡、到店或订车）：疑似虚假战败"), Severity.ERROR, false_loss,
         lambda p: {"within_days": 90},
         N_("顾问申请战败，主管批准；门店对编造的战败（虚假战败）要罚款，每次 100 元，第二次加倍。"
            "被判战败的客户在 90 天内又出现——任何人用同一个电话新建卡片、到店登记或订车——说明并没有流失。"
            "这条问题由申请战败的顾问处理。")),
    Rule("neglected-to-dormant", N_("冷落"), N_("高级别客户没有降级就因无人联系转入休眠"), Severity.ERROR,
         neglected_to_dormant, lambda p: {"grades": [g.code for g in p.grades[:2]]},
         N_("级别决定多久必须联系一次客户；H 级或 A 级客户（本方案最热的两级）在整个休眠期（6 个月）里无人联系，"
            "是被冷落，而不是自然降温：顾问本应把级别调低。卡片休眠期间，这条问题一直保留。")),
    Rule("plan-beyond-cadence", N_("远约"), N_("约定的下次访问超出级别的联系周期"), Severity.WARNING, plan_beyond_cadence,
         lambda p: {"grace_days": 0, "cadence_days": {g.code: g.cadence_days for g in p.grades}},
         N_("每次跟进都要约定下次联系时间，而级别决定最迟多久要联系（HABC：H 级每天、A 级每 7 天、B 级每 14 天、"
            "C 级每 30 天）：H 级客户约到下周，电话就打晚了。记录跟进（`leadcard log`）时会立即提醒。")),
)
