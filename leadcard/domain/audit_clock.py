"""The audit's rule on the clock (CONTRACT.md "clock"): in a store whose users are bound to logins,
only a manager may replace the clock with LEADCARD_NOW — to back-fill paper cards, say — and every
record written so keeps the real time it was written. Their times are the ones typed, so the rules
that judge timeliness (`late-record` above all) cannot judge them: this rule lists them for a
second look. Same shape as `audit_rules`: the rule's function and its table entry.
"""

from __future__ import annotations

from typing import Iterator, Mapping

from leadcard.domain.audit_rules import Breach, CardState, Context
from leadcard.i18n import N_, _
from leadcard.model import EVENT_LABELS
from leadcard.model.audit import Rule, Severity

_WHAT = {"grade": N_("级别变更"), "instruction": N_("主管批示")}


def clock_override(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    """Each record of the card written under an overridden clock, when it was really written; the
    person who set the clock must vouch for it."""
    for record in ctx.overrides.get(c.history.id, ()):
        if record.what == "followup":
            what = _("第 {seq} 次跟进").format(seq=record.seq)
        else:
            label = _WHAT.get(record.what) or EVENT_LABELS.get(record.what)
            what = _(label) if label else record.what
        yield Breach(record.written_at,
                     _("{what}记为 {dated}，实际 {written} 由 {by} 改了时钟（LEADCARD_NOW）写入："
                       "时间是手填的，补录等规则无法判断，请核实").format(
                         what=what, dated=ctx.md(record.dated, clock=True),
                         written=ctx.md(record.written_at, clock=True), by=record.by or "—"),
                     _("按真实时钟记录"), _("改过的时钟"), record.seq, who=record.by)


RULES: tuple[Rule, ...] = (
    Rule("clock-override", N_("改时"), N_("记录是在改过的时钟（LEADCARD_NOW）下写入的"), Severity.WARNING, clock_override,
         lambda p: {},
         N_("稽核评判的是记录的时间：首电是否超时、跟进是否隔了几天才补录。LEADCARD_NOW 为测试、演示和补录纸质卡片"
            "替换时钟；用户绑定登录账号后，只有经理可以设置它，在它之下写入的每条记录都保留真实的写入时间。"
            "这些记录的时间是有人手填的，及时性规则无法判断，所以逐条列在设置时钟的人名下，由他核实。")),
)
