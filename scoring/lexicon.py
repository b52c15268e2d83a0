"""A language's commitment lexicon, as data: ``rules/<lang>/lexicon.toml``.

Who undertakes something ("I will", "wir werden"), what only looks like an undertaking
("if you need", "freue mich"), the hedge words, the times that name no time ("soon",
"bald"), the marks of a sentence about the past ("customs released it on Wednesday"),
what an undertaking toward the reader contains ("send", "you": the ``undertakings``
that the promise checks read), the literal words without which a pattern cannot match
(a cheap test that keeps the regexes off most sentences), in its ``[dates]`` table the
date and time words (scoring/date_words.py), and in its ``[lists]`` table the word lists
several rules of the language read, written once (scoring/shared_lists.py). scoring/promises.py and
scoring/dates.py hold no word of any language: adding one is adding its pack.

Each pattern list is a set of regular-expression alternatives, tried in order as one
alternation, matched ignoring case (they run over lower-cased text, see
scoring/lowered.py), except ``named``, which needs the capitals ("Leo will call you").
``{future}`` in a pattern stands for the ``future`` alternatives (" will", " am going
to"); ``negation``, when set, must not follow a sender's or team's undertaking ("I will
not"). The regexes are compiled when a sentence first needs them (scoring/lazy_regex.py),
except to validate a freshly read pack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from scoring.date_words import (
    DateWords,
    date_words_from_data,
    date_words_to_data,
    merge_date_words,
    parse_date_words,
)
from scoring.dates import DateGrammar
from scoring.lazy_regex import LazyRegex
from scoring.lowered import compile_for_lowered
from scoring.settings import RulePackFile
from scoring.shared_lists import LISTS_TABLE, SharedLists, parse_shared_lists
from scoring.validation import Table

LEXICON_FILE = "lexicon"
# the owners of a commitment, each a named group of one regex, in the order tried
OWNER_GROUPS = ("sender", "team", "unclear", "thing")
NEGATED_OWNERS = ("sender", "team")
PATTERN_LISTS = (*OWNER_GROUPS, "implicit", "not_commitments", "hedges", "vague_timing",
                 "past", "undertakings")
DATES_TABLE = "dates"
NEEDLE_LISTS = ("anchors", "unclear_needles", "thing_needles")
FUTURE = "{future}"
PLACEHOLDER = re.compile(r"\{([A-Za-z_]\w*)\}")


@dataclass(frozen=True, eq=False)   # compared by identity: a cheap key for sentence caches
class Lexicon:
    """A lexicon ready to match: the patterns for lower-cased text, ``named`` as written."""

    language: str
    patterns: dict[str, LazyRegex]          # PATTERN_LISTS -> regex for lower-cased text
    named: LazyRegex | None                 # case-sensitive: a colleague by name will
    anchors: tuple[str, ...]                # lower-case: every commitment contains one
    unclear_needles: tuple[str, ...]        # lower-case: `unclear` cannot match without one
    thing_needles: tuple[str, ...]
    named_needles: tuple[str, ...]
    # one pass instead of four, a group per owner; by whether the needles of `unclear`
    # and of `thing` occur (a regex without groups that cannot match is faster)
    owners: dict[tuple[bool, bool], LazyRegex]
    anchor_regex: LazyRegex
    implicit: LazyRegex                     # the patterns a sentence needs, by name
    not_commitments: LazyRegex
    hedges: LazyRegex
    vague_timing: LazyRegex
    undertakings: LazyRegex                 # toward the reader: "send", "you" (checks.py)
    date_words: DateWords                   # this pack's
    # deadlines are read with the words of every pack (see share_dates)
    dates: DateGrammar
    shared_lists: SharedLists               # the rules' options refer to these by name


def make_lexicon(language: str, patterns: dict[str, LazyRegex], named: LazyRegex | None,
                 needles: dict[str, tuple[str, ...]], date_words: DateWords,
                 shared_lists: SharedLists) -> Lexicon:
    """The lexicon of these (validated) patterns; compiles nothing."""
    anchors = needles["anchors"]
    owners = {(unclear, thing): LazyRegex("|".join(
                  f"(?P<{owner}>{patterns[owner].pattern})" for owner in OWNER_GROUPS
                  if (owner != "unclear" or unclear) and (owner != "thing" or thing)))
              for unclear in (False, True) for thing in (False, True)}
    return Lexicon(language=language, patterns=patterns, named=named, anchors=anchors,
                   unclear_needles=needles["unclear_needles"],
                   thing_needles=needles["thing_needles"],
                   named_needles=needles.get("named_needles", ()),
                   owners=owners,
                   anchor_regex=LazyRegex("|".join(re.escape(a) for a in anchors)),
                   implicit=patterns["implicit"], not_commitments=patterns["not_commitments"],
                   hedges=patterns["hedges"], vague_timing=patterns["vague_timing"],
                   undertakings=patterns["undertakings"], date_words=date_words,
                   dates=DateGrammar(date_words), shared_lists=shared_lists)


def share_dates(lexicons: dict[str, Lexicon]) -> tuple[dict[str, Lexicon], DateGrammar]:
    """The lexicons reading dates with the words of them all, and that grammar: mail mixes
    languages ("bis EOD"), and a quote header is in the language of the replier's mail
    client, whatever the draft's."""
    grammar = DateGrammar(merge_date_words([lexicon.date_words
                                            for lexicon in lexicons.values()]))
    return ({language: replace(lexicon, dates=grammar)
             for language, lexicon in lexicons.items()}, grammar)


def parse_lexicon(pack: RulePackFile) -> Lexicon:
    """Decode and validate ``rules/<lang>/lexicon.toml``: an unknown key, a regex that
    does not compile, an upper-case needle or an unknown placeholder is a ConfigError."""
    table = Table(pack.data, pack.source)
    future = table.get_str_list("future", [])
    negation = table.get_str("negation", "")
    patterns: dict[str, LazyRegex] = {}
    for name in PATTERN_LISTS:
        source = alternation(table, name, table.get_str_list(name), future)
        if negation and name in NEGATED_OWNERS:
            source = f"(?:{source})(?!{negation})"
        patterns[name] = LazyRegex.of(compile_lowered(table, name, source))
    named_alternatives = table.get_str_list("named", [])
    named = None
    if named_alternatives:
        named = LazyRegex.of(compile_checked(
            table, "named", alternation(table, "named", named_alternatives, future), 0))
    needles = {name: needle_list(table, name) for name in NEEDLE_LISTS}
    if named is not None:
        needles["named_needles"] = needle_list(table, "named_needles")
    elif table.has("named_needles"):
        raise table.error("named_needles", "the needles of `named`, which this pack lacks")
    date_words = parse_date_words(table.table(DATES_TABLE))
    shared_lists = parse_shared_lists(table.table(LISTS_TABLE))
    table.finish()
    return make_lexicon(pack.language, patterns, named, needles, date_words, shared_lists)


def alternation(table: Table, key: str, alternatives: list[str], future: list[str]) -> str:
    """The alternatives as one regex source, ``{future}`` filled in."""
    if not alternatives or any(not a.strip() for a in alternatives):
        raise table.error(key, "a non-empty list of non-empty patterns")
    for alternative in alternatives:
        for placeholder in PLACEHOLDER.finditer(alternative):
            if placeholder.group() != FUTURE:
                raise table.error(key, f"unknown placeholder {placeholder.group()!r} in "
                                  f"{alternative!r}; the one placeholder is {FUTURE}")
            if not future:
                raise table.error(key, f"{alternative!r} uses {FUTURE}, and the pack has "
                                  "no `future` list")
    filled = "(?:" + "|".join(future) + ")"
    return "|".join(a.replace(FUTURE, filled) for a in alternatives)


def compile_checked(table: Table, key: str, source: str, flags: int) -> re.Pattern[str]:
    try:
        compiled = re.compile(source, flags)
    except re.error as error:
        raise table.error(key, f"invalid regular expression: {error}") from None
    if compiled.groupindex:
        raise table.error(key, "write groups as (?:...): named groups are reserved "
                          f"(found {', '.join(compiled.groupindex)})")
    if compiled.flags & ~(re.UNICODE | flags):
        # the owners are joined into one regex, where a global flag is an error
        raise table.error(key, "no global inline flags such as (?s); scope them: (?s:...)")
    return compiled


def compile_lowered(table: Table, key: str, source: str) -> re.Pattern[str]:
    try:
        return compile_for_lowered(compile_checked(table, key, source, re.IGNORECASE))
    except ValueError as error:
        raise table.error(key, str(error)) from None


def needle_list(table: Table, key: str) -> tuple[str, ...]:
    needles = table.get_str_list(key)
    if not needles:
        raise table.error(key, "a non-empty list of lower-case strings")
    for needle in needles:
        if not needle or needle != needle.lower():
            raise table.error(key, f"{needle!r}: needles are non-empty and lower-case "
                              "(they are looked for in lower-cased text)")
    return tuple(needles)


def lexicon_to_data(lexicon: Lexicon) -> dict[str, Any]:
    """Plain data for the rulebook cache (scoring/rulebook_data.py)."""
    return {"language": lexicon.language,
            "patterns": {name: (regex.pattern, regex.flags)
                         for name, regex in lexicon.patterns.items()},
            "named": None if lexicon.named is None else (lexicon.named.pattern,
                                                         lexicon.named.flags),
            "needles": {"anchors": lexicon.anchors,
                        "unclear_needles": lexicon.unclear_needles,
                        "thing_needles": lexicon.thing_needles,
                        "named_needles": lexicon.named_needles},
            "dates": date_words_to_data(lexicon.date_words),
            "shared_lists": lexicon.shared_lists}


def lexicon_from_data(data: dict[str, Any]) -> Lexicon:
    patterns = {name: LazyRegex(pattern, flags)
                for name, (pattern, flags) in data["patterns"].items()}
    named = None if data["named"] is None else LazyRegex(*data["named"])
    needles = {name: tuple(values) for name, values in data["needles"].items()}
    return make_lexicon(data["language"], patterns, named, needles,
                        date_words_from_data(data["dates"]),
                        {name: tuple(values) for name, values in data["shared_lists"].items()})
