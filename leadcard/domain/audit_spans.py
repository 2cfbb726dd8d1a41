"""How a finding says its numbers: durations as a supervisor says them, counts singular in English,
a grade's cadence, a list of items — in the reader's language."""

from datetime import timedelta
from typing import Iterable

from leadcard.i18n import _


def span(delta: timedelta, past: timedelta | None = None) -> str:
    """A duration the way a supervisor says it: 6天19小时, 5小时20分, 40分钟. A finding's duration is
    `past` its limit, and is never said as a value the limit allows: where those words round the
    excess away (24 h 1 min as 1天, 3 h 0 min 59 s as 3小时), it is said to the minute in hours, or
    to the second."""
    minutes = max(0, int(delta.total_seconds() // 60))
    whole_days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    said = timedelta(days=whole_days, hours=hours) if whole_days else timedelta(minutes=minutes)
    if past is not None and said <= past:
        return _past(delta, past)
    if whole_days:
        return _("{days}天{hours}小时").format(days=whole_days, hours=hours) if hours else \
            _("{days}天").format(days=whole_days)
    if hours:
        return _("{hours}小时{minutes}分").format(hours=hours, minutes=mins) if mins else \
            _("{hours}小时").format(hours=hours)
    return _("{minutes}分钟").format(minutes=mins)


def _past(delta: timedelta, limit: timedelta) -> str:
    """A duration just past its limit, to the minute in hours (24小时1分), or to the second when
    the excess is under a minute (3小时0分59秒, 30分1秒)."""
    hours, seconds = divmod(int(delta.total_seconds()), 3600)
    mins, secs = divmod(seconds, 60)
    if timedelta(hours=hours, minutes=mins) > limit:
        return _("{hours}小时{minutes}分").format(hours=hours, minutes=mins)
    if hours:
        return _("{hours}小时{minutes}分{seconds}秒").format(hours=hours, minutes=mins, seconds=secs)
    return _("{minutes}分{seconds}秒").format(minutes=mins, seconds=secs)


def in_hours(limit: float) -> str:
    return _("{hours} 小时").format(hours=f"{limit:g}")


# Counts in a message: one of them is singular in English. Limits from the policy may be floats.
def days(n: float) -> str:
    return _("1 天") if n == 1 else _("{n} 天").format(n=_number(n))


def months(n: int) -> str:
    return _("1 个月") if n == 1 else _("{n} 个月").format(n=n)


def times(n: float) -> str:
    return _("1 次") if n == 1 else _("{n} 次").format(n=_number(n))


def working_days(n: int) -> str:
    return _("1 个工作日") if n == 1 else _("{n} 个工作日").format(n=n)


def _number(n: float) -> str:
    return f"{n:g}" if isinstance(n, float) else str(n)


def every(grade: str, cadence: int) -> str:
    """A grade's cadence in a message: A 级每 7 天联系一次."""
    if cadence == 1:
        return _("{grade} 级每天联系一次").format(grade=grade)
    return _("{grade} 级每 {days}联系一次").format(grade=grade, days=days(cadence))


def listing(items: Iterable[str]) -> str:
    """Items one after another: 预算、购车时间."""
    return _("、").join(items)
