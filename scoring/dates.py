"""Dates in free text: quote-header dates and commitment deadlines.

A :class:`DateGrammar` is built from the date words of the rule packs (the ``[dates]``
table of rules/<lang>/lexicon.toml, read by scoring/date_words.py); this module holds
the grammar and the arithmetic, no word of any language. ``find_deadline`` returns the
deadline phrase of a sentence and, where it can, the moment it means relative to an
anchor (the message Date or ``now``), business-day aware: a day without a time of day,
and "end of day", end with the configured business hours. Phrases that name no time
("soon", "bald") are not deadlines: they are the lexicon's ``vague_timing``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from scoring.business_time import BusinessClock
from scoring.date_words import DAY_PHRASES, UNIT_LISTS, DateWords
from scoring.lazy_regex import LazyRegex
from scoring.settings import BusinessHours

CLOCK_NEAR_CHARS = 30
MORNING = time(12, 0)    # "tomorrow morning" is due by noon
NOON = time(12, 0)
# a quote written this long before the reply is more likely a misread date than a wait
MAX_PLAUSIBLE_WAIT = timedelta(days=366)


def names(words: dict[str, int]) -> str:
    """Literal names as one alternation, the longest first ("sept" before "sep")."""
    return "|".join(re.escape(name) for name in sorted(words, key=len, reverse=True)) or "(?!)"


class DateGrammar:
    """The regexes of dates and deadlines, built from date words (compiled when first
    used), and what they resolve to."""

    def __init__(self, words: DateWords) -> None:
        self.words = words
        alt = words.alternation
        months, weekdays = names(words.months), names(words.weekdays)
        suffix = alt("ordinal_suffixes")
        clock = (rf"(?:(?P<h>\d{{1,2}})(?::(?P<m>\d{{2}})(?::\d{{2}})?)?\s*"
                 rf"(?:(?P<am>{alt('am')})|(?P<pm>{alt('pm')}))"
                 rf"|(?P<h24>\d{{1,2}})[:.](?P<m24>\d{{2}})(?::\d{{2}})?"
                 rf"(?:\s*(?:{alt('o_clock')}))?|(?P<hde>\d{{1,2}})\s*(?:{alt('o_clock')})"
                 rf"|(?P<noon>{alt('noon')})|(?P<eod>{alt('end_of_day')}))")
        day_month = (
            rf"(?P<day>\d{{1,2}})(?:{suffix})?\.?\s+(?:(?:{alt('day_of')})\s+)?"
            rf"(?P<month>{months})\.?"
            rf"|(?P<month2>{months})\.?\s+(?P<day2>\d{{1,2}})(?:{suffix})?\b"
            r"|(?P<dd>\d{1,2})\.(?P<mm>\d{1,2})\.(?P<yyyy>\d{2,4})?"
            r"|(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})"
            r"|(?P<um>\d{1,2})/(?P<ud>\d{1,2})(?:/(?P<uy>\d{2,4}))?"
            rf"|(?:{alt('nth_day')})\s+(?P<nth>\d{{1,2}})(?:{suffix})\b")
        days = "|".join(f"(?P<{name}>{alt(name)})" for name in DAY_PHRASES)
        units = "|".join(f"(?P<unit_{name}>{alt(name)})" for name in UNIT_LISTS)
        relative = (
            rf"{days}"
            rf"|(?:{alt('within')})\s+(?:(?:{alt('within_next')})\s+)?"
            rf"(?P<n>\d+|{names(words.numbers)})\s+(?P<bus>{alt('business')})?(?:{units})"
            rf"|(?:{alt('before_weekday')})\s+(?P<weekday>{weekdays})\b"
            rf"|(?P<event>(?:{alt('event_prepositions')}) (?:{alt('event_determiners')}) "
            rf"(?:[\w-]+ )?(?:{alt('event_nouns')})"
            rf"|{alt('occasions')}"
            rf"|(?:{alt('workday_prepositions')}) (?:{alt('ordinals')}) (?:{alt('workdays')}))")
        year = r"(?:,?\s*(?P<year>\d{4}))?"
        self.deadline = LazyRegex(rf"\b(?:{day_month}){year}|\b(?:{relative})", re.IGNORECASE)
        self.calendar = LazyRegex(rf"\b(?:{day_month}){year}", re.IGNORECASE)
        self.time_of_day = LazyRegex(rf"\b(?:{clock})", re.IGNORECASE)
        self.clock_deadline = LazyRegex(rf"\b(?:{alt('before_clock')})\s+(?:{clock})",
                                        re.IGNORECASE)
        # a cheap test before the clock regex: every clock time has a digit or a name
        self.clock_hint = LazyRegex(rf"\d|{alt('noon')}|{alt('end_of_day')}", re.IGNORECASE)
        self.bare_weekday = LazyRegex(rf"\b(?P<weekday>{weekdays})\b", re.IGNORECASE)
        # a quote header is in the language of the replier's mail client, any of them
        header_months = names({**words.header_months, **words.months})
        of = rf"(?:(?:{alt('header_of')})\s+)?"
        self.attribution_date = LazyRegex(
            rf"(?:(?P<month2>{header_months})\.?\s+(?P<day2>\d{{1,2}}),?\s+(?P<year2>\d{{4}})"
            rf"|(?P<day>\d{{1,2}})\.?\s+{of}(?P<month>{header_months})\.?,?\s+{of}"
            rf"(?P<year>\d{{4}})"
            # Thunderbird writes the year in two digits: "Am 04.12.26 um", "On 12/4/26"
            r"|(?P<dd>\d{1,2})\.(?P<mm>\d{1,2})\.(?P<yyyy>\d{4}|\d{2})(?!\d)"
            r"|(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})"
            r"|(?P<um>\d{1,2})/(?P<ud>\d{1,2})/(?P<uy>\d{4}|\d{2})(?!\d))"
            rf"(?:,?\s*(?:{alt('at_clock')}|{alt('header_at_clock')})?\s*(?:{clock}))?",
            re.IGNORECASE)
        # "5:01:12 PM PDT", "10:15 UTC+8", "+0200"
        self.zone_in_text = LazyRegex(
            rf"(?:\b(?P<name>{names(words.zones)})\b(?:\s*(?P<sign>[+-])(?P<hours>\d{{1,2}})"
            r"(?::?(?P<minutes>\d{2}))?\b)?|(?P<sign2>[+-])(?P<offset>\d{4})\b)",
            re.IGNORECASE)
        self.ambiguous_weekdays = frozenset(words.ambiguous_weekdays)

    def find_deadline(self, text: str, anchor: datetime | None,
                      clock: BusinessClock) -> Deadline | None:
        """The first deadline phrase in ``text`` and what it resolves to: "end of day",
        and a day without a time, at the end of ``clock``'s business hours."""
        has_digit = DIGIT.search(text) is not None
        match = self._first_deadline_match(text) or (
            self.clock_deadline.search(text) if has_digit else None)
        if match is None:
            match = self._bare_weekday(text)
            if match is None:
                return None
        eod = clock.hours.end
        clock_match = self.time_of_day.search(text) if self.clock_hint.search(text) else None
        at = clock_time(clock_match.groupdict(), eod) if clock_match else None
        start, end = match.start(), match.end()
        if clock_match and abs(clock_match.start() - end) <= CLOCK_NEAR_CHARS:
            end = max(end, clock_match.end())
        due: datetime | None = None
        if anchor is not None:
            zone: tzinfo | None = anchor.tzinfo
            calendar_match = self.calendar.search(text) if has_digit else None
            calendar = (self._calendar_date(calendar_match.groupdict(), anchor.date())
                        if calendar_match else None)
            if calendar is not None:
                due = datetime.combine(calendar, at or eod, zone)
            else:
                relative = self._relative_date(match.groupdict(), anchor, clock)
                if relative is not None:
                    due = relative.replace(hour=at.hour, minute=at.minute) if at else relative
                elif at is not None:
                    due = datetime.combine(anchor.date(), at, zone)
                    if due < anchor:
                        due += timedelta(days=1)
        return Deadline(text[start:end], start, end, due)

    def _first_deadline_match(self, text: str) -> re.Match[str] | None:
        """``deadline.search(text)``, trying only positions where a deadline can start
        (a scan over every position costs ~60 µs)."""
        starts = self.words.start_words
        for token in START_TOKEN.finditer(text):
            word = token.group()
            if word.isdigit() or word.lower() in starts:
                match = self.deadline.match(text, token.start())
                if match:
                    return match
        return None

    def _bare_weekday(self, text: str) -> re.Match[str] | None:
        """A weekday name on its own ("I'll call Friday"), not an ambiguous short form."""
        weekdays = self.words.weekdays
        for token in START_TOKEN.finditer(text):
            word = token.group().lower()
            if word in weekdays and word not in self.ambiguous_weekdays:
                return self.bare_weekday.match(text, token.start())
        return None

    def _month(self, name: str | None) -> int:
        key = (name or "").lower()
        return self.words.months.get(key) or self.words.header_months[key]

    def _calendar_date(self, g: dict[str, str | None], anchor: date) -> date | None:
        year_text = g.get("year")
        year = int(year_text) if year_text else None
        if g.get("month") and g.get("day"):
            return next_date(anchor, self._month(g["month"]), int(g["day"] or 0), year)
        if g.get("month2") and g.get("day2"):
            return next_date(anchor, self._month(g["month2"]), int(g["day2"] or 0), year)
        return numeric_date(g, anchor)

    def _weekday_date(self, name: str, anchor: date) -> date:
        """The first such weekday after the anchor ("next Friday" said on a Monday is the
        Friday of the same week, as most people mean it; "Monday" on a Monday is a week
        on)."""
        target = self.words.weekdays[name.lower()]
        delta = (target - anchor.weekday()) % 7
        return anchor + timedelta(days=delta or 7)

    def _relative_date(self, g: dict[str, str | None], anchor: datetime,
                       clock: BusinessClock) -> datetime | None:
        day = anchor.date()
        at: time | None = None
        if g.get("now"):
            return anchor
        if g.get("n"):
            text = g["n"] or "1"
            count = int(text) if text.isdigit() else self.words.numbers.get(text.lower(), 1)
            if g.get("unit_hours"):
                return anchor + timedelta(hours=count)
            if g.get("unit_minutes"):
                return anchor + timedelta(minutes=count)
            if g.get("unit_weeks"):
                when: date | None = day + timedelta(weeks=count)
            elif g.get("bus"):
                when = clock.add_working_days(day, count)
            else:
                when = day + timedelta(days=count)
        elif g.get("weekday"):
            when = self._weekday_date(g["weekday"] or "", day)
        else:
            phrase = next((name for name in DAY_PHRASES if g.get(name)), "")
            when = named_day(phrase, day)
            if phrase == "tomorrow_morning":
                at = MORNING
        if when is None:
            return None
        return datetime.combine(when, at or clock.hours.end, anchor.tzinfo)

    def zone_in(self, text: str) -> tzinfo | None:
        """The time zone a quote header names, if any."""
        for match in self.zone_in_text.finditer(text):
            if match.group("offset"):
                value = match.group("offset")
                minutes = int(value[:2]) * 60 + int(value[2:])
                sign = -1 if match.group("sign2") == "-" else 1
            else:
                minutes = self.words.zones[match.group("name").lower()]
                sign = 1
                if match.group("hours"):   # "UTC+8", "GMT-05:00"
                    extra = int(match.group("hours")) * 60 + int(match.group("minutes") or 0)
                    minutes += extra if match.group("sign") == "+" else -extra
            if abs(minutes) <= 14 * 60:
                return timezone(sign * timedelta(minutes=minutes))
        return None

    def attribution_time_known(self, text: str) -> bool:
        """Does the "On ... wrote:" line give the time of day ("On Thu, 2 Jul 2015, Bert
        wrote:" gives the day only: a wait in hours cannot be known from it)?"""
        match = self.attribution_date.search(text)
        if match is None:
            return bool(re.search(r"\d:\d\d", text))
        return clock_time(match.groupdict()) is not None

    def attribution_zone_known(self, text: str, reply_date: datetime | None) -> bool:
        """Is the zone of the quote header's clock known? The replier's client writes it
        in the replier's local time: the header names the zone, or the reply's own Date
        gives it (no Date: a draft being written now, here, in the local zone). A Date in
        UTC does not: Exchange, Yahoo and web mail stamp UTC whatever the writer's zone
        ("Sent: Thursday, July 2, 2015 4:13 PM" beside "Date: Fri, 3 Jul 2015 00:48
        +0000")."""
        if reply_date is None:
            return True
        match = self.attribution_date.search(text)
        after = text[match.end():match.end() + 40] if match else text
        return (self.zone_in(after) is not None
                or reply_date.utcoffset() not in (None, timedelta(0)))

    def parse_attribution_date(self, text: str, zone: tzinfo | None,
                               reference: datetime | None = None) -> datetime | None:
        """The date in an "On ... wrote:" / "Am ... schrieb" / "Sent:" line.
        ``reference`` (the reply's own Date) decides "09/06/2016": the reading that lies
        before the reply, and closest to it, is the one the quote meant."""
        from email.utils import parsedate_to_datetime

        match = self.attribution_date.search(text)
        if match is None:
            try:
                parsed = parsedate_to_datetime(text.split(":", 1)[-1].strip())
            except (TypeError, ValueError, IndexError):
                return None
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
        named_zone = self.zone_in(text[match.end():match.end() + 40])
        zone = named_zone or zone
        groups = match.groupdict()
        if groups.get("year2"):
            groups["year"] = groups["year2"]
        year = int(groups.get("year") or groups.get("yyyy") or groups.get("iy")
                   or groups.get("uy") or 2000)
        year_start = date(year + (2000 if year < 100 else 0), 1, 1)
        at = clock_time(groups) or time(0, 0)
        readings = [groups]
        if groups.get("um") and groups.get("ud") and groups["um"] != groups["ud"]:
            readings.append({**groups, "um": groups["ud"], "ud": groups["um"]})   # day first
        candidates = [datetime.combine(day, at, zone) for day in
                      (self._calendar_date(reading, year_start) for reading in readings)
                      if day]
        if not candidates:
            return None
        if reference is None or len(candidates) == 1:
            return candidates[0]
        reference = reference if reference.tzinfo else reference.replace(tzinfo=zone)
        before = [c for c in candidates if c <= reference]
        return max(before) if before else min(candidates, key=lambda c: abs(c - reference))


@dataclass(frozen=True, slots=True)
class Deadline:
    text: str
    start: int
    end: int
    due: datetime | None


DIGIT = re.compile(r"\d")
START_TOKEN = re.compile(r"[^\W\d_]+|\d")
# a quote header's "COB" has no business hours to end: the default ones' end
HEADER_END_OF_DAY = BusinessHours().end


def clock_time(groups: dict[str, str | None], eod: time = HEADER_END_OF_DAY) -> time | None:
    """The time of day a clock match names; "end of day" is ``eod``."""
    if groups.get("h"):
        hour = int(groups["h"] or 0) % 12
        if groups.get("pm"):
            hour += 12
        return safe_time(hour, int(groups.get("m") or 0))
    if groups.get("h24"):
        return safe_time(int(groups["h24"] or 0), int(groups.get("m24") or 0))
    if groups.get("hde"):
        return safe_time(int(groups["hde"] or 0), 0)
    if groups.get("noon"):
        return NOON
    if groups.get("eod"):
        return eod
    return None


def safe_time(hour: int, minute: int) -> time | None:
    if 0 <= hour < 24 and 0 <= minute < 60:
        return time(hour, minute)
    return None


def next_date(anchor: date, month: int, day: int, year: int | None) -> date | None:
    try:
        if year:
            return date(year, month, day)
        candidate = date(anchor.year, month, day)
        if candidate < anchor - timedelta(days=7):
            candidate = date(anchor.year + 1, month, day)
        return candidate
    except ValueError:
        return None


def numeric_date(g: dict[str, str | None], anchor: date) -> date | None:
    """A date written in digits: 13.11.2026, 2026-11-13, 11/13, the 13th."""
    if g.get("dd") and g.get("mm"):
        yyyy = g.get("yyyy")
        y = int(yyyy) + (2000 if yyyy and len(yyyy) == 2 else 0) if yyyy else None
        return next_date(anchor, int(g["mm"] or 0), int(g["dd"] or 0), y)
    if g.get("iy"):
        return next_date(anchor, int(g["im"] or 0), int(g["id"] or 0), int(g["iy"] or 0))
    if g.get("um") and g.get("ud"):
        uy = g.get("uy")
        y = int(uy) + (2000 if uy and len(uy) == 2 else 0) if uy else None
        return next_date(anchor, int(g["um"] or 0), int(g["ud"] or 0), y)
    if g.get("nth"):
        day = int(g["nth"] or 0)
        month = anchor.month if day >= anchor.day else anchor.month % 12 + 1
        year_n = anchor.year + (1 if month < anchor.month else 0)
        return next_date(anchor, month, day, year_n)
    return None


def named_day(phrase: str, day: date) -> date | None:
    """The day one of the lexicon's DAY_PHRASES names, said on ``day``."""
    friday = day + timedelta(days=(4 - day.weekday()) % 7)
    if phrase == "today":
        return day
    if phrase == "day_after_tomorrow":
        return day + timedelta(days=2)
    if phrase in ("tomorrow", "tomorrow_morning"):
        return day + timedelta(days=1)
    if phrase in ("end_of_week", "this_week"):
        return friday
    if phrase in ("end_of_next_week", "next_week"):
        return friday + timedelta(days=7)
    if phrase == "end_of_month":
        return date(day.year + day.month // 12, day.month % 12 + 1, 1) - timedelta(days=1)
    if phrase == "next_month":
        after = date(day.year + (day.month + 1) // 13, (day.month % 12) + 1, 1)
        return date(after.year + after.month // 12, after.month % 12 + 1, 1) - timedelta(days=1)
    return None
