"""The SMTP proxy as a daemon service: listen, relay, stop gracefully, reload.

It runs aiosmtpd's protocol on the daemon's own event loop via
``loop.create_server`` (not aiosmtpd's threaded Controller).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from daemon.config.load import LoadedConfig
from daemon.config.sections import SmtpSettings
from daemon.runtime.logs import log_event
from daemon.runtime.tls import server_context
from daemon.scoring_service.scorer import Scorer
from daemon.scoring_service.service import ScoringService
from daemon.smtp_proxy.connection_limit import ConnectionLimit
from daemon.smtp_proxy.handler import ProxyContext, RelayHandler
from daemon.smtp_proxy.policy import ResendMemory
from daemon.smtp_proxy.replies import SHUTTING_DOWN
from daemon.smtp_proxy.scoring_call import ProxyScoring, Scoring
from daemon.smtp_proxy.session import ProxySMTP
from daemon.smtp_proxy.upstream import client_tls_context
from daemon.store.database import Store
from daemon.store.journal import JournalBusy, RecordJournal
from scoring.errors import TrustmailError

log = logging.getLogger("trustmail.smtp")

SERVER_NAME = "localhost"               # our EHLO name; avoids a slow getfqdn() per connection
SERVER_IDENT = "trustmail"
SCORING_THREADS = 2
CLIENT_IDLE_TIMEOUT_SECONDS = 300       # RFC 5321 4.5.3.2.7: at least 5 minutes
SHUTDOWN_GRACE_EXTRA_SECONDS = 5.0
LISTEN_BACKLOG = 1024                   # asyncio's 100 drops connects of a burst (SYN retries)
SECONDS_PER_MINUTE = 60


class SmtpStartError(TrustmailError):
    """The proxy cannot start (port in use, unreadable certificate...)."""


class SmtpProxyService:
    """The ``smtp`` service of the daemon."""

    name = "smtp"

    def __init__(self, settings: SmtpSettings, store: Store, scorer: Scorer,
                 data_dir: Path | None = None, scoring_settings: Any = None) -> None:
        """Only keeps the parts; sockets, pools and processes are made by :meth:`start`.

        ``scorer`` is the daemon's :class:`ScoringService` (shared with the HTTP API), or
        a scorer for a service of its own: in worker processes built from
        ``scoring_settings`` when given, else in threads.
        """
        self.settings = settings
        self.store = store
        self.scorer = scorer
        self.scoring_settings = scoring_settings
        self.data_dir = data_dir
        self._server: asyncio.Server | None = None
        self.address: tuple[str, int] | None = None
        self.context: ProxyContext | None = None
        self.handler: RelayHandler | None = None
        self.limit = ConnectionLimit(settings.max_connections)

    @staticmethod
    def _upstream_tls(settings: SmtpSettings) -> ssl.SSLContext | None:
        if settings.upstream.tls == "none":
            return None
        try:
            return client_tls_context(settings.upstream.ca_file)
        except (OSError, ssl.SSLError) as error:
            raise SmtpStartError(f"[smtp.upstream] ca_file {settings.upstream.ca_file!r} "
                                 f"cannot be loaded: {error}") from None

    def _listener_tls(self) -> ssl.SSLContext:
        try:
            return server_context(self.settings.tls_cert, self.settings.tls_key, self.data_dir)
        except (OSError, ssl.SSLError, ValueError) as error:
            raise SmtpStartError(f"[smtp] tls_cert/tls_key cannot be used: {error}") from None

    def _protocol(self, handler: RelayHandler, tls: ssl.SSLContext) -> ProxySMTP:
        settings = self.settings
        return ProxySMTP(
            handler, hostname=SERVER_NAME, ident=SERVER_IDENT, tls_context=tls,
            data_size_limit=settings.max_message_bytes, enable_SMTPUTF8=True,
            decode_data=False, auth_require_tls=settings.auth_require_tls,
            timeout=CLIENT_IDLE_TIMEOUT_SECONDS, loop=asyncio.get_running_loop())

    async def start(self) -> None:
        """Listen on ``[smtp] listen`` (loopback only, checked by the config)."""
        tls = self._listener_tls()
        scoring = await self._start_scoring(self.settings, self.scorer, self.scoring_settings)
        self.context = ProxyContext(
            settings=self.settings, scoring=scoring, store=self.store,
            store_executor=ThreadPoolExecutor(1, thread_name_prefix="store"),
            upstream_tls=self._upstream_tls(self.settings),
            resend_memory=ResendMemory(self.settings.warn_resend_minutes * SECONDS_PER_MINUTE),
            journal=self._open_journal(),
            journal_executor=ThreadPoolExecutor(1, thread_name_prefix="journal"),
        )
        self.handler = RelayHandler(self.context)
        handler = self.handler
        loop = asyncio.get_running_loop()
        listen = self.settings.listen
        try:
            self._server = await loop.create_server(
                lambda: self.limit.accept(lambda: self._protocol(handler, tls)),
                host=listen.host, port=listen.port, backlog=LISTEN_BACKLOG)
        except OSError as error:
            self._shutdown_pools()
            raise SmtpStartError(f"cannot listen on {listen}: {error.strerror}") from None
        sockname = self._server.sockets[0].getsockname()
        self.address = (sockname[0], sockname[1])
        log_event(log, logging.INFO, "smtp-listening", listen=self.listen_text(),
                  upstream=self.upstream_text(), policy=self.settings.policy)

    async def stop(self) -> None:
        """Stop accepting, let open transactions finish, then close every connection."""
        if self._server is not None:
            self._server.close()
        handler, context = self.handler, self.context
        if handler is None or context is None:
            return
        handler.shutting_down = True
        grace = (self.settings.upstream.timeout_seconds + self.settings.score_timeout_ms / 1000
                 + SHUTDOWN_GRACE_EXTRA_SECONDS)
        busy = [c.relay.idle.wait() for c in handler.connections if c.relay.in_transaction]
        for connection in [c for c in handler.connections if not c.relay.in_transaction]:
            self._say_goodbye(connection)
        if busy:
            log_event(log, logging.INFO, "smtp-draining", transactions=len(busy))
            try:
                await asyncio.wait_for(asyncio.gather(*busy), grace)
            except TimeoutError:
                log_event(log, logging.WARNING, "smtp-drain-timeout", seconds=grace)
        for connection in list(handler.connections):
            connection.hang_up()
        if context.background:
            await asyncio.wait(list(context.background), timeout=grace)
        self._shutdown_pools()
        log_event(log, logging.INFO, "smtp-stopped")

    def _open_journal(self) -> RecordJournal | None:
        """The record journal; it replays what a killed daemon had not stored yet."""
        try:
            journal = RecordJournal(self.store)
        except (JournalBusy, OSError) as error:
            log_event(log, logging.WARNING, "journal-unavailable", problem=str(error))
            return None
        if journal.replayed:
            log_event(log, logging.INFO, "journal-replayed", records=journal.replayed)
        return journal

    def _shutdown_pools(self) -> None:
        if self.context is not None:
            self.context.scoring.close()
            self.context.store_executor.shutdown(wait=True)
            if self.context.journal_executor is not None:
                self.context.journal_executor.shutdown(wait=True)
            if self.context.journal is not None:
                self.context.journal.close()

    @staticmethod
    async def _start_scoring(settings: SmtpSettings, scorer: Scorer,
                             scoring_settings: Any) -> Scoring:
        if isinstance(scorer, ScoringService):
            service = scorer
        elif scoring_settings is None:
            service = ScoringService.in_threads(scorer, SCORING_THREADS)
        else:
            service = ScoringService.in_processes(scoring_settings,
                                                  workers=settings.score_workers,
                                                  memory_mb=settings.score_worker_memory_mb)
        scoring = ProxyScoring(service)
        try:
            await scoring.start()
        except Exception as error:
            scoring.close()
            raise SmtpStartError(f"cannot start the scoring workers: {error}") from None
        return scoring

    def scoring_pids(self) -> list[int]:
        """Worker process ids (empty with thread scoring), for memory figures."""
        scoring = self.context.scoring if self.context else None
        return scoring.pids() if isinstance(scoring, ProxyScoring) else []

    @staticmethod
    def _say_goodbye(connection: ProxySMTP) -> None:
        """Tell an idle client we are going (RFC 5321 421), then close."""
        transport = connection.transport
        if transport is not None and not transport.is_closing():
            try:
                transport.write(SHUTTING_DOWN + b"\r\n")   # type: ignore[attr-defined]
            except (OSError, AttributeError, RuntimeError):
                pass                     # a half-closed TLS transport: just close it
        connection.hang_up()

    async def reload(self, config: LoadedConfig, store: Store, scorer: Scorer) -> bool:
        """Apply a new config in place; False if the listener must be restarted.

        Connections already open finish with the settings they started with where a
        transaction is under way; everything after uses the new ones.
        """
        settings = config.daemon.smtp
        if self.context is None or settings.listen != self.settings.listen or (
                (settings.tls_cert, settings.tls_key)
                != (self.settings.tls_cert, self.settings.tls_key)):
            return False
        upstream_tls = self._upstream_tls(settings)
        scoring_settings = config.scoring if self.scoring_settings is not None else None
        scoring = await self._start_scoring(settings, scorer, scoring_settings)
        context = self.context
        old_scoring = context.scoring
        self.settings, self.store, self.scorer = settings, store, scorer
        self.scoring_settings = scoring_settings
        context.upstream_tls = upstream_tls
        context.settings, context.store, context.scoring = settings, store, scoring
        old_scoring.close()
        context.resend_memory.window_seconds = settings.warn_resend_minutes * SECONDS_PER_MINUTE
        self.limit.maximum = settings.max_connections
        context.last_capabilities = None
        log_event(log, logging.INFO, "smtp-reloaded", policy=settings.policy,
                  upstream=self.upstream_text())
        return True

    def listen_text(self) -> str:
        if self.address is None:
            return str(self.settings.listen)
        host, port = self.address
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    def upstream_text(self) -> str:
        upstream = self.settings.upstream
        return f"{upstream.host}:{upstream.port} ({upstream.tls})"

    def describe(self) -> str:
        """One line for ``trustmail status``."""
        return (f"SMTP proxy listening on {self.listen_text()} (STARTTLS), relaying to "
                f"{self.upstream_text()}, policy {self.settings.policy}")
