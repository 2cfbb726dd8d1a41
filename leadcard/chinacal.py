"""China's statutory calendar from the `holidays` package: festivals and swapped workdays (调休),
the working days they make, and a year the store sets itself in its policy ([calendar.YEAR]).

`holidays` costs a quarter of a second to import, so it is imported only here, only when a
year is not yet known to the caller's cache.

The State Council announces a year's holidays and swapped workdays late in the year before, and
`holidays` carries them from a release after that. Until then it estimates the year (the festivals'
days, no swapped workday: every year since 2001 has had some), and the calendar is `provisional`:
a cache of it is worked out again once a newer `holidays` is installed.
"""

import importlib.util
import os
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from leadcard.errors import BadInput
from leadcard.i18n import _

# Festivals at which dormant customers are woken (DOMAIN.md "Time rules"), as holidays' names.
WAKE_FESTIVALS = ("Spring Festival", "Dragon Boat Festival", "Mid-Autumn Festival", "National Day")


class YearCalendar(NamedTuple):
    year: int
    holidays: frozenset[date]
    swapped_workdays: frozenset[date]
    festivals: dict[str, date]  # festival name (as in WAKE_FESTIVALS) → its first day
    provisional: bool = False  # `holidays` only estimates the year: its schedule is not in that release
    release: str | None = None  # the `holidays` release it was worked out with (`holidays_release`)

    def to_json(self) -> dict:
        return {
            "year": self.year,
            "holidays": sorted(d.isoformat() for d in self.holidays),
            "swapped_workdays": sorted(d.isoformat() for d in self.swapped_workdays),
            "festivals": {k: v.isoformat() for k, v in self.festivals.items()},
            "provisional": self.provisional,
            "release": self.release,
        }

    @classmethod
    def from_json(cls, data: dict) -> "YearCalendar":
        swapped = frozenset(date.fromisoformat(d) for d in data["swapped_workdays"])
        return cls(
            year=int(data["year"]),
            holidays=frozenset(date.fromisoformat(d) for d in data["holidays"]),
            swapped_workdays=swapped,
            festivals={k: date.fromisoformat(v) for k, v in data["festivals"].items()},
            # Cached before these were kept: an estimate has no swapped workday.
            provisional=bool(data.get("provisional", not swapped)),
            release=data.get("release"),
        )

    def outdated(self) -> bool:
        """An estimate made with another `holidays` release than the one installed, which may know
        the year's announced schedule."""
        return self.provisional and self.release != holidays_release()


def compute_year(year: int) -> YearCalendar:
    from holidays.countries.china import China

    calendar = China(years=year, language="en_US")
    festivals: dict[str, date] = {}
    for day, name in sorted(calendar.items()):
        for festival in WAKE_FESTIVALS:
            if festival in name and festival not in festivals:
                festivals[festival] = day
    swapped = {d for d in getattr(calendar, "weekend_workdays", set()) if d.year == year}
    return YearCalendar(year, frozenset(calendar.keys()), frozenset(swapped), festivals, not swapped,
                        holidays_release())


def holidays_release() -> str | None:
    """The installed `holidays` release, from the name of its distribution's metadata folder — not
    by importing it (a quarter of a second) nor `importlib.metadata` (30 ms), since every morning
    list asks this of next year's estimated calendar. None when it cannot be told."""
    spec = importlib.util.find_spec("holidays")
    if spec is None or not spec.origin:
        return None
    packages = os.path.dirname(os.path.dirname(spec.origin))
    try:
        names = os.listdir(packages)
    except OSError:
        return None
    for name in sorted(names):
        stem, _dot, kind = name.rpartition(".")
        if kind in ("dist-info", "egg-info") and stem.lower().startswith("holidays-"):
            return stem.partition("-")[2]
    return None


def is_working_day(day: date, holidays: set[date], swapped_workdays: set[date]) -> bool:
    """China's statutory calendar: weekends off except swapped workdays (调休), holidays off."""
    if day in swapped_workdays:
        return True
    return day.weekday() < 5 and day not in holidays


def working_days_end(start: datetime, n: int, holidays: set[date], swapped_workdays: set[date]) -> datetime:
    """The last second of the `n`-th working day after `start`'s day (0: of that day), in `start`'s
    zone. "Within n working days" counts whole days, as an office's deadline does: 交车后 1 个工作日内
    is by the end of the next working day, whatever the hour of the delivery."""
    day = start.date()
    remaining = n
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day, holidays, swapped_workdays):
            remaining -= 1
    return datetime.combine(day, time(23, 59, 59), tzinfo=start.tzinfo)


# The years a store may write its own calendar for: as LEADCARD_NOW's.
_CALENDAR_YEARS = (1900, 2199)


def own_calendar(table: object) -> dict[int, tuple[frozenset[date], frozenset[date]]]:
    """`[calendar.2027]` tables: `holidays` and `workdays` (the weekend days worked instead), each a
    list of the year's days (`2027-02-06` or "2027-02-06")."""
    if not isinstance(table, dict):
        raise BadInput(_("政策：[calendar] 须是按年份分的表，例如 [calendar.2027]"))
    years = {}
    for key, lists in table.items():
        year = int(key) if str(key).isascii() and str(key).isdigit() else None
        if year is None or not _CALENDAR_YEARS[0] <= year <= _CALENDAR_YEARS[1]:
            raise BadInput(_("政策：[calendar.{key}] 须是年份（{low}–{high}）").format(
                key=key, low=_CALENDAR_YEARS[0], high=_CALENDAR_YEARS[1]))
        if not isinstance(lists, dict):
            raise BadInput(_("政策：[calendar.{year}] 须是表，写 holidays 和 workdays").format(year=year))
        unknown = sorted(set(lists) - {"holidays", "workdays"})
        if unknown:
            raise BadInput(_("政策：[calendar.{year}] 不认识“{key}”（可写 holidays、workdays）").format(
                year=year, key=unknown[0]))
        holidays = _calendar_days(year, "holidays", lists.get("holidays", []))
        workdays = _calendar_days(year, "workdays", lists.get("workdays", []))
        both = sorted(holidays & workdays)
        if both:
            raise BadInput(_("政策：[calendar.{year}] 的 {day} 既是假日又是调休上班日").format(
                year=year, day=both[0].isoformat()))
        weekday = next((d for d in sorted(workdays) if d.weekday() < 5), None)
        if weekday is not None:
            raise BadInput(_("政策：[calendar.{year}] 的 workdays 是调休上班的周六、周日，{day} 不是周末").format(
                year=year, day=weekday.isoformat()))
        years[year] = (holidays, workdays)
    return years


def _calendar_days(year: int, key: str, value: object) -> frozenset[date]:
    where = f"[calendar.{year}] {key}"
    days = set()
    if not isinstance(value, list):
        raise BadInput(_("政策：{key} 须是列表").format(key=where))
    for item in value:
        day = item if isinstance(item, date) and not isinstance(item, datetime) else None
        if isinstance(item, str):
            try:
                day = date.fromisoformat(item.strip())
            except ValueError:
                day = None
        if day is None:
            shown = item.isoformat() if isinstance(item, (date, time)) else repr(item)
            raise BadInput(_("政策：{where} 须列出日期（如 {year}-02-06），不能是 {value}").format(
                where=where, year=year, value=shown))
        if day.year != year:
            raise BadInput(_("政策：{where} 的 {day} 不在 {year} 年").format(where=where, day=day.isoformat(), year=year))
        days.add(day)
    return frozenset(days)
