"""The proxy between a client and a hostile or broken upstream: whatever the upstream
(or someone on its path) does, the client never hears 250 for a message the upstream
did not accept, and nothing the client did not send reaches the upstream.

STARTTLS response injection, SMTP smuggling through a lenient end-of-data parser,
endless replies, and a client that leaves right after its final dot.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from support.hostile_smtp import Behaviour, HostileUpstream
from support.smtp_proxy import real_scorer, unverified_context, wait_until

from daemon.config.sections import ListenAddress, SmtpSettings
from daemon.smtp_proxy import service as service_module
from daemon.smtp_proxy.service import SmtpProxyService
from daemon.store.database import open_store

MESSAGE = b"Subject: fine\r\n\r\nAn honest message.\r\n"


@asynccontextmanager
async def proxy_to(upstream: HostileUpstream, directory: Path,
                   timeout_seconds: float = 2.0) -> AsyncIterator[int]:
    """The proxy service relaying to ``upstream``; yields its port."""
    settings = SmtpSettings(listen=ListenAddress("127.0.0.1", 0),
                            upstream=upstream.settings(timeout_seconds))
    store = open_store(str(directory / "store.sqlite3"))
    service = SmtpProxyService(settings, store, real_scorer(), data_dir=directory / "data")
    await service.start()
    try:
        assert service.address is not None
        yield service.address[1]
    finally:
        await service.stop()
        store.close()


class Client:
    """A raw SMTP client (no line-end fixing, no dot-stuffing: bytes as given)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, port: int) -> Client:
        client = cls(*await asyncio.open_connection("127.0.0.1", port))
        assert (await client.reply()).startswith(b"220")
        return client

    async def reply(self) -> bytes:
        """One whole reply (the last line of a multi-line one)."""
        while True:
            line = await asyncio.wait_for(self.reader.readline(), 10)
            if line[3:4] != b"-":
                return line

    async def starttls(self) -> None:
        assert (await self.command(b"STARTTLS")).startswith(b"220")
        await self.writer.start_tls(unverified_context())
        assert (await self.command(b"EHLO client.test")).startswith(b"250")

    async def command(self, line: bytes) -> bytes:
        self.writer.write(line + b"\r\n")
        return await self.reply()

    async def send(self, data: bytes) -> bytes:
        """MAIL, RCPT, DATA and ``data`` (already ending in the final "."): the last reply."""
        for line in (b"MAIL FROM:<alice@example.com>", b"RCPT TO:<maria@customer.example>"):
            reply = await self.command(line)
            if not reply.startswith(b"250"):
                return reply
        assert (await self.command(b"DATA")).startswith(b"354")
        self.writer.write(data)
        return await self.reply()

    def close(self) -> None:
        self.writer.close()


async def send_one(behaviour: Behaviour, tmp_path: Path) -> tuple[bytes, HostileUpstream]:
    """One message through the proxy to an upstream behaving so: the client's reply."""
    async with HostileUpstream(behaviour) as upstream, proxy_to(upstream, tmp_path) as port:
        client = await Client.connect(port)
        assert (await client.command(b"EHLO client.test")).startswith(b"250")
        reply = await client.send(MESSAGE + b".\r\n")
        client.close()
    return reply, upstream


async def test_starttls_injection_gets_a_4xx_and_never_a_250(tmp_path: Path) -> None:
    """The injected replies would answer MAIL, RCPT, DATA and the data for the client."""
    injected = (b"250 2.1.0 fake MAIL ok\r\n250 2.1.5 fake RCPT ok\r\n354 fake go ahead\r\n"
                b"250 2.0.0 fake queued\r\n")
    reply, upstream = await send_one(Behaviour(starttls=True, after_starttls=injected),
                                     tmp_path)
    assert reply.startswith(b"451"), reply
    assert not any(c.startswith(b"MAIL") for c in upstream.commands)
    assert upstream.messages == []


async def test_unsolicited_replies_get_a_4xx_and_never_a_250(tmp_path: Path) -> None:
    """Replies sent ahead (as if to pipelined commands) would answer the client's."""
    ahead = b"250 2.1.0 fake MAIL ok\r\n250 2.1.5 fake RCPT ok\r\n"
    reply, upstream = await send_one(Behaviour(after_ehlo=ahead), tmp_path)
    assert reply.startswith(b"451"), reply
    assert not any(c.startswith(b"MAIL") for c in upstream.commands)
    assert upstream.messages == []


SMUGGLED = (b"MAIL FROM:<ceo@example.com>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\n"
            b"Subject: smuggled\r\n\r\nPay the invoice.\r\n")


@pytest.mark.parametrize("end", [b"\n.\r\n", b"\r\n.\n", b"\n.\n", b"\r.\r\n"])
async def test_smuggling_through_a_lenient_upstream_is_refused(tmp_path: Path,
                                                               end: bytes) -> None:
    behaviour = Behaviour(lenient_end_of_data=True)
    async with HostileUpstream(behaviour) as upstream, proxy_to(upstream, tmp_path) as port:
        client = await Client.connect(port)
        await client.command(b"EHLO client.test")
        smuggling = await client.send(b"Subject: hi\r\n\r\nhello" + end + SMUGGLED + b".\r\n")
        honest = await client.send(MESSAGE + b".\r\n")      # the session goes on
        await client.command(b"QUIT")
        client.close()
    assert smuggling.startswith(b"554 5.6.0"), smuggling
    assert honest.startswith(b"250"), honest
    assert upstream.messages == [MESSAGE]
    assert not any(b"ceo@" in c for c in upstream.commands)


async def test_an_endless_reply_gets_a_4xx(tmp_path: Path) -> None:
    behaviour = Behaviour(endless_mail_reply=True)
    async with HostileUpstream(behaviour) as upstream, proxy_to(upstream, tmp_path) as port:
        client = await Client.connect(port)
        await client.command(b"EHLO client.test")
        reply = await client.send(MESSAGE + b".\r\n")
        client.close()
    assert reply.startswith(b"451"), reply
    assert upstream.messages == []


@pytest.mark.parametrize("tls", [False, True], ids=["plain", "starttls"])
async def test_a_client_leaving_after_its_final_dot_is_not_an_error(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, tls: bool) -> None:
    """Logged at info; the upstream connection is dropped, so the message is not sent."""
    caplog.set_level(logging.INFO)
    behaviour = Behaviour(data_reply_delay=1.0)
    async with HostileUpstream(behaviour) as upstream, proxy_to(upstream, tmp_path) as port:
        client = await Client.connect(port)
        await client.command(b"EHLO client.test")
        if tls:
            await client.starttls()
        await client.command(b"MAIL FROM:<alice@example.com>")
        await client.command(b"RCPT TO:<maria@customer.example>")
        await client.command(b"DATA")
        client.writer.write(MESSAGE + b".\r\n")
        await client.writer.drain()
        client.close()
        await asyncio.sleep(1.5)          # past the upstream's delayed reply
        # ... and once the proxy saw it, however late a loaded machine let it
        assert await wait_until(lambda: any(
            r.getMessage() == "client-left-during-data" and r.levelno == logging.INFO
            for r in caplog.records), 30)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [(r.name, r.getMessage()) for r in errors]
    assert upstream.messages == []


async def test_a_client_leaving_right_after_the_250_is_not_an_error(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    async with HostileUpstream(Behaviour()) as upstream, proxy_to(upstream, tmp_path) as port:
        client = await Client.connect(port)
        await client.command(b"EHLO client.test")
        assert (await client.send(MESSAGE + b".\r\n")).startswith(b"250")
        client.close()                    # no QUIT
        await asyncio.sleep(0.3)
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert upstream.messages == [MESSAGE]


async def test_a_slow_upstream_link_is_not_cut_while_bytes_keep_moving(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """6 s of transfer, three times the upstream timeout and the client idle timeout (2 s
    each: a loaded machine may hold this process's event loop for a second; a timeout
    of the whole transfer cuts it at 2 s)."""
    timeout = 2
    monkeypatch.setattr(service_module, "CLIENT_IDLE_TIMEOUT_SECONDS", timeout)
    line = b"x" * 76 + b"\r\n"
    big = b"Subject: big\r\n\r\n" + line * (3 * 1024 * 1024 // len(line))
    behaviour = Behaviour(data_bytes_per_second=512 * 1024)
    async with HostileUpstream(behaviour) as upstream, \
            proxy_to(upstream, tmp_path, timeout_seconds=timeout) as port:
        client = await Client.connect(port)
        await client.command(b"EHLO client.test")
        started = time.monotonic()
        reply = await client.send(big + b".\r\n")
        elapsed = time.monotonic() - started
        assert (await client.command(b"NOOP")).startswith(b"250")    # still connected
        client.close()
    assert reply.startswith(b"250"), reply
    assert elapsed > 2 * timeout
    assert upstream.messages == [big]


async def test_an_upstream_that_timed_the_idle_session_out_is_reconnected(
        tmp_path: Path) -> None:
    """Its 421 and close are not taken as the reply to the next MAIL."""
    behaviour = Behaviour(idle_timeout=0.3)
    async with HostileUpstream(behaviour) as upstream, proxy_to(upstream, tmp_path) as port:
        client = await Client.connect(port)
        await client.command(b"EHLO client.test")      # the proxy connects upstream here
        await asyncio.sleep(0.6)                          # ... which gives up on it
        reply = await client.send(MESSAGE + b".\r\n")
        client.close()
    assert reply.startswith(b"250"), reply
    assert upstream.connections == 2
    assert upstream.messages == [MESSAGE]


@pytest.mark.parametrize("command", [b"MAIL FROM:<alice\r@example.com>",
                                     b"RCPT TO:<maria\rRSET@customer.example>"])
async def test_a_cr_inside_an_address_is_a_501_and_never_reaches_upstream(
        tmp_path: Path, command: bytes) -> None:
    async with HostileUpstream(Behaviour()) as upstream, proxy_to(upstream, tmp_path) as port:
        client = await Client.connect(port)
        await client.command(b"EHLO client.test")
        if command.startswith(b"RCPT"):
            assert (await client.command(b"MAIL FROM:<alice@example.com>")).startswith(b"250")
        assert (await client.command(command)).startswith(b"501 5.5.2")
        assert (await client.command(b"RSET")).startswith(b"250")     # the session goes on
        await client.command(b"QUIT")
        client.close()
    assert not any(b"\r" in c[:-2] for c in upstream.commands)
    assert upstream.connections == 1
