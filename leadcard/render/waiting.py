"""What waits on a supervisor or the manager, drawn under their own morning list: loss requests,
price approvals, follow-ups waiting for an instruction, visits without a card, handovers and cancellations, each
with the command that acts on it."""

from __future__ import annotations

from datetime import datetime

from leadcard.i18n import _
from leadcard.model import Card, DueCard, LossRequest, PriceApproval, TodayList, Visit
from leadcard.render.common import iso
from leadcard.render.deals import quote_json, quote_text
from leadcard.usertext import shell_word


def waiting_json(today: TodayList) -> dict:
    """What waits on a supervisor or the manager, each line with the commands that act on it."""
    w = today.waiting
    return {
        "loss_requests": [
            {"ref": c.ref, "name": c.name, "owner": c.owner, "reason": c.outcome.get("reason"),
             "competitor": c.outcome.get("competitor"), "note": c.outcome.get("note"),
             "requested_at": c.outcome.get("requested_at"), "followups": r.followups,
             "gave_up_early": r.short_of is not None,
             "commands": _loss_commands(c)}
            for r in w.loss_requests for c in (r.card,)
        ],
        "price_approvals": [
            {"ref": a.card.ref, "name": a.card.name, "owner": a.card.owner, **quote_json(None, a.quote),
             "commands": [_approve_command(a)]}
            for a in w.price_approvals
        ],
        "unsigned": [
            {"ref": u.card.ref, "name": u.card.name, "owner": u.card.owner, "followups": u.count,
             "first_seq": u.first_seq, "first_at": iso(u.first_at), "commands": [_comment_command(u.card)]}
            for u in w.unsigned
        ],
        "visits_without_card": [
            {"visit": v.id, "arrived_at": iso(v.arrived_at), "left_at": iso(v.left_at), "consultant": v.consultant,
             "name": v.name, "phone": v.phone, "model": v.model, "commands": [_card_command(v)]}
            for v in w.visits_without_card
        ],
        "handovers": [
            {"ref": h.card.ref, "name": h.card.name, "owner": h.card.owner, "model": h.card.outcome.get("model"),
             "won_at": h.card.outcome.get("at"), "delivered_at": h.card.outcome.get("delivered_at"),
             "due_at": iso(h.due_at), "commands": [_handover_command(h.card)]}
            for h in w.handovers
        ],
        "cancellations": [
            {"ref": c.card.ref, "name": c.card.name, "owner": c.card.owner, "model": c.model, "reason": c.reason,
             "at": iso(c.at), "by": c.by, "commands": [_show_command(c.card)]}
            for c in w.cancellations
        ],
    }


def _made(r: LossRequest) -> str:
    """The follow-ups a loss was asked for after; too few said so, for the question before the verdict."""
    if r.short_of is not None:
        made = _("只跟进了 1 次") if r.followups == 1 else _("只跟进了 {n} 次").format(n=r.followups)
        return _("{made}（本店要求至少 {needed} 次，先问清再批）").format(made=made, needed=f"{r.short_of:g}")
    return _("跟进 1 次") if r.followups == 1 else _("跟进 {n} 次").format(n=r.followups)


def _loss_commands(c: Card) -> list[str]:
    return [f"leadcard approve {c.ref}", _("leadcard reject {ref} --note 驳回理由").format(ref=c.ref)]


def _approve_command(a: PriceApproval) -> str:
    return f"leadcard quote approve {a.card.ref} {a.quote.seq}"


def _comment_command(c: Card | DueCard) -> str:
    return _("leadcard comment {ref} 批示内容").format(ref=c.ref)


def _card_command(v: Visit) -> str:
    name = shell_word(v.name) if v.name else _("客户姓名")
    return f"leadcard add {name} --phone {v.phone} --visit {v.id}"


def _handover_command(c: Card) -> str:
    return _("leadcard handover {ref} --to 售后顾问").format(ref=c.ref)


def _show_command(c: Card) -> str:
    return f"leadcard show {c.ref}"


def waiting_lines(today: TodayList, bold: str) -> list[str]:
    """The sections under a supervisor's own list, only those that hold something: each entry a
    line, and under it the command that acts on it, wrapped to the terminal."""
    from leadcard.render.grid import wrapped

    w = today.waiting
    if not w:
        return []
    sections = []
    if w.loss_requests:
        sections.append((_("战败待审 {n}").format(n=len(w.loss_requests)), [(
            _("{ref} {name}（{owner}）{why}，{at} 申请，{made}").format(
                ref=c.ref, name=c.name, owner=c.owner or "—", at=_short(c.outcome.get("requested_at")),
                why=" · ".join(x for x in (c.outcome.get("reason"), c.outcome.get("competitor")
                                           and _("购买 {competitor}").format(competitor=c.outcome["competitor"])) if x),
                made=_made(r)),
            _(" 或 ").join(_loss_commands(c))) for r in w.loss_requests for c in (r.card,)]))
    if w.price_approvals:
        sections.append((_("待批价 {n}").format(n=len(w.price_approvals)), [(
            _("{ref} {name}（{owner}）{quote}，{at} {author}报").format(
                ref=a.card.ref, name=a.card.name, owner=a.card.owner or "—", quote=quote_text(a.quote),
                at=f"{a.quote.at:%m-%d %H:%M}", author=a.quote.author or ""),
            _approve_command(a)) for a in w.price_approvals]))
    if w.unsigned:
        sections.append((_("待批示跟进（近 {days} 天）{n}").format(days=w.unsigned_days, n=len(w.unsigned)), [(
            _("{ref} {name}（{owner}）{count} 次跟进未批示，最早第 {seq} 次 {at}").format(
                ref=u.card.ref, name=u.card.name, owner=u.card.owner or "—", count=u.count, seq=u.first_seq,
                at=f"{u.first_at:%m-%d}"), _comment_command(u.card)) for u in w.unsigned]))
    if w.visits_without_card:
        sections.append((_("留档未建卡 {n}").format(n=len(w.visits_without_card)), [(
            " ".join(x for x in (_("来店 #{id} {at}").format(id=v.id, at=f"{v.arrived_at:%m-%d %H:%M}"),
                                 _("{consultant}接待").format(consultant=v.consultant or "—"), v.name, v.phone) if x),
            _card_command(v)) for v in w.visits_without_card]))
    if w.handovers:
        sections.append((_("待交接售后 {n}").format(n=len(w.handovers)), [(
            _("{ref} {name}（{owner}）交车 {at}").format(
                ref=h.card.ref, name=h.card.name, owner=h.card.owner or "—",
                at=_short(h.card.outcome.get("delivered_at") or h.card.outcome.get("at")))
            + (_("，截止 {at}").format(at=f"{h.due_at:%m-%d}")  # the end of a working day
               + (_("（已超时）") if h.due_at.date() < today.day else "") if h.due_at else ""),
            _handover_command(h.card)) for h in w.handovers]))
    if w.cancellations:
        sections.append((_("退订（近 {days} 天）{n}").format(days=w.unsigned_days, n=len(w.cancellations)), [(
            _("{ref} {name}（{owner}）{at} 退订 {model}：{reason}").format(
                ref=c.card.ref, name=c.card.name, owner=c.card.owner or "—", at=f"{c.at:%m-%d %H:%M}",
                model=c.model or "", reason=c.reason or "—"), _show_command(c.card)) for c in w.cancellations]))
    lines = ["", bold.format(_("待我处理"))]
    for heading, entries in sections:
        lines.append(_("{heading}：").format(heading=heading))
        for entry, command in entries:
            lines += wrapped(2, entry) + wrapped(4, "→ " + command)
    return lines


def _short(text: object) -> str:
    """A stored ISO time from the outcome JSON, as month, day and time."""
    return f"{datetime.fromisoformat(text):%m-%d %H:%M}" if isinstance(text, str) and text else ""
