"""The HTTP/1.1 layer on its own: request heads, JSON bodies, responses."""

from __future__ import annotations

import asyncio

import pytest

from daemon.api.http import (
    HttpError,
    Request,
    Response,
    encode_response,
    parse_head,
    read_body,
)


def test_a_request_head_is_split_into_method_target_and_lower_case_headers() -> None:
    method, target, headers = parse_head(
        b"post /v1/promises?status=open HTTP/1.1\r\nHost: 127.0.0.1:8425\r\n"
        b"Content-Type: application/json\r\n\r\n")
    assert (method, target) == ("POST", "/v1/promises?status=open")
    assert headers == {"host": "127.0.0.1:8425", "content-type": "application/json"}
    request = Request(method, target, headers)
    assert (request.path, request.query) == ("/v1/promises", {"status": "open"})


@pytest.mark.parametrize("head", [
    b"GET /v1/health\r\n\r\n",                                     # no version
    b"GET http://evil.example/v1/health HTTP/1.1\r\n\r\n",          # absolute form
    b"GET /v1/health HTTP/1.1\r\nno colon here\r\n\r\n",
    b"GET /v1/health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",       # two Hosts
])
def test_malformed_heads_are_400(head: bytes) -> None:
    with pytest.raises(HttpError) as caught:
        parse_head(head)
    assert caught.value.status == 400


def test_json_bodies_must_be_declared_and_valid() -> None:
    good = Request("POST", "/", {"content-type": "application/json; charset=utf-8"},
                   b'{"text": "Gr\xc3\xbc\xc3\x9fe"}')
    assert good.json() == {"text": "Grüße"}
    with pytest.raises(HttpError) as caught:
        Request("POST", "/", {"content-type": "application/json"}, b"\xff").json()
    assert caught.value.code == "invalid_json"
    with pytest.raises(HttpError) as caught:
        Request("POST", "/", {}, b"{}").json()
    assert caught.value.status == 415


def test_responses_carry_length_connection_and_no_store() -> None:
    raw = encode_response(Response(200, b"{}", {"Content-Type": "application/json"}),
                          keep_alive=False)
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"Content-Length: 2" in head and b"Connection: close" in head
    assert b"Cache-Control: no-store" in head and body == b"{}"


@pytest.mark.parametrize("body", [
    b'{"text": "\\ud800"}',                       # a lone surrogate
    b'{"text": "hi", "n": ' + b"9" * 5000 + b"}",  # beyond Python's int digit limit
    b"[" * 100_000,                                 # nests past the recursion limit
])
def test_hostile_json_bodies_are_400_invalid_json(body: bytes) -> None:
    with pytest.raises(HttpError) as caught:
        Request("POST", "/", {"content-type": "application/json"}, body).json()
    assert (caught.value.status, caught.value.code) == (400, "invalid_json")


async def test_a_unicode_digit_content_length_is_400() -> None:
    reader = asyncio.StreamReader()
    with pytest.raises(HttpError) as caught:
        await read_body(reader, None, {"content-length": "\u00b2"}, 1024)  # type: ignore[arg-type]
    assert caught.value.status == 400
