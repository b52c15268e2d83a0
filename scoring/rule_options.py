"""The options a rule may set, and of what kind: the schema of a pack's ``options``.

A code rule's options are what its check reads (scoring/checks.py): message texts,
phrase lists (regular expressions when the key ends in ``_patterns``) and the ``cases``
it reports, each case with a message text of its name. A data rule may set
``outside_promises`` and ``span_patterns`` (scoring/matcher.py). Anything else is a typo
or a leftover, which the check would read as "not set": a ConfigError naming the known
options, as for an unknown key anywhere else in a pack. The Scorer checks every rule
of its rulebook, built or cached, so a cache never hides a mistake.
"""

from __future__ import annotations

import difflib
from typing import Any

from scoring.errors import ConfigError
from scoring.rules import Rule

TEXT, WORDS, FLAG, CASES = "text", "words", "flag", "cases"
REQUIRED, OPTIONAL = True, False

CHECK_OPTIONS: dict[str, dict[str, tuple[str, bool]]] = {
    "vague-promises": {
        "cases": (CASES, OPTIONAL), "toward_reader": (FLAG, OPTIONAL),
        "follow_ups": (WORDS, OPTIONAL), "events": (WORDS, OPTIONAL),
        "conditions_patterns": (WORDS, OPTIONAL), "not_commitments": (WORDS, OPTIONAL),
    },
    "hedged-promises": {"toward_reader": (FLAG, OPTIONAL)},
    "over-promises": {"phrases": (WORDS, REQUIRED)},
    "slow-reply": {
        "waited": (TEXT, REQUIRED), "owned": (TEXT, REQUIRED), "asked": (WORDS, REQUIRED),
        "acknowledged": (WORDS, OPTIONAL),
    },
    "unanswered-questions": {"cases": (CASES, OPTIONAL),
                             "direct_ask_patterns": (WORDS, OPTIONAL)},
    "upset-without-apology": {
        "apology": (WORDS, REQUIRED), "cue": (TEXT, REQUIRED),   # the cues: a guard
        "upset_at_sender": (WORDS, OPTIONAL), "at_sender": (WORDS, OPTIONAL),
    },
}
DATA_RULE_OPTIONS: dict[str, tuple[str, bool]] = {
    "outside_promises": (FLAG, OPTIONAL), "span_patterns": (WORDS, OPTIONAL),
}
KIND_HELP = {TEXT: "a string", WORDS: "a non-empty list of strings", FLAG: "true or false",
             CASES: "a non-empty list of strings"}


def check_options(rule: Rule, case_texts: tuple[str, ...] = ()) -> None:
    """Raise a ConfigError for an option ``rule`` lacks, has of the wrong kind, or sets
    that nothing reads. ``case_texts``: the message options of its ``cases``."""
    schema = dict(CHECK_OPTIONS.get(rule.check, {}) if rule.kind == "code"
                  else DATA_RULE_OPTIONS)
    schema.update({case: (TEXT, REQUIRED) for case in case_texts})
    for key, (kind, required) in schema.items():
        if key not in rule.options:
            if required:
                raise option_error(rule, key, f"the {rule.check!r} check needs this option")
        elif not of_kind(kind, rule.options[key]):
            raise option_error(rule, key, f"expected {KIND_HELP[kind]}")
    for key in rule.options:
        if key not in schema:
            hint = difflib.get_close_matches(key, sorted(schema), n=1)
            fix = (f"did you mean {hint[0]!r}?" if hint else
                   f"known: {', '.join(sorted(schema))}" if schema else "it takes none")
            reader = f"the {rule.check!r} check" if rule.kind == "code" else f"a {rule.kind} rule"
            raise option_error(rule, key, f"unknown option: {reader} does not read it ({fix})")


def of_kind(kind: str, value: Any) -> bool:
    if kind == TEXT:
        return isinstance(value, str)
    if kind == FLAG:
        return isinstance(value, bool)
    return (isinstance(value, list) and bool(value)
            and all(isinstance(item, str) and item for item in value))


def option_error(rule: Rule, key: str, problem: str) -> ConfigError:
    return ConfigError(rule.source, f"{rule.rule_id}.options.{key}", problem)
