"""Scoring a message off the event loop, within a time budget, failing open.

The scorer is CPU-bound and synchronous, so it runs in a thread pool. If it raises,
reports an error or is slower than ``[smtp] score_timeout_ms``, the outcome carries
no report and the message goes through (the failure is logged by the caller).
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

MAX_ERROR_CHARS = 200


class ReportLike(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


class ScorerLike(Protocol):
    """The part of :class:`scoring.Scorer` the proxy uses."""

    def score_message(self, raw: bytes, now: datetime | None = None, lang: str = "auto",
                      original: bytes | None = None) -> ReportLike: ...


@dataclass(frozen=True)
class ScoreOutcome:
    report: dict[str, Any] | None    # Report.to_dict(), None when scoring failed
    failure: str                     # "" | "timeout" | "error: ..."
    elapsed_ms: float


def _score(scorer: ScorerLike, raw: bytes) -> dict[str, Any]:
    return scorer.score_message(raw, now=datetime.now(UTC)).to_dict()


async def score_within_budget(scorer: ScorerLike, raw: bytes, executor: Executor,
                              budget_ms: int) -> ScoreOutcome:
    """Score ``raw`` in ``executor``; never raises, never waits longer than the budget."""
    started = time.perf_counter()
    loop = asyncio.get_running_loop()
    future = loop.run_in_executor(executor, _score, scorer, raw)
    try:
        report = await asyncio.wait_for(future, budget_ms / 1000)
    except TimeoutError:
        return ScoreOutcome(None, "timeout", _ms_since(started))
    except Exception as error:  # noqa: BLE001 - any scorer bug must fail open
        # Only the type: an exception's text might quote the message.
        return ScoreOutcome(None, f"error: {type(error).__name__}", _ms_since(started))
    if report.get("error"):
        problem = str(report["error"])[:MAX_ERROR_CHARS]
        return ScoreOutcome(report, f"error: {problem}", _ms_since(started))
    return ScoreOutcome(report, "", _ms_since(started))


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000
