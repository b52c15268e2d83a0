"""The coach profile (config/profiles/coach.toml) switches on exactly the rules the packs
ship off by default, so a team can take the full coaching with one file."""

from __future__ import annotations

import tomllib
from pathlib import Path

from daemon.config.load import load_config
from scoring import Scorer

COACH_PROFILE = Path(__file__).resolve().parents[2] / "config" / "profiles" / "coach.toml"


def test_the_coach_profile_names_every_rule_that_is_off_by_default() -> None:
    shipped = Scorer(load_config().scoring).rulebook.by_id()
    off_by_default = {rule_id for rule_id, rule in shipped.items() if not rule.enabled}
    profile = tomllib.loads(COACH_PROFILE.read_text(encoding="utf-8"))["rules"]
    assert set(profile) == off_by_default
    assert all(table == {"enabled": True} for table in profile.values())


def test_with_the_coach_profile_every_rule_is_on(coach: Scorer) -> None:
    assert all(rule.enabled for rule in coach.rulebook.by_id().values())


def test_a_hedged_diagnosis_is_a_coaching_point_not_a_default_warning(scorer: Scorer,
                                                                      coach: Scorer) -> None:
    draft = "Hi Bo,\n\nYour account probably needs a new password.\n\nBest,\nAnn\n"
    assert not scorer.score_text(draft).findings
    assert "en.honesty.hedge" in {f.rule for f in coach.score_text(draft).findings}


def test_a_hedged_status_of_what_the_sender_delivers_is_a_default_warning(
        scorer: Scorer) -> None:
    draft = "Hi Bo,\n\nYour refund has probably been processed.\n\nBest,\nAnn\n"
    assert [f.rule for f in scorer.score_text(draft).findings] == ["en.honesty.hedged-status"]
