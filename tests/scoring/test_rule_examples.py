"""Meta-test: every rule of every pack has examples, and they behave as stated."""

from __future__ import annotations

import pytest

from daemon.commands.config_cmd import example_failures
from daemon.config import load_config
from scoring import Scorer

SCORER = Scorer(load_config().scoring)
RULES = sorted(SCORER.rulebook.by_id().values(), key=lambda r: r.rule_id)


def test_both_languages_cover_all_dimensions() -> None:
    for language in ("en", "de"):
        dimensions = {r.dimension for r in RULES if r.language == language}
        assert dimensions == {"honesty", "disclosure", "responsiveness", "promises", "tone"}


@pytest.mark.parametrize("rule", RULES, ids=[r.rule_id for r in RULES])
def test_rule_examples(rule) -> None:  # type: ignore[no-untyped-def]
    assert rule.examples.hit and rule.examples.miss
    assert example_failures(SCORER, rule) == []
