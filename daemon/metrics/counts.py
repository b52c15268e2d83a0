"""The counters' values, kept in memory and read by the exporters when they collect.

Counting is the hot path (the SMTP proxy and the scoring API count as they answer), so a
count is one dictionary update under a lock, about a microsecond; the exporters read a
snapshot when Prometheus scrapes or the OTLP push is due, never per event. (Writing each
event into prometheus_client and the OpenTelemetry SDK directly cost 20 µs per count.)
Values are cumulative from the daemon's start, as both formats expect of a counter.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

LabelSet = tuple[tuple[str, str], ...]


class Counts:
    """Cumulative value per counter name and label set."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, dict[LabelSet, float]] = {}

    def add(self, name: str, labels: Mapping[str, str], amount: float = 1) -> None:
        key = tuple(labels.items())
        with self._lock:
            series = self._values.setdefault(name, {})
            series[key] = series.get(key, 0) + amount

    def snapshot(self, name: str) -> list[tuple[dict[str, str], float]]:
        """Every label set of ``name`` with its value, as of now."""
        with self._lock:
            items = list(self._values.get(name, {}).items())
        return [(dict(key), value) for key, value in items]
