"""Objections (客户异议) and the script library (话术库).

The dealer group's regulation (seeds, 三(四) and 四(二)): every objection a customer raises gets a
handling plan within 24 hours, and the supervisor keeps a library of tested answers to the frequent
ones, drilled at the morning meeting. Here objections are the store's own list, recorded on the
follow-up that heard them; the latest script of each is printed where the consultant looks — under
the card in `today` and `show`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Sequence

from leadcard.errors import BadInput, NotFound, Refused
from leadcard.i18n import _
from leadcard.model import Objection, Role, Script
from leadcard.domain.session import Session
from leadcard.store import objections as sql
from leadcard.usertext import LazyPattern, check_text

_TAG = LazyPattern(r"[a-z][a-z0-9-]{0,30}", re.ASCII)
EDITORS = (Role.SUPERVISOR, Role.MANAGER)  # 由销售主管牵头: the list and the scripts are theirs


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def find(known: Iterable[Objection], raw: str) -> Objection:
    """An objection named by its tag (any case) or its Chinese label; anything else is bad input."""
    key = _key(raw)
    known = list(known)
    for o in known:
        if key.lower() == o.tag or key == _key(o.label):
            return o
    names = ", ".join(f"{o.tag} {o.label}" for o in known if o.active)
    raise BadInput(_("不认识的异议 `{raw}`：本店的异议有 {names}（见 `leadcard objection list`）").format(raw=raw, names=names))


def tags_for_followup(session: Session, raw: Sequence[str]) -> tuple[str, ...]:
    """The tags of `log --objection` (several allowed, each once), checked before anything is written."""
    if not raw:
        return ()
    known = sql.objections(session.store)
    tags: list[str] = []
    for text in raw:
        objection = find(known, text)
        if not objection.active:
            raise BadInput(_("异议 {tag}（{label}）已从本店的异议清单停用").format(tag=objection.tag, label=objection.label))
        if objection.tag not in tags:
            tags.append(objection.tag)
    return tuple(tags)


def record(session: Session, followup_id: int, tags: Sequence[str]) -> None:
    """Inside the follow-up's transaction."""
    sql.record_on_followup(session.store, followup_id, tags)


def scripts_for(session: Session, tags: Iterable[str]) -> dict[str, Script]:
    """The latest script of each tag, in one query; nothing is asked when there are no tags."""
    wanted = sorted(set(tags))
    if not wanted:
        return {}
    return {s.tag: s for s in sql.latest_scripts(session.store, wanted)}


def labels(session: Session) -> dict[str, str]:
    return sql.labels(session.store)


# -- the store's list ------------------------------------------------------------------------------


def list_objections(session: Session, include_retired: bool = False) -> list[Objection]:
    return [o for o in sql.objections(session.store) if include_retired or o.active]


def add_objection(session: Session, tag: str, label: str) -> Objection:
    session.require_role(*EDITORS, doing=_("编辑异议清单"))
    tag, label = _key(tag).lower(), check_text(_key(label), _("异议的名称"), line=True)
    if not _TAG.fullmatch(tag):
        raise BadInput(_("异议的标签须是简短的英文词（a-z、数字、-），不能是“{tag}”").format(tag=tag))
    if not label:
        raise BadInput(_("异议需要中文名称（例如 价格高于竞品）"))
    for o in sql.objections(session.store):
        if tag == o.tag or label == o.label:
            raise Refused((_("清单里已有 {tag}（{label}）") if o.active else _("清单里已有 {tag}（{label}，已停用）")).format(
                tag=o.tag, label=o.label))
    with session.store.transaction():
        sql.add_objection(session.store, tag, label, session.now)
    return Objection(tag, label)


def edit_objection(session: Session, raw: str, label: str | None, active: bool | None) -> Objection:
    session.require_role(*EDITORS, doing=_("编辑异议清单"))
    known = sql.objections(session.store)
    objection = find(known, raw)
    label = check_text(_key(label), _("异议的名称"), line=True) if label is not None else None
    if label == "":
        raise BadInput(_("异议名称不能为空"))
    if label is not None and any(o.label == label and o.tag != objection.tag for o in known):
        raise Refused(_("已有另一条异议叫 {label}").format(label=label))
    if label is None and active is None:
        raise BadInput(_("没有要改的：请加 --label、--retire 或 --restore"))
    with session.store.transaction():
        sql.update_objection(session.store, objection.tag, label, active)
    return Objection(objection.tag, label or objection.label, objection.active if active is None else active)


# -- the script library ----------------------------------------------------------------------------


def playbook(session: Session) -> list[Script]:
    """The latest script of every objection on the list (retired ones only if they have one)."""
    active = {o.tag for o in sql.objections(session.store) if o.active}
    return [s for s in sql.latest_scripts(session.store) if s.tag in active or s.text]


def script_history(session: Session, raw: str) -> list[Script]:
    """Every version of one objection's script, oldest first (an objection with none: one empty)."""
    objection = find(sql.objections(session.store), raw)
    return sql.script_history(session.store, objection.tag) or [Script(objection.tag, objection.label)]


def write_script(session: Session, raw: str, text: str, *, edit: bool) -> Script:
    """`playbook add` writes an objection's first script, `playbook edit` a new version of it."""
    session.require_role(*EDITORS, doing=_("编写话术库"))
    store = session.store
    objection = find(sql.objections(store), raw)
    text = (text or "").strip()
    if not text:
        raise BadInput(_("话术需要写内容"))
    history = sql.script_history(store, objection.tag)
    if edit and not history:
        raise NotFound(_("{tag}（{label}）还没有话术：`leadcard playbook add`").format(tag=objection.tag, label=objection.label))
    if not edit and history:
        raise Refused(_("{tag}（{label}）已有话术：用 `leadcard playbook edit` 写新版本").format(
            tag=objection.tag, label=objection.label))
    if history and history[-1].text == text:
        raise Refused(_("话术没有变化"))
    with store.transaction():
        sql.add_script(store, objection.tag, text, session.actor_id, session.now)
    return sql.script_history(store, objection.tag)[-1]
