"""`leadcard report weekly|monthly`: the manager's summary, for the screen or for cron."""


from pathlib import Path
from typing import Annotated, Optional

import typer

from leadcard.commands.common import across, day, store_path
from leadcard.commands.options import JsonOption
from leadcard.i18n import N_, _

# How each figure is computed, shown under the options of both reports (translated when drawn).
_DEFINITIONS = N_("""口径：只按有日期的记录计算（按日期的跟进、级别历史、卡片事件），取期末时存储的样子：过去的周期
无论何时运行，数字都一样。卡片记在期末的负责顾问名下，跟进记在写跟进的人名下。

\b
跟进及时率：本期建的卡中，首次跟进在客户离店（没有离店时间按建卡时间）后 24 小时内（政策
  `first_call_hours`）且在期末之前的 / 本期建卡数（期末时 24 小时未满、尚未跟进的卡不计）；
  低于 80%（`timeliness_target`）要一对一辅导。
记录完整率：本期有洽谈内容、跟踪方案和下次时间的销售跟进 / 本期销售跟进数（订车后、交车后的跟进不算；
  首电前的感谢短信/微信、结束卡片的那次联系只要求洽谈内容）。
转化率：本期成交的卡 / 本期在手的有效卡（期末前建的、期初未成交未战败未无效或本期重新跟进的，
  减去期末时无效的）。
休眠激活率：本期唤醒后 30 天内（政策 `reactivation_days`）且在期末前有回应的 / 本期唤醒数（回应：电话或当面
  联系上客户，或客户自己回复，`log --inbound`；只发出去的问候、推送不算）。
转介绍率：来源为转介绍的成交 / 成交数。
战败明确率：本期批准、写明原因和竞品的战败申请 / 本期战败申请数。
级别准确率：判定期限（H 7 天、A 30 天、B 90 天）在本期内到期、且期限内成交的级别判定 / 这些判定，
  按判定的顾问分列。
客户异议：每种异议（提得最多的 10 种），本期跟进中提到它、且期末已成交的卡 / 本期跟进中提到它的卡。
展厅客流（来自来店登记）：首次进店（客户第一次来展厅，网络、来电线索第一次到店也算）、再次进店（此前来过），
  来电另计。留档率：留下联系方式的首次进店 / 首次进店。试驾率：试驾的到店 / 到店。邀约到店率：邀约在本期某天
  到店（目的或方案写到店、试驾……）且当天前到店的 / 邀约数。成交率：订单 / 首次进店。
达成率：本月第一天到期末的订单 / 本月目标（`leadcard target set`）。预测：这些订单 + 在跟的 H、A 级卡乘以该顾问
  近 90 天的级别准确率（没有则用全店的，再没有则为 0）；权重一并列出。
没有分母的比率记为 n/a，不记 0。""")

app = typer.Typer()
report_app = typer.Typer(help="周报、月报和趋势：关键指标、漏斗、战败，按顾问分列。",
                         no_args_is_help=True)
app.add_typer(report_app, name="report")

FormatOption = Annotated[Optional[str], typer.Option(
    "--format", "-f", help="table（默认）、md、csv（带 BOM 的 UTF-8）、json、xlsx（带图表）、html（一页，手机可看）；"
                           "用 --output 时按文件后缀。")]
OutputOption = Annotated[
    Optional[Path],
    typer.Option("--output", "-o", help="写入 FILE（一次写完整）而不是标准输出；w.xlsx、w.csv、w.json、w.md、w.html "
                                        "决定格式（table 写成 md）。"),
]
# The format an --output file's name says, when --format does not.
SUFFIXES = {".md": "md", ".markdown": "md", ".csv": "csv", ".json": "json", ".xlsx": "xlsx", ".html": "html",
            ".htm": "html"}


@report_app.command(epilog=_DEFINITIONS)
def weekly(
    ctx: typer.Context,
    week: Annotated[Optional[str], typer.Option(help="ISO 周，如 2026-W47。")] = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    as_json: JsonOption = False,
) -> None:
    """周报：一个 ISO 周的汇总（默认上一个完整的周）。

    \b
    示例：
      leadcard report weekly
      leadcard report weekly --week 2026-W18 -o 周报.xlsx
    """
    from leadcard.domain import reports

    _report(ctx, reports.week_period(week, day(None)), fmt, output, as_json)


@report_app.command(epilog=_DEFINITIONS)
def monthly(
    ctx: typer.Context,
    month: Annotated[Optional[str], typer.Option(help="月份，如 2026-11。")] = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    as_json: JsonOption = False,
) -> None:
    """月报：一个月的汇总（默认上一个完整的月）。

    \b
    示例：
      leadcard report monthly
      leadcard report monthly --month 2026-04 --format md
    """
    from leadcard.domain import reports

    _report(ctx, reports.month_period(month, day(None)), fmt, output, as_json)


@report_app.command(epilog=_DEFINITIONS)
def trend(
    ctx: typer.Context,
    weeks: Annotated[Optional[int], typer.Option(help="最近几个完整的周（默认 12）。")] = None,
    months: Annotated[Optional[int], typer.Option(help="最近几个完整的月（代替 --weeks）。")] = None,
    owner: Annotated[Optional[str], typer.Option(help="只看这位顾问。")] = None,
    kpi: Annotated[Optional[list[str]], typer.Option(help="只看这个指标（可重复），如 `timeliness`、`conversion`。")] = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    as_json: JsonOption = False,
) -> None:
    """趋势：每周或每月的关键指标、客流和订单，合计和按顾问，带分子分母。

    \b
    示例：
      leadcard report trend
      leadcard report trend --months 6 --owner 王芳 --kpi timeliness
      leadcard report trend --format html -o 趋势.html
    """
    from leadcard.domain import hub_merge, trends
    from leadcard.errors import BadInput
    from leadcard.render import trend as render_trend

    if weeks is not None and months is not None:
        raise BadInput(_("--weeks 和 --months 只能用一个"))
    kind, count = ("monthly", months) if months is not None else \
        ("weekly", trends.DEFAULT_WEEKS if weeks is None else weeks)
    periods = trends.trend_periods(kind, count, day(None))
    kpis = trends.kpi_keys(kpi)
    prepared = _prepared_format(ctx, fmt, output, as_json)
    trend = across(ctx, lambda s: trends.build_trend(s, periods, owner, kpis), hub_merge.trends,
                   per_showroom="--owner" if owner else None)
    _emit(render_trend.trend_document(trend), prepared, output)


def _report(ctx: typer.Context, period, fmt: Optional[str], output: Optional[Path], as_json: bool) -> None:
    from leadcard.commands.progress import progress
    from leadcard.render import report as render
    from leadcard.domain import reports

    prepared = _prepared_format(ctx, fmt, output, as_json)
    with progress(_("周报") if period.kind == "weekly" else _("月报")) as step:
        report = across(ctx, lambda s: reports.build_report(s, period, step=step), _merged_reports)
    _emit(render.report_document(report), prepared, output)


def _merged_reports(named):
    """A hub's report, its showrooms' merged (loaded only on a hub: start-up is a report's serial part)."""
    from leadcard.domain import hub_merge

    return hub_merge.reports(named)


def _prepared_format(ctx: typer.Context, fmt: Optional[str], output: Optional[Path], as_json: bool) -> str:
    """The format asked for, checked against --json and --output's name, before any work is done."""
    from leadcard.render import report as render
    from leadcard.domain.exchange.targets import refuse_store_files
    from leadcard.errors import BadInput
    from leadcard.parse import output_format

    refuse_store_files(store_path(ctx), output)
    fmt = fmt.strip().lower() if fmt else None
    if fmt is not None and fmt not in render.FORMATS:
        raise BadInput(_("没有格式 {format}：请用 {formats} 之一").format(format=repr(fmt), formats=", ".join(render.FORMATS)))
    if as_json and fmt not in (None, "table", "json"):
        raise BadInput(_("--json 和 --format 只能用一个"))
    if as_json:
        fmt = "json"
    elif fmt == "table" and output is not None:
        fmt = "md"  # a file gets the terminal's tables as Markdown
    return output_format(fmt, output, SUFFIXES) or "table"


def _emit(document, fmt: str, output: Optional[Path]) -> None:
    from leadcard.render import report as render

    render.emit(document, fmt, output)
