"""Fixtures for the scoring tests: one compiled scorer from the shipped config."""

from __future__ import annotations

import pytest

from daemon.config import load_config
from scoring import Scorer


@pytest.fixture(scope="session")
def scorer() -> Scorer:
    return Scorer(load_config().scoring)
