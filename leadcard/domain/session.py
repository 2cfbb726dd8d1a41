"""Who is acting, on which store, under which policy, at what time: the context of one command."""

import json
import os
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Callable, NamedTuple, TypeVar

from leadcard.errors import NotAllowed, NotFound, StoreError
from leadcard.i18n import _
from leadcard.model import Card, Role, User, Visit
from leadcard.parse import mask_phone
from leadcard.chinacal import YearCalendar, compute_year, working_days_end
from leadcard.schedule import DERIVATION, Policy, load_policy
from leadcard.store import DERIVATION_SETTING, EVERYONE, Scope, Store, ts
from leadcard.store.postgres import is_server

DEFAULT_SCHEME = "habc"
# Who sees every card and every phone whole.
_ALL_SEEING = (Role.MANAGER, Role.GROUP)


T = TypeVar("T")


class Session(NamedTuple):
    store: Store
    policy: Policy
    now: datetime  # local time in the store's zone
    tz: tzinfo
    actor: User | None  # None: single-user mode (no users defined)

    @property
    def today(self) -> date:
        return self.now.date()

    @property
    def multi_user(self) -> bool:
        return self.actor is not None

    @property
    def actor_id(self) -> int | None:
        return self.actor.id if self.actor else None

    def beside(self, work: Callable[["Session"], T]) -> Callable[[], T]:
        """`work` done meanwhile on the store through a connection of its own (`Store.beside`);
        what is returned waits for its result."""
        return self.store.beside(lambda store: work(self._replace(store=store)))

    def visible(self) -> Scope:
        """A consultant sees their own cards, a supervisor their team's, a manager (and a group's
        manager, on a hub) all."""
        if self.actor is None or self.actor.role in _ALL_SEEING:
            return EVERYONE
        if self.actor.role == Role.SUPERVISOR:
            return Scope(self.store.team_member_ids(self.actor.team) | {self.actor.id})
        return Scope(frozenset({self.actor.id}))

    def may_see(self, owner_id: int | None) -> bool:
        """Whether a card of this owner is this user's to see (the scope of `visible`)."""
        return self.sees()(owner_id)

    def sees(self) -> Callable[[int | None], bool]:
        """`may_see` for many owners: the scope is asked of the store once (a supervisor's team is a
        query), not once an owner."""
        owners = self.visible().owner_ids
        return lambda owner_id: owners is None or owner_id in owners

    def shown(self, card: Card) -> Card:
        """The card as this user may see it: phones they may not call masked."""
        return self.shows()(card)

    def shows(self) -> Callable[[Card], Card]:
        """`shown` for a list of cards: whose phones are shown whole is asked of the store once (a
        supervisor's team is a query), not once a card."""
        owners = self.phone_owners()

        def shown(card: Card) -> Card:
            if owners is None or card.owner_id in owners:
                return card
            return card._replace(phone=mask_phone(card.phone))

        return shown

    def shown_visit(self, visit: Visit) -> Visit:
        """The visit as this user may see it: the card of a return visit only if it is theirs to see."""
        return self.shows_visits()(visit)

    def shows_visits(self) -> Callable[[Visit], Visit]:
        """`shown_visit` for a list of visits, the scope asked of the store once."""
        sees = self.sees()

        def shown(visit: Visit) -> Visit:
            if visit.card_id is None or sees(visit.card_owner_id):
                return visit
            return visit._replace(card_id=None, card_owner_id=None)

        return shown

    def phone_owners(self) -> frozenset[int] | None:
        """Whose customers' phones are shown whole (None: everyone's): a consultant's own; a
        supervisor's team's, whom they coach and stand in for; the manager's, all (as single-user)."""
        actor = self.actor
        if actor is None or actor.role in _ALL_SEEING:
            return None
        if actor.role == Role.SUPERVISOR:
            return self.store.team_member_ids(actor.team) | {actor.id}
        return frozenset({actor.id})

    def require_role(self, *roles: Role, doing: str) -> None:
        """`roles` are the manager, with or without supervisors: whoever is refused is a consultant
        or a supervisor (a group's manager does what a manager does, on the hub they keep). `doing`
        is already translated."""
        if self.actor is None or self.actor.role in roles or (self.actor.role == Role.GROUP and Role.MANAGER in roles):
            return
        if self.actor.role == Role.SUPERVISOR:
            message = _("{actor} 是主管：只有经理才能{doing}")
        elif Role.SUPERVISOR in roles:
            message = _("{actor} 是顾问：只有主管或经理才能{doing}")
        else:
            message = _("{actor} 是顾问：只有经理才能{doing}")
        raise NotAllowed(message.format(actor=self.actor.name, doing=doing))

    def user(self, name: str) -> User:
        user = self.store.user_by_name(name)
        if user is None:
            raise NotFound(_("没有名为“{name}”的用户（见 `leadcard user list`）").format(name=name))
        return user


def open_session(db_path: Path, acting: str | None, now: datetime, tz: tzinfo, *, default_db: bool,
                 create: bool = False, clock_override: datetime | None = None, anonymous: bool = False) -> Session:
    """The default store is made on first use; a store named by --db/LEADCARD_DB only by the
    commands that fill one (`create`): a mistyped path must not answer from an empty store.

    `clock_override`: LEADCARD_NOW replaced the clock; this is the real one. Once users are bound
    to logins, only a manager may do that, and every record written under it keeps the real time
    (CONTRACT.md "clock").

    `anonymous`: nobody acts (the restore of a JSON export, which looks for the acting user among
    the file's users and writes only into a store that has none)."""
    if not (default_db or create or is_server(db_path) or Path(db_path).exists()):
        raise StoreError(_("{path} 没有数据库：请检查 --db / LEADCARD_DB，或用 `leadcard init` 新建").format(path=db_path))
    store = Store.open(db_path, tz, create_dirs=default_db, create=default_db or create)
    try:
        policy = store_policy(store)
        bound = store.has_bound_logins()
        actor = None if anonymous else resolve_actor(store, acting, bound)
        if clock_override is not None and bound and not anonymous:
            if actor is None or actor.role != Role.MANAGER:
                raise NotAllowed(_("设置了 LEADCARD_NOW：用户绑定了登录名的数据库里，只有经理能设置时钟（请取消 LEADCARD_NOW）"))
            store.clock_override = ts(clock_override)
    except BaseException:
        if not default_db:  # the default store is made on first use, whatever the first command
            store.unmade()
        raise
    return Session(store, policy, now, tz, actor)


def derived_before(store: Store) -> bool:
    """Whether the store's cards were scheduled by an older version of leadcard than this one (or one
    from before the version was noted)."""
    return older_derivation(store.setting(DERIVATION_SETTING))


def older_derivation(noted: str | None) -> bool:
    """Whether a store whose setting notes this derivation is to be scheduled again (README "After an
    upgrade"); None: not noted."""
    version = derivation_version(noted)
    return version is None or version < DERIVATION


def derivation_version(noted: str | None) -> int | None:
    """The version a store's setting notes, None when it notes none (or not a version)."""
    return int(noted) if (noted or "").isdigit() else None


def store_policy(store: Store) -> Policy:
    return load_policy(store.setting("policy.scheme") or DEFAULT_SCHEME, store.setting("policy.overrides"))


def resolve_actor(store: Store, acting: str | None, bound: bool) -> User | None:
    """The acting user: `--as`/LEADCARD_USER, else the store's default user, else nobody.

    With no users defined the store is single-user and everything is visible. `bound`: some user
    is bound to a login, so the process's login must be known, whoever acts.
    """
    if store.user_count() == 0:
        if acting:
            raise NotFound(_("没有名为“{name}”的用户：这个数据库还没有用户（`leadcard user add`）").format(name=acting))
        return None
    name = acting or store.setting("default_user")
    if not name:
        names = ", ".join(u.name for u in store.users() if u.active)
        raise NotAllowed(_("谁在操作？请加 --as 姓名，或设置 LEADCARD_USER（用户：{names}）").format(names=names))
    user = store.user_by_name(name)
    if user is None:
        raise NotFound(_("没有名为“{name}”的用户（见 `leadcard user list`）").format(name=name))
    if not user.active:
        raise NotAllowed(_("用户“{name}”已停用").format(name=name))
    if bound:
        current = os_login()
        if current is None:
            raise NotAllowed(_("系统查不到本进程的登录名（用户 ID 在 passwd 里没有条目），而这个数据库的用户绑定了登录名："
                               "请用你自己的登录账号运行 leadcard"))
        if user.login is not None and current != user.login:
            raise NotAllowed(_("{name} 绑定的登录名是“{login}”；当前登录名是“{current}”").format(
                name=user.name, login=user.login, current=current))
    return user


def os_login() -> str | None:
    """Who is logged in, as the operating system knows the process — never $USER, $LOGNAME or
    $USERNAME, which anyone can set (getpass.getuser reads them first). POSIX: the passwd entry of
    the process's user id; None when it has none. Windows: the account the process runs as
    (os.getlogin asks GetUserNameW)."""
    try:
        import pwd
    except ImportError:
        try:
            return os.getlogin()
        except OSError:
            return None
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return None


def working_days(store: Store, policy: Policy) -> Callable[[datetime, int], datetime]:
    """`after(start, n)`: the end of the `n`-th working day after `start` by China's statutory calendar,
    swapped workdays included (and the years the store's `policy` sets itself). Each year's calendar
    is read from the store once: a morning list's handovers fall in the same one or two years."""
    years: dict[int, YearCalendar] = {}

    def year(y: int) -> YearCalendar:
        if y not in years:
            years[y] = calendar_year(store, y, policy)
        return years[y]

    def after(start: datetime, n: int) -> datetime:
        this, next_year = year(start.year), year(start.year + 1)
        return working_days_end(start, n, this.holidays | next_year.holidays,
                                this.swapped_workdays | next_year.swapped_workdays)

    return after


def calendar_year(store: Store, year: int, policy: Policy) -> YearCalendar:
    """China's calendar for a year, cached in the store so `today` need not import `holidays`; an
    estimate is worked out again once another `holidays` is installed. A year the store's `policy`
    sets itself ([calendar.YEAR]) has its holidays and swapped workdays from there."""
    key = f"calendar.{year}"
    cached = store.setting(key)
    calendar = YearCalendar.from_json(json.loads(cached)) if cached else None
    if calendar is None or calendar.outdated():
        calendar = compute_year(year)
        store.cache_setting(key, json.dumps(calendar.to_json()))
    own = policy.calendar.get(year)
    if own is not None:
        calendar = calendar._replace(holidays=own[0], swapped_workdays=own[1], provisional=False, release=None)
    return calendar
