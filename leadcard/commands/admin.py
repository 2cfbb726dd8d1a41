"""The store and its people: init, policy, user, demo; and the shell's completion script."""


from pathlib import Path
from typing import Annotated, Optional

import typer

from leadcard.commands.common import kept_if_written, session
from leadcard.commands.options import JsonOption
from leadcard.i18n import _

app = typer.Typer()
user_app = typer.Typer(help="销售团队的人员：顾问、主管、经理。", no_args_is_help=True)
policy_app = typer.Typer(help="本店政策：级别体系、回访周期、各项时限。", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(policy_app, name="policy")


def _read_policy_file(path: Optional[Path]) -> Optional[str]:
    from leadcard.errors import BadInput

    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(_("读不了政策文件 {path}：{reason}").format(
            path=path, reason=getattr(exc, "strerror", None) or exc)) from None


@app.command()
def init(
    ctx: typer.Context,
    policy: Annotated[Optional[str], typer.Option(help="级别体系：habc（默认）、four-tier、abc。")] = None,
    policy_file: Annotated[Optional[Path], typer.Option("--policy-file", help="覆盖政策数值的 TOML 文件。")] = None,
    grade_map: Annotated[Optional[str], typer.Option(
        "--map", metavar="X=Y,…",
        help="换 --policy 时，卡上现有的每个级别变成什么（如 H=A,A=A,B=B,C=C）；卡片随之改级。",
    )] = None,
    hub: Annotated[bool, typer.Option("--hub", help="把这个 PostgreSQL 空数据库建成集团汇总库（接入各门店，只读）。")] = False,
    as_json: JsonOption = False,
) -> None:
    """建立存储（或更改政策），并显示现行政策。

    \b
    示例：
      leadcard init
      leadcard init --policy four-tier --policy-file 本店.toml
      leadcard --db postgresql://postgres@集团服务器/group init --hub
    """
    from leadcard.domain import admin
    from leadcard.render import cards as render

    if hub:
        _init_hub(ctx, policy is not None or policy_file is not None or grade_map is not None, as_json)
        return
    overrides = _read_policy_file(policy_file)
    from leadcard.commands.progress import progress

    opened = session(ctx, create=True)
    with progress(_("重算到期时间")) as step, kept_if_written(opened) as written:
        info = admin.init_store(opened, policy, overrides, grade_map, step)
        written(True)
    if as_json:
        render.print_json(render.policy_json(info))
    else:
        render.policy_view(info)


def _init_hub(ctx: typer.Context, with_policy: bool, as_json: bool) -> None:
    from leadcard.domain import hub
    from leadcard.errors import BadInput
    from leadcard.render import hub as render

    if with_policy:
        raise BadInput(_("--hub 不带政策：政策是各门店自己的"))
    opened = session(ctx, create=True)
    with kept_if_written(opened) as written:
        showrooms = hub.init_hub(opened)
        written(True)
    if as_json:
        render.print_json({"hub": True, "path": str(opened.store.path),
                           "showrooms": [render.showroom_json(s) for s in showrooms]})
    else:
        render.console().print(_("{path} 是集团汇总库：用 `leadcard hub attach 门店名 postgresql://…` 接入门店").format(
            path=opened.store.path))


@policy_app.command("show")
def policy_show(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """显示现行的级别体系、回访周期和各项时限。

    \b
    示例：
      leadcard policy show
      leadcard policy show --json
    """
    from leadcard.domain import admin
    from leadcard.render import cards as render

    info = admin.store_info(session(ctx))
    if as_json:
        render.print_json(render.policy_json(info))
    else:
        render.policy_view(info)


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="姓名。")],
    role: Annotated[str, typer.Option(help="角色：consultant（顾问）、supervisor（主管）、manager（经理），"
                                           "集团汇总库上还有 group（集团）。")],
    team: Annotated[Optional[str], typer.Option(help="所在小组（主管看得到本组的卡片）。")] = None,
    login: Annotated[Optional[str], typer.Option(help="绑定到这个系统登录名：只有它能以该用户身份操作。")] = None,
    force: Annotated[bool, typer.Option("--force", help="即使当前登录再没有经理可用，也把经理绑定到别的登录名。")] = False,
    as_json: JsonOption = False,
) -> None:
    """添加用户。第一位谁都可以添加，之后只有经理能添加。

    \b
    示例：
      leadcard user add 王芳 --role consultant --team 一组
      leadcard user add 钱主管 --role supervisor --team 一组
    """
    from leadcard.render import users as render
    from leadcard.domain import users

    user, adopted = users.add_user(session(ctx), name, users.parse_role(role), team, login, force)
    if as_json:
        render.print_json({**render.user_json(user), "adopted_cards": adopted})
    else:
        render.user_added(user, adopted)


@user_app.command("bind")
def user_bind(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="用户。")],
    login: Annotated[Optional[str], typer.Option(help="唯一能以该用户身份操作的系统登录名。")] = None,
    unbind: Annotated[bool, typer.Option("--unbind", help="解除绑定。")] = False,
    force: Annotated[bool, typer.Option("--force", help="把最后一位经理绑定到别的登录名。")] = False,
    as_json: JsonOption = False,
) -> None:
    """把用户绑定到系统登录名，别人就不能用 `--as` 冒充（仅限经理）。

    \b
    示例：
      leadcard user bind 王芳 --login wangfang
      leadcard user bind 王芳 --unbind
    """
    from leadcard.render import users as render
    from leadcard.domain import users
    from leadcard.errors import BadInput

    if (login is None) == (not unbind):
        raise BadInput(_("请写 --login 登录名 或 --unbind"))
    user = users.bind_login(session(ctx), name, None if unbind else login, force)
    if as_json:
        render.print_json(render.user_json(user))
    else:
        if user.login:
            render.console().print(_("{name}：仅限系统登录 {login}").format(name=user.name, login=user.login))
        else:
            render.console().print(_("{name}：已解除登录绑定").format(name=user.name))


@user_app.command("deactivate")
def user_deactivate(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="离开的用户。")],
    reassign_to: Annotated[Optional[str], typer.Option("--reassign-to", help="同时把他手上还在跟进的卡片转给这位顾问。")] = None,
    as_json: JsonOption = False,
) -> None:
    """停用离开的用户（仅限经理）：不能再操作；其卡片仍可查阅，也可转交。

    \b
    示例：
      leadcard user deactivate 王芳 --reassign-to 李强
    """
    _set_active(ctx, name, False, as_json, reassign_to)


@user_app.command("activate")
def user_activate(ctx: typer.Context, name: Annotated[str, typer.Argument(metavar="NAME", help="回来的用户。")],
                  as_json: JsonOption = False) -> None:
    """让已停用的用户重新可以操作（仅限经理）。

    \b
    示例：
      leadcard user activate 王芳
    """
    _set_active(ctx, name, True, as_json)


def _set_active(ctx: typer.Context, name: str, active: bool, as_json: bool, reassign_to: Optional[str] = None) -> None:
    from leadcard.domain import lifecycle
    from leadcard.render import users as render

    user, moved = lifecycle.set_user_active(session(ctx), name, active, reassign_to)
    if as_json:
        data = render.user_json(user)
        if moved:
            data["reassigned"] = {"to": moved.target, "moved": len(moved.refs), "refs": moved.refs}
        render.print_json(data)
    elif moved:
        render.console().print(_("{name} 已停用；{count} 张卡片已转给 {target}").format(
            name=user.name, count=len(moved.refs), target=moved.target))
    elif active:
        render.console().print(_("{name} 已恢复。").format(name=user.name))
    else:
        render.console().print(_("{name} 已停用；其卡片仍可查阅，可用 leadcard assign 转交。").format(name=user.name))


@user_app.command("list")
def user_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """列出销售团队的所有人。

    \b
    示例：
      leadcard user list
    """
    from leadcard.render import users as render
    from leadcard.domain import users

    found = users.list_users(session(ctx))
    if as_json:
        render.print_json([render.user_json(u) for u in found])
    else:
        render.users_table(found)


@user_app.command("default")
def user_default(
    ctx: typer.Context,
    name: Annotated[Optional[str], typer.Argument(metavar="NAME", help="没写 --as 时以这位用户身份操作。")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="取消默认用户。")] = False,
) -> None:
    """设定默认用户：没写 --as、也没设 LEADCARD_USER 时以他的身份操作（顾问自己的电脑）。

    \b
    示例：
      leadcard user default 王芳
      leadcard user default --clear
    """
    from leadcard.render import cards as render
    from leadcard.domain import users
    from leadcard.errors import BadInput

    if bool(name) == clear:
        raise BadInput(_("请写用户名或 --clear"))
    user = users.set_default_user(session(ctx), None if clear else name)
    render.console().print(_("默认用户：{name}").format(name=user.name) if user else _("没有默认用户"))


@app.command()
def demo(
    ctx: typer.Context,
    cards: Annotated[int, typer.Option("--cards", help="多少张卡片（最多 100000）。", min=1, max=100_000)] = 900,
    seed: Annotated[int, typer.Option(help="随机种子：种子相同，生成的数据相同。")] = 7,
    as_json: JsonOption = False,
) -> None:
    """往空的存储里填入一个逼真的示例展厅，`today` 马上就能用。

    \b
    示例：
      leadcard demo --db 练习.db
      leadcard demo --db 练习.db --cards 5000 --seed 3
    """
    from leadcard.commands.progress import progress
    from leadcard.domain import demo as demo_data
    from leadcard.render import cards as render

    with progress(_("建卡")) as step:
        result = demo_data.build(session(ctx, create=True), cards, seed, step)
    if as_json:
        render.print_json(result)
        return
    out = render.console()
    out.print(_("示例数据：{cards} 张卡片，{followups} 次跟进，{users} 位用户，存于 {db}").format(
        cards=result["cards"], followups=result["followups"], users=len(result["users"]), db=result["db"]))
    out.print(_("默认以 {user} 身份操作；试试 `leadcard today`、`leadcard today --as {supervisor}`、"
                "`leadcard show {example}`").format(user=result["default_user"], supervisor=result["supervisor"],
                                                     example=result["example"]))


COMPLETION_SHELLS = ("bash", "zsh", "fish", "powershell")


@app.command()
def completion(
    shell: Annotated[str, typer.Argument(metavar="SHELL", help="bash、zsh、fish 或 powershell。")],
) -> None:
    """打印命令行补全脚本：把 `eval "$(leadcard completion bash)"` 写进 `~/.bashrc`。

    \b
    示例：
      leadcard completion bash >> ~/.bash_completion
      leadcard completion zsh > ~/.zfunc/_leadcard
    """
    from leadcard.errors import BadInput

    if shell not in COMPLETION_SHELLS:
        raise BadInput(_("不支持 {shell} 的补全：请用 {shells}").format(
            shell=repr(shell), shells=", ".join(COMPLETION_SHELLS)))
    # typer answers the script's requests itself (the _LEADCARD_COMPLETE variable, read before any
    # command runs), so the script must be the one its protocol expects: typer's own.
    from typer._completion_shared import get_completion_script

    from leadcard.commands.app import COMPLETION_VARIABLE

    print(get_completion_script(prog_name="leadcard", complete_var=COMPLETION_VARIABLE, shell=shell))
