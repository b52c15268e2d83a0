"""ProxySMTP's own protocol edges: a client gone where a command was due, a closed session."""

from __future__ import annotations

import asyncio
import gc
import logging
import ssl
from asyncio import sslproto
from pathlib import Path
from typing import cast

import pytest
from support.dovecot import make_test_ca

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



async def test_a_closed_tls_session_is_freed_without_the_cycle_collector(
        tmp_path: Path) -> None:
    """aiosmtpd keeps a session in reference cycles (its command table holds bound
    methods, its stream writer the session itself), which wait for the cycle collector.
    A closed session must break them, so that it goes at once with its TLS protocol
    (a 256 KiB buffer) and OpenSSL object: piles of closed sessions between collections
    grew the 10,000-send soak's daemon by 80 MiB, then in steps of 20-35 MiB."""
    await asyncio.to_thread(make_test_ca, tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    client_tls = ssl.create_default_context(cafile=str(tmp_path / "ca.pem"))
    loop = asyncio.get_running_loop()
    listener = await loop.create_server(
        lambda: ProxySMTP(RelayHandler(cast(ProxyContext, None)), hostname="proxy.test",
                          tls_context=server_tls, loop=loop), "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    sessions = 5
    gc.collect()
    gc.disable()
    try:
        before = live(sslproto.SSLProtocol), live(ssl.SSLObject), live(ProxySMTP)
        for _ in range(sessions):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            await asyncio.wait_for(reader.readline(), 5)                  # 220
            writer.write(b"STARTTLS\r\n")
            await writer.drain()
            assert (await asyncio.wait_for(reader.readline(), 5)).startswith(b"220")
            await writer.start_tls(client_tls, server_hostname="127.0.0.1")
            writer.write(b"QUIT\r\n")
            await writer.drain()
            await asyncio.wait_for(reader.readline(), 5)                  # 221
            writer.close()
            await writer.wait_closed()
        await asyncio.sleep(0.2)                                          # handlers unwind
        # the client's ends are gone with the client; the server's must be gone as well
        assert (live(sslproto.SSLProtocol), live(ssl.SSLObject), live(ProxySMTP)) == before
    finally:
        gc.enable()
        listener.close()
        await listener.wait_closed()


def live(kind: type) -> int:
    return sum(1 for o in gc.get_objects() if isinstance(o, kind))
