"""ProxySMTP's own protocol edges: a client gone where a command was due."""

from __future__ import annotations

import asyncio
import logging
from typing import cast

import pytest

from daemon.smtp_proxy.handler import ProxyContext, RelayHandler
from daemon.smtp_proxy.session import ProxySMTP


class RecordingTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.aborted = False

    def abort(self) -> None:
        self.aborted = True


@pytest.mark.parametrize("error", [asyncio.IncompleteReadError(b"", None),
                                   ConnectionResetError("reset")])
async def test_a_client_gone_at_the_next_command_is_info_and_hangs_up(
        caplog: pytest.LogCaptureFixture, error: Exception) -> None:
    """(aiosmtpd would log it as "SMTP session exception" at error level.)"""
    caplog.set_level(logging.INFO)
    server = ProxySMTP(RelayHandler(cast(ProxyContext, None)), hostname="proxy.test",
                       loop=asyncio.get_running_loop())
    transport = RecordingTransport()
    server.transport = transport
    status = await server.handle_exception(error)
    assert status.startswith("421")
    assert transport.aborted                  # ends aiosmtpd's read loop at once
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert [r.levelno for r in caplog.records
            if r.getMessage() == "client-disconnected"] == [logging.INFO]
