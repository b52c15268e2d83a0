"""Scoring a message off the event loop, within a time budget, failing open.

The scoring core is synchronous, pure-Python CPU work. Two runners share one interface:

- :class:`ProcessScoring` (the daemon's): worker processes that each build the scorer
  from the scoring settings. Measured with ``bench/smtp_latency.py``: scoring a 5 KB
  email takes ~16 ms of CPU; in a thread it holds the GIL the relay needs, which added
  ~19 ms p50 to every send and capped the proxy at ~45 messages/s. In processes the
  relay keeps its loop to itself.
- :class:`ThreadScoring`: a thread pool around a given scorer object (tests, or when
  no scoring settings are at hand).

If scoring raises, reports an error or exceeds ``[smtp] score_timeout_ms``, the outcome
carries no report and the message goes through (the caller logs it).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from daemon.bounded_mail import bound_message
from daemon.scoring_workers import ScoringWorkers

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


class Scoring(Protocol):
    """What the proxy needs: start, score within a budget, close."""

    async def start(self) -> None: ...
    async def score(self, raw: bytes, budget_ms: int) -> ScoreOutcome: ...
    def close(self) -> None: ...


async def _run_within_budget(executor: Executor, job: Callable[[bytes, datetime],
                                                              dict[str, Any]],
                             raw: bytes, budget_ms: int) -> ScoreOutcome:
    started = time.perf_counter()
    loop = asyncio.get_running_loop()
    future = loop.run_in_executor(executor, job, raw, datetime.now(UTC))
    try:
        report = await asyncio.wait_for(future, budget_ms / 1000)
    except TimeoutError:
        return ScoreOutcome(None, "timeout", _ms_since(started))
    except Exception as error:  # noqa: BLE001 - any scorer bug must fail open
        # Only the type: an exception's text might quote the message.
        return ScoreOutcome(None, f"error: {type(error).__name__}", _ms_since(started))
    return _outcome(report, started)


def _outcome(report: dict[str, Any], started: float) -> ScoreOutcome:
    if report.get("error"):
        problem = str(report["error"])[:MAX_ERROR_CHARS]
        return ScoreOutcome(report, f"error: {problem}", _ms_since(started))
    return ScoreOutcome(report, "", _ms_since(started))


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


# -- in threads -----------------------------------------------------------------------

class ThreadScoring:
    """Score with a given scorer object in a thread pool."""

    def __init__(self, scorer: ScorerLike, threads: int = 2) -> None:
        self.scorer = scorer
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="score")

    async def start(self) -> None:
        """Nothing to prepare: the scorer object is ready."""

    def _job(self, raw: bytes, now: datetime) -> dict[str, Any]:
        return self.scorer.score_message(bound_message(raw).raw, now=now).to_dict()

    async def score(self, raw: bytes, budget_ms: int) -> ScoreOutcome:
        return await _run_within_budget(self._pool, self._job, raw, budget_ms)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _score_message(scorer: ScorerLike, raw: bytes, now: datetime) -> dict[str, Any]:
    """Runs in a scoring worker process, on the message cut to the parser's caps
    (daemon/bounded_mail.py): the relay itself still sends the bytes as received."""
    return scorer.score_message(bound_message(raw).raw, now=now).to_dict()


class ProcessScoring:
    """Score in the daemon's scoring worker processes (daemon/scoring_workers.py)."""

    def __init__(self, settings: Any, workers: int = 0) -> None:
        self._workers = ScoringWorkers(settings, workers, imports=(__name__,))
        self.workers = self._workers.workers

    async def start(self) -> None:
        """Start every worker and wait until each has built and warmed its scorer."""
        await self._workers.start()

    def _job(self, raw: bytes, now: datetime) -> Awaitable[dict[str, Any]]:
        return self._workers.run(_score_message, raw, now)

    async def score(self, raw: bytes, budget_ms: int) -> ScoreOutcome:
        started = time.perf_counter()
        try:
            report = await asyncio.wait_for(self._job(raw, datetime.now(UTC)),
                                            budget_ms / 1000)
        except TimeoutError:
            return ScoreOutcome(None, "timeout", _ms_since(started))
        except Exception as error:  # noqa: BLE001 - any scorer bug must fail open
            return ScoreOutcome(None, f"error: {type(error).__name__}", _ms_since(started))
        return _outcome(report, started)

    def close(self) -> None:
        """Stop the workers now, even one still busy with a huge message."""
        self._workers.close()

    def pids(self) -> list[int]:
        """The worker processes' ids (for memory figures)."""
        return self._workers.pids()
