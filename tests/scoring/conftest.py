"""Fixtures for the scoring tests: one compiled scorer from the shipped config."""

from __future__ import annotations

from pathlib import Path

import pytest

from daemon.config.load import load_config
from scoring import Scorer


@pytest.fixture(scope="session")
def scorer() -> Scorer:
    return Scorer(load_config().scoring)

COACH_PROFILE = Path(__file__).resolve().parents[2] / "config" / "profiles" / "coach.toml"


@pytest.fixture(scope="session")
def coach() -> Scorer:
    """Every rule on, the off-by-default ones included (config/profiles/coach.toml): for
    tests of what those rules find."""
    return Scorer(load_config(COACH_PROFILE).scoring)
