"""A real upstream SMTP server for tests and benchmarks: aiosmtpd with STARTTLS, AUTH,
and fault injection. It runs on its own event loop in a background thread, so sync
tests, asyncio tests and subprocess daemons can all send to it.

Usage in a test module (``tests/`` is on ``sys.path`` under pytest)::

    from support.smtp_upstream import SmtpUpstream, smtp_upstream  # noqa: F401 (fixture)

    def test_send(smtp_upstream: SmtpUpstream) -> None:
        # STARTTLS on 127.0.0.1:smtp_upstream.port, cert signed by smtp_upstream.ca_file,
        # AUTH PLAIN/LOGIN as smtp_upstream.user / smtp_upstream.password (required)
        ...
        [message] = smtp_upstream.wait_for_messages(1)
        assert message.data == raw_bytes

Outside pytest (e.g. an end-to-end run with Thunderbird or the benchmarks)::

    with SmtpUpstream.start(users={"alice": "secret"}) as upstream:
        print(upstream.port, upstream.ca_file)

A config snippet for the proxy is ``upstream.proxy_config()``.

Faults, set on ``upstream.faults`` (for every message) or per message with a header
``X-Upstream-Fault: <name>[=<seconds>]`` (so concurrent senders can each pick one):

- ``refuse_rcpt`` (set of addresses; also any recipient starting with ``refuse-``): 550
- ``reject-data``: 554 after the data;  ``tempfail-data``: 451 after the data
- ``drop``: close the connection after the data without a reply (nothing stored)
- ``delay=S``: wait S seconds before the final reply (then store and answer 250)
- ``hang``: never answer the final reply; nothing is stored
- ``faults.close_mid_data``: close the connection after the first bytes of DATA

Hostile modes (a broken or attacked upstream, for the soak; the proxy must not be fooled):

- ``endless-reply`` (header): the reply to the data is ``250-`` lines that never end;
  a sender whose local part starts with ``endless-`` gets such a reply to MAIL.
  Nothing is stored.
- ``faults.inject_after_greeting`` / ``faults.inject_after_starttls``: the share (0-1) of
  connections that get forged replies (:data:`INJECTED_REPLIES`) right behind the 220
  greeting / in the same write as the 220 to STARTTLS (before the TLS handshake, as an
  on-path attacker would: CVE-2011-0411). ``hostile`` counts the connections hit.
- ``faults.lenient_end_of_data``: a "." line after a bare LF also ends the data, and
  what follows is read as commands (the SMTP smuggling target); an honest client's
  CRLF-only data is read exactly as before.

A message is stored (``messages``) exactly when the upstream answers 250 to its data,
like a real server that commits before replying.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import shutil
import ssl
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import MISSING, SMTP, AuthResult, Envelope, LoginPassword, Session
from support.dovecot import make_test_ca

DEFAULT_USER = "alice@example.com"
DEFAULT_PASSWORD = "upstream-secret"
FAULT_HEADER = re.compile(rb"^X-Upstream-Fault:[ \t]*([a-z-]+)(?:=([0-9.]+))?\r?$",
                          re.IGNORECASE | re.MULTILINE)
HANG_SECONDS = 3600.0
MID_DATA_BYTES = 1024
HEAD_BYTES_KEPT = 2048        # with keep_data=False (benchmarks) only the head is kept
START_TIMEOUT_SECONDS = 10.0
# what an attacker would forge: replies to MAIL, RCPT, DATA and the data, for commands
# the client has not sent yet
INJECTED_REPLIES = (b"250 2.1.0 forged MAIL ok\r\n250 2.1.5 forged RCPT ok\r\n"
                    b"354 forged go ahead\r\n250 2.0.0 forged queued\r\n")
ENDLESS_LINE = b"250-and one more line of a reply that never ends\r\n"
ENDLESS_REPLY_CAP = 16 * 1024 * 1024

# aiosmtpd warns "Session.login_data is deprecated" on every AUTH; it is its own
# internal use, not ours.
logging.getLogger("mail.log").setLevel(logging.ERROR)


@dataclass(frozen=True)
class ReceivedMessage:
    """One message the upstream accepted (answered 250 to)."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes                   # exactly the bytes of the message (dot-stuffing undone)
    mail_options: tuple[str, ...]
    login: str | None             # the AUTH user, None without AUTH
    tls: bool                     # the session was encrypted


@dataclass
class Faults:
    """Faults applied to every message (per-message faults use the header)."""

    refuse_rcpt: set[str] = field(default_factory=set)
    data_fault: str = ""          # reject-data | tempfail-data | drop | hang | delay
    delay_seconds: float = 0.0
    close_mid_data: bool = False
    inject_after_greeting: float = 0.0   # share of connections (see the module docstring)
    inject_after_starttls: float = 0.0
    lenient_end_of_data: bool = False


def message_fault(data: bytes, faults: Faults) -> tuple[str, float]:
    """The fault for this message: its header if any, else the global one."""
    header_end = data.find(b"\r\n\r\n")
    match = FAULT_HEADER.search(data, 0, header_end if header_end >= 0 else len(data))
    if match:
        return match.group(1).decode().lower(), float(match.group(2) or 0)
    return faults.data_fault, faults.delay_seconds


class _SinkHandler:
    def __init__(self, upstream: SmtpUpstream) -> None:
        self.upstream = upstream

    async def handle_EHLO(self, server: SMTP, session: Session, envelope: Envelope,
                          hostname: str, responses: list[str]) -> list[str]:
        session.host_name = hostname
        if not self.upstream.users:       # no users: a server that wants no AUTH at all
            responses = [r for r in responses if not r[4:].upper().startswith("AUTH")]
        return responses

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, mail_options: list[str]) -> object:
        self.upstream.senders[address.lower()] += 1
        if self.upstream.users and not session.authenticated:
            return "530 5.7.0 Authentication required"
        if address.partition("@")[0].lower().startswith("endless-"):
            return await self.upstream.endless_reply(server, "mail")
        return MISSING

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        local = address.partition("@")[0].lower()
        if address.lower() in self.upstream.faults.refuse_rcpt or local.startswith("refuse-"):
            return f"550 5.1.1 <{address}>: recipient refused by the test upstream"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = envelope.original_content or b""
        self.upstream.data_received += 1
        fault, seconds = message_fault(data, self.upstream.faults)
        if fault == "reject-data":
            return "554 5.6.0 message rejected by the test upstream"
        if fault == "tempfail-data":
            return "451 4.3.0 temporary failure in the test upstream"
        if fault == "endless-reply":
            return await self.upstream.endless_reply(server, "data")
        if fault == "drop":
            assert server.transport is not None
            server.transport.close()
            await asyncio.sleep(HANG_SECONDS)   # cancelled by connection_lost
        if fault == "hang":
            await asyncio.sleep(HANG_SECONDS)   # cancelled when the client gives up
        if fault == "delay":
            await asyncio.sleep(seconds)
        if server.transport is None or server.transport.is_closing():
            return "421 4.4.2 gone"             # the sender left: not accepted
        number = self.upstream.store(ReceivedMessage(
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            data=data if self.upstream.keep_data else data[:HEAD_BYTES_KEPT],
            mail_options=tuple(envelope.mail_options),
            login=getattr(session.auth_data, "login", b"").decode() if session.auth_data
            else None,
            tls=server.transport.get_extra_info("ssl_object") is not None,
        ))
        return f"250 2.0.0 OK queued as {number}"


class _SinkSMTP(SMTP):
    """aiosmtpd's server, plus a true mid-DATA close for ``faults.close_mid_data``, the
    injections and the lenient end of data."""

    def __init__(self, upstream: SmtpUpstream, inject_after_greeting: bool = False,
                 inject_after_starttls: bool = False, **kwargs: Any) -> None:
        super().__init__(_SinkHandler(upstream), **kwargs)
        self.upstream = upstream
        self._greeted = False
        self._inject_after_greeting = inject_after_greeting
        self._inject_after_starttls = inject_after_starttls

    async def push(self, status: str | bytes) -> None:
        response = status.encode() if isinstance(status, str) else status
        greeting, self._greeted = not self._greeted, True
        if (greeting and self._inject_after_greeting) or (
                self._inject_after_starttls and response.startswith(b"220 Ready to start TLS")):
            # one write: the forged replies reach the client with the real 220
            response += b"\r\n" + INJECTED_REPLIES.removesuffix(b"\r\n")
        await super().push(response)

    async def smtp_DATA(self, arg: str) -> None:
        if self.upstream.faults.close_mid_data and self.envelope and self.envelope.rcpt_tos:
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            await self._reader.read(MID_DATA_BYTES)
            assert self.transport is not None
            self.transport.close()
            return
        if (self.upstream.faults.lenient_end_of_data and self.envelope
                and self.envelope.rcpt_tos and not arg):
            await self._lenient_data()
            return
        await super().smtp_DATA(arg)

    async def _lenient_data(self) -> None:
        """DATA as a lenient server reads it: a line ends at any LF, so "\\n.\\r\\n"
        ends the data and the bytes behind it are read as the next commands."""
        assert self.envelope is not None
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        lines: list[bytes] = []
        while True:
            line = await self._reader.readuntil(b"\n")
            if line in (b".\r\n", b".\n"):
                break
            lines.append(line[1:] if line.startswith(b".") else line)
        self.envelope.original_content = self.envelope.content = b"".join(lines)
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()
        await self.push("250 OK" if status is MISSING else status)


class SmtpUpstream:
    """A running test upstream; ``stop()`` (or the context manager) shuts it down."""

    def __init__(self, directory: Path, users: dict[str, str], tls: str,
                 size_limit: int) -> None:
        self.dir = directory
        self.users = users
        self.tls = tls                 # starttls | implicit | none
        self.size_limit = size_limit
        self.host = "127.0.0.1"
        self.port = 0
        self.faults = Faults()
        self.keep_data = True          # False: keep only the first 2 KB of each message
        self.messages: list[ReceivedMessage] = []
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True,
                                        name="smtp-upstream")
        self._server: asyncio.Server | None = None
        self.connections = 0        # sessions opened so far
        self.data_received = 0      # DATA transfers completed (before any fault applies)
        self.senders: Counter[str] = Counter()   # MAIL FROM addresses seen (lower case)
        self.hostile: Counter[str] = Counter()   # hostile acts: injections, endless replies
        self.random = random.Random(0)           # who gets injected (seed it for a run)

    # -- life cycle -------------------------------------------------------------------

    @classmethod
    def start(cls, users: dict[str, str] | None = None, tls: str = "starttls",
              size_limit: int = 64 * 1024 * 1024, port: int = 0) -> SmtpUpstream:
        """Start on 127.0.0.1 (a free port unless given). ``users={}``: no AUTH at all."""
        directory = Path(tempfile.mkdtemp(prefix="trustmail-smtp-upstream-"))
        make_test_ca(directory)
        upstream = cls(directory, {DEFAULT_USER: DEFAULT_PASSWORD} if users is None else users,
                       tls, size_limit)
        upstream._thread.start()
        upstream.listen(port)
        return upstream

    def listen(self, port: int = 0) -> None:
        """(Re)open the listening socket; after ``go_down()`` this brings it back."""
        future = asyncio.run_coroutine_threadsafe(self._listen(port or self.port), self._loop)
        future.result(START_TIMEOUT_SECONDS)

    async def _listen(self, port: int) -> None:
        tls = self.server_context()
        self._server = await self._loop.create_server(
            lambda: self._protocol(tls), host=self.host, port=port,
            ssl=tls if self.tls == "implicit" else None, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]

    def _protocol(self, tls: ssl.SSLContext) -> SMTP:
        self.connections += 1
        greeting = self.random.random() < self.faults.inject_after_greeting
        starttls = (self.tls == "starttls"
                    and self.random.random() < self.faults.inject_after_starttls)
        self.hostile.update({"inject-after-greeting": greeting,
                             "inject-after-starttls": starttls})
        return _SinkSMTP(
            self, inject_after_greeting=greeting, inject_after_starttls=starttls,
            hostname="upstream.test", ident="test upstream",
            tls_context=tls if self.tls == "starttls" else None,
            require_starttls=self.tls == "starttls",
            data_size_limit=self.size_limit, enable_SMTPUTF8=True, decode_data=False,
            authenticator=self._authenticate if self.users else None,
            # AUTH is enforced at MAIL by the handler (aiosmtpd warns on required AUTH
            # without STARTTLS, which is fine for implicit TLS or a loopback test).
            auth_require_tls=self.tls == "starttls",
            loop=self._loop)

    def go_down(self) -> None:
        """Stop listening (new connections are refused); ``listen()`` comes back."""
        async def close() -> None:
            if self._server is not None:
                self._server.close()
                self._server = None
        asyncio.run_coroutine_threadsafe(close(), self._loop).result(START_TIMEOUT_SECONDS)

    def stop(self) -> None:
        """Close the listener and every open session, then end the thread."""
        self.go_down()

        async def cancel_sessions() -> None:
            current = asyncio.current_task()
            tasks = [t for t in asyncio.all_tasks() if t is not current]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        asyncio.run_coroutine_threadsafe(cancel_sessions(), self._loop).result(
            START_TIMEOUT_SECONDS)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(START_TIMEOUT_SECONDS)
        self._loop.close()
        shutil.rmtree(self.dir, ignore_errors=True)     # the test CA and keys

    def __enter__(self) -> SmtpUpstream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what tests look at -----------------------------------------------------------

    @property
    def ca_file(self) -> Path:
        """The test CA that signed the upstream's certificate (for ``[smtp.upstream] ca_file``)."""
        return self.dir / "ca.pem"

    @property
    def user(self) -> str:
        return next(iter(self.users), "")

    @property
    def password(self) -> str:
        return self.users.get(self.user, "")

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.dir / "cert.pem", self.dir / "key.pem")
        return context

    def client_context(self) -> ssl.SSLContext:
        """A verifying client context that trusts the test CA."""
        return ssl.create_default_context(cafile=str(self.ca_file))

    def proxy_config(self) -> str:
        """The ``[smtp.upstream]`` table that points the proxy here."""
        return (f'[smtp.upstream]\nhost = "{self.host}"\nport = {self.port}\n'
                f'tls = "{self.tls}"\nca_file = "{self.ca_file}"\ntimeout_seconds = 10\n')

    async def endless_reply(self, server: SMTP, stage: str) -> str:
        """Send ``250-`` lines until the client goes away (this task is then cancelled).

        Every write yields to the loop: under TLS a write to a peer that left may
        neither fail nor block, and a loop that never yields would stall this server.
        The reply stops at ENDLESS_REPLY_CAP bytes, far past what any client should read.
        """
        self.hostile[f"endless-{stage}-reply"] += 1
        writer = server._writer
        chunk = ENDLESS_LINE * 64
        for _ in range(ENDLESS_REPLY_CAP // len(chunk)):
            if server.transport is None or server.transport.is_closing():
                break
            writer.write(chunk)
            try:
                await writer.drain()
            except OSError:
                break
            await asyncio.sleep(0)
        else:
            self.hostile[f"endless-{stage}-reply read to the cap"] += 1
        return "421 4.4.2 gone"

    def store(self, message: ReceivedMessage) -> int:
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
            return len(self.messages)

    def wait_for_messages(self, count: int, timeout: float = 10.0) -> list[ReceivedMessage]:
        """Block until at least ``count`` messages arrived; return them all."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.messages) >= count, timeout)
            return list(self.messages)

    def wait_for_data(self, count: int = 1, timeout: float = 10.0) -> bool:
        """Block until ``count`` DATA transfers reached the upstream (faults or not)."""
        deadline = time.monotonic() + timeout
        while self.data_received < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.data_received >= count

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
        self.faults = Faults()

    def _authenticate(self, server: SMTP, session: Session, envelope: Envelope,
                      mechanism: str, auth_data: Any) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            login, password = auth_data.login.decode(), auth_data.password.decode()
            if self.users.get(login) == password:
                return AuthResult(success=True, auth_data=auth_data)
        return AuthResult(success=False, handled=False)


@pytest.fixture
def smtp_upstream() -> Iterator[SmtpUpstream]:
    """A test upstream with STARTTLS and required AUTH (user/password on the object)."""
    with SmtpUpstream.start() as upstream:
        yield upstream


def main() -> None:
    """``cd tests && python -m support.smtp_upstream [--no-auth] [--tls MODE]``: serve
    until stdin closes or SIGTERM; prints one JSON line with host, port, ca_file, user,
    password (for benchmarks and manual end-to-end runs)."""
    import argparse
    import json
    import signal
    import sys

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--no-auth", action="store_true", help="accept mail without AUTH")
    parser.add_argument("--tls", default="starttls", choices=("starttls", "implicit", "none"))
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    upstream = SmtpUpstream.start(users={} if args.no_auth else None, tls=args.tls,
                                  port=args.port)
    upstream.keep_data = False
    print(json.dumps({"host": upstream.host, "port": upstream.port,
                      "ca_file": str(upstream.ca_file), "user": upstream.user,
                      "password": upstream.password}), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    stop.wait()
    upstream.stop()


if __name__ == "__main__":
    main()
