"""Cards and follow-ups: add, log, grade, show, list, today.

Domain and rendering modules are imported inside each command, so `--help` and every other
command pay only for what they use.
"""


from typing import Annotated, Optional

import typer

from leadcard.commands.common import across, session, when
from leadcard.commands.options import RECORD_MAX, JsonOption
from leadcard.i18n import _

app = typer.Typer()

# A person reads the newest cards of a list, not 16,000 of them; --all and --json give every match.
# (--limit's help names this number.)
LIST_ROWS = 50

Opt = typer.Option

# The paper card's fields: options of `add` and of `edit` alike (_FIELD_COLUMNS: the field each fills).
Model = Annotated[Optional[str], Opt(help="意向车型。")]
Gender = Annotated[Optional[str], Opt(help="性别")]
Age = Annotated[Optional[int], Opt(help="年龄", min=0, max=120)]
Wechat = Annotated[Optional[str], Opt(help="微信")]
Vehicle = Annotated[Optional[str], Opt("--vehicle", help="现用车。")]
Occupation = Annotated[Optional[str], Opt(help="职业")]
Residence = Annotated[Optional[str], Opt(help="居住区域")]
Driver = Annotated[Optional[str], Opt("--driver", help="主要驾驶人。")]
Payment = Annotated[Optional[str], Opt(help="付款方式：全款/贷款/租赁。")]
Use = Annotated[Optional[str], Opt("--use", help="用途：家用/商用。")]
CallTime = Annotated[Optional[str], Opt("--call-time", help="方便联系时间。")]
Household = Annotated[Optional[str], Opt(help="家庭情况")]
Income = Annotated[Optional[str], Opt(help="收入情况")]
Colour = Annotated[Optional[str], Opt("--colour", "--color", help="颜色")]
Budget = Annotated[Optional[str], Opt(help="预算")]
PurchaseType = Annotated[Optional[str], Opt("--purchase-type", help="购买类型：首购/增购/换购/转介绍。")]
Concerns = Annotated[Optional[list[str]], Opt("--concern", help="关注点（可重复）：外观 安全 动力 操控 舒适 经济。")]
Competitors = Annotated[Optional[list[str]], Opt("--competitor", help="竞品车型（可重复，最多 5 个）。")]
Liked = Annotated[Optional[str], Opt(help="认可点。")]
DecisionMaker = Annotated[Optional[str], Opt("--decision-maker", help="决策人")]
Timeline = Annotated[Optional[str], Opt(help="购车时间。")]
Notes = Annotated[Optional[str], Opt(help="备注")]
Birthday = Annotated[Optional[str], Opt("--birthday", help="生日，写成 月-日（如 05-20）：成为车主后每年到期问候。")]
_FIELD_COLUMNS = {
    "gender": "gender", "age": "age", "wechat": "wechat", "vehicle": "current_vehicle", "occupation": "occupation",
    "residence": "residence", "driver": "main_driver", "payment": "payment", "use": "usage",
    "call_time": "best_call_time", "household": "household", "income": "income", "model": "model",
    "colour": "colour", "budget": "budget", "purchase_type": "purchase_type", "concern": "concerns",
    "competitor": "competitors", "liked": "liked", "decision_maker": "decision_maker", "timeline": "timeline",
    "notes": "notes",
}
COMPETITORS_MAX = 5


def _card_fields(options: dict) -> dict:
    """The card fields a command's options give (its `locals()`), by field: a repeated option's
    values joined by commas; None where the option was not given."""
    from leadcard.errors import BadInput

    if len(options["competitor"] or ()) > COMPETITORS_MAX:
        raise BadInput(_("一张卡最多记 {count} 个竞品").format(count=COMPETITORS_MAX))
    return {field: ",".join(options[option]) if isinstance(options[option], list) else options[option]
            for option, field in _FIELD_COLUMNS.items()}


@app.command()
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="客户姓名。")],
    phone: Annotated[str, Opt("--phone", help="手机或座机（必填）。")],
    model: Model = None,
    grade: Annotated[Optional[str], Opt(help="级别，按本店政策。")] = None,
    source: Annotated[Optional[str], Opt(help="来源：展厅（默认）、来电、online、show、referral、hotline、other。")] = None,
    owner: Annotated[Optional[str], Opt(help="负责这张卡的顾问（默认是你）。")] = None,
    at: Annotated[Optional[str], Opt("--at", help="建卡时间（补录纸质卡时用）。")] = None,
    gender: Gender = None,
    age: Age = None,
    wechat: Wechat = None,
    vehicle: Vehicle = None,
    occupation: Occupation = None,
    residence: Residence = None,
    driver: Driver = None,
    payment: Payment = None,
    use: Use = None,
    call_time: CallTime = None,
    household: Household = None,
    income: Income = None,
    colour: Colour = None,
    budget: Budget = None,
    purchase_type: PurchaseType = None,
    concern: Concerns = None,
    competitor: Competitors = None,
    liked: Liked = None,
    decision_maker: DecisionMaker = None,
    timeline: Timeline = None,
    notes: Notes = None,
    visit: Annotated[Optional[int], Opt("--visit", help="这张卡来自哪一条来店登记（登记编号）。", min=1,
                                        max=RECORD_MAX)] = None,
    left: Annotated[Optional[str], Opt("--left", help="客户离店时间；首次触达和首次电话的时限从这时算起。")] = None,
    platform: Annotated[Optional[str], Opt("--platform", help="线上线索的平台（汽车之家、懂车帝、易车、抖音、官网 …）。")] = None,
    birthday: Birthday = None,
    referred_by: Annotated[Optional[str], Opt("--referred-by", help="转介绍人的卡片；来源即为 referral。")] = None,
    as_json: JsonOption = False,
) -> None:
    """新建意向卡（意向客户管理卡）：第一次接触客户后马上建卡。

    \b
    示例：
      leadcard add 张三 --phone 13800138000 --grade A --model 凯美瑞
      leadcard add 李四 --phone 13900139000 --source online --platform 汽车之家
    """
    from leadcard.domain import cards as domain
    from leadcard.render import cards as render
    from leadcard.model import DUE_REASON_LABELS
    from leadcard.parse import normalise_phone, parse_birthday, parse_lead_source

    fields = _card_fields(locals())
    normalise_phone(phone)
    left_at, created_at = when(left), when(at)
    current = session(ctx)  # the store's policy reads the source as its floor writes it
    lead_source, lead_platform = parse_lead_source(source, platform, current.policy)
    new = domain.NewCard(
        name=name,
        phone=phone,
        grade=grade,
        source=lead_source,
        platform=lead_platform,
        left_at=left_at,
        owner=owner,
        created_at=created_at,
        fields=fields,
        visit_id=visit,
        birthday=parse_birthday(birthday) if birthday is not None else None,
        referred_by=referred_by,
    )
    card = domain.add_card(current, new)
    if as_json:
        render.print_json(render.card_json(card))
        return
    render.console().print(_("建卡 {ref} {name} {phone} 级别 {grade} · {reason}截止 {due}").format(
        ref=card.ref, name=card.name, phone=card.phone, grade=card.grade,
        reason=_(DUE_REASON_LABELS[card.due_reason]), due=f"{card.due_at:%m-%d %H:%M}"))


@app.command()
def edit(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="卡号、电话或姓名。")],
    name: Annotated[Optional[str], Opt("--name", help="客户姓名（改正写错的）。")] = None,
    phone: Annotated[Optional[str], Opt("--phone", help="客户电话（改正写错的，或客户换了号码）。")] = None,
    source: Annotated[Optional[str], Opt("--source", help="线索来源，改正建卡时写错的（写法同 add 的 --source）。")] = None,
    platform: Annotated[Optional[str], Opt("--platform", help="线上线索的平台；写空清空。")] = None,
    left: Annotated[Optional[str], Opt("--left", help="客户离店时间（改正写错的）；首次触达和首次电话的时限从这时算起，写空则从建卡算起。")] = None,
    referred_by: Annotated[Optional[str], Opt("--referred-by", help="转介绍人的卡片（建卡时漏记的）；来源随之为转介绍，写空清空。")] = None,
    model: Model = None,
    gender: Gender = None,
    age: Age = None,
    wechat: Wechat = None,
    vehicle: Vehicle = None,
    occupation: Occupation = None,
    residence: Residence = None,
    driver: Driver = None,
    payment: Payment = None,
    use: Use = None,
    call_time: CallTime = None,
    household: Household = None,
    income: Income = None,
    colour: Colour = None,
    budget: Budget = None,
    purchase_type: PurchaseType = None,
    concern: Concerns = None,
    competitor: Competitors = None,
    liked: Liked = None,
    decision_maker: DecisionMaker = None,
    timeline: Timeline = None,
    notes: Notes = None,
    birthday: Birthday = None,
    as_json: JsonOption = False,
) -> None:
    """修改卡片上的客户资料和购车意向：补全资料、需求变化（预算、意向车型）、改正写错的姓名、电话或来源。

    只改写到的栏目；写空（如 --budget ""）清空这一栏（姓名、电话不能清空）。每次修改连同改前的值
    记入卡片历程。新电话不能已在另一张在跟卡片上；战败、无效的卡片电话留作记录，不能修改。改了来源或
    离店时间，首次触达、首次电话的时限随之重算；记有转介绍人的卡片来源只能是转介绍。

    \b
    示例：
      leadcard edit 张三 --budget 25万 --model 汉兰达
      leadcard edit A00012 --competitor 雅阁 --competitor 天籁
      leadcard edit A00013 --source online --platform 懂车帝
    """
    from leadcard.domain import card_edits as domain
    from leadcard.parse import parse_birthday, parse_lead_source
    from leadcard.render import card_edits as edits, cards as render

    current = session(ctx)  # the store's policy reads the source as its floor writes it
    cleared = platform is not None and not platform.strip()
    lead_source, lead_platform = parse_lead_source(source, None if cleared else platform, current.policy)
    changes = domain.CardChanges(
        name=name,
        phone=phone,
        source=lead_source,
        platform="" if cleared else lead_platform,
        left_at="" if left is not None and not left.strip() else when(left),
        referred_by=referred_by,
        fields={field: value for field, value in _card_fields(locals()).items() if value is not None},
        birthday=parse_birthday(birthday) if birthday else birthday,
    )
    card, changed = domain.edit_card(current, ref, changes)
    if as_json:
        render.print_json({**render.card_json(card), **edits.changes_json(changed)})
    else:
        render.console().print(edits.changes_text(card, changed))


@app.command()
def log(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="卡号、电话或姓名。")],
    channel: Annotated[Optional[str], Opt(help="联系方式：sms、wechat、phone、visit、home、`test-drive`、other。")] = None,
    content: Annotated[Optional[str], Opt(help="洽谈内容。")] = None,
    grade: Annotated[Optional[str], Opt(help="本次判定的级别；卡片随之改级。")] = None,
    next_: Annotated[Optional[str], Opt("--next", help="下次访问时间，如 明天下午3点、周六 10:00、下周一、5号、12月5日、下个月5号（只写日期即全天）。")] = None,
    purpose: Annotated[Optional[str], Opt(help="下次访问的目的。")] = None,
    plan: Annotated[Optional[str], Opt(help="跟踪方案。")] = None,
    bottleneck: Annotated[Optional[str], Opt(help="瓶颈分析。")] = None,
    impression: Annotated[Optional[str], Opt(help="洽谈印象。")] = None,
    problem: Annotated[Optional[str], Opt(help="客户的问题。")] = None,
    solution: Annotated[Optional[str], Opt(help="我们怎么解决。")] = None,
    feasibility: Annotated[Optional[str], Opt(help="是否可行。")] = None,
    competition: Annotated[Optional[str], Opt(help="竞品在做什么。")] = None,
    outcome: Annotated[str, Opt(help="联系结果：reached、unreachable、refused、`wrong-number`。")] = "reached",
    at: Annotated[Optional[str], Opt("--at", help="联系时间（默认现在）。")] = None,
    corrects: Annotated[Optional[int], Opt("--corrects", help="更正第 SEQ 次跟进（另记一条）。", min=1,
                                           max=RECORD_MAX)] = None,
    objection: Annotated[Optional[list[str]], Opt("--objection", help="客户提出的异议，写标签或中文名；可重复（见 `leadcard objection list`）。")] = None,
    void: Annotated[Optional[int], Opt("--void", help="撤回记错卡片的第 SEQ 次跟进（另记一条，须带 --reason）。", min=1,
                                       max=RECORD_MAX)] = None,
    reason: Annotated[Optional[str], Opt("--reason", help="撤回的原因（与 --void 一起用）。")] = None,
    vehicle: Annotated[Optional[str], Opt("--vehicle", help="试驾的车（默认卡片上的意向车型）。")] = None,
    licence_checked: Annotated[bool, Opt("--licence-checked", "--license-checked", help="已核验试驾人的驾驶证。")] = False,
    inbound: Annotated[Optional[bool], Opt("--inbound/--outbound", help="客户主动联系或回复（来电、微信/短信回复），还是我方联系（默认）；更正时默认同原记录。", show_default=False)] = None,
    as_json: JsonOption = False,
) -> None:
    """记录一次联系（跟踪洽谈记录）。每次跟进都要定好下次访问时间。

    \b
    示例：
      leadcard log 张三 --channel phone --content 约周六试驾 --next 2026-06-06
      leadcard log A00012 --void 3 --reason 记错卡片
    """
    from leadcard.domain import cards as domain
    from leadcard.render import cards as render
    from leadcard.errors import BadInput
    from leadcard.model import DUE_REASON_LABELS, Status
    from leadcard.parse import carries_time, parse_channel, parse_outcome

    if void is not None or reason is not None:
        given = [channel, content, grade, next_, purpose, plan, bottleneck, impression, problem, solution,
                 feasibility, competition, at, corrects, objection, inbound]
        if void is None or reason is None or any(v is not None for v in given) or outcome != "reached":
            raise BadInput(_("撤回跟进只用 --void 次数 --reason 原因，不带其他选项"))
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
        next_at=when(next_, ahead=True),
        next_all_day=next_ is not None and not carries_time(next_),
        purpose=purpose,
        corrects=corrects,
        objections=tuple(objection or ()),
        vehicle=vehicle,
        licence_checked=licence_checked,
        inbound=inbound,
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
    out.print(_("{ref} {name} 第 {seq} 次跟进已记录（级别 {grade}）").format(
        ref=card.ref, name=card.name, seq=followup.seq, grade=card.grade))
    if card.due_at:
        out.print(_("下次：{due} {reason}").format(due=render.due_text(card, followup),
                                                  reason=_(DUE_REASON_LABELS[card.due_reason])))
    if planned := render.planned_text(card, followup):
        out.print(planned)
    if followup.next_at is None and card.status == Status.OPEN:
        render.console(stderr=True).print(_("提醒：没有设定下次访问时间（--next），将按级别周期安排。"))


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
    also = _("（连同更正它的第 {seqs} 次）").format(seqs=_("、").join(map(str, done.corrections))) \
        if done.corrections else ""
    out.print(_("{ref} {name} 第 {seq} 次跟进已撤回{also}：{reason}").format(
        ref=card.ref, name=card.name, seq=seq, also=also, reason=done.followup.voided.reason))
    if card.due_at:
        out.print(_("下次：{due} {reason}").format(due=f"{card.due_at:%Y-%m-%d %H:%M}",
                                                  reason=_(DUE_REASON_LABELS[card.due_reason])))


@app.command()
def grade(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="卡号、电话或姓名。")],
    new_grade: Annotated[str, typer.Argument(metavar="G", help="新的级别。")],
    reason: Annotated[Optional[str], Opt(help="原因（记入级别历史）。")] = None,
    as_json: JsonOption = False,
) -> None:
    """调整卡片级别。每次变更都留记录（谁、何时、从哪级到哪级、原因）。

    \b
    示例：
      leadcard grade 张三 H --reason 已约周六试驾
    """
    from leadcard.domain import cards as domain
    from leadcard.render import cards as render

    card, before, after = domain.regrade(session(ctx), ref, new_grade, reason)
    if as_json:
        render.print_json({"ref": card.ref, "from": before, "to": after})
        return
    message = _("{ref} {name}：{before} → {after}").format(ref=card.ref, name=card.name, before=before, after=after) \
        if before != after else _("{ref} 已经是 {grade} 级").format(ref=card.ref, grade=after)
    render.console().print(message)


@app.command()
def show(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="卡号、电话或姓名。")],
    as_json: JsonOption = False,
) -> None:
    """查看整张卡片，按纸质卡的版式排列。

    \b
    示例：
      leadcard show 张三
      leadcard show 13800138000 --json
    """
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
    grade: Annotated[Optional[str], Opt(help="只列这一级别。")] = None,
    status: Annotated[Optional[str], Opt(help="只列这一状态：`open`、`dormant`、`won`、`delivered`、`lost-pending`、`lost`、`invalid`（或 跟进中、休眠、成交、已交车、战败待审、战败、无效）。")] = None,
    owner: Annotated[Optional[str], Opt(help="只列这位顾问的卡片。")] = None,
    search: Annotated[Optional[str], Opt(help="在姓名、电话、车型、微信、备注里查找。")] = None,
    limit: Annotated[Optional[int], Opt(help="最多列出多少张，最新的在前（默认 50 张；--json 时全部）。", min=1,
                                        max=RECORD_MAX)] = None,
    everything: Annotated[bool, Opt("--all", help="列出全部匹配，不限张数。")] = False,
    dnc: Annotated[bool, Opt("--do-not-contact", help="只列标记勿扰（`do-not-contact`）的卡片，它们不在其他任何名单上。")] = False,
    as_json: JsonOption = False,
) -> None:
    """列出你能看到的卡片，最新的在前。

    \b
    示例：
      leadcard list --grade A
      leadcard list --owner 王芳 --status open
    """
    from leadcard.domain import cards as domain
    from leadcard.errors import BadInput
    from leadcard.render import cards as render

    if limit and everything:
        raise BadInput(_("--limit 和 --all 只能用一个"))
    if not limit and not everything and not as_json:
        limit = LIST_ROWS
    from leadcard.domain import hub_merge

    per_showroom = "--owner" if owner else None
    if as_json and not limit:  # every match, written as it is read
        cards = across(ctx, lambda s: domain.every_card(s, grade=grade, status=status, owner=owner, search=search,
                                                        do_not_contact=dnc), hub_merge.cards, per_showroom)
        render.print_json_rows(render.card_json(c) for c in cards)
        return
    found = across(ctx, lambda s: domain.list_cards(s, grade=grade, status=status, owner=owner, search=search,
                                                    limit=limit, do_not_contact=dnc),
                   lambda named: hub_merge.card_lists(named, limit), per_showroom)
    if as_json:
        render.print_json_rows(render.card_json(c) for c in found.cards)
    else:
        render.cards_table(found)


@app.command()
def today(
    ctx: typer.Context,
    date_: Annotated[Optional[str], Opt("--date", help="要安排的日子（默认今天）。")] = None,
    owner: Annotated[Optional[str], Opt(help="只列这位顾问的卡片。")] = None,
    everyone: Annotated[bool, Opt("--all", help="你能看到的全部卡片。")] = False,
    as_json: JsonOption = False,
) -> None:
    """早上的名单：今天到期和已逾期的跟进中卡片，最急的在前。

    \b
    示例：
      leadcard today
      leadcard today --as 钱主管 --owner 王芳
    """
    from leadcard.commands.morning import show_today

    show_today(ctx.find_root().obj, date_, owner, everyone, as_json)
