"""Typed scoring settings decoded strictly from the merged config.

The daemon reads files and merges layers; this module only turns plain data into
typed, validated values (no I/O), so the scoring core stays pure. A default is written
once, as the dataclass field; the parsers read it from there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from typing import Any

from scoring.validation import Table

DIMENSIONS: tuple[str, ...] = ("honesty", "disclosure", "responsiveness", "promises", "tone")
VERDICTS: tuple[str, ...] = ("pass", "warn", "hold")
LANGUAGES: tuple[str, ...] = ("en", "de")
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_SCORE = 100


@dataclass(frozen=True)
class Thresholds:
    """A score below ``warn`` warns, below ``hold`` holds (named actions, as in rspamd)."""

    warn: int = 70
    hold: int = 40

    def verdict(self, score: int) -> str:
        if score < self.hold:
            return "hold"
        if score < self.warn:
            return "warn"
        return "pass"


@dataclass(frozen=True)
class DimensionSettings:
    """How one dimension's findings become its score."""

    weight: float = 1.0    # share in the overall score
    cap: int = 70          # most penalty points the dimension can lose (0-100)
    thresholds: Thresholds = field(default_factory=Thresholds)


@dataclass(frozen=True)
class BusinessHours:
    """The working calendar that business-time clocks count in."""

    timezone: str = "UTC"
    days: tuple[int, ...] = (0, 1, 2, 3, 4)     # Monday = 0
    start: time = time(9, 0)
    end: time = time(17, 0)
    holidays: str = ""                           # country code for the holidays package
    holiday_subdivision: str = ""
    sla_hours: float = 24.0
    slow_reply_business_days: int = 2
    internal_domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleOverride:
    """A layer's change to one rule, by id: weight, enabled, phrases added or removed."""

    rule_id: str
    source: str
    weight: float | None = None
    enabled: bool | None = None
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()


@dataclass(frozen=True)
class RulePackFile:
    """One parsed rule pack file ``rules/<lang>/<dimension>.toml``."""

    language: str
    dimension: str
    source: str
    data: dict[str, Any]


@dataclass(frozen=True)
class ScoringSettings:
    thresholds: Thresholds
    dimensions: dict[str, DimensionSettings]
    business: BusinessHours
    rule_packs: tuple[RulePackFile, ...] = ()
    overrides: dict[str, RuleOverride] = field(default_factory=dict)
    default_language: str = "en"


def parse_thresholds(table: Table, default: Thresholds | None = None) -> Thresholds:
    base = default or Thresholds()
    warn = table.get_int("warn", base.warn, minimum=0, maximum=MAX_SCORE)
    hold = table.get_int("hold", base.hold, minimum=0, maximum=MAX_SCORE)
    if hold > warn:
        raise table.error("hold", f"hold ({hold}) must not be above warn ({warn})")
    table.finish()
    return Thresholds(warn=warn, hold=hold)


def parse_dimensions(table: Table, overall: Thresholds) -> dict[str, DimensionSettings]:
    result: dict[str, DimensionSettings] = {}
    d = DimensionSettings()
    for name in DIMENSIONS:
        sub = table.table(name)
        weight = sub.get_float("weight", d.weight, minimum=0.0)
        cap = sub.get_int("cap", d.cap, minimum=0, maximum=MAX_SCORE)
        thresholds = parse_thresholds(sub.table("thresholds"), overall)
        sub.finish()
        result[name] = DimensionSettings(weight=weight, cap=cap, thresholds=thresholds)
    table.finish()
    return result


def parse_clock(table: Table, key: str, value: str) -> time:
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise table.error(key, f"{value!r} is not a time like \"09:00\"") from None


def parse_business(table: Table) -> BusinessHours:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    d = BusinessHours()
    timezone = table.get_str("timezone", d.timezone)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise table.error("timezone", f"unknown time zone {timezone!r} "
                          "(use an IANA name such as \"Europe/Berlin\")") from None
    day_names = table.get_str_list("days", [WEEKDAYS[day] for day in d.days])
    days: list[int] = []
    for name in day_names:
        if name.lower() not in WEEKDAYS:
            raise table.error("days", f"{name!r} is not one of {', '.join(WEEKDAYS)}")
        days.append(WEEKDAYS.index(name.lower()))
    hours = table.get_str_list("hours", [f"{d.start:%H:%M}", f"{d.end:%H:%M}"])
    if len(hours) != 2:
        raise table.error("hours", "expected [\"start\", \"end\"], e.g. [\"09:00\", \"17:00\"]")
    start, end = parse_clock(table, "hours", hours[0]), parse_clock(table, "hours", hours[1])
    if end <= start:
        raise table.error("hours", "the end of the working day must be after its start")
    holidays = table.get_str("holidays", d.holidays)
    subdivision = table.get_str("holiday_subdivision", d.holiday_subdivision)
    if holidays:
        # the registry's codes: list_supported_countries() imports all 500 countries
        from holidays.registry import EntityLoader

        if holidays.upper() not in EntityLoader.get_country_codes(include_aliases=True):
            raise table.error("holidays", f"{holidays!r} is not a country code the holidays "
                              "package knows (e.g. \"DE\", \"US\"); use \"\" for none")
    business = BusinessHours(
        timezone=timezone,
        days=tuple(sorted(set(days))),
        start=start,
        end=end,
        holidays=holidays.upper(),
        holiday_subdivision=subdivision,
        sla_hours=table.get_float("sla_hours", d.sla_hours, minimum=0.0),
        slow_reply_business_days=table.get_int("slow_reply_business_days",
                                               d.slow_reply_business_days, minimum=0),
        internal_domains=tuple(domain.lower() for domain in
                               table.get_str_list("internal_domains", list(d.internal_domains))),
    )
    table.finish()
    return business


def parse_overrides(table: Table) -> dict[str, RuleOverride]:
    """``[rules."en.honesty.hedge"]`` tables: weight, enabled, add, remove."""
    overrides: dict[str, RuleOverride] = {}
    for rule_id in table.keys():
        sub = table.table(rule_id)
        overrides[rule_id] = RuleOverride(
            rule_id=rule_id,
            source=sub.origin(sub.path),
            weight=sub.get_float("weight", minimum=0.0) if sub.has("weight") else None,
            enabled=sub.get_bool("enabled") if sub.has("enabled") else None,
            add=tuple(sub.get_str_list("add", [])),
            remove=tuple(sub.get_str_list("remove", [])),
        )
        sub.finish()
    return overrides
