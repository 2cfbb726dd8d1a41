"""China's statutory calendar from the `holidays` package: festivals and swapped workdays (调休).

`holidays` costs a quarter of a second to import, so it is imported only here, only when a
year is not yet known to the caller's cache.

The State Council announces a year's holidays and swapped workdays late in the year before, and
`holidays` carries them from a release after that. Until then it estimates the year (the festivals'
days, no swapped workday: every year since 2001 has had some), and the calendar is `provisional`:
a cache of it is worked out again once a newer `holidays` is installed.
"""

import importlib.util
import os
from datetime import date
from typing import NamedTuple

from leadcard.schedule import WAKE_FESTIVALS


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
