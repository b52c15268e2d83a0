"""Scoring a relayed message through the daemon's scoring door, in a time budget, failing open.

The scoring core is synchronous, pure-Python CPU work, run in the daemon's one scoring
service (daemon/scoring_service/service.py): worker processes shared with the HTTP API, or a
thread pool around a given scorer (tests). Measured with ``bench/smtp_latency.py``:
scoring a 5 KB email takes ~16 ms of CPU; in a thread it holds the GIL the relay needs,
which added ~19 ms p50 to every send and capped the proxy at ~45 messages/s. In
processes the relay keeps its loop to itself.

If scoring raises, reports an error or exceeds ``[smtp] score_timeout_ms``, the outcome
carries no report and the message goes through (the caller logs it).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from daemon.application.score_draft import score_relayed
from daemon.mail.bounded import MAX_SCORED_BYTES
from daemon.scoring_service.service import ScoringService
from scoring.report import Report

MAX_ERROR_CHARS = 200


@dataclass(frozen=True)
class ScoreOutcome:
    report: Report | None            # None when scoring failed
    failure: str                     # "" | "timeout" | "error: ..."
    elapsed_ms: float


class Scoring(Protocol):
    """What the proxy needs: start, score within a budget, close."""

    async def start(self) -> None: ...
    async def score(self, raw: bytes, budget_ms: int) -> ScoreOutcome: ...
    def close(self) -> None: ...


class ProxyScoring:
    """The proxy's share of the scoring service: ``start`` acquires it (and waits until
    its workers are warm), ``close`` lets go of it."""

    def __init__(self, service: ScoringService) -> None:
        self.service = service
        self.holding = False

    async def start(self) -> None:
        if not self.holding:
            self.holding = True
            await self.service.acquire()
        await self.service.ready()

    async def score(self, raw: bytes, budget_ms: int) -> ScoreOutcome:
        started = time.perf_counter()
        try:
            # Only what scoring can use goes to the worker (the copy is the loop's cost);
            # the same budget stops the job in its worker (killed and respawned past it).
            report = await asyncio.wait_for(
                self.service.run(score_relayed, raw[:MAX_SCORED_BYTES], datetime.now(UTC),
                                 budget=budget_ms / 1000),
                budget_ms / 1000)
        except TimeoutError:
            return ScoreOutcome(None, "timeout", _ms_since(started))
        except Exception as error:  # noqa: BLE001 - any scorer bug must fail open
            # Only the type: an exception's text might quote the message.
            return ScoreOutcome(None, f"error: {type(error).__name__}", _ms_since(started))
        if report.error:
            problem = report.error[:MAX_ERROR_CHARS]
            return ScoreOutcome(report, f"error: {problem}", _ms_since(started))
        return ScoreOutcome(report, "", _ms_since(started))

    def close(self) -> None:
        """Let go of the pool (the last user stops its workers, even a busy one)."""
        if self.holding:
            self.holding = False
            self.service.release()

    def pids(self) -> list[int]:
        """The worker processes' ids (for memory figures)."""
        return self.service.pids()


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000
