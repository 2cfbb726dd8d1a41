"""The people of the sales floor: consultants, supervisors, the manager."""

from __future__ import annotations

from leadcard.errors import BadInput, NotAllowed, Refused
from leadcard.i18n import _
from leadcard.model import EventKind, Role, User
from leadcard.parse import lookup
from leadcard.domain.session import Session, os_login
from leadcard.store.exchange import adopt_named_cards
from leadcard.usertext import check_text


_ROLE_WORDS = {
    "consultant": Role.CONSULTANT, "销售顾问": Role.CONSULTANT, "顾问": Role.CONSULTANT,
    "supervisor": Role.SUPERVISOR, "主管": Role.SUPERVISOR, "销售主管": Role.SUPERVISOR, "展厅经理": Role.SUPERVISOR,
    "manager": Role.MANAGER, "经理": Role.MANAGER, "销售经理": Role.MANAGER,
    "group": Role.GROUP, "集团": Role.GROUP, "集团经理": Role.GROUP,
}


def parse_role(raw: str) -> Role:
    return lookup(_ROLE_WORDS, raw, _("用户角色"),
                  _("consultant（顾问）、supervisor（主管）、manager（经理）或 group（集团，仅集团汇总库）"))


def add_user(session: Session, name: str, role: Role, team: str | None, login: str | None = None,
             force: bool = False) -> tuple[User, int]:
    """The first user may be added by anyone; after that only a manager adds users. The new user
    takes over the cards an import kept their name on (README "Importing a store's sheets"):
    returned with how many."""
    store = session.store
    name = check_text((name or "").strip(), _("用户的姓名"), line=True)
    check_text(team, _("用户的小组"), line=True)
    if not name:
        raise BadInput(_("用户需要姓名"))
    if store.user_count() > 0:
        session.require_role(Role.MANAGER, doing=_("添加用户"))
    if store.user_by_name(name):
        raise Refused(_("用户“{name}”已经存在").format(name=name))
    if role == Role.GROUP and not store.is_hub():
        raise Refused(_("集团角色（group）只用在集团汇总库上（`leadcard init --hub`）"))
    login = _login(login)
    _keep_a_manager(session, name, role, login, force)
    with store.transaction():
        user_id = store.add_user(name, role, team.strip() if team else None, session.now, login)
        adopted = adopt_named_cards(store, user_id, name)
        for card_id in adopted:
            store.insert_event(card_id, session.now, EventKind.ASSIGNED, session.actor_id, {"from": None, "to": name})
    return store.user_by_name(name), len(adopted)


def list_users(session: Session) -> list[User]:
    return session.store.users()


def set_default_user(session: Session, name: str | None) -> User | None:
    """The user a shared store acts as when no --as is given (a consultant's own PC, the demo)."""
    store = session.store
    if store.user_count() > 0 and session.actor is not None:
        if not (session.actor.role == Role.MANAGER or (name is not None and name == session.actor.name)):
            raise NotAllowed(_("只有经理能设置默认用户（用户也可以把默认用户设为自己）"))
    user = session.user(name) if name else None
    with store.transaction():
        store.set_setting("default_user", user.name if user else None)
    return user


def bind_login(session: Session, name: str, login: str | None, force: bool = False) -> User:
    """Bind a user to an operating-system login (None: unbind). Manager only."""
    session.require_role(Role.MANAGER, doing=_("给用户绑定登录名"))
    user = session.user(name)
    login = _login(login)
    if user.active:
        _keep_a_manager(session, user.name, user.role, login, force)
    with session.store.transaction():
        session.store.set_user_login(user.id, login)
    return session.store.user_by_name(user.name)


def _keep_a_manager(session: Session, name: str, role: Role, login: str | None, force: bool) -> None:
    """Only a manager binds and unbinds logins: binding the last manager who can act from this login
    to another one (a typo in it, say) would lock everyone out of managing the store for good.
    That takes --force."""
    if force or login is None or role != Role.MANAGER:
        return
    here = os_login()
    if login == here:
        return
    others = [u for u in session.store.users() if u.role == Role.MANAGER and u.active and u.name != name]
    if any(u.login is None or u.login == here for u in others):
        return
    if here is None:
        raise Refused(_("{name} 将绑定登录名“{login}”，之后当前登录下就没有经理能操作了：请检查拼写；"
                        "确实如此请加 --force").format(name=name, login=login))
    raise Refused(_("{name} 将绑定登录名“{login}”，之后当前登录名（{here}）下就没有经理能操作了：请检查拼写；"
                    "确实如此请加 --force").format(name=name, login=login, here=here))


def _login(raw: str | None) -> str | None:
    if raw is None:
        return None
    login = raw.strip()
    if not login or any(c.isspace() for c in login):
        raise BadInput(_("不是登录名：`{raw}`").format(raw=raw))
    return login
