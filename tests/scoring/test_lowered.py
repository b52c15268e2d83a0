"""Case-insensitive regexes run over lower-cased text find the same spans."""

from __future__ import annotations

import re

import pytest

from scoring.lowered import compile_for_lowered, lower_keeping_offsets
from scoring.promises import LEXICONS

SAMPLES = (
    "I will send the contract by Friday.",
    "Our Billing Team will confirm it; Leo will call you.",
    "If you'd like, I'll be happy to walk you through it. Let me know.",
    "We SHOULD be able to ship it, hopefully on Monday.",
    "Ich werde Ihnen die Unterlagen morgen senden, falls Sie möchten.",
    "Die Ware verlässt unser Lager voraussichtlich am Dienstag.",
    "İstanbul office: THEY will probably confirm.",
)


def test_lowering_keeps_every_offset() -> None:
    text = "İstanbul WILL ship"
    lowered = lower_keeping_offsets(text)
    assert len(lowered) == len(text)
    assert lowered.endswith("will ship")


@pytest.mark.parametrize("language", sorted(LEXICONS))
@pytest.mark.parametrize("field", ["sender", "team", "unclear", "thing", "implicit",
                                   "not_commitment", "hedges"])
def test_lexicon_patterns_find_the_same_spans(language: str, field: str) -> None:
    pattern: re.Pattern[str] = getattr(LEXICONS[language], field)
    lowered_pattern = compile_for_lowered(pattern)
    for text in SAMPLES:
        assert ([m.span() for m in lowered_pattern.finditer(lower_keeping_offsets(text))]
                == [m.span() for m in pattern.finditer(text)]), text


def test_escapes_keep_their_case() -> None:
    pattern = compile_for_lowered(re.compile(r"\bNOT\S+\W", re.IGNORECASE))
    assert pattern.pattern == r"\bnot\S+\W"
    assert not pattern.flags & re.IGNORECASE


def test_only_case_insensitive_patterns() -> None:
    with pytest.raises(ValueError, match="not a case-insensitive pattern"):
        compile_for_lowered(re.compile("[A-Z]+"))
