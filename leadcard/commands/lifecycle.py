"""A card's life: assign, comment (主管批示), win, cancel-order, deliver, handover, lose, approve,
reject, invalid, reopen, do-not-contact; and the showroom log (visit add / visit list)."""


from typing import Annotated, Optional

import typer

from leadcard.commands.common import day, session, when
from leadcard.commands.options import JsonOption

app = typer.Typer()
visit_app = typer.Typer(help="The showroom log (来店(电)客户登记表): every walk-in and phone-in.", no_args_is_help=True)
app.add_typer(visit_app, name="visit")

Opt = typer.Option
Ref = Annotated[str, typer.Argument(metavar="REF", help="Card number, phone, or name.")]


def _done(card, message: str, as_json: bool) -> None:
    from leadcard.render import cards as render

    if as_json:
        render.print_json(render.card_json(card))
    else:
        render.console().print(f"{card.ref} {card.name}：{message}")


@app.command()
def assign(
    ctx: typer.Context,
    ref: Annotated[Optional[str], typer.Argument(metavar="REF", help="Card number, phone, or name.")] = None,
    user: Annotated[Optional[str], typer.Argument(metavar="USER", help="The consultant who takes the card.")] = None,
    source: Annotated[Optional[str], Opt("--from", help="Move this consultant's cards (those still in hand: open, dormant, awaiting a loss verdict).")] = None,
    target: Annotated[Optional[str], Opt("--to", help="… to this consultant (with --from).")] = None,
    grade: Annotated[Optional[str], Opt(help="Only the cards of this grade (with --from).")] = None,
    status: Annotated[Optional[str], Opt(help="Only the cards of this status, closed ones too (with --from).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Move a card to another consultant, or all of a departing consultant's cards at once (--from, --to): a supervisor within the team, the manager anywhere; kept in each card's history."""
    from leadcard.domain import lifecycle, reassign
    from leadcard.errors import BadInput

    if source is None and target is None and grade is None and status is None:
        if ref is None or user is None:
            raise BadInput("give REF USER, or --from USER --to USER")
        card = lifecycle.assign(session(ctx), ref, user)
        _done(card, f"转给 {card.owner}", as_json)
        return
    if ref is not None or source is None or target is None:
        raise BadInput("move a consultant's cards with --from USER --to USER (no REF); one card with REF USER")
    moved = reassign.move_cards(session(ctx), source, target, grade, status)
    _moved(moved, as_json)


def _moved(moved, as_json: bool) -> None:
    from leadcard.render import cards as render

    if as_json:
        render.print_json({"from": moved.source, "to": moved.target, "moved": len(moved.refs), "refs": moved.refs})
    else:
        render.console().print(f"{moved.source} 的 {len(moved.refs)} 张卡片已转给 {moved.target}")


@app.command()
def comment(
    ctx: typer.Context,
    ref: Ref,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="The instruction (主管批示).")],
    followup: Annotated[Optional[int], Opt("--followup", help="Under follow-up SEQ (default: the latest).", min=1)] = None,
    as_json: JsonOption = False,
) -> None:
    """Write a supervisor instruction (主管批示) under a follow-up."""
    from leadcard.domain import lifecycle
    from leadcard.render import cards as render

    card, instruction = lifecycle.comment(session(ctx), ref, text, followup)
    if as_json:
        render.print_json({"ref": card.ref, "at": render.iso(instruction.at), "author": instruction.author,
                           "text": instruction.text, "followup": instruction.followup_seq})
        return
    under = f"第 {instruction.followup_seq} 次跟进下" if instruction.followup_seq else "卡片上"
    render.console().print(f"{card.ref} {card.name}：主管批示已写在{under}")


@app.command()
def win(
    ctx: typer.Context,
    ref: Ref,
    model: Annotated[Optional[str], Opt(help="The model ordered (default: the card's model).")] = None,
    price: Annotated[Optional[int], Opt(help="The price agreed, in yuan (成交价).", min=1)] = None,
    deposit: Annotated[Optional[int], Opt(help="The deposit paid, in yuan (定金).", min=0)] = None,
    delivery: Annotated[Optional[str], Opt(help="The expected delivery day (预计交车日期).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Record the order (成交/订车); the card stays on your list until the car is delivered."""
    from leadcard.domain import lifecycle

    card = lifecycle.win(session(ctx), ref, model, price, deposit, day(delivery) if delivery else None)
    expected = card.outcome.get("delivery")
    _done(card, f"成交 {card.outcome['model']}" + (f"，预计 {expected} 交车" if expected else "")
          + "；交车前请定期告知车辆进度", as_json)


@app.command("cancel-order")
def cancel_order(
    ctx: typer.Context,
    ref: Ref,
    reason: Annotated[str, Opt(help="Why the customer withdrew (退订原因).")],
    as_json: JsonOption = False,
) -> None:
    """The customer cancelled the order (退订): the card is open again; the supervisor sees it."""
    from leadcard.domain import lifecycle

    card = lifecycle.cancel_order(session(ctx), ref, reason)
    _done(card, f"退订（{reason.strip()}），卡片恢复跟进", as_json)


@app.command()
def deliver(
    ctx: typer.Context,
    ref: Ref,
    at: Annotated[Optional[str], Opt("--at", help="When the car was delivered (default: now).")] = None,
    handover_to: Annotated[Optional[str], Opt("--handover-to", help="After-sales colleague who takes the owner.")] = None,
    handover_at: Annotated[Optional[str], Opt("--handover-at", help="When the owner was handed over (default: now).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Deliver the car (交车): the customer is an owner, visited after delivery and handed to after-sales."""
    from leadcard.domain import lifecycle

    card = lifecycle.deliver(session(ctx), ref, when(at), handover_to, when(handover_at))
    handed = f"，已交接 {card.outcome['handover_to']}" if card.outcome.get("handover_to") else "，请在 1 个工作日内交接售后"
    _done(card, f"交车 {card.outcome['model']}{handed}", as_json)


@app.command()
def handover(
    ctx: typer.Context,
    ref: Ref,
    to: Annotated[str, Opt("--to", help="After-sales colleague who takes the customer.")],
    at: Annotated[Optional[str], Opt("--at", help="When (default: now).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Hand a delivered car's owner to after-sales (交接售后), within one working day of the delivery."""
    from leadcard.domain import lifecycle

    card = lifecycle.handover(session(ctx), ref, to, when(at))
    _done(card, f"已交接 {card.outcome['handover_to']}", as_json)


@app.command()
def lose(
    ctx: typer.Context,
    ref: Ref,
    reason: Annotated[str, Opt(help="price, competitor, postponed, financing, unreachable, bought-elsewhere, other (or the store's Chinese reasons).")],
    competitor: Annotated[Optional[str], Opt(help="What they bought instead.")] = None,
    note: Annotated[Optional[str], Opt(help="The analysis (战败分析).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Request a lost sale (战败申请); a supervisor approves or rejects it."""
    from leadcard.domain import lifecycle

    card = lifecycle.lose(session(ctx), ref, reason, competitor, note)
    _done(card, f"战败申请（{card.outcome['reason']}）等待主管审批", as_json)


@app.command()
def approve(ctx: typer.Context, ref: Ref, note: Annotated[Optional[str], Opt(help="A remark on the decision.")] = None,
            as_json: JsonOption = False) -> None:
    """Approve a lost-sale request (supervisor of the team or manager, never the card's own consultant)."""
    from leadcard.domain import lifecycle

    card = lifecycle.approve(session(ctx), ref, note)
    _done(card, "战败已批准", as_json)


@app.command()
def reject(ctx: typer.Context, ref: Ref, note: Annotated[str, Opt(help="Why; written on the card as an instruction.")],
           as_json: JsonOption = False) -> None:
    """Reject a lost-sale request: the card goes back to work with the note as an instruction."""
    from leadcard.domain import lifecycle

    card = lifecycle.reject(session(ctx), ref, note)
    _done(card, "战败申请已驳回，继续跟进", as_json)


@app.command()
def invalid(ctx: typer.Context, ref: Ref, reason: Annotated[str, Opt(help="空号, 非购车客户 …")],
            as_json: JsonOption = False) -> None:
    """Close a card as invalid (无效): a fake number, not a buyer."""
    from leadcard.domain import lifecycle

    card = lifecycle.mark_invalid(session(ctx), ref, reason)
    _done(card, f"标记无效（{reason.strip()}）", as_json)


@app.command()
def reopen(ctx: typer.Context, ref: Ref, note: Annotated[Optional[str], Opt(help="Why.")] = None,
           as_json: JsonOption = False) -> None:
    """Put a closed card (or a pending loss request) back to work."""
    from leadcard.domain import lifecycle

    card = lifecycle.reopen(session(ctx), ref, note)
    _done(card, "重新跟进", as_json)


@app.command("do-not-contact")
def do_not_contact(
    ctx: typer.Context,
    ref: Ref,
    note: Annotated[Optional[str], Opt(help="What the customer said.")] = None,
    undo: Annotated[bool, Opt("--undo", help="The customer may be contacted again.")] = False,
    as_json: JsonOption = False,
) -> None:
    """The customer asked not to be contacted: the card leaves every list."""
    from leadcard.domain import lifecycle

    card = lifecycle.do_not_contact(session(ctx), ref, note, undo)
    _done(card, "恢复联系" if undo else "标记勿扰，已移出所有名单", as_json)


@visit_app.command("add")
def visit_add(
    ctx: typer.Context,
    at: Annotated[Optional[str], Opt("--at", help="Time in (default: now).")] = None,
    left: Annotated[Optional[str], Opt("--left", help="Time out.")] = None,
    party: Annotated[Optional[int], Opt("--party", help="Party size (人数).")] = None,
    source: Annotated[str, Opt(help="walk-in, phone-in, … (or 展厅, 来电 …).")] = "walk-in",
    model: Annotated[Optional[str], Opt(help="Model asked about.")] = None,
    test_drive: Annotated[bool, Opt("--test-drive", help="They took a test drive.")] = False,
    consultant: Annotated[Optional[str], Opt(help="Who received them (default: you).")] = None,
    name: Annotated[Optional[str], Opt(help="Customer's name, if given.")] = None,
    phone: Annotated[Optional[str], Opt(help="Contact left (留档); turn it into a card with `add --visit ID`.")] = None,
    notes: Annotated[Optional[str], Opt(help="备注")] = None,
    as_json: JsonOption = False,
) -> None:
    """Log a walk-in or phone-in (来店(电)登记)."""
    from leadcard.render import cards as render
    from leadcard.domain import visits
    from leadcard.parse import normalise_phone, parse_source

    if phone:
        normalise_phone(phone)
    new = visits.NewVisit(
        arrived_at=when(at), left_at=when(left), party_size=party, source=parse_source(source), model=model,
        test_drive=test_drive, consultant=consultant, name=name, phone=phone, notes=notes,
    )
    added = visits.add_visit(session(ctx), new)
    visit = added.visit
    if as_json:
        render.print_json(render.visit_json(visit))
        return
    if added.card is not None:
        hint = f"；老客户再次到店，已记入卡片 {added.card.ref}（{added.card.owner or '无顾问'}）"
    elif added.returned:
        hint = "；该客户已有意向卡，来访已记入原卡，并提醒其顾问跟进"
    elif visit.contact_left:
        hint = f"；留档，请建卡：leadcard add {visit.name or '姓名'} --phone {visit.phone} --visit {visit.id}"
    else:
        hint = ""
    render.console().print(f"来店登记 #{visit.id} {visit.arrived_at:%m-%d %H:%M}{hint}")


@visit_app.command("list")
def visit_list(
    ctx: typer.Context,
    date_: Annotated[Optional[str], Opt("--date", help="The day (default: today).")] = None,
    since: Annotated[Optional[str], Opt(help="From this day (with --date as the last day).")] = None,
    no_card: Annotated[bool, Opt("--no-card", help="Only visits that left contact details but have no card yet.")] = False,
    as_json: JsonOption = False,
) -> None:
    """The showroom log for a day (or a range), with the 留档率."""
    from leadcard.render import cards as render
    from leadcard.domain import visits

    until = day(date_)
    log = visits.visit_log(session(ctx), day(since) if since else until, until, without_card=no_card)
    if as_json:
        render.print_json(render.visit_log_json(log))
    else:
        render.visits_table(log)
