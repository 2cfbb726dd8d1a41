"""Moving data in and out, and keeping it safe: import, export, calendar, backup, restore, doctor."""


from pathlib import Path
from typing import Annotated, Optional

import typer

from leadcard.commands.common import session, store_path
from leadcard.commands.options import JsonOption

app = typer.Typer()

Opt = typer.Option


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) or XLSX; Chinese or English headers.")],
    followups: Annotated[Optional[Path], Opt("--followups", help="Follow-up history (跟进记录, CSV or XLSX), keyed by phone.")] = None,
    instructions: Annotated[Optional[Path], Opt("--instructions", help="Supervisor instructions (主管批示), keyed by phone.")] = None,
    dry_run: Annotated[bool, Opt("--dry-run", help="Validate and report; write nothing.")] = False,
    skip_bad: Annotated[bool, Opt("--skip-bad", help="Import the valid rows; write the bad ones to FILE.rejects.csv.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Import cards, all or nothing; sheets 跟进记录 and 主管批示 (or --followups, --instructions) bring their history."""
    from leadcard.commands.progress import progress
    from leadcard.domain.exchange import importing as domain
    from leadcard.render import exchange as render

    with progress("导入") as step:
        report = domain.import_file(session(ctx, create=True), file, followups, instructions, dry_run, skip_bad, step)
    render.import_report(report, as_json)
    if report.failed:
        raise typer.Exit(1)


@app.command()
def export(
    ctx: typer.Context,
    format_: Annotated[Optional[str], Opt("--format", help="csv (default), xlsx or json; else from --output's suffix.")] = None,
    output: Annotated[Optional[Path], Opt("--output", "-o", help="The file (default: stdout; cards only for CSV).")] = None,
) -> None:
    """Every card you can see, its follow-ups and instructions, in the layout `import` reads."""
    import sys

    from leadcard.commands.progress import progress
    from leadcard.domain.exchange import export as domain
    from leadcard.domain.exchange.targets import refuse_store_files
    from leadcard.render import exchange as render

    refuse_store_files(store_path(ctx), output)
    fmt = domain.export_format(format_, output)
    with progress("导出") as step:
        sheets = domain.export(session(ctx), fmt, step)
        files = render.write_export(sheets, fmt, output, sys.stdout)
    render.export_summary(sheets, files)


@app.command()
def calendar(
    ctx: typer.Context,
    output: Annotated[Optional[Path], Opt("--output", "-o", help="The .ics file (default: stdout).")] = None,
    days: Annotated[int, Opt("--days", help="How far ahead, in days.", min=0, max=366)] = 14,
) -> None:
    """Your due contacts as a calendar feed (.ics); re-importing it updates the events."""
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
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Where the copy goes (created 0600).")],
    as_json: JsonOption = False,
) -> None:
    """A consistent copy of the store, safe while others are writing."""
    from leadcard.render import exchange as render
    from leadcard.domain.exchange import backup as domain

    copy = domain.backup(session(ctx), file)
    render.copy_report(copy, "备份", as_json)


@app.command()
def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A backup made by `leadcard backup`.")],
    as_json: JsonOption = False,
) -> None:
    """Put a backup in place of the store; the store it replaces is kept beside it."""
    from leadcard.commands import clock
    from leadcard.render import exchange as render
    from leadcard.domain.exchange import backup as domain

    copy = domain.restore(lambda: session(ctx, create=True), store_path(ctx), file, clock.now(clock.store_tz()))
    render.copy_report(copy, "恢复", as_json)


@app.command()
def doctor(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Check the store: integrity, foreign keys, schema version, counts (exit 1 if unsound)."""
    from leadcard.render import exchange as render
    from leadcard.domain.exchange import backup as domain

    health = domain.doctor(store_path(ctx))
    render.health_report(health, as_json)
    if not health.sound:
        raise typer.Exit(1)
