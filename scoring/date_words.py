"""A language's date and time words, as data: the ``[dates]`` table of its lexicon.

Month and weekday names, number words, the phrases that name a day ("tomorrow",
"übermorgen", "end of next week") or a time of day ("noon", "Feierabend"), and the
small words around them ("by Friday", "bis 15 Uhr", "the 24th"). scoring/dates.py is
the grammar that reads them; it holds no word of any language.

Mail mixes languages (a German reply says "bis EOD", a quote header is written in the
language of the replier's mail client), so dates are read with the words of every pack
at once: :func:`merge_date_words` joins them, in pack order.

Names (``months``, ``weekdays``, ``numbers``, ``zones``) are lower-case literal words
mapped to their number; every other list holds regular-expression alternatives,
matched ignoring case. A phrase that can start a deadline (the lists in
``STARTING_LISTS``) begins with a word, or with a group of words ``(?:by|until)``: the
deadline search is tried only where one of those words stands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Any

from scoring.validation import Table

# name -> number tables, and the range of their numbers
NAME_TABLES = {"months": (1, 12), "weekdays": (0, 6), "numbers": (1, 1000),
               "zones": (-14 * 60, 14 * 60), "header_months": (1, 12)}
# phrases by what they mean: the day each names is the grammar's (scoring/dates.py)
DAY_PHRASES = ("today", "day_after_tomorrow", "tomorrow_morning", "tomorrow",
               "end_of_week", "end_of_next_week", "end_of_month", "next_week", "this_week",
               "next_month", "now")
UNIT_LISTS = ("hours", "minutes", "days", "weeks")
# the regex lists that can start a deadline phrase
STARTING_LISTS = (*DAY_PHRASES, "within", "before_weekday", "event_prepositions",
                  "occasions", "workday_prepositions", "nth_day")
PATTERN_LISTS = (
    *STARTING_LISTS,
    "ordinal_suffixes",      # "3rd": after a day number
    "day_of",                # "3rd of March"
    "am", "pm",              # "9 am", "5 p.m."
    "o_clock",               # "15 Uhr": after an hour
    "noon", "end_of_day",    # times of day by name
    "before_clock",          # "by 3 pm", "bis 15 Uhr"
    "at_clock",              # "On 2 Nov 2026 at 8:51": in a quote header
    # quote headers written by mail clients in languages no pack scores: "Le 4 déc. 2026
    # à 10:15", "El 4 de diciembre de 2026 a las 10:15" (header_months holds their names)
    "header_at_clock", "header_of",
    "within_next",           # "within the next 3 days"
    "business",              # "3 business days": before the unit
    *UNIT_LISTS,             # the units of "within 3 days"
    "event_determiners", "event_nouns",    # "after (our) (meeting)"
    "ordinals", "workdays",                # "on the (second) (business day)"
)
NAME_LIST = re.compile(r"\(\?:((?:[^\W\d_]+\|)*[^\W\d_]+)\)")
LEADING_WORD = re.compile(r"[^\W\d_]+")
# what may follow a phrase's leading word: nothing, a space, or a group that starts with one
WORD_END = re.compile(r"$|[ ]|\\s|\\b|\(\?:(?:[ ]|\\s)")


@dataclass(frozen=True)
class DateWords:
    """The date words of one pack, or of all packs merged."""

    months: dict[str, int]
    weekdays: dict[str, int]          # Monday = 0
    numbers: dict[str, int]
    zones: dict[str, int]             # minutes east of UTC
    ambiguous_weekdays: tuple[str, ...]   # also words ("sun"): a weekday only after "on"...
    patterns: dict[str, tuple[str, ...]]  # PATTERN_LISTS -> regex alternatives
    start_words: frozenset[str]       # lower-case: every deadline phrase starts with one
    # month names read in quote headers only ("déc.", "dicembre"): never in deadlines
    header_months: dict[str, int] = field(default_factory=dict)

    def alternation(self, name: str) -> str:
        """The alternatives of one list as a regex; one that never matches when empty."""
        alternatives = self.patterns[name]
        return "|".join(alternatives) if alternatives else "(?!)"


NO_DATE_WORDS = DateWords({}, {}, {}, {}, (), {name: () for name in PATTERN_LISTS},
                          frozenset())


def parse_date_words(table: Table) -> DateWords:
    """Decode and validate a lexicon's ``[dates]`` table (missing: no date words)."""
    names = {name: name_table(table, name, low, high)
             for name, (low, high) in NAME_TABLES.items()}
    ambiguous = tuple(table.get_str_list("ambiguous_weekdays", []))
    for word in ambiguous:
        if word not in names["weekdays"]:
            raise table.error("ambiguous_weekdays", f"{word!r} is not one of `weekdays`")
    patterns = {name: tuple(table.get_str_list(name, [])) for name in PATTERN_LISTS}
    for name, alternatives in patterns.items():
        for alternative in alternatives:
            check_pattern(table, name, alternative)
    table.finish()
    starts = {word for name in STARTING_LISTS for alternative in patterns[name]
              for word in leading_words(table, name, alternative)}
    return DateWords(months=names["months"], weekdays=names["weekdays"],
                     numbers=names["numbers"], zones=names["zones"],
                     ambiguous_weekdays=ambiguous, patterns=patterns,
                     start_words=frozenset(starts | set(names["months"])
                                           | set(names["weekdays"])),
                     header_months=names["header_months"])


def name_table(table: Table, key: str, low: int, high: int) -> dict[str, int]:
    sub = table.table(key)
    names: dict[str, int] = {}
    for name in sub.keys():
        if not name or name != name.lower() or name != name.strip():
            raise sub.error(name, "names are lower-case words (they match ignoring case)")
        names[name] = sub.get_int(name, minimum=low, maximum=high)
    sub.finish()
    return names


def check_pattern(table: Table, key: str, alternative: str) -> None:
    try:
        compiled = re.compile(alternative, re.IGNORECASE)
    except re.error as error:
        raise table.error(key, f"invalid regular expression {alternative!r}: {error}") from None
    if not alternative.strip():
        raise table.error(key, "an empty pattern matches everywhere")
    if compiled.groups:
        raise table.error(key, f"{alternative!r}: write groups as (?:...), the grammar "
                          "names its own")
    if compiled.flags & ~(re.UNICODE | re.IGNORECASE):
        # the lists are joined into one regex, where a global flag is an error
        raise table.error(key, "no global inline flags such as (?s); scope them: (?s:...)")


def leading_words(table: Table, key: str, alternative: str) -> list[str]:
    """The words a phrase can start with: its first word, or the words of a leading
    ``(?:a|b)``; a ConfigError when it starts otherwise (the search would skip it)."""
    group = NAME_LIST.match(alternative)
    word = LEADING_WORD.match(alternative)
    match = group or word
    if match is None or not WORD_END.match(alternative, match.end()) or top_level_or(
            alternative):
        raise table.error(key, f"{alternative!r}: a phrase that can start a deadline "
                          "begins with a whole word, or with (?:word|word) and a space, and "
                          "has no | outside a group (write two phrases)")
    words = group.group(1).split("|") if group else [match.group()]
    return [w.lower() for w in words]


def top_level_or(pattern: str) -> bool:
    """Does ``pattern`` hold a ``|`` outside every group and character class?"""
    depth, in_class, escaped = 0, False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
    return False


def merge_date_words(packs: list[DateWords]) -> DateWords:
    """The words of every pack, in pack order (a name the packs number differently
    keeps the first pack's number)."""
    merged = NO_DATE_WORDS
    for words in packs:
        merged = DateWords(
            months=first_wins(merged.months, words.months),
            weekdays=first_wins(merged.weekdays, words.weekdays),
            numbers=first_wins(merged.numbers, words.numbers),
            zones=first_wins(merged.zones, words.zones),
            ambiguous_weekdays=merged.ambiguous_weekdays + words.ambiguous_weekdays,
            patterns={name: merged.patterns[name] + words.patterns[name]
                      for name in PATTERN_LISTS},
            start_words=merged.start_words | words.start_words,
            header_months=first_wins(merged.header_months, words.header_months))
    return merged


def first_wins(first: dict[str, int], then: dict[str, int]) -> dict[str, int]:
    return {**first, **{name: number for name, number in then.items() if name not in first}}


def date_words_to_data(words: DateWords) -> dict[str, Any]:
    """Plain data for the rulebook cache (scoring/rulebook_data.py)."""
    data = {f.name: getattr(words, f.name) for f in fields(DateWords)}
    data["start_words"] = tuple(sorted(words.start_words))
    return data


def date_words_from_data(data: dict[str, Any]) -> DateWords:
    return DateWords(months=dict(data["months"]), weekdays=dict(data["weekdays"]),
                     numbers=dict(data["numbers"]), zones=dict(data["zones"]),
                     ambiguous_weekdays=tuple(data["ambiguous_weekdays"]),
                     patterns={name: tuple(values) for name, values in data["patterns"].items()},
                     start_words=frozenset(data["start_words"]),
                     header_months=dict(data["header_months"]))
