"""Do the configured business hours fit the user? Read from when their own mail was sent.

A maintainer who answers from Australia with the default Europe/Berlin hours shows a
business-time median of 0 minutes: their replies fall outside the hours the clock
counts. When most of my own mail is sent outside the configured hours, the report says
so and names the time zone whose same working hours would cover the most of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from scoring.business_time import BusinessClock

# Enough of my mail to judge by, and "most" of it.
MIN_SENT = 10
OUTSIDE_SHARE = 0.5
# One well-known zone per offset, to suggest where the mail fits better.
CANDIDATE_ZONES: tuple[str, ...] = (
    "Pacific/Honolulu", "America/Anchorage", "America/Los_Angeles", "America/Denver",
    "America/Chicago", "America/New_York", "America/Sao_Paulo", "Atlantic/Azores",
    "Europe/London", "Europe/Berlin", "Europe/Athens", "Europe/Moscow", "Asia/Dubai",
    "Asia/Karachi", "Asia/Kolkata", "Asia/Dhaka", "Asia/Bangkok", "Asia/Shanghai",
    "Asia/Tokyo", "Australia/Brisbane", "Australia/Sydney", "Pacific/Auckland")


@dataclass(frozen=True)
class OwnHours:
    """How much of my mail was sent inside the configured hours, and a better zone."""

    sent: int
    outside: int
    better_zone: str = ""         # a zone whose same hours cover clearly more of it
    better_inside: int = 0

    @property
    def mostly_outside(self) -> bool:
        return self.sent >= MIN_SENT and self.outside > OUTSIDE_SHARE * self.sent


def inside_hours(clock: BusinessClock, moment: datetime, zone: ZoneInfo | None = None) -> bool:
    """Was ``moment`` within the working hours (``zone`` instead of the clock's own)?"""
    local = moment.astimezone(zone or clock.zone)
    return (clock.is_working_day(local.date())
            and clock.hours.start <= local.time() < clock.hours.end)


def own_hours(sent_at: Sequence[datetime], clock: BusinessClock) -> OwnHours:
    """Judge my sending times against the clock; suggest a zone when most fall outside."""
    inside = sum(1 for moment in sent_at if inside_hours(clock, moment))
    result = OwnHours(sent=len(sent_at), outside=len(sent_at) - inside)
    if not result.mostly_outside:
        return result
    best_zone, best_inside = "", inside
    for name in CANDIDATE_ZONES:
        zone = ZoneInfo(name)
        count = sum(1 for moment in sent_at if inside_hours(clock, moment, zone))
        if count > best_inside:
            best_zone, best_inside = name, count
    if best_zone and best_inside > OUTSIDE_SHARE * len(sent_at):
        return OwnHours(result.sent, result.outside, best_zone, best_inside)
    return result
