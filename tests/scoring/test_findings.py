"""Findings, promises and questions cross the scoring workers' boundary as pickles."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

from scoring.findings import Finding, Promise, Question

DUE = datetime(2026, 3, 6, 17, 0, tzinfo=UTC)


def test_each_value_pickles_as_its_fields_and_comes_back_equal() -> None:
    values = [Finding("en.honesty.hedge", "honesty", 0, 5, "maybe", "m", "s", 4.0, "why"),
              Promise("I will call you by Friday.", 3, 29, "sender", DUE, False, "by Friday"),
              Question("Is the fee included?", True, 2, False, "below", False)]
    for value in values:
        assert pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)) == value
