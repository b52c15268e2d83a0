"""The proxy service's listener: a burst of connections is greeted without stalling."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from support.hostile_smtp import Behaviour, HostileUpstream
from support.smtp_proxy import real_scorer

from daemon.config.sections import ListenAddress, SmtpSettings
from daemon.smtp_proxy.service import SmtpProxyService
from daemon.store.database import open_store

BURST = 400
SYN_RETRY_SECONDS = 1.0        # a connect dropped from a full accept queue waits this long


async def greeted_after(port: int) -> tuple[float, asyncio.StreamWriter]:
    started = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    greeting = await asyncio.wait_for(reader.readline(), 5)
    assert greeting.startswith(b"220"), greeting
    return time.monotonic() - started, writer


async def test_a_burst_of_connections_is_greeted_without_a_syn_retry(tmp_path: Path) -> None:
    async with HostileUpstream(Behaviour()) as upstream:
        settings = SmtpSettings(listen=ListenAddress("127.0.0.1", 0),
                                upstream=upstream.settings())
        store = open_store(str(tmp_path / "store.sqlite3"))
        service = SmtpProxyService(settings, store, real_scorer(), data_dir=tmp_path / "data")
        await service.start()
        try:
            assert service.address is not None
            results = await asyncio.gather(*(greeted_after(service.address[1])
                                             for _ in range(BURST)))
            for _, writer in results:
                writer.close()
        finally:
            await service.stop()
            store.close()
    slowest = max(seconds for seconds, _ in results)
    assert slowest < SYN_RETRY_SECONDS, f"slowest greeting after {slowest:.2f} s"
