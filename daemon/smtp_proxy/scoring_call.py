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
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

MAX_ERROR_CHARS = 200
WORKER_START_SECONDS = 60.0        # spawn + import + warm-up of a worker process
PARENT_CHECK_SECONDS = 1.0
MAX_AUTO_WORKERS = 4
WARM_UP_MESSAGE = (b"Subject: warm up\r\n\r\nHello, thanks for your message. "
                   b"I will send the contract by Friday.\r\n")


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
        return self.scorer.score_message(raw, now=now).to_dict()

    async def score(self, raw: bytes, budget_ms: int) -> ScoreOutcome:
        return await _run_within_budget(self._pool, self._job, raw, budget_ms)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


# -- in worker processes --------------------------------------------------------------

_worker_scorer: ScorerLike | None = None


def _init_worker(settings: Any, parent_pid: int) -> None:
    """Build the scorer once per worker, warm it, and exit when the daemon is gone."""
    global _worker_scorer
    from scoring import Scorer
    _worker_scorer = Scorer(settings)
    _worker_scorer.score_message(WARM_UP_MESSAGE)

    def exit_with_parent() -> None:      # a kill -9 of the daemon must not leave orphans
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)
    threading.Thread(target=exit_with_parent, daemon=True).start()


def _worker_ready() -> int:
    return os.getpid()


def _score_in_worker(raw: bytes, now: datetime) -> dict[str, Any]:
    assert _worker_scorer is not None, "worker not initialised"
    return _worker_scorer.score_message(raw, now=now).to_dict()


def auto_workers() -> int:
    return max(1, min(MAX_AUTO_WORKERS, os.cpu_count() or 1))


class ProcessScoring:
    """Score in worker processes built from the scoring settings (spawned, not forked:
    the daemon has threads, and forking a threaded process is unsafe)."""

    def __init__(self, settings: Any, workers: int = 0) -> None:
        self.settings = settings
        self.workers = workers or auto_workers()
        self._pool: ProcessPoolExecutor | None = None

    async def start(self) -> None:
        """Start every worker and wait until each has built and warmed its scorer."""
        self._pool = ProcessPoolExecutor(
            self.workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker, initargs=(self.settings, os.getpid()))
        loop = asyncio.get_running_loop()
        await asyncio.wait_for(asyncio.gather(*(
            loop.run_in_executor(self._pool, _worker_ready) for _ in range(self.workers))),
            WORKER_START_SECONDS)

    async def score(self, raw: bytes, budget_ms: int) -> ScoreOutcome:
        assert self._pool is not None, "start() first"
        return await _run_within_budget(self._pool, _score_in_worker, raw, budget_ms)

    def close(self) -> None:
        """Stop the workers now, even one still busy with a huge message."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = list(getattr(pool, "_processes", {}).values())  # no public accessor
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()

    def pids(self) -> list[int]:
        """The worker processes' ids (for memory figures)."""
        pool = self._pool
        return [p.pid for p in getattr(pool, "_processes", {}).values() if p.pid] if pool else []
