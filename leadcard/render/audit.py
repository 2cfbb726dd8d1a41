"""Output of `leadcard audit`: findings like a linter's, grouped by consultant then card, a
per-consultant summary, and JSON. Never queries the store.

Findings are written as plain lines (a big store has tens of thousands of them; rich would lay
each out); only the summary, one row a consultant, is a rich table. Words are in the reader's
language: the rules' labels, titles and reasons and the severities are translated here, where shown.
"""

from __future__ import annotations

import sys

from leadcard.i18n import N_, _, english
from leadcard.model.audit import SEVERITY_LABELS, AuditResult, Finding, OwnerSummary, RuleSettings, Severity
from leadcard.render.common import (  # noqa: F401 (print_json: --explain)
    Entries, at_showroom, console, iso, new_table, print_json, print_json_rows, who,
)
from leadcard.usertext import shown

_SEVERITY_STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "red", Severity.INFO: "dim"}
NO_OWNER = N_("（无人负责）")


def print_audit_json(result: AuditResult) -> None:
    """The document, with one finding a line, written as they come."""
    print_json_rows((_finding_json(f) for f in result.findings), _document(result), "findings")


def _document(result: AuditResult) -> dict:
    return {
        "date": result.day.isoformat(),
        "as_of": iso(result.as_of),
        "since": iso(result.since),
        "owner": result.owner,
        "rules": [s.rule.name for s in result.rules],
        "findings": [],  # holds the findings' place: print_audit_json writes them there
        "summary": {
            **_summary_json(result.total, result.timeliness_target),
            "timeliness_target": result.timeliness_target,
            "by_owner": [{**at_showroom(s), "owner": s.owner, **_summary_json(s, result.timeliness_target)}
                         for s in result.owners],
        },
    }


def _finding_json(f: Finding) -> dict:
    data = {
        **at_showroom(f),
        "rule": f.rule,
        "severity": f.severity.value,
        "ref": f.ref,
        "name": f.name,
        "owner": f.owner,
        "at": iso(f.at),
        "followup": f.followup,
        "message": f.message,
        "expected": f.expected,
        "actual": f.actual,
    }
    if f.count > 1:
        data["count"] = f.count
    if f.imported:
        data["imported"] = True
    return data


def _summary_json(s: OwnerSummary, target: float) -> dict:
    rate = s.timeliness_rate
    return {
        "cards": s.cards,
        "followups": s.followups,
        "findings": s.findings,
        "by_severity": {sev.value: s.by_severity.get(sev, 0) for sev in Severity},
        "by_rule": dict(sorted(s.by_rule.items())),
        "timely": s.timely,
        "timeliness_base": s.timeliness_base,
        "timeliness_rate": round(rate, 4) if rate is not None else None,
        "needs_coaching": rate is not None and rate < target,
    }


def audit_view(result: AuditResult) -> None:
    from leadcard.render.grid import STYLES, cells, use_colour

    colour = use_colour()

    def styled(text: str, style: str) -> str:
        return f"\x1b[{STYLES[style]}m{text}\x1b[0m" if colour and style else text

    when = f"{result.as_of:%Y-%m-%d %H:%M}"
    scope = _("{owner} 的").format(owner=shown(result.owner, line=True)) if result.owner else ""
    since = _("自 {day} 起 · ").format(day=result.since.isoformat()) if result.since else ""
    total = result.total
    cards = _("1 张卡片") if total.cards == 1 else _("{n} 张卡片").format(n=total.cards)
    if not result.findings:
        sys.stdout.write(_("稽核截至 {when}：{since}{scope}{cards}，没有发现问题。").format(
            when=when, since=since, scope=scope, cards=cards) + "\n")
        return
    severities = {sev: _(SEVERITY_LABELS[sev]) for sev in Severity}
    widest = max(cells(label) for label in severities.values())
    padded = {sev: label + " " * (widest - cells(label)) for sev, label in severities.items()}
    no_owner = _(NO_OWNER)
    write = sys.stdout.write
    width = max(len(s.rule.name) for s in result.rules)
    owner = card = start = object()
    for f in result.findings:  # written as they come: a big store has tens of thousands
        if (f.showroom, f.owner) != owner:
            if owner is not start:
                write("\n")
            owner, card = (f.showroom, f.owner), None
            write(styled(shown(who(f, f.owner or no_owner), line=True), "bold") + "\n")
        if (f.showroom, f.card_id, f.ref) != card:  # a showroom-log line has no card (0): its own ref heads it
            card = (f.showroom, f.card_id, f.ref)
            write(f"  {styled(f.ref, 'cyan')} {shown(f.name or '', line=True)}\n")
        label = styled(padded[f.severity], _SEVERITY_STYLES[f.severity])
        times = f" ×{f.count}" if f.count > 1 else ""
        write(f"    {label}  {f.rule:<{width}}  {shown(f.message, line=True)}{times}\n")
    write("\n")
    _summary_table(result)
    counts = " · ".join(f"{severities[sev]} {total.by_severity.get(sev, 0)}" for sev in reversed(Severity))
    found = _("1 个问题") if total.findings == 1 else _("{n} 个问题").format(n=total.findings)
    sys.stdout.write(_("稽核截至 {when}：{since}{scope}{cards}，{found}（{counts}）").format(
        when=when, since=since, scope=scope, cards=cards, found=found, counts=counts) + "\n")


def _summary_table(result: AuditResult) -> None:
    """One row a consultant: cards, follow-ups, findings by severity and by rule, timeliness."""
    out = console()
    table = new_table()
    table.add_column(_("顾问"), no_wrap=True)
    severities = [_(SEVERITY_LABELS[sev]) for sev in reversed(Severity)]
    for title in (_("卡片"), _("跟进"), *severities, _("及时率")):
        table.add_column(title, justify="right", no_wrap=True)
    table.add_column(_("按规则"), ratio=1, min_width=16)
    labels = {s.rule.name: _(s.rule.label) for s in result.rules}
    for summary in [*result.owners, result.total]:
        is_total = summary is result.total
        by_rule = [_("{label}{count}").format(label=labels[name], count=count)
                   for name, count in summary.by_rule.most_common()]
        table.add_row(
            _("合计") if is_total else who(summary, summary.owner or _(NO_OWNER)), str(summary.cards), str(summary.followups),
            *(str(summary.by_severity.get(sev, 0)) for sev in reversed(Severity)),
            _rate(summary, result.timeliness_target), Entries(by_rule) if by_rule else "—",
            style="bold" if is_total else None, end_section=summary is result.owners[-1],
        )
    out.print(table)
    found = [s for s in result.rules if result.total.by_rule.get(s.rule.name)]
    out.print(Entries((f"{labels[s.rule.name]}={s.rule.name}" for s in found), " · ", "dim"))
    out.print(_("及时率：建卡后 {hours} 小时内有首次跟进的卡片 ÷ 建卡数；低于 {target}（✗）需一对一辅导").format(
        hours=f"{result.timeliness_hours:g}", target=f"{result.timeliness_target:.0%}"), style="dim")


def _rate(summary: OwnerSummary, target: float):
    from rich.text import Text

    rate = summary.timeliness_rate
    if rate is None:
        return "—"
    if rate < target:
        return Text(f"{rate:.0%} ✗", style="red")
    return f"{rate:.0%}"


def explain_json(setting: RuleSettings) -> dict:
    rule = setting.rule
    return {
        "rule": rule.name,
        "label": _(rule.label),
        "title": _(rule.title),
        "severity": setting.severity.value,
        "enabled": setting.enabled,
        "limits": setting.limits,
        "reason": _(rule.reason),
    }


def explain_view(setting: RuleSettings) -> None:
    from rich.text import Text

    rule = setting.rule
    out = console()
    state = _("启用") if setting.enabled else _("已在本店政策中关闭")
    out.print(Text.assemble((rule.name, "bold"), _("（{label}）· {severity} · {state}").format(
        label=_(rule.label), severity=_(SEVERITY_LABELS[setting.severity]), state=state)))
    _paragraph(out, _(rule.title))
    if setting.limits:
        out.print(_("限值（本店政策）："))
        for key, value in setting.limits.items():
            out.print(f"  {key} = {_toml(value)}")
    _paragraph(out, _("为什么：{reason}").format(reason=_(rule.reason)))
    change = _("在政策文件中修改（leadcard init --policy-file 文件）：{table} enabled = false / severity = \"info\"").format(
        table=f"[audit.{rule.name}]") + (_(" / 限值") if setting.limits else "")
    out.print(change, style="dim")


def _paragraph(out, text: str) -> None:
    """A paragraph wrapped to the width: English between words; Chinese between characters (rich
    would break it only at the spaces around numbers, leaving "24" at a line's end and "小时" below)."""
    if english():
        out.print(text)
        return
    from leadcard.render.grid import wrapped

    for line in wrapped(0, text, out.width):
        out.print(line, soft_wrap=True)


def _toml(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(f'"{v}"' for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {v}" for k, v in value.items()) + " }"
    return f"{value:g}" if isinstance(value, float) else str(value)
