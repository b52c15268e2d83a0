"""``[smtp] max_connections``: the connection over the cap hears ``421 4.7.0`` in place of
the greeting and is closed; a connection that ends, however it ends, frees its slot at
once; a session under the cap relays as ever while the others idle; with team metrics on,
each refusal counts on the ``/metrics`` endpoint.

Real sockets against the real proxy in front of the real aiosmtpd upstream; nothing is
timed: every wait polls with a generous timeout.
"""

from __future__ import annotations

import asyncio
import gc
import json
import signal
import smtplib
import socket
import ssl
import time
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from support.smtp_proxy import (
    RunningProxy,
    daemon_config,
    daemon_process,
    message,
    running_proxy,
    send_message,
    smtp_client,
    wait_until,
)
from support.smtp_upstream import SmtpUpstream

from daemon.config.sections import ListenAddress
from daemon.metrics.events import Recorder, activate, deactivate
from daemon.metrics.labels import LabelPolicy
from daemon.metrics.prometheus import PrometheusBackend, ScrapeEndpoint
from daemon.smtp_proxy import service
from daemon.smtp_proxy.connection_limit import ConnectionLimit, RefusedConnection

pytestmark = pytest.mark.real

CAP = 3
REPLY_SECONDS = 30.0        # generous: only the machine's load decides how soon
FREED_SECONDS = 30.0
GREETING = b"220 "
TOO_MANY = b"421 4.7.0 trustmail: too many connections"


@pytest.fixture
def upstream() -> Iterator[SmtpUpstream]:
    """The usual upstream: STARTTLS and AUTH required."""
    with SmtpUpstream.start() as started:
        yield started


class Client:
    """A raw client connection: what it was greeted with, and the lines after."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 greeting: bytes) -> None:
        self.reader, self.writer, self.greeting = reader, writer, greeting

    @classmethod
    async def connect(cls, port: int) -> Client:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer, await cls._line(reader))

    @staticmethod
    async def _line(reader: asyncio.StreamReader) -> bytes:
        return await asyncio.wait_for(reader.readline(), REPLY_SECONDS)

    async def command(self, line: bytes) -> bytes:
        """Send ``line``; the last line of the reply."""
        self.writer.write(line + b"\r\n")
        reply = await self._line(self.reader)
        while reply[3:4] == b"-":
            reply = await self._line(self.reader)
        return reply

    async def closed_by_proxy(self) -> bool:
        """True once the proxy has closed its side (EOF with nothing more to read)."""
        return await asyncio.wait_for(self.reader.read(), REPLY_SECONDS) == b""

    def close(self) -> None:
        self.writer.close()


@asynccontextmanager
async def at_the_cap(proxy: RunningProxy) -> AsyncIterator[list[Client]]:
    """``CAP`` idle connections, each greeted 220; closed afterwards."""
    clients = [await Client.connect(proxy.port) for _ in range(CAP)]
    try:
        assert [client.greeting[:4] for client in clients] == [GREETING] * CAP
        yield clients
    finally:
        for client in clients:
            client.close()


async def slots_free(proxy: RunningProxy, count: int) -> bool:
    return await wait_until(lambda: proxy.service.limit.open == CAP - count, FREED_SECONDS)


async def test_the_connection_over_the_cap_hears_421_and_is_closed(
        upstream: SmtpUpstream, tmp_path: Path) -> None:
    async with (running_proxy(upstream, tmp_path, max_connections=CAP) as proxy,
                at_the_cap(proxy)):
        extra = await Client.connect(proxy.port)
        assert extra.greeting.startswith(TOO_MANY), extra.greeting
        assert extra.greeting.endswith(b"try again later\r\n")
        assert await extra.closed_by_proxy()
        assert len(proxy.service.handler.connections) == CAP   # no session was built for it
        assert upstream.connections == 0 and proxy.recorded() == []


async def test_after_one_closes_a_new_connection_is_greeted(
        upstream: SmtpUpstream, tmp_path: Path) -> None:
    async with (running_proxy(upstream, tmp_path, max_connections=CAP) as proxy,
                at_the_cap(proxy) as clients):
        for _ in range(5):         # refused ones hold no slot
            refused = await Client.connect(proxy.port)
            assert refused.greeting.startswith(TOO_MANY)
        assert await clients[0].command(b"QUIT") == b"221 Bye\r\n"
        assert await slots_free(proxy, 1)
        newcomer = await Client.connect(proxy.port)
        assert newcomer.greeting.startswith(GREETING), newcomer.greeting
        newcomer.close()


async def hang_up_idle(client: Client) -> None:
    client.close()


async def hang_up_mid_data(client: Client) -> None:
    assert (await client.command(b"EHLO client.test")).startswith(b"250 ")
    await client.command(b"MAIL FROM:<alice@example.com>")   # 530 without AUTH: no matter
    client.writer.write(b"DATA\r\nSubject: half a message\r\n\r\nThe first lines of")
    await client.writer.drain()
    client.close()


async def hang_up_in_starttls(client: Client) -> None:
    assert (await client.command(b"EHLO client.test")).startswith(b"250 ")
    assert (await client.command(b"STARTTLS")).startswith(b"220 ")
    client.writer.write(b"this is no TLS handshake\r\n")
    await client.writer.drain()
    client.close()


async def hang_up_after_tls(client: Client) -> None:
    assert (await client.command(b"EHLO client.test")).startswith(b"250 ")
    assert (await client.command(b"STARTTLS")).startswith(b"220 ")
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    await client.writer.start_tls(context)
    assert (await client.command(b"EHLO client.test")).startswith(b"250 ")
    client.close()


@pytest.mark.parametrize("hang_up", [hang_up_idle, hang_up_mid_data, hang_up_in_starttls,
                                     hang_up_after_tls])
async def test_however_a_connection_ends_its_slot_is_free_at_once(
        upstream: SmtpUpstream, tmp_path: Path,
        hang_up: Callable[[Client], Awaitable[None]]) -> None:
    async with (running_proxy(upstream, tmp_path, max_connections=CAP) as proxy,
                at_the_cap(proxy) as clients):
        await hang_up(clients[0])
        assert await slots_free(proxy, 1)
        newcomer = await Client.connect(proxy.port)
        assert newcomer.greeting.startswith(GREETING), newcomer.greeting
        newcomer.close()


async def test_connections_the_idle_timeout_closes_free_their_slots(
        upstream: SmtpUpstream, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "CLIENT_IDLE_TIMEOUT_SECONDS", 1)
    async with (running_proxy(upstream, tmp_path, max_connections=CAP) as proxy,
                at_the_cap(proxy) as clients):
        for client in clients:
            assert await client.closed_by_proxy()       # aiosmtpd's timeout hangs up
        assert await slots_free(proxy, CAP)
        newcomer = await Client.connect(proxy.port)
        assert newcomer.greeting.startswith(GREETING), newcomer.greeting
        newcomer.close()


async def test_a_session_under_the_cap_relays_while_the_others_idle(
        upstream: SmtpUpstream, tmp_path: Path) -> None:
    """Two idle, one sending (STARTTLS, AUTH, the upstream's 250), one refused meanwhile."""
    async with (running_proxy(upstream, tmp_path, max_connections=CAP) as proxy,
                at_the_cap(proxy) as clients):
        clients[0].close()
        assert await slots_free(proxy, 1)
        sender = await asyncio.to_thread(smtp_client, proxy.port, upstream)
        refused = await Client.connect(proxy.port)
        assert refused.greeting.startswith(TOO_MANY)
        await asyncio.to_thread(sender.sendmail, "alice@example.com",
                                ["maria@customer.example"], message())
        await asyncio.to_thread(sender.quit)
        [received] = upstream.wait_for_messages(1)
        assert received.rcpt_tos == ("maria@customer.example",) and received.tls
        assert await wait_until(lambda: len(proxy.recorded()) == 1)


async def test_a_client_refused_at_the_cap_sends_later(
        upstream: SmtpUpstream, tmp_path: Path) -> None:
    """smtplib reads the 421 as "server not ready": the message stays with the client."""
    async with (running_proxy(upstream, tmp_path, max_connections=CAP) as proxy,
                at_the_cap(proxy) as clients):
        with pytest.raises(smtplib.SMTPConnectError) as refused:
            await asyncio.to_thread(send_message, proxy.port, upstream, message())
        assert refused.value.smtp_code == 421
        assert upstream.connections == 0
        clients[0].close()
        assert await slots_free(proxy, 1)
        code, _ = await asyncio.to_thread(send_message, proxy.port, upstream, message())
        assert code == 250
    assert len(upstream.wait_for_messages(1)) == 1


@pytest.fixture
def metrics_endpoint() -> Iterator[ScrapeEndpoint]:
    """Team metrics on, as ``[metrics] prometheus`` turns them on: a loopback endpoint."""
    recorder = Recorder(LabelPolicy())
    backend = PrometheusBackend(recorder)
    recorder.attach(backend)
    endpoint = ScrapeEndpoint(ListenAddress("127.0.0.1", 0), backend.registry)
    endpoint.start()
    activate(recorder)
    yield endpoint
    deactivate()
    endpoint.stop()


def refused_on(endpoint: ScrapeEndpoint) -> float:
    """``trustmail_smtp_connections_refused_total`` as a scrape of ``/metrics`` reads it."""
    with urllib.request.urlopen(endpoint.url(), timeout=REPLY_SECONDS) as response:
        text = response.read().decode("utf-8")
    [value] = [sample.value for family in text_string_to_metric_families(text)
               for sample in family.samples
               if sample.name == "trustmail_smtp_connections_refused_total"]
    return value


async def test_each_refused_connection_counts_on_the_metrics_endpoint(
        upstream: SmtpUpstream, tmp_path: Path, metrics_endpoint: ScrapeEndpoint) -> None:
    refusals = 4
    async with (running_proxy(upstream, tmp_path, max_connections=CAP) as proxy,
                at_the_cap(proxy) as clients):
        assert await asyncio.to_thread(refused_on, metrics_endpoint) == 0   # greeted: none
        for _ in range(refusals):
            refused = await Client.connect(proxy.port)
            assert refused.greeting.startswith(TOO_MANY)
        assert await asyncio.to_thread(refused_on, metrics_endpoint) == refusals
        clients[0].close()
        assert await slots_free(proxy, 1)
        newcomer = await Client.connect(proxy.port)        # under the cap again: not counted
        assert newcomer.greeting.startswith(GREETING)
        newcomer.close()
        assert await asyncio.to_thread(refused_on, metrics_endpoint) == refusals


def greeting_of(port: int) -> tuple[socket.socket, bytes]:
    """A plain socket to the daemon and the first line it reads."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=REPLY_SECONDS)
    return sock, sock.makefile("rb").readline()


def test_sighup_applies_a_new_cap_to_the_running_daemon(
        upstream: SmtpUpstream, tmp_path: Path) -> None:
    with daemon_process(upstream, tmp_path, "max_connections = 2") as daemon:
        held = [greeting_of(daemon.port) for _ in range(2)]
        assert [line[:4] for _, line in held] == [GREETING] * 2
        refused, line = greeting_of(daemon.port)
        assert line.startswith(TOO_MANY) and refused.recv(1) == b""   # then closed
        daemon.config_file.write_text(daemon_config(upstream, daemon.port,
                                                    "max_connections = 3"))
        daemon.signal(signal.SIGHUP)
        deadline = time.monotonic() + FREED_SECONDS
        while "smtp-reloaded" not in daemon.log() and time.monotonic() < deadline:
            time.sleep(0.1)
        third, line = greeting_of(daemon.port)
        assert line.startswith(GREETING), line
        log = daemon.log()
        for sock, _ in [*held, (third, b""), (refused, b"")]:
            sock.close()
    events = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    reached = [event for event in events if event["event"] == "smtp-connection-limit-reached"]
    assert [event["max_connections"] for event in reached] == [2]     # one line, not one per 421


class BareSession:
    """Stands for a session in the limit's own bookkeeping."""

    connection_slot = None


def test_a_slot_is_given_back_once_however_often_it_is_freed() -> None:
    limit = ConnectionLimit(1)
    session = limit.accept(BareSession)
    assert isinstance(session, BareSession) and limit.open == 1
    assert isinstance(limit.accept(BareSession), RefusedConnection)
    assert session.connection_slot is not None
    session.connection_slot()
    session.connection_slot()
    assert limit.open == 0 and limit.refused == 0


def test_a_session_whose_connection_never_started_frees_its_slot_as_garbage() -> None:
    """(asyncio builds the protocol before the transport; if that fails, no
    connection_lost ever comes.)"""
    limit = ConnectionLimit(1)
    session = limit.accept(BareSession)
    assert limit.open == 1
    del session
    gc.collect()
    assert limit.open == 0 and isinstance(limit.accept(BareSession), BareSession)
