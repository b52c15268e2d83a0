"""The ledger watch in a process of its own, so its passes never hold the daemon's GIL.

A pass reads the whole store and threads every message (about a second for 10,000
messages); in a thread of the daemon it would hold the GIL that the SMTP proxy and the
API answer with, and sends during a pass would wait. So the watch (daemon/metrics/store_watch.py)
lives in one spawned worker process that opens the store itself (SQLite in WAL mode:
readers never block the daemon's writes) and keeps its own "seen" state; each tick returns
the events it found, and the daemon's recorder counts them.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime

from daemon.config.load import LoadedConfig
from daemon.metrics.events import Recorder
from daemon.metrics.store_watch import LedgerWatch, StartMark
from daemon.runtime.logs import setup_logging
from daemon.store.database import open_store

PARENT_CHECK_SECONDS = 1.0
FIRST_RESPONSE = "first_response"
PROMISE = "promise"
Event = tuple[str, float | str, str | int]


class EventBuffer:
    """The worker's sink: events kept until the daemon takes them."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def first_response(self, business_seconds: float, customer_address: str) -> None:
        self.events.append((FIRST_RESPONSE, business_seconds, customer_address))

    def promise(self, event: str, amount: int = 1) -> None:
        self.events.append((PROMISE, event, amount))

    def take(self) -> list[Event]:
        events, self.events = self.events, []
        return events


# -- in the worker process ---------------------------------------------------------------

_buffer = EventBuffer()
_watch: LedgerWatch | None = None


def _start(config: LoadedConfig, since: StartMark, parent_pid: int) -> None:
    """The worker's initializer: its own logging and store connection."""
    global _watch
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # Ctrl-C stops the daemon, which stops us
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True).start()
    setup_logging(config.daemon.log_level)
    settings = config.daemon.store
    store = open_store(settings.path, keep_bodies=settings.keep_bodies,
                       hash_subjects=settings.hash_subjects)
    _watch = LedgerWatch(config, store, _buffer, since)


def _exit_with_parent(parent_pid: int) -> None:
    """A ``kill -9`` of the daemon must leave no orphan (the pool would not notice while
    idle)."""
    while os.getppid() == parent_pid:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)


def _tick(now: datetime) -> list[Event]:
    assert _watch is not None
    _watch.tick(now)
    return _buffer.take()


def _configure(config: LoadedConfig) -> None:
    assert _watch is not None
    _watch.configure(config)


# -- in the daemon ------------------------------------------------------------------------

def replay(events: list[Event], recorder: Recorder) -> None:
    """Count what the worker found."""
    for kind, first, second in events:
        if kind == FIRST_RESPONSE:
            recorder.first_response(float(first), str(second))
        elif kind == PROMISE:
            recorder.promise(str(first), int(second))


class LedgerProcess:
    """The daemon's handle on the worker."""

    def __init__(self, config: LoadedConfig, recorder: Recorder, since: StartMark) -> None:
        """``since``: the store at the daemon's start (the worker starts a little later)."""
        self.recorder = recorder
        self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_start,
                                         initargs=(config, since, os.getpid()))

    async def tick(self, now: datetime) -> None:
        events = await asyncio.wrap_future(self._pool.submit(_tick, now))
        replay(events, self.recorder)

    async def configure(self, config: LoadedConfig) -> None:
        await asyncio.wrap_future(self._pool.submit(_configure, config))

    def close(self) -> None:
        """Stop the worker (a pass under way is finished first)."""
        self._pool.shutdown(wait=True, cancel_futures=True)
