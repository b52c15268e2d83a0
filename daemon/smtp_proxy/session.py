"""One client connection: aiosmtpd's SMTP protocol plus the state of its relay.

aiosmtpd creates a new ``Session`` after STARTTLS, so the relay state (the upstream
connection, whether the client authenticated through it, whether a transaction is
open) lives on the protocol object, which lasts as long as the TCP connection.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiosmtpd.smtp import SMTP, syntax

from daemon import metrics
from daemon.runtime.logs import log_event
from daemon.smtp_proxy.data_reader import read_data
from daemon.smtp_proxy.replies import BARE_LINE_END, SHUTTING_DOWN, TOO_MUCH_DATA
from daemon.smtp_proxy.upstream import UpstreamConnection

if TYPE_CHECKING:
    from daemon.smtp_proxy.handler import RelayHandler

log = logging.getLogger("trustmail.smtp")

DEFAULT_SIZE_LIMIT = 2**31      # only if data_size_limit were unset (the service sets it)


@dataclass
class RelayState:
    """What one client connection knows about its upstream side."""

    upstream: UpstreamConnection | None = None
    helo_name: str = "localhost"
    authenticated: bool = False      # the upstream accepted this client's AUTH
    close_after_reply: bool = False  # the upstream is gone after AUTH: reply, then hang up
    data_relayed: bool = False       # handle_DATA ran for the current DATA command
    idle: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.idle.set()

    @property
    def in_transaction(self) -> bool:
        return not self.idle.is_set()

    def begin_transaction(self) -> None:
        self.idle.clear()

    def end_transaction(self) -> None:
        self.idle.set()

    def drop_upstream(self) -> None:
        """Forget a broken upstream connection (closing it without another word)."""
        if self.upstream is not None:
            self.upstream.abort()
            self.upstream = None
        if self.authenticated:
            self.close_after_reply = True


class ProxySMTP(SMTP):
    """aiosmtpd's server protocol, aware of transactions for a graceful shutdown."""

    def __init__(self, handler: RelayHandler, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self.relay = RelayState()
        self.relay_handler = handler
        # set by the connection limit (connection_limit.py); called to free the slot
        self.connection_slot: Callable[[], object] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        first = self.transport is None          # not the STARTTLS re-entry
        super().connection_made(transport)
        if first:
            self.relay_handler.connection_opened(self)

    def connection_lost(self, error: Exception | None) -> None:
        if self.connection_slot is not None:
            self.connection_slot()       # free at once, however the connection ended
        super().connection_lost(error)
        self.relay_handler.connection_closed(self)
        self._let_go()

    def _let_go(self) -> None:
        """Break the reference cycles a closed session would keep, so that reference
        counting frees it, with its TLS state (an OpenSSL object and its buffers), the
        moment the connection is gone. Left to the cycle collector, closed sessions piled
        up between collections and each pile raised the C heap's high-water mark: the
        10,000-send soak's daemon grew by 80 MiB, then in steps of 20-35 MiB (issue 14).

        Now: the bound callback, the TLS protocol and the handler task (whose
        CancelledError's traceback holds the frame that holds this session). Once the
        task has unwound: the rest (see :meth:`_forget_handler`)."""
        self._client_connected_cb = None
        self._tls_protocol = None
        self._original_transport = None
        task = self._handler_coroutine
        if task is not None:
            # cancelled above; let go of it once it has finished unwinding
            task.add_done_callback(self._forget_handler)

    def _forget_handler(self, _task: asyncio.Task[None]) -> None:
        """The cycles the unwinding handler still needed: aiosmtpd's command and AUTH
        tables (bound methods of this session), its stream writer (whose protocol is this
        session) and the session state, which holds the TLS object (``session.ssl``)."""
        self._handler_coroutine = None
        self._smtp_methods = {}
        self._auth_methods = {}
        self._writer = None  # type: ignore[assignment]
        self.session = None
        self.envelope = None

    async def smtp_MAIL(self, arg: str | None) -> None:
        if self.relay_handler.shutting_down:
            await self.push(SHUTTING_DOWN)
            self.hang_up()
            return
        await super().smtp_MAIL(arg)
        self._hang_up_if_asked()

    async def smtp_RCPT(self, arg: str | None) -> None:
        await super().smtp_RCPT(arg)
        self._hang_up_if_asked()

    @syntax("DATA")
    async def smtp_DATA(self, arg: str) -> None:
        """aiosmtpd's DATA with the fast reader; the reply comes from the DATA hook."""
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        assert self.envelope is not None
        self.relay.data_relayed = False
        try:
            if not self.envelope.rcpt_tos:
                await self.push("503 Error: need RCPT command")
                return
            if arg:
                await self.push("501 Syntax: DATA")
                return
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            received = await read_data(self._reader,
                                       self.data_size_limit or DEFAULT_SIZE_LIMIT)
            # aiosmtpd's idle timer runs from the DATA command; the relay to a slow
            # upstream may outlast it, and has progress timeouts of its own.
            self._pause_idle_timer()
            if received is None:
                status: Any = TOO_MUCH_DATA
                metrics.record_smtp("failed", "too_big")
            elif received.bare_line_end:
                # SMTP smuggling: a lenient upstream could read "\n.\r\n" as the end of
                # data and the rest as commands; refused, never relayed (see README).
                log_event(log, logging.WARNING, "bare-line-end-refused", size=received.size)
                metrics.record_smtp("failed", "bare_line_end")
                status = BARE_LINE_END
            else:
                content = await received.content()
                received = None         # its pieces (as big as the message) can go
                self.envelope.content = self.envelope.original_content = content
                status = await self._call_handler_hook("DATA")
            self._set_post_data_state()  # type: ignore[no-untyped-call]
            await self.push(status)
            if self.transport is not None:
                self._reset_timeout()     # idle again, waiting for the next command
        except asyncio.CancelledError:
            # aiosmtpd cancels us when the client hangs up (EOF) before our reply: an
            # ordinary event, and the message must not be finished upstream.
            log_event(log, logging.INFO, "client-left-during-data")
            self.relay.drop_upstream()
            raise
        finally:
            # Only after the reply went out: a shutdown waits for this moment.
            self.relay.end_transaction()
        if not self.relay.data_relayed:
            # Refused before relaying (too big, no recipient): the upstream still holds
            # MAIL/RCPT, so reset it too.
            await self.relay_handler.reset_upstream(self.relay)
        if self.relay_handler.shutting_down:
            await self.push(SHUTTING_DOWN)
            self.hang_up()
        self._hang_up_if_asked()

    async def smtp_RSET(self, arg: str) -> None:
        await super().smtp_RSET(arg)
        self.relay.end_transaction()

    async def handle_exception(self, error: Exception) -> str:
        """A client gone where a command was due is an info event, not an error.

        (aiosmtpd logs every other exception from a command at error level.)
        """
        if not isinstance(error, asyncio.IncompleteReadError | ConnectionError):
            return await super().handle_exception(error)
        log_event(log, logging.INFO, "client-disconnected", problem=type(error).__name__)
        if isinstance(self.transport, asyncio.Transport):
            # abort, not close: connection_lost comes at once and ends aiosmtpd's
            # read loop, which would otherwise read the same EOF again.
            self.transport.abort()
        return "421 4.4.2 connection closed"

    def _pause_idle_timer(self) -> None:
        if self._timeout_handle is not None:
            self._timeout_handle.cancel()

    def hang_up(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def _hang_up_if_asked(self) -> None:
        if self.relay.close_after_reply:
            self.hang_up()
