"""Where ``POST /v1/score`` runs the scoring core: worker processes, or threads.

The scoring core is synchronous pure-Python CPU work (~5 ms for a 3 KB draft). In a
thread of the daemon it holds the GIL that the event loop (the SMTP proxy's relays
included) needs, and it can use one CPU only. So the daemon scores API drafts in
worker processes that each build their own scorer from the scoring settings
(spawned, not forked: the daemon has threads). A worker returns the report as JSON
bytes, ready to send.

:class:`ThreadRunner` runs a given scorer object in threads instead: for tests and
embedding, when no scoring settings are at hand.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any, Protocol

from daemon.api.drafts import Draft
from daemon.api.http import encode_json

WORKER_START_SECONDS = 60.0      # spawn + import + rule compilation + warm-up
PARENT_CHECK_SECONDS = 1.0
MAX_WORKERS = 4
THREADS = 2
WARM_UP_TEXT = "Hello Anna, thanks for your message. I will send the contract by Friday."


class Runner(Protocol):
    """Scores drafts off the event loop; ``run`` returns the report's JSON bytes."""

    async def start(self) -> None: ...
    async def run(self, draft: Draft) -> bytes: ...
    def close(self) -> None: ...


def score_draft(scorer: Any, draft: Draft) -> bytes:
    """Call the scorer the way the draft asks (text or raw message) -> JSON bytes."""
    original = draft.original
    if draft.text is not None:
        report = scorer.score_text(
            draft.text, now=draft.now, lang=draft.lang,
            original_text=original.text if original else None,
            original_date=original.date if original else None)
    else:
        report = scorer.score_message(draft.raw, now=draft.now, lang=draft.lang,
                                      original=original.raw if original else None)
    return encode_json(report.to_dict())


class ThreadRunner:
    """A given scorer object in a small thread pool."""

    def __init__(self, scorer: Any, threads: int = THREADS) -> None:
        self.scorer = scorer
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="api-score")

    async def start(self) -> None:
        return None

    async def run(self, draft: Draft) -> bytes:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, score_draft, self.scorer, draft)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


# -- in worker processes --------------------------------------------------------------

_worker_scorer: Any = None


def _init_worker(settings: Any, parent_pid: int) -> None:
    """Build and warm the scorer once per worker; exit when the daemon is gone."""
    global _worker_scorer
    from scoring import Scorer
    _worker_scorer = Scorer(settings)
    _worker_scorer.score_text(WARM_UP_TEXT)

    def exit_with_parent() -> None:      # a kill -9 of the daemon must not leave orphans
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)
    threading.Thread(target=exit_with_parent, daemon=True).start()


def _worker_ready() -> int:
    return os.getpid()


def _score_in_worker(draft: Draft) -> bytes:
    assert _worker_scorer is not None, "worker not initialised"
    return score_draft(_worker_scorer, draft)


class ProcessRunner:
    """Worker processes (one per CPU, at most MAX_WORKERS) built from scoring settings."""

    def __init__(self, settings: Any, workers: int = 0) -> None:
        self.settings = settings
        self.workers = workers or max(1, min(MAX_WORKERS, os.cpu_count() or 1))
        self.pool: ProcessPoolExecutor | None = None
        self.ready: asyncio.Future[Any] | None = None

    async def start(self) -> None:
        """Spawn the workers; they build and warm their scorers in the background, so
        the daemon is up at once (the first requests wait for them)."""
        self.pool = ProcessPoolExecutor(
            self.workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker, initargs=(self.settings, os.getpid()))
        loop = asyncio.get_running_loop()
        self.ready = asyncio.ensure_future(asyncio.wait_for(asyncio.gather(*(
            loop.run_in_executor(self.pool, _worker_ready) for _ in range(self.workers))),
            WORKER_START_SECONDS))

    async def run(self, draft: Draft) -> bytes:
        assert self.pool is not None and self.ready is not None, "start() first"
        await asyncio.shield(self.ready)
        return await asyncio.get_running_loop().run_in_executor(self.pool, _score_in_worker,
                                                                draft)

    def close(self) -> None:
        """Stop the workers now, even one busy with a huge draft."""
        pool, self.pool = self.pool, None
        if self.ready is not None and not self.ready.done():
            self.ready.cancel()
        if pool is None:
            return
        processes = list(getattr(pool, "_processes", {}).values())  # no public accessor
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
