"""What an edit of a card changed (修改资料), in words and in JSON; `show` lists past edits the same way."""

from datetime import datetime

from leadcard.i18n import N_, _
from leadcard.model import CARD_FIELDS, HIDDEN_CARD, SOURCE_LABELS, Card

_LABELS = {**{field: label for field, label, _section in CARD_FIELDS}, "name": N_("姓名"), "phone": N_("电话"),
           "birthday": N_("生日"), "source": N_("来源"), "platform": N_("平台"),
           "left_at": N_("离店时间"), "referred_by": N_("转介绍人")}
_SOURCES = {source.value: label for source, label in SOURCE_LABELS.items()}


def changes_listed(changed: dict) -> str:
    """Each field's change, `预算 15万 → 25万`, in the order made; a cleared value is `—`."""
    return _("；").join(_("{field} {before} → {after}").format(
        field=_(_LABELS[field]) if field in _LABELS else field, before=_value(field, before),
        after=_value(field, after)) for field, (before, after) in changed.items())


def changes_text(card: Card, changed: dict) -> str:
    if not changed:
        return _("{ref} {name}：没有变化，卡片上已是这些内容").format(ref=card.ref, name=card.name)
    return _("已修改 {ref} {name}：{changes}").format(ref=card.ref, name=card.name, changes=changes_listed(changed))


def changes_json(changed: dict) -> dict:
    return {"changes": {field: {"from": before, "to": after} for field, (before, after) in changed.items()}}


def _value(field: str, value: object) -> str:
    """A value as the card shows it: a source by its name on the floor (网络, not online), a moment
    to the minute in the store's zone, as it was kept."""
    if value is None:
        return "—"
    if field == "referred_by" and value == HIDDEN_CARD:
        return _("（你无权查看的卡片）")
    if field == "source" and value in _SOURCES:
        return _(_SOURCES[value])
    if field == "left_at":
        return f"{datetime.fromisoformat(str(value)):%Y-%m-%d %H:%M}"
    return str(value)
