"""Cards and follow-ups: add, log, grade, show, list, today.

Domain and rendering modules are imported inside each command, so `--help` and every other
command pay only for what they use.
"""


from typing import Annotated, Optional

import typer

from leadcard.commands.common import session, when
from leadcard.commands.options import JsonOption

app = typer.Typer()

# A person reads the newest cards of a list, not 16,000 of them; --all and --json give every match.
LIST_ROWS = 50

Opt = typer.Option


@app.command()
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The customer's name (客户姓名).")],
    phone: Annotated[str, Opt("--phone", help="Mobile or landline (required).")],
    model: Annotated[Optional[str], Opt(help="Model asked about (意向车型).")] = None,
    grade: Annotated[Optional[str], Opt(help="Grade (级别), from the store's policy.")] = None,
    source: Annotated[Optional[str], Opt(help="walk-in (default), phone-in, online, show, referral, hotline, other (or 展厅, 来电 …).")] = None,
    owner: Annotated[Optional[str], Opt(help="The consultant who owns the card (default: you).")] = None,
    at: Annotated[Optional[str], Opt("--at", help="When the card was made (建卡时间), for paper cards.")] = None,
    gender: Annotated[Optional[str], Opt(help="性别")] = None,
    age: Annotated[Optional[int], Opt(help="年龄", min=0, max=120)] = None,
    wechat: Annotated[Optional[str], Opt(help="微信")] = None,
    vehicle: Annotated[Optional[str], Opt("--vehicle", help="Current vehicle (现用车).")] = None,
    occupation: Annotated[Optional[str], Opt(help="职业")] = None,
    residence: Annotated[Optional[str], Opt(help="居住区域")] = None,
    driver: Annotated[Optional[str], Opt("--driver", help="Main driver (主要驾驶人).")] = None,
    payment: Annotated[Optional[str], Opt(help="Full / loan / lease (全款/贷款/租赁).")] = None,
    use: Annotated[Optional[str], Opt("--use", help="Family / business (家用/商用).")] = None,
    call_time: Annotated[Optional[str], Opt("--call-time", help="Best time to call (方便联系时间).")] = None,
    household: Annotated[Optional[str], Opt(help="家庭情况")] = None,
    income: Annotated[Optional[str], Opt(help="收入情况")] = None,
    colour: Annotated[Optional[str], Opt("--colour", "--color", help="颜色")] = None,
    budget: Annotated[Optional[str], Opt(help="预算")] = None,
    purchase_type: Annotated[Optional[str], Opt("--purchase-type", help="New / additional / replacement / referral.")] = None,
    concern: Annotated[Optional[list[str]], Opt("--concern", help="What they care about (repeatable): 外观 安全 动力 操控 舒适 经济.")] = None,
    competitor: Annotated[Optional[list[str]], Opt("--competitor", help="Competing model (repeatable, up to 5).")] = None,
    liked: Annotated[Optional[str], Opt(help="What they liked (认可点).")] = None,
    decision_maker: Annotated[Optional[str], Opt("--decision-maker", help="决策人")] = None,
    timeline: Annotated[Optional[str], Opt(help="Purchase timeline (购车时间).")] = None,
    notes: Annotated[Optional[str], Opt(help="备注")] = None,
    visit: Annotated[Optional[int], Opt("--visit", help="The showroom-log visit (来店登记) this card comes from.", min=1)] = None,
    left: Annotated[Optional[str], Opt("--left", help="When the customer left (离店时间); the first-touch and first-call clocks start then.")] = None,
    platform: Annotated[Optional[str], Opt("--platform", help="An online lead's platform (汽车之家, 懂车帝, 易车, 抖音, 官网 …).")] = None,
    birthday: Annotated[Optional[str], Opt("--birthday", help="Birthday as MM-DD (生日): a greeting comes due each year once they own the car.")] = None,
    referred_by: Annotated[Optional[str], Opt("--referred-by", help="The card of the customer who referred them (转介绍人); the source is referral.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Create an intention card (意向客户管理卡) right after the first contact."""
    from leadcard.domain import cards as domain
    from leadcard.render import cards as render
    from leadcard.errors import BadInput
    from leadcard.model import DUE_REASON_LABELS
    from leadcard.parse import normalise_phone, parse_birthday, parse_lead_source

    if competitor and len(competitor) > 5:
        raise BadInput("at most five competing models (竞品) on a card")
    normalise_phone(phone)
    lead_source, lead_platform = parse_lead_source(source, platform)
    new = domain.NewCard(
        name=name,
        phone=phone,
        grade=grade,
        source=lead_source,
        platform=lead_platform,
        left_at=when(left),
        owner=owner,
        created_at=when(at),
        fields={
            "gender": gender, "age": age, "wechat": wechat, "current_vehicle": vehicle,
            "occupation": occupation, "residence": residence, "main_driver": driver, "payment": payment,
            "usage": use, "best_call_time": call_time, "household": household, "income": income,
            "model": model, "colour": colour, "budget": budget, "purchase_type": purchase_type,
            "concerns": ",".join(concern) if concern else None,
            "competitors": ",".join(competitor) if competitor else None,
            "liked": liked, "decision_maker": decision_maker, "timeline": timeline, "notes": notes,
        },
        visit_id=visit,
        birthday=parse_birthday(birthday) if birthday is not None else None,
        referred_by=referred_by,
    )
    card = domain.add_card(session(ctx), new)
    if as_json:
        render.print_json(render.card_json(card))
        return
    render.console().print(
        f"建卡 {card.ref} {card.name} {card.phone} 级别 {card.grade} · "
        f"{DUE_REASON_LABELS[card.due_reason]}截止 {card.due_at:%m-%d %H:%M}"
    )


@app.command()
def log(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="Card number, phone, or name.")],
    channel: Annotated[Optional[str], Opt(help="sms, wechat, phone, visit, home, test-drive, other.")] = None,
    content: Annotated[Optional[str], Opt(help="What was discussed (洽谈内容).")] = None,
    grade: Annotated[Optional[str], Opt(help="Grade judged at this contact (级别判定); regrades the card.")] = None,
    next_: Annotated[Optional[str], Opt("--next", help="Next contact date (下次访问时间).")] = None,
    purpose: Annotated[Optional[str], Opt(help="Purpose of the next contact (访问目的).")] = None,
    plan: Annotated[Optional[str], Opt(help="Follow-up plan (跟踪方案).")] = None,
    bottleneck: Annotated[Optional[str], Opt(help="Bottleneck analysis (瓶颈分析).")] = None,
    impression: Annotated[Optional[str], Opt(help="Impression (洽谈印象).")] = None,
    problem: Annotated[Optional[str], Opt(help="The customer's problem.")] = None,
    solution: Annotated[Optional[str], Opt(help="How we solve it.")] = None,
    feasibility: Annotated[Optional[str], Opt(help="Is that feasible.")] = None,
    competition: Annotated[Optional[str], Opt(help="What the competitors are doing.")] = None,
    outcome: Annotated[str, Opt(help="reached, unreachable, refused, wrong-number.")] = "reached",
    at: Annotated[Optional[str], Opt("--at", help="When the contact happened (default: now).")] = None,
    corrects: Annotated[Optional[int], Opt("--corrects", help="Correct follow-up number SEQ (a new entry).", min=1)] = None,
    objection: Annotated[Optional[list[str]], Opt("--objection", help="An objection the customer raised (客户异议), tag or Chinese label; repeatable (see `leadcard objection list`).")] = None,
    void: Annotated[Optional[int], Opt("--void", help="Withdraw follow-up number SEQ, logged on the wrong card (撤回; a new entry, with --reason).", min=1)] = None,
    reason: Annotated[Optional[str], Opt("--reason", help="Why the follow-up is withdrawn (with --void).")] = None,
    vehicle: Annotated[Optional[str], Opt("--vehicle", help="A test drive's car (试驾车型; default: the card's model).")] = None,
    licence_checked: Annotated[bool, Opt("--licence-checked", "--license-checked", help="The test driver's licence was checked (驾驶证已核验).")] = False,
    as_json: JsonOption = False,
) -> None:
    """Record one contact (跟踪洽谈记录); every follow-up should set the next date."""
    from leadcard.domain import cards as domain
    from leadcard.render import cards as render
    from leadcard.errors import BadInput
    from leadcard.model import DUE_REASON_LABELS, Status
    from leadcard.parse import carries_time, parse_channel, parse_outcome

    if void is not None or reason is not None:
        given = [channel, content, grade, next_, purpose, plan, bottleneck, impression, problem, solution,
                 feasibility, competition, at, corrects, objection]
        if void is None or reason is None or any(v is not None for v in given) or outcome != "reached":
            raise BadInput("withdraw a follow-up with --void SEQ --reason TEXT alone")
        _withdraw(ctx, ref, void, reason, as_json)
        return
    entry = domain.NewFollowUp(
        channel=parse_channel(channel) if channel else None,
        content=content,
        at=when(at),
        outcome=parse_outcome(outcome),
        grade=grade,
        impression=impression,
        problem=problem,
        solution=solution,
        feasibility=feasibility,
        competition=competition,
        bottleneck=bottleneck,
        plan=plan,
        next_at=when(next_),
        next_all_day=next_ is not None and not carries_time(next_),
        purpose=purpose,
        corrects=corrects,
        objections=tuple(objection or ()),
        vehicle=vehicle,
        licence_checked=licence_checked,
    )
    card, followup, warning = domain.log_followup(session(ctx), ref, entry)
    if warning:
        render.console(stderr=True).print(warning, soft_wrap=True)  # one line, however narrow the terminal
    if as_json:
        render.print_json({**render.followup_json(followup, card.ref), "grade": card.grade,
                           "due_at": render.iso(card.due_at),
                           "due_reason": card.due_reason.value if card.due_reason else None})
        return
    out = render.console()
    out.print(f"{card.ref} {card.name} 第 {followup.seq} 次跟进已记录（级别 {card.grade}）")
    if card.due_at:
        out.print(f"下次：{render.due_text(card, followup)} {DUE_REASON_LABELS[card.due_reason]}")
    if followup.next_at is None and card.status == Status.OPEN:
        render.console(stderr=True).print("提醒：没有设定下次访问时间（--next），将按级别周期安排。")


def _withdraw(ctx: typer.Context, ref: str, seq: int, reason: str, as_json: bool) -> None:
    """`log --void SEQ --reason TEXT`: 撤回 a follow-up logged on the wrong card."""
    from leadcard.domain import withdrawals
    from leadcard.model import DUE_REASON_LABELS
    from leadcard.render import cards as render

    done = withdrawals.withdraw(session(ctx), ref, seq, reason)
    card = done.card
    if as_json:
        render.print_json({**render.followup_json(done.followup, card.ref), "corrections": list(done.corrections),
                           "grade": card.grade, "due_at": render.iso(card.due_at),
                           "due_reason": card.due_reason.value if card.due_reason else None})
        return
    out = render.console()
    also = f"（连同更正它的第 {'、'.join(map(str, done.corrections))} 次）" if done.corrections else ""
    out.print(f"{card.ref} {card.name} 第 {seq} 次跟进已撤回{also}：{done.followup.voided.reason}")
    if card.due_at:
        out.print(f"下次：{card.due_at:%Y-%m-%d %H:%M} {DUE_REASON_LABELS[card.due_reason]}")


@app.command()
def grade(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="Card number, phone, or name.")],
    new_grade: Annotated[str, typer.Argument(metavar="GRADE", help="The new grade.")],
    reason: Annotated[Optional[str], Opt(help="Why (kept in the grade history).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Regrade a card; every change is kept (who, when, from, to, why)."""
    from leadcard.domain import cards as domain
    from leadcard.render import cards as render

    card, before, after = domain.regrade(session(ctx), ref, new_grade, reason)
    if as_json:
        render.print_json({"ref": card.ref, "from": before, "to": after})
        return
    message = f"{card.ref} {card.name}: {before} → {after}" if before != after else f"{card.ref} is already {after}"
    render.console().print(message)


@app.command()
def show(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="Card number, phone, or name.")],
    as_json: JsonOption = False,
) -> None:
    """The whole card, laid out like the paper form."""
    from leadcard.domain import cards as domain
    from leadcard.render import cards as render

    detail = domain.card_detail(session(ctx), ref)
    if as_json:
        render.print_json(render.detail_json(detail))
    else:
        render.card_view(detail)


@app.command("list")
def list_(
    ctx: typer.Context,
    grade: Annotated[Optional[str], Opt(help="Only this grade.")] = None,
    status: Annotated[Optional[str], Opt(help="open, dormant, won, lost-pending, lost, invalid.")] = None,
    owner: Annotated[Optional[str], Opt(help="Only this consultant's cards.")] = None,
    search: Annotated[Optional[str], Opt(help="Text in name, phone, model, WeChat or notes.")] = None,
    limit: Annotated[Optional[int], Opt(help=f"At most this many, newest first (default {LIST_ROWS}; --json: all).",
                                        min=1)] = None,
    everything: Annotated[bool, Opt("--all", help="Every match, however many.")] = False,
    dnc: Annotated[bool, Opt("--do-not-contact", help="Only the cards marked do-not-contact (on no other list).")] = False,
    as_json: JsonOption = False,
) -> None:
    """Cards you can see, newest first."""
    from leadcard.domain import cards as domain
    from leadcard.errors import BadInput
    from leadcard.render import cards as render

    if limit and everything:
        raise BadInput("use --limit or --all, not both")
    if not limit and not everything and not as_json:
        limit = LIST_ROWS
    found = domain.list_cards(session(ctx), grade=grade, status=status, owner=owner, search=search, limit=limit,
                              do_not_contact=dnc)
    if as_json:
        render.print_json([render.card_json(c) for c in found.cards])
    else:
        render.cards_table(found)


@app.command()
def today(
    ctx: typer.Context,
    date_: Annotated[Optional[str], Opt("--date", help="The day to plan (default: today).")] = None,
    owner: Annotated[Optional[str], Opt(help="Only this consultant's cards.")] = None,
    everyone: Annotated[bool, Opt("--all", help="Every card you can see.")] = False,
    as_json: JsonOption = False,
) -> None:
    """The morning list: every open card due today or overdue, most urgent first."""
    from leadcard.commands.morning import show_today

    show_today(ctx.find_root().obj, date_, owner, everyone, as_json)
