"""The commitment lexicon as pack data: strict schema, lazy regexes, one pack per language."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from scoring import Scorer
from scoring.errors import ConfigError
from scoring.lexicon import (
    PATTERN_LISTS,
    alternation,
    lexicon_from_data,
    lexicon_to_data,
    parse_lexicon,
)
from scoring.lowered import compile_for_lowered, lower_keeping_offsets
from scoring.rules import build_rulebook
from scoring.settings import RulePackFile
from scoring.validation import Table

RULES = Path(__file__).resolve().parents[2] / "config" / "rules"
MINIMAL: dict[str, Any] = {
    "future": ["\\s+will"], "negation": "\\s+not\\b",
    "sender": ["\\bI{future}"], "team": ["\\bwe{future}"], "unclear": ["\\bsomeone will\\b"],
    "thing": ["\\bit will ship\\b"], "implicit": ["^\\s*will\\s+[a-z]+"],
    "not_commitments": ["\\bif you need\\b"], "hedges": ["\\bprobably\\b"],
    "vague_timing": ["\\bsoon\\b"], "past": ["\\bwas\\b"], "undertakings": ["\\byou\\b"],
    "anchors": ["will"],
    "unclear_needles": ["someone"],
    "thing_needles": ["will"],
}


def pack(**changes: Any) -> RulePackFile:
    data = {**MINIMAL, **changes}
    return RulePackFile("en", "lexicon", "rules/en/lexicon.toml",
                        {k: v for k, v in data.items() if v is not None})


def shipped(language: str) -> RulePackFile:
    path = RULES / language / "lexicon.toml"
    return RulePackFile(language, "lexicon", str(path), tomllib.loads(path.read_text("utf-8")))


def test_a_minimal_lexicon_finds_its_commitments() -> None:
    lexicon = parse_lexicon(pack())
    assert lexicon.owners[(False, False)].search("i will send it").lastgroup == "sender"
    assert lexicon.owners[(False, False)].search("i will not send it") is None   # negation
    assert lexicon.owners[(True, True)].search("someone will call").lastgroup == "unclear"
    assert lexicon.vague_timing.search("we will ship soon")
    assert lexicon.named is None and lexicon.named_needles == ()


@pytest.mark.parametrize(("changes", "key", "problem"), [
    ({"hedgse": ["\\bmaybe\\b"]}, "hedgse", "did you mean 'hedges'?"),
    ({"hedges": None}, "hedges", "missing required key"),
    ({"hedges": []}, "hedges", "a non-empty list"),
    ({"hedges": ["\\b(?:maybe"]}, "hedges", "invalid regular expression"),
    ({"hedges": ["\\b(?P<word>maybe)\\b"]}, "hedges", "named groups are reserved"),
    ({"implicit": ["(?s)^\\s*will\\s+[a-z]+"]}, "implicit", "no global inline flags"),
    ({"hedges": ["\\bmaybe\\x4D"]}, "hedges", "not as the escape"),
    ({"sender": ["\\bI{futur}"]}, "sender", "unknown placeholder '{futur}'"),
    ({"future": None}, "sender", "no `future` list"),
    ({"anchors": ["Will"]}, "anchors", "lower-case"),
    ({"named_needles": ["will"]}, "named_needles", "which this pack lacks"),
    ({"named": ["[A-Z][a-z]+ will"]}, "named_needles", "missing required key"),
])
def test_a_mistake_is_a_config_error_naming_the_key(changes: dict[str, Any], key: str,
                                                    problem: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_lexicon(pack(**changes))
    assert raised.value.key == key and problem in raised.value.problem


def test_a_language_with_promise_rules_needs_its_lexicon() -> None:
    promises = RulePackFile("en", "promises", "rules/en/promises.toml", {"over-promise": {
        "kind": "code", "check": "over-promises", "weight": 12, "message": "m",
        "suggestion": "s", "examples": {"hit": ["a"], "miss": ["b"]}}})
    with pytest.raises(ConfigError, match="needs the commitment lexicon of 'en'"):
        build_rulebook((promises,), {})
    assert build_rulebook((promises, pack()), {}).lexicons["en"].language == "en"


def test_the_cached_form_compiles_nothing_until_used() -> None:
    lexicon = lexicon_from_data(lexicon_to_data(parse_lexicon(shipped("en"))))
    assert not any(regex.is_compiled for regex in lexicon.patterns.values())
    assert not any(regex.is_compiled for regex in lexicon.owners.values())
    assert lexicon.hedges.search("we should be able to") is not None
    assert lexicon_to_data(lexicon) == lexicon_to_data(parse_lexicon(shipped("en")))


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_shipped_lexicons_reach_the_scorer(scorer: Scorer, language: str) -> None:
    assert lexicon_to_data(scorer.rulebook.lexicons[language]) == \
        lexicon_to_data(parse_lexicon(shipped(language)))


SAMPLES = (
    "I will send the contract by Friday.",
    "Our Billing Team will confirm it; Leo will call you.",
    "If you'd like, I'll be happy to walk you through it. Let me know.",
    "We SHOULD be able to ship it, hopefully on Monday.",
    "Ich werde Ihnen die Unterlagen morgen senden, falls Sie möchten.",
    "Die Ware verlässt unser Lager voraussichtlich am Dienstag.",
    "İstanbul office: THEY will probably confirm.",
)


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("name", PATTERN_LISTS)
def test_lexicon_patterns_find_the_same_spans_in_lowered_text(language: str,
                                                              name: str) -> None:
    """Each list, as written (ignoring case), and as run over lower-cased text."""
    data = shipped(language).data
    source = alternation(Table(data, "lexicon.toml"), name, data[name], data.get("future", []))
    pattern = re.compile(source, re.IGNORECASE)
    lowered = compile_for_lowered(pattern)
    for text in SAMPLES:
        assert ([m.span() for m in lowered.finditer(lower_keeping_offsets(text))]
                == [m.span() for m in pattern.finditer(text)]), text


def test_german_mail_says_asap_too_and_english_bald_is_no_time(scorer: Scorer) -> None:
    """Each language's vague times: German business mail borrows "asap" and "soon"; in an
    English draft the German "bald" is the English word (hairless), not a time."""
    german = scorer.score_text("Wir melden uns asap bei Ihnen.", lang="de")
    assert "de.promises.vague-commitment" in {f.rule for f in german.findings}
    de, en = scorer.rulebook.lexicons["de"], scorer.rulebook.lexicons["en"]
    assert de.vague_timing.search("wir melden uns bald") is not None
    assert en.vague_timing.search("the unit will ship bald") is None
