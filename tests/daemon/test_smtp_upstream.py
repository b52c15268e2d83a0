"""The upstream SMTP client: dot-stuffing, reply and capability parsing, a real
connection to the test upstream with STARTTLS verified against its CA, and a hostile
upstream: STARTTLS injection, unsolicited bytes, endless replies, slow and stalled DATA."""

from __future__ import annotations

import asyncio
import dataclasses
import ssl
import time

import pytest
from support.hostile_smtp import Behaviour, HostileUpstream
from support.smtp_proxy import wait_until
from support.smtp_upstream import SmtpUpstream

from daemon.config.sections import UpstreamSettings
from daemon.smtp_proxy.upstream import (
    Capabilities,
    Reply,
    UpstreamConnection,
    UpstreamError,
    buffered_bytes,
    client_tls_context,
    data_terminator,
    dot_stuff,
    has_bare_line_end,
)

MIB = 1024 * 1024


@pytest.mark.parametrize(("content", "stuffed"), [
    (b"", b""),
    (b".\r\n", b"..\r\n"),
    (b"a\r\n.b\r\n..c\r\n", b"a\r\n..b\r\n...c\r\n"),
    (b"a\n.b\r\n", b"a\n.b\r\n"),        # a bare LF is not a line end on the wire
])
def test_dot_stuff_adds_one_dot_per_line_that_starts_with_one(content: bytes,
                                                              stuffed: bytes) -> None:
    assert dot_stuff(content) == stuffed


def test_data_terminator_completes_the_last_line() -> None:
    assert data_terminator(b"a\r\n") == b".\r\n"
    assert data_terminator(b"a") == b"\r\n.\r\n"


def test_capabilities_from_an_ehlo_reply() -> None:
    reply = Reply(250, (b"250-upstream.test", b"250-SIZE 1000", b"250-AUTH PLAIN LOGIN",
                        b"250-8BITMIME", b"250 STARTTLS"))
    caps = Capabilities.from_ehlo(reply)
    assert caps.size_limit == 1000
    assert caps.auth_mechanisms == {"PLAIN", "LOGIN"}
    assert caps.has("starttls") and not caps.has("SMTPUTF8")
    assert reply.wire == b"250-upstream.test\r\n250-SIZE 1000\r\n250-AUTH PLAIN LOGIN\r\n" \
                         b"250-8BITMIME\r\n250 STARTTLS"


@pytest.mark.real
async def test_connects_with_verified_starttls_and_authenticates() -> None:
    with SmtpUpstream.start() as upstream:
        settings = UpstreamSettings(host=upstream.host, port=upstream.port, tls="starttls",
                                    timeout_seconds=5)
        connection = UpstreamConnection(settings, client_tls_context(str(upstream.ca_file)))
        reply = await connection.connect("client.test")
        assert reply.code == 250 and "AUTH" in connection.capabilities.keywords
        assert (await connection.command(b"NOOP")).code == 250
        await connection.quit()
        assert not connection.connected


@pytest.mark.real
async def test_an_unverifiable_certificate_is_an_upstream_error() -> None:
    with SmtpUpstream.start(tls="implicit") as upstream:
        settings = UpstreamSettings(host=upstream.host, port=upstream.port, tls="implicit",
                                    timeout_seconds=5)
        connection = UpstreamConnection(settings, ssl.create_default_context())
        with pytest.raises(UpstreamError, match="certificate verification failed"):
            await connection.connect("client.test")


@pytest.mark.real
async def test_implicit_tls_upstream() -> None:
    with SmtpUpstream.start(tls="implicit") as upstream:
        settings = UpstreamSettings(host=upstream.host, port=upstream.port, tls="implicit",
                                    timeout_seconds=5)
        connection = UpstreamConnection(settings, client_tls_context(str(upstream.ca_file)))
        assert (await connection.connect("client.test")).code == 250
        await connection.quit()


async def test_nothing_listening_is_an_upstream_error() -> None:
    with SmtpUpstream.start() as upstream:
        port = upstream.port
    settings = UpstreamSettings(host="127.0.0.1", port=port, tls="none", timeout_seconds=2)
    with pytest.raises(UpstreamError, match="cannot connect"):
        await UpstreamConnection(settings, None).connect("client.test")


@pytest.mark.parametrize(("content", "bare"), [
    (b"", False), (b"a\r\nb\r\n", False), (b"no line end", False),
    (b"a\nb\r\n", True), (b"a\rb\r\n", True), (b"a\r\n.\n", True), (b"\n\r", True),
    (b"x\n.\r\nMAIL FROM:<evil@example.org>\r\n", True),
])
def test_bare_cr_or_lf_is_found(content: bytes, bare: bool) -> None:
    assert has_bare_line_end(content) is bare


async def test_buffered_bytes_counts_what_was_received_and_not_read() -> None:
    reader = asyncio.StreamReader()
    reader.feed_data(b"250 one\r\n250 two\r\n")
    await reader.readline()
    assert buffered_bytes(reader) == len(b"250 two\r\n")


async def connected(upstream: HostileUpstream, timeout: float = 5.0) -> UpstreamConnection:
    settings = upstream.settings(timeout)
    tls = client_tls_context(settings.ca_file) if settings.tls == "starttls" else None
    connection = UpstreamConnection(settings, tls)
    assert (await connection.connect("client.test")).code == 250
    return connection


async def test_plaintext_injected_after_the_starttls_220_is_refused() -> None:
    injected = b"250-fake EHLO\r\n250 AUTH PLAIN\r\n250 2.1.0 fake MAIL ok\r\n"
    async with HostileUpstream(Behaviour(starttls=True, after_starttls=injected)) as upstream:
        settings = upstream.settings()
        connection = UpstreamConnection(settings, client_tls_context(settings.ca_file))
        with pytest.raises(UpstreamError, match="unsolicited bytes after its 220 to STARTTLS"):
            await connection.connect("client.test")
        assert not connection.connected
        await asyncio.sleep(0.05)
    assert [c.split()[0] for c in upstream.commands] == [b"EHLO", b"STARTTLS"]


async def test_a_failed_connect_drops_the_connection() -> None:
    """Not left to the collector: a half-open connection kept its socket until then."""
    async with HostileUpstream(Behaviour()) as upstream:        # offers no STARTTLS
        settings = dataclasses.replace(upstream.settings(), tls="starttls")
        connection = UpstreamConnection(settings, ssl.create_default_context())
        with pytest.raises(UpstreamError, match="does not offer STARTTLS"):
            await connection.connect("client.test")
        assert not connection.connected


async def test_an_honest_starttls_upstream_still_works() -> None:
    async with HostileUpstream(Behaviour(starttls=True)) as upstream:
        connection = await connected(upstream)
        assert (await connection.command(b"MAIL FROM:<a@example.com>")).code == 250
        await connection.quit()


async def test_unsolicited_bytes_before_a_command_are_refused() -> None:
    async with HostileUpstream(Behaviour(after_ehlo=b"250 2.1.0 fake MAIL ok\r\n")) as upstream:
        connection = await connected(upstream)
        assert await wait_until(lambda: not connection.reusable, 30)   # the extra reply
        with pytest.raises(UpstreamError, match="unsolicited bytes before a command"):
            await connection.command(b"MAIL FROM:<a@example.com>")
        assert not connection.connected
        await asyncio.sleep(0.05)
    assert not any(c.startswith(b"MAIL") for c in upstream.commands)


async def test_a_command_line_with_cr_or_lf_is_never_sent() -> None:
    async with HostileUpstream(Behaviour()) as upstream:
        connection = await connected(upstream)
        with pytest.raises(UpstreamError, match="CR or LF"):
            await connection.command(b"MAIL FROM:<a@example.com>\nRCPT TO:<b@example.com>")
        await connection.quit()
    assert not any(c.startswith((b"MAIL", b"RCPT")) for c in upstream.commands)


async def test_a_reply_that_never_ends_is_cut_at_the_line_cap() -> None:
    async with HostileUpstream(Behaviour(endless_mail_reply=True)) as upstream:
        connection = await connected(upstream)
        with pytest.raises(UpstreamError, match="reply too long"):
            await connection.command(b"MAIL FROM:<a@example.com>")
        assert not connection.connected


async def test_a_reply_over_the_byte_cap_is_cut() -> None:
    lines = [b"250-" + b"x" * 4000] * 20 + [b"250 end"]      # 21 lines, 80 KB
    async with HostileUpstream(Behaviour(mail_reply_lines=lines)) as upstream:
        connection = await connected(upstream)
        with pytest.raises(UpstreamError, match="reply too long"):
            await connection.command(b"MAIL FROM:<a@example.com>")


async def test_a_long_reply_within_the_caps_is_kept_whole() -> None:
    lines = [b"250-line"] * 99 + [b"250 last"]
    async with HostileUpstream(Behaviour(mail_reply_lines=lines)) as upstream:
        connection = await connected(upstream)
        reply = await connection.command(b"MAIL FROM:<a@example.com>")
        assert reply.code == 250 and reply.lines == tuple(lines)
        await connection.quit()


async def test_content_with_a_bare_lf_is_never_sent() -> None:
    async with HostileUpstream(Behaviour(lenient_end_of_data=True)) as upstream:
        connection = await connected(upstream)
        await connection.command(b"MAIL FROM:<a@example.com>")
        await connection.command(b"RCPT TO:<b@example.com>")
        with pytest.raises(UpstreamError, match="bare CR or LF"):
            await connection.send_data(b"Subject: x\r\n\r\nhi\n.\r\nRSET\r\n")
        await connection.quit()
    assert not any(c.startswith(b"DATA") for c in upstream.commands)
    assert upstream.messages == []


def big_message(size: int) -> bytes:
    line = b"x" * 76 + b"\r\n"
    return b"Subject: big\r\n\r\n" + line * (size // len(line))


async def test_a_slow_link_is_not_cut_while_bytes_keep_moving() -> None:
    """3 s of transfer with a 1 s timeout: the timeout bounds progress, not the whole."""
    content = big_message(6 * MIB)
    async with HostileUpstream(Behaviour(data_bytes_per_second=2 * MIB)) as upstream:
        connection = await connected(upstream, timeout=1.0)
        await connection.command(b"MAIL FROM:<a@example.com>")
        await connection.command(b"RCPT TO:<b@example.com>")
        started = time.monotonic()
        reply = await connection.send_data(content)
        elapsed = time.monotonic() - started
        await connection.quit()
    assert reply.code == 250, reply
    assert elapsed > 2.0                      # it really took longer than the timeout
    assert upstream.messages == [content]


async def test_a_stalled_transfer_times_out() -> None:
    async with HostileUpstream(Behaviour(stall_data=True)) as upstream:
        connection = await connected(upstream, timeout=1.0)
        await connection.command(b"MAIL FROM:<a@example.com>")
        await connection.command(b"RCPT TO:<b@example.com>")
        started = time.monotonic()
        with pytest.raises(UpstreamError, match="timed out"):
            await connection.send_data(big_message(6 * MIB))
        assert time.monotonic() - started < 4.0
        assert not connection.connected
