"""Case-insensitive regexes run over lower-cased text find the same spans."""

from __future__ import annotations

import re

import pytest

from scoring.lowered import compile_for_lowered, lower_keeping_offsets


def test_lowering_keeps_every_offset() -> None:
    text = "İstanbul WILL ship"
    lowered = lower_keeping_offsets(text)
    assert len(lowered) == len(text)
    assert lowered.endswith("will ship")


def test_escapes_keep_their_case() -> None:
    pattern = compile_for_lowered(re.compile(r"\bNOT\S+\W", re.IGNORECASE))
    assert pattern.pattern == r"\bnot\S+\W"
    assert not pattern.flags & re.IGNORECASE


def test_only_case_insensitive_patterns() -> None:
    with pytest.raises(ValueError, match="not a case-insensitive pattern"):
        compile_for_lowered(re.compile("[A-Z]+"))
