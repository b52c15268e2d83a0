"""``[smtp] max_connections``: how many client connections the proxy holds at once.

aiosmtpd has no limit of its own, and each open session costs the daemon memory until
its 5-minute idle timeout (12 KiB greeted, 0.6 MiB after EHLO and STARTTLS with its
upstream side; bench/smtp_connections.py): without a cap, a misbehaving or hostile local
client could open thousands and grow the daemon without bound. The cap is checked when a
connection is accepted, before aiosmtpd builds a session for it; one over the cap gets
``421 4.7.0`` in place of the greeting and is closed without a command being read (as
Postfix's ``smtpd_client_connection_count_limit`` does), so it never reaches scoring or
the upstream. A slot is given back the moment its connection is lost, however it ends.
Each refusal counts in ``trustmail_smtp_connections_refused_total`` while team metrics
are on (daemon/metrics/); a connection under the cap costs the metrics nothing.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable
from typing import Protocol, TypeVar

from daemon import metrics
from daemon.runtime.logs import log_event
from daemon.smtp_proxy.replies import TOO_MANY_CONNECTIONS

log = logging.getLogger("trustmail.smtp")


class SlotHolder(Protocol):
    """A session that gives its slot back by calling ``connection_slot`` (once is enough;
    if it never does, the slot comes back when the session is garbage)."""

    connection_slot: Callable[[], object] | None


Session = TypeVar("Session", bound=SlotHolder)


class ConnectionLimit:
    """Slots for open client connections. ``maximum`` may change on a reload: connections
    open beyond a lowered cap stay, new ones are refused until the count is below it."""

    def __init__(self, maximum: int) -> None:
        self.maximum = maximum
        self.open = 0
        self.refused = 0          # since the cap was last reached (one log line per episode)

    def accept(self, make_session: Callable[[], Session]) -> Session | RefusedConnection:
        """The protocol for a connection just accepted: a new session holding a slot, or
        a :class:`RefusedConnection` at the cap (no session is built for it)."""
        if self.open >= self.maximum:
            if not self.refused:
                log_event(log, logging.WARNING, "smtp-connection-limit-reached",
                          max_connections=self.maximum)
            self.refused += 1
            metrics.record_smtp_connection_refused()
            return RefusedConnection()
        session = make_session()
        self.open += 1
        slot = weakref.finalize(session, self._give_back)
        slot.atexit = False
        session.connection_slot = slot
        return session

    def _give_back(self) -> None:
        self.open -= 1
        if self.refused and self.open < self.maximum:
            log_event(log, logging.INFO, "smtp-connection-limit-cleared",
                      refused=self.refused, max_connections=self.maximum)
            self.refused = 0


class RefusedConnection(asyncio.Protocol):
    """A connection over the cap: the 421 is its greeting, then it is closed."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.WriteTransport)
        transport.write(TOO_MANY_CONNECTIONS + b"\r\n")
        transport.close()          # once the 421 is written; nothing is read
