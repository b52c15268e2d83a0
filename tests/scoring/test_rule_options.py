"""A rule's options are checked against what its check reads: a typo is a ConfigError."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from daemon.config.load import load_config
from scoring import Scorer
from scoring.checks import CODE_CHECKS, case_options
from scoring.errors import ConfigError
from scoring.rule_options import CHECK_OPTIONS, check_options
from scoring.rules import Rule, RuleBook


def with_options(scorer: Scorer, rule_id: str, **changes: Any) -> Rule:
    rule = scorer.rulebook.by_id()[rule_id]
    options = {**rule.options, **changes}
    return replace(rule, options={k: v for k, v in options.items() if v is not None})


def test_every_check_has_a_schema() -> None:
    assert set(CHECK_OPTIONS) == set(CODE_CHECKS)


@pytest.mark.parametrize(("rule_id", "changes", "key", "problem"), [
    ("en.promises.vague-commitment", {"toward_reder": True}, "toward_reder",
     "did you mean 'toward_reader'?"),
    ("en.promises.vague-commitment", {"events": "once"}, "events",
     "a non-empty list of strings"),
    ("en.promises.vague-commitment", {"no_owner": None}, "no_owner", "needs this option"),
    ("en.promises.vague-commitment", {"vague_word": ["soon"]}, "vague_word", "a string"),
    ("en.promises.over-promise", {"phrases": []}, "phrases", "a non-empty list"),
    ("en.responsiveness.slow-reply", {"waited": None}, "waited", "needs this option"),
    ("de.promises.hedged-commitment", {"follow_ups": ["melde mich"]}, "follow_ups",
     "the 'hedged-promises' check does not read it"),
])
def test_a_wrong_option_names_the_rule_and_the_key(scorer: Scorer, rule_id: str,
                                                   changes: dict[str, Any], key: str,
                                                   problem: str) -> None:
    rule = with_options(scorer, rule_id, **changes)
    with pytest.raises(ConfigError) as raised:
        check_options(rule, case_options(rule))
    assert raised.value.key == f"{rule_id}.options.{key}"
    assert problem in raised.value.problem


def test_a_data_rule_takes_only_the_matchers_options(scorer: Scorer) -> None:
    rule = next(r for r in scorer.rulebook.by_id().values() if r.kind == "phrases")
    check_options(replace(rule, options={"outside_promises": True}))
    with pytest.raises(ConfigError, match="a phrases rule does not read it"):
        check_options(replace(rule, options={"outside_promise": True}))
    with pytest.raises(ConfigError, match="expected true or false"):
        check_options(replace(rule, options={"outside_promises": "yes"}))


def test_the_scorer_refuses_a_rulebook_with_a_mistyped_option(scorer: Scorer) -> None:
    """Also a rulebook from the cache: the check runs when the Scorer is built."""
    book = scorer.rulebook
    rule = with_options(scorer, "en.promises.vague-commitment", follow_up=["call you"])
    rules = {language: tuple(rule if r.rule_id == rule.rule_id else r for r in language_rules)
             for language, language_rules in book.rules.items()}
    with pytest.raises(ConfigError, match="did you mean 'follow_ups'"):
        Scorer(load_config().scoring, rulebook=RuleBook(
            rules=rules, guards=book.guards, indexes=book.indexes, kind_cues=book.kind_cues,
            lexicons=book.lexicons))
