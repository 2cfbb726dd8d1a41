"""Output of objections, the script library and the case library. Never queries the store."""

from __future__ import annotations

from leadcard.i18n import _
from leadcard.render import common as render
from leadcard.model import STATUS_LABELS, Case, Objection, Script, Status
from leadcard.render.cards import script_json
from leadcard.render.common import iso, print_json


def _stamp(s: Script) -> str:
    if not s.text:
        return ""
    return f"v{s.version} {s.author or '—'} {s.at:%Y-%m-%d}"


def objections(found: list[Objection], as_json: bool, changed: str | None = None) -> None:
    if as_json:
        data = [{"tag": o.tag, "label": o.label, "active": o.active} for o in found]
        print_json(data[0] if changed else data)
        return
    out = render.console()
    if changed:
        o = found[0]
        # `changed` is the command's word (已添加, 已修改), translated here when the command left it in Chinese.
        out.print(_("{changed}异议 {tag}：{label}").format(changed=_(changed), tag=o.tag, label=o.label)
                  + ("" if o.active else _("（已停用）")))
        return
    table = render.new_table()
    for title in (_("标签"), _("异议"), _("状态")):
        table.add_column(title, no_wrap=True)
    for o in found:
        table.add_row(o.tag, o.label, _("在用") if o.active else _("停用"))
    out.print(table)


def playbook(scripts: list[Script], as_json: bool) -> None:
    if as_json:
        print_json([script_json(s) for s in scripts])
        return
    out = render.console()
    table = render.new_table()
    table.add_column(_("标签"), no_wrap=True)
    table.add_column(_("异议"), no_wrap=True)
    table.add_column(_("话术"))
    table.add_column(_("版本"), no_wrap=True)
    for s in scripts:
        table.add_row(s.tag, s.label, s.text or _("（暂无）"), _stamp(s))
    out.print(table)
    missing = sum(1 for s in scripts if not s.text)
    if missing:
        out.print(_("{n} 个异议还没有话术：leadcard playbook add 标签 话术").format(n=missing))


def script_history(history: list[Script], as_json: bool) -> None:
    latest = history[-1]
    if as_json:
        print_json({**script_json(latest), "history": [script_json(s) for s in history if s.text]})
        return
    out = render.console()
    out.print(render.text(f"{latest.label}（{latest.tag}）", style="bold"))
    if not latest.text:
        out.print(render.text(_("话术库暂无：leadcard playbook add {tag} 话术").format(tag=latest.tag)))
        return
    out.print(render.text(latest.text))
    out.print(render.text(f"—— {_stamp(latest)}", style="dim"))
    if len(history) > 1:
        out.print(render.text("\n" + _("历史版本"), style="bold"))
        for s in reversed(history[:-1]):
            out.print(render.text(f"  {_stamp(s)}：{s.text}"))


def script_written(s: Script, as_json: bool) -> None:
    if as_json:
        print_json(script_json(s))
        return
    render.console().print(_("话术已保存：{label}（{tag}）第 {version} 版").format(
        label=s.label, tag=s.tag, version=s.version))


def case_json(c: Case) -> dict:
    return {
        "ref": c.ref, "name": c.name, "owner": c.owner, "outcome": c.outcome.value, "lesson": c.lesson,
        "author": c.author, "at": iso(c.at), "objections": list(c.objections), "model": c.model,
        "reason": c.detail.get("reason"), "competitor": c.detail.get("competitor"),
    }


def _result(c: Case) -> str:
    d = c.detail
    if c.outcome == Status.WON:
        return " ".join(x for x in (_("成交"), d.get("model") or c.model) if x)
    bought = d.get("competitor") and _("购买 {competitor}").format(competitor=d["competitor"])
    return " ".join(x for x in (_("战败"), d.get("reason"), bought) if x)


def cases(found: list[Case], as_json: bool, added: bool = False) -> None:
    if as_json:
        print_json(case_json(found[0]) if added else [case_json(c) for c in found])
        return
    out = render.console()
    if added:
        c = found[0]
        out.print(_("{ref} {name} 已收入案例库（{outcome}）").format(
            ref=c.ref, name=c.name, outcome=_(STATUS_LABELS[c.outcome])))
        return
    if not found:
        out.print(_("案例库里没有符合条件的案例。"))
        return
    table = render.new_table()
    for title, wrap in ((_("卡号"), False), (_("客户"), False), (_("结果"), False), (_("顾问"), False),
                        (_("客户异议"), True), (_("经验教训"), True), (_("收录"), False)):
        table.add_column(title, no_wrap=not wrap)
    for c in found:
        table.add_row(c.ref, c.name, _result(c), c.owner or "", _("、").join(c.objection_labels), c.lesson,
                      f"{c.author or '—'} {c.at:%m-%d}")
    out.print(table)
    out.print(_("共 {n} 个案例").format(n=len(found)))
