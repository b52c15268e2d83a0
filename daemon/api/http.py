"""A minimal HTTP/1.1 server on asyncio streams: just what a loopback JSON API needs.

Why not a framework: the API serves a handful of JSON routes to one local add-on.
Parsing a request line, headers and a Content-Length body is ~150 lines that we can
read and bound completely (header size, body size, idle time), with no dependency and
no feature we would have to switch off (chunked uploads, multipart, static files...).

Supported: keep-alive, ``Content-Length`` bodies, ``Expect: 100-continue``.
Refused with a clear 4xx: chunked request bodies, oversized headers or bodies,
malformed request lines.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit

log = logging.getLogger(__name__)

MAX_HEADER_BYTES = 16 * 1024        # request line + all headers
MAX_HEADER_COUNT = 64
IDLE_TIMEOUT_SECONDS = 15.0         # a keep-alive connection idle this long is closed
BODY_TIMEOUT_SECONDS = 30.0         # a client must send its whole body within this
SERVER_NAME = "trustmail"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"


class HttpError(Exception):
    """A request we refuse; becomes a JSON error ``{"error": {"code", "message"}}``."""

    def __init__(self, status: int, code: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


@dataclass
class Request:
    """One parsed HTTP request. Header names are lower case."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes = b""
    path: str = ""
    query: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        parts = urlsplit(self.target)
        self.path = parts.path
        self.query = dict(parse_qsl(parts.query, keep_blank_values=True))

    def json(self) -> Any:
        """The body decoded as JSON; a 400/415 HttpError when it is not."""
        content_type = self.headers.get("content-type", "")
        if content_type.split(";")[0].strip().lower() != "application/json":
            raise HttpError(415, "unsupported_media_type",
                            "send the body as JSON with Content-Type: application/json")
        try:
            value = json.loads(self.body.decode("utf-8"))
        except UnicodeDecodeError:
            raise HttpError(400, "invalid_json", "the body is not UTF-8") from None
        except json.JSONDecodeError as error:
            raise HttpError(400, "invalid_json", f"the body is not valid JSON: {error}") from None
        except RecursionError:
            raise HttpError(400, "invalid_json", "the body nests too deeply") from None
        except ValueError as error:   # e.g. an integer beyond Python's digit limit
            raise HttpError(400, "invalid_json", f"the body is not usable JSON: {error}") \
                from None
        check_encodable(value)
        return value


def check_encodable(value: Any) -> None:
    """400 unless every string of a decoded body is valid Unicode (no lone surrogates,
    which JSON's \\ud800 escapes can smuggle in and UTF-8 cannot encode)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise HttpError(400, "invalid_json",
                        "the body contains a lone surrogate (\\ud800-\\udfff escape)") from None
    except RecursionError:
        raise HttpError(400, "invalid_json", "the body nests too deeply") from None


@dataclass
class Response:
    """A response; ``json_response`` builds the usual kind."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def encode_json(payload: Any) -> bytes:
    """Compact UTF-8 JSON, as every response body is sent."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    """Serialise ``payload`` as a JSON response."""
    body = encode_json(payload)
    all_headers = {"Content-Type": JSON_CONTENT_TYPE}
    all_headers.update(headers or {})
    return Response(status, body, all_headers)


def error_response(error: HttpError) -> Response:
    """The JSON body every refused request gets."""
    return json_response(error.status, {"error": {"code": error.code, "message": error.message}},
                         error.headers)


Handler = Callable[[Request], Awaitable[Response]]


async def read_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                       max_body_bytes: int) -> Request | None:
    """Read one request; None when the client closed the connection between requests."""
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), IDLE_TIMEOUT_SECONDS)
    except asyncio.IncompleteReadError as error:
        if error.partial.strip():
            raise HttpError(400, "bad_request", "the request ended inside its headers") from None
        return None
    except asyncio.LimitOverrunError:
        raise HttpError(431, "headers_too_large",
                        f"request headers are limited to {MAX_HEADER_BYTES} bytes") from None
    except TimeoutError:
        return None
    if len(head) > MAX_HEADER_BYTES:
        raise HttpError(431, "headers_too_large",
                        f"request headers are limited to {MAX_HEADER_BYTES} bytes")
    method, target, headers = parse_head(head)
    body = await read_body(reader, writer, headers, max_body_bytes)
    return Request(method, target, headers, body)


def parse_head(head: bytes) -> tuple[str, str, dict[str, str]]:
    """Split the request line and headers; HttpError 400 on anything malformed."""
    try:
        text = head.decode("latin-1")
    except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes every byte
        raise HttpError(400, "bad_request", "request headers are not readable") from None
    lines = text.split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise HttpError(400, "bad_request", "the request line must be 'METHOD /path HTTP/1.1'")
    method, target, _version = parts
    if not target.startswith("/"):
        raise HttpError(400, "bad_request", "the request target must be a path like /v1/score")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise HttpError(400, "bad_request", f"malformed header line {line[:40]!r}")
        key = name.lower()
        if key in headers and key in ("host", "content-length", "authorization", "origin"):
            raise HttpError(400, "bad_request", f"the {name} header appears twice")
        headers[key] = value.strip()
        if len(headers) > MAX_HEADER_COUNT:
            raise HttpError(431, "headers_too_large",
                            f"at most {MAX_HEADER_COUNT} request headers are accepted")
    return method.upper(), target, headers


async def read_body(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    headers: dict[str, str], max_body_bytes: int) -> bytes:
    """Read a Content-Length body within the size limit."""
    if "transfer-encoding" in headers:
        raise HttpError(411, "length_required",
                        "chunked request bodies are not accepted; send Content-Length")
    length_text = headers.get("content-length", "0")
    if not (length_text.isascii() and length_text.isdigit()):
        raise HttpError(400, "bad_request", "Content-Length must be a whole number")
    length = int(length_text)
    if length > max_body_bytes:
        raise HttpError(413, "body_too_large",
                        f"the request body is {length} bytes; the limit is {max_body_bytes} "
                        "bytes ([api] max_body_bytes)")
    if length == 0:
        return b""
    if headers.get("expect", "").lower() == "100-continue":
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    try:
        return await asyncio.wait_for(reader.readexactly(length), BODY_TIMEOUT_SECONDS)
    except (asyncio.IncompleteReadError, TimeoutError):
        raise HttpError(400, "bad_request", "the body is shorter than its Content-Length") \
            from None


def encode_response(response: Response, keep_alive: bool) -> bytes:
    """Status line, headers and body as bytes."""
    reason = HTTPStatus(response.status).phrase
    lines = [f"HTTP/1.1 {response.status} {reason}"]
    headers = {
        "Server": SERVER_NAME,
        "Content-Length": str(len(response.body)),
        "Connection": "keep-alive" if keep_alive else "close",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
    headers.update(response.headers)
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + response.body


def wants_keep_alive(request: Request) -> bool:
    return request.headers.get("connection", "").lower() != "close"


async def serve_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                           handler: Handler, max_body_bytes: int) -> None:
    """Answer requests on one connection until the client closes it or an error ends it."""
    try:
        while True:
            try:
                request = await read_request(reader, writer, max_body_bytes)
            except HttpError as error:
                # The stream position is unknown after a bad request: answer and close.
                writer.write(encode_response(error_response(error), keep_alive=False))
                await writer.drain()
                return
            if request is None:
                return
            response = await handler(request)
            keep_alive = wants_keep_alive(request)
            writer.write(encode_response(response, keep_alive))
            await writer.drain()
            if not keep_alive:
                return
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except (ConnectionError, asyncio.CancelledError):
            pass
