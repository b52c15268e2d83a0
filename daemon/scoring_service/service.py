"""The daemon's one scoring door: one scorer, one worker pool, shared by every server.

The HTTP API, the SMTP proxy and the IMAP sync run their scoring jobs here (``await
run(job, ...)``), in the daemon's worker processes (daemon/scoring_service/pool.py: the
scoring core is CPU work that must not hold the event loop's GIL), or in a small thread
pool around a given scorer (tests, embedding). The pool is shared: the first user that
``acquire``\\ s the service starts it and the last ``release`` stops it, so a reload
that replaces the service retires the old pool once every user has let go of it.

The IMAP account threads hand their jobs to the loop (daemon/imap/mail_scoring.py).
Callers that want the scoring core in their own thread (the report scheduler) use the
service as a plain :class:`daemon.scoring_service.scorer.Scorer`: ``score_message`` and
``score_text`` run the scoring core in the calling thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, TypeVar

from daemon.scoring_service.pool import ScoringWorkers, WorkersClosed
from daemon.scoring_service.scorer import Scorer
from scoring.report import Report
from scoring.settings import ScoringSettings

Result = TypeVar("Result")
THREADS = 2
# Where the jobs live: the workers import them while they warm up, not on a first job.
JOB_MODULES = ("daemon.application.score_draft", "daemon.imap.mail_scoring",
               "daemon.api.large_bodies")


class ScoringService:
    """One scorer and one pool (processes or threads) for the whole daemon."""

    def __init__(self, settings: ScoringSettings | None, scorer: Scorer | None = None, *,
                 workers: int = 0, in_processes: bool = True, memory_mb: int = 0) -> None:
        """Use :meth:`in_processes` or :meth:`in_threads`."""
        if scorer is None and settings is None:
            raise ValueError("a ScoringService needs scoring settings or a scorer")
        self.settings = settings
        self._scorer = scorer
        self.workers = workers
        self.memory_mb = memory_mb
        self.uses_processes = in_processes and settings is not None
        self._users = 0
        self._processes: ScoringWorkers | None = None
        self._threads: ThreadPoolExecutor | None = None
        self._ready: asyncio.Future[Any] | None = None

    @classmethod
    def in_processes(cls, settings: ScoringSettings, scorer: Scorer | None = None, *,
                     workers: int = 0, memory_mb: int = 0) -> ScoringService:
        """Score in worker processes built from ``settings`` (``workers`` 0: one per CPU,
        at most 4; ``memory_mb``: each one's memory cap, 0 none); ``scorer`` (built
        lazily when absent) serves the synchronous calls."""
        return cls(settings, scorer, workers=workers, in_processes=True, memory_mb=memory_mb)

    @classmethod
    def in_threads(cls, scorer: Scorer, threads: int = THREADS) -> ScoringService:
        """Score with ``scorer`` in a small thread pool."""
        return cls(None, scorer, workers=threads, in_processes=False)

    # -- the synchronous door (callers in threads of their own) ---------------------------

    @property
    def scorer(self) -> Scorer:
        """The in-process scorer (built on first use from the settings)."""
        if self._scorer is None:
            from scoring import Scorer as CoreScorer  # compiles the rule packs: only if used
            assert self.settings is not None
            self._scorer = CoreScorer(self.settings)
        return self._scorer

    def score_message(self, raw: bytes, *, now: datetime | None = None, lang: str = "auto",
                      original: bytes | None = None) -> Report:
        return self.scorer.score_message(raw, now=now, lang=lang, original=original)

    def score_text(self, text: str, *, now: datetime | None = None, lang: str = "auto",
                   original_text: str | None = None,
                   original_date: datetime | None = None) -> Report:
        return self.scorer.score_text(text, now=now, lang=lang, original_text=original_text,
                                      original_date=original_date)

    # -- the pooled door (the event loop's servers) ---------------------------------------

    async def acquire(self) -> None:
        """One more user; the first starts the pool. Workers warm up in the background:
        ``await ready()`` to wait for them (a job waits for its worker anyway)."""
        self._users += 1
        if self._users > 1:
            return
        if self.uses_processes:
            assert self.settings is not None
            self._processes = ScoringWorkers(self.settings, self.workers, imports=JOB_MODULES,
                                             memory_mb=self.memory_mb)
            self._ready = self._processes.start()
        else:
            self._threads = ThreadPoolExecutor(self.workers or THREADS,
                                               thread_name_prefix="score")

    async def ready(self) -> None:
        """Until every worker process has built and warmed its scorer (raises
        :class:`daemon.scoring_service.pool.WorkerStartFailed` when one could not)."""
        if self._ready is not None:
            await asyncio.shield(self._ready)

    def release(self) -> None:
        """One user fewer; the last stops the pool (even a worker busy with a huge
        draft: its job fails with WorkersClosed)."""
        if self._users == 0:
            return
        self._users -= 1
        if self._users:
            return
        if self._processes is not None:
            self._processes.close()
            self._processes = None
        if self._threads is not None:
            self._threads.shutdown(wait=False, cancel_futures=True)
            self._threads = None
        self._ready = None

    async def run(self, job: Callable[..., Result], *args: Any,
                  affinity: Hashable | None = None, budget: float | None = None) -> Result:
        """``job(scorer, *args)`` in the pool. ``job`` is a module-level function (it is
        pickled to a worker by name); ``affinity`` sends jobs with the same key to the
        same worker (see daemon/scoring_service/dispatch.py); ``budget``: the seconds a job may
        run before its worker is killed (in processes only: a thread cannot be stopped).
        Raises what the job raised, or a :class:`daemon.scoring_service.pool.WorkerError`."""
        if self._processes is not None:
            return await self._processes.run(job, *args, affinity=affinity, budget=budget)
        if self._threads is not None:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._threads, job, self.scorer, *args)
        raise WorkersClosed("the scoring service is not acquired (or released already)")

    def pids(self) -> list[int]:
        """The worker processes' ids (none with threads), for memory figures."""
        return self._processes.pids() if self._processes is not None else []
