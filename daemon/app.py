"""The trustmail daemon: builds its services from the config and runs them in ONE loop.

A service is anything with a ``name``, ``async start()``, ``async stop()`` and
``describe()`` (one line for ``trustmail status``); it may also have
``async reload(config, store, scorer) -> bool`` to apply a new config in place
(returning False asks the daemon to restart it). Services are built by the
factories in :data:`SERVICE_FACTORIES`; a factory returns None when its service is
not configured. To add a service, append one factory there. A factory only builds
the object: open sockets, threads and pools in ``start()``, so an unused one (on a
reload) costs nothing.

Signals: SIGTERM/SIGINT stop gracefully (open SMTP transactions finish first), SIGHUP
reloads the config (a bad config is logged and the old one kept). While running, the
daemon keeps a state file in the data dir that ``trustmail status`` reads.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from daemon.api.server import api_service
from daemon.application.check_setup import log_setup_problems
from daemon.config.load import LoadedConfig, load_config
from daemon.imap.service import imap_sync_service
from daemon.metrics.events import record_scored
from daemon.metrics.service import metrics_service
from daemon.runtime.logs import log_event, setup_logging
from daemon.runtime.memory import collect_garbage_periodically, freeze_start_up_objects
from daemon.runtime.state import daemon_running, read_state, state_file, write_state
from daemon.scheduler.weekly_report import report_scheduler_service
from daemon.scoring_service.scorer import Scorer
from daemon.scoring_service.service import ScoringService
from daemon.smtp_proxy.service import SmtpProxyService
from daemon.store.database import Store, open_store
from scoring.errors import TrustmailError

log = logging.getLogger("trustmail.daemon")
WARM_UP_TEXT = "Hello, thanks for your message. I will send the contract by Friday."


@runtime_checkable
class Service(Protocol):
    """One part of the daemon (SMTP proxy, HTTP API, IMAP sync, report scheduler)."""

    name: str

    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    def describe(self) -> str: ...


ServiceFactory = Callable[[LoadedConfig, Store, Scorer], "Service | None"]


def imap_service(config: LoadedConfig, store: Store, scorer: Scorer) -> Service | None:
    """IMAP sync; each draft it scores is counted for team metrics like the others."""
    return imap_sync_service(config, store, scorer,
                             on_scored=lambda report: record_scored("imap", report))


def smtp_service(config: LoadedConfig, store: Store, scorer: Scorer) -> Service:
    return SmtpProxyService(config.daemon.smtp, store, scorer, scoring_settings=config.scoring)


# One line per service; the daemon starts them in this order and stops them in reverse.
SERVICE_FACTORIES: list[ServiceFactory] = [
    metrics_service,          # first: it records what the others do, and stops last
    smtp_service,
    api_service,
    imap_service,
    report_scheduler_service,
]


class DaemonError(TrustmailError):
    """The daemon cannot start (already running, a service failed to start)."""


# -- building the parts ---------------------------------------------------------------

def build_scorer(config: LoadedConfig) -> ScoringService:
    """The daemon's one scoring door: its scorer (built now, so a bad rule pack fails the
    start or the reload) and one worker pool that the API and the SMTP proxy share."""
    from scoring import Scorer as CoreScorer  # late: the scoring core compiles its rules here
    return ScoringService.in_processes(config.scoring, CoreScorer(config.scoring),
                                       workers=config.daemon.smtp.score_workers,
                                       memory_mb=config.daemon.smtp.score_worker_memory_mb)


def build_store(config: LoadedConfig) -> Store:
    settings = config.daemon.store
    return open_store(settings.path, keep_bodies=settings.keep_bodies,
                      hash_subjects=settings.hash_subjects)


def build_services(config: LoadedConfig, store: Store, scorer: Scorer,
                   factories: list[ServiceFactory] | None = None) -> list[Service]:
    built = (factory(config, store, scorer) for factory in (factories or SERVICE_FACTORIES))
    return [service for service in built if service is not None]


def warm_up(scorer: Scorer) -> None:
    """Score once so lazy initialisation (readability data) is not paid by a sender."""
    scorer.score_message(b"Subject: warm up\r\n\r\n" + WARM_UP_TEXT.encode() + b"\r\n")


@dataclass
class Parts:
    config: LoadedConfig
    store: Store
    scorer: Scorer


class Daemon:
    """Runs the services until SIGTERM/SIGINT; reloads on SIGHUP."""

    def __init__(self, config_path: Path | None = None,
                 factories: list[ServiceFactory] | None = None) -> None:
        self.config_path = config_path
        self.factories = factories
        self.services: list[Service] = []
        self.parts: Parts | None = None
        self._stop = asyncio.Event()
        self._reloading = asyncio.Lock()
        self._started_at = ""

    async def start(self, parts: Parts) -> None:
        """Start every service; if one fails, stop the ones already started."""
        self.parts = parts
        self._check_not_running()
        self.services = build_services(parts.config, parts.store, parts.scorer, self.factories)
        started: list[Service] = []
        try:
            for service in self.services:
                await service.start()
                started.append(service)
        except BaseException:
            for service in reversed(started):
                await service.stop()
            raise
        self._started_at = datetime.now(UTC).isoformat(timespec="seconds")
        self._write_state()
        for service in self.services:
            log_event(log, logging.INFO, "service-started", service=service.name,
                      describe=service.describe())

    async def run(self, parts: Parts) -> None:
        """Start, wait for a stop signal, stop."""
        loop = asyncio.get_running_loop()
        await self.start(parts)
        loop.add_signal_handler(signal.SIGTERM, self.request_stop)
        loop.add_signal_handler(signal.SIGINT, self.request_stop)
        loop.add_signal_handler(signal.SIGHUP, lambda: asyncio.ensure_future(self.reload()))
        log_event(log, logging.INFO, "daemon-running", pid=os.getpid())
        freeze_start_up_objects()   # closed connections are reference cycles (issue 14)
        collector = asyncio.ensure_future(collect_garbage_periodically())
        try:
            await self._stop.wait()
        finally:
            collector.cancel()
            for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                loop.remove_signal_handler(signum)
            await self.stop()

    def request_stop(self) -> None:
        log_event(log, logging.INFO, "daemon-stopping")
        self._stop.set()

    async def stop(self) -> None:
        for service in reversed(self.services):
            try:
                await service.stop()
            except Exception as error:  # noqa: BLE001 - stop the others anyway
                log_event(log, logging.ERROR, "service-stop-failed", service=service.name,
                          problem=str(error))
        self.services = []
        path = state_file()
        state = read_state(path)
        if state is not None and state.get("pid") == os.getpid():
            path.unlink(missing_ok=True)
        log_event(log, logging.INFO, "daemon-stopped")

    async def reload(self) -> bool:
        """Re-read the config; apply it to every service or keep the old one on error."""
        async with self._reloading:
            assert self.parts is not None
            try:
                config = load_config(self.config_path)
                scorer = build_scorer(config)
            except Exception as error:  # noqa: BLE001 - a bad reload must not kill the daemon
                log_event(log, logging.ERROR, "reload-failed", problem=str(error))
                return False
            setup_logging(config.daemon.log_level)
            store = self.parts.store
            self.parts = Parts(config, store, scorer)
            fresh = build_services(config, store, scorer, self.factories)
            services: list[Service] = []
            for new in fresh:
                old = next((s for s in self.services if s.name == new.name), None)
                reload = getattr(old, "reload", None)
                if old is not None and reload is not None and await reload(config, store,
                                                                           scorer):
                    services.append(old)      # applied in place; `new` was never started
                    continue
                if old is not None:
                    await old.stop()
                await new.start()
                services.append(new)
            for old in self.services:
                if all(s is not old for s in services):
                    await old.stop()
            self.services = services
            self._write_state()
            log_event(log, logging.INFO, "reloaded",
                      services=[s.name for s in self.services])
            return True

    def _write_state(self) -> None:
        assert self.parts is not None
        write_state(state_file(), {
            "pid": os.getpid(),
            "started_at": self._started_at,
            "config_files": [str(layer.path) for layer in self.parts.config.layers],
            "services": [{"name": s.name, "describe": s.describe()} for s in self.services],
        })

    @staticmethod
    def _check_not_running() -> None:
        state = read_state()
        # daemon_running: a zombie or reused pid in a stale file must not block `run`
        if state and state.get("pid") != os.getpid() and daemon_running(state):
            raise DaemonError(f"trustmail is already running (pid {state['pid']}); "
                              "stop it first or see `trustmail status`")


async def run_daemon(config_path: Path | None = None) -> int:
    """Entry point of ``trustmail run``: load, warm up, run until stopped."""
    config = load_config(config_path)
    setup_logging(config.daemon.log_level)
    log_setup_problems(config, log)
    store = build_store(config)
    scorer = build_scorer(config)
    await asyncio.get_running_loop().run_in_executor(None, warm_up, scorer)
    daemon = Daemon(config_path)
    try:
        await daemon.run(Parts(config, store, scorer))
    finally:
        store.close()
    return 0
