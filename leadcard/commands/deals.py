"""The deal desk: quote (报价) and its approval (经理批价), trade-in (置换评估), finance (贷款)."""


from typing import Annotated, Optional

import typer

from leadcard.commands.common import day, session, when
from leadcard.commands.options import JsonOption

app = typer.Typer()

Opt = typer.Option


@app.command()
def quote(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="Card number, phone, or name; or `approve`.")],
    rest: Annotated[Optional[list[str]], typer.Argument(metavar="[REF SEQ]", help="After `approve`: the card and the quote's number.")] = None,
    price: Annotated[Optional[str], Opt(help="The price quoted, in yuan (199800 or 19.98万).")] = None,
    model: Annotated[Optional[str], Opt(help="The model quoted (default: the card's model).")] = None,
    discount: Annotated[Optional[str], Opt(help="The discount, in yuan; above the store's quote_discount_limit it waits for approval (经理批价).")] = None,
    extras: Annotated[Optional[str], Opt(help="精品, insurance, financing offers given with the car.")] = None,
    valid_until: Annotated[Optional[str], Opt("--valid-until", help="The last day the quote holds (default: the policy's quote_valid_days from today).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Give a numbered quote (报价) on a card: `quote REF --price N`. A discount above the store's limit waits for a supervisor of the team or the manager: `quote approve REF SEQ` (经理批价), never by whoever gave the quote."""
    from leadcard.domain import deals
    from leadcard.errors import BadInput
    from leadcard.parse import parse_amount
    from leadcard.render import deals as render

    rest = rest or []
    if ref == "approve":
        if any(v is not None for v in (price, model, discount, extras, valid_until)):
            raise BadInput("quote approve takes only the card and the quote's number: leadcard quote approve REF SEQ")
        if len(rest) != 2 or not rest[1].isdigit():
            raise BadInput("which quote? leadcard quote approve REF SEQ (the card, and the quote's number)")
        card, given = deals.approve_quote(session(ctx), rest[0], int(rest[1]))
    else:
        if rest:
            raise BadInput(f"unexpected {rest[0]!r}: give a quote with `leadcard quote REF --price N`, "
                           f"approve one with `leadcard quote approve REF SEQ`")
        if price is None:
            raise BadInput("a quote needs --price (in yuan: 199800 or 19.98万)")
        new = deals.NewQuote(
            price=parse_amount(price, "--price"), model=model,
            discount=parse_amount(discount, "--discount") if discount is not None else 0, extras=extras,
            valid_until=day(valid_until) if valid_until is not None else None,
        )
        card, given = deals.give_quote(session(ctx), ref, new)
    if as_json:
        render.print_json(render.quote_json(card.ref, given))
    else:
        render.print_quote(card, given)


@app.command("trade-in")
def trade_in(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="Card number, phone, or name.")],
    vehicle: Annotated[str, Opt("--vehicle", help="The car traded in: make, model, year, mileage.")],
    appraisal: Annotated[str, Opt("--appraisal", help="What the store would pay for it, in yuan (68000 or 6.8万).")],
    at: Annotated[Optional[str], Opt("--at", help="When it was appraised (default: now).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Record a trade-in appraisal (置换评估) on a card."""
    from leadcard.domain import deals
    from leadcard.parse import parse_amount
    from leadcard.render import deals as render

    value = parse_amount(appraisal, "--appraisal")
    card, done = deals.appraise_trade_in(session(ctx), ref, vehicle, value, when(at))
    if as_json:
        render.print_json(render.trade_in_json(card.ref, done))
    else:
        render.console().print(f"{card.ref} {card.name}：{render.trade_in_text(done)}")


@app.command()
def finance(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="Card number, phone, or name.")],
    status: Annotated[str, Opt("--status", help="applied, approved or rejected (已申请, 已批贷, 被拒).")],
    bank: Annotated[Optional[str], Opt("--bank", help="The bank or the maker's finance company (default: as before).")] = None,
    amount: Annotated[Optional[str], Opt("--amount", help="The loan, in yuan (150000 or 15万; default: as before).")] = None,
    at: Annotated[Optional[str], Opt("--at", help="When (default: now).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Record a step of a card's loan application (贷款); a rejection brings the card due for a call."""
    from leadcard.domain import deals
    from leadcard.parse import parse_amount, parse_finance_status
    from leadcard.render import deals as render

    step = parse_finance_status(status)
    loan = parse_amount(amount, "--amount") if amount is not None else None
    card, done = deals.record_finance(session(ctx), ref, step, bank, loan, when(at))
    if as_json:
        render.print_json(render.finance_json(card.ref, done))
    else:
        render.print_finance(card, done)
