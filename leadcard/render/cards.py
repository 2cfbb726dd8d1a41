"""Output: rich tables and panels for people, JSON for scripts. Never queries the store."""

from __future__ import annotations

import sys
from datetime import datetime
from json.encoder import encode_basestring as _quoted  # a text as a JSON string, in C (no ASCII escapes)
from typing import Iterator

from leadcard.model import (
    CARD_FIELDS,
    CHANNEL_LABELS,
    DUE_REASON_LABELS,
    EVENT_LABELS,
    OUTCOME_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
    Card,
    CardDetail,
    CardList,
    FollowUp,
    Status,
    Script,
    TodayItem,
    TodayList,
    Visit,
    card_ref,
)
from leadcard.i18n import N_, _
from leadcard.render.card_edits import changes_listed
# Commands print through this module, the shared pieces included (print_json).
from leadcard.render.common import (  # noqa: F401
    Rows, at_showroom, console, dumps, iso, new_table, print_json, print_json_rows,
    print_json_streamed, text, unprintable_escaped,
)
from leadcard.usertext import shown

# -- JSON -----------------------------------------------------------------------------------------


def card_json(card: Card) -> dict:
    return {
        **at_showroom(card),
        "ref": card.ref,
        "name": card.name,
        "phone": card.phone,
        "grade": card.grade,
        "status": card.status.value,
        "created_at": iso(card.created_at),
        "owner": card.owner,
        "source": card.source.value,
        "platform": card.platform,
        "left_at": iso(card.left_at),
        "model": card.fields.get("model"),
        "followups": card.followup_count,
        "last_contact_at": iso(card.last_contact_at),
        "next_at": iso(card.next_at),
        "due_at": iso(card.due_at),
        "due_reason": card.due_reason.value if card.due_reason else None,
        "outcome": card.outcome or None,
        "birthday": card.birthday,
        "do_not_contact": card.do_not_contact,
        "failed_attempts": card.failed_attempts,
        **({"named_owner": card.named_owner} if card.named_owner else {}),
        **_overridden(card),
    }


def _overridden(record) -> dict:
    """Written while LEADCARD_NOW replaced the clock (a store bound to logins): said only then."""
    return {"clock_override": True} if record.clock_override else {}


def visit_json(v: Visit) -> dict:
    return {
        "id": v.id, "arrived_at": iso(v.arrived_at), "left_at": iso(v.left_at), "party_size": v.party_size,
        "source": v.source.value, "model": v.model, "test_drive": v.test_drive, "consultant": v.consultant,
        "contact_left": v.contact_left, "name": v.name, "phone": v.phone, "notes": v.notes,
        "card": card_ref(v.card_id) if v.card_id else None, "return_visit": v.return_visit, **_overridden(v),
    }


def visit_log_json(log) -> dict:
    """`log` is a visits.VisitLog."""
    left, total = log.contact_rate
    return {
        "since": log.since.isoformat(), "until": log.until.isoformat(),
        "visits": [{**visit_json(v), "card_overdue": v.id in log.overdue} for v in log.visits],
        "contact_left": left, "total": total, "contact_rate": left / total if total else None,
    }


def followup_json(f: FollowUp, card_ref: str | None = None) -> dict:
    data = {
        "seq": f.seq,
        "at": iso(f.at),
        "recorded_at": iso(f.recorded_at),
        "channel": f.channel.value,
        "outcome": f.outcome.value,
        "grade": f.grade,
        "impression": f.impression,
        "content": f.content,
        "problem": f.problem,
        "solution": f.solution,
        "feasibility": f.feasibility,
        "competition": f.competition,
        "bottleneck": f.bottleneck,
        "plan": f.plan,
        "next_at": iso(f.next_at),
        "next_all_day": f.next_all_day,
        "purpose": f.purpose,
        "inbound": f.inbound,
        "author": f.author,
        "corrects": f.corrects,
        "corrected_by": f.corrected_by,
        "objections": list(f.objections),
        **_overridden(f),
        "voided": {"at": iso(f.voided.at), "by": f.voided.by, "reason": f.voided.reason} if f.voided else None,
    }
    if card_ref is not None:
        data = {"ref": card_ref, **data}
    return data


def detail_json(detail: CardDetail) -> dict:
    from leadcard.render.deals import desk_json

    card = detail.card
    return {
        **card_json(card),
        "recorded_at": iso(card.recorded_at),
        **{name: card.fields.get(name) for name, _, _ in CARD_FIELDS},
        "followups": [followup_json(f) for f in detail.followups],
        "grades": [
            {"at": iso(g.at), "from": g.from_grade, "to": g.to_grade, "by": g.by, "reason": g.reason,
             "followup": g.followup_seq, "withdrawn": g.withdrawn, **_overridden(g)}
            for g in detail.grades
        ],
        "instructions": [
            {"at": iso(i.at), "author": i.author, "text": i.text, "followup": i.followup_seq, **_overridden(i)}
            for i in detail.instructions
        ],
        "events": [{"at": iso(e.at), "kind": e.kind, "by": e.by, **e.detail, **_overridden(e)} for e in detail.events],
        "handover_due": iso(detail.handover_due),
        "objections": [script_json(s) for s in detail.scripts],
        "referred_by": _link_json(detail.referrer) if detail.referrer else None,
        "referrals": [_link_json(c) for c in detail.referrals],
        **desk_json(detail.desk),
    }


def _link_json(card: Card) -> dict:
    return {"ref": card.ref, "name": card.name, "status": card.status.value, "owner": card.owner}


def script_json(s: Script) -> dict:
    """An objection with the playbook's latest answer (script None when there is none yet)."""
    return {"tag": s.tag, "label": s.label, "script": s.text, "author": s.author, "at": iso(s.at),
            "version": s.version}


def print_today_json(today: TodayList) -> None:
    """The morning list, one item a line, written as they come: a manager's has thousands."""
    print_json_streamed(_today_document(today))


def _today_document(today: TodayList) -> dict:
    """The list, its items and the supervisor's sections as `Rows` (written as they come)."""
    return {
        "date": today.day.isoformat(),
        "summary": today_summary_counts(today),
        "items": Rows(_today_item_lines(today.items), encoded=True),
        # A manager's sections hold thousands of lines: each written as a row, as the items are.
        **({"waiting": {key: Rows(lines) for key, lines in _waiting_json(today).items()}}
           if today.waiting is not None else {}),
    }


def _today_item_lines(items: list[TodayItem]) -> Iterator[str]:
    """Each item's JSON row, written out field by field (strings quoted by json's own C function)
    rather than built as an object for the encoder: a manager's list has thousands of rows, which this
    writes in a fifth less time. Each distinct moment is written out once (a manager's thousands of items
    share fewer than half as many due times, and a zoned time takes microseconds to write), and each
    playbook answer once (the items that raised one objection share it)."""
    from leadcard.render.deals import quote_json

    written: dict[datetime | None, str] = {None: "null"}

    def moment(at: datetime | None) -> str:
        text = written.get(at)
        if text is None:
            text = written[at] = f'"{at.isoformat()}"'
        return text

    answers: dict[Script, str] = {}

    def answer(s: Script) -> str:
        found = answers.get(s)
        if found is None:
            found = answers[s] = dumps(script_json(s))
        return found

    for i in items:
        card = i.card
        line = (
            f'{{"ref": {_quoted(card.ref)}, "name": {_text(card.name)}, "phone": {_text(card.phone)}, '
            f'"grade": {_text(card.grade)}, "owner": {_text(card.owner)}, "model": {_text(card.model)}, '
            f'"due_at": {moment(i.due_at)}, "overdue_days": {i.overdue_days}, "reason": {_quoted(i.reason)}, '
            f'"purpose": {_text(i.purpose)}, "suggested": {_truth(i.suggested)}, '
            f'"suggest_invalid": {_truth(i.suggest_invalid)}, "last_contact_at": {moment(card.last_contact_at)}, '
            f'"days_since_contact": {_number(i.days_since_contact)}, "followups": {_number(card.followup_count)}, '
            f'"objections": [{", ".join(answer(s) for s in i.scripts)}], '
            f'"quote": {dumps(quote_json(None, i.quote)) if i.quote else "null"}, "plan_due": {moment(i.plan_due)}}}'
        )
        # at_showroom's key, first: only a hub's rows name their showroom.
        if card.showroom is not None:
            line = f'{{"showroom": {_quoted(card.showroom)}, {line[1:]}'
        yield unprintable_escaped(line)


def _text(value: str | None) -> str:
    return "null" if value is None else _quoted(value)


def _number(value: int | None) -> str:
    return "null" if value is None else str(value)


def _truth(value: bool) -> str:
    return "true" if value else "false"


def _waiting_json(today: TodayList) -> dict:
    from leadcard.render.waiting import waiting_json  # a supervisor's sections: most lists have none

    return waiting_json(today)


def _waiting_lines(today: TodayList, bold: str) -> list[str]:
    if not today.waiting:
        return []
    from leadcard.render.waiting import waiting_lines

    return waiting_lines(today, bold)


# -- tables ---------------------------------------------------------------------------------------

WEEKDAYS = (N_("周一"), N_("周二"), N_("周三"), N_("周四"), N_("周五"), N_("周六"), N_("周日"))


def today_summary_counts(today: TodayList) -> dict:
    reasons = [i.reason.value for i in today.items]
    return {
        "due": len(today.items),
        "overdue": sum(1 for i in today.items if i.overdue_days > 0),
        "first_touch": reasons.count("first-touch"),
        "first_call": reasons.count("first-call"),
        "wake_up": reasons.count("wake-up"),
        "returned": reasons.count("returned"),
        "finance_rejected": reasons.count("finance-rejected"),
    }


def today_summary(today: TodayList) -> str:
    counts = today_summary_counts(today)
    parts = [f"{today.day.isoformat()} {_(WEEKDAYS[today.day.weekday()])}",
             _("待跟进 {n}").format(n=counts["due"]), _("逾期 {n}").format(n=counts["overdue"])]
    for key, label in (("first_touch", N_("待首次触达")), ("first_call", N_("待首次电话")),
                       ("wake_up", N_("休眠唤醒")), ("returned", N_("再次到店")),
                       ("finance_rejected", N_("贷款被拒"))):
        if counts[key]:
            parts.append(f"{_(label)} {counts[key]}")
    return " · ".join(parts)


def today_table(today: TodayList) -> None:
    """The morning list, drawn by the lean grid: it is the command run every day."""
    from leadcard.render.grid import Column, Grid, use_colour

    bold = "\x1b[1m{}\x1b[0m" if use_colour() else "{}"
    lines = [bold.format(today_summary(today))]
    if not today.items:
        lines.append(_("今天没有到期的跟进。"))
        sys.stdout.write("\n".join(lines + _waiting_lines(today, bold)) + "\n")
        return
    from leadcard.model.deals import QuoteStatus
    from leadcard.render.deals import quote_text

    show_owner = len(today.owners) > 1
    showrooms = _showroom_column(i.card.showroom for i in today.items)
    columns = [Column(_("逾期"), align="right"), Column(_("级")), *showrooms, Column(_("卡号")),
               Column(_("客户"), max_width=8), Column(_("电话")), Column(_("车型"), max_width=10)]
    if show_owner:
        columns.append(Column(_("顾问"), max_width=6))
    columns += [Column(_("事由 / 目的"), flexible=True, min_width=12), Column(_("距上次"), align="right"),
                Column(_("次"), align="right")]
    grid = Grid(columns)
    for item in today.items:
        card = item.card
        overdue = [(_("{n}天").format(n=item.overdue_days), "bold red")] if item.overdue_days else [(_("今天"), "green")]
        reason = [(_(DUE_REASON_LABELS[item.reason]), "cyan")]
        if item.purpose:
            reason += [(_("："), ""), (item.purpose, "dim" if item.suggested else "")]
        row = [overdue, card.grade, *([card.showroom] if showrooms else []), card.ref, card.name, card.phone,
               card.model or ""]
        if show_owner:
            row.append(card.owner or "")
        since = _("{n}天").format(n=item.days_since_contact) if item.days_since_contact is not None else "—"
        row += [reason, since, str(card.followup_count)]
        grid.add_row(*row)
        for script in item.scripts:
            grid.add_note([("  ↳ ", "dim")], script_pieces(script))
        if item.quote:
            waits = item.quote.status == QuoteStatus.PENDING and not item.quote.lapsed  # for a price approval
            grid.add_note([("  ↳ ", "dim")], [(quote_text(item.quote), "yellow" if waits else "")])
        if item.plan_due:
            grid.add_note([("  ↳ ", "dim")], [(_("重点客户：书面购车方案（报价）时限 {due}（leadcard quote {ref} --price 价格）")
                                                .format(due=f"{item.plan_due:%m-%d %H:%M}", ref=card.ref), "yellow")])
    lines.append(grid.render())
    sys.stdout.write("\n".join(lines + _waiting_lines(today, bold)) + "\n")


def script_pieces(s: Script) -> list[tuple[str, str]]:
    """One objection and its script as one line: 「价格高于竞品」话术：… (or a call for one)."""
    if s.text:
        return [(shown(_("「{label}」话术：").format(label=s.label)), "cyan"), (shown(s.text), "")]
    return [(shown(_("「{label}」").format(label=s.label)), "cyan"),
            (shown(_("话术库暂无，请主管补充（leadcard playbook add {tag}）").format(tag=s.tag)), "dim")]


def cards_table(found: CardList) -> None:
    """Cards, one a line, drawn by the lean grid: a consultant's list runs to thousands of cards,
    which rich lays out at a few milliseconds a row."""
    from leadcard.render.grid import Column, Grid

    cards = found.cards
    if not cards:
        sys.stdout.write(_("没有符合条件的卡片。") + "\n")
        return
    showrooms = _showroom_column(c.showroom for c in cards)
    grid = Grid([*showrooms, Column(_("卡号")), Column(_("客户"), max_width=8), Column(_("电话")), Column(_("级")),
                 Column(_("状态")), Column(_("车型"), flexible=True, min_width=6), Column(_("顾问"), max_width=6),
                 Column(_("建卡")), Column(_("次"), align="right"), Column(_("下次"))])
    for c in cards:
        grid.add_row(
            *([c.showroom] if showrooms else []), c.ref, c.name, c.phone, c.grade, _(STATUS_LABELS[c.status]), c.fields.get("model") or "",
            c.owner or "", f"{c.created_at:%Y-%m-%d}", str(c.followup_count),
            f"{c.due_at:%m-%d}" if c.due_at else "—",
        )
    more = found.total - len(cards)
    tail = _("，另有 {more} 张未列出（--limit N 或 --all 列出更多）").format(more=more) if more else ""
    sys.stdout.write(grid.render() + "\n" + _("共 {total} 张{tail}").format(total=found.total, tail=tail) + "\n")


def _showroom_column(showrooms) -> list:
    """A column of the showroom each row came from, on a dealer group's hub (none elsewhere)."""
    from leadcard.render.grid import Column

    return [Column(_("门店"), max_width=8)] if any(s is not None for s in showrooms) else []


def visits_table(log) -> None:
    """`log` is a visits.VisitLog: the showroom log with its 留档率."""
    out = console()
    span = log.until.isoformat() if log.since == log.until else f"{log.since} ~ {log.until}"
    if not log.visits:
        out.print(_("{span} 没有来店（电）登记。").format(span=span))
        return
    table = new_table()
    for title in ("#", _("时间"), _("人"), _("来源"), _("车型"), _("试驾"), _("顾问"), _("客户"), _("电话"), _("卡号")):
        table.add_column(title, no_wrap=True)
    for v in log.visits:
        if v.card_id:
            card = card_ref(v.card_id) + (_("（再次到店）") if v.return_visit else "")
        elif v.return_visit:
            card = _("已有卡（再次到店）")  # another consultant's card: only that there is one
        else:
            card = _("待建卡") if v.id in log.overdue else ("—" if not v.contact_left else "…")
        stay = f"{v.arrived_at:%m-%d %H:%M}" + (f"-{v.left_at:%H:%M}" if v.left_at else "")
        table.add_row(
            str(v.id), stay, str(v.party_size or ""), _(SOURCE_LABELS[v.source]), v.model or "",
            _("是") if v.test_drive else "", v.consultant or "", v.name or "", v.phone or "", card,
        )
    out.print(table)
    left, total = log.contact_rate
    out.print(_("{span} 共 {total} 批 · 留档 {left} · 留档率 {rate}").format(
        span=span, total=total, left=left, rate=f"{left / total:.0%}"))


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    if moment.hour == 0 and moment.minute == 0:
        return f"{moment:%Y-%m-%d}"
    return f"{moment:%Y-%m-%d %H:%M}"


def card_view(detail: CardDetail) -> None:
    """The card laid out like the paper form: customer, intent, numbered follow-ups, instructions."""
    from leadcard.render.deals import desk_lines
    from leadcard.render.grid import wrapped

    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    out = console()
    card = detail.card
    title = text(_("意向客户管理卡 {ref}  {name}  ").format(ref=card.ref, name=card.name), style="bold")
    title.append(f"[{card.grade}] {_(STATUS_LABELS[card.status])}", style="bold cyan")
    head = Table.grid(padding=(0, 2))
    head.add_column(no_wrap=True)
    head.add_column()
    head.add_column(no_wrap=True)
    head.add_column()
    source = _(SOURCE_LABELS[card.source]) + (_("（{platform}）").format(platform=card.platform) if card.platform else "")
    head.add_row(_("建卡时间"), _when(card.created_at), _("资料来源"), source)
    if card.left_at:
        head.add_row(_("离店时间"), _when(card.left_at), "", "")
    head.add_row(_("销售顾问"), card.owner or (_("{name}（尚未添加为用户）").format(name=card.named_owner)
                                             if card.named_owner else "—"), _("电话"), card.phone)
    for label, value in ((_("转介绍人"), detail.referrer and f"{detail.referrer.ref} {detail.referrer.name}"),
                         (_("介绍的客户"), _("、").join(f"{c.ref} {c.name}" for c in detail.referrals)),
                         (_("生日"), card.birthday)):
        if value:
            head.add_row(label, value, "", "")
    for section, heading in (("customer", N_("客户信息")), ("intent", N_("购车意向"))):
        fields = [(_(label), card.fields.get(name)) for name, label, sec in CARD_FIELDS if sec == section]
        filled = [(label, str(v)) for label, v in fields if v not in (None, "")]
        if not filled:
            continue
        head.add_row(Text(_(heading), style="bold"), "", "", "")
        for pair_start in range(0, len(filled), 2):
            pair = filled[pair_start:pair_start + 2]
            row = [pair[0][0], pair[0][1]] + ([pair[1][0], pair[1][1]] if len(pair) > 1 else ["", ""])
            head.add_row(*row)
    for label, value in _outcome_rows(card):
        head.add_row(Text(label, style="bold"), value, "", "")
    if detail.handover_due:
        head.add_row(Text(_("交接售后"), style="bold"),
                     _("尚未交接，截止 {at}（工作日）").format(at=f"{detail.handover_due:%Y-%m-%d}"), "", "")
    if card.due_at:
        head.add_row(_("下次跟进"), _("{at}（{reason}）").format(
            at=_when(card.due_at), reason=_(DUE_REASON_LABELS[card.due_reason])), "", "")
    out.print(Panel(head, title=title, title_align="left"))
    if detail.scripts:
        out.print(Text(_("异议话术（最近一次跟进）"), style="bold"))
        for script in detail.scripts:
            out.print(Text.assemble("  ", *script_pieces(script)))

    by_followup: dict[int | None, list] = {}
    for ins in detail.instructions:
        by_followup.setdefault(ins.followup_seq, []).append(ins)
    out.print(Text(_("跟踪洽谈记录"), style="bold"))
    if not detail.followups:
        out.print("  " + _("（尚无跟进记录）"))
    for f in detail.followups:
        out.print(_followup_block(f, detail.objection_labels))
        for ins in by_followup.get(f.seq, []):
            out.print(text("\n".join(wrapped(6, _instruction(ins), first=4)), style="magenta"))
    for ins in by_followup.get(None, []):
        out.print(text(_instruction(ins), style="magenta"))
    for heading, lines in desk_lines(detail.desk):
        out.print(text(heading, style="bold"))
        for line in lines:
            out.print(text(f"  {line}"))
    if len(detail.events) > 1:
        out.print(Text(_("卡片历程"), style="bold"))
        for e in detail.events:
            out.print(_event_line(e))
    if detail.grades:
        out.print(Text(_("级别变更"), style="bold"))
        for g in detail.grades:
            change = f"{g.from_grade} → {g.to_grade}" if g.from_grade else _("定级 {grade}").format(grade=g.to_grade)
            who = f" {g.by}" if g.by else ""
            # A reason the program wrote (建卡 at the card's making) reads in the reader's language.
            why = _("：{reason}").format(reason=_(g.reason)) if g.reason else ""
            gone = _("（随第 {seq} 次跟进撤回）").format(seq=g.followup_seq) if g.withdrawn else ""
            out.print(f"  {_when(g.at)}{who}  {change}{why}{gone}")


def _instruction(ins) -> str:
    return _("主管批示（{author} {at}）：{text}").format(author=ins.author or "—", at=_when(ins.at), text=ins.text)


def _outcome_rows(card: Card) -> list[tuple[str, str]]:
    """How the card ended, as the paper form's last lines: deal and handover, or loss and verdict."""
    from leadcard.render.deals import loss_finance_text

    o = card.outcome
    if card.status in (Status.WON, Status.DELIVERED):
        price = o.get("price") and _("成交价 {price}").format(price=o["price"])
        deposit = o.get("deposit") is not None and _("定金 {deposit}").format(deposit=o["deposit"])
        rows = [(_("成交"), "  ".join(x for x in (o.get("model"), _stamp(o.get("at")), price, deposit) if x))]
        if o.get("delivered_at"):
            rows.append((_("交车"), _stamp(o["delivered_at"]) + (_("（成交当日，订车记录前）") if o.get("legacy") else "")))
        elif o.get("delivery"):
            rows.append((_("预计交车"), o["delivery"]))
        if o.get("handover_to"):
            rows.append((_("交接售后"), f"{o['handover_to']}  {_stamp(o.get('handover_at'))}"))
        return rows
    if card.status in (Status.LOST, Status.LOST_PENDING):
        bought = o.get("competitor") and _("购买 {competitor}").format(competitor=o["competitor"])
        rows = [(_("战败原因"), " · ".join(x for x in (o.get("reason"), bought) if x))]
        if o.get("note"):
            rows.append((_("战败分析"), o["note"]))
        if o.get("finance"):
            rows.append((_("贷款申请"), loss_finance_text(o["finance"])))
        rows.append((_("申请"), f"{o.get('requested_by') or ''}  {_stamp(o.get('requested_at'))}".strip()))
        if card.status == Status.LOST:
            verdict = f"{o.get('decided_by') or ''}  {_stamp(o.get('decided_at'))}".strip()
            note = _("：{note}").format(note=o["decision_note"]) if o.get("decision_note") else ""
            rows.append((_("批准"), verdict + note))
        else:
            rows.append((_("审批"), _("等待主管审批")))
        return rows
    if card.status == Status.INVALID:
        return [(_("无效"), f"{o.get('reason') or ''}  {_stamp(o.get('at'))}")]
    if card.do_not_contact:
        return [(_("勿扰"), _("客户要求不再联系：不在任何名单上"))]
    return []


def _stamp(text: object) -> str:
    """A stored ISO time from the outcome JSON, as the form prints times."""
    return _when(datetime.fromisoformat(text)) if isinstance(text, str) and text else ""


def _event_line(e) -> str:
    d = e.detail
    what = {
        "created": lambda: _(SOURCE_LABELS[d["source"]]) if d.get("source") in SOURCE_LABELS else "",
        "assigned": lambda: f"{d.get('from') or '—'} → {d.get('to')}",
        "won": lambda: " ".join(x for x in (d.get("model"), d.get("delivery")
                                            and _("预计 {day} 交车").format(day=d["delivery"])) if x),
        "order-cancelled": lambda: d.get("reason") or "",
        "handover": lambda: d.get("to") or "",
        "lost-requested": lambda: " ".join(x for x in (d.get("reason"), d.get("competitor"), d.get("note")) if x),
        "invalid": lambda: d.get("reason") or "",
        "reopened": lambda: _("自{status}").format(status=_label(STATUS_LABELS, d["from"])) if d.get("from") else "",
        "woken": lambda: _("第 {seq} 次跟进").format(seq=d["followup_seq"]) if d.get("followup_seq") else "",
        "do-not-contact": lambda: _("解除") if d.get("undo") else "",
        "quote-approved": lambda: _("第 {seq} 次报价，优惠 {discount}元").format(
            seq=d.get("seq"), discount=f"{d.get('discount', 0):,}"),
        "edited": lambda: changes_listed(d.get("fields") or {}),
    }.get(e.kind, lambda: "")()
    note = d.get("note") if e.kind != "lost-requested" else None
    line = "  ".join(p for p in (_when(e.at), e.by or "", _label(EVENT_LABELS, e.kind), what) if p)
    return "  " + (_("{line}：{note}").format(line=line, note=note) if note else line)


def _label(labels: dict, key: str) -> str:
    """A stored value's label in the reader's language, the value itself when it has none."""
    return _(labels[key]) if key in labels else key


def _followup_block(f: FollowUp, objection_labels: dict[str, str]):
    from rich.text import Text

    from leadcard.render.grid import wrapped

    text = Text()
    head = _("第 {seq} 次").format(seq=f.seq) + f"  {_when(f.at)}  {_(CHANNEL_LABELS[f.channel])}"
    if f.inbound:
        head += _("（客户主动）")
    if f.grade:
        head += "  " + _("级别 {grade}").format(grade=f.grade)
    if f.outcome.value != "reached":
        head += "  " + _("（{outcome}）").format(outcome=_(OUTCOME_LABELS[f.outcome.value]))
    if f.author:
        head += f"  {f.author}"
    late = f.recorded_at - f.at
    if late.total_seconds() > 3600:
        head += "  " + _("补录于 {at}").format(at=_when(f.recorded_at))
    style = "bold" if f.effective else "strike dim"
    text.append(shown(head), style=style)
    if f.corrects:
        text.append("  " + _("更正第 {seq} 次").format(seq=f.corrects), style="yellow")
    if f.corrected_by:
        text.append("  " + _("已由第 {seq} 次更正").format(seq=f.corrected_by), style="yellow")
    if f.voided:
        text.append("  " + _("已撤回：{reason}（{by} {at}）").format(
            reason=f.voided.reason, by=f.voided.by or "—", at=_when(f.voided.at)), style="red")
    for label, value in (
        (N_("洽谈印象"), f.impression), (N_("洽谈内容"), f.content), (N_("客户问题"), f.problem),
        (N_("解决办法"), f.solution), (N_("可行性"), f.feasibility), (N_("竞品动态"), f.competition),
        (N_("瓶颈分析"), f.bottleneck), (N_("跟踪方案"), f.plan),
        (N_("客户异议"), _("、").join(objection_labels.get(t, t) for t in f.objections)),
    ):
        if value:
            # Wrapped here, each typed line on its own: rich breaks only at blanks, and Chinese has none.
            typed = _("{label}：{value}").format(label=_(label), value=value).split("\n")
            text.append("".join("\n" + "\n".join(wrapped(6, line, first=4 if n == 0 else 6))
                                for n, line in enumerate(typed)))
    if f.next_at or f.purpose:
        text.append(shown("\n    " + _("下次访问：{at}  {purpose}").format(
            at=_when(f.next_at), purpose=f.purpose or "").rstrip()))
    return text


def due_text(card: Card, followup: FollowUp) -> str:
    """When the card is next due, as `log` confirms it: a day planned without a time is the whole day."""
    if followup.next_all_day and followup.next_at == card.due_at:
        return _("{day} 全天").format(day=f"{card.due_at:%Y-%m-%d}")
    return f"{card.due_at:%Y-%m-%d %H:%M}"


def planned_text(card: Card, followup: FollowUp) -> str | None:
    """The next visit the follow-up planned, when something else is due first (the first touch still
    owed): the consultant sees the date just typed, read back, either way."""
    planned = followup.next_at
    if planned is None or planned == card.due_at:
        return None
    when = _("{day} 全天").format(day=f"{planned:%Y-%m-%d}") if followup.next_all_day else f"{planned:%Y-%m-%d %H:%M}"
    return _("已约下次访问：{at}").format(at=when)


def policy_json(info) -> dict:
    """`info` is an admin.StoreInfo."""
    p = info.policy
    return {
        "db": info.path,
        "schema_version": info.schema_version,
        "policy": p.scheme.name,
        "grades": [
            {"grade": g.code, "means": g.label, "cadence_days": g.cadence_days, "horizon_days": g.horizon_days,
             "action": g.action}
            for g in p.grades
        ],
        "first_touch_hours": p.first_touch_hours,
        "first_call_hours": p.first_call_hours,
        "record_within_hours": p.record_within_hours,
        "dormant_after_months": p.dormant_after_months,
        "working_hours": f"{p.working_hours[0]:%H:%M}-{p.working_hours[1]:%H:%M}",
        "sources": {name: {"first_call_minutes": m} for name, m in p.source_first_call_minutes.items()},
        "source_words": _words_by_source(p.source_words),
        "platforms": dict(p.platforms),
        "order_update_days": p.order_update_days,
        "after_delivery_days": list(p.after_delivery_days),
        "first_service_months": p.first_service_months,
        "loss_reasons": list(p.loss_reasons),
        "quote_discount_limit": p.quote_discount_limit,
        "quote_valid_days": p.quote_valid_days,
        "calendar": [{"year": c.year, "source": c.source, "release": c.release} for c in info.calendars],
        "cards": info.cards,
        "users": info.users,
        "regraded": info.regraded,
        "rescheduled": info.rescheduled,
    }


def _words_by_source(words) -> dict[str, list[str]]:
    """source → the words read as it, in the policy's order (the store's own last)."""
    found: dict[str, list[str]] = {}
    for word, source in words.items():
        found.setdefault(source, []).append(word)
    return found


def policy_view(info) -> None:
    p = info.policy
    out = console()
    out.print(_("数据库 {path} · 结构版本 v{version} · {cards} 张卡片 · {users} 位用户").format(
        path=info.path, version=info.schema_version, cards=info.cards, users=info.users))
    out.print(_("政策：{title}").format(title=p.scheme.title))
    if info.regraded:
        out.print(_("已按新方案改级：") + _("、").join(
            _("{move} {n} 张").format(move=move, n=n) for move, n in info.regraded.items()))
    if info.rescheduled:
        out.print(_("已按新政策重算 {n} 张卡片的到期时间").format(n=f"{info.rescheduled:,}"))
    table = new_table()
    for title in (_("级别"), _("含义"), _("联系周期"), _("期限"), _("建议动作")):
        table.add_column(title)
    for g in p.grades:
        horizon = _("{n} 天").format(n=g.horizon_days) if g.horizon_days else "—"
        table.add_row(g.code, g.label, _("{n} 天").format(n=g.cadence_days), horizon, g.action)
    out.print(table)
    out.print(_("首次触达 {touch} 小时 · 首次电话 {call} 小时 · 补录时限 {record} 小时 · {months} 个月无联系转休眠").format(
        touch=f"{p.first_touch_hours:g}", call=f"{p.first_call_hours:g}", record=f"{p.record_within_hours:g}",
        months=p.dormant_after_months))
    minutes = _("、").join(_("{source} {m} 分钟").format(source=_label(SOURCE_LABELS, n), m=m)
                          for n, m in p.source_first_call_minutes.items())
    out.print(_("营业时间 {opens}–{closes} · 未到店线索首次电话：{minutes}（营业时间内计）").format(
        opens=f"{p.working_hours[0]:%H:%M}", closes=f"{p.working_hours[1]:%H:%M}", minutes=minutes))
    visits = _("、").join(str(n) for n in p.after_delivery_days)
    out.print(_("订车后每 {order} 天告知车辆进度 · 交车后第 {visits} 天回访 · 交车 {months} 个月首保提醒 · "
                "交车后 {handover} 个工作日内交接售后").format(
        order=p.order_update_days, visits=visits, months=p.first_service_months, handover=p.handover_working_days))
    out.print(_("顾问报价优惠权限 {limit} 元（超出须主管或经理批价）· 报价默认有效 {days} 天").format(
        limit=f"{p.quote_discount_limit:,}", days=p.quote_valid_days))
    for c in info.calendars:
        out.print(_calendar_line(c), markup=False)


def _calendar_line(c) -> str:
    """Where a year's working days come from, and for an estimate what to do about it."""
    if c.source == "policy":
        return _("{year} 年法定节假日和调休：按本店政策文件的 [calendar.{year}]").format(year=c.year)
    if c.source == "announced":
        return _("{year} 年法定节假日和调休：按国务院安排（holidays {release}）").format(year=c.year, release=c.release or "?")
    return _("{year} 年法定节假日和调休：估算（holidays {release} 还没有这一年的调休安排）；国务院公布后，"
             "把放假日和调休上班日写进政策文件的 [calendar.{year}]，或升级 holidays").format(
        year=c.year, release=c.release or "?")
