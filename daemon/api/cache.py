"""Reports of recent identical score requests, kept in memory (never on disk).

The add-on asks for the same draft several times: the badge, then the popup, then the
send gate, often from two places at once. Scoring a 3 KB draft costs milliseconds of
CPU; answering a repeat from here costs microseconds. Concurrent identical requests
share one computation (single flight).

The key is a hash of the request; a request without ``now`` is keyed by the current
minute too, because responsiveness and due dates depend on the time of scoring.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

CACHE_ENTRIES = 256          # ~20 KB of JSON per report: a few MB at most
CLOCK_BUCKET = "%Y-%m-%dT%H:%M"


def request_key(body: dict[str, Any], now: datetime) -> str:
    """A stable key for a ScoreRequest body; ``now`` counts when the body has none."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    clock = "" if "now" in body else now.strftime(CLOCK_BUCKET)
    return hashlib.sha256(f"{clock}\n{canonical}".encode("utf-8", "surrogatepass")).hexdigest()


class ReportCache:
    """An LRU of finished reports (as response bytes) plus the computations running."""

    def __init__(self, entries: int = CACHE_ENTRIES) -> None:
        self.entries = entries
        self.done: OrderedDict[str, bytes] = OrderedDict()
        self.running: dict[str, asyncio.Future[bytes]] = {}
        self.hits = 0
        self.misses = 0

    async def get_or_compute(self, key: str,
                             compute: Callable[[], Awaitable[bytes]]) -> bytes:
        """The cached report for ``key``, or the result of ``compute()`` (then cached)."""
        if key in self.done:
            self.done.move_to_end(key)
            self.hits += 1
            return self.done[key]
        if key in self.running:
            self.hits += 1
            return await asyncio.shield(self.running[key])
        self.misses += 1
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self.running[key] = future
        try:
            report = await compute()
        except BaseException as error:
            if isinstance(error, asyncio.CancelledError):
                future.cancel()
            else:
                future.set_exception(error)
                future.exception()      # mark it retrieved: only the waiters care
            raise
        finally:
            del self.running[key]
        future.set_result(report)
        self.done[key] = report
        if len(self.done) > self.entries:
            self.done.popitem(last=False)
        return report
