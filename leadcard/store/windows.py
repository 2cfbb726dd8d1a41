"""The periods a report or a trend reads, as SQL: one pass over the records of all of them.

A query reads the records dated from the first period's start to the last one's end (`:first`,
`:last`) once, and puts each in its period in SQL: by comparing its time with the periods' ends
(`period_of`), or by the day of the store's time zone it falls on (`days_table`). Times are stored
as UTC ISO 8601 text, so they compare as text.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, tzinfo
from typing import Sequence

from leadcard.store import ts

# Several periods at once (a trend), or one (a report): (start, end) pairs, oldest first.
Periods = Sequence[tuple[datetime, datetime]]


def periods_table(periods: Periods) -> tuple[str, dict]:
    """The periods as a table `p (n, p_start, p_end)` for a WITH clause, with `:first` and `:last`
    bounding them all: a query reads the records of all the periods in one pass of its index."""
    values = ", ".join(f"({i}, :start{i}, :end{i})" for i in range(len(periods)))
    return f"p (n, p_start, p_end) AS (VALUES {values})", bounds(periods)


def bounds(periods: Periods) -> dict:
    """`:first`, `:last` and each period's `:start<n>` and `:end<n>`."""
    found = {"first": ts(min(start for start, _end in periods)), "last": ts(max(end for _start, end in periods))}
    for i, (start, end) in enumerate(periods):
        found[f"start{i}"], found[f"end{i}"] = ts(start), ts(end)
    return found


def period_of(column: str, periods: Periods) -> str:
    """The number of the period a time between `:first` and `:last` falls in, the periods following
    one another (a trend's weeks or months): the first whose end is after it."""
    _follow_one_another(periods)
    return "CASE " + " ".join(f"WHEN {column} < :end{i} THEN {i}" for i in range(len(periods))) + " END"


def period_end(column: str, periods: Periods) -> str:
    """The end of the period a time between `:first` and `:last` falls in (as `period_of`)."""
    _follow_one_another(periods)
    return "CASE " + " ".join(f"WHEN {column} < :end{i} THEN :end{i}" for i in range(len(periods))) + " END"


def _follow_one_another(periods: Periods) -> None:
    if any(end != start for (_s, end), (start, _e) in zip(periods, periods[1:])):
        raise ValueError("periods that do not follow one another have no period_of")


def days_table(periods: Periods, tz: tzinfo) -> str:
    """The periods day by day (the days of the store's time zone), as a table `p (day, day_start,
    day_end, n, p_end)` for a WITH clause: each day's bounds in UTC and the period it belongs to (the
    periods following one another). A query reads a day's records by a range of an index on their
    time, for each day: every record once, and its day known."""
    _follow_one_another(periods)
    first = periods[0][0].astimezone(tz).date()
    days = (periods[-1][1].astimezone(tz).date() - first).days
    starts = [datetime.combine(first + timedelta(days=k), time(), tzinfo=tz) for k in range(days + 1)]
    rows, period = [], 0
    for k in range(days):
        while starts[k] >= periods[period][1]:
            period += 1
        rows.append(f"({k}, '{ts(starts[k])}', '{ts(starts[k + 1])}', {period}, :end{period})")
    return f"p (day, day_start, day_end, n, p_end) AS (VALUES {', '.join(rows)})"
