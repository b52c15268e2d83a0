"""Business-time clocks: working hours in a time zone, skipping weekends and holidays.

Pure: "now" and all moments are arguments. Used by responsiveness (how long the
customer waited) and by the response-time reports.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from scoring.settings import BusinessHours

ONE_DAY = timedelta(days=1)
DAYS_PER_WEEK = 7


@lru_cache(maxsize=32)
@lru_cache(maxsize=512)
def holiday_dates(country: str, subdivision: str, year: int) -> tuple[date, ...]:
    """The public holidays of one year (several names on one day count once)."""
    import holidays as holidays_lib  # ~40 ms, and most drafts count no business days

    calendar = holidays_lib.country_holidays(country, subdiv=subdivision or None, years=year)
    return tuple(sorted(set(calendar.keys())))


@lru_cache(maxsize=512)
def holiday_set(country: str, subdivision: str, year: int) -> frozenset[date]:
    # A set, not the library's calendar object: that is a dict that fills itself in
    # its own __contains__, which compiled code (scoring/native.py) would bypass.
    return frozenset(holiday_dates(country, subdivision, year))


class BusinessClock:
    """Counts working time between two moments in the configured calendar."""

    def __init__(self, hours: BusinessHours) -> None:
        self.hours = hours
        self.zone = ZoneInfo(hours.timezone)
        self._working_days: dict[date, bool] = {}    # memo: holiday lookups are slow
        self._holiday_years: set[int] = set()         # years in _holiday_ordinals
        self._holiday_ordinals: list[int] = []        # sorted; only on working weekdays

    def is_working_day(self, day: date) -> bool:
        known = self._working_days.get(day)
        if known is None:
            known = day.weekday() in self.hours.days and (
                not self.hours.holidays or day not in holiday_set(
                    self.hours.holidays, self.hours.holiday_subdivision, day.year))
            self._working_days[day] = known
        return known

    def local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(self.zone)

    def seconds_between(self, start: datetime, end: datetime) -> float:
        """Working seconds in [start, end): the clock runs only in working hours.

        The first and last day are clipped to the moments; the days in between count
        whole working days, so a span of years costs as little as a span of days.
        """
        begin, finish = self.local(start), self.local(end)
        if finish <= begin:
            return 0.0
        first, last = begin.date(), finish.date()
        total = self._seconds_on(first, begin, finish)
        if last > first:
            total += self._seconds_on(last, begin, finish)
            full_days = self._working_days_after(first, last) - int(self.is_working_day(last))
            total += full_days * self._working_day_seconds()
        return total

    def _seconds_on(self, day: date, begin: datetime, finish: datetime) -> float:
        if not self.is_working_day(day):
            return 0.0
        open_at = datetime.combine(day, self.hours.start, self.zone)
        close_at = datetime.combine(day, self.hours.end, self.zone)
        lo, hi = max(open_at, begin), min(close_at, finish)
        return (hi - lo).total_seconds() if hi > lo else 0.0

    def _working_day_seconds(self) -> float:
        day = date(2000, 1, 3)
        return (datetime.combine(day, self.hours.end) -
                datetime.combine(day, self.hours.start)).total_seconds()

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Working days d with start's date < d <= end's date (Fri -> Mon is 1)."""
        return self._working_days_after(self.local(start).date(), self.local(end).date())

    def _working_days_after(self, first: date, last: date) -> int:
        if last <= first:
            return 0
        span = (last - first).days
        full_weeks, rest = divmod(span, DAYS_PER_WEEK)
        count = full_weeks * len(self.hours.days)
        day = first + timedelta(days=full_weeks * DAYS_PER_WEEK)
        for _ in range(rest):
            day += ONE_DAY
            if day.weekday() in self.hours.days:
                count += 1
        return count - self._holidays_on_working_weekdays(first + ONE_DAY, last)

    def _holidays_on_working_weekdays(self, first: date, last: date) -> int:
        """Holidays in [first, last] that fall on a configured working weekday."""
        if not self.hours.holidays:
            return 0
        for year in range(first.year, last.year + 1):
            if year not in self._holiday_years:
                self._holiday_years.add(year)
                self._holiday_ordinals.extend(
                    day.toordinal() for day in holiday_dates(
                        self.hours.holidays, self.hours.holiday_subdivision, year)
                    if day.weekday() in self.hours.days)
                self._holiday_ordinals.sort()
        ordinals = self._holiday_ordinals
        return bisect_right(ordinals, last.toordinal()) - bisect_left(ordinals, first.toordinal())

    def add_working_days(self, start: date, days: int) -> date:
        """The date ``days`` working days after ``start`` (0: start itself)."""
        day = start
        remaining = days
        while remaining > 0:
            day += ONE_DAY
            if self.is_working_day(day):
                remaining -= 1
        return day
