"""The audit's rule on the clock (CONTRACT.md "clock"): in a store whose users are bound to logins,
only a manager may replace the clock with LEADCARD_NOW — to back-fill paper cards, say — and every
record written so keeps the real time it was written. Their times are the ones typed, so the rules
that judge timeliness (`late-record` above all) cannot judge them: this rule lists them for a
second look. Same shape as `audit_rules`: the rule's function and its table entry.
"""

from __future__ import annotations

from typing import Iterator, Mapping

from leadcard.domain.audit_rules import Breach, CardState, Context
from leadcard.model import EVENT_LABELS
from leadcard.model.audit import Rule, Severity

_WHAT = {"grade": "级别变更", "instruction": "主管批示"}


def clock_override(c: CardState, ctx: Context, limits: Mapping) -> Iterator[Breach]:
    """Each record of the card written under an overridden clock, when it was really written; the
    person who set the clock must vouch for it."""
    for record in ctx.overrides.get(c.history.id, ()):
        if record.what == "followup":
            what = f"第 {record.seq} 次跟进"
        else:
            what = _WHAT.get(record.what) or EVENT_LABELS.get(record.what, record.what)
        yield Breach(record.written_at,
                     f"{what}记为 {ctx.md(record.dated, clock=True)}，实际 {ctx.md(record.written_at, clock=True)} "
                     f"由 {record.by or '—'} 改了时钟（LEADCARD_NOW）写入：时间是手填的，补录等规则无法判断，请核实",
                     "按真实时钟记录", "改过的时钟", record.seq, who=record.by)


RULES: tuple[Rule, ...] = (
    Rule("clock-override", "改时", "记录是在改过的时钟（LEADCARD_NOW）下写入的", Severity.WARNING, clock_override,
         lambda p: {},
         "A record's time is what the audit judges: a late first call, a follow-up typed in days later. "
         "LEADCARD_NOW replaces the clock for tests, demos and back-filling paper cards; once users are bound "
         "to logins only a manager may set it, and every record written under it keeps the real time it was "
         "written. Those records carry the times someone typed, so the timeliness rules cannot judge them: "
         "each is listed, under the person who set the clock, to be vouched for."),
)
