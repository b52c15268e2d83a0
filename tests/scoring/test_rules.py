"""Rule data: phrase templates, strict decoding of rule tables."""

from __future__ import annotations

import re

import pytest

from scoring.errors import ConfigError
from scoring.rules import Guard, Rule, build_rulebook, expand_phrase, parse_rules
from scoring.settings import RulePackFile
from scoring.validation import field_default


def test_phrase_templates_expand_choices_and_optional_words() -> None:
    assert expand_phrase("(has|have) [already] shipped") == [
        "has already shipped", "has shipped", "have already shipped", "have shipped"]
    assert expand_phrase("plain phrase") == ["plain phrase"]
    assert expand_phrase("is [now|widely] considered") == [
        "is now considered", "is widely considered", "is considered"]


def test_a_rule_without_examples_is_rejected() -> None:
    pack = RulePackFile("en", "honesty", "pack.toml", {"x": {
        "kind": "phrases", "weight": 1, "message": "m", "suggestion": "s",
        "phrases": ["maybe"], "examples": {"hit": ["maybe"], "miss": []}}})
    with pytest.raises(ConfigError, match="hit and one miss"):
        parse_rules(pack, set())


def test_unknown_rule_key_names_the_file_and_the_fix() -> None:
    pack = RulePackFile("en", "honesty", "pack.toml", {"x": {
        "kind": "phrases", "weight": 1, "message": "m", "suggestion": "s",
        "phrase": ["maybe"], "examples": {"hit": ["maybe"], "miss": ["no"]}}})
    with pytest.raises(ConfigError, match=r"pack.toml: x.phrase: unknown key \(did you mean"):
        parse_rules(pack, set())


@pytest.mark.parametrize(("template", "problem"), [
    ("(has|have shipped", "unbalanced or nested '('"),
    ("has shipped)", "unbalanced or nested ')'"),
    ("[already shipped", "unbalanced or nested '['"),
    ("has|have shipped", "'|' outside brackets"),
    ("() shipped", "empty choice"),
    ("(has|) shipped", "empty choice"),
    ("[already|] shipped", "empty choice"),
    ("[has (already|now)] shipped", "nests brackets"),
    # regex syntax in a phrase would be matched literally, so it never matches
    ("as (\\w+) said", "regex syntax '\\\\'"),
    ("as Tim (has )?said", "regex syntax '?'"),
])
def test_a_malformed_phrase_template_is_an_error(template: str, problem: str) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)):
        expand_phrase(template)


def test_a_malformed_template_in_a_pack_names_the_file_and_the_rule() -> None:
    pack = RulePackFile("en", "honesty", "pack.toml", {"x": {
        "kind": "phrases", "weight": 1, "message": "m", "suggestion": "s",
        "phrases": ["(has|have shipped"], "examples": {"hit": ["has"], "miss": ["no"]}}})
    with pytest.raises(ConfigError, match=r"pack.toml: x.phrases: the phrase template "
                                          r"'\(has\|have shipped' has an unbalanced"):
        parse_rules(pack, set())


GUARDS = RulePackFile("en", "guards", "guards.toml", {
    "customer-upset": {"kind": "quoted", "description": "d", "phrases": ["fed up"]},
    "negated": {"kind": "before", "description": "d", "phrases": ["not"]},
})


def minimising(only_when: list[str]) -> RulePackFile:
    return RulePackFile("en", "honesty", "honesty.toml", {"minimising": {
        "kind": "phrases", "weight": 1, "message": "m", "suggestion": "s",
        "phrases": ["minor issue"], "only_when": only_when,
        "examples": {"hit": ["a minor issue"], "miss": ["no"]}}})


def test_only_when_names_a_guard_of_the_whole_draft() -> None:
    book = build_rulebook((GUARDS, minimising(["customer-upset"])), {})
    assert book.by_id()["en.honesty.minimising"].only_when == ("customer-upset",)
    with pytest.raises(ConfigError, match=r"minimising.only_when: unknown guard 'upset'"):
        build_rulebook((GUARDS, minimising(["upset"])), {})
    # a sentence's context cannot switch a rule on for the whole draft
    with pytest.raises(ConfigError, match=r"guard 'negated' is of kind 'before'"):
        build_rulebook((GUARDS, minimising(["negated"])), {})


def test_what_a_pack_leaves_out_is_the_dataclass_default() -> None:
    """A default is written once, as the field of Rule or Guard; the parser reads it there."""
    book = build_rulebook((GUARDS, minimising([])), {})
    rule = book.by_id()["en.honesty.minimising"]
    assert (rule.enabled, rule.scope, rule.min_count) == (
        field_default(Rule, "enabled"), field_default(Rule, "scope"),
        field_default(Rule, "min_count"))
    assert book.guards["en"]["negated"].window == field_default(Guard, "window")
    with pytest.raises(KeyError, match="Rule.rule_id has no plain default"):
        field_default(Rule, "rule_id")
