"""The upstream SMTP client: dot-stuffing, reply and capability parsing, and a real
connection to the test upstream with STARTTLS verified against its CA."""

from __future__ import annotations

import ssl

import pytest
from support.smtp_upstream import SmtpUpstream

from daemon.settings import UpstreamSettings
from daemon.smtp_proxy.upstream import (
    Capabilities,
    Reply,
    UpstreamConnection,
    UpstreamError,
    client_tls_context,
    data_terminator,
    dot_stuff,
)


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
