"""Business-time clock: the fast span count equals a plain day-by-day count."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.business_time import BusinessClock
from scoring.settings import BusinessHours

BERLIN_DE = BusinessClock(BusinessHours(timezone="Europe/Berlin", start=time(9), end=time(17),
                                        holidays="DE"))
HOUR = 3600.0


def day_by_day(clock: BusinessClock, start: datetime, end: datetime) -> float:
    """The definition, one calendar day at a time."""
    begin, finish = clock.local(start), clock.local(end)
    total = 0.0
    day = begin.date()
    while day <= finish.date():
        if clock.is_working_day(day):
            lo = max(datetime.combine(day, clock.hours.start, clock.zone), begin)
            hi = min(datetime.combine(day, clock.hours.end, clock.zone), finish)
            total += max((hi - lo).total_seconds(), 0.0)
        day += timedelta(days=1)
    return total


def test_examples() -> None:
    friday_16 = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    monday_10 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    assert BERLIN_DE.seconds_between(friday_16, monday_10) == 2 * HOUR
    assert BERLIN_DE.seconds_between(monday_10, friday_16) == 0.0
    # Easter 2026: Good Friday 3 April and Easter Monday 6 April are holidays in DE.
    thursday_16 = datetime(2026, 4, 2, 14, 0, tzinfo=UTC)
    tuesday_10 = datetime(2026, 4, 7, 8, 0, tzinfo=UTC)
    assert BERLIN_DE.seconds_between(thursday_16, tuesday_10) == 2 * HOUR
    assert BERLIN_DE.working_days_between(thursday_16, tuesday_10) == 1
    assert BERLIN_DE.add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)


@settings(max_examples=300, deadline=None)
@given(start=st.datetimes(min_value=datetime(2015, 1, 1), max_value=datetime(2030, 1, 1),
                          timezones=st.just(UTC)),
       span=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=900)))
def test_fast_count_equals_the_day_by_day_definition(start: datetime, span: timedelta) -> None:
    expected = day_by_day(BERLIN_DE, start, start + span)
    assert BERLIN_DE.seconds_between(start, start + span) == pytest.approx(expected, abs=1e-3)
