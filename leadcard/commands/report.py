"""`leadcard report weekly|monthly`: the manager's summary, for the screen or for cron."""


from pathlib import Path
from typing import Annotated, Optional

import typer

from leadcard.commands.common import day, session, store_path
from leadcard.commands.options import JsonOption

_DEFINITIONS = """
Computed from dated records only (follow-ups by date, grade history, card events), as the store
stood at the period's end: a past period gives the same figures whenever it is run. Cards count
under their owner at the period's end, follow-ups under their author.

\b
Timeliness 跟进及时率: cards made in the period whose first follow-up came within 24 h
  (policy first_call_hours) of the customer leaving (离店, else the card's creation) and before the period's end / cards made in the period; below 80 %
  (timeliness_target) means one-to-one coaching.
Completeness 记录完整率: follow-ups in the period with content, plan and next date / follow-ups.
Conversion 转化率: cards won in the period / valid cards in hand during it (made before its end,
  not won, lost or invalid at its start, or reopened in it; minus those invalid at its end).
Reactivation 休眠激活率: wake-ups in the period answered within 30 days (policy reactivation_days)
  and before the period's end / wake-ups in the period.
Referral 转介绍率: wins whose card came by referral / wins.
Loss clarity 战败明确率: loss requests of the period approved with a reason and a competitor / loss
  requests of the period.
Grade accuracy 级别准确率: gradings whose horizon (H 7, A 30, B 90 days) ended in the period that
  were won within it / those gradings, per consultant who graded.
Objections 客户异议: per objection (the 10 most raised), cards whose follow-ups in the period
  raised it and that were won at the period's end / cards whose follow-ups in the period raised it.
Showroom traffic 展厅客流, from the showroom log: first visits (walk-ins that are not return
  visits), return visits and phone-ins apart. Card rate 留档率: first visits that left contact
  details / first visits. Test-drive rate 试驾率: walk-ins with a test drive / walk-ins. Invitation
  rate 邀约到店率: visits invited for a day in the period (a purpose or plan naming 到店, 试驾 …)
  that were kept by that day / invitations. Close rate 成交率: orders / first visits.
Attainment 达成率: orders from the month's first day to the period's end / the month's target
  (`leadcard target set`). Forecast: those orders + open H and A cards weighted by the consultant's
  grade accuracy over 90 days (else the floor's, else 0); the weights are shown.
A rate with nothing to divide is n/a, never 0.
"""

app = typer.Typer()
report_app = typer.Typer(help="Weekly and monthly summaries: KPIs, funnel, losses, per consultant.",
                         no_args_is_help=True)
app.add_typer(report_app, name="report")

FormatOption = Annotated[Optional[str], typer.Option(
    "--format", "-f", help="table (default), md, csv (UTF-8 with BOM), json, xlsx; with --output, its suffix.")]
OutputOption = Annotated[
    Optional[Path],
    typer.Option("--output", "-o", help="Write to FILE atomically instead of stdout; w.xlsx, w.csv, w.json, w.md "
                                        "pick the format (table is written as md)."),
]
# The format an --output file's name says, when --format does not.
SUFFIXES = {".md": "md", ".markdown": "md", ".csv": "csv", ".json": "json", ".xlsx": "xlsx"}


@report_app.command(help="The week's summary (ISO week; default the last complete week)." + _DEFINITIONS)
def weekly(
    ctx: typer.Context,
    week: Annotated[Optional[str], typer.Option(help="ISO week, e.g. 2026-W47.")] = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    as_json: JsonOption = False,
) -> None:
    from leadcard.domain import reports

    _report(ctx, reports.week_period(week, day(None)), fmt, output, as_json)


@report_app.command(help="The month's summary (default the last complete month)." + _DEFINITIONS)
def monthly(
    ctx: typer.Context,
    month: Annotated[Optional[str], typer.Option(help="Month, e.g. 2026-11.")] = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    as_json: JsonOption = False,
) -> None:
    from leadcard.domain import reports

    _report(ctx, reports.month_period(month, day(None)), fmt, output, as_json)


def _report(ctx: typer.Context, period, fmt: Optional[str], output: Optional[Path], as_json: bool) -> None:
    from leadcard.render import report as render
    from leadcard.domain import reports
    from leadcard.domain.exchange.targets import refuse_store_files
    from leadcard.errors import BadInput
    from leadcard.parse import output_format

    refuse_store_files(store_path(ctx), output)
    fmt = fmt.strip().lower() if fmt else None
    if fmt is not None and fmt not in render.FORMATS:
        raise BadInput(f"unknown format {fmt!r}: use one of {', '.join(render.FORMATS)}")
    if as_json and fmt not in (None, "table", "json"):
        raise BadInput("use --json or --format, not both")
    if as_json:
        fmt = "json"
    elif fmt == "table" and output is not None:
        fmt = "md"  # a file gets the terminal's tables as Markdown
    fmt = output_format(fmt, output, SUFFIXES) or "table"
    render.emit(reports.build_report(session(ctx), period), fmt, output)
