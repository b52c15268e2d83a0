"""Mutated example emails through the daemon's real scoring jobs in a real worker, with the
daemon's memory cap (issue 13): every one is answered with a report, within issue 13's
per-message targets (2 s, 300 MB of worker RSS), and no worker is lost on the way.

A bounded, seeded mutation loop (tests/support/mail_mutations.py), so a failure comes
back with the same input; bench/hostile_soak.py runs 5,000 of them.
"""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from support import worker_jobs
from support.mail_mutations import mutate

from daemon.application.score_draft import DraftRequest, Original
from daemon.config.load import load_config
from daemon.config.sections import SmtpSettings
from daemon.scoring_service.pool import ScoringWorkers
from scoring.report import Report

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EXAMPLES = [path.read_bytes() for path in sorted(FIXTURES.rglob("*.eml"))]
MUTATIONS = 40
SEED = 13
BUDGET_SECONDS = 2.0        # issue 13: scoring any single message
CAP_MB = 300                # ... and its worker's RSS
NOW = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
REPLY_TEXT = "Hi Maria, I will fix the invoice today."


def mutated() -> Iterator[bytes]:
    rng = random.Random(SEED)
    for _ in range(MUTATIONS):
        yield mutate(rng.choice(EXAMPLES), rng)


def jobs(raw: bytes) -> list[tuple[str, tuple[Any, ...]]]:
    """The message as the SMTP proxy scores it, as an API raw draft, and as the raw
    original of a text reply."""
    original = Original(raw, None, None, "", text_pending=True)
    return [("score_relayed", (raw, NOW)),
            ("score_draft", (DraftRequest(None, raw, None, "auto", NOW),)),
            ("score_draft", (DraftRequest(REPLY_TEXT, None, original, "auto", NOW),))]


@pytest.fixture
async def pool() -> AsyncIterator[ScoringWorkers]:
    workers = ScoringWorkers(load_config(None).scoring, 1,
                             memory_mb=SmtpSettings().score_worker_memory_mb,
                             imports=("daemon.application.score_draft",))
    yield workers
    workers.close()


async def test_every_mutated_message_is_scored_within_the_budget_and_the_cap(
        pool: ScoringWorkers) -> None:
    [pid] = await pool.start()
    for number, raw in enumerate(mutated()):
        for job, args in jobs(raw):
            seconds, peak_mb, result = await pool.run(worker_jobs.measured, job, *args)
            report = result.to_dict() if isinstance(result, Report) else json.loads(result)
            where = f"mutation {number} (seed {SEED}) through {job}"
            assert "verdict" in report, where
            assert seconds <= BUDGET_SECONDS, where
            assert peak_mb <= CAP_MB, where
    assert pool.pids() == [pid]         # never crashed, timed out or ran out of memory
