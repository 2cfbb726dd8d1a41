"""The deal desk drawn: test drives (试驾登记), quotes (报价), trade-ins (置换评估) and loan
applications (贷款) in `show`, the latest quote in `today`, and each command's confirmation."""

from __future__ import annotations

from datetime import datetime

from leadcard.i18n import _
from leadcard.model import Card
from leadcard.model.deals import (
    FINANCE_STATUS_LABELS,
    QUOTE_STATUS_LABELS,
    DealDesk,
    Finance,
    FinanceStatus,
    Quote,
    QuoteStatus,
    TradeIn,
)
# Commands print through this module, the shared pieces included (print_json).
from leadcard.render.common import console, iso, print_json  # noqa: F401


def money(yuan: int) -> str:
    return _("{amount}元").format(amount=f"{yuan:,}")


# -- JSON ------------------------------------------------------------------------------------------


def quote_json(ref: str | None, q: Quote) -> dict:
    data = {
        "seq": q.seq, "at": iso(q.at), "author": q.author, "model": q.model, "price": q.price,
        "discount": q.discount, "net": q.net, "extras": q.extras, "valid_until": iso(q.valid_until),
        "status": q.status.value, "approved_by": q.approved_by, "approved_at": iso(q.approved_at),
        "lapsed": q.lapsed,
    }
    return {"ref": ref, **data} if ref is not None else data


def trade_in_json(ref: str | None, t: TradeIn) -> dict:
    data = {"seq": t.seq, "at": iso(t.at), "author": t.author, "vehicle": t.vehicle, "appraisal": t.appraisal}
    return {"ref": ref, **data} if ref is not None else data


def finance_json(ref: str | None, f: Finance) -> dict:
    data = {"seq": f.seq, "at": iso(f.at), "author": f.author, "status": f.status.value, "bank": f.bank,
            "amount": f.amount}
    return {"ref": ref, **data} if ref is not None else data


def desk_json(desk: DealDesk | None) -> dict:
    desk = desk or DealDesk()
    return {
        "test_drives": [
            {"followup": t.seq, "at": iso(t.at), "vehicle": t.vehicle, "licence_checked": t.licence_checked,
             "visit": t.visit_id, "author": t.author}
            for t in desk.test_drives
        ],
        "quotes": [quote_json(None, q) for q in desk.quotes],
        "quote": quote_json(None, desk.quote) if desk.quote else None,
        "trade_ins": [trade_in_json(None, t) for t in desk.trade_ins],
        "finance": [finance_json(None, f) for f in desk.finance],
    }


# -- text ------------------------------------------------------------------------------------------


def quote_text(q: Quote) -> str:
    """One quote on one line: 第 2 次报价 凯美瑞 199,800元 优惠 5,000元 → 194,800元 …"""
    parts = [_("第 {seq} 次报价").format(seq=q.seq), q.model or _("车型未填"), money(q.price)]
    if q.discount:
        parts += [_("优惠 {amount}").format(amount=money(q.discount)), f"→ {money(q.net)}"]
    if q.extras:
        parts.append(_("精品：{extras}").format(extras=q.extras))
    if q.valid_until:
        until = _("有效至 {day}").format(day=f"{q.valid_until:%m-%d}")
        parts.append(until + _("（已过期）") if q.lapsed else until)
    status = _(QUOTE_STATUS_LABELS[q.status])
    if q.status == QuoteStatus.APPROVED:
        status += _("（{approver} {at}）").format(approver=q.approved_by or "—", at=f"{q.approved_at:%m-%d %H:%M}")
    parts.append(status)
    return " ".join(parts)


def print_quote(card: Card, q: Quote) -> None:
    line = _on_card(card, quote_text(q))
    if q.status == QuoteStatus.PENDING:
        line += _("；优惠超出顾问权限，请主管或经理批价：leadcard quote approve {ref} {seq}").format(ref=card.ref, seq=q.seq)
    console().print(line)


def print_trade_in(card: Card, t: TradeIn) -> None:
    console().print(_on_card(card, trade_in_text(t)))


def _on_card(card: Card, message: str) -> str:
    return _("{ref} {name}：{message}").format(ref=card.ref, name=card.name, message=message)


def trade_in_text(t: TradeIn) -> str:
    return _("第 {seq} 次置换评估 {vehicle} 评估价 {amount}").format(seq=t.seq, vehicle=t.vehicle,
                                                             amount=money(t.appraisal))


def finance_text(f: Finance) -> str:
    """第 2 步贷款 工商银行 150,000元 被拒"""
    parts = [_("贷款第 {seq} 步").format(seq=f.seq), f.bank or _("银行未填")]
    if f.amount:
        parts.append(money(f.amount))
    parts.append(_(FINANCE_STATUS_LABELS[f.status]))
    return " ".join(parts)


def loss_finance_text(finance: dict) -> str:
    """The loan application a loss for 贷款未过 failed on, as the loss request keeps it."""
    at = datetime.fromisoformat(finance["at"])
    label = FINANCE_STATUS_LABELS.get(finance.get("status"))
    status = _(label) if label else finance.get("status") or ""
    amount = money(finance["amount"]) if finance.get("amount") else ""
    return " ".join(p for p in (_("第 {seq} 步").format(seq=finance.get("seq")), finance.get("bank") or _("银行未填"),
                                amount, status,
                                _when(at)) if p)


def print_finance(card: Card, f: Finance) -> None:
    line = _on_card(card, finance_text(f))
    if f.status == FinanceStatus.REJECTED and card.due_at:
        line += _("；请尽快联系客户（今日待办：贷款被拒，{due}）").format(due=f"{card.due_at:%m-%d %H:%M}")
    console().print(line)


def desk_lines(desk: DealDesk | None) -> list[tuple[str, list[str]]]:
    """The card's deal records as the form's sections under the follow-ups: (heading, lines)."""
    if desk is None:
        return []
    sections = []
    if desk.test_drives:
        sections.append((_("试驾登记"), [
            "  ".join(p for p in (
                _when(t.at), t.vehicle or _("车型未填"), _("驾照已核验") if t.licence_checked else _("驾照未核验"),
                _("第 {seq} 次跟进").format(seq=t.seq), _("来店 #{visit}").format(visit=t.visit_id) if t.visit_id else "",
                t.author or "") if p)
            for t in desk.test_drives]))
    if desk.quotes:
        sections.append((_("报价记录"), [f"{_when(q.at)}  {quote_text(q)}  {q.author or ''}".rstrip() for q in desk.quotes]))
    if desk.trade_ins:
        sections.append((_("置换评估"), [f"{_when(t.at)}  {trade_in_text(t)}  {t.author or ''}".rstrip()
                                   for t in desk.trade_ins]))
    if desk.finance:
        sections.append((_("贷款申请"), [f"{_when(f.at)}  {finance_text(f)}  {f.author or ''}".rstrip()
                                   for f in desk.finance]))
    return sections


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}"
