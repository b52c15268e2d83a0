"""Worker processes that each hold a warmed scorer: where the daemon runs the scoring core.

The scoring core is synchronous, pure-Python CPU work. In a thread of the daemon it
would hold the GIL that the event loop (SMTP relays, API requests) needs, and it could
use one CPU only, so the SMTP proxy and the HTTP API each score in a small pool of
worker processes. Workers are spawned, not forked (the daemon has threads), build
their scorer from the scoring settings once, and exit when the daemon is gone (a
``kill -9`` of the daemon must not leave orphans).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

WORKER_START_SECONDS = 60.0        # spawn + import + rule compilation + warm-up
PARENT_CHECK_SECONDS = 1.0
STOP_SECONDS = 2.0                 # a terminated worker exits at once; this is a bound
MAX_AUTO_WORKERS = 4
WARM_UP_TEXT = "Hello Anna, thanks for your message. I will send the contract by Friday."

Result = TypeVar("Result")

# -- in a worker process --------------------------------------------------------------

_worker_scorer: Any = None


def _init_worker(settings: Any, parent_pid: int) -> None:
    """Build and warm the scorer once per worker; exit when the daemon is gone."""
    global _worker_scorer
    from scoring import Scorer
    _worker_scorer = Scorer(settings)
    _worker_scorer.score_text(WARM_UP_TEXT)

    def exit_with_parent() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)
    threading.Thread(target=exit_with_parent, daemon=True).start()


def _worker_ready() -> int:
    return os.getpid()


def _call_with_scorer(job: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    assert _worker_scorer is not None, "worker not initialised"
    return job(_worker_scorer, *args)


# -- in the daemon --------------------------------------------------------------------

def auto_workers() -> int:
    """One worker per CPU, at most MAX_AUTO_WORKERS."""
    return max(1, min(MAX_AUTO_WORKERS, os.cpu_count() or 1))


class ScoringWorkers:
    """A pool of scoring worker processes. ``run(job, *args)`` calls the module-level
    function ``job(scorer, *args)`` in a worker and returns its (picklable) result."""

    def __init__(self, settings: Any, workers: int = 0) -> None:
        self.settings = settings
        self.workers = workers or auto_workers()
        self._pool: ProcessPoolExecutor | None = None
        self._ready: asyncio.Future[Any] | None = None

    def start(self) -> asyncio.Future[Any]:
        """Spawn the workers; returns a future that is done when each has built and
        warmed its scorer (callers may await it, or let the first job wait for it)."""
        self._pool = ProcessPoolExecutor(
            self.workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker, initargs=(self.settings, os.getpid()))
        loop = asyncio.get_running_loop()
        self._ready = asyncio.ensure_future(asyncio.wait_for(asyncio.gather(*(
            loop.run_in_executor(self._pool, _worker_ready) for _ in range(self.workers))),
            WORKER_START_SECONDS))
        return self._ready

    async def run(self, job: Callable[..., Result], *args: Any) -> Result:
        assert self._pool is not None and self._ready is not None, "start() first"
        await asyncio.shield(self._ready)
        result: Result = await asyncio.get_running_loop().run_in_executor(
            self._pool, _call_with_scorer, job, args)
        return result

    def close(self) -> None:
        """Stop the workers now, even one still busy with a huge draft."""
        pool, self._pool = self._pool, None
        if self._ready is not None and not self._ready.done():
            self._ready.cancel()
        if pool is None:
            return
        processes = list(getattr(pool, "_processes", {}).values())  # no public accessor
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:   # reap them, so none is left running after close()
            process.join(STOP_SECONDS)

    def pids(self) -> list[int]:
        """The worker processes' ids (for memory figures)."""
        pool = self._pool
        return [p.pid for p in getattr(pool, "_processes", {}).values() if p.pid] if pool else []
