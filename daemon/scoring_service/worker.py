"""One scoring worker process: build and warm a scorer, then run jobs one at a time.

Started (spawned) by :class:`daemon.scoring_service.pool.ScoringWorkers` with its end of a
socket pair. It answers ``("ready", pid)`` once the scorer is warm (or
``("failed", error)``), then for every ``("job", id, job, args)`` frame, in order,
``("ok", job(scorer, *args))`` or ``("error", exception)``; ``("skipped", id)`` for a
job the daemon withdrew with a ``("cancel", id)`` frame before it started (its caller
went away). A reader thread takes the frames as they come, so a cancel is seen while
the job before it still runs.

The worker's data segment is capped (``RLIMIT_DATA``, ``memory_mb``): a job that
needs more gets MemoryError, and the worker answers ``("memory", limit)`` and exits,
to be replaced by a fresh one (memory a Python process grew to is seldom given back).
It exits when the daemon closes the channel (even mid-job: the reader thread sees the
end of stream) or dies (polled every PARENT_CHECK_SECONDS).
"""

from __future__ import annotations

import importlib
import os
import queue
import resource
import signal
import socket
import threading
import time
import traceback
from collections import deque
from typing import Any

from daemon.scoring_service import channel as worker_channel
from daemon.scoring_service.scorer import Scorer
from scoring.settings import ScoringSettings

PARENT_CHECK_SECONDS = 1.0
EXIT_OUT_OF_MEMORY = 3
MIB = 1024 * 1024
WARM_UP_TEXT = "Hello Anna, thanks for your message. I will send the contract by Friday."


def build_scorer(settings: ScoringSettings) -> Scorer:
    """The scorer, warmed up (its first call compiles what it compiles lazily)."""
    from scoring import Scorer as CoreScorer
    scorer = CoreScorer(settings)
    scorer.score_text(WARM_UP_TEXT)
    return scorer


def main(channel: socket.socket, settings: ScoringSettings, parent_pid: int,
         imports: tuple[str, ...] = (), memory_mb: int = 0) -> None:
    """The worker process's entry point (a ``multiprocessing`` spawn target).
    ``imports``: modules the jobs live in, imported before the worker says it is ready
    (importing a job's module can take ~0.1 s, which a first job should not wait for);
    ``memory_mb``: the cap on the worker's data segment (0: none)."""
    # Ctrl-C in a terminal reaches the whole process group; the daemon decides when its
    # workers stop (close() terminates them).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    limit_memory(memory_mb)
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True).start()
    try:
        for module in imports:
            importlib.import_module(module)
        scorer = build_scorer(settings)
    except Exception as error:  # noqa: BLE001 - the daemon reports why the worker failed
        _send(channel, ("failed", _with_traceback(error)))
        return
    _send(channel, ("ready", os.getpid()))
    inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
    threading.Thread(target=_read_frames, args=(channel.makefile("rb"), inbox),
                     daemon=True).start()
    jobs = Jobs()
    while True:
        job_id, job, args = jobs.next(inbox)
        if job_id in jobs.cancelled:
            _send(channel, ("skipped", job_id))
            continue
        try:
            answer: tuple[str, Any] = ("ok", job(scorer, *args))
        except MemoryError:
            del job, args       # what the job held is freed before answering
            _send(channel, ("memory", memory_mb))
            os._exit(EXIT_OUT_OF_MEMORY)
        except Exception as error:  # noqa: BLE001 - the job's caller gets the exception
            answer = ("error", _with_traceback(error))
        _send(channel, answer)


def limit_memory(memory_mb: int) -> None:
    """Cap the data segment (heap and private mappings: what a parse grows), not the
    address space, which counts shared libraries and reserved arenas too."""
    if memory_mb > 0:
        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        limit = memory_mb * MIB
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


class Jobs:
    """The frames read so far: jobs in order, and the ids the daemon withdrew."""

    def __init__(self) -> None:
        self.pending: deque[tuple[int, Any, tuple[Any, ...]]] = deque()
        self.cancelled: set[int] = set()

    def next(self, inbox: queue.SimpleQueue[Any]) -> tuple[int, Any, tuple[Any, ...]]:
        """The next job, once every frame already read is seen (a cancel that came
        after its job must count)."""
        while True:
            try:
                self.take(inbox.get_nowait())
            except queue.Empty:
                if self.pending:
                    break
                self.take(inbox.get())      # nothing to run: wait for the next frame
        job = self.pending.popleft()
        # ids only grow: a cancel of an older job came too late and is forgotten
        self.cancelled = {i for i in self.cancelled if i >= job[0]}
        return job

    def take(self, frame: tuple[Any, ...]) -> None:
        if frame[0] == "cancel":
            self.cancelled.add(frame[1])
        else:
            self.pending.append((frame[1], frame[2], frame[3]))


def _read_frames(stream: Any, inbox: queue.SimpleQueue[Any]) -> None:
    """Read frames into ``inbox`` until the daemon closes the channel; then exit at
    once, even mid-job (a job of a closed pool has nobody to answer)."""
    try:
        while True:
            inbox.put(worker_channel.read_blocking(stream))
    except EOFError:
        pass
    except MemoryError:
        os._exit(EXIT_OUT_OF_MEMORY)
    os._exit(0)


def _send(channel: socket.socket, answer: tuple[str, Any]) -> None:
    try:
        frame = worker_channel.encode(answer)
    except Exception as error:  # noqa: BLE001 - an unpicklable result or exception
        frame = worker_channel.encode(("error", TypeError(
            f"the scoring job's {answer[0]} answer cannot be pickled: {error!r}")))
    try:
        channel.sendall(frame)
    except OSError:
        os._exit(0)         # the daemon is gone


def _with_traceback(error: Exception) -> Exception:
    """The worker's traceback as a note: it survives pickling, unlike __traceback__."""
    error.add_note("in the scoring worker:\n" + "".join(traceback.format_tb(error.__traceback__)))
    return error


def _exit_with_parent(parent_pid: int) -> None:
    """Besides the end of stream, poll for the daemon (a ``kill -9`` of the daemon must
    leave no orphans, even if some process still held the daemon's end)."""
    while os.getppid() == parent_pid:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)
