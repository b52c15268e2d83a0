"""uvicorn's h11 protocol with the API's connection rules.

uvicorn parses HTTP/1.1 (with h11) and runs the ASGI app; three rules of ours live at
the connection, before there is a request for the app to see:

- **A JSON error for what h11 refuses** (a garbage request line, ``Content-Length: ²``,
  a head over MAX_HEADER_BYTES: 431), where uvicorn sends a plain-text 400.
- **A head deadline**: a connection must deliver each request head within
  HEAD_TIMEOUT_SECONDS of opening or of the previous answer, else it is closed. uvicorn
  itself only times out idle keep-alive connections, and a connection that never
  sends, or sends a byte now and then, would stay open for ever.
- **A connection cap**: past MAX_CONNECTIONS a new connection gets a 503 with
  Retry-After at once instead of a silent close.
"""

from __future__ import annotations

import asyncio
import resource
import sys
from http import HTTPStatus
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from daemon.api.errors import JSON_CONTENT_TYPE, error_body

MAX_HEADER_BYTES = 16 * 1024        # request line + all headers
HEAD_TIMEOUT_SECONDS = 5.0          # to send a request head (also the keep-alive idle time)
MAX_CONNECTIONS = 4096              # open at once; file descriptors are the real bound
FILES_BESIDE_CONNECTIONS = 512    # the store, logs, worker pipes, the SMTP proxy's sockets
RETRY_AFTER_SECONDS = "1"


class ApiProtocol(H11Protocol):
    """One connection: uvicorn's, plus the head deadline, the cap and JSON errors."""

    head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > MAX_CONNECTIONS:
            self.send_error(503, "busy", f"more than {MAX_CONNECTIONS} connections are open; "
                            "try again", {"retry-after": RETRY_AFTER_SECONDS})
            return
        self.arm_head_timer()

    def arm_head_timer(self) -> None:
        self.cancel_head_timer()
        self.head_timer = self.loop.call_later(HEAD_TIMEOUT_SECONDS, self.on_head_timeout)

    def cancel_head_timer(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def on_head_timeout(self) -> None:
        self.head_timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        scope = self.scope
        super().data_received(data)
        if self.scope is not scope:          # h11 parsed the head of a new request
            self.cancel_head_timer()

    def on_response_complete(self) -> None:
        scope = self.scope
        super().on_response_complete()
        if not self.transport.is_closing() and self.scope is scope:
            self.arm_head_timer()            # waiting for the next request's head

    def connection_lost(self, exc: Exception | None) -> None:
        self.cancel_head_timer()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        """uvicorn calls this when h11 refuses the request; h11's reason is the error
        being handled, and its status hint says 431 for an oversized head."""
        error = sys.exc_info()[1]
        status = 400
        message = "the request is not valid HTTP/1.1"
        if isinstance(error, h11.RemoteProtocolError):
            status = error.error_status_hint if 400 <= error.error_status_hint < 500 else 400
            message = f"the request is not valid HTTP/1.1: {error}"
        if status == 431:
            self.send_error(431, "headers_too_large",
                            f"request headers are limited to {MAX_HEADER_BYTES} bytes")
        else:
            self.send_error(status, "bad_request", message)

    def send_error(self, status: int, code: str, message: str,
                   headers: dict[str, str] | None = None) -> None:
        """Answer with a JSON error and close (the stream position is unknown). Written
        as bytes: h11 cannot answer a connection that has sent no request."""
        body = error_body(code, message)
        fields = [(b"content-type", JSON_CONTENT_TYPE.encode()),
                  (b"content-length", str(len(body)).encode()), (b"connection", b"close"),
                  *self.server_state.default_headers,
                  *((name.encode(), value.encode()) for name, value in (headers or {}).items())]
        head = b"HTTP/1.1 %d %s\r\n" % (status, HTTPStatus(status).phrase.encode())
        head += b"".join(b"%s: %s\r\n" % field for field in fields)
        self.cancel_head_timer()
        self.transport.write(head + b"\r\n" + body)
        self.transport.close()


def raise_file_limit() -> None:
    """Let the process hold MAX_CONNECTIONS sockets beside its other files: the soft
    limit is often 1,024, and an accept that fails for lack of descriptors is a client
    left hanging with no answer at all."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = MAX_CONNECTIONS + FILES_BESIDE_CONNECTIONS
    if soft != resource.RLIM_INFINITY and soft < wanted:
        limit = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))


def protocol_options() -> dict[str, Any]:
    """The uvicorn Config options that go with :class:`ApiProtocol`."""
    return {"http": ApiProtocol, "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
            "timeout_keep_alive": int(HEAD_TIMEOUT_SECONDS)}
