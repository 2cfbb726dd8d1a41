"""What a share of an audit's cards is handed, and hands back (`audit._audited`): plain values, which
another process receives and returns as they are.

Typed without string annotations: the reports load the audit's rules, and a NamedTuple's string
annotation is compiled at start-up.
"""

from datetime import datetime
from typing import NamedTuple

from leadcard.domain.audit_rules import CardState
from leadcard.model.audit import Finding, OwnerSummary
from leadcard.store.audit import Person


class Plan(NamedTuple):
    """What every share is audited against, read once by the command."""

    rules: tuple[str, ...]  # the rules that run, by name
    as_of: datetime
    since_at: datetime
    owner: str | None  # --owner: only this owner's cards
    reviewers: bool  # the store has a supervisor or a manager to sign and approve
    people: tuple[Person, ...]


class Share(NamedTuple):
    """What one share of the cards gave."""

    findings: list[Finding]
    summaries: dict[str | None, OwnerSummary]  # by owner, of the cards in the window
    on_shared_phone: dict[int, CardState | None]  # cards on a phone another card holds: their state if active
    shared: set[str]  # those phones
