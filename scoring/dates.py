"""Dates in free text: quote-header dates and commitment deadlines, English and German.

``find_deadline`` returns the deadline phrase of a sentence and, where it can, the
moment it means relative to an anchor (the message Date or ``now``), business-day
aware. Phrases that name no time ("soon", "bald") are not deadlines: they are the
lexicon's ``vague_timing`` (rules/<lang>/lexicon.toml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from scoring.business_time import BusinessClock

MONTHS = {
    "january": 1, "jan": 1, "januar": 1, "jänner": 1, "february": 2, "feb": 2, "februar": 2,
    "march": 3, "mar": 3, "märz": 3, "maerz": 3, "april": 4, "apr": 4, "may": 5, "mai": 5,
    "june": 6, "jun": 6, "juni": 6, "july": 7, "jul": 7, "juli": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "oktober": 10, "okt": 10,
    "november": 11, "nov": 11, "december": 12, "dec": 12, "dezember": 12, "dez": 12,
}
WEEKDAYS = {
    "monday": 0, "mon": 0, "montag": 0, "tuesday": 1, "tue": 1, "tues": 1, "dienstag": 1,
    "wednesday": 2, "wed": 2, "mittwoch": 2, "thursday": 3, "thu": 3, "thurs": 3,
    "donnerstag": 3, "friday": 4, "fri": 4, "freitag": 4, "saturday": 5, "sat": 5,
    "samstag": 5, "sonnabend": 5, "sunday": 6, "sun": 6, "sonntag": 6,
}
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "fourteen": 14,
    "twenty": 20, "thirty": 30, "ein": 1, "einem": 1, "einer": 1, "eine": 1, "zwei": 2,
    "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "zehn": 10,
    "vierzehn": 14, "zwanzig": 20, "dreißig": 30, "couple of": 2, "few": 3,
}
MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
WEEKDAY_NAMES = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
NUMBER_NAMES = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
END_OF_DAY = time(17, 0)   # without business hours; with them, their end (end_of_day)
CLOCK_NEAR_CHARS = 30
AMBIGUOUS_WEEKDAY_WORDS = frozenset({"sat", "sun", "mon", "so", "di", "do", "fr", "mi", "sa"})
MORNING = time(12, 0)
NOON = time(12, 0)

CLOCK = (r"(?:(?P<h>\d{1,2})(?::(?P<m>\d{2})(?::\d{2})?)?\s*(?P<ampm>a\.?m\.?|p\.?m\.?)"
         r"|(?P<h24>\d{1,2})[:.](?P<m24>\d{2})(?::\d{2})?(?:\s*uhr)?|(?P<hde>\d{1,2})\s*uhr"
         r"|(?P<noon>noon|midday|mittag)|(?P<eod>end of (?:the )?(?:business )?day|eod|cob|"
         r"close of business|tagesende|feierabend|dienstschluss))")
DAY_MONTH = (rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\.?\s+(?:of\s+)?(?P<month>{MONTH_NAMES})\.?"
             rf"|(?P<month2>{MONTH_NAMES})\.?\s+(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\b"
             r"|(?P<dd>\d{1,2})\.(?P<mm>\d{1,2})\.(?P<yyyy>\d{2,4})?"
             r"|(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})"
             r"|(?P<um>\d{1,2})/(?P<ud>\d{1,2})(?:/(?P<uy>\d{2,4}))?"
             r"|the\s+(?P<nth>\d{1,2})(?:st|nd|rd|th)\b")
RELATIVE = (
    r"(?P<today>today|tonight|this (?:morning|afternoon|evening)|heute(?: abend| nachmittag)?)"
    r"|(?P<dayafter>the day after tomorrow|übermorgen)"
    r"|(?P<tomorrow>tomorrow(?: morning| afternoon| evening)?|"
    r"morgen(?: früh| vormittag| nachmittag)?)"
    r"|(?P<eow>(?:the )?end of (?:the |this )?week|ende (?:der|dieser) woche|wochenende)"
    r"|(?P<eonw>(?:the )?end of next week|ende (?:der )?nächsten woche)"
    r"|(?P<eom>(?:the )?end of (?:the |this )?month|ende (?:des|dieses) monats|monatsende)"
    r"|(?P<nextweek>(?:early |later |sometime |some time )?next week|(?:anfang |im laufe der )?"
    r"nächste[nr]? woche)"
    r"|(?P<thisweek>(?:later )?this week|(?:im laufe )?diese[rn]? woche)"
    r"|(?P<nextmonth>next month|nächste[nr]? monat)"
    r"|(?P<now>immediately|right away|straight away|sofort|umgehend|unverzüglich)"
    rf"|(?:within|in|innerhalb(?: von)?|binnen)\s+(?:the next\s+|den nächsten\s+)?"
    rf"(?P<n>\d+|{NUMBER_NAMES})\s+(?P<bus>business |working |work |werk|arbeits)?"
    r"(?P<unit>hours?|stunden?|days?|tage[n]?|weeks?|wochen?|minutes?|minuten)"
    rf"|(?:next|this|coming|on|by|until|before|am|bis|ab|nächsten|kommenden|diesen)\s+"
    rf"(?P<weekday>{WEEKDAY_NAMES})\b"
    r"|(?P<event>(?:after|before|following|at|during|nach|vor) (?:the|our|your|dem|der|unserem|"
    r"unserer|ihrem|ihrer) (?:[\w-]+ )?(?:meeting|call|conference|presentation|session|"
    r"review|besprechung|meeting|termin|telefonat|sitzung)"
    r"|(?:on|with|after|before|by) (?:your|the|our) next (?:shipment|order|delivery|invoice|"
    r"billing cycle|visit|call|meeting|run)"
    r"|mit (?:der|Ihrer|unserer) nächsten (?:Rechnung|Lieferung|Bestellung|Abrechnung)"
    r"|(?:am|on the) (?:ersten|zweiten|dritten|vierten|fünften|first|second|third|fourth|fifth)"
    r" (?:Tag|Werktag|day|business day|working day))"
)
DEADLINE = re.compile(rf"\b(?:{DAY_MONTH})(?:,?\s*(?P<year>\d{{4}}))?|\b(?:{RELATIVE})",
                      re.IGNORECASE)
CALENDAR_RE = re.compile(rf"\b(?:{DAY_MONTH})(?:,?\s*(?P<year>\d{{4}}))?", re.IGNORECASE)
CLOCK_RE = re.compile(rf"\b(?:{CLOCK})", re.IGNORECASE)
CLOCK_DEADLINE = re.compile(rf"\b(?:by|at|um|bis|before|until|gegen)\s+(?:{CLOCK})", re.IGNORECASE)
BARE_WEEKDAY = re.compile(rf"\b(?P<weekday>{WEEKDAY_NAMES})\b", re.IGNORECASE)
ATTRIBUTION_DATE = re.compile(
    rf"(?:(?P<month2>{MONTH_NAMES})\.?\s+(?P<day2>\d{{1,2}}),?\s+(?P<year2>\d{{4}})"
    rf"|(?P<day>\d{{1,2}})\.?\s+(?P<month>{MONTH_NAMES})\.?,?\s+(?P<year>\d{{4}})"
    r"|(?P<dd>\d{1,2})\.(?P<mm>\d{1,2})\.(?P<yyyy>\d{4})"
    r"|(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})"
    r"|(?P<um>\d{1,2})/(?P<ud>\d{1,2})/(?P<uy>\d{4}))"
    rf"(?:,?\s*(?:at|um)?\s*(?:{CLOCK}))?",
    re.IGNORECASE)
@dataclass(frozen=True, slots=True)
class Deadline:
    text: str
    start: int
    end: int
    due: datetime | None


def end_of_day(clock: BusinessClock | None) -> time:
    """When "today" or "end of day" is due: the end of the configured business hours."""
    return clock.hours.end if clock is not None else END_OF_DAY


def _clock(groups: dict[str, str | None], eod: time = END_OF_DAY) -> time | None:
    if groups.get("h"):
        hour = int(groups["h"] or 0) % 12
        if (groups.get("ampm") or "").lower().startswith("p"):
            hour += 12
        return _safe_time(hour, int(groups.get("m") or 0))
    if groups.get("h24"):
        return _safe_time(int(groups["h24"] or 0), int(groups.get("m24") or 0))
    if groups.get("hde"):
        return _safe_time(int(groups["hde"] or 0), 0)
    if groups.get("noon"):
        return NOON
    if groups.get("eod"):
        return eod
    return None


def _safe_time(hour: int, minute: int) -> time | None:
    if 0 <= hour < 24 and 0 <= minute < 60:
        return time(hour, minute)
    return None


def _number(text: str) -> int:
    return int(text) if text.isdigit() else NUMBER_WORDS.get(text.lower(), 1)


def _next_date(anchor: date, month: int, day: int, year: int | None) -> date | None:
    try:
        if year:
            return date(year, month, day)
        candidate = date(anchor.year, month, day)
        if candidate < anchor - timedelta(days=7):
            candidate = date(anchor.year + 1, month, day)
        return candidate
    except ValueError:
        return None


def _calendar_date(g: dict[str, str | None], anchor: date) -> date | None:
    year_text = g.get("year")
    year = int(year_text) if year_text else None
    if g.get("month") and g.get("day"):
        return _next_date(anchor, MONTHS[(g["month"] or "").lower()], int(g["day"] or 0), year)
    if g.get("month2") and g.get("day2"):
        return _next_date(anchor, MONTHS[(g["month2"] or "").lower()], int(g["day2"] or 0),
                          year)
    if g.get("dd") and g.get("mm"):
        yyyy = g.get("yyyy")
        y = int(yyyy) + (2000 if yyyy and len(yyyy) == 2 else 0) if yyyy else None
        return _next_date(anchor, int(g["mm"] or 0), int(g["dd"] or 0), y)
    if g.get("iy"):
        return _next_date(anchor, int(g["im"] or 0), int(g["id"] or 0), int(g["iy"] or 0))
    if g.get("um") and g.get("ud"):
        uy = g.get("uy")
        y = int(uy) + (2000 if uy and len(uy) == 2 else 0) if uy else None
        return _next_date(anchor, int(g["um"] or 0), int(g["ud"] or 0), y)
    if g.get("nth"):
        day = int(g["nth"] or 0)
        month = anchor.month if day >= anchor.day else anchor.month % 12 + 1
        year_n = anchor.year + (1 if month < anchor.month else 0)
        return _next_date(anchor, month, day, year_n)
    return None


def _weekday_date(name: str, anchor: date) -> date:
    """The first such weekday after the anchor ("next Friday" said on a Monday is the
    Friday of the same week, as most people mean it; "Monday" on a Monday is a week on)."""
    target = WEEKDAYS[name.lower()]
    delta = (target - anchor.weekday()) % 7
    return anchor + timedelta(days=delta or 7)


def _relative_date(g: dict[str, str | None], anchor: datetime,
                   clock: BusinessClock | None) -> datetime | None:
    day = anchor.date()
    zone = anchor.tzinfo
    when: date | None = None
    at: time | None = None
    if g.get("today"):
        when, at = day, end_of_day(clock)
    elif g.get("dayafter"):
        when = day + timedelta(days=2)
    elif g.get("tomorrow"):
        when = day + timedelta(days=1)
        if "morning" in (g["tomorrow"] or "").lower() or "früh" in (g["tomorrow"] or ""):
            at = MORNING
    elif g.get("eonw"):
        when = day + timedelta(days=(4 - day.weekday()) % 7 + 7)
    elif g.get("eow"):
        when = day + timedelta(days=(4 - day.weekday()) % 7)
    elif g.get("eom"):
        next_month = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        when = next_month - timedelta(days=1)
    elif g.get("nextweek"):
        when = day + timedelta(days=(4 - day.weekday()) % 7 + 7)
    elif g.get("thisweek"):
        when = day + timedelta(days=(4 - day.weekday()) % 7)
    elif g.get("nextmonth"):
        after = date(day.year + (day.month + 1) // 13, (day.month % 12) + 1, 1)
        when = date(after.year + after.month // 12, after.month % 12 + 1, 1) - timedelta(days=1)
    elif g.get("now"):
        return anchor
    elif g.get("n") and g.get("unit"):
        count = _number(g["n"] or "1")
        unit = (g["unit"] or "").lower()
        business = bool(g.get("bus"))
        if unit.startswith(("hour", "stund")):
            return anchor + timedelta(hours=count)
        if unit.startswith("minut"):
            return anchor + timedelta(minutes=count)
        if unit.startswith(("week", "woch")):
            when = day + timedelta(weeks=count)
        elif business and clock is not None:
            when = clock.add_working_days(day, count)
        else:
            when = day + timedelta(days=count)
    elif g.get("weekday"):
        when = _weekday_date(g["weekday"] or "", day)
    if when is None:
        return None
    return datetime.combine(when, at or end_of_day(clock), zone)


# Every DEADLINE alternative starts with a digit or one of these words, so the big regex
# is tried only where a deadline can start (a scan over every position costs ~60 µs).
DEADLINE_START_WORDS = frozenset(
    list(MONTHS) + list(WEEKDAYS) + """
    the today tonight this heute übermorgen tomorrow morgen end ende wochenende monatsende
    early later sometime some next anfang im nächste nächsten nächster nächstes diese dieser
    diesen immediately right straight sofort umgehend unverzüglich within in innerhalb binnen
    coming on by until before am bis ab kommenden after following at during nach vor with mit
    """.split())
DIGIT = re.compile(r"\d")
START_TOKEN = re.compile(r"[^\W\d_]+|\d")
CLOCK_HINT = re.compile(r"\d|noon|midday|mittag|end of|eod|cob|close of|tagesende|feierabend|"
                        r"dienstschluss", re.IGNORECASE)


def _first_deadline_match(text: str) -> re.Match[str] | None:
    """``DEADLINE.search(text)``, trying only positions where a deadline can start."""
    for token in START_TOKEN.finditer(text):
        word = token.group()
        if word.isdigit() or word.lower() in DEADLINE_START_WORDS:
            match = DEADLINE.match(text, token.start())
            if match:
                return match
    return None


def _bare_weekday(text: str) -> re.Match[str] | None:
    """A weekday name on its own ("I'll call Friday"), not an ambiguous short form."""
    for token in START_TOKEN.finditer(text):
        word = token.group().lower()
        if word in WEEKDAYS and word not in AMBIGUOUS_WEEKDAY_WORDS:
            return BARE_WEEKDAY.match(text, token.start())
    return None


def find_deadline(text: str, anchor: datetime | None,
                  clock: BusinessClock | None = None) -> Deadline | None:
    """The first deadline phrase in ``text`` and what it resolves to."""
    has_digit = DIGIT.search(text) is not None
    match = _first_deadline_match(text) or (CLOCK_DEADLINE.search(text) if has_digit
                                             else None)
    if match is None:
        match = _bare_weekday(text)
        if match is None:
            return None
    groups = match.groupdict()
    clock_match = CLOCK_RE.search(text) if CLOCK_HINT.search(text) else None
    at = _clock(clock_match.groupdict(), end_of_day(clock)) if clock_match else None
    start, end = match.start(), match.end()
    if clock_match and abs(clock_match.start() - end) <= CLOCK_NEAR_CHARS:
        end = max(end, clock_match.end())
    due: datetime | None = None
    if anchor is not None:
        zone: tzinfo | None = anchor.tzinfo
        calendar_match = CALENDAR_RE.search(text) if has_digit else None
        calendar = (_calendar_date(calendar_match.groupdict(), anchor.date())
                    if calendar_match else None)
        if calendar is not None:
            due = datetime.combine(calendar, at or end_of_day(clock), zone)
        else:
            relative = _relative_date(groups, anchor, clock)
            if relative is not None:
                due = relative.replace(hour=at.hour, minute=at.minute) if at else relative
            elif at is not None:
                due = datetime.combine(anchor.date(), at, zone)
                if due < anchor:
                    due += timedelta(days=1)
    return Deadline(text[start:end], start, end, due)


# Zones that quote headers name ("5:01:12 PM PDT", "10:15 UTC+8", "+0200")
ZONE_NAMES = {"utc": 0, "gmt": 0, "z": 0, "cet": 60, "cest": 120, "met": 60, "mesz": 120,
              "mez": 60, "bst": 60, "ist": 330, "est": -300, "edt": -240, "cst": -360,
              "cdt": -300, "mst": -420, "mdt": -360, "pst": -480, "pdt": -420, "jst": 540,
              "aest": 600, "aedt": 660}
ZONE_IN_TEXT = re.compile(
    r"(?:\b(?P<name>" + "|".join(ZONE_NAMES) + r")\b(?:\s*(?P<sign>[+-])(?P<hours>\d{1,2})"
    r"(?::?(?P<minutes>\d{2}))?\b)?|(?P<sign2>[+-])(?P<offset>\d{4})\b)", re.IGNORECASE)
# a quote written this long before the reply is more likely a misread date than a wait
MAX_PLAUSIBLE_WAIT = timedelta(days=366)


def zone_in_text(text: str) -> tzinfo | None:
    """The time zone a quote header names, if any."""
    for match in ZONE_IN_TEXT.finditer(text):
        if match.group("offset"):
            value = match.group("offset")
            minutes = int(value[:2]) * 60 + int(value[2:])
            sign = -1 if match.group("sign2") == "-" else 1
        else:
            minutes = ZONE_NAMES[match.group("name").lower()]
            sign = 1
            if match.group("hours"):   # "UTC+8", "GMT-05:00"
                extra = int(match.group("hours")) * 60 + int(match.group("minutes") or 0)
                minutes += extra if match.group("sign") == "+" else -extra
        if abs(minutes) <= 14 * 60:
            return timezone(sign * timedelta(minutes=minutes))
    return None


def attribution_time_known(text: str) -> bool:
    """Does the "On ... wrote:" line give the time of day ("On Thu, 2 Jul 2015, Bert wrote:"
    gives the day only: a wait in hours cannot be known from it)?"""
    match = ATTRIBUTION_DATE.search(text)
    if match is None:
        return bool(re.search(r"\d:\d\d", text))
    return _clock(match.groupdict()) is not None


def attribution_zone_known(text: str, reply_date: datetime | None) -> bool:
    """Is the zone of the quote header's clock known? The replier's client writes it in the
    replier's local time: the header names the zone, or the reply's own Date gives it (no
    Date: a draft being written now, here, in the local zone). A Date in UTC does not:
    Exchange, Yahoo and web mail stamp UTC whatever the writer's zone ("Sent: Thursday,
    July 2, 2015 4:13 PM" beside "Date: Fri, 3 Jul 2015 00:48 +0000")."""
    if reply_date is None:
        return True
    match = ATTRIBUTION_DATE.search(text)
    after = text[match.end():match.end() + 40] if match else text
    return zone_in_text(after) is not None or reply_date.utcoffset() not in (None, timedelta(0))


def parse_attribution_date(text: str, zone: tzinfo | None,
                           reference: datetime | None = None) -> datetime | None:
    """The date in an "On ... wrote:" / "Am ... schrieb" / "Sent:" line. ``reference``
    (the reply's own Date) decides "09/06/2016": the reading that lies before the reply,
    and closest to it, is the one the quote meant."""
    from email.utils import parsedate_to_datetime

    match = ATTRIBUTION_DATE.search(text)
    if match is None:
        try:
            parsed = parsedate_to_datetime(text.split(":", 1)[-1].strip())
        except (TypeError, ValueError, IndexError):
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
    named_zone = zone_in_text(text[match.end():match.end() + 40])
    zone = named_zone or zone
    groups = match.groupdict()
    if groups.get("year2"):
        groups["year"] = groups["year2"]
    year_start = date(int(groups.get("year") or groups.get("yyyy") or groups.get("iy")
                          or groups.get("uy") or 2000), 1, 1)
    at = _clock(groups) or time(0, 0)
    readings = [groups]
    if groups.get("um") and groups.get("ud") and groups["um"] != groups["ud"]:
        readings.append({**groups, "um": groups["ud"], "ud": groups["um"]})   # day first
    candidates = [datetime.combine(day, at, zone) for day in
                  (_calendar_date(reading, year_start) for reading in readings) if day]
    if not candidates:
        return None
    if reference is None or len(candidates) == 1:
        return candidates[0]
    reference = reference if reference.tzinfo else reference.replace(tzinfo=zone)
    before = [c for c in candidates if c <= reference]
    return max(before) if before else min(candidates, key=lambda c: abs(c - reference))
