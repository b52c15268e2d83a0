"""Worker processes that each hold a warmed scorer: where the daemon runs the scoring core.

The scoring core is synchronous, pure-Python CPU work. In a thread of the daemon it
would hold the GIL that the event loop (SMTP relays, API requests) needs, and it could
use one CPU only, so the daemon scores in a small pool of worker processes
(daemon/scoring_service/worker.py runs in them), shared by the SMTP proxy and the HTTP API
through daemon/scoring_service/service.py. Workers are spawned, not
forked (the daemon has threads), build their scorer once, and exit when the daemon is
gone (a ``kill -9`` of the daemon must not leave orphans).

Each worker has its own socket pair to the daemon (daemon/scoring_service/channel.py), read and
written by the event loop itself: no executor threads and queues between a request and
its worker, which cost about a millisecond per job. The daemon keeps each worker's
queue and sends it at most PIPELINE_DEPTH jobs ahead, so it knows every worker's load,
a job still queued can be withdrawn or moved, and a crash fails only the job that was
running (a worker runs the jobs it was sent in order, one at a time).
Jobs go to the least loaded worker, or with an affinity key to the worker that key
used before (daemon/scoring_service/dispatch.py: its per-sentence caches are warm).

Hostile mail must not hold a worker (issue 13). A job has a time budget from the moment
it runs (``budget``, DEFAULT_JOB_SECONDS): past it the worker is killed and respawned
and the job fails with :class:`JobTimedOut`. A job whose caller went away before it
started never runs (withdrawn from the queue, or cancelled in the worker if it was sent
ahead); one already running gets ABANDONED_SECONDS more, not the rest of its budget
(the add-on gives up after 1.5 s: a slow draft nobody waits for would hold the worker
for seconds more, ahead of the draft the user waits for). Each worker's data segment is capped
(``memory_mb``): a job that needs more fails with :class:`WorkerOutOfMemory` and the
worker is replaced.

A worker is launched in a thread (LAUNCH_THREADS), never on the loop: ``spawn`` writes
the worker's start-up data into a pipe that the new interpreter reads only once it is
up, so ``Process.start()`` blocks ~650 ms per worker (with the GIL released). On the
loop that froze the API and SMTP at start and at every respawn after a crash, a job
past its budget or a worker out of memory (issue 13).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import logging
import multiprocessing
import os
import socket
import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from daemon.runtime.logs import log_event
from daemon.scoring_service import channel as worker_channel
from daemon.scoring_service import dispatch as worker_dispatch
from daemon.scoring_service import worker as scoring_worker
from scoring.settings import ScoringSettings

log = logging.getLogger("trustmail.scoring")

WORKER_START_SECONDS = 60.0        # spawn + import + rule compilation + warm-up
STOP_SECONDS = 2.0                 # a terminated worker exits at once; this is a bound
MAX_AUTO_WORKERS = 4
# Jobs sent to a worker ahead of its answers. With 2, a worker starts its next job as
# soon as it has answered, without waiting for the event loop to get a CPU back (the
# daemon, its workers and the clients share the CPUs): bench/api_latency.py measured
# +7-9% throughput at 20 clients over 1. More would only pin jobs to a worker early.
PIPELINE_DEPTH = 2
# A running job's budget unless the caller gives one. Scoring any message takes well
# under 2 s (bench/worker_limits.py); this is the bound on what a pathological one costs.
DEFAULT_JOB_SECONDS = 5.0
# A running job whose caller went away may go on this long (if its budget allows): most
# jobs are done well within it, and stopping one costs a respawn (launch and warm-up).
ABANDONED_SECONDS = 0.5
LAUNCH_THREADS = MAX_AUTO_WORKERS   # workers launched at once (each thread mostly waits)

Result = TypeVar("Result")


class WorkerError(RuntimeError):
    """A scoring job could not run to its end in a worker."""


class WorkerCrashed(WorkerError):
    """The worker running the job died (crashed, or was killed); it is respawned."""


class WorkerStartFailed(WorkerError):
    """No worker could take the job: they failed to start."""


class WorkersClosed(WorkerError):
    """The pool was closed before the job finished."""


class JobTimedOut(WorkerError):
    """The job ran past its budget: its worker was killed (and is respawned)."""


class WorkerOutOfMemory(WorkerError):
    """The job needed more memory than a worker may use; the worker is replaced."""


def auto_workers() -> int:
    """One worker per CPU, at most MAX_AUTO_WORKERS."""
    return max(1, min(MAX_AUTO_WORKERS, os.cpu_count() or 1))


@dataclass(eq=False)
class _Job:
    id: int
    function: Callable[..., Any]
    args: tuple[Any, ...]
    future: asyncio.Future[Any]
    affinity: Hashable | None
    budget: float
    worker: _Worker | None = None
    timer: asyncio.TimerHandle | None = None      # the budget, armed once it runs

    def disarm(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


@dataclass(eq=False)
class _Worker:
    """One worker process (one life of a slot: a respawned worker is a new _Worker)."""

    slot: int
    process: BaseProcess
    started: asyncio.Future[int]               # its pid, once its scorer is warm
    launch: concurrent.futures.Future[None]    # Process.start() in a launcher thread
    queue: deque[_Job] = field(default_factory=deque)  # not sent yet
    sent: deque[_Job] = field(default_factory=deque)   # not answered: the first runs
    ready: bool = False
    exiting: bool = False      # answered out of memory: it exits, nothing of it runs
    writer: asyncio.StreamWriter | None = None
    task: asyncio.Task[None] | None = None

    @property
    def load(self) -> int:
        return len(self.queue) + len(self.sent)

    @property
    def launched(self) -> bool:
        """Its process was started (it has a pid, a sentinel, can be killed)."""
        return self.launch.done() and self.launch.exception() is None


class ScoringWorkers:
    """A pool of scoring worker processes. ``run(job, *args)`` calls the module-level
    function ``job(scorer, *args)`` in a worker and returns its (picklable) result."""

    def __init__(self, settings: ScoringSettings, workers: int = 0, *,
                 imports: tuple[str, ...] = (), memory_mb: int = 0,
                 job_seconds: float = DEFAULT_JOB_SECONDS) -> None:
        """``imports``: modules the jobs live in, for the workers to import while they
        warm up rather than on their first job; ``memory_mb``: each worker's data
        segment cap (0: none); ``job_seconds``: a running job's default budget."""
        self.settings = settings
        self.workers = workers or auto_workers()
        self.imports = imports
        self.memory_mb = memory_mb
        self.job_seconds = job_seconds
        self._job_ids = itertools.count(1)
        self._context = multiprocessing.get_context("spawn")
        self._launcher = concurrent.futures.ThreadPoolExecutor(
            LAUNCH_THREADS, thread_name_prefix="scoring-launch")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots: list[_Worker | None] = []     # None: failed to start, not respawned
        self._alive: set[_Worker] = set()          # every process not reaped yet
        self._affinity = worker_dispatch.Affinity()
        self._ready: asyncio.Future[list[int]] | None = None
        self._closed = False

    def start(self) -> asyncio.Future[list[int]]:
        """Spawn the workers; returns a future that is done (with their pids) when each
        has built and warmed its scorer. Callers may await it, or not: a job waits for
        its worker."""
        self._loop = asyncio.get_running_loop()
        self._slots = [self._spawn(slot) for slot in range(self.workers)]
        started = [worker.started for worker in self._slots if worker is not None]
        self._ready = asyncio.ensure_future(asyncio.gather(*started))
        self._ready.add_done_callback(_retrieve)
        return self._ready

    async def run(self, job: Callable[..., Result], *args: Any,
                  affinity: Hashable | None = None, budget: float | None = None) -> Result:
        """``job(scorer, *args)`` in a worker. Jobs with the same ``affinity`` key go to
        the same worker unless it is clearly busier than another (see worker_dispatch).
        ``budget``: seconds the job may run (``job_seconds`` if None). Raises what the
        job raised, or a :class:`WorkerError` (:class:`JobTimedOut`,
        :class:`WorkerOutOfMemory`, :class:`WorkerCrashed`, ...)."""
        if self._closed:
            raise WorkersClosed("the scoring workers are closed")
        if self._loop is None:
            raise RuntimeError("ScoringWorkers.start() first")
        queued = _Job(next(self._job_ids), job, args, self._loop.create_future(), affinity,
                      self.job_seconds if budget is None else budget)
        self._dispatch(queued)
        try:
            result: Result = await queued.future
        except asyncio.CancelledError:      # the caller went away (a timeout, a client gone)
            self._withdraw(queued)
            raise
        return result

    def close(self) -> None:
        """Stop the workers now, even one still busy with a huge draft; jobs not
        finished fail with :class:`WorkersClosed`. Returns once they are reaped."""
        if self._closed:
            return
        self._closed = True
        workers = list(self._alive)
        # a worker still being launched has no process to stop yet: wait for it (at
        # most a launch, ~0.7 s, and only while a worker is being respawned)
        concurrent.futures.wait([worker.launch for worker in workers])
        self._launcher.shutdown(wait=False)
        workers = [worker for worker in workers if worker.launched]
        loop_open = self._loop is not None and not self._loop.is_closed()
        for worker in workers:
            if loop_open:
                self._stop_serving(worker)
            if worker.process.is_alive():
                worker.process.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        for worker in workers:     # reap them, so none is left running after close()
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.process.close()
        self._alive.clear()
        if loop_open and self._ready is not None and not self._ready.done():
            self._ready.cancel()

    def pids(self) -> list[int]:
        """The worker processes' ids (for memory figures)."""
        if self._closed:
            return []
        return [w.process.pid for w in self._slots if w is not None and w.process.pid]

    def _withdraw(self, job: _Job) -> None:
        """The caller stopped waiting: a job not started yet never runs; one running is
        stopped unless it ends within ABANDONED_SECONDS (stopping it at once would cost
        a respawn for a job that is usually about to finish)."""
        worker = job.worker
        if worker is None:
            return
        if job in worker.queue:
            worker.queue.remove(job)
        elif worker.sent and worker.sent[0] is job:
            self._shorten_budget(worker, job, ABANDONED_SECONDS)
        elif job in worker.sent and worker.writer is not None:
            worker.writer.write(worker_channel.encode(("cancel", job.id)))

    def _shorten_budget(self, worker: _Worker, job: _Job, seconds: float) -> None:
        """The running ``job`` is stopped ``seconds`` from now, unless its budget ends
        sooner."""
        assert self._loop is not None
        if job.timer is not None and job.timer.when() - self._loop.time() > seconds:
            job.timer.cancel()
            job.timer = self._loop.call_later(seconds, self._overran, worker, job)

    # -- worker lives ------------------------------------------------------------------

    def _spawn(self, slot: int) -> _Worker:
        assert self._loop is not None
        ours, theirs = socket.socketpair()
        process = self._context.Process(
            target=scoring_worker.main,
            args=(theirs, self.settings, os.getpid(), self.imports, self.memory_mb),
            name=f"trustmail-scoring-{slot}", daemon=True)
        worker = _Worker(slot, process, self._loop.create_future(),
                         self._launcher.submit(_launch, process, theirs))
        worker.started.add_done_callback(_retrieve)
        worker.task = self._loop.create_task(self._serve(worker, ours))
        self._alive.add(worker)
        return worker

    async def _serve(self, worker: _Worker, sock: socket.socket) -> None:
        """Read the worker's answers until its channel ends (it died, or close())."""
        try:
            await asyncio.wrap_future(worker.launch)
        except Exception as error:  # noqa: BLE001 - e.g. OSError: no process to start
            sock.close()
            log_event(log, logging.ERROR, "scoring-worker-launch-failed", slot=worker.slot,
                      error=str(error))
            self._lost(worker, error)
            return
        try:
            reader, worker.writer = await worker_channel.open_stream(sock)
            pid = await asyncio.wait_for(_handshake(reader), WORKER_START_SECONDS)
        except Exception as error:  # noqa: BLE001 - whatever it was, the worker is lost
            self._lost(worker, error)
            return
        worker.ready = True
        worker.started.set_result(pid)
        self._pump(worker)
        try:
            while True:
                self._answered(worker, await worker_channel.read(reader))
        except Exception as error:  # noqa: BLE001 - end of stream, reset, ...
            self._lost(worker, error)

    def _lost(self, worker: _Worker, error: Exception) -> None:
        """The worker's channel ended: fail its running job, move its queued ones,
        respawn it if it had started (one that cannot start would only fail again)."""
        if self._closed:
            return
        was_ready = worker.ready or worker.exiting
        worker.ready = False
        if worker.writer is not None:
            worker.writer.close()
        if worker.launched:
            worker.process.kill()       # usually exited already; a no-op then
            self._reap_later(worker)
        else:
            self._alive.discard(worker)     # no process was started
        for job in worker.sent:
            job.disarm()
        # after an out-of-memory answer nothing was running: every job left can move
        running = worker.sent.popleft() if worker.sent and not worker.exiting else None
        queued = [*worker.sent, *worker.queue]      # not started: they can go elsewhere
        worker.sent.clear()
        worker.queue.clear()
        pid = worker.process.pid if worker.launched else f"(slot {worker.slot}, not launched)"
        if running is not None and not running.future.done():
            running.future.set_exception(WorkerCrashed(
                f"scoring worker {pid} died while running this job"))
        if not worker.started.done():
            worker.started.set_exception(WorkerStartFailed(
                f"scoring worker {pid} did not start: {error!r}"))
        log_event(log, logging.ERROR, "scoring-worker-lost", pid=pid, started=was_ready,
                  running_job=running is not None, error=type(error).__name__)
        replacement = None
        if was_ready:
            try:
                replacement = self._spawn(worker.slot)
            except OSError as spawn_error:      # no socket pair
                log_event(log, logging.ERROR, "scoring-worker-respawn-failed",
                          error=str(spawn_error))
        self._slots[worker.slot] = replacement
        for job in queued:
            if not job.future.done():
                self._dispatch(job)

    def _reap_later(self, worker: _Worker) -> None:
        """Join the process once it has exited (its sentinel is readable), off the loop's
        critical path: no blocking join, no zombie."""
        assert self._loop is not None
        loop, sentinel = self._loop, worker.process.sentinel

        def reap() -> None:
            loop.remove_reader(sentinel)
            worker.process.join(0)
            self._alive.discard(worker)
            log_event(log, logging.INFO, "scoring-worker-exited", pid=worker.process.pid,
                      exitcode=worker.process.exitcode)
            worker.process.close()      # its sentinel's file descriptor
        loop.add_reader(sentinel, reap)

    def _stop_serving(self, worker: _Worker) -> None:
        """For close(): no more reading or reaping in the loop; fail the worker's jobs."""
        assert self._loop is not None
        if worker.task is not None:
            worker.task.cancel()
        if worker.writer is not None:
            worker.writer.close()
        self._loop.remove_reader(worker.process.sentinel)
        jobs = [*worker.sent, *worker.queue]
        worker.sent.clear()
        worker.queue.clear()
        for job in jobs:
            job.disarm()
            if not job.future.done():
                job.future.set_exception(WorkersClosed(
                    "the scoring workers were closed before this job finished"))
        if not worker.started.done():
            worker.started.cancel()

    # -- jobs --------------------------------------------------------------------------

    def _dispatch(self, job: _Job) -> None:
        """Queue ``job`` on a worker: a ready one if any, else one still starting."""
        live = [w for w in self._slots if w is not None]
        if not live:
            job.future.set_exception(WorkerStartFailed("no scoring worker could start"))
            return
        candidates = [w for w in live if w.ready] or live
        preferred = None
        if job.affinity is not None:
            slot = self._affinity.get(job.affinity)
            preferred = next((i for i, w in enumerate(candidates) if w.slot == slot), None)
        chosen = candidates[worker_dispatch.choose([w.load for w in candidates], preferred)]
        if job.affinity is not None:
            self._affinity.remember(job.affinity, chosen.slot)
        job.worker = chosen
        chosen.queue.append(job)
        self._pump(chosen)

    def _pump(self, worker: _Worker) -> None:
        """Send the worker queued jobs up to PIPELINE_DEPTH (skipping withdrawn ones)."""
        if not worker.ready or worker.writer is None:
            return
        while worker.queue and len(worker.sent) < PIPELINE_DEPTH:
            job = worker.queue.popleft()
            if job.future.done():
                continue
            try:
                frame = worker_channel.encode(("job", job.id, job.function, job.args))
            except Exception as error:  # noqa: BLE001 - unpicklable job or arguments
                job.future.set_exception(error)
                continue
            worker.sent.append(job)
            worker.writer.write(frame)
        self._arm(worker)

    def _arm(self, worker: _Worker) -> None:
        """Start the budget of the job the worker runs now (the first one sent)."""
        if worker.sent and worker.sent[0].timer is None:
            assert self._loop is not None
            job = worker.sent[0]
            job.timer = self._loop.call_later(job.budget, self._overran, worker, job)

    def _overran(self, worker: _Worker, job: _Job) -> None:
        """The running job is past its budget: kill its worker (``_lost`` respawns it
        and moves the jobs behind this one)."""
        job.timer = None
        if not worker.sent or worker.sent[0] is not job or self._closed:
            return
        pid = worker.process.pid
        log_event(log, logging.WARNING, "scoring-job-over-budget", pid=pid,
                  budget_ms=round(job.budget * 1000), caller_waiting=not job.future.done())
        if not job.future.done():
            job.future.set_exception(JobTimedOut(
                f"the scoring job ran past its budget of {job.budget:g} s; "
                f"scoring worker {pid} was stopped"))
        worker.process.kill()       # its channel ends: _lost follows

    def _answered(self, worker: _Worker, payload: bytes) -> None:
        job = worker.sent.popleft() if worker.sent else None
        if job is not None:
            job.disarm()
        try:
            kind, value = worker_channel.decode(payload)
        except Exception as error:  # noqa: BLE001 - e.g. an exception that won't unpickle
            kind, value = "error", WorkerError(f"unreadable answer from the worker: {error!r}")
        if kind == "memory":        # the worker exits: no more jobs for it
            worker.ready, worker.exiting = False, True
            value = WorkerOutOfMemory(
                f"scoring this needed more than the {value} MB a scoring worker may use "
                f"([smtp] score_worker_memory_mb); worker {worker.process.pid} is replaced")
            log_event(log, logging.WARNING, "scoring-worker-out-of-memory",
                      pid=worker.process.pid, limit_mb=self.memory_mb)
        if job is not None and not job.future.done():
            if kind == "ok":
                job.future.set_result(value)
            elif kind != "skipped":
                job.future.set_exception(value)
        self._pump(worker)


def _launch(process: BaseProcess, theirs: socket.socket) -> None:
    """Start ``process`` (in a launcher thread: it blocks until the new interpreter has
    read its start-up data)."""
    try:
        process.start()
    finally:
        theirs.close()      # the worker has its own copy; EOF must mean it is gone


async def _handshake(reader: asyncio.StreamReader) -> int:
    """The worker's first frame: its pid once its scorer is warm, or why it failed."""
    kind, value = worker_channel.decode(await worker_channel.read(reader))
    if kind != "ready":
        raise WorkerStartFailed(f"the scoring worker could not build its scorer: {value!r}")
    return int(value)


def _retrieve(future: asyncio.Future[Any]) -> None:
    """Mark a failure as seen: callers need not await start()'s future."""
    if not future.cancelled():
        future.exception()
