"""Reports of recent identical score requests, kept in memory (never on disk).

The add-on asks for the same draft several times: the badge, then the popup, then the
send gate, often from two places at once. Scoring a 3 KB draft costs milliseconds of
CPU; answering a repeat from here costs microseconds. Concurrent identical requests
share one computation (single flight), which runs as long as one of them still waits:
when the last waiter goes away (its client disconnected, issue 13) it is cancelled, so
a draft nobody waits for any more is withdrawn from the scoring queue.

The key is a hash of the request; a request without ``now`` is keyed by the current
minute too, because responsiveness and due dates depend on the time of scoring.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from daemon.api.models import ScoreRequest

CACHE_ENTRIES = 256          # ~20 KB of JSON per report: a few MB at most
CLOCK_BUCKET = "%Y-%m-%dT%H:%M"
LONG_STRING = 4096           # longer strings enter the key as their digest


def request_key(body: ScoreRequest, now: datetime) -> str:
    """A stable key for a ScoreRequest; ``now`` counts when the body has none."""
    canonical = json.dumps(digested(body.model_dump(exclude_unset=True)), sort_keys=True,
                           ensure_ascii=False, separators=(",", ":"))
    clock = "" if body.now is not None else now.strftime(CLOCK_BUCKET)
    return hashlib.sha256(f"{clock}\n{canonical}".encode("utf-8", "surrogatepass")).hexdigest()


def digested(value: Any) -> Any:
    """``value`` with each long string replaced by its BLAKE2 digest: escaping a 5 MB draft
    into JSON and hashing it with SHA-256 took the event loop ~25 ms; a digest of its
    UTF-8 ~5 ms. A digest enters as an object where the model has a string, so no string
    a client sends can stand for it."""
    if isinstance(value, str):
        if len(value) < LONG_STRING:
            return value
        digest = hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=32)
        return {"blake2b": digest.hexdigest()}
    if isinstance(value, dict):
        return {key: digested(item) for key, item in value.items()}
    if isinstance(value, list):
        return [digested(item) for item in value]
    return value


@dataclass(eq=False)
class Flight:
    """One computation running, and how many requests wait for it."""

    task: asyncio.Task[bytes]
    waiters: int = 0


class ReportCache:
    """An LRU of finished reports (as response bytes) plus the computations running."""

    def __init__(self, entries: int = CACHE_ENTRIES) -> None:
        self.entries = entries
        self.done: OrderedDict[str, bytes] = OrderedDict()
        self.running: dict[str, Flight] = {}
        self.hits = 0
        self.misses = 0

    async def get_or_compute(self, key: str,
                             compute: Callable[[], Coroutine[object, object, bytes]]) -> bytes:
        """The cached report for ``key``, or the result of ``compute()`` (then cached).
        Cancelling the caller cancels the computation only if nobody else waits for it."""
        if key in self.done:
            self.done.move_to_end(key)
            self.hits += 1
            return self.done[key]
        flight = self.running.get(key)
        if flight is None:
            self.misses += 1
            flight = self.running[key] = Flight(asyncio.create_task(compute()))
            flight.task.add_done_callback(lambda task: self._landed(key, flight, task))
        else:
            self.hits += 1
        flight.waiters += 1
        try:
            return await asyncio.shield(flight.task)
        finally:
            flight.waiters -= 1
            if not flight.waiters and not flight.task.done():
                # the last waiter went away: nobody wants this report any more
                if self.running.get(key) is flight:
                    del self.running[key]       # a new request starts afresh
                flight.task.cancel()

    def _landed(self, key: str, flight: Flight, task: asyncio.Task[bytes]) -> None:
        if self.running.get(key) is flight:
            del self.running[key]
        if task.cancelled() or task.exception() is not None:   # retrieved: not cached
            return
        self.done[key] = task.result()
        self.done.move_to_end(key)
        if len(self.done) > self.entries:
            self.done.popitem(last=False)
