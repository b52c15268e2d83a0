"""Report periods: ISO weeks ("2026-W47") or any ``--since``/``--until`` range.

Periods start and end at local midnight in the business time zone; ``end`` is
exclusive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from scoring.errors import InputError

ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
ONE_WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime        # exclusive
    label: str
    weekly: bool = False     # an ISO week (titled "weekly report"), else any range

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    @property
    def title(self) -> str:
        """"weekly report 2026-W47" for an ISO week, "report 2026-11-01 to 2026-11-30"
        for any other range (a month is not a week)."""
        return f"{'weekly report' if self.weekly else 'report'} {self.label}"


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0, 0), zone)


def week_period(year: int, week: int, zone: tzinfo) -> Period:
    monday = date.fromisocalendar(year, week, 1)
    return Period(_midnight(monday, zone), _midnight(monday + ONE_WEEK, zone),
                  f"{year}-W{week:02d}", weekly=True)


def parse_week(text: str, zone: tzinfo) -> Period:
    """``2026-W47`` -> Monday 00:00 to the next Monday 00:00 in ``zone``."""
    match = ISO_WEEK.match(text.strip())
    if not match:
        raise InputError(f"--week {text!r}: expected an ISO week like 2026-W47")
    try:
        return week_period(int(match[1]), int(match[2]), zone)
    except ValueError:
        raise InputError(f"--week {text!r}: no such ISO week") from None


def previous_week(now: datetime, zone: tzinfo) -> Period:
    """The last complete ISO week before ``now``."""
    year, week, _ = (now.astimezone(zone).date() - ONE_WEEK).isocalendar()
    return week_period(year, week, zone)


def parse_range(since: str, until: str | None, zone: tzinfo, now: datetime) -> Period:
    """``--since 2026-11-01 [--until 2026-11-30]``: both days included."""
    try:
        first = date.fromisoformat(since)
        last = date.fromisoformat(until) if until else now.astimezone(zone).date()
    except ValueError as error:
        raise InputError(f"--since/--until: {error} (use YYYY-MM-DD)") from None
    if last < first:
        raise InputError("--until is before --since")
    return Period(_midnight(first, zone), _midnight(last + timedelta(days=1), zone),
                  f"{first.isoformat()} to {last.isoformat()}")


def weeks_before(period: Period, count: int, zone: tzinfo) -> list[Period]:
    """``count`` ISO weeks ending with the week that contains the period's last day."""
    year, week, _ = (period.end - timedelta(seconds=1)).astimezone(zone).date().isocalendar()
    last = week_period(year, week, zone)
    weeks = []
    for back in range(count - 1, -1, -1):
        monday = last.start.date() - back * ONE_WEEK
        iso = monday.isocalendar()
        weeks.append(week_period(iso[0], iso[1], zone))
    return weeks
