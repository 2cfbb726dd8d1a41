"""Moving data in and out, and keeping it safe: import, export, calendar, backup, restore, doctor."""


from pathlib import Path
from typing import Annotated, Optional

import typer

from leadcard.commands.common import kept_if_written, open_session, session, store_path
from leadcard.commands.options import JsonOption
from leadcard.i18n import _

app = typer.Typer()

Opt = typer.Option


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="CSV（UTF-8、带 BOM 的 UTF-8、GBK/GB18030）或 XLSX；表头中英文都可以。")],
    followups: Annotated[Optional[Path], Opt("--followups", help="跟进记录（CSV 或 XLSX），按电话对应卡片。")] = None,
    instructions: Annotated[Optional[Path], Opt("--instructions", help="主管批示，按电话对应卡片。")] = None,
    dry_run: Annotated[bool, Opt("--dry-run", help="只检查并报告，不写入。")] = False,
    skip_bad: Annotated[bool, Opt("--skip-bad", help="导入有效的行；有问题的行写到 FILE.rejects.csv。")] = False,
    create_users: Annotated[bool, Opt("--create-users", help="表中销售顾问不是本店用户的，建为顾问（仅限经理）。")] = False,
    team: Annotated[Optional[str], Opt("--team", help="--create-users 新建的顾问所在的小组。")] = None,
    as_json: JsonOption = False,
) -> None:
    """导入卡片，要么全部导入，要么一张不导。工作表“跟进记录”和“主管批示”（或 --followups、--instructions）带入历史记录；
    CSV 导出旁边的 FILE.followups.csv、FILE.instructions.csv 一并读取。
    经理导出的 JSON（`export --format json`）恢复整个数据库，只能导入空数据库。
    --dry-run 还列出每一列被读成什么，以及来源、级别、销售顾问的每种写法被读成什么。

    \b
    示例：
      leadcard import 意向卡.xlsx --dry-run
      leadcard --db 新店.db import 全店.json
    """
    from leadcard.commands.progress import progress
    from leadcard.domain.exchange import importing as domain
    from leadcard.domain.exchange import roundtrip
    from leadcard.errors import BadInput
    from leadcard.render import exchange as render

    if roundtrip.is_export(file):
        if followups or instructions or skip_bad or create_users or team:
            raise BadInput(_("导入 JSON 导出（恢复整个数据库）时不能用 --followups、--instructions、--skip-bad、--create-users 或 --team"))
        # Nobody acts in an empty store yet: the named user is looked for among the file's.
        g = ctx.find_root().obj
        opened = open_session(g, "import", create=True, anonymous=True)
        with kept_if_written(opened) as written:
            report = roundtrip.restore(opened, file, dry_run, g.acting)
            written(report.written)
        render.restore_report(report, as_json)
        return
    opened = session(ctx, create=True)
    with progress(_("导入")) as step, kept_if_written(opened) as written:
        report = domain.import_file(opened, file, followups, instructions, dry_run, skip_bad, step,
                                    create_users=create_users, team=team)
        written(not (report.failed or dry_run))
    render.import_report(report, as_json)
    if report.failed:
        raise typer.Exit(1)


@app.command()
def export(
    ctx: typer.Context,
    format_: Annotated[Optional[str], Opt("--format", help="csv（默认）、xlsx 或 json；不写时按 --output 的后缀。")] = None,
    output: Annotated[Optional[Path], Opt("--output", "-o", help="输出文件（默认标准输出；CSV 只含卡片）。")] = None,
) -> None:
    """导出你能看到的每张卡片及其跟进和批示，格式与 `import` 读取的一致。

    \b
    示例：
      leadcard export -o 意向卡.xlsx
      leadcard export --format json > 卡片.json
    """
    import sys

    from leadcard.commands.progress import progress
    from leadcard.domain.exchange import export as domain
    from leadcard.domain.exchange.targets import refuse_store_files
    from leadcard.render import exchange as render

    refuse_store_files(store_path(ctx), output)
    fmt = domain.export_format(format_, output)
    with progress(_("导出")) as step:
        sheets = domain.export(session(ctx), fmt, step)
        files = render.write_export(sheets, fmt, output, sys.stdout)
    render.export_summary(sheets, files)


@app.command()
def calendar(
    ctx: typer.Context,
    output: Annotated[Optional[Path], Opt("--output", "-o", help=".ics 文件（默认标准输出）。")] = None,
    days: Annotated[int, Opt("--days", help="往后看多少天。", min=0, max=366)] = 14,
) -> None:
    """把你到期的联系导出为日历（.ics）。再次导入会更新原有日程。

    \b
    示例：
      leadcard calendar -o 跟进.ics
      leadcard calendar --days 30 -o 跟进.ics
    """
    import sys

    from leadcard.domain.exchange import calendar as domain
    from leadcard.domain.exchange.export import SUFFIXES
    from leadcard.domain.exchange.targets import refuse_store_files
    from leadcard.parse import output_format
    from leadcard.render import exchange as render

    refuse_store_files(store_path(ctx), output)
    output_format("ics", output, {".ics": "ics", **SUFFIXES, ".md": "md"})  # no calendar in a .csv
    feed = domain.calendar(session(ctx), days)
    render.write_calendar(feed, output, sys.stdout)
    render.calendar_summary(feed, output)


@app.command()
def backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="备份写到哪里（权限 0600）。")],
    as_json: JsonOption = False,
) -> None:
    """给存储做一份完整一致的备份，别人正在写入时也安全。

    \b
    示例：
      leadcard backup 备份/2026-05-04.db
    """
    from leadcard.render import exchange as render
    from leadcard.domain.exchange import backup as domain

    copy = domain.backup(session(ctx), file)
    render.copy_report(copy, _("备份"), as_json)


@app.command()
def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="用 `leadcard backup` 做的备份。")],
    as_json: JsonOption = False,
) -> None:
    """用备份替换存储。被替换的存储保留在旁边。

    \b
    示例：
      leadcard restore 备份/2026-05-04.db
    """
    from leadcard.commands import clock
    from leadcard.render import exchange as render
    from leadcard.domain.exchange import backup as domain

    copy = domain.restore(lambda: session(ctx, create=True), store_path(ctx), file, clock.now(clock.store_tz()))
    render.copy_report(copy, _("恢复"), as_json)


@app.command()
def doctor(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """检查存储：完整性、外键、结构版本、记录数（有问题时退出码为 1）。

    \b
    示例：
      leadcard doctor
      leadcard doctor --json
    """
    from leadcard.render import exchange as render
    from leadcard.domain.exchange import backup as domain

    health = domain.doctor(store_path(ctx))
    render.health_report(health, as_json)
    if not health.sound:
        raise typer.Exit(1)
