"""Output of `leadcard audit`: findings like a linter's, grouped by consultant then card, a
per-consultant summary, and JSON. Never queries the store.

Findings are written as plain lines (a big store has tens of thousands of them; rich would lay
each out); only the summary, one row a consultant, is a rich table.
"""

from __future__ import annotations

import json
import sys

from leadcard.model.audit import SEVERITY_LABELS, AuditResult, Finding, OwnerSummary, RuleSettings, Severity
from leadcard.render.common import console, iso, new_table, print_json  # noqa: F401 (print_json: --explain)
from leadcard.usertext import shown

_SEVERITY_STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "red", Severity.INFO: "dim"}
NO_OWNER = "（无人负责）"


def print_audit_json(result: AuditResult) -> None:
    """The document, with one finding a line: a large store has tens of thousands, and the
    indenting encoder (pure Python) would take seconds over them."""
    data = audit_json(result)
    findings = data.pop("findings")
    text = json.dumps(data, ensure_ascii=False, indent=2, default=iso)
    lines = ",\n    ".join(json.dumps(f, ensure_ascii=False, default=iso) for f in findings)
    listed = f'"findings": [\n    {lines}\n  ],\n  ' if findings else '"findings": [],\n  '
    head, _, tail = text.partition('"summary": ')
    sys.stdout.write(head + listed + '"summary": ' + tail + "\n")


def audit_json(result: AuditResult) -> dict:
    return {
        "date": result.day.isoformat(),
        "as_of": iso(result.as_of),
        "since": iso(result.since),
        "owner": result.owner,
        "rules": [s.rule.name for s in result.rules],
        "findings": [_finding_json(f) for f in result.findings],
        "summary": {
            **_summary_json(result.total, result.timeliness_target),
            "timeliness_target": result.timeliness_target,
            "by_owner": [{"owner": s.owner, **_summary_json(s, result.timeliness_target)} for s in result.owners],
        },
    }


def _finding_json(f: Finding) -> dict:
    data = {
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
    from leadcard.render.grid import STYLES, use_colour

    colour = use_colour()

    def styled(text: str, style: str) -> str:
        return f"\x1b[{STYLES[style]}m{text}\x1b[0m" if colour and style else text

    when = f"{result.as_of:%Y-%m-%d %H:%M}"
    scope = f"{shown(result.owner, line=True)} 的" if result.owner else ""
    since = f"自 {result.since.isoformat()} 起 · " if result.since else ""
    total = result.total
    if not result.findings:
        sys.stdout.write(f"审计截至 {when}：{since}{scope}{total.cards} 张卡片，没有发现问题。\n")
        return
    lines: list[str] = []
    width = max(len(s.rule.name) for s in result.rules)
    owner = card = object()
    for f in result.findings:
        if f.owner != owner:
            owner, card = f.owner, None
            if lines:
                lines.append("")
            lines.append(styled(shown(f.owner or NO_OWNER, line=True), "bold"))
        if f.card_id != card:
            card = f.card_id
            lines.append(f"  {styled(f.ref, 'cyan')} {shown(f.name or '', line=True)}")
        label = styled(SEVERITY_LABELS[f.severity], _SEVERITY_STYLES[f.severity])
        times = f" ×{f.count}" if f.count > 1 else ""
        lines.append(f"    {label}  {f.rule:<{width}}  {shown(f.message, line=True)}{times}")
    sys.stdout.write("\n".join(lines) + "\n\n")
    _summary_table(result)
    counts = " · ".join(f"{SEVERITY_LABELS[sev]} {total.by_severity.get(sev, 0)}" for sev in reversed(Severity))
    sys.stdout.write(
        f"审计截至 {when}：{since}{scope}{total.cards} 张卡片，{total.findings} 个问题（{counts}）\n"
    )


def _summary_table(result: AuditResult) -> None:
    """One row a consultant: cards, follow-ups, findings by severity and by rule, timeliness."""
    out = console()
    table = new_table()
    table.add_column("顾问", no_wrap=True)
    for title in ("卡片", "跟进", "错误", "警告", "提示", "及时率"):
        table.add_column(title, justify="right", no_wrap=True)
    table.add_column("按规则", ratio=1, min_width=16)
    labels = {s.rule.name: s.rule.label for s in result.rules}
    for summary in [*result.owners, result.total]:
        is_total = summary is result.total
        by_rule = " ".join(f"{labels[name]}{count}" for name, count in summary.by_rule.most_common())
        table.add_row(
            "合计" if is_total else (summary.owner or NO_OWNER), str(summary.cards), str(summary.followups),
            *(str(summary.by_severity.get(sev, 0)) for sev in reversed(Severity)),
            _rate(summary, result.timeliness_target), by_rule or "—",
            style="bold" if is_total else None, end_section=summary is result.owners[-1],
        )
    out.print(table)
    found = [s for s in result.rules if result.total.by_rule.get(s.rule.name)]
    out.print(" · ".join(f"{s.rule.label}={s.rule.name}" for s in found), style="dim")
    out.print(
        f"及时率：建卡后 {result.timeliness_hours:g} 小时内有首次跟进的卡片 ÷ 建卡数；"
        f"低于 {result.timeliness_target:.0%}（✗）需一对一辅导", style="dim"
    )


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
        "label": rule.label,
        "title": rule.title,
        "severity": setting.severity.value,
        "enabled": setting.enabled,
        "limits": setting.limits,
        "reason": rule.reason,
    }


def explain_view(setting: RuleSettings) -> None:
    from rich.text import Text

    rule = setting.rule
    out = console()
    state = "启用" if setting.enabled else "已在本店政策中关闭"
    out.print(Text.assemble((rule.name, "bold"), f"（{rule.label}）· {SEVERITY_LABELS[setting.severity]} · {state}"))
    out.print(rule.title)
    if setting.limits:
        out.print("限值（本店政策）：")
        for key, value in setting.limits.items():
            out.print(f"  {key} = {_toml(value)}")
    out.print(f"为什么：{rule.reason}")
    out.print(f"在政策文件中修改（leadcard init --policy-file FILE）：[audit.{rule.name}] "
              f"enabled = false / severity = \"info\"{'' if not setting.limits else ' / 限值'}", style="dim")


def _toml(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(f'"{v}"' for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {v}" for k, v in value.items()) + " }"
    return f"{value:g}" if isinstance(value, float) else str(value)
