"""The proxy service: a burst of connections fits its listen queue and is greeted; one
verifying TLS context serves every upstream connection."""

from __future__ import annotations

import asyncio
import select
import socket
import ssl
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from support.hostile_smtp import Behaviour, HostileUpstream
from support.smtp_proxy import real_scorer

from daemon.config.sections import ListenAddress, SmtpSettings
from daemon.smtp_proxy import handler
from daemon.smtp_proxy.service import SmtpProxyService
from daemon.smtp_proxy.upstream import UpstreamConnection
from daemon.store.database import open_store

BURST = 400                    # four times asyncio's default listen backlog of 100
QUEUED_WITHIN_SECONDS = 10.0   # generous: a connect that fits completes in microseconds
GREETED_WITHIN_SECONDS = 60.0  # once accepted; only the machine's load decides how soon


def connect_while_nobody_accepts(port: int, count: int) -> list[socket.socket]:
    """``count`` connects to ``port`` made on the event loop's own thread, so the service
    accepts none of them meanwhile: the kernel completes a connect only while the listen
    queue has room for it. One past the queue is dropped, and its SYN retried after 1 s,
    3 s, 7 s ... into a queue that cannot drain while this blocks: it never completes."""
    sockets = [socket.socket() for _ in range(count)]
    poller = select.poll()
    for sock in sockets:
        sock.setblocking(False)
        sock.connect_ex(("127.0.0.1", port))
        poller.register(sock, select.POLLOUT)
    pending = {sock.fileno(): sock for sock in sockets}
    deadline = time.monotonic() + QUEUED_WITHIN_SECONDS
    while pending and time.monotonic() < deadline:
        for fd, _ in poller.poll(100):
            poller.unregister(fd)
            sock = pending.pop(fd)
            assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0
    if pending:
        for sock in sockets:
            sock.close()
        raise AssertionError(f"{len(pending)} of {count} connects found the listen queue full")
    return sockets


async def greeting(sock: socket.socket) -> asyncio.StreamWriter:
    reader, writer = await asyncio.open_connection(sock=sock)
    line = await asyncio.wait_for(reader.readline(), GREETED_WITHIN_SECONDS)
    assert line.startswith(b"220"), line
    return writer


@asynccontextmanager
async def proxy_before(upstream: HostileUpstream,
                       tmp_path: Path) -> AsyncIterator[SmtpProxyService]:
    """The proxy service, started in front of ``upstream``, with its own store."""
    settings = SmtpSettings(listen=ListenAddress("127.0.0.1", 0), upstream=upstream.settings(),
                            max_connections=BURST)
    store = open_store(str(tmp_path / "store.sqlite3"))
    service = SmtpProxyService(settings, store, real_scorer(), data_dir=tmp_path / "data")
    await service.start()
    try:
        assert service.address is not None
        yield service
    finally:
        await service.stop()
        store.close()


async def test_a_burst_of_connections_is_greeted_without_a_syn_retry(tmp_path: Path) -> None:
    """All of a burst fit in the listen queue at their first SYN (asyncio's backlog of 100
    dropped the rest, each greeted a SYN retry later, 1 s or more), and all are greeted.
    Counted, not timed: the connects are made while the service cannot accept."""
    async with (HostileUpstream(Behaviour()) as upstream,
                proxy_before(upstream, tmp_path) as service):
        assert service.address is not None
        queued = connect_while_nobody_accepts(service.address[1], BURST)
        writers = await asyncio.gather(*(greeting(sock) for sock in queued))
        for writer in writers:
            writer.close()


async def ehlo_through(port: int) -> bytes:
    """EHLO to the proxy (which opens its upstream side for it); the last reply line."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await asyncio.wait_for(reader.readline(), 5)                          # 220
    writer.write(b"EHLO client.test\r\n")
    line = b"250-"
    while line[3:4] == b"-":
        line = await asyncio.wait_for(reader.readline(), 5)
    writer.write(b"QUIT\r\n")
    await writer.drain()
    writer.close()
    return line


async def test_one_verifying_tls_context_serves_every_upstream_connection(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Built once at start (building one loads the CA store), never per connection or
    per STARTTLS, and as strict as ever: certificate and host name checked."""
    contexts: list[ssl.SSLContext | None] = []

    class Recorded(UpstreamConnection):
        def __init__(self, settings: Any, tls_context: ssl.SSLContext | None) -> None:
            contexts.append(tls_context)
            super().__init__(settings, tls_context)

    monkeypatch.setattr(handler, "UpstreamConnection", Recorded)
    async with (HostileUpstream(Behaviour(starttls=True)) as upstream,
                proxy_before(upstream, tmp_path) as service):
        assert service.address is not None and service.context is not None
        for _ in range(3):
            assert (await ehlo_through(service.address[1])).startswith(b"250 ")
        shared = service.context.upstream_tls
    assert upstream.connections == 3 and len(contexts) == 3
    assert sum(command.startswith(b"STARTTLS") for command in upstream.commands) == 3
    assert shared is not None and all(context is shared for context in contexts)
    assert shared.verify_mode == ssl.CERT_REQUIRED and shared.check_hostname
