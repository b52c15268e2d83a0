"""Team metrics as a daemon service: started only when ``[metrics]`` turns an exporter on.

``metrics_service`` returns None while ``[metrics]`` has neither ``prometheus`` nor
``otlp_endpoint`` (the default): then no exporter library is imported, no port is opened
and every recording call (daemon/metrics/events.py) returns at once. Started, it builds
the exporters the admin chose, activates the recorder, and watches the store's ledger for
first-response times and promise events (daemon/metrics/store_watch.py, in a worker process of
its own: daemon/metrics/store_watch_process.py). It starts before the other services and stops
after them, so nothing they record is lost.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import BrokenExecutor
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from daemon.config.load import LoadedConfig
from daemon.config.sections import MetricsSettings
from daemon.metrics.events import Recorder, activate, deactivate
from daemon.metrics.labels import LabelPolicy
from daemon.runtime.logs import log_event
from daemon.store.database import Store

if TYPE_CHECKING:
    from daemon.metrics.prometheus import ScrapeEndpoint
    from daemon.metrics.store_watch_process import LedgerProcess

log = logging.getLogger("trustmail.metrics")

LEDGER_POLL_SECONDS = 2.0


def shown_endpoint(url: str) -> str:
    """An OTLP URL without user info or query (a token must not reach a log line)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    return f"{parts.scheme}://{netloc}{parts.path}"


class MetricsService:
    """The ``metrics`` service of the daemon."""

    name = "metrics"

    def __init__(self, config: LoadedConfig, store: Store) -> None:
        self.config = config
        self.settings: MetricsSettings = config.daemon.metrics
        self.store = store
        self.endpoint: ScrapeEndpoint | None = None
        self.recorder: Recorder | None = None
        self.ledger: LedgerProcess | None = None
        self._watch: asyncio.Task[None] | None = None

    async def start(self) -> None:
        settings = self.settings
        self.recorder = Recorder(LabelPolicy.of(settings))
        if settings.prometheus is not None:
            from daemon.metrics.prometheus import PrometheusBackend, ScrapeEndpoint
            prometheus = PrometheusBackend(self.recorder)
            self.endpoint = ScrapeEndpoint(settings.prometheus, prometheus.registry)
            self.endpoint.start()
            self.recorder.attach(prometheus)
        if settings.otlp_endpoint is not None:
            from daemon.metrics.otlp import OtlpBackend
            self.recorder.attach(OtlpBackend(self.recorder, settings.otlp_endpoint,
                                             settings.otlp_interval_seconds))
        activate(self.recorder)
        from daemon.metrics.store_watch import start_mark
        from daemon.metrics.store_watch_process import LedgerProcess
        self.ledger = LedgerProcess(self.config, self.recorder, start_mark(self.store))
        self._watch = asyncio.ensure_future(self._watch_ledger())
        log_event(log, logging.INFO, "metrics-exporting", describe=self.describe())

    async def _watch_ledger(self) -> None:
        failed_before = False
        while True:
            try:
                assert self.ledger is not None
                await self.ledger.tick(datetime.now(UTC))
                failed_before = False
            except asyncio.CancelledError:
                raise
            except BrokenExecutor:
                # the worker died (killed, out of memory): a new one, from the store as it
                # is now (what happened in between is not counted)
                log_event(log, logging.WARNING, "metrics-ledger-restarted")
                await self._restart_ledger()
            except Exception as error:  # noqa: BLE001 - the ledger must not stop the daemon
                if not failed_before:
                    log_event(log, logging.ERROR, "metrics-ledger-failed",
                              problem=type(error).__name__)
                failed_before = True
            await asyncio.sleep(LEDGER_POLL_SECONDS)

    async def _restart_ledger(self) -> None:
        from daemon.metrics.store_watch import start_mark
        from daemon.metrics.store_watch_process import LedgerProcess
        assert self.recorder is not None
        old, self.ledger = self.ledger, LedgerProcess(self.config, self.recorder,
                                                      start_mark(self.store))
        if old is not None:
            await asyncio.get_running_loop().run_in_executor(None, old.close)

    async def stop(self) -> None:
        """Stop the ledger watch, push the last figures (OTLP), close the endpoint."""
        if self._watch is not None:
            self._watch.cancel()
            await asyncio.gather(self._watch, return_exceptions=True)
            self._watch = None
        recorder = deactivate()
        loop = asyncio.get_running_loop()
        if recorder is not None:
            await loop.run_in_executor(None, recorder.close)
        if self.endpoint is not None:
            await loop.run_in_executor(None, self.endpoint.stop)
            self.endpoint = None
        if self.ledger is not None:
            await loop.run_in_executor(None, self.ledger.close)
            self.ledger = None
        log_event(log, logging.INFO, "metrics-stopped")

    async def reload(self, config: LoadedConfig, store: Store, scorer: Any) -> bool:
        """Same ``[metrics]``: keep the counters, take the new business hours and "me".
        Another ``[metrics]``: False, so the daemon restarts the service."""
        if config.daemon.metrics != self.settings or store is not self.store:
            return False
        self.config = config
        if self.ledger is not None:
            await self.ledger.configure(config)
        return True

    def describe(self) -> str:
        """One line for ``trustmail status``."""
        settings = self.settings
        parts = []
        if settings.prometheus is not None:
            url = self.endpoint.url() if self.endpoint else f"http://{settings.prometheus}/metrics"
            parts.append(f"Prometheus endpoint {url}")
        if settings.otlp_endpoint is not None:
            parts.append(f"OTLP push to {shown_endpoint(settings.otlp_endpoint)} every "
                         f"{settings.otlp_interval_seconds:g} s")
        labels = ["account " + repr(settings.account_label) if settings.account_label
                  else "no account label",
                  "customer domains " + ("on" if settings.customer_domains else "off")]
        return "team metrics (aggregates only): " + "; ".join(parts) + " (" + ", ".join(
            labels) + ")"


def metrics_service(config: LoadedConfig, store: Store, scorer: Any) -> MetricsService | None:
    """The service, or None while nothing is to be exported (the default)."""
    return MetricsService(config, store) if config.daemon.metrics.enabled else None
