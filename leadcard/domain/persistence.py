"""Why persistence matters (DOMAIN.md): 2 % of sales close at the first contact and 80 % after the
4th to 11th follow-up; a consultant who gives up after three or four contacts loses most deals. A
loss asked for before the store's minimum of follow-ups deserves a question: the audit's
gave-up-early rule asks it afterwards, `lose` at once, and a supervisor's list of loss requests
before the verdict. Light on purpose: the morning list reads it, and the audit's rules are heavy to
import."""

from leadcard.domain.audit_spans import times
from leadcard.i18n import _
from leadcard.schedule import Policy

MIN_FOLLOWUPS = 4  # gave-up-early's default: 80 % of sales close after the 4th follow-up


def min_followups(policy: Policy) -> float | None:
    """The follow-ups a card should have before its loss is asked for: gave-up-early's
    `min_followups` as the store's policy sets it (`[audit.gave-up-early]`, checked when the policy
    was set), None when the store switched that rule off."""
    table = (policy.audit or {}).get("gave-up-early", {})
    if table.get("enabled", True) is False:
        return None
    return table.get("min_followups", MIN_FOLLOWUPS)


def short_of(policy: Policy, made: int) -> float | None:
    """The store's minimum, when a loss asked for after `made` follow-ups came before it (given up
    early); None when it did not, or the store does not ask it."""
    needed = min_followups(policy)
    return needed if needed is not None and made < needed else None


def loss_reminder(policy: Policy, grade: str, made: int) -> str | None:
    """What `lose` tells the consultant who asks for a loss too early (None: not too early)."""
    needed = short_of(policy, made)
    if needed is None:
        return None
    return _("提醒：{grade} 级客户只跟进了 {made}就申请战败；八成成交在第 4–11 次跟进之后（本店要求至少 {needed}）。"
             "申请已提交，主管审批时会看到跟进次数。").format(grade=grade, made=times(made), needed=times(needed))
