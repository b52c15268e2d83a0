"""The HTTP layer on its own: JSON bodies, framing refusals, head deadline, connection cap.

The framing is uvicorn's (h11); these tests speak raw bytes to a running API to check
that every refusal is still a JSON error and that slow or idle clients cannot hold it.
"""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest
from support.api_client import RunningApi, running_api

from daemon.api import protocol
from daemon.api.errors import HttpError
from daemon.api.json_body import check_media_type, decode_value


@pytest.fixture
async def api(tmp_path: Path):  # type: ignore[no-untyped-def]
    async with running_api(tmp_path) as running:
        yield running


async def exchange(api: RunningApi, raw: bytes) -> bytes:
    """Send ``raw`` on a fresh connection; everything the server answers until it closes."""
    reader, writer = await asyncio.open_connection("127.0.0.1", api.port)
    writer.write(raw)
    try:
        return await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()


def test_json_bodies_must_be_declared_and_valid() -> None:
    check_media_type("application/json; charset=utf-8")
    assert decode_value(b'{"text": "Gr\xc3\xbc\xc3\x9fe"}') == {"text": "Grüße"}
    with pytest.raises(HttpError) as caught:
        decode_value(b"\xff")
    assert caught.value.code == "invalid_json"
    with pytest.raises(HttpError) as caught:
        check_media_type("")
    assert caught.value.status == 415


@pytest.mark.parametrize("body", [
    b'{"text": "\\ud800"}',                       # a lone surrogate
    b'{"text": "hi", "n": ' + b"9" * 5000 + b"}",  # beyond Python's int digit limit
    b"[" * 100_000,                                 # nests past the recursion limit
])
def test_hostile_json_bodies_are_400_invalid_json(body: bytes) -> None:
    with pytest.raises(HttpError) as caught:
        decode_value(body)
    assert (caught.value.status, caught.value.code) == (400, "invalid_json")


@pytest.mark.parametrize(("body", "text"), [
    (b'{"text": "\\ud83d\\ude00 ok"}', "\U0001F600 ok"),   # a pair is one character
    (b'{"text": "\\\\ud800"}', "\\ud800"),                 # an escaped backslash, no escape
    (b'{"text": "' + b"a, b. " * 200_000 + b'"}', "a, b. " * 200_000),
])
def test_bodies_without_a_lone_surrogate_are_decoded(body: bytes, text: str) -> None:
    assert decode_value(body) == {"text": text}


def test_a_lone_surrogate_is_found_in_keys_and_in_upper_case_escapes() -> None:
    for body in (b'{"\\uDC00": "x"}', b'{"text": ["ok", {"deep": "\\uDBFF"}]}'):
        with pytest.raises(HttpError) as caught:
            decode_value(body)
        assert "lone surrogate" in caught.value.message


@pytest.mark.parametrize("head", [
    b"HELLO\r\n\r\n",                                              # no method, no path
    b"GET /v1/health\r\n\r\n",                                     # no version
    b"GET http://evil.example/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",  # absolute
    b"GET /v1/health HTTP/1.1\r\nno colon here\r\n\r\n",
    b"GET /v1/health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",       # two Hosts
    b"POST /v1/score HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \xc2\xb2\r\n\r\n",
])
async def test_malformed_heads_get_a_json_400_and_a_close(api: RunningApi, head: bytes) -> None:
    response = await exchange(api, head)
    assert response.startswith(b"HTTP/1.1 400"), response[:80]
    assert b'"code":"bad_request"' in response
    assert b"connection: close" in response.lower()


async def test_responses_carry_length_and_no_store(api: RunningApi) -> None:
    response = await exchange(api, f"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1:{api.port}"
                                   "\r\nConnection: close\r\n\r\n".encode())
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    lowered = head.lower()
    assert b"content-length: %d" % len(body) in lowered and b"connection: close" in lowered
    assert b"cache-control: no-store" in lowered and b"server: trustmail" in lowered


async def test_a_head_larger_than_the_limit_arriving_slowly_is_431(api: RunningApi) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", api.port)
    writer.write(b"GET /v1/health HTTP/1.1\r\nX-Padding: ")
    for _ in range(5):                               # never a whole head: h11's bound
        writer.write(b"p" * 4096)
        await writer.drain()
        await asyncio.sleep(0.01)
    response = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    assert response.startswith(b"HTTP/1.1 431")
    assert b'"code":"headers_too_large"' in response


async def test_a_connection_that_sends_no_head_in_time_is_closed(
        api: RunningApi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(protocol, "HEAD_TIMEOUT_SECONDS", 0.3)
    silent = asyncio.open_connection("127.0.0.1", api.port)
    silent_reader, silent_writer = await silent
    trickle_reader, trickle_writer = await asyncio.open_connection("127.0.0.1", api.port)
    for byte in b"GET /v1/health HTTP/1.1\r\n":      # a byte now and then is not enough
        if trickle_reader.at_eof():
            break
        trickle_writer.write(bytes([byte]))
        await asyncio.sleep(0.05)
    assert await asyncio.wait_for(silent_reader.read(), 3) == b""
    assert await asyncio.wait_for(trickle_reader.read(), 3) == b""
    silent_writer.close()
    trickle_writer.close()


async def test_a_kept_alive_connection_gets_a_fresh_deadline_per_request(
        api: RunningApi, monkeypatch: pytest.MonkeyPatch) -> None:
    # each pause 1.2 s inside its deadline, however loaded the machine; 3 x 0.8 s outlive one
    monkeypatch.setattr(protocol, "HEAD_TIMEOUT_SECONDS", 2.0)
    reader, writer = await asyncio.open_connection("127.0.0.1", api.port)
    request = f"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1:{api.port}\r\n\r\n".encode()
    for _ in range(3):
        await asyncio.sleep(0.8)
        writer.write(request)
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 3)
        assert head.startswith(b"HTTP/1.1 200")
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        await reader.readexactly(length)
    writer.close()


async def test_past_the_connection_cap_a_client_gets_503_with_retry_after(
        api: RunningApi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(protocol, "MAX_CONNECTIONS", 2)
    held = [await asyncio.open_connection("127.0.0.1", api.port) for _ in range(2)]
    response = await exchange(api, b"")
    for _, writer in held:
        writer.close()
    assert response.startswith(b"HTTP/1.1 503")
    assert b"retry-after: 1" in response.lower() and b'"code":"busy"' in response


async def test_answers_are_sent_without_waiting_for_the_clients_ack(api: RunningApi) -> None:
    """TCP_NODELAY on every connection: uvicorn writes the head and the body apart, and
    without it a keep-alive client waits ~40 ms per answer (Nagle, delayed ACK)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", api.port)
    writer.write(f"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1:{api.port}\r\n\r\n".encode())
    await reader.readuntil(b"\r\n\r\n")
    assert api.service.server is not None
    [connection] = api.service.server.server_state.connections
    server_side = connection.transport.get_extra_info("socket")
    writer.close()
    assert server_side.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
