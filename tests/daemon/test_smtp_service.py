"""The proxy service: a burst of connections is greeted without stalling; one verifying TLS
context serves every upstream connection."""

from __future__ import annotations

import asyncio
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

BURST = 400
SYN_RETRY_SECONDS = 1.0        # a connect dropped from a full accept queue waits this long


async def greeted_after(port: int) -> tuple[float, asyncio.StreamWriter]:
    started = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    greeting = await asyncio.wait_for(reader.readline(), 5)
    assert greeting.startswith(b"220"), greeting
    return time.monotonic() - started, writer


@asynccontextmanager
async def proxy_before(upstream: HostileUpstream,
                       tmp_path: Path) -> AsyncIterator[SmtpProxyService]:
    """The proxy service, started in front of ``upstream``, with its own store."""
    settings = SmtpSettings(listen=ListenAddress("127.0.0.1", 0), upstream=upstream.settings())
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
    async with (HostileUpstream(Behaviour()) as upstream,
                proxy_before(upstream, tmp_path) as service):
        assert service.address is not None
        results = await asyncio.gather(*(greeted_after(service.address[1])
                                         for _ in range(BURST)))
        for _, writer in results:
            writer.close()
    slowest = max(seconds for seconds, _ in results)
    assert slowest < SYN_RETRY_SECONDS, f"slowest greeting after {slowest:.2f} s"


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
