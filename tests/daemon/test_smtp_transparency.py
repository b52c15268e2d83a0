"""Bytes arrive unchanged: the upstream receives through the proxy exactly what it
receives when the same client sends the same bytes to it directly (dot-stuffing,
8-bit data, SMTPUTF8, malformed MIME, a 30 MB message).
"""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.smtp_proxy import (
    message,
    message_with_attachment,
    running_proxy,
    smtp_client,
    wait_until,
)
from support.smtp_upstream import ReceivedMessage, SmtpUpstream

pytestmark = pytest.mark.real

SENDER = "alice@example.com"
RECIPIENT = "maria@customer.example"
THIRTY_MB = 30 * 1024 * 1024


@pytest.fixture
def upstream() -> Iterator[SmtpUpstream]:
    with SmtpUpstream.start() as server:
        yield server


def send_bytes(port: int, upstream: SmtpUpstream, raw: bytes, *, direct: bool = False,
               options: tuple[str, ...] = (), sender: str = SENDER,
               recipient: str = RECIPIENT) -> tuple[int, bytes]:
    """smtplib sends ``raw`` as it is (bytes are neither re-encoded nor line-fixed)."""
    if direct:
        client = smtplib.SMTP(upstream.host, upstream.port, timeout=60)
        client.ehlo("client.test")
        client.starttls(context=upstream.client_context())
        client.ehlo("client.test")
        client.login(upstream.user, upstream.password)
    else:
        client = smtp_client(port, upstream, timeout=60)
    try:
        code, text = client.mail(sender, list(options))
        assert code == 250, text
        code, text = client.rcpt(recipient)
        assert code == 250, text
        return client.data(raw)
    finally:
        client.quit()


async def direct_and_proxied(upstream: SmtpUpstream, tmp_path: Path, raw: bytes,
                             **kwargs: object) -> tuple[ReceivedMessage, ReceivedMessage]:
    """What the upstream received directly, and through the proxy."""
    async with running_proxy(upstream, tmp_path) as proxy:
        direct = await asyncio.to_thread(send_bytes, 0, upstream, raw, direct=True, **kwargs)
        proxied = await asyncio.to_thread(send_bytes, proxy.port, upstream, raw, **kwargs)
        assert direct[0] == proxied[0] == 250, (direct, proxied)
        assert await wait_until(lambda: len(proxy.recorded()) == 1)
    first, second = upstream.wait_for_messages(2)
    return first, second


EDGE_CASES = {
    "leading dots": b"Subject: dots\r\n\r\n.\r\n..\r\n. \r\n.hidden\r\n...three\r\nend\r\n",
    "dot first line of body": b"Subject: x\r\n\r\n.first\r\n",
    "empty body": b"Subject: empty\r\n\r\n",
    "no final newline": b"Subject: x\r\n\r\nlast line without CRLF",
    "8-bit latin-1 body": b"Subject: x\r\nContent-Type: text/plain; charset=latin-1\r\n\r\n"
                          b"Gr\xfc\xdfe aus K\xf6ln\r\n",
    "8-bit utf-8 headers": "Subject: Grüße\r\nFrom: Jürgen <j@example.com>\r\n\r\n"
                           "Schöne Grüße\r\n".encode(),
    "NUL and control bytes": b"Subject: x\r\n\r\na\x00b\x01c\x7f\r\n",
    "998-octet line": b"Subject: x\r\n\r\n" + b"y" * 998 + b"\r\n",
    "malformed MIME": b"Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; "
                      b'boundary="never-closed"\r\n\r\n--never-closed\r\nContent-Type: text/plain'
                      b"\r\nContent-Transfer-Encoding: base64\r\n\r\n!!not base64!!\r\n",
    "no headers at all": b"just a line\r\n",
}


@pytest.mark.parametrize("raw", EDGE_CASES.values(), ids=EDGE_CASES.keys())
async def test_bytes_arrive_as_if_sent_directly(upstream: SmtpUpstream, tmp_path: Path,
                                                raw: bytes) -> None:
    direct, proxied = await direct_and_proxied(upstream, tmp_path, raw)
    assert proxied.data == direct.data
    assert proxied.mail_from == direct.mail_from and proxied.rcpt_tos == direct.rcpt_tos


async def test_a_bare_lf_or_cr_is_refused_and_the_session_goes_on(
        upstream: SmtpUpstream, tmp_path: Path) -> None:
    """Bare CR/LF are refused, not relayed (SMTP smuggling; see README): 554, nothing sent."""
    async with running_proxy(upstream, tmp_path) as proxy:
        def two_sends() -> tuple[tuple[int, bytes], tuple[int, bytes]]:
            client = smtp_client(proxy.port, upstream)
            client.mail(SENDER)
            client.rcpt(RECIPIENT)
            bare = client.data(b"Subject: x\r\n\r\none\ntwo\rthree\r\n.\nfour\r\n")
            client.mail(SENDER)
            client.rcpt(RECIPIENT)
            fits = client.data(message())
            client.quit()
            return bare, fits
        bare, fits = await asyncio.to_thread(two_sends)
    assert bare[0] == 554 and b"bare CR or LF" in bare[1]
    assert fits[0] == 250
    [received] = upstream.wait_for_messages(1)
    assert received.data == message()
    assert upstream.data_received == 1


async def test_smtputf8_addresses_and_8bitmime_pass_through(upstream: SmtpUpstream,
                                                            tmp_path: Path) -> None:
    raw = "From: Jürgen <jürgen@exämple.com>\r\nSubject: Grüße\r\n\r\nHallo\r\n".encode()
    direct, proxied = await direct_and_proxied(
        upstream, tmp_path, raw, options=("SMTPUTF8", "BODY=8BITMIME"),
        sender="jürgen@exämple.com", recipient="maría@cliente.example")
    assert proxied.data == direct.data == raw
    assert proxied.mail_from == "jürgen@exämple.com"
    assert proxied.rcpt_tos == ("maría@cliente.example",)
    assert set(proxied.mail_options) == {"SMTPUTF8", "BODY=8BITMIME"}


async def test_malformed_message_is_relayed_and_recorded(upstream: SmtpUpstream,
                                                         tmp_path: Path) -> None:
    raw = EDGE_CASES["malformed MIME"] + b"\xff\xfe broken \x80 bytes\r\n"
    async with running_proxy(upstream, tmp_path) as proxy:
        code, _ = await asyncio.to_thread(send_bytes, proxy.port, upstream, raw)
        assert code == 250
        assert await wait_until(lambda: len(proxy.recorded()) == 1)
        [row] = proxy.recorded()
    assert upstream.wait_for_messages(1)[0].data == raw
    assert row["subject"] == "x" and row["to_addrs"] == RECIPIENT


async def test_a_30_mb_message_arrives_byte_identical(upstream: SmtpUpstream,
                                                      tmp_path: Path) -> None:
    raw = message_with_attachment(THIRTY_MB)
    assert len(raw) > THIRTY_MB - 100
    async with running_proxy(upstream, tmp_path) as proxy:
        code, text = await asyncio.to_thread(send_bytes, proxy.port, upstream, raw)
        assert code == 250, text
    [received] = upstream.wait_for_messages(1)
    assert received.data == raw


async def test_a_message_over_the_size_limit_is_refused_and_the_session_goes_on(
        upstream: SmtpUpstream, tmp_path: Path) -> None:
    async with running_proxy(upstream, tmp_path, max_message_bytes=100_000) as proxy:
        def two_sends() -> tuple[tuple[int, bytes], tuple[int, bytes]]:
            client = smtp_client(proxy.port, upstream)
            client.mail(SENDER)
            client.rcpt(RECIPIENT)
            too_big = client.data(message_with_attachment(200_000))
            client.rset()
            client.mail(SENDER)
            client.rcpt(RECIPIENT)
            fits = client.data(message())
            client.quit()
            return too_big, fits
        too_big, fits = await asyncio.to_thread(two_sends)
    assert too_big[0] == 552
    assert fits[0] == 250
    assert len(upstream.wait_for_messages(1)) == 1
