"""How the report says numbers and settings in words (shared by the text and HTML forms).

- ``duration``: a short figure for tables: 45 min, 3.5 h, 2.1 d.
- ``age_words``: how long someone has waited, in the largest whole unit: "3 weeks",
  "6 years" (never "2209.6 d").
- ``business_hours_text``: the working calendar the report assumed, e.g.
  "Mon-Fri 09:00-17:00 Europe/Berlin, DE holidays".
- ``shorten``: one line of text cut at a word boundary with an ellipsis.
"""

from __future__ import annotations

from scoring.settings import WEEKDAYS, BusinessHours

MINUTE = 60.0
HOUR = 60 * MINUTE
DAY = 24 * HOUR
# (unit, seconds in it, the age from which it is used), largest first
AGE_UNITS: tuple[tuple[str, float, float], ...] = (
    ("year", 365.25 * DAY, 2 * 365.25 * DAY),
    ("month", 30.44 * DAY, 60 * DAY),
    ("week", 7 * DAY, 14 * DAY),
    ("day", DAY, 2 * DAY),
    ("hour", HOUR, 2 * HOUR),
    ("minute", MINUTE, 0.0),
)
ELLIPSIS = "\u2026"


def duration(seconds: float | None) -> str:
    """``None`` -> "-", else a short human duration: 45 min, 3.5 h, 2.1 d."""
    if seconds is None:
        return "-"
    if seconds < HOUR:
        return f"{seconds / MINUTE:.0f} min"
    if seconds < 48 * HOUR:
        return f"{seconds / HOUR:.1f} h"
    return f"{seconds / DAY:.1f} d"


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}%"


def age_words(seconds: float) -> str:
    """An age in the largest unit that fits twice: 90 min -> "90 minutes", 3 days ->
    "3 days", 400 days -> "13 months", 2209 days -> "6 years"."""
    for unit, size, threshold in AGE_UNITS:
        if seconds >= threshold:
            count = max(int(seconds // size), 0)
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return "0 minutes"


def _day_names(days: tuple[int, ...]) -> str:
    names = [WEEKDAYS[d].capitalize() for d in sorted(days)]
    contiguous = list(range(min(days), max(days) + 1)) == sorted(days) if days else False
    if contiguous and len(names) > 2:
        return f"{names[0]}-{names[-1]}"
    return ", ".join(names) or "no days"


def business_hours_text(hours: BusinessHours) -> str:
    """The calendar business time is counted in, in one phrase."""
    holidays = f", {hours.holidays} holidays" if hours.holidays else ""
    return (f"{_day_names(hours.days)} {hours.start:%H:%M}-{hours.end:%H:%M} "
            f"{hours.timezone}{holidays}")


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, at most ``limit`` characters, cut after a whole word."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit - 1].rsplit(" ", 1)[0] if " " in flat[:limit - 1] else flat[:limit - 1]
    return cut.rstrip(" ,;:.-") + ELLIPSIS
