"""The typed values that cross the layers: cards, follow-ups, grade changes, users.

Value types are NamedTuples, not frozen dataclasses: every command defines the types of this
module (and of schedule, session and store) at start-up, and a frozen dataclass costs about 1 ms to
define (it compiles six methods) where a NamedTuple costs a tenth of that. Update them with
`_replace`. Types that only one long-running command loads (audit, reports, import) stay dataclasses.

The modules that define the types every command loads (this one, schedule, store, session …) do
without `from __future__ import annotations`: typing compiles each string annotation of a
NamedTuple's field, which doubled the cost of defining them.
"""

import enum
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from leadcard.model.deals import DealDesk, Quote

from leadcard.i18n import N_


class Role(enum.StrEnum):
    CONSULTANT = "consultant"  # 销售顾问
    SUPERVISOR = "supervisor"  # 销售主管 / 展厅经理
    MANAGER = "manager"  # 销售经理
    GROUP = "group"  # 集团: a dealer group's manager, on the group's hub (集团汇总库) only


class Status(enum.StrEnum):
    OPEN = "open"
    DORMANT = "dormant"  # open, but no contact for the policy's dormant period; never stored
    WON = "won"  # 成交: ordered (订车), the car not yet delivered
    DELIVERED = "delivered"  # 交车: the customer owns the car (基盘/保客)
    LOST_PENDING = "lost-pending"  # 战败申请, waiting for a supervisor
    LOST = "lost"  # 战败 (approved)
    INVALID = "invalid"  # 无效: fake number, not a buyer


STATUS_LABELS = {  # what a person reads, translated where shown: _(STATUS_LABELS[status])
    Status.OPEN: N_("跟进中"),
    Status.DORMANT: N_("休眠"),
    Status.WON: N_("成交"),
    Status.DELIVERED: N_("已交车"),
    Status.LOST_PENDING: N_("战败待审"),
    Status.LOST: N_("战败"),
    Status.INVALID: N_("无效"),
}


# Statuses under which a card still belongs to someone's daily work.
ACTIVE_STATUSES = (Status.OPEN, Status.LOST_PENDING)


class Source(enum.StrEnum):
    WALK_IN = "walk-in"  # 展厅
    PHONE_IN = "phone-in"  # 来电
    ONLINE = "online"  # 网络/平台
    SHOW = "show"  # 车展
    REFERRAL = "referral"  # 转介绍
    HOTLINE = "hotline"  # 400
    OTHER = "other"


SOURCE_LABELS = {
    Source.WALK_IN: N_("展厅"),
    Source.PHONE_IN: N_("来电"),
    Source.ONLINE: N_("网络"),
    Source.SHOW: N_("车展"),
    Source.REFERRAL: N_("转介绍"),
    Source.HOTLINE: N_("400"),
    Source.OTHER: N_("其他"),
}


class Channel(enum.StrEnum):
    SMS = "sms"
    WECHAT = "wechat"
    PHONE = "phone"
    VISIT = "visit"  # 到店
    HOME = "home"  # 上门
    TEST_DRIVE = "test-drive"
    OTHER = "other"


CHANNEL_LABELS = {
    Channel.SMS: N_("短信"),
    Channel.WECHAT: N_("微信"),
    Channel.PHONE: N_("电话"),
    Channel.VISIT: N_("到店"),
    Channel.HOME: N_("上门"),
    Channel.TEST_DRIVE: N_("试驾"),
    Channel.OTHER: N_("其他"),
}

# The written thank-you of the first touch (首次触达) is an SMS or a WeChat message.
WRITTEN_CHANNELS = frozenset({Channel.SMS, Channel.WECHAT})
# The first call (首次电话) is done by any contact that reached the customer by voice or face to
# face: a customer who came back or test-drove was reached better than by phone.
REACHING_CHANNELS = frozenset({Channel.PHONE, Channel.VISIT, Channel.TEST_DRIVE, Channel.HOME})
# Sources whose customer has not been to the showroom: no thank-you "for the visit".
UNVISITED_SOURCES = frozenset({Source.ONLINE, Source.HOTLINE, Source.PHONE_IN})


class Outcome(enum.StrEnum):
    """Whether a follow-up reached the customer; attempts are kept but do not wake a card."""

    REACHED = "reached"
    UNREACHABLE = "unreachable"  # 未接通
    REFUSED = "refused"  # 拒接/挂断
    WRONG_NUMBER = "wrong-number"  # 空号/错号


# A contact that did not reach the customer, as a person reads it (by value: `_(OUTCOME_LABELS[o.value])`).
OUTCOME_LABELS = {"unreachable": N_("未接通"), "refused": N_("拒接"), "wrong-number": N_("空号/错号")}


class EventKind(enum.StrEnum):
    """Dated events of a card's life (card_events.kind); `detail` is JSON with the keys noted.

    Reports and `audit --date` are computed from these and the follow-ups, never from today's state.
    """

    CREATED = "created"  # {"source"}
    ASSIGNED = "assigned"  # {"from", "to"}: owner names (from is null for an unowned card)
    WON = "won"  # {"model", "price", "deposit", "delivery"}  成交/订车: the order
    ORDER_CANCELLED = "order-cancelled"  # {"reason"}  退订: the card is open again
    DELIVERED = "delivered"  # {"legacy"?}  交车; legacy: won before orders were kept, delivered that day
    HANDOVER = "handover"  # {"to"}  交接售后
    LOST_REQUESTED = "lost-requested"  # {"reason", "competitor", "note"}  战败申请
    LOST_APPROVED = "lost-approved"  # {"note"}  by_id: the approving supervisor/manager
    LOST_REJECTED = "lost-rejected"  # {"note"}  the note is also written as an instruction
    INVALID = "invalid"  # {"reason"}
    REOPENED = "reopened"  # {"from"}: the status it left
    WOKEN = "woken"  # {"followup_seq"}: the first contact logged on a dormant card (休眠唤醒)
    DO_NOT_CONTACT = "do-not-contact"  # {"note"}
    IMPORTED = "imported"  # at the import: what is dated before it came from paper or Excel (导入)
    QUOTE_APPROVED = "quote-approved"  # {"seq", "discount"}: 经理批价 of a quote above the discount limit
    EDITED = "edited"  # {"fields": {field: [before, after]}}  修改资料: the card's customer fields, name, birthday


EVENT_LABELS = {
    "created": N_("建卡"), "assigned": N_("转交"), "won": N_("成交"), "order-cancelled": N_("退订"), "delivered": N_("交车"),
    "handover": N_("交接售后"), "lost-requested": N_("战败申请"),
    "lost-approved": N_("战败批准"), "lost-rejected": N_("战败驳回"), "invalid": N_("标记无效"), "reopened": N_("重新跟进"),
    "woken": N_("休眠唤醒"), "do-not-contact": N_("勿扰"), "imported": N_("导入"), "quote-approved": N_("经理批价"),
    "edited": N_("修改资料"),
}


class DueReason(enum.StrEnum):
    FIRST_TOUCH = "first-touch"
    FIRST_CALL = "first-call"
    PLANNED = "planned"
    CADENCE = "cadence"
    WAKE_UP = "wake-up"
    RETURNED = "returned"  # the customer came back and was received by someone else
    DELIVERY = "delivery"  # the order's expected delivery day (交车)
    AFTER_DELIVERY = "after-delivery"  # an after-delivery visit (交车后回访)
    FIRST_SERVICE = "first-service"  # the first-service reminder (首保提醒)
    BIRTHDAY = "birthday"  # an owner's birthday greeting (生日祝福)
    FINANCE_REJECTED = "finance-rejected"  # the loan was rejected (贷款被拒): call before the deal is lost


DUE_REASON_LABELS = {
    DueReason.FIRST_TOUCH: N_("首次触达"),
    DueReason.FIRST_CALL: N_("首次电话"),
    DueReason.PLANNED: N_("计划回访"),
    DueReason.CADENCE: N_("周期回访"),
    DueReason.WAKE_UP: N_("休眠唤醒"),
    DueReason.RETURNED: N_("再次到店"),
    DueReason.DELIVERY: N_("交车"),
    DueReason.AFTER_DELIVERY: N_("交车回访"),
    DueReason.FIRST_SERVICE: N_("首保提醒"),
    DueReason.BIRTHDAY: N_("生日祝福"),
    DueReason.FINANCE_REJECTED: N_("贷款被拒"),
}

# Customer fields of the paper card (意向客户管理卡), in the order the form prints them.
# (column, Chinese label — translated where shown, `_(label)` —, section)
CARD_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("gender", N_("性别"), "customer"),
    ("age", N_("年龄"), "customer"),
    ("wechat", N_("微信"), "customer"),
    ("current_vehicle", N_("现用车"), "customer"),
    ("occupation", N_("职业"), "customer"),
    ("residence", N_("居住区域"), "customer"),
    ("main_driver", N_("主要驾驶人"), "customer"),
    ("payment", N_("付款方式"), "customer"),
    ("usage", N_("用途"), "customer"),
    ("best_call_time", N_("方便联系时间"), "customer"),
    ("household", N_("家庭情况"), "customer"),
    ("income", N_("收入情况"), "customer"),
    ("model", N_("意向车型"), "intent"),
    ("colour", N_("颜色"), "intent"),
    ("budget", N_("预算"), "intent"),
    ("purchase_type", N_("购买类型"), "intent"),
    ("concerns", N_("关注点"), "intent"),
    ("competitors", N_("竞品"), "intent"),
    ("liked", N_("认可点"), "intent"),
    ("decision_maker", N_("决策人"), "intent"),
    ("timeline", N_("购车时间"), "intent"),
    ("notes", N_("备注"), "intent"),
)
CARD_FIELD_NAMES = tuple(name for name, _, _ in CARD_FIELDS)


def card_ref(card_id: int) -> str:
    """The card number printed on the card: `A` (the A card, 意向客户管理卡) and five digits."""
    return f"A{card_id:05d}"


# Told in place of the number of a card the reader may not see, where a record names one (the
# referrer in an edit's history): neither its number nor its customer is told.
HIDDEN_CARD = "…"


class User(NamedTuple):
    id: int
    name: str
    role: Role
    team: str | None
    active: bool = True
    login: str | None = None  # bound operating-system login: only that login may act as this user


class Withdrawal(NamedTuple):
    """撤回: who withdrew a follow-up logged on the wrong card, when, and why."""

    at: datetime
    by: str | None
    reason: str


class FollowUp(NamedTuple):
    """One entry of the 跟踪洽谈记录, numbered 1st, 2nd, 3rd … per card."""

    id: int
    card_id: int
    seq: int
    at: datetime
    recorded_at: datetime
    channel: Channel
    content: str
    outcome: Outcome = Outcome.REACHED
    author: str | None = None
    grade: str | None = None  # 级别判定 at this contact
    impression: str | None = None  # 洽谈印象
    problem: str | None = None  # the four questions: the customer's problem,
    solution: str | None = None  # how we solve it,
    feasibility: str | None = None  # whether that is feasible,
    competition: str | None = None  # what the competitors are doing
    bottleneck: str | None = None  # 瓶颈分析
    plan: str | None = None  # 跟踪方案
    next_at: datetime | None = None  # 下次访问时间
    purpose: str | None = None  # 下次访问目的
    corrects: int | None = None  # seq of the entry this one corrects
    corrected_by: int | None = None  # seq of the entry that corrects this one
    objections: tuple[str, ...] = ()  # tags of the objections the customer raised (客户异议)
    clock_override: bool = False  # written while LEADCARD_NOW replaced the clock (a bound store)
    effective: bool = True  # it counts: neither corrected nor withdrawn (store/counting.py decides)
    voided: Withdrawal | None = None  # 撤回: withdrawn, logged on the wrong card
    next_all_day: bool = False  # the next date was given without a time: the whole day
    inbound: bool = False  # 客户主动: the customer reached out or answered (a call in, a WeChat reply)


class GradeChange(NamedTuple):
    at: datetime
    from_grade: str | None
    to_grade: str
    by: str | None
    reason: str | None
    followup_seq: int | None = None
    clock_override: bool = False
    withdrawn: bool = False  # judged at a follow-up since withdrawn: it no longer counts


class Instruction(NamedTuple):
    """主管批示: a supervisor's instruction under a follow-up (or the card as a whole)."""

    at: datetime
    author: str | None
    text: str
    followup_seq: int | None = None
    clock_override: bool = False


class CardEvent(NamedTuple):
    at: datetime
    kind: str
    by: str | None
    detail: dict
    clock_override: bool = False


class Card(NamedTuple):
    id: int
    ref: str
    name: str
    phone: str
    grade: str
    status: Status
    source: Source
    created_at: datetime
    recorded_at: datetime
    owner: str | None
    owner_id: int | None
    fields: dict[str, object]
    outcome: dict[str, object]  # won: the order, delivery, handover; lost: reason, competitor; invalid: reason
    followup_count: int = 0
    last_contact_at: datetime | None = None
    next_at: datetime | None = None
    next_purpose: str | None = None
    due_at: datetime | None = None
    due_reason: DueReason | None = None
    dormant_at: datetime | None = None
    failed_attempts: int = 0  # attempts in a row that did not reach the customer
    do_not_contact: bool = False  # the customer asked not to be contacted: on no list
    objections: tuple[str, ...] = ()  # raised at the latest follow-up
    left_at: datetime | None = None  # 离店: when the customer left; the first-contact clocks start here
    platform: str | None = None  # an online lead's platform (汽车之家, 懂车帝 …)
    birthday: str | None = None  # "MM-DD": an owner's birthday greeting (生日祝福)
    referred_by: int | None = None  # the card of the customer who referred this one (转介绍人)
    clock_override: bool = False  # created while LEADCARD_NOW replaced the clock (a bound store)
    named_owner: str | None = None  # 销售顾问 an imported sheet named, not (yet) a user: owner is None
    showroom: str | None = None  # the showroom it was read from, on a dealer group's hub (集团汇总库)

    @property
    def clock_start(self) -> datetime:
        """When the first-touch and first-call clocks started: the customer left, else the card was made."""
        return self.left_at or self.created_at

    @property
    def delivered_at(self) -> str | None:
        """When the car was delivered, as the order's record keeps it."""
        return self.outcome.get("delivered_at")


class DueCard(NamedTuple):
    """A card as the morning list reads it: what its lines and its JSON show and what its suggested
    action depends on. A manager's list holds thousands of cards; read whole, each is some fifty
    columns made into values, most of which the list never shows."""

    # What the list shows, in the order its JSON does; then what decides the suggested action.
    id: int
    ref: str
    name: str
    phone: str
    grade: str
    owner: str | None
    owner_id: int | None
    model: str | None  # 意向车型
    due_at: datetime | None
    due_reason: DueReason | None
    last_contact_at: datetime | None
    followup_count: int
    objections: tuple[str, ...]
    next_purpose: str | None
    status: Status
    source: Source
    failed_attempts: int
    left_at: datetime | None
    delivered_at: str | None  # as Card.delivered_at
    showroom: str | None = None


class CardDetail(NamedTuple):
    card: Card
    followups: list[FollowUp]
    grades: list[GradeChange]
    instructions: list[Instruction]
    events: list[CardEvent]
    objection_labels: dict[str, str]  # tag → label, for every tag
    handover_due: datetime | None = None  # a delivered car not yet handed over: by when (working days)
    scripts: tuple["Script", ...] = ()  # for the objections raised at the latest follow-up
    referrer: Card | None = None  # the card of the customer who referred this one, when visible
    referrals: list[Card] = []  # the visible cards this customer referred (转介绍)
    desk: "DealDesk | None" = None  # test drives, quotes, trade-ins, finance (leadcard.model.deals)


class TodayItem(NamedTuple):
    card: Card | DueCard  # as `today` reads it; whole, as the calendar does
    due_at: datetime
    reason: DueReason
    overdue_days: int
    purpose: str | None  # the planned purpose, or the policy's suggested action
    suggested: bool  # True when purpose is the policy's suggestion, not a consultant's plan
    days_since_contact: int | None
    suggest_invalid: bool = False  # failed attempts reached the policy's limit
    scripts: tuple["Script", ...] = ()  # for the objections raised at the latest follow-up
    quote: "Quote | None" = None  # the latest quote the customer holds (leadcard.model.deals)
    plan_due: datetime | None = None  # a key customer's written plan (a quote) is due by then: none given yet


class CardList(NamedTuple):
    """The cards a list shows, and how many matched in all (more than shown when a limit cut it)."""

    cards: list[Card]
    total: int


class Unsigned(NamedTuple):
    """A card whose recent follow-ups wait for the supervisor's instruction (主管批示)."""

    card: DueCard
    count: int
    first_seq: int
    first_at: datetime


class Handover(NamedTuple):
    card: Card  # delivered, its owner not yet handed over to after-sales
    due_at: datetime | None  # the policy's working days after the delivery


class PriceApproval(NamedTuple):
    """A card whose latest quote waits for a price approval (经理批价), and that quote."""

    card: Card | DueCard  # as the morning list reads its cards
    quote: "Quote"


class Cancellation(NamedTuple):
    """An order cancelled (退订): the card is open again, and its supervisor hears of it."""

    card: Card
    at: datetime
    reason: str | None
    model: str | None  # of the order cancelled
    by: str | None


class LossRequest(NamedTuple):
    """A loss (战败) waiting for its verdict, with the follow-ups made by the request and, when they
    are fewer than the store's minimum (given up early, the audit's gave-up-early), that minimum."""

    card: Card
    followups: int
    short_of: float | None = None


class Waiting(NamedTuple):
    """What waits on a supervisor or the manager, beside their own due cards."""

    loss_requests: list[LossRequest]
    unsigned: list[Unsigned]
    visits_without_card: list["Visit"]
    handovers: list[Handover]
    unsigned_days: int  # the window the unsigned follow-ups and the cancellations come from
    cancellations: list[Cancellation] = []
    price_approvals: list[PriceApproval] = []

    def __bool__(self) -> bool:
        return bool(self.loss_requests or self.unsigned or self.visits_without_card or self.handovers
                    or self.cancellations or self.price_approvals)


class TodayList(NamedTuple):
    day: object  # datetime.date
    items: list[TodayItem]
    owners: list[str]  # whose cards the list covers (empty: everybody)
    waiting: Waiting | None = None  # for a supervisor or the manager


class Visit(NamedTuple):
    """One line of the showroom log (来店(电)客户登记表)."""

    id: int
    arrived_at: datetime
    left_at: datetime | None
    party_size: int | None
    source: Source
    model: str | None
    test_drive: bool
    consultant: str | None
    consultant_id: int | None
    contact_left: bool  # 留档: the customer left a phone number
    name: str | None
    phone: str | None
    notes: str | None
    card_id: int | None  # None also when the card is not the reader's to see (see return_visit)
    return_visit: bool = False  # attached to the card the customer already had (再次到店)
    card_owner_id: int | None = None
    clock_override: bool = False  # logged while LEADCARD_NOW replaced the clock (a bound store)

    @property
    def ended_at(self) -> datetime:
        return self.left_at or self.arrived_at


class Objection(NamedTuple):
    """One of the store's frequent objections (高频异议): an English tag and its Chinese label."""

    tag: str
    label: str
    active: bool = True


class Script(NamedTuple):
    """话术: the playbook's answer to an objection; text None when the playbook has none yet."""

    tag: str
    label: str
    text: str | None = None
    author: str | None = None
    at: datetime | None = None
    version: int = 0  # 1 for the first entry, +1 per edit


class Case(NamedTuple):
    """案例库: a won or lost card kept as a teaching case."""

    card_id: int
    ref: str
    name: str
    owner: str | None
    outcome: Status  # won or lost, when it was marked
    lesson: str
    author: str | None
    at: datetime
    objections: tuple[str, ...]  # every objection raised on the card
    model: str | None
    detail: dict  # the card's outcome: model bought, loss reason, competitor
    objection_labels: tuple[str, ...] = ()  # the objections' Chinese labels, in the same order
