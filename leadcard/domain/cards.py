"""Cards and their follow-ups: create, find, log a contact, regrade, show, list, and today's list."""

import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Callable, Iterator, NamedTuple

from leadcard.domain import objections
from leadcard.errors import Ambiguous, BadInput, NotAllowed, NotFound, Refused
from leadcard.i18n import N_, _
from leadcard.model import (
    CARD_FIELD_NAMES,
    OUTCOME_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
    Card,
    CardDetail,
    CardEvent,
    CardList,
    Channel,
    DueCard,
    DueReason,
    EventKind,
    FollowUp,
    HIDDEN_CARD,
    Outcome,
    Role,
    Source,
    Status,
    TodayItem,
    TodayList,
    UNVISITED_SOURCES,
    User,
    Visit,
    card_ref,
)
from leadcard.parse import looks_like_phone, normalise_phone, one_of, parse_status
from leadcard.schedule import (
    Contact,
    Deal,
    Policy,
    after_delivery_day,
    as_the_day_stands,
    card_timing,
    deal_due,
    day_bounds,
    days_between,
    in_wake_up_window,
    overdue_days,
    planned_after,
    wake_up_days,
)
from leadcard.domain.session import Session, calendar_year
from leadcard.store import CardFilter, Scope, Store
from leadcard.usertext import LazyPattern, check_text

if TYPE_CHECKING:
    from leadcard.model.deals import DealDesk, Quote


_CARD_NUMBER = LazyPattern(r"[Aa]?(\d{1,7})", re.ASCII)

# What `today` suggests when the consultant wrote no plan (the policy's grade action covers cadence);
# translated when an item is made.
SUGGESTED_ACTIONS = {
    # The label (休眠唤醒, 贷款被拒) is printed before it already.
    DueReason.WAKE_UP: N_("节日问候或新品资讯，了解近况"),
    DueReason.FINANCE_REJECTED: N_("尽快电话沟通，商量提高首付、换银行或厂家金融，别让订单流失"),
}


# What `today` suggests for an order and its owner (seed 003: 订车后跟进至交车, 已购车客户追踪回访).
AFTER_SALE_ACTIONS = {
    DueReason.DELIVERY: N_("确认车辆到店、约好交车时间，交车后完善车主档案（leadcard deliver {ref}）"),
    DueReason.AFTER_DELIVERY: N_("交车后第 {days} 天：问用车情况，讲解功能，了解满意度"),
    DueReason.FIRST_SERVICE: N_("交车满 {months} 个月：邀约回店首次保养"),
    DueReason.BIRTHDAY: N_("发送生日问候，送上保养或精品优惠"),
}


def after_sale_action(card: Card | DueCard, reason: DueReason, due_at: datetime, policy: Policy, tz) -> str:
    """An order's or an owner's due item in words; an order's regular call tells the car's progress."""
    if reason not in AFTER_SALE_ACTIONS:
        return _("告知车辆进度：生产、物流、到店时间（每 {days} 天）").format(days=policy.order_update_days)
    delivered = card.delivered_at
    days = after_delivery_day(datetime.fromisoformat(delivered), due_at, tz) if delivered else None
    return _(AFTER_SALE_ACTIONS[reason]).format(ref=card.ref, days=days, months=policy.first_service_months)


def first_contact_action(card: Card | DueCard, reason: DueReason, policy: Policy) -> str:
    """The first touch and first call as `today` suggests them. A lead that never came to the
    showroom (online, 400, phone-in) is not thanked for a visit, and its clock is its arrival."""
    unvisited = card.source in UNVISITED_SOURCES and card.left_at is None
    since = _("线索到达起") if unvisited else (_("离店起") if card.left_at else _("建卡起"))
    if reason == DueReason.FIRST_TOUCH:
        hours = f"{policy.first_touch_hours:g}"
        if unvisited:
            return _("发送短信/微信：自我介绍，发送车型资料，邀约到店（自{since} {hours} 小时内）").format(
                since=since, hours=hours)
        return _("发送感谢短信/微信：感谢到店看车（自{since} {hours} 小时内）").format(since=since, hours=hours)
    minutes = policy.source_first_call_minutes.get(card.source)
    if minutes is not None:
        return _("电话联系，了解需求、确认级别、邀约到店（自{since}营业时间 {minutes} 分钟内）").format(
            since=since, minutes=minutes)
    return _("电话回访，确认级别（自{since} {hours} 小时内）").format(since=since, hours=f"{policy.first_call_hours:g}")


def check_left(left_at: datetime, now: datetime) -> datetime:
    """When the customer left (离店), which cannot be to come."""
    if left_at > now + timedelta(minutes=1):
        raise BadInput(_("客户离店时间不能在将来（{when}）").format(when=f"{left_at:%Y-%m-%d %H:%M}"))
    return left_at


def check_platform(source: Source, platform: str | None) -> None:
    """A platform belongs to an online lead only."""
    if platform and source != Source.ONLINE:
        raise BadInput(_("平台（{platform}）只属于网络线索（online），不属于来源 {source}").format(
            platform=platform, source=_(SOURCE_LABELS[source])))


class NewCard(NamedTuple):
    name: str
    phone: str  # as typed; normalised here
    fields: dict[str, object]  # the paper card's other fields (CARD_FIELDS), None when not given
    grade: str | None = None
    source: Source | None = None  # default: the visit's source, else walk-in
    owner: str | None = None
    created_at: datetime | None = None
    visit_id: int | None = None  # the showroom-log line this card is made from
    left_at: datetime | None = None  # 离店: when the customer left (default: the visit's leaving time)
    platform: str | None = None  # an online lead's platform
    birthday: str | None = None  # "MM-DD", checked at the edge
    referred_by: str | None = None  # the referrer's card (转介绍人), as a card reference


class NewFollowUp(NamedTuple):
    channel: Channel | None
    content: str | None
    at: datetime | None = None
    outcome: Outcome = Outcome.REACHED
    grade: str | None = None
    impression: str | None = None
    problem: str | None = None
    solution: str | None = None
    feasibility: str | None = None
    competition: str | None = None
    bottleneck: str | None = None
    plan: str | None = None
    next_at: datetime | None = None
    purpose: str | None = None
    corrects: int | None = None  # seq of the entry this one corrects
    objections: tuple[str, ...] = ()  # objections raised (客户异议): tags or Chinese labels
    next_all_day: bool = False  # next_at was given as a day without a time: the whole day
    vehicle: str | None = None  # a test drive's car (试驾车型; default: the card's model)
    licence_checked: bool = False  # the test driver's licence was checked (驾驶证已核验)
    inbound: bool | None = None  # 客户主动: the customer reached out or answered; None: as the entry corrected, else not


# -- finding a card -------------------------------------------------------------------------------


def resolve(session: Session, ref: str) -> Card:
    """A card number, an exact phone, or a name that matches exactly one visible card."""
    store, scope = session.store, session.visible()
    text = (ref or "").strip()
    if not text:
        raise BadInput(_("卡片引用是空的：请写卡号、电话或客户姓名"))
    number = _CARD_NUMBER.fullmatch(text)
    if number and not looks_like_phone(text):
        found = store.cards_by_id(int(number.group(1)), scope)
        if found:
            return found[0]
        raise NotFound(_("没有卡片 {ref}（或你无权查看）").format(ref=text))
    if looks_like_phone(text):
        found = store.cards_by_phone(normalise_phone(text), scope)
        return _one(session, found, text, "phone")
    found = store.cards_by_name(text, scope)
    return _one(session, found, text, "name")


def _one(session: Session, found: list[Card], text: str, kind: str) -> Card:
    if not found:
        if kind == "phone":
            raise NotFound(_("没有电话为“{text}”的卡片（或你无权查看）").format(text=text))
        raise NotFound(_("没有姓名为“{text}”的卡片（或你无权查看）").format(text=text))
    active = [c for c in found if c.status in (Status.OPEN, Status.LOST_PENDING)]
    if len(found) > 1 and len(active) == 1:
        return active[0]
    if len(found) > 1:
        candidates = [
            f"{c.ref}  {c.name}  {session.shown(c).phone}  {_(STATUS_LABELS[c.status])}  {c.owner or ''}".rstrip() for c in found
        ]
        raise Ambiguous(_("“{text}”对应 {count} 张卡片；请用卡号：").format(text=text, count=len(found)), candidates)
    return found[0]


# -- writing ---------------------------------------------------------------------------------------


def add_card(session: Session, new: NewCard) -> Card:
    store, now = session.store, session.now
    name = check_text((new.name or "").strip(), _("客户的姓名"), line=True)
    if not name:
        raise BadInput(_("建卡需要客户姓名"))
    phone = normalise_phone(new.phone)
    grade = session.policy.grade(new.grade).code if new.grade else session.policy.scheme.default_grade
    created_at = new.created_at or now
    if created_at > now + timedelta(minutes=1):
        raise BadInput(_("建卡时间不能在将来（{when}）").format(when=f"{created_at:%Y-%m-%d %H:%M}"))
    unknown = set(new.fields) - set(CARD_FIELD_NAMES)
    if unknown:
        raise BadInput(_("不认识的卡片字段“{field}”").format(field=sorted(unknown)[0]))
    owner = owner_for_new_card(session, new.owner)
    visit = visit_for_card(session, new.visit_id) if new.visit_id is not None else None
    referrer = resolve(session, new.referred_by) if new.referred_by else None
    if referrer is not None and new.source not in (None, Source.REFERRAL):
        raise BadInput(_("由 {referrer} 转介绍的卡片，来源是 referral，不能是 {source}").format(
            referrer=referrer.ref, source=_(SOURCE_LABELS[new.source])))
    source = new.source or (Source.REFERRAL if referrer else visit.source if visit else Source.WALK_IN)
    check_platform(source, new.platform)
    left_at = new.left_at or (visit.left_at if visit else None)
    if left_at is not None:
        check_left(left_at, now)
    fields = {k: v for k, v in new.fields.items() if v not in (None, "")}
    if visit and visit.model and "model" not in fields:
        fields["model"] = visit.model
    if referrer is not None and referrer.phone == phone:
        raise Refused(_("卡片 {ref} 的电话与此相同：客户不能转介绍自己").format(ref=referrer.ref))
    with store.transaction():
        # Under the write lock: of two cards added for one phone at once, the second is refused.
        clash = store.active_cards_with_phone(phone)
        if clash:
            raise Refused(phone_taken(session, phone, clash))
        card_id = store.insert_card({
            "created_at": created_at,
            "recorded_at": now,
            "source": source,
            "owner_id": owner.id if owner else None,
            "name": name,
            "phone": phone,
            "grade": grade,
            "status": Status.OPEN,
            "status_at": created_at,
            "left_at": left_at,
            "platform": new.platform,
            "birthday": new.birthday,
            "referred_by": referrer.id if referrer else None,
            **fields,
        })
        store.insert_grade_change({
            "card_id": card_id, "at": created_at, "from_grade": None, "to_grade": grade,
            "by_id": session.actor_id, "reason": "建卡",
        })
        store.insert_event(card_id, created_at, EventKind.CREATED, session.actor_id, {"source": source.value})
        if visit:
            from leadcard.store import visits as visit_sql

            visit_sql.link_card(store, visit.id, card_id)
        refresh(session, card_id)
    return session.shown(store.card(card_id))


def phone_taken(session: Session, phone: str, holders: list[Card]) -> str:
    """Why a phone cannot go on another active card. The card holding it is named only to whom may
    see it: to anyone else no command confirms whose customer it is, or which card."""
    seen = next((c for c in holders if session.may_see(c.owner_id)), None)
    if seen is None:
        return _("电话 {phone} 已在一张你无权查看的卡片上——请找主管").format(phone=phone)
    if seen.owner is None:
        return _("电话 {phone} 已在未结卡片 {ref} 上（{name}，没有顾问）").format(phone=phone, ref=seen.ref, name=seen.name)
    return _("电话 {phone} 已在未结卡片 {ref} 上（{name}，顾问 {owner}）").format(
        phone=phone, ref=seen.ref, name=seen.name, owner=seen.owner)


def visit_for_card(session: Session, visit_id: int) -> Visit:
    """The visit a new card is made from (`add --visit ID`); it may become only one card."""
    from leadcard.store import visits as visit_sql  # only cards made from a showroom visit need it

    found = visit_sql.visit(session.store, visit_id, session.visible())
    if found is None:
        raise NotFound(_("没有到店记录 #{visit}（或你无权查看）").format(visit=visit_id))
    if found.card_id is not None:
        if session.shown_visit(found).card_id is None:
            raise Refused(_("到店记录 #{visit} 已在一张现有卡片上").format(visit=visit_id))
        raise Refused(_("到店记录 #{visit} 已建成卡片 {ref}").format(visit=visit_id, ref=card_ref(found.card_id)))
    return found


def owner_for_new_card(session: Session, owner_name: str | None) -> User | None:
    actor = session.actor
    if owner_name is None:
        return actor
    owner = session.user(owner_name)
    if not owner.active:
        raise NotAllowed(_("用户“{name}”已停用，不能负责卡片").format(name=owner.name))
    if actor is not None and owner.id != actor.id:
        if actor.role == Role.CONSULTANT:
            raise NotAllowed(_("{actor} 是顾问：{owner} 的卡片由其本人或主管添加").format(actor=actor.name, owner=owner.name))
        if actor.role == Role.SUPERVISOR and owner.team != actor.team:
            raise NotAllowed(_("{owner} 不在 {actor} 的组里").format(owner=owner.name, actor=actor.name))
    return owner


def log_followup(session: Session, ref: str, entry: NewFollowUp) -> tuple[Card, FollowUp, str | None]:
    """Append one follow-up (跟踪洽谈记录); with a grade, regrade in the same transaction; a test
    drive is registered with it (试驾登记). The third value warns of a next date beyond the grade's
    cadence (the audit's plan-beyond-cadence) or of a test driver's licence left unchecked: the entry
    is kept, as said, and the consultant told at once."""
    store, now = session.store, session.now
    card = with_status(session, resolve(session, ref))
    _require_open(card, _("记跟进"), also=FOLLOWED_AFTER_SALE)
    if entry.grade and card.status in FOLLOWED_AFTER_SALE:
        raise Refused(_("卡片 {ref} 的状态是 {status}：级别只用来判断潜在客户，记跟进请不带 --grade").format(
            ref=card.ref, status=_(STATUS_LABELS[card.status])))
    corrected: FollowUp | None = None
    if entry.corrects is not None:
        corrected = next((f for f in store.followups(card.id) if f.seq == entry.corrects), None)
        if corrected is None:
            raise NotFound(_("卡片 {ref} 没有可更正的跟进 #{seq}").format(ref=card.ref, seq=entry.corrects))
        if corrected.corrected_by is not None:
            raise Refused(_("跟进 #{seq} 已被 #{by} 更正过").format(seq=entry.corrects, by=corrected.corrected_by))
        if corrected.voided is not None:
            raise Refused(_("跟进 #{seq} 已撤回：请重新记一条跟进").format(seq=entry.corrects))
    channel = entry.channel or (corrected.channel if corrected else None)
    if channel is None:
        raise BadInput(_("跟进需要 --channel（{choices}）").format(choices=one_of(Channel)))
    content = (entry.content or "").strip()
    if not content:
        raise BadInput(_("跟进需要 --content：写下洽谈内容"))
    at = entry.at or (corrected.at if corrected else now)
    if at > now + timedelta(minutes=1):
        raise BadInput(_("联系时间不能在将来（{when}）；下次联系请用 --next 安排").format(when=f"{at:%Y-%m-%d %H:%M}"))
    if at < card.created_at:
        raise BadInput(_("联系时间不能早于建卡时间（{when}）").format(when=f"{card.created_at:%Y-%m-%d %H:%M}"))
    if entry.next_at is not None and not planned_after(at, entry.next_at, entry.next_all_day, session.tz):
        when = f"{entry.next_at:%Y-%m-%d}" if entry.next_all_day else f"{entry.next_at:%Y-%m-%d %H:%M}"
        raise BadInput(_("下次联系（{when}）必须晚于这次").format(when=when))
    inbound = entry.inbound if entry.inbound is not None else bool(corrected and corrected.inbound)
    if inbound and entry.outcome != Outcome.REACHED:
        raise BadInput(_("客户主动联系（--inbound）就是联系上了：结果不能是{outcome}").format(
            outcome=_(OUTCOME_LABELS[entry.outcome.value])))
    from leadcard.domain import test_drives  # only `log` needs it

    test_drives.check(channel, entry.outcome, entry.vehicle, entry.licence_checked)
    new_grade = session.policy.grade(entry.grade).code if entry.grade else None
    raised = objections.tags_for_followup(session, entry.objections) or (corrected.objections if corrected else ())
    told: list[str | None] = []  # what the consultant is warned of at once
    with store.transaction():
        followup_id = store.insert_followup({
            "card_id": card.id,
            "at": at,
            "recorded_at": now,
            "author_id": session.actor_id,
            "channel": channel,
            "outcome": entry.outcome,
            "grade": new_grade or card.grade,
            "impression": entry.impression,
            "content": content,
            "problem": entry.problem,
            "solution": entry.solution,
            "feasibility": entry.feasibility,
            "competition": entry.competition,
            "bottleneck": entry.bottleneck,
            "plan": entry.plan,
            "next_at": entry.next_at,
            "next_all_day": int(entry.next_all_day and entry.next_at is not None),
            "purpose": entry.purpose,
            "corrects": corrected.id if corrected else None,
            "inbound": int(inbound),
        })
        objections.record(session, followup_id, raised)
        if channel == Channel.TEST_DRIVE:
            told.append(test_drives.record(session, card, followup_id, at, entry.vehicle, entry.licence_checked,
                                           corrected.id if corrected else None))
        if new_grade and new_grade != card.grade:
            _change_grade(session, card, new_grade, entry.bottleneck or content, at, followup_id)
        if card.status == Status.DORMANT and not _woken_since(store, card):
            seq = store.followup_seq(followup_id)
            store.insert_event(card.id, at, EventKind.WOKEN, session.actor_id, {"followup_seq": seq})
        refresh(session, card.id)
    followup = next(f for f in store.followups(card.id) if f.id == followup_id)
    if entry.next_at is not None and card.status in (Status.OPEN, Status.DORMANT):
        from leadcard.domain.audit import beyond_cadence

        told.append(beyond_cadence(session.policy, new_grade or card.grade, at, entry.next_at, session.tz))
    warning = "\n".join(w for w in told if w) or None
    return session.shown(store.card(card.id)), followup, warning


def _woken_since(store: Store, card: Card) -> bool:
    """A dormant card is woken once per dormant spell, however many attempts it takes; a wake by a
    follow-up since withdrawn was none."""
    withdrawn = {f.seq for f in store.followups(card.id) if f.voided}
    return any(e.kind == EventKind.WOKEN and e.at >= card.dormant_at and e.detail.get("followup_seq") not in withdrawn
               for e in store.events(card.id))


def regrade(session: Session, ref: str, grade: str, reason: str | None) -> tuple[Card, str, str]:
    store = session.store
    card = resolve(session, ref)
    _require_open(card, _("改级别"))
    to = session.policy.grade(grade).code
    before = card.grade
    if to != before:
        with store.transaction():
            _change_grade(session, card, to, reason, session.now, None)
            refresh(session, card.id)
    return session.shown(store.card(card.id)), before, to


def _change_grade(session: Session, card: Card, to: str, reason: str | None, at: datetime, followup_id: int | None) -> None:
    session.store.insert_grade_change({
        "card_id": card.id, "at": at, "from_grade": card.grade, "to_grade": to,
        "by_id": session.actor_id, "reason": reason, "followup_id": followup_id,
    })
    session.store.update_card(card.id, {"grade": to})


# An order waiting for its car and a delivered car's owner are followed up too (订车后跟进, 回访).
FOLLOWED_AFTER_SALE = (Status.WON, Status.DELIVERED)


def _require_open(card: Card, doing: str, also: tuple[Status, ...] = ()) -> None:
    if card.status not in (Status.OPEN, Status.DORMANT, *also):
        raise Refused(_("卡片 {ref} 的状态是 {status}：请先重新打开（leadcard reopen {ref}），再{doing}").format(
            ref=card.ref, status=_(STATUS_LABELS[card.status]), doing=doing))


def refresh(session: Session, card_id: int) -> None:
    """Recompute the card's derived schedule from its follow-ups (inside the caller's transaction)."""
    store = session.store
    card = store.card(card_id)
    contacts = [contact_of(f) for f in store.followups(card_id) if f.effective]
    active = card.status == Status.OPEN and not card.do_not_contact
    from leadcard.store import deals as deal_sql  # writes need them; `today` only reads
    from leadcard.store.visits import return_visit_times

    visited_at, returned_at = return_visit_times(store, card_id, card.owner_id)
    deal = (deal_of(card.outcome, card.created_at, card.birthday)
            if card.status in FOLLOWED_AFTER_SALE and not card.do_not_contact else None)
    store.update_card(card_id, timing_columns(session.policy, card.created_at, card.grade, active, contacts,
                                              card.left_at, card.source, returned_at, visited_at, deal, session.tz,
                                              deal_sql.finance_rejected_at(store, card_id)))


def deal_of(outcome: dict, created_at: datetime, birthday: str | None = None) -> Deal:
    """The order on a won or delivered card, from its outcome (the lifecycle commands write it)."""
    o = outcome
    return Deal(
        ordered_at=datetime.fromisoformat(o["at"]) if o.get("at") else created_at,
        delivery_day=date.fromisoformat(o["delivery"]) if o.get("delivery") else None,
        delivered_at=datetime.fromisoformat(o["delivered_at"]) if o.get("delivered_at") else None,
        birthday=birthday,
        legacy=bool(o.get("legacy")),
    )


def timing_columns(policy: Policy, created_at: datetime, grade: str, active: bool, contacts: list[Contact],
                   left_at: datetime | None = None, source: str | None = None,
                   returned_at: datetime | None = None, visited_at: datetime | None = None,
                   deal: Deal | None = None, tz=None, finance_rejected_at: datetime | None = None) -> dict:
    """The card row's derived columns; only an active (open, contactable) card is ever due, or an
    order or owner (`deal`) by its own schedule."""
    timing = card_timing(created_at, grade, contacts, policy, left_at, source, returned_at, visited_at,
                         finance_rejected_at)
    due = deal_due(deal, contacts, policy, tz) if deal is not None else timing.due if active else None
    return {
        "followup_count": len(contacts),
        "first_touch_at": timing.first_touch_at,
        "first_call_at": timing.first_call_at,
        "last_contact_at": timing.last_contact_at,
        "next_at": timing.next_at,
        "next_purpose": timing.next_purpose,
        "due_at": due.at if due else None,
        "due_reason": due.reason if due else None,
        "dormant_at": timing.dormant_at,
        "failed_attempts": timing.failed_attempts,
        "objections": ",".join(timing.objections) or None,
    }


def contact_of(f: FollowUp) -> Contact:
    return Contact(f.at, f.channel, f.outcome == Outcome.REACHED, f.next_at, f.purpose, f.objections)


# -- reading ---------------------------------------------------------------------------------------


def card_detail(session: Session, ref: str) -> CardDetail:
    from leadcard.domain.waiting import handover_due
    from leadcard.store import deals as deal_sql

    store = session.store
    card = resolve(session, ref)
    scripts = objections.scripts_for(session, card.objections)
    scope = session.visible()
    referrer = store.cards_by_id(card.referred_by, scope) if card.referred_by else []
    return CardDetail(
        card=session.shown(with_status(session, card)),
        followups=store.followups(card.id),
        grades=store.grade_changes(card.id),
        instructions=store.instructions(card.id),
        events=[_event_shown(session, e) for e in store.events(card.id)],
        handover_due=handover_due(session, card),
        desk=_desk_on(deal_sql.desk(store, card.id), session.today, card.status),
        objection_labels=objections.labels(session),
        scripts=tuple(scripts[t] for t in card.objections if t in scripts),
        referrer=session.shown(referrer[0]) if referrer else None,
        referrals=[session.shown(c) for c in store.cards_referred_by(card.id, scope)],
    )


def shown_ref(session: Session, ref: str | None) -> str | None:
    """A card number a record keeps, as the reader may read it: HIDDEN_CARD for a card they may not
    see (a referrer's, after either card changed hands)."""
    if not ref:
        return ref
    number = _CARD_NUMBER.fullmatch(ref)
    seen = number is not None and session.store.cards_by_id(int(number.group(1)), session.visible())
    return ref if seen else HIDDEN_CARD


def _event_shown(session: Session, event: CardEvent) -> CardEvent:
    """The event as the reader may read it: an edit's referrer by a card number they may see only."""
    fields = event.detail.get("fields") if event.kind == EventKind.EDITED.value else None
    if not fields or "referred_by" not in fields:
        return event
    referrers = [shown_ref(session, ref) for ref in fields["referred_by"]]
    return event._replace(detail={**event.detail, "fields": {**fields, "referred_by": referrers}})


def list_cards(
    session: Session,
    grade: str | None = None,
    status: str | None = None,
    owner: str | None = None,
    search: str | None = None,
    limit: int | None = None,
    do_not_contact: bool = False,
) -> CardList:
    """The visible cards that match, newest first, at most `limit` of them, and how many matched."""
    filt = _card_filter(session, grade, status, owner, search, do_not_contact)
    cards = session.store.list_cards(filt, session.visible(), session.now, limit)
    total = session.store.count_cards(filt, session.visible(), session.now) if limit and len(cards) == limit else len(cards)
    show = session.shows()
    return CardList([show(with_status(session, c)) for c in cards], total)


def every_card(session: Session, grade: str | None = None, status: str | None = None, owner: str | None = None,
               search: str | None = None, do_not_contact: bool = False) -> Iterator[Card]:
    """Every visible card that matches, newest first, read as it is used (`list --json`). The
    filter is checked now, before anything is written."""
    filt = _card_filter(session, grade, status, owner, search, do_not_contact)
    show = session.shows()
    return (show(with_status(session, c)) for c in session.store.each_card(filt, session.visible(), session.now))


# What a search may be: a name, a phone, a model or a few words of a note, never a page (the store's
# pattern matching refuses one of some 17,000 Chinese characters, as if it were damaged).
SEARCH_MAX = 100


def _card_filter(session: Session, grade: str | None, status: str | None, owner: str | None, search: str | None,
                 do_not_contact: bool) -> CardFilter:
    if search and len(search.strip()) > SEARCH_MAX:
        raise BadInput(_("搜索的词太长（{length} 个字，最多 {most} 个）").format(length=len(search.strip()), most=SEARCH_MAX))
    owner_ids = named = None
    if owner:
        # A consultant an imported sheet named but who is no user yet: their cards have no owner,
        # which only those who see every card see (to anyone else the name is no user's).
        if (session.store.user_by_name(owner) is None and session.visible().owner_ids is None
                and session.store.has_named_owner(owner)):
            named = owner
        else:
            owner_ids = frozenset({session.user(owner).id})
    return CardFilter(
        grade=session.policy.grade(grade).code if grade else None,
        status=parse_status(status) if status else None,
        owner_ids=owner_ids,
        search=search.strip() if search and search.strip() else None,
        search_phone=_digits(search) if search else None,
        do_not_contact=do_not_contact,
        named_owner=named,
    )


def _digits(text: str) -> str | None:
    digits = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text))
    return digits if digits.isdigit() and len(digits) >= 3 else None


def with_status(session: Session, card: Card) -> Card:
    """`dormant` is never stored: an open card is dormant once its dormant date has passed."""
    if card.status == Status.OPEN and card.dormant_at is not None and card.dormant_at <= session.now:
        return card._replace(status=Status.DORMANT)
    return card


def today(session: Session, day: date, owner: str | None = None, everyone: bool = False) -> TodayList:
    """Every visible open card due on or before `day`, most urgent first (CONTRACT.md `today`)."""
    store, policy, tz = session.store, session.policy, session.tz
    scope = _today_scope(session, owner, everyone)
    start, end = day_bounds(day, tz)
    awake_at = as_the_day_stands(session.now, day, tz)  # due until it turns dormant, then in the pool
    show = session.shows()
    items = [today_item(session, card, card.due_at, card.due_reason, day, show)
             for card in store.due_cards(end, awake_at, scope)]
    if store.has_dormant(awake_at, scope) and in_wake_up_window(day, _festivals(store, day.year, policy), policy):
        items += [today_item(session, card, start, DueReason.WAKE_UP, day, show)
                  for card in store.waking_cards(awake_at, scope)]
    ranks = {grade: policy.rank(grade) for grade in {i.card.grade for i in items}}
    items.sort(key=lambda i: (-i.overdue_days, ranks[i.card.grade], i.due_at, i.card.id))
    items = _with_key_plans(session, _with_quotes(session, _with_scripts(session, items), day))
    owners = sorted({i.card.owner for i in items if i.card.owner})
    # Asked for one consultant's list, a supervisor reads that list alone; nothing waits on a consultant.
    pending = None
    if not owner and session.actor is not None and session.actor.role in (Role.SUPERVISOR, Role.MANAGER):
        from leadcard.domain.waiting import waiting  # the morning list of most users never needs it

        pending = waiting(session)
    return TodayList(day=day, items=items, owners=owners, waiting=pending)


def _with_scripts(session: Session, items: list[TodayItem]) -> list[TodayItem]:
    """Under a card whose latest follow-up raised objections, the playbook's answers (one query)."""
    scripts = objections.scripts_for(session, (tag for i in items for tag in i.card.objections))
    if not scripts:
        return items
    return [i._replace(scripts=tuple(scripts[t] for t in i.card.objections if t in scripts)) if i.card.objections
            else i for i in items]


def _with_quotes(session: Session, items: list[TodayItem], day: date) -> list[TodayItem]:
    """Beside each due card whose deal is still to be made or delivered, the latest quote the
    customer holds, lapsed if `day` is past its last valid day (one query per 500 cards). Once the
    car is delivered the price is history: an owner's visits carry none."""
    dealing = [i.card.id for i in items if i.card.status in _DEAL_IN_HAND]
    if not dealing:
        return items
    from leadcard.store import deals as deal_sql  # the deal desk's latest quote, under each due card

    quotes = deal_sql.latest_quotes(session.store, dealing)
    if not quotes:
        return items
    return [i._replace(quote=held_on(quotes[i.card.id], day, i.card.status)) if i.card.id in quotes else i
            for i in items]


def _with_key_plans(session: Session, items: list[TodayItem]) -> list[TodayItem]:
    """Beside an open key customer's card with no quote yet, when the written plan is due: two days
    (the audit's purchase-plan-late) from the latest judgement as one (one query for the list)."""
    from leadcard.domain.key_plans import judged_key, key_plan_limits

    limits = key_plan_limits(session.policy)
    if limits is None:
        return items
    keys, allowed = limits
    owed = [i.card.id for i in items if i.card.status == Status.OPEN and i.card.grade in keys and i.quote is None]
    if not owed:
        return items
    judgements = session.store.judgements(owed)
    due = {card_id: max(judged_key(history, keys), default=None) for card_id, history in judgements.items()}
    return [i._replace(plan_due=due[i.card.id] + allowed) if due.get(i.card.id) is not None else i for i in items]


def _desk_on(desk: "DealDesk", day: date, status: Status) -> "DealDesk":
    return desk._replace(quotes=tuple(held_on(q, day, status) for q in desk.quotes))


# While the deal is still to be made, a quote holds until its last valid day; an order took one up.
_DEAL_OPEN = (Status.OPEN, Status.DORMANT, Status.LOST_PENDING)
_DEAL_IN_HAND = (*_DEAL_OPEN, Status.WON)  # an order waiting for its car: the price it was taken at


def held_on(quote: "Quote", day: date, status: Status) -> "Quote":
    """The quote as the customer holds it on `day`, on a card of `status`: lapsed (已过期) once its
    last valid day has passed while the deal is still to be made."""
    lapsed = status in _DEAL_OPEN and quote.valid_until is not None and quote.valid_until < day
    return quote._replace(lapsed=True) if lapsed else quote


def _today_scope(session: Session, owner: str | None, everyone: bool) -> Scope:
    visible = session.visible()
    if owner:
        user = session.user(owner)
        if visible.owner_ids is not None and user.id not in visible.owner_ids:
            raise NotAllowed(_("{actor} 无权查看 {user} 的卡片").format(actor=session.actor.name, user=user.name))
        return Scope(frozenset({user.id}))
    if everyone or session.actor is None or session.actor.role != Role.CONSULTANT:
        return visible
    return Scope(frozenset({session.actor.id}))


def wake_up_days_between(session: Session, first: date, last: date) -> list[date]:
    """The days from `first` to `last` on which the dormant pool is listed (休眠唤醒)."""
    days: set[date] = set()
    for year in range(first.year, last.year + 1):
        days |= _wake_up_days(session.store, year, session.policy)
    return sorted(d for d in days if first <= d <= last)


def _wake_up_days(store: Store, year: int, policy: Policy) -> set[date]:
    return wake_up_days(year, _festivals(store, year, policy), policy)


def _festivals(store: Store, year: int, policy: Policy) -> dict[tuple[str, int], date]:
    """The festivals of `year` and the next: a Spring Festival early next year wakes cards late in this one."""
    festivals = {}
    for y in (year, year + 1):
        for name, first_day in calendar_year(store, y, policy).festivals.items():
            festivals[(name, y)] = first_day
    return festivals


def today_item(session: Session, card: Card | DueCard, due_at: datetime, reason: DueReason, day: date,
               show: Callable[[Card | DueCard], Card | DueCard]) -> TodayItem:
    """A due card as the morning list shows it; `show` is the session's `shows()`, asked once a list."""
    policy, tz = session.policy, session.tz
    purpose = card.next_purpose if reason == DueReason.PLANNED else None
    suggested = not purpose
    if suggested:
        if reason in AFTER_SALE_ACTIONS or card.status == Status.WON:
            purpose = after_sale_action(card, reason, due_at, policy, tz)
        elif reason == DueReason.RETURNED:
            # Who received them is the receiver's to tell; the owner hears when, and what to do.
            purpose = _("客户 {at} 再次到店，由其他顾问接待：尽快联系，了解来意并记录跟进").format(
                at=f"{due_at.astimezone(tz):%m-%d %H:%M}")
        elif reason in (DueReason.FIRST_TOUCH, DueReason.FIRST_CALL):
            purpose = first_contact_action(card, reason, policy)
        elif reason in SUGGESTED_ACTIONS:
            purpose = _(SUGGESTED_ACTIONS[reason])
        else:
            grade = policy.known_grade(card.grade)
            purpose = _(grade.action) if grade else None
    if card.failed_attempts >= policy.max_failed_attempts:
        purpose = _("已连续 {n} 次未联系上，建议核实后标记无效（leadcard invalid {ref}）").format(
            n=card.failed_attempts, ref=card.ref)
        suggested = True
    return TodayItem(
        card=show(card),
        due_at=due_at,
        reason=reason,
        overdue_days=overdue_days(due_at, day, tz),
        purpose=purpose,
        suggested=suggested,
        days_since_contact=days_between(card.last_contact_at, day, tz) if card.last_contact_at else None,
        suggest_invalid=card.failed_attempts >= policy.max_failed_attempts,
    )

