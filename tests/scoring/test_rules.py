"""Rule data: phrase templates, strict decoding of rule tables."""

from __future__ import annotations

import pytest

from scoring.errors import ConfigError
from scoring.rules import expand_phrase, parse_rules
from scoring.settings import RulePackFile


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
