"""A key customer's written purchase plan (DOMAIN.md, "Time rules": the regulation's
重点客户需在2天内出具《购车方案对比表》; in leadcard, a quote). The audit's purchase-plan-late judges
it afterwards; the morning list reminds the consultant while it is still due. Light on purpose, as
`persistence` is: the morning list reads it, and the audit's rules are heavy to import."""

from datetime import datetime, timedelta
from typing import Iterable, Iterator

from leadcard.schedule import Policy

PLAN_DAYS = 2  # purchase-plan-late's default limit


def default_key_grades(policy: Policy) -> list[str]:
    """The scheme's hottest grade(s): H, 重点, A."""
    return [g.code for g in policy.grades if g.rank == 0]


def key_plan_limits(policy: Policy) -> tuple[frozenset[str], timedelta] | None:
    """The key grades and the days a plan is due in, as purchase-plan-late reads them from the
    store's policy (`[audit.purchase-plan-late]`, checked when the policy was set); None when the
    store switched the rule off."""
    table = (policy.audit or {}).get("purchase-plan-late", {})
    if table.get("enabled", True) is False:
        return None
    return (frozenset(table.get("grades", default_key_grades(policy))),
            timedelta(days=table.get("limit_days", PLAN_DAYS)))


def judged_key(judgements: Iterable[tuple[datetime, str]], keys: frozenset[str] | set[str]) -> Iterator[datetime]:
    """Each moment a card was judged a key customer from another grade, or at its making, from its
    grade history in time order (it begins there: `add` and `import` write the grade it was made with)."""
    previous = None
    for at, code in judgements:
        if code in keys and previous not in keys:
            yield at
        previous = code
