"""The store and its people: init, policy, user, demo; and the shell's completion script."""


from pathlib import Path
from typing import Annotated, Optional

import typer

from leadcard.commands.common import session
from leadcard.commands.options import JsonOption

app = typer.Typer()
user_app = typer.Typer(help="The sales floor's people: consultants, supervisors, the manager.", no_args_is_help=True)
policy_app = typer.Typer(help="The store's policy: grading scheme, cadences, time limits.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(policy_app, name="policy")


def _read_policy_file(path: Optional[Path]) -> Optional[str]:
    from leadcard.errors import BadInput

    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read policy file {path}: {getattr(exc, 'strerror', None) or exc}") from None


@app.command()
def init(
    ctx: typer.Context,
    policy: Annotated[Optional[str], typer.Option(help="Grading scheme: habc (default), four-tier, abc.")] = None,
    policy_file: Annotated[Optional[Path], typer.Option("--policy-file", help="TOML overriding the policy's numbers.")] = None,
    grade_map: Annotated[Optional[str], typer.Option(
        "--map", metavar="OLD=NEW,…",
        help="With a new --policy: what each grade the cards hold becomes (e.g. H=A,A=A,B=B,C=C); the cards are regraded.",
    )] = None,
    as_json: JsonOption = False,
) -> None:
    """Create the store (or change its policy) and show the policy in force."""
    from leadcard.domain import admin
    from leadcard.render import cards as render

    overrides = _read_policy_file(policy_file)
    info = admin.init_store(session(ctx, create=True), policy, overrides, grade_map)
    if as_json:
        render.print_json(render.policy_json(info))
    else:
        render.policy_view(info)


@policy_app.command("show")
def policy_show(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The grading scheme, cadences and time limits in force."""
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
    name: Annotated[str, typer.Argument(metavar="NAME", help="The person's name.")],
    role: Annotated[str, typer.Option(help="consultant, supervisor or manager.")],
    team: Annotated[Optional[str], typer.Option(help="Their team (a supervisor sees the team's cards).")] = None,
    login: Annotated[Optional[str], typer.Option(help="Bind to this operating-system login: only it may act as the user.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Bind a manager to another login even if no manager could act from this one.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Add a user. The first may be added by anyone; after that only a manager adds users."""
    from leadcard.render import cards as render
    from leadcard.domain import users

    user = users.add_user(session(ctx), name, users.parse_role(role), team, login, force)
    if as_json:
        render.print_json(render.user_json(user))
    else:
        render.console().print(f"added {user.name} ({user.role.value}{', ' + user.team if user.team else ''})")


@user_app.command("bind")
def user_bind(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The user.")],
    login: Annotated[Optional[str], typer.Option(help="The operating-system login that alone may act as them.")] = None,
    unbind: Annotated[bool, typer.Option("--unbind", help="Remove the binding.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Bind the last manager to another login than this one.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Bind a user to an operating-system login, so nobody else can type `--as` them (manager only)."""
    from leadcard.render import cards as render
    from leadcard.domain import users
    from leadcard.errors import BadInput

    if (login is None) == (not unbind):
        raise BadInput("give --login NAME or --unbind")
    user = users.bind_login(session(ctx), name, None if unbind else login, force)
    if as_json:
        render.print_json(render.user_json(user))
    else:
        render.console().print(f"{user.name}：" + (f"仅限系统登录 {user.login}" if user.login else "已解除登录绑定"))


@user_app.command("deactivate")
def user_deactivate(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The user who leaves.")],
    reassign_to: Annotated[Optional[str], typer.Option("--reassign-to", help="Give the cards they still have in hand to this consultant, in the same step.")] = None,
    as_json: JsonOption = False,
) -> None:
    """A user who leaves (manager only): they can no longer act; their cards stay readable and can be assigned."""
    _set_active(ctx, name, False, as_json, "已停用；其卡片仍可查阅，可用 leadcard assign 转交。", reassign_to)


@user_app.command("activate")
def user_activate(ctx: typer.Context, name: Annotated[str, typer.Argument(metavar="NAME", help="The user who returns.")],
                  as_json: JsonOption = False) -> None:
    """Let a deactivated user act again (manager only)."""
    _set_active(ctx, name, True, as_json, "已恢复。")


def _set_active(ctx: typer.Context, name: str, active: bool, as_json: bool, message: str,
                reassign_to: Optional[str] = None) -> None:
    from leadcard.domain import lifecycle
    from leadcard.render import cards as render

    user, moved = lifecycle.set_user_active(session(ctx), name, active, reassign_to)
    if as_json:
        data = render.user_json(user)
        if moved:
            data["reassigned"] = {"to": moved.target, "moved": len(moved.refs), "refs": moved.refs}
        render.print_json(data)
    elif moved:
        render.console().print(f"{user.name} 已停用；{len(moved.refs)} 张卡片已转给 {moved.target}")
    else:
        render.console().print(f"{user.name} {message}")


@user_app.command("list")
def user_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Everyone on the sales floor."""
    from leadcard.render import cards as render
    from leadcard.domain import users

    found = users.list_users(session(ctx))
    if as_json:
        render.print_json([render.user_json(u) for u in found])
    else:
        render.users_table(found)


@user_app.command("default")
def user_default(
    ctx: typer.Context,
    name: Annotated[Optional[str], typer.Argument(metavar="NAME", help="Act as this user when no --as is given.")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="No default user.")] = False,
) -> None:
    """The user a store acts as when no --as or LEADCARD_USER is given (a consultant's own PC)."""
    from leadcard.render import cards as render
    from leadcard.domain import users
    from leadcard.errors import BadInput

    if bool(name) == clear:
        raise BadInput("give a NAME or --clear")
    user = users.set_default_user(session(ctx), None if clear else name)
    render.console().print(f"default user: {user.name}" if user else "no default user")


@app.command()
def demo(
    ctx: typer.Context,
    cards: Annotated[int, typer.Option("--cards", help="How many cards (up to 100,000).", min=1, max=100_000)] = 900,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed makes the same store.")] = 7,
    as_json: JsonOption = False,
) -> None:
    """Fill an empty store with a realistic sample showroom, so `today` works at once."""
    from leadcard.commands.progress import progress
    from leadcard.domain import demo as demo_data
    from leadcard.render import cards as render

    with progress("建卡") as step:
        result = demo_data.build(session(ctx, create=True), cards, seed, step)
    if as_json:
        render.print_json(result)
        return
    out = render.console()
    out.print(
        f"sample store: {result['cards']} cards, {result['followups']} follow-ups, "
        f"{len(result['users'])} users, in {result['db']}"
    )
    out.print(f"acting as {result['default_user']} by default; try `leadcard today`, "
              f"`leadcard today --as {result['supervisor']}`, `leadcard show {result['example']}`")


COMPLETION_SHELLS = ("bash", "zsh", "fish", "powershell")


@app.command()
def completion(
    shell: Annotated[str, typer.Argument(metavar="SHELL", help="bash, zsh, fish or powershell.")],
) -> None:
    """Print the completion script for a shell: `eval "$(leadcard completion bash)"` in ~/.bashrc."""
    from leadcard.errors import BadInput

    if shell not in COMPLETION_SHELLS:
        raise BadInput(f"no completion for shell {shell!r}: use {', '.join(COMPLETION_SHELLS)}")
    # typer answers the script's requests itself (the _LEADCARD_COMPLETE variable, read before any
    # command runs), so the script must be the one its protocol expects: typer's own.
    from typer._completion_shared import get_completion_script

    from leadcard.commands.app import COMPLETION_VARIABLE

    print(get_completion_script(prog_name="leadcard", complete_var=COMPLETION_VARIABLE, shell=shell))
