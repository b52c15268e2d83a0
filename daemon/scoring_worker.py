"""One scoring worker process: build and warm a scorer, then run jobs one at a time.

Started (spawned) by :class:`daemon.scoring_workers.ScoringWorkers` with its end of a
socket pair. It answers ``("ready", pid)`` once the scorer is warm (or
``("failed", error)``), then for every ``(job, args)`` frame ``("ok", job(scorer,
*args))`` or ``("error", exception)``. It exits when the daemon closes the channel or
dies: at once when idle (end of stream), within PARENT_CHECK_SECONDS when busy.
"""

from __future__ import annotations

import importlib
import os
import signal
import socket
import threading
import time
import traceback
from typing import Any

from daemon import worker_channel
from daemon.scorer import Scorer
from scoring.settings import ScoringSettings

PARENT_CHECK_SECONDS = 1.0
WARM_UP_TEXT = "Hello Anna, thanks for your message. I will send the contract by Friday."


def build_scorer(settings: ScoringSettings) -> Scorer:
    """The scorer, warmed up (its first call compiles what it compiles lazily)."""
    from scoring import Scorer as CoreScorer
    scorer = CoreScorer(settings)
    scorer.score_text(WARM_UP_TEXT)
    return scorer


def main(channel: socket.socket, settings: ScoringSettings, parent_pid: int,
         imports: tuple[str, ...] = ()) -> None:
    """The worker process's entry point (a ``multiprocessing`` spawn target).
    ``imports``: modules the jobs live in, imported before the worker says it is ready
    (importing a job's module can take ~0.1 s, which a first job should not wait for)."""
    # Ctrl-C in a terminal reaches the whole process group; the daemon decides when its
    # workers stop (close() terminates them).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True).start()
    try:
        for module in imports:
            importlib.import_module(module)
        scorer = build_scorer(settings)
    except Exception as error:  # noqa: BLE001 - the daemon reports why the worker failed
        _send(channel, ("failed", _with_traceback(error)))
        return
    _send(channel, ("ready", os.getpid()))
    stream = channel.makefile("rb")
    while True:
        try:
            job, args = worker_channel.read_blocking(stream)
        except EOFError:
            os._exit(0)     # the daemon is gone, or closed us: nothing left to do
        try:
            answer: tuple[str, Any] = ("ok", job(scorer, *args))
        except Exception as error:  # noqa: BLE001 - the job's caller gets the exception
            answer = ("error", _with_traceback(error))
        _send(channel, answer)


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
    """While a job runs the worker reads no frame, so end of stream goes unnoticed:
    poll for the daemon instead (a ``kill -9`` of the daemon must leave no orphans)."""
    while os.getppid() == parent_pid:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)
