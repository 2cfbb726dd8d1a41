"""The store as a whole: initialising it with a policy, showing the policy in force."""

from __future__ import annotations

from dataclasses import dataclass

from leadcard.errors import Refused
from leadcard.model import Role
from leadcard.schedule import Policy, load_policy
from leadcard.domain.session import Session


@dataclass(frozen=True)
class StoreInfo:
    path: str
    schema_version: int
    policy: Policy
    cards: int
    users: int


def init_store(session: Session, scheme: str | None, overrides_toml: str | None) -> StoreInfo:
    """Pick the store's grading scheme (and its number overrides); refuse to switch under cards."""
    store = session.store
    if store.user_count() > 0:
        session.require_role(Role.MANAGER, doing="change the store's policy")
    current = store.setting("policy.scheme")
    chosen = scheme or current or "habc"
    policy = load_policy(chosen, overrides_toml)  # validates before anything is written
    if current and chosen != current and store.card_count() > 0:
        raise Refused(
            f"this store grades by {current} and already holds cards; a new scheme needs a new store"
        )
    with store.transaction():
        store.set_setting("policy.scheme", chosen)
        if overrides_toml is not None:
            store.set_setting("policy.overrides", overrides_toml)
    stored = policy if overrides_toml is not None else load_policy(chosen, store.setting("policy.overrides"))
    return store_info(session._replace(policy=stored))


def store_info(session: Session) -> StoreInfo:
    store = session.store
    return StoreInfo(str(store.path), store.schema_version(), session.policy, store.card_count(), store.user_count())
