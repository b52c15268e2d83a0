"""Business-time clocks: working hours in a time zone, skipping weekends and holidays.

Pure: "now" and all moments are arguments. Used by responsiveness (how long the
customer waited) and by the response-time reports.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib

from scoring.settings import BusinessHours

ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=32)
def holiday_calendar(country: str, subdivision: str) -> holidays_lib.HolidayBase | None:
    if not country:
        return None
    return holidays_lib.country_holidays(country, subdiv=subdivision or None)


class BusinessClock:
    """Counts working time between two moments in the configured calendar."""

    def __init__(self, hours: BusinessHours) -> None:
        self.hours = hours
        self.zone = ZoneInfo(hours.timezone)
        self._holidays = holiday_calendar(hours.holidays, hours.holiday_subdivision)

    def is_working_day(self, day: date) -> bool:
        if day.weekday() not in self.hours.days:
            return False
        return self._holidays is None or day not in self._holidays

    def local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(self.zone)

    def seconds_between(self, start: datetime, end: datetime) -> float:
        """Working seconds in [start, end): the clock runs only in working hours."""
        begin, finish = self.local(start), self.local(end)
        if finish <= begin:
            return 0.0
        total = 0.0
        day = begin.date()
        while day <= finish.date():
            if self.is_working_day(day):
                open_at = datetime.combine(day, self.hours.start, self.zone)
                close_at = datetime.combine(day, self.hours.end, self.zone)
                lo, hi = max(open_at, begin), min(close_at, finish)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            day += ONE_DAY
        return total

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Working days d with start's date < d <= end's date (Fri -> Mon is 1)."""
        first, last = self.local(start).date(), self.local(end).date()
        count = 0
        day = first + ONE_DAY
        while day <= last:
            if self.is_working_day(day):
                count += 1
            day += ONE_DAY
        return count

    def add_working_days(self, start: date, days: int) -> date:
        """The date ``days`` working days after ``start`` (0: start itself)."""
        day = start
        remaining = days
        while remaining > 0:
            day += ONE_DAY
            if self.is_working_day(day):
                remaining -= 1
        return day
