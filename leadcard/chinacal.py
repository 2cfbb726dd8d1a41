"""China's statutory calendar from the `holidays` package: festivals and swapped workdays (调休).

`holidays` costs a quarter of a second to import, so it is imported only here, only when a
year is not yet known to the caller's cache.
"""

from datetime import date
from typing import NamedTuple

from leadcard.schedule import WAKE_FESTIVALS


class YearCalendar(NamedTuple):
    year: int
    holidays: frozenset[date]
    swapped_workdays: frozenset[date]
    festivals: dict[str, date]  # festival name (as in WAKE_FESTIVALS) → its first day

    def to_json(self) -> dict:
        return {
            "year": self.year,
            "holidays": sorted(d.isoformat() for d in self.holidays),
            "swapped_workdays": sorted(d.isoformat() for d in self.swapped_workdays),
            "festivals": {k: v.isoformat() for k, v in self.festivals.items()},
        }

    @classmethod
    def from_json(cls, data: dict) -> "YearCalendar":
        return cls(
            year=int(data["year"]),
            holidays=frozenset(date.fromisoformat(d) for d in data["holidays"]),
            swapped_workdays=frozenset(date.fromisoformat(d) for d in data["swapped_workdays"]),
            festivals={k: date.fromisoformat(v) for k, v in data["festivals"].items()},
        )


def compute_year(year: int) -> YearCalendar:
    from holidays.countries.china import China

    calendar = China(years=year, language="en_US")
    festivals: dict[str, date] = {}
    for day, name in sorted(calendar.items()):
        for festival in WAKE_FESTIVALS:
            if festival in name and festival not in festivals:
                festivals[festival] = day
    swapped = {d for d in getattr(calendar, "weekend_workdays", set()) if d.year == year}
    return YearCalendar(year, frozenset(calendar.keys()), frozenset(swapped), festivals)
