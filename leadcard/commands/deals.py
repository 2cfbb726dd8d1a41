"""The deal desk: quote (报价) and its approval (经理批价), trade-in (置换评估), finance (贷款)."""


from typing import Annotated, Optional

import typer

from leadcard.commands.common import day, session, when
from leadcard.commands.options import RECORD_MAX, JsonOption

app = typer.Typer()

Opt = typer.Option


@app.command()
def quote(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="卡号、电话或姓名；或 `approve`。")],
    rest: Annotated[Optional[list[str]], typer.Argument(metavar="[REF SEQ]", help="`approve` 之后：卡片和报价的序号。")] = None,
    price: Annotated[Optional[str], Opt(help="报价金额，单位元（199800 或 19.98万）。")] = None,
    model: Annotated[Optional[str], Opt(help="报价车型（默认卡片上的意向车型）。")] = None,
    discount: Annotated[Optional[str], Opt(help="优惠金额，单位元；超出本店 `quote_discount_limit` 须经理批价。")] = None,
    extras: Annotated[Optional[str], Opt(help="随车赠送的精品、保险、金融方案。")] = None,
    valid_until: Annotated[Optional[str], Opt("--valid-until", help="报价有效期的最后一天（默认从今天起按政策 `quote_valid_days`）。")] = None,
    as_json: JsonOption = False,
) -> None:
    """给卡片报价（按次编号）：`quote REF --price N`。优惠超出本店权限的，须本组主管或经理批价：`quote approve REF SEQ`，报价人自己不能批。

    \b
    示例：
      leadcard quote 张三 --price 19.98万 --discount 8000 --extras "脚垫、贴膜"
      leadcard --as 钱主管 quote approve 张三 1
    """
    from leadcard.domain import deals
    from leadcard.errors import BadInput
    from leadcard.i18n import _
    from leadcard.parse import parse_amount
    from leadcard.render import deals as render

    rest = rest or []
    if ref == "approve":
        if any(v is not None for v in (price, model, discount, extras, valid_until)):
            raise BadInput(_("批价只要卡片和报价序号：leadcard quote approve REF SEQ"))
        if len(rest) != 2 or not (rest[1].isascii() and rest[1].isdigit() and 0 < int(rest[1]) <= RECORD_MAX):
            raise BadInput(_("批哪一次报价？leadcard quote approve REF SEQ（卡片和报价序号）"))
        card, given = deals.approve_quote(session(ctx), rest[0], int(rest[1]))
    else:
        if rest:
            raise BadInput(_("多余的 {word}：报价用 `leadcard quote REF --price N`，批价用 `leadcard quote approve REF SEQ`").format(
                word=rest[0]))
        if price is None:
            raise BadInput(_("报价要写 --price（单位元：199800 或 19.98万）"))
        new = deals.NewQuote(
            price=parse_amount(price, "--price"), model=model,
            discount=parse_amount(discount, "--discount") if discount is not None else 0, extras=extras,
            valid_until=day(valid_until, ahead=True) if valid_until is not None else None,
        )
        card, given = deals.give_quote(session(ctx), ref, new)
    if as_json:
        render.print_json(render.quote_json(card.ref, given))
    else:
        render.print_quote(card, given)


@app.command("trade-in")
def trade_in(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="卡号、电话或姓名。")],
    vehicle: Annotated[str, Opt("--vehicle", help="置换的旧车：品牌、车型、年份、里程。")],
    appraisal: Annotated[str, Opt("--appraisal", help="评估价，单位元（68000 或 6.8万）。")],
    at: Annotated[Optional[str], Opt("--at", help="评估时间（默认现在）。")] = None,
    as_json: JsonOption = False,
) -> None:
    """在卡片上记一次置换评估。

    \b
    示例：
      leadcard trade-in 张三 --vehicle "2016 款朗逸 8 万公里" --appraisal 4.2万
    """
    from leadcard.domain import deals
    from leadcard.parse import parse_amount
    from leadcard.render import deals as render

    value = parse_amount(appraisal, "--appraisal")
    card, done = deals.appraise_trade_in(session(ctx), ref, vehicle, value, when(at))
    if as_json:
        render.print_json(render.trade_in_json(card.ref, done))
    else:
        render.print_trade_in(card, done)


@app.command()
def finance(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="卡号、电话或姓名。")],
    status: Annotated[str, Opt("--status", help="贷款进度：`applied`、`approved`、`rejected`（已申请、已批贷、被拒）。")],
    bank: Annotated[Optional[str], Opt("--bank", help="银行或厂家金融公司（默认沿用上次）。")] = None,
    amount: Annotated[Optional[str], Opt("--amount", help="贷款金额，单位元（150000 或 15万；默认沿用上次）。")] = None,
    at: Annotated[Optional[str], Opt("--at", help="时间（默认现在）。")] = None,
    as_json: JsonOption = False,
) -> None:
    """记录卡片贷款申请的一步；贷款被拒时，卡片随即到期，要电话跟进。

    \b
    示例：
      leadcard finance 张三 --status applied --bank 丰田金融 --amount 15万
      leadcard finance 张三 --status rejected
    """
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
