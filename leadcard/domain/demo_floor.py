"""What the demo showroom is made of: a GAC Toyota (广汽丰田) 4S store's line-up, its rivals, the
floor's hours and the words consultants and the supervisor write. Data only; `demo` draws from it.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from typing import NamedTuple

from leadcard.model import Source


class Model(NamedTuple):
    name: str
    trims: tuple[str, ...]
    price: tuple[float, float]  # 厂商指导价, 万元
    rivals: tuple[str, ...]  # what its buyers cross-shop (other brands' cars, named as competitors)
    share: int  # of the showroom's enquiries


# GAC Toyota's own current line-up, each car once (铂智3X is the car sold abroad as bZ3X); Asian
# Lion (亚洲龙), RAV4 and Corolla are FAW Toyota's, sold in another network, so they appear only as
# rivals. Prices are the makers' guide prices, rounded.
LINEUP = (
    Model("凯美瑞", ("2.0L 豪华版", "2.0HE 智能电混双擎 精英版", "2.0HS 智能电混双擎 运动版"), (17.18, 20.68),
          ("本田雅阁", "大众帕萨特", "日产天籁", "比亚迪秦L", "比亚迪汉", "一汽丰田亚洲龙"), 24),
    Model("雷凌", ("1.5L CVT 进取版", "1.8L 智能电混双擎 豪华版"), (11.28, 14.88),
          ("日产轩逸", "大众朗逸", "本田思域", "比亚迪秦PLUS DM-i", "一汽丰田卡罗拉"), 16),
    Model("锋兰达", ("2.0L CVT 领先版", "2.0L 智能电混双擎 豪华版"), (12.98, 17.78),
          ("本田缤智", "本田XR-V", "比亚迪宋PRO DM-i", "吉利星越L"), 14),
    Model("威兰达", ("2.0L CVT 两驱豪华版", "2.5L 智能电混双擎 四驱尊贵版"), (17.98, 25.88),
          ("本田CR-V", "大众途观L", "一汽丰田RAV4荣放", "比亚迪宋L DM-i", "日产奇骏"), 14),
    Model("汉兰达", ("2.5L 智能电混双擎 四驱精英版", "2.5L 智能电混双擎 四驱至尊版"), (26.88, 34.88),
          ("大众途昂", "理想L6", "问界M7", "比亚迪唐DM-i", "本田冠道"), 10),
    Model("赛那", ("2.5L 智能电混双擎 舒适版", "2.5L 智能电混双擎 铂金版"), (30.98, 40.98),
          ("别克GL8", "本田奥德赛", "腾势D9", "传祺M8"), 5),
    Model("致炫", ("1.5L CVT 领先版", "1.5L CVT 豪华PLUS版"), (7.48, 9.58),
          ("本田飞度", "比亚迪秦PLUS DM-i", "日产轩逸经典", "比亚迪海鸥"), 7),
    Model("铂智3X", ("430 Air", "520 Pro", "610 Max"), (10.98, 15.98),
          ("比亚迪元PLUS", "比亚迪宋PLUS EV", "小鹏MONA M03", "埃安AION Y", "特斯拉 Model Y"), 10),
)

SURNAMES = "王李张刘陈杨黄赵周吴徐孙马胡朱郭何罗高林郑梁谢唐许冯宋韩邓彭曹曾田萧潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金贾夏韦付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤康易乔赖文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏飞浩宇欣怡子涵梓轩雨晨思远志国建新海波晓东凯峰琳颖婷雪慧佳俊博文斌"
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
                   "156", "157", "158", "159", "166", "176", "177", "180", "181", "182", "185", "186", "187",
                   "188", "189", "191", "195", "198", "199")
COLOURS = ("珍珠白", "铂金灰", "曜石黑", "冰晶蓝", "熔岩红", "银河银")
CONCERNS = ("外观", "安全", "动力", "操控", "舒适", "经济")
OCCUPATIONS = ("教师", "公务员", "医生", "IT 工程师", "个体户", "企业主", "销售", "会计", "护士", "网约车司机", "设计师")
RESIDENCES = ("天河区", "海珠区", "番禺区", "白云区", "越秀区", "黄埔区", "花都区", "南沙区")
CURRENT_VEHICLES = ("无", "大众朗逸", "本田飞度", "日产轩逸", "比亚迪 F3", "丰田卡罗拉", "别克英朗")
HANDOVER_TO = "售后 陈工"


# -- the floor's hours --------------------------------------------------------------------------------


class Hours:
    """Stretches of the day as (from, to, how busy), in minutes after midnight: a time drawn from
    them falls in working hours, and more often in the busy stretches (fewer at lunch)."""

    def __init__(self, *stretches: tuple[int, int, float]):
        self.stretches = stretches
        self.opens, self.closes = stretches[0][0], stretches[-1][1]
        self._starts, self._weights, total = [], [], 0.0
        for start, end, busy in stretches:
            self._starts.append(total)
            self._weights.append((end - start) * busy)
            total += (end - start) * busy
        self._total = total

    def minute(self, u: float) -> float:
        """The minute a share `u` (0–1) of the day's activity has passed at: monotonic in u."""
        w = u * self._total
        i = max(0, bisect_right(self._starts, w) - 1)
        start, end, busy = self.stretches[i]
        return min(end, start + (w - self._starts[i]) / busy)

    def share(self, minute: float) -> float:
        """The inverse of `minute`: the share of the day's activity before that minute."""
        if minute <= self.opens:
            return 0.0
        for (start, end, busy), before in zip(self.stretches, self._starts):
            if minute <= end:
                return (before + (minute - start) * busy) / self._total
        return 1.0


# Customers arrive 09:30–19:00 (the showroom closes at 21:00, after the last test drives).
SHOWROOM = Hours((570, 720, 1.0), (720, 810, 0.35), (810, 1080, 1.0), (1080, 1140, 0.5))
# Calls and messages 09:00–20:30: busiest in the morning and afternoon, few over lunch.
CALLS = Hours((540, 720, 1.0), (720, 810, 0.3), (810, 1080, 1.0), (1080, 1230, 0.4))
# The supervisor reads the day's cards before the evening meeting.
REVIEW = Hours((1110, 1230, 1.0))


# -- what the floor writes --------------------------------------------------------------------------

THANKS = {
    "walk-in": "感谢今天到店看{model}，发送{trim}配置表、报价单和顾问名片",
    "referral": "感谢{model}老客户介绍到店，发送配置表和老带新礼包说明",
    "phone-in": "感谢来电咨询{model}，发送配置表和门店定位，欢迎到店试驾",
    "show": "感谢车展莅临展台，发送{model}车展专享政策和到店试驾预约方式",
    "online": "已添加微信，发送{trim}配置表、落地价明细和门店定位",
    "hotline": "已添加微信，发送{trim}配置表、落地价明细和门店定位",
}
LEAD_CALL = "平台线索，来电 {minutes} 分钟内回拨：客户在看{model}，关心落地价和{concern}，已约到店试驾"
FIRST_CALL = "电话回访：确认预算{budget}、购车时间{timeline}，对比{rival}，判定{grade}级；邀约试驾{model}"
CONTENT = {
    "phone": (
        "电话沟通：客户对比{rival}，最关心{concern}，已说明{model}混动油耗和保值率",
        "电话沟通贷款方案：首付三成、36 期，月供客户可接受，仍在比较{rival}的优惠",
        "客户反馈{rival}便宜一万左右，已说明我店赠送保养与延保，实际差价三千左右",
        "电话确认{trim}{colour}现车，客户想等家人周末一起来定",
        "客户询问置换补贴，旧车已约二手车部评估，客户觉得估价偏低",
    ),
    "wechat": (
        "微信发送{model}与{rival}的配置和五年用车成本对比，客户回复会和家人商量",
        "微信发送本周店内置换补贴和金融贴息政策，客户询问{trim}到车时间",
        "微信发送{colour}{model}实车视频，客户确认颜色，预算还想再压一压",
    ),
    "visit": (
        "客户与家人再次到店看{model}，决策人是爱人，对内饰满意，价格还需商量",
        "到店确认{trim}配置与颜色，做了置换评估，对旧车估价不太满意",
        "到店谈价：客户拿{rival}报价来比，已申请店内补贴，客户说回去和家人商量",
    ),
    "test-drive": (
        "试驾{model}，客户认可静谧性和油耗，太太觉得后排略窄",
        "试驾{trim}，客户对起步和隔音满意，关心{concern}，当场要了报价",
    ),
}
UNREACHED = ("电话未接通，已发微信说明来意", "电话占线，微信留言约回电时间", "客户说在开会，约好晚点再联系")
PROBLEMS = ("预算与配置的取舍", "家人意见不统一", "担心混动电池寿命和保值率", "置换旧车估价偏低", "对比{rival}的优惠力度",
            "贷款首付和月供", "提车时间")
BOTTLENECKS = ("价格高于{rival}，家人意见不统一", "对混动电池寿命有顾虑", "置换旧车估价偏低", "提车时间长于{rival}",
               "决策人（爱人）还没来看车", "贷款资质需要确认")
SOLUTIONS = ("推荐中配加金融贴息", "邀约家人同来试驾", "讲解电池质保和官方保值回购", "请二手车部门重新评估",
             "申请本月店内补贴", "联系金融专员预审")
PLANS = (
    "准备与{rival}的配置和五年用车成本对比，邀约夫妻二人周末到店",
    "申请店内限时优惠，电话告知并邀约试驾",
    "请金融专员出两套贷款方案，明天发微信",
    "确认{colour}现车库存，给出订车优惠截止日期",
    "约二手车部门上门复评旧车，争取置换补贴",
    "整理老车主用车口碑和保养费用，打消对{concern}的顾虑",
)
RETRY_PLANS = ("明天上午再打，先发微信说明来意", "换下午时段再打，微信同步优惠信息", "晚上下班后再联系，先发短信")
PURPOSES = ("邀约周六到店试驾并报价", "确认贷款方案与首付", "告知现车到店，约定订车", "带家人来看车，解决决策人顾虑",
            "送上置换评估结果", "确认订车时间和颜色")
IMPRESSIONS = ("热情", "理性比较", "犹豫", "价格敏感")
FEASIBLE = ("可行，需主管批优惠", "可行", "需客户配合")
# What the sloppy write when they write little (the audit's vague-record catches these).
SLOPPY_CONTENT = ("电话", "考虑中", "再看看", "在忙", "回访")
SLOPPY_PLAN = ("电话", "继续跟进", "微信")
SLOPPY_PURPOSE = ("考虑得怎么样", "问问情况")

CLOSING = {
    "won": "客户到店签约，交定金 5000 元，订{trim}{colour}",
    "lost": "客户来电告知已订{rival}，原因：{reason}",
    "空号": "号码为空号，多次联系不上",
    "同行询价": "对方是同行来询价，不是购车客户",
    "非购车客户": "客户只是帮朋友了解行情，本人不购车",
}
LOSS_REASONS = ("价格", "竞品品牌", "推迟购买", "贷款未过", "已在别处购买")
# A loss names the car bought only when the reason is another car.
RIVAL_REASONS = frozenset({"价格", "竞品品牌", "已在别处购买"})
LOSS_NOTES = {
    "价格": "{rival}落地便宜一万二，我店补贴批不下来",
    "竞品品牌": "客户更看好{rival}的智能配置，试驾后决定",
    "推迟购买": "家里有其他开支，明年再考虑，已约明年春节后回访",
    "贷款未过": "征信有逾期，两家银行都未通过，客户暂不全款",
    "已在别处购买": "客户在外地亲戚的店订了{rival}，未能挽回",
}
INVALID_REASONS = ("空号", "同行询价", "非购车客户")

INSTRUCTIONS = (
    "同意方案，周六邀约到店后反馈",
    "对比方案今晚发我看，明天晨会一起过",
    "客户价格敏感，可申请店内补贴，额度找我",
    "试驾后当天报价，别拖",
    "已阅，按计划跟进",
    "决策人是爱人，下次约夫妻同来",
)
VAGUE_INSTRUCTION = "记录太简单，请写清客户问题、瓶颈和下一步"
# Objections the demo's customers raise (tags of the default list), and the floor's scripts for the
# common ones: the rarer ones are handled case by case, in the follow-up's plan.
DEMO_OBJECTIONS = ("price", "price", "delivery", "brand", "financing", "resale", "maintenance")
DEMO_SCRIPTS = (
    ("price", "先问清对比的是哪款哪个配置，再算五年用车成本：质保、保养、油耗和保值率加起来，我们不贵"),
    ("delivery", "现车不够时，主管协调兄弟店调车；确需等车的，锁定价格并每周同步物流进度"),
    ("financing", "厂家金融两年免息，首付两成起，当天出预审结果；征信有瑕疵的走银行渠道"),
)
NO_CONTACT_NOTES = ("只看了{model}价格，没留电话", "陪朋友来看车，未留资料", "问了{model}现车，说再比比")


# -- the floor's numbers: where customers come from, how they end, and the people's habits -------

SOURCES = ((Source.WALK_IN, 45), (Source.PHONE_IN, 12), (Source.ONLINE, 25), (Source.SHOW, 5),
           (Source.REFERRAL, 8), (Source.HOTLINE, 5))
# Customers logged in the showroom (来店/来电登记) before their card is made.
LOGGED_SOURCES = frozenset({Source.WALK_IN, Source.REFERRAL, Source.PHONE_IN})
SHOWROOM_SOURCES = frozenset({Source.WALK_IN, Source.REFERRAL})
NO_CONTACT_SHARE = 0.4  # walk-ins who leave no phone, per walk-in who does (留档率 about 70 %)
TEST_DRIVE_SHARE = 0.35  # of first visits
UNREACHED_SHARE = 0.1  # of calls
OBJECTION_SHARE = 0.2  # of the contacts that reached the customer
# How far off a customer's purchase is at the first contact, by the grade a careful consultant
# gives it: (weight, fewest days, most days). The grade then follows the days left.
HORIZONS = ((8, 1, 7), (27, 8, 30), (40, 31, 90), (25, 91, 240))
FATES = (("won", 40), ("lost", 50), ("invalid", 10))

# The first three consultants: (name, slack). Slack is the share of duties a person lets slip;
# each kind of slip happens at `slack` times its weight in SLIPS.
CONSULTANTS = (("王芳", 0.02), ("李强", 0.03), ("张敏", 0.12))
SLIPS = {
    "vague": 0.5,  # a one-word record with a channel for a plan
    "no_next": 0.15,  # no next date written
    "late_record": 0.3,  # written up hours after the contact
    "late_contact": 0.3,  # the planned contact made days late
    "late_touch": 0.5,  # the thank-you message the next morning
    "late_call": 0.5,  # the first call days later
    "late_card": 0.3,  # the card typed in long after the customer left
    "incomplete": 0.3,  # budget or timeline left empty
    "no_regrade": 0.5,  # the grade not changed when the purchase nears
    "give_up": 0.6,  # a loss requested after two or three contacts
    "late_handover": 0.5,  # the won deal handed to after-sales days late
}
# A card dropped after a planned date nobody kept (overdue, then dormant): a decent consultant
# almost never drops one, the sloppy one about one in thirty, so the chance per card is
# DROP_WEIGHT times the square of the slack.
DROP_WEIGHT = 0.3
SUPERVISOR_MISSES = 0.03  # of a card's days with follow-ups, not signed that evening
CHECK_CALL_MISSES = 0.3  # of loss requests: the supervisor's check call does not reach the customer
SUPERVISOR, MANAGER = "钱主管", "赵经理"
TEAM_SIZE = 6
CARDS_PER_CONSULTANT = 2000  # beyond the first three, a larger store gets more people
SLOPPY_EVERY = 6  # in a larger store, one consultant in six is sloppy
CARDS_PER_DAY = 100
BATCH = 5000  # cards per worker task
# Where the demo's online leads come from (CONTRACT.md, "sources").
ONLINE_PLATFORMS = ("汽车之家", "懂车帝", "易车", "抖音", "官网")


# -- names and phones ------------------------------------------------------------------------------

CHINESE_NUMBERS = "一二三四五六七八九十"


def unique_name(rng: random.Random, taken: set[str], suffix: str = "") -> str:
    while True:
        name = person_name(rng) + suffix
        if name not in taken:
            taken.add(name)
            return name


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def phone_number(rng: random.Random, index: int) -> str:
    # The index keeps phones unique across 100,000 cards; the prefix and scramble make them look real.
    return rng.choice(MOBILE_PREFIXES) + f"{(index * 7919 + 1234) % 100_000_000:08d}"
