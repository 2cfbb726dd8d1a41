"""A card's life: assign, comment (主管批示), win, cancel-order, deliver, handover, lose, approve,
reject, invalid, reopen, do-not-contact; and the showroom log (visit add / visit list)."""


from typing import Annotated, Optional

import typer

from leadcard.commands.common import day, session, when
from leadcard.commands.options import RECORD_MAX, JsonOption
from leadcard.parse import AMOUNT_MAX
from leadcard.i18n import _
from leadcard.usertext import shell_word

app = typer.Typer()
visit_app = typer.Typer(help="来店（电）客户登记表：每一位到店和来电的客户。", no_args_is_help=True)
app.add_typer(visit_app, name="visit")

Opt = typer.Option
Ref = Annotated[str, typer.Argument(metavar="REF", help="卡号、电话或姓名。")]


def _done(card, message: str, as_json: bool) -> None:
    from leadcard.render import cards as render

    if as_json:
        render.print_json(render.card_json(card))
    else:
        render.console().print(_("{ref} {name}：{message}").format(ref=card.ref, name=card.name, message=message))


@app.command()
def assign(
    ctx: typer.Context,
    ref: Annotated[Optional[str], typer.Argument(metavar="REF", help="卡号、电话或姓名。")] = None,
    user: Annotated[Optional[str], typer.Argument(metavar="USER", help="接手卡片的顾问。")] = None,
    source: Annotated[Optional[str], Opt("--from", help="转出这位顾问手上的卡片（跟进中、休眠、战败待批的）。")] = None,
    target: Annotated[Optional[str], Opt("--to", help="……转给这位顾问（与 --from 一起用）。")] = None,
    grade: Annotated[Optional[str], Opt(help="只转这一级别的卡片（与 --from 一起用）。")] = None,
    status: Annotated[Optional[str], Opt(help="只转这一状态的卡片，已关闭的也可以（与 --from 一起用）。")] = None,
    as_json: JsonOption = False,
) -> None:
    """把卡片转给另一位顾问，或把离职顾问的卡片一次转走（--from、--to）。主管在本组内转，经理不限；每张卡的历史里都有记录。

    \b
    示例：
      leadcard assign 张三 李强
      leadcard assign --from 王芳 --to 李强
    """
    from leadcard.domain import lifecycle, reassign
    from leadcard.errors import BadInput

    if source is None and target is None and grade is None and status is None:
        if ref is None or user is None:
            raise BadInput(_("请写 卡片 顾问，或 --from 顾问 --to 顾问"))
        card = lifecycle.assign(session(ctx), ref, user)
        _done(card, _("转给 {owner}").format(owner=card.owner), as_json)
        return
    if ref is not None or source is None or target is None:
        raise BadInput(_("整批转卡用 --from 顾问 --to 顾问（不写卡片）；转一张卡写 卡片 顾问"))
    moved = reassign.move_cards(session(ctx), source, target, grade, status)
    _moved(moved, as_json)


def _moved(moved, as_json: bool) -> None:
    from leadcard.render import cards as render

    if as_json:
        render.print_json({"from": moved.source, "to": moved.target, "moved": len(moved.refs), "refs": moved.refs})
    else:
        render.console().print(_("{source} 的 {count} 张卡片已转给 {target}").format(
            source=moved.source, count=len(moved.refs), target=moved.target))


@app.command()
def comment(
    ctx: typer.Context,
    ref: Ref,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="主管批示的内容。")],
    followup: Annotated[Optional[int], Opt("--followup", help="写在第 SEQ 次跟进下（默认最近一次）。", min=1,
                                           max=RECORD_MAX)] = None,
    as_json: JsonOption = False,
) -> None:
    """在一次跟进下写主管批示。

    \b
    示例：
      leadcard comment 张三 周末前约到店试驾
      leadcard comment A00012 先报团购价 --followup 2
    """
    from leadcard.domain import lifecycle
    from leadcard.render import cards as render

    card, instruction = lifecycle.comment(session(ctx), ref, text, followup)
    if as_json:
        render.print_json({"ref": card.ref, "at": render.iso(instruction.at), "author": instruction.author,
                           "text": instruction.text, "followup": instruction.followup_seq})
        return
    if instruction.followup_seq:
        message = _("{ref} {name}：主管批示已写在第 {seq} 次跟进下").format(
            ref=card.ref, name=card.name, seq=instruction.followup_seq)
    else:
        message = _("{ref} {name}：主管批示已写在卡片上").format(ref=card.ref, name=card.name)
    render.console().print(message)


@app.command()
def win(
    ctx: typer.Context,
    ref: Ref,
    model: Annotated[Optional[str], Opt(help="订的车型（默认卡上的意向车型）。")] = None,
    price: Annotated[Optional[int], Opt(help="成交价（元）。", min=1, max=AMOUNT_MAX)] = None,
    deposit: Annotated[Optional[int], Opt(help="定金（元）。", min=0, max=AMOUNT_MAX)] = None,
    delivery: Annotated[Optional[str], Opt(help="预计交车日期。")] = None,
    as_json: JsonOption = False,
) -> None:
    """记录成交（订车）。交车之前卡片一直留在你的名单上。

    \b
    示例：
      leadcard win 张三 --price 185000 --deposit 5000 --delivery 2026-06-20
    """
    from leadcard.domain import lifecycle

    card = lifecycle.win(session(ctx), ref, model, price, deposit, day(delivery, ahead=True) if delivery else None)
    expected = card.outcome.get("delivery")
    if expected:
        message = _("成交 {model}，预计 {delivery} 交车；交车前请定期告知车辆进度").format(
            model=card.outcome["model"], delivery=expected)
    else:
        message = _("成交 {model}；交车前请定期告知车辆进度").format(model=card.outcome["model"])
    _done(card, message, as_json)


@app.command("cancel-order")
def cancel_order(
    ctx: typer.Context,
    ref: Ref,
    reason: Annotated[str, Opt(help="退订原因。")],
    as_json: JsonOption = False,
) -> None:
    """客户退订：卡片恢复跟进，主管会看到。

    \b
    示例：
      leadcard cancel-order 张三 --reason 资金不到位
    """
    from leadcard.domain import lifecycle

    card = lifecycle.cancel_order(session(ctx), ref, reason)
    _done(card, _("退订（{reason}），卡片恢复跟进").format(reason=reason.strip()), as_json)


@app.command()
def deliver(
    ctx: typer.Context,
    ref: Ref,
    at: Annotated[Optional[str], Opt("--at", help="交车时间（默认现在）。")] = None,
    handover_to: Annotated[Optional[str], Opt("--handover-to", help="接手车主的售后同事。")] = None,
    handover_at: Annotated[Optional[str], Opt("--handover-at", help="交接售后的时间（默认现在）。")] = None,
    as_json: JsonOption = False,
) -> None:
    """交车：客户成为车主，之后安排交车回访并交接售后。

    \b
    示例：
      leadcard deliver 张三
      leadcard deliver 张三 --handover-to 周售后
    """
    from leadcard.domain import lifecycle

    card = lifecycle.deliver(session(ctx), ref, when(at), handover_to, when(handover_at))
    if card.outcome.get("handover_to"):
        message = _("交车 {model}，已交接 {to}").format(model=card.outcome["model"], to=card.outcome["handover_to"])
    else:
        message = _("交车 {model}，请在 1 个工作日内交接售后").format(model=card.outcome["model"])
    _done(card, message, as_json)


@app.command()
def handover(
    ctx: typer.Context,
    ref: Ref,
    to: Annotated[str, Opt("--to", help="接手客户的售后同事。")],
    at: Annotated[Optional[str], Opt("--at", help="时间（默认现在）。")] = None,
    as_json: JsonOption = False,
) -> None:
    """把已交车的车主交接给售后，交车后 1 个工作日内完成。

    \b
    示例：
      leadcard handover 张三 --to 周售后
    """
    from leadcard.domain import lifecycle

    card = lifecycle.handover(session(ctx), ref, to, when(at))
    _done(card, _("已交接 {to}").format(to=card.outcome["handover_to"]), as_json)


@app.command()
def lose(
    ctx: typer.Context,
    ref: Ref,
    reason: Annotated[str, Opt(help="战败原因，按本店政策：价格、竞品品牌、推迟购买、贷款未过、联系不上、已在别处购买、其他。")],
    competitor: Annotated[Optional[str], Opt(help="客户转买了什么车。")] = None,
    note: Annotated[Optional[str], Opt(help="战败分析。")] = None,
    as_json: JsonOption = False,
) -> None:
    """提交战败申请，由主管批准或驳回。

    \b
    示例：
      leadcard lose 张三 --reason competitor --competitor 雅阁 --note 对方多送两年保养
    """
    from leadcard.domain import lifecycle

    card, reminder = lifecycle.lose(session(ctx), ref, reason, competitor, note)
    if reminder:
        from leadcard.render.common import console

        console(stderr=True).print(reminder, soft_wrap=True)  # one line, however narrow the terminal
    _done(card, _("战败申请（{reason}）等待主管审批").format(reason=card.outcome["reason"]), as_json)


@app.command()
def approve(ctx: typer.Context, ref: Ref, note: Annotated[Optional[str], Opt(help="审批意见。")] = None,
            as_json: JsonOption = False) -> None:
    """批准战败申请（本组主管或经理，卡片的顾问本人不能批）。

    \b
    示例：
      leadcard approve 张三 --as 钱主管
    """
    from leadcard.domain import lifecycle

    card = lifecycle.approve(session(ctx), ref, note)
    _done(card, _("战败已批准"), as_json)


@app.command()
def reject(ctx: typer.Context, ref: Ref, note: Annotated[str, Opt(help="驳回理由；作为主管批示写在卡上。")],
           as_json: JsonOption = False) -> None:
    """驳回战败申请：卡片恢复跟进，理由作为批示写在卡上。

    \b
    示例：
      leadcard reject 张三 --note 还没试驾，本周内约试驾 --as 钱主管
    """
    from leadcard.domain import lifecycle

    card = lifecycle.reject(session(ctx), ref, note)
    _done(card, _("战败申请已驳回，继续跟进"), as_json)


@app.command()
def invalid(ctx: typer.Context, ref: Ref, reason: Annotated[str, Opt(help="无效原因：空号、非购车客户 ……")],
            as_json: JsonOption = False) -> None:
    """把卡片关为无效：空号、不是购车客户。

    \b
    示例：
      leadcard invalid 张三 --reason 空号
    """
    from leadcard.domain import lifecycle

    card = lifecycle.mark_invalid(session(ctx), ref, reason)
    _done(card, _("标记无效（{reason}）").format(reason=reason.strip()), as_json)


@app.command()
def reopen(ctx: typer.Context, ref: Ref, note: Annotated[Optional[str], Opt(help="原因。")] = None,
           as_json: JsonOption = False) -> None:
    """让已关闭的卡片（或待批的战败申请）恢复跟进。

    \b
    示例：
      leadcard reopen 张三 --note 客户又来电问价
    """
    from leadcard.domain import lifecycle

    card = lifecycle.reopen(session(ctx), ref, note)
    _done(card, _("重新跟进"), as_json)


@app.command("do-not-contact")
def do_not_contact(
    ctx: typer.Context,
    ref: Ref,
    note: Annotated[Optional[str], Opt(help="客户的原话。")] = None,
    undo: Annotated[bool, Opt("--undo", help="客户又可以联系了。")] = False,
    as_json: JsonOption = False,
) -> None:
    """客户要求不再联系：卡片移出所有名单。

    \b
    示例：
      leadcard do-not-contact 张三 --note 客户说已买车，别再打
      leadcard do-not-contact 张三 --undo
    """
    from leadcard.domain import lifecycle

    card = lifecycle.do_not_contact(session(ctx), ref, note, undo)
    _done(card, _("恢复联系") if undo else _("标记勿扰，已移出所有名单"), as_json)


@visit_app.command("add")
def visit_add(
    ctx: typer.Context,
    at: Annotated[Optional[str], Opt("--at", help="到店时间（默认现在）。")] = None,
    left: Annotated[Optional[str], Opt("--left", help="离店时间。")] = None,
    party: Annotated[Optional[int], Opt("--party", help="人数。", min=1, max=99)] = None,
    source: Annotated[Optional[str], Opt(help="来源：展厅（默认）、来电 ……")] = None,
    model: Annotated[Optional[str], Opt(help="意向车型。")] = None,
    test_drive: Annotated[bool, Opt("--test-drive", help="客户试驾了。")] = False,
    consultant: Annotated[Optional[str], Opt(help="接待的顾问（默认是你）。")] = None,
    name: Annotated[Optional[str], Opt(help="客户姓名（如果留了）。")] = None,
    phone: Annotated[Optional[str], Opt(help="留下的电话（留档）；用 `add --visit 登记编号` 建卡。")] = None,
    notes: Annotated[Optional[str], Opt(help="备注")] = None,
    as_json: JsonOption = False,
) -> None:
    """登记一位到店或来电的客户（来店（电）登记）。

    \b
    示例：
      leadcard visit add --party 2 --model 凯美瑞 --test-drive
      leadcard visit add --source 来电 --name 张三 --phone 13800138000
    """
    from leadcard.render import cards as render
    from leadcard.domain import visits
    from leadcard.parse import normalise_phone, parse_source

    if phone:
        normalise_phone(phone)
    arrived_at, left_at = when(at), when(left)
    current = session(ctx)  # the store's policy reads the source as its floor writes it
    new = visits.NewVisit(
        arrived_at=arrived_at, left_at=left_at, party_size=party,
        source=parse_source(source or "walk-in", current.policy), model=model,
        test_drive=test_drive, consultant=consultant, name=name, phone=phone, notes=notes,
    )
    added = visits.add_visit(current, new)
    visit = added.visit
    if as_json:
        render.print_json(render.visit_json(visit))
        return
    if added.card is not None:
        hint = _("；老客户再次到店，已记入卡片 {ref}（{owner}）").format(
            ref=added.card.ref, owner=added.card.owner or _("无顾问"))
    elif added.returned:
        hint = _("；该客户已有意向卡，来访已记入原卡，并提醒其顾问跟进")
    elif visit.contact_left:
        hint = _("；留档，请建卡：leadcard add {name} --phone {phone} --visit {id}").format(
            name=shell_word(visit.name) if visit.name else _("姓名"), phone=visit.phone, id=visit.id)
    else:
        hint = ""
    render.console().print(_("来店登记 #{id} {at}{hint}").format(id=visit.id, at=f"{visit.arrived_at:%m-%d %H:%M}",
                                                                 hint=hint))


@visit_app.command("list")
def visit_list(
    ctx: typer.Context,
    date_: Annotated[Optional[str], Opt("--date", help="哪一天（默认今天）。")] = None,
    since: Annotated[Optional[str], Opt(help="从这一天起（--date 为最后一天）。")] = None,
    no_card: Annotated[bool, Opt("--no-card", help="只列留了电话但还没建卡的登记。")] = False,
    as_json: JsonOption = False,
) -> None:
    """某一天（或一段时间）的来店登记，附留档率。

    \b
    示例：
      leadcard visit list
      leadcard visit list --since 2026-05-01 --date 2026-05-31 --no-card
    """
    from leadcard.render import cards as render
    from leadcard.domain import visits

    until = day(date_)
    log = visits.visit_log(session(ctx), day(since) if since else until, until, without_card=no_card)
    if as_json:
        render.print_json(render.visit_log_json(log))
    else:
        render.visits_table(log)
