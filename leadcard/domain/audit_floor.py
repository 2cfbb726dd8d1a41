"""The audit's rules of the floor's discipline (DOMAIN.md, "Grades and cadence" and "Time rules"; seed
003's fines for 虚假战败): a loss approved for a customer who came back, a hot card left to go dormant,
a next contact planned beyond the grade's cadence, a need that changed without a new plan. Same shape as `audit_rules`: one function per
rule, and the table of their names, limits and reasons (in Chinese, translated where shown).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Iterator, Mapping

from dateutil.relativedelta import relativedelta

from leadcard.domain.audit_rules import (FIELD_LABELS, Breach, CardState, Context, may_be_days_apart,
                                         working_days_past)
from leadcard.domain.audit_spans import days, every, months, working_days
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
    # Told at the contact that made the plan: those before the window are not told.
    for entry in c.entries[c.before(ctx.since_at):]:
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


def plan_update_late(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    """A need the card records (its budget, model … of `fields`) changed from one value to another
    (`edit`; a blank filled in is a detail learned, not a change): a follow-up with a tracking plan
    (跟踪方案) by the end of the limit's last working day after the change's day. A plan written
    earlier that day counts: the call that brought the news is often logged before the card is
    edited. An open card only: an order, a loss or dormancy ends the customer's plans."""
    if c.status != Status.OPEN or c.dormant:
        return
    allowed = int(limits["limit_working_days"])
    for at, fields in c.edits:
        changed = [(name, *fields[name]) for name in limits["fields"]
                   if name in fields and None not in fields[name]]  # `edit` stores a value cleared as None
        if not changed:
            continue
        start = ctx.local(at)
        planned = next((e for e in c.entries if (e.plan or "").strip() and ctx.day(e.at) >= start.date()), None)
        end = ctx.local(planned.at) if planned is not None else ctx.as_of
        deadline, taken = working_days_past(ctx, start, end, allowed)
        if taken is None:
            continue
        what = _("；").join(_("{field} {before} → {after}").format(field=_(FIELD_LABELS[name]), before=before,
                                                                   after=after) for name, before, after in changed)
        limit = working_days(allowed)
        if planned is not None:
            message = _("{at} 需求变了（{what}），第 {seq} 次跟进（{planned}）才写新的跟踪方案（时限 {limit}：{deadline} 当天）").format(
                at=ctx.md(start), what=what, seq=planned.seq, planned=ctx.md(end, clock=True), limit=limit,
                deadline=ctx.md(deadline))
            actual = working_days(taken)
        else:
            message = _("{at} 需求变了（{what}），还没有写新的跟踪方案，已过时限（{limit}：{deadline} 当天）").format(
                at=ctx.md(start), what=what, limit=limit, deadline=ctx.md(deadline))
            actual = _("未更新")
        yield Breach(deadline, message, _("{limit}内更新跟踪方案").format(limit=limit), actual,
                     planned.seq if planned is not None else None, ongoing=planned is None)


_NEEDS = ["model", "budget", "purchase_type", "payment", "usage", "timeline", "concerns", "competitors"]


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
    Rule("plan-update-late", N_("需求"), N_("客户需求变了，没有按时更新跟踪方案"), Severity.WARNING, plan_update_late,
         lambda p: {"limit_working_days": 3, "fields": list(_NEEDS)},
         N_("客户的需求变了（预算提升、换购新能源、改了意向车型），跟踪方案就要在 3 个工作日内跟着改，"
            "否则还在按旧需求推车。卡片上这些栏目（`leadcard edit`）从一个值改成另一个值，就算需求变化；"
            "空栏第一次填上只是补全资料，不算。变化当天及以后写有跟踪方案（`log --plan`）的跟进就算更新。")),
)
