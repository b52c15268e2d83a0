"""Meta-test: every rule of every pack has examples, and they behave as stated.

Rules that are off by default are tested too, switched on as an admin would."""

from __future__ import annotations

from dataclasses import replace

import pytest

from daemon.commands.config_cmd import example_failures
from daemon.config.load import load_config
from scoring import Scorer
from scoring.settings import RuleOverride

SHIPPED = load_config().scoring
OFF_BY_DEFAULT = sorted(rule_id for rule_id, rule in Scorer(SHIPPED).rulebook.by_id().items()
                        if not rule.enabled)
SCORER = Scorer(replace(SHIPPED, overrides={
    rule_id: RuleOverride(rule_id, "test: every rule on", enabled=True)
    for rule_id in OFF_BY_DEFAULT}))
RULES = sorted(SCORER.rulebook.by_id().values(), key=lambda r: r.rule_id)


def test_rules_off_by_default_say_why_in_their_pack() -> None:
    for rule_id in OFF_BY_DEFAULT:
        rule = SCORER.rulebook.by_id()[rule_id]
        pack = open(rule.source, encoding="utf-8").read()
        table = pack[pack.index(f"[{rule_id.rsplit('.', 1)[1]}]"):]
        assert "# off by default:" in table.split("enabled = false")[0], rule_id


def test_both_languages_cover_all_dimensions() -> None:
    for language in ("en", "de"):
        dimensions = {r.dimension for r in RULES if r.language == language}
        assert dimensions == {"honesty", "disclosure", "responsiveness", "promises", "tone"}


@pytest.mark.parametrize("rule", RULES, ids=[r.rule_id for r in RULES])
def test_rule_examples(rule) -> None:  # type: ignore[no-untyped-def]
    assert rule.examples.hit and rule.examples.miss
    assert example_failures(SCORER, rule) == []
