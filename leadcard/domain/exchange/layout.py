"""The file layout shared by import and export: which columns, their Chinese headers, their synonyms.

Stores keep their paper habits in Excel, so a header may be 姓名, 客户姓名 or name; the synonyms
are data here, and export writes the first (Chinese) header of each column, so what export writes
import reads back.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from leadcard.model import CARD_FIELDS, Status


@dataclass(frozen=True)
class Column:
    key: str  # the card or follow-up attribute; keys starting with "_" are read and ignored
    header: str  # what export writes
    synonyms: tuple[str, ...] = ()
    width: int = 12  # characters, for xlsx


# More words for the card fields of model.CARD_FIELDS (whose Chinese label comes first).
_FIELD_SYNONYMS = {
    "gender": ("gender", "sex"),
    "age": ("age",),
    "wechat": ("微信号", "wechat", "weixin"),
    "current_vehicle": ("现有车辆", "现驾车型", "current vehicle", "vehicle"),
    "occupation": ("occupation", "job"),
    "residence": ("居住地", "住址", "地址", "区域", "residence", "address"),
    "main_driver": ("主要使用人", "main driver", "driver"),
    "payment": ("购买方式", "payment"),
    "usage": ("使用性质", "usage", "use"),
    "best_call_time": ("联系时间", "best call time", "call time"),
    "household": ("家庭成员", "household"),
    "income": ("income",),
    "model": ("车型", "意向车系", "model", "intended model"),
    "colour": ("意向颜色", "颜色", "colour", "color"),
    "budget": ("购车预算", "budget"),
    "purchase_type": ("购买类型", "购车类型", "purchase type"),
    "concerns": ("关注点", "关注", "concerns"),
    "competitors": ("竞品", "对比车型", "competitors"),
    "liked": ("认可点", "liked"),
    "decision_maker": ("决策人", "decision maker"),
    "timeline": ("预计购车时间", "购车时间", "timeline"),
    "notes": ("备注", "说明", "notes", "note", "remarks"),
}
_FIELD_WIDTHS = {"model": 16, "notes": 30, "competitors": 24, "concerns": 16}

CARD_COLUMNS: tuple[Column, ...] = (
    Column("_ref", "卡号", ("编号", "card", "ref"), 9),
    # A sheet's own row numbers (序号 1, 2, 3 …): nothing of the customer's.
    Column("_row", "序号", ("行号", "no", "no.", "#"), 5),
    Column("name", "姓名", ("客户姓名", "客户名称", "客户", "名字", "name", "customer"), 10),
    Column("phone", "电话", ("手机", "手机号", "手机号码", "联系电话", "电话号码", "联系方式", "phone", "mobile", "tel"), 14),
    Column("grade", "级别", ("意向级别", "客户级别", "等级", "grade", "level"), 6),
    Column("first_grade", "建卡级别", ("初始级别", "首次级别", "first grade", "initial grade"), 8),
    Column("status", "状态", ("卡片状态", "status"), 8),
    Column("source", "来源", ("信息来源", "资料来源", "客户来源", "渠道来源", "source"), 8),
    Column("platform", "平台", ("来源平台", "线索平台", "网络平台", "platform"), 10),
    Column("created_at", "建卡时间", ("建卡日期", "建档日期", "登记日期", "日期", "created", "created at", "date"), 17),
    Column("left_at", "离店时间", ("离店", "left", "left at"), 17),
    Column("recorded_at", "录入时间", ("recorded", "recorded at"), 17),
    Column("owner", "销售顾问", ("顾问", "跟进顾问", "负责人", "owner", "consultant"), 10),
    *(Column(name, label, _FIELD_SYNONYMS.get(name, ()), _FIELD_WIDTHS.get(name, 12)) for name, label, _ in CARD_FIELDS),
    Column("birthday", "生日", ("出生日期", "客户生日", "birthday"), 6),
    Column("do_not_contact", "请勿联系", ("勿扰", "拒绝联系", "do not contact", "dnc"), 8),
    Column("status_at", "状态时间", ("结案时间", "status at"), 17),
    Column("outcome", "结案信息", ("outcome",), 30),
    # What a rejects file adds, so that a corrected rejects file imports as it is.
    Column("_line", "原行号", ("line",)),
    Column("_reason", "错误原因", ("reason", "error")),
)

FOLLOWUP_COLUMNS: tuple[Column, ...] = (
    Column("phone", "电话", ("手机", "手机号", "手机号码", "联系电话", "客户电话", "phone", "mobile", "tel"), 14),
    Column("_ref", "卡号", ("card", "ref"), 9),
    Column("_name", "姓名", ("客户姓名", "客户", "name", "customer"), 10),
    Column("_seq", "序号", ("次数", "第几次", "seq"), 5),
    Column("at", "跟进时间", ("时间", "日期", "洽谈时间", "回访时间", "at", "date", "time"), 17),
    Column("channel", "方式", ("跟进方式", "渠道", "联系方式", "channel"), 6),
    Column("outcome", "结果", ("接通情况", "outcome"), 8),
    Column("inbound", "客户主动", ("主动联系", "客户回复", "inbound"), 8),
    Column("grade", "级别判定", ("级别", "意向级别", "grade"), 6),
    Column("impression", "洽谈印象", ("印象", "impression"), 10),
    Column("content", "洽谈内容", ("跟进内容", "内容", "沟通内容", "content"), 30),
    Column("problem", "客户问题", ("problem",), 16),
    Column("solution", "解决方案", ("solution",), 16),
    Column("feasibility", "可行性", ("feasibility",), 12),
    Column("competition", "竞品动态", ("competition",), 16),
    Column("bottleneck", "瓶颈分析", ("瓶颈", "bottleneck"), 20),
    Column("plan", "跟踪方案", ("跟进方案", "计划", "plan"), 20),
    Column("next_at", "下次访问时间", ("下次时间", "下次跟进时间", "下次联系时间", "next", "next at"), 17),
    Column("purpose", "访问目的", ("下次访问目的", "目的", "purpose"), 16),
    Column("objections", "客户异议", ("异议", "objections", "objection"), 16),
    Column("recorded_at", "记录时间", ("recorded", "recorded at"), 17),
    Column("author", "记录人", ("跟进人", "author"), 10),
    Column("corrects", "更正序号", ("更正", "corrects"), 8),
    # 撤回: an entry logged on the wrong card, withdrawn (it is kept, and counts nowhere).
    Column("void_reason", "撤回原因", ("作废原因", "void reason"), 16),
    Column("voided_by", "撤回人", ("作废人", "voided by"), 10),
    Column("voided_at", "撤回时间", ("作废时间", "voided at"), 17),
    Column("_line", "原行号", ("line",)),
    Column("_reason", "错误原因", ("reason", "error")),
)

# 主管批示: a supervisor's instruction under a follow-up (跟进序号) or under the card as a whole.
INSTRUCTION_COLUMNS: tuple[Column, ...] = (
    Column("phone", "电话", ("手机", "手机号", "手机号码", "联系电话", "客户电话", "phone", "mobile", "tel"), 14),
    Column("_ref", "卡号", ("card", "ref"), 9),
    Column("_name", "姓名", ("客户姓名", "客户", "name", "customer"), 10),
    Column("followup", "跟进序号", ("序号", "第几次", "followup", "seq"), 8),
    Column("at", "批示时间", ("时间", "日期", "at", "date", "time"), 17),
    Column("author", "批示人", ("主管", "author", "supervisor"), 10),
    Column("text", "批示内容", ("批示", "内容", "instruction", "text"), 40),
    Column("_line", "原行号", ("line",)),
    Column("_reason", "错误原因", ("reason", "error")),
)

# The columns export writes: everything but what only a rejects file carries.
CARD_EXPORT = tuple(c for c in CARD_COLUMNS if c.key not in ("_row", "_line", "_reason"))
FOLLOWUP_EXPORT = tuple(c for c in FOLLOWUP_COLUMNS if c.key not in ("_name", "_line", "_reason"))
INSTRUCTION_EXPORT = tuple(c for c in INSTRUCTION_COLUMNS if c.key not in ("_name", "_line", "_reason"))
# 来店(电)客户登记表, the showroom log: exported only (visits are logged with `leadcard visit add`).
VISIT_EXPORT: tuple[Column, ...] = (
    Column("arrived_at", "到店时间", width=17),
    Column("left_at", "离店时间", width=17),
    Column("party_size", "人数", width=5),
    Column("source", "来源", width=8),
    Column("model", "意向车型", width=16),
    Column("test_drive", "试驾", width=5),
    Column("consultant", "接待顾问", width=10),
    Column("contact_left", "留档", width=5),
    Column("name", "姓名", width=10),
    Column("phone", "电话", width=14),
    Column("_ref", "卡号", width=9),
    Column("notes", "备注", width=30),
)
# The deal desk's records (试驾登记, 报价, 置换评估, 贷款申请): exported for reading, like the showroom log.
TEST_DRIVE_EXPORT: tuple[Column, ...] = (
    Column("phone", "电话", width=14), Column("_ref", "卡号", width=9), Column("followup", "跟进序号", width=8),
    Column("at", "试驾时间", width=17), Column("vehicle", "试驾车型", width=16), Column("licence_checked", "驾照核验", width=8),
    Column("visit", "来店登记号", width=10), Column("author", "登记人", width=10),
)
QUOTE_EXPORT: tuple[Column, ...] = (
    Column("phone", "电话", width=14), Column("_ref", "卡号", width=9), Column("seq", "报价序号", width=8),
    Column("at", "报价时间", width=17), Column("author", "报价人", width=10), Column("model", "车型", width=16),
    Column("price", "报价（元）", width=10), Column("discount", "优惠（元）", width=10), Column("net", "成交价（元）", width=10),
    Column("extras", "精品", width=20), Column("valid_until", "有效期至", width=11), Column("status", "状态", width=8),
    Column("approved_by", "批价人", width=10), Column("approved_at", "批价时间", width=17),
)
TRADE_IN_EXPORT: tuple[Column, ...] = (
    Column("phone", "电话", width=14), Column("_ref", "卡号", width=9), Column("seq", "评估序号", width=8),
    Column("at", "评估时间", width=17), Column("author", "评估人", width=10), Column("vehicle", "置换车辆", width=24),
    Column("appraisal", "评估价（元）", width=10),
)
FINANCE_EXPORT: tuple[Column, ...] = (
    Column("phone", "电话", width=14), Column("_ref", "卡号", width=9), Column("seq", "步骤", width=6),
    Column("at", "时间", width=17), Column("author", "经办人", width=10), Column("status", "状态", width=8),
    Column("bank", "银行", width=14), Column("amount", "贷款金额（元）", width=12),
)
TEST_DRIVE_SHEET, QUOTE_SHEET, TRADE_IN_SHEET, FINANCE_SHEET = "试驾登记", "报价", "置换评估", "贷款申请"
CARD_SHEET = "意向客户"
FOLLOWUP_SHEET = "跟进记录"
INSTRUCTION_SHEET = "主管批示"
VISIT_SHEET = "来店登记"
# The history's parts by the name of their CSV file beside the cards' (FILE.followups.csv), which a
# CSV export writes and a CSV import reads.
BESIDE = {FOLLOWUP_SHEET: "followups", INSTRUCTION_SHEET: "instructions"}


def beside(path: Path, part: str) -> Path:
    """The CSV file of a part of the history beside the cards' file (FILE.followups.csv)."""
    return path.with_name(f"{path.stem}.{BESIDE[part]}{path.suffix}")


# Status words as a sales floor writes them; `dormant` is never stored, so it imports as open.
STATUS_WORDS = {
    "open": Status.OPEN, "跟进中": Status.OPEN, "跟进": Status.OPEN, "在跟": Status.OPEN, "意向": Status.OPEN,
    "dormant": Status.OPEN, "休眠": Status.OPEN,
    # 成交 on a paper card is a customer who bought, as the store read a deal before orders were kept.
    "won": Status.WON, "已订车": Status.WON, "订车": Status.WON, "待交车": Status.WON,
    "delivered": Status.DELIVERED, "已交车": Status.DELIVERED, "交车": Status.DELIVERED,
    "成交": Status.DELIVERED, "已成交": Status.DELIVERED,
    "lost-pending": Status.LOST_PENDING, "战败待审": Status.LOST_PENDING, "战败申请": Status.LOST_PENDING,
    "lost": Status.LOST, "战败": Status.LOST,
    "invalid": Status.INVALID, "无效": Status.INVALID,
}
# Yes and no as a spreadsheet says them (请勿联系).
YES_NO = {"是": True, "yes": True, "y": True, "true": True, "1": True, "√": True, "✓": True,
          "否": False, "no": False, "n": False, "false": False, "0": False}
STATUS_HEADERS = {
    Status.OPEN: "跟进中", Status.WON: "已订车", Status.DELIVERED: "已交车", Status.LOST_PENDING: "战败待审",
    Status.LOST: "战败", Status.INVALID: "无效",
}

OUTCOME_HEADERS = {"reached": "接通", "unreachable": "未接通", "refused": "拒接", "wrong-number": "空号"}

# Several objections in one cell: 价格高于竞品、交车周期
OBJECTION_SEPARATORS = re.compile(r"[、,，;；]")

_BRACKETED = re.compile(r"[(（\[【].*?[)）\]】]")
_HEADER_NOISE = re.compile(r"[\s_\-*:：]")


def header_key(text: object) -> str:
    """A header as compared: `客户姓名（必填）`, `*Customer Name` and `customer_name` compare alike."""
    folded = unicodedata.normalize("NFKC", str(text or "")).lower()
    return _HEADER_NOISE.sub("", _BRACKETED.sub("", folded))


def synonym_table(columns: tuple[Column, ...]) -> dict[str, Column]:
    table: dict[str, Column] = {}
    for column in columns:
        for word in (column.header, column.key.strip("_"), *column.synonyms):
            table.setdefault(header_key(word), column)
    return table


# Each table's header words, and the fields none of its rows can do without.
LAYOUTS = {
    CARD_SHEET: (synonym_table(CARD_COLUMNS), ("name", "phone")),
    FOLLOWUP_SHEET: (synonym_table(FOLLOWUP_COLUMNS), ("phone", "at", "channel", "content")),
    INSTRUCTION_SHEET: (synonym_table(INSTRUCTION_COLUMNS), ("phone", "at", "text")),
}


def header_fit(part: str, row: list | tuple) -> tuple[bool, int]:
    """How a row reads as the header of a table of `part`: whether it names every field the part
    needs, and how many of its cells are headers the part knows."""
    words, required = LAYOUTS[part]
    keys = {column.key for cell in row if cell is not None and (column := words.get(header_key(cell)))}
    return keys.issuperset(required), len(keys)


def local_text(moment: datetime | None) -> str:
    """A moment as a person types it back: local time, seconds only when there are any."""
    if moment is None:
        return ""
    return f"{moment:%Y-%m-%d %H:%M:%S}" if moment.second else f"{moment:%Y-%m-%d %H:%M}"
