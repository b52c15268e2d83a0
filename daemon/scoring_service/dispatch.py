"""Which scoring worker takes a job: the least loaded, or the one its affinity key used.

The scorer in each worker caches per-sentence work (bounded LRU caches). While somebody
types, the draft's sentences stay the same except the one being edited, so sending the
same draft to the same worker keeps the re-score cheap; on another worker every
sentence is analysed cold once more. A key therefore sticks to its worker, unless that
worker is clearly busier than the least loaded one: then waiting costs more than a
cold score, and the key moves (and sticks to its new worker).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Sequence

AFFINITY_SLACK = 2          # "clearly busier": this many more jobs than the least loaded
AFFINITY_KEYS = 1024        # keys remembered (least recently used forgotten first)


def least_loaded(loads: Sequence[int]) -> int:
    """Index of the smallest load (the first on a tie)."""
    return min(range(len(loads)), key=loads.__getitem__)


def choose(loads: Sequence[int], preferred: int | None, slack: int = AFFINITY_SLACK) -> int:
    """The worker for a job: ``preferred`` unless its load is ``slack`` or more above
    the least loaded worker's. ``loads[i]`` counts worker i's queued and running jobs."""
    least = least_loaded(loads)
    if preferred is not None and loads[preferred] - loads[least] < slack:
        return preferred
    return least


class Affinity:
    """Remembers the worker each key went to last (a bounded LRU map)."""

    def __init__(self, size: int = AFFINITY_KEYS) -> None:
        self.size = size
        self._workers: OrderedDict[Hashable, int] = OrderedDict()

    def get(self, key: Hashable) -> int | None:
        return self._workers.get(key)

    def remember(self, key: Hashable, worker: int) -> None:
        self._workers[key] = worker
        self._workers.move_to_end(key)
        if len(self._workers) > self.size:
            self._workers.popitem(last=False)
