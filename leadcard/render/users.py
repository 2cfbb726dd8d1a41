"""The sales team as people read it: the user list, a user added, a user's JSON."""

from __future__ import annotations

from leadcard.i18n import N_, _
from leadcard.model import Role, User
# Commands print through this module, the shared pieces included (print_json).
from leadcard.render.common import console, new_table, print_json  # noqa: F401


def user_json(user: User) -> dict:
    return {"name": user.name, "role": user.role.value, "team": user.team, "active": user.active, "login": user.login}


def users_table(users: list[User]) -> None:
    out = console()
    if not users:
        out.print(_("还没有用户：单人模式，所有卡片可见。用 `leadcard user add 姓名 --role ...` 添加。"))
        return
    table = new_table()
    for title in (_("姓名"), _("角色"), _("团队"), _("状态"), _("系统登录")):
        table.add_column(title, no_wrap=True)
    for u in users:
        table.add_row(u.name, _(_ROLE_LABELS[u.role]), u.team or "", _("在职") if u.active else _("停用"), u.login or "")
    out.print(table)


_ROLE_LABELS = {Role.CONSULTANT: N_("销售顾问"), Role.SUPERVISOR: N_("销售主管"), Role.MANAGER: N_("销售经理"),
                Role.GROUP: N_("集团")}


def user_added(user: User, adopted: int) -> None:
    """The confirmation of `user add`, the role said as the floor says it."""
    out = console()
    role = _(_ROLE_LABELS[user.role])
    if user.team:
        out.print(_("已添加 {name}（{role}，{team}）").format(name=user.name, role=role, team=user.team))
    else:
        out.print(_("已添加 {name}（{role}）").format(name=user.name, role=role))
    if adopted:
        out.print(_("导入时记在 {name} 名下的 {n} 张卡片现由其负责").format(name=user.name, n=adopted))
