"""A realistic sample showroom: a Toyota 4S store's sales floor with months of history.

Three consultants of different habits (one by the book, one average, one sloppy), a supervisor
who writes instructions, a manager; cards from every source, won, lost, pending and dormant,
follow-ups good and bad, the showroom log and the deal desk (`demo_desk`) — so that `today`, `show`,
`audit` and `report` have real work to do.
`--cards 100000` builds a benchmark store in seconds: rows are generated and bulk inserted.
"""

from __future__ import annotations

import json
import os
import random
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterator

from leadcard.domain.cards import timing_columns
from leadcard.domain.demo_desk import DESK_TABLES, desk_rows, targets
from leadcard.errors import Refused
from leadcard.model import Channel, EventKind, Outcome, Role, Source, Status
from leadcard.schedule import Contact, Policy
from leadcard.domain.session import Session
from leadcard.store import sql_value

SURNAMES = "王李张刘陈杨黄赵周吴徐孙马胡朱郭何罗高林郑梁谢唐许冯宋韩邓彭曹曾田萧潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金贾夏韦付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤康易乔赖文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏飞浩宇欣怡子涵梓轩雨晨思远志国建新海波晓东凯峰琳颖婷雪慧佳俊博文斌"
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
                   "156", "157", "158", "159", "166", "176", "177", "180", "181", "182", "185", "186", "187",
                   "188", "189", "191", "195", "198", "199")
MODELS = ("凯美瑞 2.0E", "凯美瑞 双擎", "雷凌 185T", "雷凌 双擎", "汉兰达 2.0T", "威兰达 双擎", "锋兰达 2.0L",
          "赛那 双擎", "致炫 1.5L", "铂智 3X", "bZ3X", "亚洲龙 双擎")
COMPETITORS = ("本田雅阁", "大众帕萨特", "日产天籁", "比亚迪汉", "比亚迪秦L", "特斯拉 Model Y", "理想 L6",
               "吉利星瑞", "别克君威", "小米 SU7", "本田 CR-V", "大众途观L", "问界 M7", "长安 CS75 PLUS")
COLOURS = ("珍珠白", "铂金灰", "曜石黑", "冰晶蓝", "炫魅红")
OCCUPATIONS = ("教师", "公务员", "医生", "IT 工程师", "个体户", "企业主", "销售", "会计", "护士", "司机", "设计师")
RESIDENCES = ("天河区", "海珠区", "番禺区", "白云区", "越秀区", "黄埔区", "花都区", "南沙区")
CONCERNS = ("外观", "安全", "动力", "操控", "舒适", "经济")
LOSS_REASONS = ("价格", "竞品品牌", "推迟购买", "贷款未过", "联系不上", "已在别处购买")
SOURCES = ((Source.WALK_IN, 45), (Source.PHONE_IN, 12), (Source.ONLINE, 25), (Source.SHOW, 5),
           (Source.REFERRAL, 8), (Source.HOTLINE, 5))

GOOD_CONTENT = (
    "客户对{model}空间和油耗满意，重点对比{rival}，担心保值率；已讲解双擎保值数据",
    "试驾{model}，客户认可静谧性，太太觉得后排略窄；约周末带家人再看",
    "电话沟通贷款方案：首付 30%，36 期，月供客户可接受，仍在比较{rival}的优惠",
    "客户反馈{rival}便宜 1 万，已说明我店赠送保养与延保，差价实际 3000 左右",
    "微信发送{model}配置对比表与现车颜色，客户确认要{colour}，询问到车时间",
    "到店看车，客户决策人是爱人，本次一起来，对内饰满意，价格还需商量",
)
GOOD_PLAN = (
    "准备与{rival}的配置和五年用车成本对比，周六邀约夫妻二人到店",
    "申请店内限时优惠，电话告知并邀约试驾",
    "联系金融专员出具两套贷款方案，明天发微信",
    "确认{colour}现车库存，给出订车优惠截止日期",
)
GOOD_BOTTLENECK = (
    "价格高于{rival}，家人意见不统一",
    "对双擎电池寿命有顾虑",
    "置换旧车估价偏低",
    "提车时间长于竞品",
)
GOOD_PURPOSE = ("邀约周六到店试驾并报价", "确认贷款方案与首付", "告知现车到店，约定订车", "带家人来看车，解决决策人顾虑",
                "送上置换评估结果")
SLOPPY_CONTENT = ("电话", "没接", "考虑中", "再看看", "在忙", "回访")
SLOPPY_PLAN = ("电话", "电话", "继续跟进", "微信")
SLOPPY_PURPOSE = ("考虑得怎么样", "问问情况", "回访")
# Objections customers raise on the demo floor (tags of the default list), and the floor's scripts.
DEMO_OBJECTIONS = ("price", "price", "delivery", "brand", "financing", "resale", "maintenance")
DEMO_SCRIPTS = (
    ("price", "先问清对比的是哪款哪个配置，再算五年用车成本：质保、保养、油耗和保值率加起来，我们不贵"),
    ("delivery", "现车不够时，主管协调兄弟店调车；确需等车的，锁定价格并每周同步物流进度"),
    ("financing", "厂家金融两年免息，首付两成起，当天出预审结果；征信有瑕疵的走银行渠道"),
)
OBJECTION_SHARE = 0.15  # of the contacts that reached the customer

INSTRUCTIONS = ("本周内邀约试驾，争取周末订车", "请准备与竞品的对比方案，明天晨会汇报", "记录太简单，请写清瓶颈和下一步",
                "客户价格敏感，可申请店内补贴", "H 级客户超过 7 天未订，请重新判断级别")

# The first three consultants' habits: (name, chance a follow-up is thorough, hours to the first call).
CONSULTANTS = (("王芳", 0.9, 2), ("李强", 0.6, 14), ("张敏", 0.25, 60))
SUPERVISOR, MANAGER = "钱主管", "赵经理"
TEAM_SIZE = 6
CARDS_PER_CONSULTANT = 2000  # beyond the first three, a larger store gets more people
CARDS_PER_DAY = 100
BATCH = 5000  # a dealer group's intake, for how far back a large store's history goes


# The columns of the generated rows that hold datetimes or enums (the rest go to SQLite as they are).
TYPED_COLUMNS = {
    "cards": ("created_at", "recorded_at", "source", "status", "status_at", "first_touch_at", "first_call_at",
              "last_contact_at", "next_at", "due_at", "due_reason", "dormant_at"),
    "followups": ("at", "recorded_at", "channel", "outcome", "next_at"),
    "grade_changes": ("at",),
    "instructions": ("at",),
    "card_events": ("at",),
    "followup_objections": (),
    "playbook": ("at",),
    "sales_targets": ("set_at",),
    **DESK_TABLES,
}


@dataclass(frozen=True)
class Consultant:
    name: str
    id: int
    diligence: float  # chance that a follow-up is thorough, on time and planned
    first_call_hours: float


@dataclass(frozen=True)
class Floor:
    """What generating a batch of cards needs; plain data, so worker processes can receive it."""

    policy: Policy
    consultants: tuple[Consultant, ...]
    supervisors: dict[int, tuple[int, str]]  # consultant id → (supervisor id, name)
    total: int
    now: datetime
    seed: int


def build(session: Session, n_cards: int, seed: int) -> dict:
    store = session.store
    if store.card_count() > 0:
        raise Refused("this store already holds cards: the demo only fills an empty store (use --db demo.db)")
    with store.transaction():
        consultants, supervisors = _users(session, random.Random(seed), n_cards)
        floor = Floor(session.policy, tuple(consultants), supervisors, n_cards, session.now, seed)
        stats = {"cards": 0, "followups": 0}
        for batch in _batches(floor):
            for table, (columns, rows, linked) in batch.items():
                store.insert_values(table, columns, rows, link_followup=linked)
            stats["cards"] += len(batch["cards"][1])
            stats["followups"] += len(batch["followups"][1])
        store.bulk_insert("playbook", ({"tag": tag, "text": text, "author_id": supervisors[consultants[0].id][0],
                                        "at": session.now - timedelta(days=30)} for tag, text in DEMO_SCRIPTS),
                          TYPED_COLUMNS["playbook"])
        store.bulk_insert("sales_targets", targets(random.Random(f"{seed}:targets"), consultants,
                                                  store.user_by_name(MANAGER).id, session.now),
                          TYPED_COLUMNS["sales_targets"])
        store.set_setting("default_user", consultants[0].name)
        store.set_setting("demo", json.dumps({"seed": seed, "cards": n_cards}))
    return {
        "db": str(store.path),
        **stats,
        "users": [u.name for u in store.users()],
        "default_user": consultants[0].name,
        "supervisor": SUPERVISOR,
        "manager": MANAGER,
        "example": "A00001" if n_cards else None,
    }


def _batches(floor: Floor) -> Iterator[dict[str, list[dict]]]:
    """Batches of rows in card order. With several batches they are generated in worker processes,
    a few ahead of the inserts, so a 100,000-card store takes seconds rather than minutes."""
    starts = range(0, floor.total, BATCH)
    if len(starts) == 1:
        yield _values(floor, 0)
        return
    from concurrent.futures import ProcessPoolExecutor

    workers = max(1, min(len(starts), os.cpu_count() or 1))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: deque = deque()
        for start in starts:
            pending.append(pool.submit(_values, floor, start))
            if len(pending) > workers:  # bounded: memory stays flat however many cards
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _users(session: Session, rng: random.Random, n_cards: int) -> tuple[list[Consultant], dict[int, tuple[int, str]]]:
    """A manager, then teams of up to six consultants, each team with its supervisor."""
    store, now = session.store, session.now
    n_consultants = max(len(CONSULTANTS), n_cards // CARDS_PER_CONSULTANT)
    store.add_user(MANAGER, Role.MANAGER, None, now)
    consultants: list[Consultant] = []
    supervisor_of_team: dict[int, tuple[int, str]] = {}
    taken = {MANAGER, SUPERVISOR, *(name for name, _, _ in CONSULTANTS)}
    for index in range(n_consultants):
        team_no = index // TEAM_SIZE
        team = f"{_CHINESE_NUMBERS[team_no % 10]}组" + (str(team_no // 10) if team_no >= 10 else "")
        if team_no not in supervisor_of_team:
            name = SUPERVISOR if team_no == 0 else _unique_name(rng, taken, "主管")
            supervisor_of_team[team_no] = (store.add_user(name, Role.SUPERVISOR, team, now), name)
        if index < len(CONSULTANTS):
            name, diligence, call_hours = CONSULTANTS[index]
        else:
            name, diligence, call_hours = _unique_name(rng, taken), rng.uniform(0.2, 0.95), rng.uniform(1, 72)
        consultants.append(Consultant(name, store.add_user(name, Role.CONSULTANT, team, now), diligence, call_hours))
    return consultants, {c.id: supervisor_of_team[i // TEAM_SIZE] for i, c in enumerate(consultants)}


_CHINESE_NUMBERS = "一二三四五六七八九十"


def _unique_name(rng: random.Random, taken: set[str], suffix: str = "") -> str:
    while True:
        name = _name(rng) + suffix
        if name not in taken:
            taken.add(name)
            return name


def _name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def _phone(rng: random.Random, index: int) -> str:
    # The index keeps phones unique across 100,000 cards; the prefix and scramble make them look real.
    return rng.choice(MOBILE_PREFIXES) + f"{(index * 7919 + 1234) % 100_000_000:08d}"


def _cards(floor: Floor, start: int) -> dict[str, list[dict]]:
    """One batch of cards with their histories; its own generator, so batches can run anywhere."""
    rng = random.Random(f"{floor.seed}:{start}")
    heard = random.Random(f"{floor.seed}:{start}:objections")  # its own stream: the rest stays as it was
    desk = random.Random(f"{floor.seed}:{start}:desk")  # the showroom log and the deal desk, likewise
    consultants, supervisors, total, now = floor.consultants, floor.supervisors, floor.total, floor.now
    count = min(BATCH, total - start)
    rows: dict[str, list[dict]] = {"cards": [], "followups": [], "grade_changes": [], "instructions": [],
                                   "card_events": [], "followup_objections": [], **{t: [] for t in DESK_TABLES}}
    policy = floor.policy
    grades = [g.code for g in policy.grades]
    span = timedelta(days=max(240, total / CARDS_PER_DAY))
    sources, weights = zip(*SOURCES)
    for index in range(start, start + count):
        card_id = index + 1
        # Older cards first, so card numbers grow with time; the newest are from the last hours.
        age = span * ((total - index) / total) ** 1.5
        created = (now - age - timedelta(minutes=rng.randint(20, 120))).replace(second=0, microsecond=0)
        consultant = consultants[index % len(consultants)]
        model, rival, colour = rng.choice(MODELS), rng.choice(COMPETITORS), rng.choice(COLOURS)
        fill = {"model": model, "rival": rival, "colour": colour}
        first_grade = rng.choices(grades, weights=[1, 3, 4, 3][: len(grades)])[0]
        card = {
            "id": card_id, "created_at": created, "recorded_at": created + timedelta(minutes=rng.randint(5, 40)),
            "source": rng.choices(sources, weights)[0], "owner_id": consultant.id, "name": _name(rng),
            "phone": _phone(rng, index), "grade": first_grade, "status": Status.OPEN, "status_at": created,
            "gender": rng.choice(("男", "女")), "age": rng.randint(24, 58), "model": model,
            "colour": colour if rng.random() < 0.6 else None,
            "budget": f"{rng.choice((12, 15, 18, 20, 25, 30, 35))} 万" if rng.random() < 0.7 else None,
            "occupation": rng.choice(OCCUPATIONS) if rng.random() < 0.6 else None,
            "residence": rng.choice(RESIDENCES) if rng.random() < 0.7 else None,
            "payment": rng.choice(("全款", "贷款", "贷款", "租赁")) if rng.random() < 0.6 else None,
            "usage": rng.choice(("家用", "家用", "商用")) if rng.random() < 0.5 else None,
            "current_vehicle": rng.choice(("无", "大众朗逸", "本田飞度", "日产轩逸", "比亚迪 F3")) if rng.random() < 0.5 else None,
            "concerns": ",".join(rng.sample(CONCERNS, rng.randint(1, 3))) if rng.random() < 0.7 else None,
            "competitors": ",".join(rng.sample(COMPETITORS, rng.randint(1, 3))) if rng.random() < 0.6 else None,
            "purchase_type": rng.choice(("首购", "增购", "换购")) if rng.random() < 0.5 else None,
            "timeline": rng.choice(("一周内", "一个月内", "三个月内", "半年内")) if rng.random() < 0.5 else None,
        }
        ends_at, fate = _fate(rng, created, now)
        followups, grade_changes = _history(rng, policy, card, consultant, fill, ends_at, fate, now)
        fu_rows, contacts = [], []
        for seq, f in enumerate(followups, start=1):
            raised = ()
            if f["outcome"] == Outcome.REACHED and heard.random() < OBJECTION_SHARE:
                raised = tuple(dict.fromkeys(heard.choices(DEMO_OBJECTIONS, k=heard.choice((1, 1, 2)))))
                rows["followup_objections"] += [{"card_id": card_id, "_seq": seq, "tag": tag} for tag in raised]
            contacts.append(Contact(f["at"], f["channel"], f["outcome"] == Outcome.REACHED, f.get("next_at"),
                                    f.get("purpose"), raised))
            on_time = rng.random() < consultant.diligence
            fu_rows.append({
                "card_id": card_id, "seq": seq, "at": f["at"],
                "recorded_at": min(now, f["at"] + timedelta(minutes=rng.randint(2, 50) if on_time else rng.randint(90, 3000))),
                "author_id": consultant.id, "channel": f["channel"], "outcome": f["outcome"], "grade": f["grade"],
                "impression": f.get("impression"), "content": f["content"], "problem": f.get("problem"),
                "solution": f.get("solution"), "feasibility": f.get("feasibility"), "competition": f.get("competition"),
                "bottleneck": f.get("bottleneck"), "plan": f.get("plan"), "next_at": f.get("next_at"),
                "purpose": f.get("purpose"), "corrects": None,
            })
        card["grade"] = followups[-1]["grade"] if followups else first_grade
        status, outcome, events = _ending(rng, fate, ends_at, consultant, supervisors[consultant.id], fill, now)
        card["status"] = status
        card["outcome"] = json.dumps(outcome, ensure_ascii=False, default=_iso) if outcome else None
        if events:
            card["status_at"] = events[-1]["at"]
        desk_records, desk_events, rejected_at = desk_rows(desk, policy, card, consultant, supervisors[consultant.id],
                                                          followups, now)
        for table, records in desk_records.items():
            rows[table] += records
        card.update(timing_columns(policy, created, card["grade"], status == Status.OPEN, contacts,
                                   source=card["source"], finance_rejected_at=rejected_at))
        rows["cards"].append(card)
        rows["followups"] += fu_rows
        rows["grade_changes"].append({"card_id": card_id, "at": created, "from_grade": None, "to_grade": first_grade,
                                      "by_id": consultant.id, "reason": "建卡", "_seq": None})
        rows["grade_changes"] += [{"card_id": card_id, "by_id": consultant.id, **g} for g in grade_changes]
        rows["card_events"].append({"card_id": card_id, "at": created, "kind": EventKind.CREATED, "by_id": consultant.id,
                                    "detail": json.dumps({"source": card["source"].value})})
        rows["card_events"] += [{"card_id": card_id, **e} for e in events + desk_events]
        if followups and rng.random() < 0.3:
            seq = rng.randint(1, len(followups))
            at = min(followups[seq - 1]["at"] + timedelta(hours=rng.randint(2, 30)), now)
            rows["instructions"].append({"card_id": card_id, "followup_id": None, "at": at,
                                         "author_id": supervisors[consultant.id][0], "text": rng.choice(INSTRUCTIONS),
                                         "_seq": seq})
    return rows


def _fate(rng: random.Random, created: datetime, now: datetime) -> tuple[datetime, str]:
    """How a card ends and when: older cards have mostly ended; the young are still open."""
    age_days = (now - created).days
    if age_days < 5:
        return now, "open"
    closes = min(0.85, age_days / 100)
    roll = rng.random()
    if roll >= closes:
        return now, "open"
    ends = created + timedelta(days=rng.uniform(3, min(age_days, 120)), hours=rng.randint(0, 8))
    fate = rng.choices(("won", "lost", "invalid"), weights=(45, 45, 10))[0]
    return min(ends, now - timedelta(hours=1)), fate


def _history(rng, policy, card, consultant, fill, ends_at, fate, now) -> tuple[list[dict], list[dict]]:
    """The follow-ups of one card: first touch, first call, then contacts at the grade's cadence
    (kept by the diligent; stretched, vague or abandoned by the sloppy)."""
    created = card["created_at"]
    grade = card["grade"]
    diligence = consultant.diligence
    followups: list[dict] = []
    changes: list[dict] = []
    delay = timedelta(minutes=rng.randint(5, 40)) if rng.random() < diligence else timedelta(hours=rng.uniform(4, 30))
    if rng.random() < diligence + 0.15 and created + delay < now:
        followups.append({"at": created + delay, "channel": rng.choice((Channel.SMS, Channel.WECHAT)),
                          "outcome": Outcome.REACHED, "grade": grade, "content": "感谢到店，发送车型资料和顾问名片"})
    at = created + timedelta(hours=max(0.5, rng.gauss(consultant.first_call_hours, consultant.first_call_hours / 3)))
    channel = Channel.PHONE
    # Contacts planned for today are still to be made: that is what `today` lists.
    stop = min(ends_at, now.replace(hour=0, minute=0, second=0, microsecond=0))
    while at < stop and len(followups) < 40:
        thorough = rng.random() < diligence
        reached = rng.random() > 0.12
        if reached and rng.random() < 0.2:
            new_grade = _drift(rng, policy, grade, (ends_at - at).days, fate)
            if new_grade != grade:
                changes.append({"at": at, "from_grade": grade, "to_grade": new_grade,
                                "reason": "客户购车时间变化", "_seq": len(followups) + 1})
                grade = new_grade
        cadence = policy.known_grade(grade).cadence_days if policy.known_grade(grade) else 7
        gap = timedelta(days=cadence * (1 if thorough else rng.choice((1, 2, 3))))
        f = {"at": at.replace(second=0, microsecond=0), "channel": channel, "grade": grade,
             "outcome": Outcome.REACHED if reached else Outcome.UNREACHABLE}
        if thorough:
            f["content"] = rng.choice(GOOD_CONTENT).format(**fill)
            f["plan"] = rng.choice(GOOD_PLAN).format(**fill)
            f["bottleneck"] = rng.choice(GOOD_BOTTLENECK).format(**fill)
            f["purpose"] = rng.choice(GOOD_PURPOSE)
            f["impression"] = rng.choice(("热情", "理性比较", "犹豫", "价格敏感"))
            f["problem"] = rng.choice(("预算与配置的取舍", "家人意见不统一", "担心保值率", "置换差价"))
            f["solution"] = rng.choice(("推荐中配 + 金融贴息", "邀约家人同来试驾", "提供官方保值回购政策", "二手车部门重新评估"))
            f["feasibility"] = rng.choice(("可行，需主管批优惠", "可行", "需客户配合"))
            f["competition"] = f"{fill['rival']} 本月降价 {rng.choice((5000, 8000, 10000))} 元"
            f["next_at"] = (at + gap).replace(hour=rng.choice((10, 14, 16)), minute=0, second=0, microsecond=0)
        else:
            f["content"] = rng.choice(SLOPPY_CONTENT) if reached else "未接通"
            if rng.random() < 0.6:
                f["plan"] = rng.choice(SLOPPY_PLAN)
                f["purpose"] = rng.choice(SLOPPY_PURPOSE)
                f["next_at"] = (at + gap).replace(hour=0, minute=0, second=0, microsecond=0)
        followups.append(f)
        if fate == "open" and rng.random() < (1 - diligence) * 0.12:
            break  # the sloppy give up: the card is left overdue, or goes dormant
        at = at + gap + timedelta(hours=rng.uniform(-4, 6) if thorough else rng.uniform(0, 96))
        channel = rng.choices((Channel.PHONE, Channel.WECHAT, Channel.VISIT, Channel.TEST_DRIVE),
                              weights=(50, 25, 15, 10))[0]
    return sorted(followups, key=lambda f: f["at"]), changes


def _drift(rng, policy, grade: str, days_left: int, fate: str) -> str:
    """Customers warm up as a deal nears and cool down when it does not come."""
    codes = [g.code for g in policy.grades]
    i = codes.index(grade) if grade in codes else len(codes) - 1
    if fate == "won" and days_left < 14:
        return codes[max(0, i - 1)]
    return codes[min(len(codes) - 1, max(0, i + rng.choice((-1, 1, 1))))]


def _ending(rng, fate, ends_at, consultant, supervisor, fill, now) -> tuple[Status, dict | None, list[dict]]:
    at = ends_at
    owner = consultant.id
    if fate == "won":
        outcome = {"model": fill["model"], "at": at}
        events = [{"at": at, "kind": EventKind.WON, "by_id": owner, "detail": json.dumps({"model": fill["model"]}, ensure_ascii=False)}]
        handover = at + timedelta(hours=rng.choice((3, 6, 20, 30, 50)))
        if handover <= now and rng.random() < 0.9:
            outcome.update({"handover_to": "售后 陈工", "handover_at": handover})
            events.append({"at": handover, "kind": EventKind.HANDOVER, "by_id": owner,
                           "detail": json.dumps({"to": "售后 陈工"}, ensure_ascii=False)})
        return Status.WON, outcome, events
    if fate == "lost":
        reason = rng.choice(LOSS_REASONS)
        competitor = fill["rival"] if reason in ("竞品品牌", "已在别处购买", "价格") else None
        outcome = {"reason": reason, "competitor": competitor, "note": "客户已决定", "requested_at": at,
                   "requested_by": consultant.name}
        events = [{"at": at, "kind": EventKind.LOST_REQUESTED, "by_id": owner,
                   "detail": json.dumps({"reason": reason, "competitor": competitor}, ensure_ascii=False)}]
        decided = at + timedelta(hours=rng.randint(3, 60))
        if decided > now or rng.random() < 0.1:
            return Status.LOST_PENDING, outcome, events
        outcome.update({"decided_at": decided, "decided_by": supervisor[1], "verdict": "approved"})
        events.append({"at": decided, "kind": EventKind.LOST_APPROVED, "by_id": supervisor[0], "detail": None})
        return Status.LOST, outcome, events
    if fate == "invalid":
        reason = rng.choice(("空号", "非购车客户", "同行询价"))
        outcome = {"reason": reason, "at": at}
        return Status.INVALID, outcome, [{"at": at, "kind": EventKind.INVALID, "by_id": owner,
                                          "detail": json.dumps({"reason": reason}, ensure_ascii=False)}]
    return Status.OPEN, None, []


# Rows that point at a follow-up carry its sequence number: the store links them by (card, seq).
_LINKED = {"grade_changes", "instructions", "followup_objections", "test_drives"}
# A linked table without a card column of its own carries the card only for the link.
_LINK_ONLY = {"followup_objections": ("card_id",)}


def _values(floor: Floor, start: int) -> dict[str, tuple[list[str], list[tuple], bool]]:
    """A batch as SQL-ready tuples, converted in the worker so the inserting process only inserts."""
    batch = {}
    for table, rows in _cards(floor, start).items():
        typed = set(TYPED_COLUMNS[table])
        linked = table in _LINKED
        skipped = ("_seq", "followup_id", *_LINK_ONLY.get(table, ()))
        columns = [c for c in rows[0] if c not in skipped] if rows else []
        values = []
        for row in rows:
            value = tuple(sql_value(row[c]) if c in typed else row[c] for c in columns)
            values.append(value + (row["card_id"], row["_seq"]) if linked else value)
        batch[table] = (columns, values, linked)
    return batch


def _iso(value):
    return value.isoformat() if isinstance(value, datetime) else value
