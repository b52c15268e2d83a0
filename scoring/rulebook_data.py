"""A rulebook as plain data (dicts, tuples, strings, numbers) and back.

What the daemon caches so that a warm start skips decoding, validating and compiling
the rule packs: the data holds each regex as its source and flags, and the rulebook
rebuilt from it compiles a regex when a draft first needs it (scoring/lazy_regex.py).
Pickle cannot do this: the classes compiled with mypyc are frozen and do not unpickle.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from scoring.lazy_regex import LazyRegex
from scoring.lexicon import lexicon_from_data, lexicon_to_data, share_dates
from scoring.rules import Examples, Guard, Rule, RuleBook, build_index
from scoring.sentence_kinds import KindCue

# bump when the shape below or the meaning of a Rule field changes
DATA_FORMAT = 7
RULE_REGEXES = ("irregular_regex", "pattern_regex", "companion_regex", "companion_any_regex")


def rulebook_to_data(book: RuleBook) -> dict[str, Any]:
    return {
        "format": DATA_FORMAT,
        "rules": {language: tuple(rule_to_data(rule) for rule in rules)
                  for language, rules in book.rules.items()},
        "guards": {language: tuple(guard_to_data(guard) for guard in guards.values())
                   for language, guards in book.guards.items()},
        "kind_cues": {language: tuple((cue.kind, cue.description, regex_data(cue.regex))
                                      for cue in cues)
                      for language, cues in book.kind_cues.items()},
        "lexicons": {language: lexicon_to_data(lexicon)
                     for language, lexicon in book.lexicons.items()},
    }


def rulebook_from_data(data: dict[str, Any]) -> RuleBook:
    """The rulebook ``data`` describes; ValueError (or TypeError, KeyError) when it is not
    data of :func:`rulebook_to_data` in this format."""
    if data.get("format") != DATA_FORMAT:
        raise ValueError(f"rulebook data of format {data.get('format')!r}, not {DATA_FORMAT}")
    rules = {language: tuple(rule_from_data(item) for item in items)
             for language, items in data["rules"].items()}
    guards = {language: {guard.name: guard for guard in map(guard_from_data, items)}
              for language, items in data["guards"].items()}
    kind_cues = {language: tuple(KindCue(kind=kind, description=description,
                                         regex=regex_from_data(regex))
                                 for kind, description, regex in items)
                 for language, items in data["kind_cues"].items()}
    lexicons, dates = share_dates({language: lexicon_from_data(item)
                                   for language, item in data["lexicons"].items()})
    return RuleBook(rules=rules, guards=guards, kind_cues=kind_cues, lexicons=lexicons,
                    dates=dates,
                    indexes={language: build_index(list(language_rules),
                                                   guards.get(language, {}).values())
                             for language, language_rules in rules.items()})


def regex_data(regex: LazyRegex) -> tuple[str, int]:
    return (regex.pattern, regex.flags)


def regex_from_data(data: tuple[str, int]) -> LazyRegex:
    pattern, flags = data
    if not isinstance(pattern, str) or not isinstance(flags, int):
        raise TypeError("a regex is its pattern and flags")
    return LazyRegex(pattern, flags)


def optional_regex_data(regex: LazyRegex | None) -> tuple[str, int] | None:
    return None if regex is None else regex_data(regex)


def optional_regex_from_data(data: tuple[str, int] | None) -> LazyRegex | None:
    return None if data is None else regex_from_data(data)


def rule_to_data(rule: Rule) -> dict[str, Any]:
    item: dict[str, Any] = {f.name: getattr(rule, f.name) for f in fields(Rule)}
    item["examples"] = (rule.examples.hit, rule.examples.miss, rule.examples.now)
    for name in RULE_REGEXES:
        item[name] = optional_regex_data(item[name])
    item["option_regexes"] = {key: regex_data(regex)
                              for key, regex in rule.option_regexes.items()}
    return item


def rule_from_data(data: dict[str, Any]) -> Rule:
    item = dict(data)
    hit, miss, now = item["examples"]
    item["examples"] = Examples(hit=tuple(hit), miss=tuple(miss), now=now)
    for name in RULE_REGEXES:
        item[name] = optional_regex_from_data(item[name])
    item["option_regexes"] = {key: regex_from_data(regex)
                              for key, regex in item["option_regexes"].items()}
    return Rule(**item)


def guard_to_data(guard: Guard) -> dict[str, Any]:
    item: dict[str, Any] = {f.name: getattr(guard, f.name) for f in fields(Guard)}
    item["regex"] = regex_data(guard.regex)
    item["pattern_regex"] = optional_regex_data(guard.pattern_regex)
    return item


def guard_from_data(data: dict[str, Any]) -> Guard:
    item = dict(data)
    item["regex"] = regex_from_data(item["regex"])
    item["pattern_regex"] = optional_regex_from_data(item["pattern_regex"])
    return Guard(**item)
