"""The store as a whole: initialising it with a policy, showing the policy in force."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, ContextManager

from leadcard.domain.cards import refresh
from leadcard.domain.session import DEFAULT_SCHEME, DERIVATION_SETTING, Session, calendar_year, derived_before
from leadcard.errors import BadInput, Refused
from leadcard.i18n import _
from leadcard.model import Role
from leadcard.schedule import DERIVATION, Policy, load_policy
from leadcard.store import policy as sql


@dataclass(frozen=True)
class StoreInfo:
    path: str
    schema_version: int
    policy: Policy
    cards: int
    users: int
    regraded: dict[str, int] = field(default_factory=dict)  # "H→A": cards moved by a change of scheme
    rescheduled: int = 0  # cards whose due times a change of the policy recomputed
    calendars: tuple[CalendarSource, ...] = ()  # this year's and next year's working days: from where


@dataclass(frozen=True)
class CalendarSource:
    """Where a year's holidays and swapped workdays come from: "announced" (the State Council's
    schedule, as the installed `holidays` release carries it), "estimated" (that release does not
    have the year's yet) or "policy" (the store's own [calendar.YEAR])."""

    year: int
    source: str
    release: str | None  # the `holidays` release, for the first two


def init_store(session: Session, scheme: str | None, overrides_toml: str | None,
               grade_map: str | None = None, step: Callable[[int, int | None], None] | None = None) -> StoreInfo:
    """Pick the store's grading scheme (and its number overrides). Cards on grades the new scheme
    lacks are regraded by `grade_map` (`H=A,A=A,B=B,C=C`), their history kept, their due times
    recomputed by the new cadences — all in one transaction. Any change of the policy (its numbers
    too) recomputes the due times of the cards it schedules; `step(done, total)` hears of them."""
    store = session.store
    if store.is_hub():
        raise Refused(_("这是集团汇总库：政策是各门店自己的，请在门店的数据库上 `leadcard init`"))
    if store.user_count() > 0:
        session.require_role(Role.MANAGER, doing=_("更改本店政策"))
    current = store.setting("policy.scheme") or DEFAULT_SCHEME  # a store made by `add` grades by the default
    chosen = scheme or current
    overrides = overrides_toml if overrides_toml is not None else store.setting("policy.overrides")
    policy = load_policy(chosen, overrides)  # validates before anything is written
    from leadcard.domain.audit import rule_settings

    rule_settings(policy)  # its [audit.RULE] tables too: `audit` must not be the first to refuse them
    changing = chosen != current
    if grade_map is not None and not changing:
        raise BadInput(_("--map 是把卡片改评到另一套方案：请给出 --policy（本店现用 {current}）").format(current=current))
    moves, counts = _moves(session, policy, grade_map) if changing else ({}, {})
    new = session._replace(policy=policy)
    with store.transaction():
        store.set_setting("policy.scheme", chosen)
        if overrides_toml is not None:
            store.set_setting("policy.overrides", overrides_toml)
        if changing:
            sql.regrade(store, moves, session.now, session.actor_id, f"评级方案由 {current} 改为 {chosen}")
        rescheduled = sql.scheduled_card_ids(store) if policy != session.policy else []
        _reschedule(new, rescheduled, step)  # the new cadences and time limits
    info = store_info(new)
    return StoreInfo(info.path, info.schema_version, info.policy, info.cards, info.users,
                     {f"{old}→{to}": counts[old] for old, to in moves.items()}, len(rescheduled), info.calendars)


def _reschedule(session: Session, card_ids: list[int], step: Callable[[int, int | None], None] | None) -> None:
    """The cards' derived schedules recomputed (inside the caller's transaction)."""
    for done, card_id in enumerate(card_ids, start=1):
        refresh(session, card_id)
        if step is not None and done % 1000 == 0:
            step(done, len(card_ids))


def rederive(session: Session, progress: Callable[[str], ContextManager[Callable[[int, int | None], None] | None]]
             ) -> None:
    """The derived schedule of every card the policy schedules recomputed, in one transaction, when
    the store's was derived by an older version of leadcard (schedule.DERIVATION), and the version
    noted. A store derived by a newer version is left as it is (two versions on one shared store
    must not recompute it back and forth). Best effort, as the calendar's cache is: a store this
    login may only read, or one busy beyond the wait, answers as it stands, and the next command
    tries again."""
    store = session.store

    def rederived() -> None:
        if derived_before(store):  # else another command did it while this one waited
            card_ids = sql.scheduled_card_ids(store)
            with progress(_("按新版本重算待跟进时间")) as step:
                _reschedule(session, card_ids, step)
            store.set_setting(DERIVATION_SETTING, str(DERIVATION))

    store.best_effort(rederived)


def _moves(session: Session, policy: Policy, grade_map: str | None) -> tuple[dict[str, str], dict[str, int]]:
    """OLD → NEW for the grades cards hold that change (OLD ≠ NEW), and how many cards hold each.
    Every grade held that the new scheme lacks must be mapped; a map naming a grade neither scheme
    (nor any card) knows is bad input."""
    held = sql.grades_held(session.store)
    known = {g.code for g in session.policy.grades} | set(held)
    mapped: dict[str, str] = {}
    for pair in (grade_map or "").split(","):
        if not pair.strip():
            continue
        old, sep, to = (part.strip() for part in pair.partition("="))
        if not sep or not old or not to:
            raise BadInput(_("--map：“{pair}”不是 旧=新 的写法（例如 --map H=A,A=A,B=B,C=C）").format(pair=pair.strip()))
        if old not in known:
            raise BadInput(_("--map：“{grade}”不是本店的级别（{codes}）").format(grade=old, codes=" ".join(sorted(known))))
        if old in mapped:
            raise BadInput(_("--map：级别 {grade} 映射了两次").format(grade=old))
        mapped[old] = policy.grade(to).code  # a grade the new scheme lacks is bad input
    lacking = [g for g in held if g not in mapped and policy.known_grade(g) is None]
    if lacking:
        codes = " ".join(g.code for g in policy.grades)
        held_grades = _("、").join(_("{grade}（{count} 张）").format(grade=g, count=held[g]) for g in lacking)
        raise BadInput(_("有卡片的级别是 {scheme} 方案没有的：{held}；请用 --map 旧=新 说明各改成什么（新方案的级别：{codes}），"
                         "例如 --map {example}").format(scheme=policy.scheme.name, held=held_grades, codes=codes,
                                                     example=f"{lacking[0]}={policy.grades[0].code}"))
    moves = {old: to for old, to in mapped.items() if to != old and old in held}
    return moves, {old: held[old] for old in moves}


def store_info(session: Session) -> StoreInfo:
    store = session.store
    return StoreInfo(str(store.path), store.schema_version(), session.policy, store.card_count(), store.user_count(),
                     calendars=tuple(_calendar_source(session, y) for y in (session.today.year, session.today.year + 1)))


def _calendar_source(session: Session, year: int) -> CalendarSource:
    if year in session.policy.calendar:
        return CalendarSource(year, "policy", None)
    calendar = calendar_year(session.store, year, session.policy)
    return CalendarSource(year, "estimated" if calendar.provisional else "announced", calendar.release)
