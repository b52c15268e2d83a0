"""A scriptable, misbehaving upstream SMTP server for the proxy's upstream-hop tests.

It runs on the test's own event loop (plain asyncio streams on 127.0.0.1) and can:
inject plaintext after its 220 to STARTTLS (CVE-2011-0411), send unsolicited replies,
send a reply that never ends, read the end of data leniently (a bare LF counts as a
line end, so ``\\n.\\r\\n`` ends the data: the SMTP smuggling target), read DATA slowly
or not at all. It accepts every sender and recipient and needs no AUTH.

    async with HostileUpstream(Behaviour(after_starttls=b"250 fake\\r\\n")) as upstream:
        settings = upstream.settings()          # UpstreamSettings pointing here
        ...
        assert upstream.messages == []
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from support.dovecot import make_test_ca

from daemon.config.sections import UpstreamSettings

CRLF = b"\r\n"
THROTTLE_BYTES = 64 * 1024
SMALL_RECEIVE_BUFFER = 16 * 1024   # so a slow reader really slows the sender down


@dataclass
class Behaviour:
    """How the server misbehaves (the defaults are an honest, minimal server)."""

    starttls: bool = False           # offer STARTTLS (certificate from a test CA)
    after_starttls: bytes = b""      # plaintext sent right behind "220 ready" to STARTTLS
    after_ehlo: bytes = b""          # unsolicited bytes right behind the EHLO reply
    endless_mail_reply: bool = False  # answer MAIL with "250-" lines forever
    mail_reply_lines: list[bytes] = field(default_factory=list)  # a custom multi-line reply
    lenient_end_of_data: bool = False  # a "." line after a bare LF also ends the data
    data_bytes_per_second: int = 0   # read DATA at this rate (0: as fast as it comes)
    stall_data: bool = False         # after 354, never read again
    data_reply_delay: float = 0.0    # seconds before the final reply (and the commit)
    idle_timeout: float = 0.0        # idle this long between commands: 421 and close


class HostileUpstream:
    """The server; use as ``async with`` (it listens on a free loopback port)."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.messages: list[bytes] = []    # data of every message answered with 250
        self.commands: list[bytes] = []    # every command line received, in order
        self.data_bytes = 0                # DATA bytes read so far (for slow reads)
        self.port = 0
        self.connections = 0
        self._server: asyncio.Server | None = None
        self._dir = Path(tempfile.mkdtemp(prefix="trustmail-hostile-smtp-"))
        self._tls: ssl.SSLContext | None = None
        self._sessions: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> HostileUpstream:
        if self.behaviour.starttls:
            await asyncio.to_thread(make_test_ca, self._dir)
            self._tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self._tls.load_cert_chain(self._dir / "cert.pem", self._dir / "key.pem")
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if self.behaviour.data_bytes_per_second:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SMALL_RECEIVE_BUFFER)
        listener.bind(("127.0.0.1", 0))
        self._server = await asyncio.start_server(self._session, sock=listener)
        self.port = listener.getsockname()[1]
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._sessions):
            task.cancel()
        await asyncio.gather(*self._sessions, return_exceptions=True)

    @property
    def ca_file(self) -> Path:
        return self._dir / "ca.pem"

    def settings(self, timeout_seconds: float = 5.0) -> UpstreamSettings:
        """Settings for the proxy's upstream side pointing at this server."""
        return UpstreamSettings(
            host="127.0.0.1", port=self.port,
            tls="starttls" if self.behaviour.starttls else "none",
            ca_file=str(self.ca_file) if self.behaviour.starttls else "",
            timeout_seconds=timeout_seconds)

    async def _session(self, reader: asyncio.StreamReader,
                       writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._sessions.add(task)
        self.connections += 1
        try:
            await self._converse(reader, writer)
        except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
            pass                          # the proxy hung up on us: that is often the point
        except asyncio.CancelledError:
            pass                          # the test is over (a quiet end for asyncio's callback)
        finally:
            self._sessions.discard(task)
            writer.close()

    async def _converse(self, reader: asyncio.StreamReader,
                        writer: asyncio.StreamWriter) -> None:
        behaviour = self.behaviour
        writer.write(b"220 hostile.test ESMTP\r\n")
        secure = False
        while line := await self._next_command(reader, writer):
            self.commands.append(line)
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                writer.write(self._ehlo_reply(secure) + behaviour.after_ehlo)
            elif verb == b"STAR" and self._tls is not None:
                writer.write(b"220 2.0.0 ready\r\n" + behaviour.after_starttls)
                await writer.drain()
                await writer.start_tls(self._tls)
                secure = True
            elif verb == b"MAIL":
                await self._mail_reply(writer)
            elif verb == b"DATA":
                writer.write(b"354 go ahead\r\n")
                await writer.drain()
                data = await self._read_data(reader)
                await asyncio.sleep(behaviour.data_reply_delay)
                if writer.is_closing() or reader.at_eof():
                    return                # the sender left before our reply: not accepted
                self.messages.append(data)
                writer.write(b"250 2.0.0 queued\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 2.0.0 bye\r\n")
                await writer.drain()
                return
            else:                         # RCPT, RSET, NOOP: all fine
                writer.write(b"250 2.0.0 ok\r\n")
            await writer.drain()

    async def _next_command(self, reader: asyncio.StreamReader,
                            writer: asyncio.StreamWriter) -> bytes:
        """The next command line; b"" at EOF or after an idle timeout (421 sent)."""
        if not self.behaviour.idle_timeout:
            return await reader.readline()
        try:
            async with asyncio.timeout(self.behaviour.idle_timeout):
                return await reader.readline()
        except TimeoutError:
            writer.write(b"421 4.4.2 hostile.test idle timeout, closing\r\n")
            await writer.drain()
            return b""

    def _ehlo_reply(self, secure: bool) -> bytes:
        lines = [b"250-hostile.test", b"250-8BITMIME"]
        if self._tls is not None and not secure:
            lines.append(b"250-STARTTLS")
        lines.append(b"250 SIZE 100000000")
        return CRLF.join(lines) + CRLF

    async def _mail_reply(self, writer: asyncio.StreamWriter) -> None:
        if self.behaviour.endless_mail_reply:
            while True:                    # until the proxy gives up and hangs up
                writer.write(b"250-this reply goes on and on\r\n" * 100)
                await writer.drain()
        if self.behaviour.mail_reply_lines:
            writer.write(CRLF.join(self.behaviour.mail_reply_lines) + CRLF)
        else:
            writer.write(b"250 2.1.0 ok\r\n")

    async def _read_data(self, reader: asyncio.StreamReader) -> bytes:
        """The message up to the end-of-data line (strict or lenient), dots undone."""
        if self.behaviour.stall_data:
            await asyncio.Event().wait()    # never returns; cancelled at the end
        lines: list[bytes] = []
        while True:
            # A lenient parser splits at LF, so "x\n.\r\n" has a line ".\r\n".
            line = await (reader.readline() if self.behaviour.lenient_end_of_data
                          else reader.readuntil(CRLF))
            await self._throttle(len(line))
            if line in (b".\r\n", b".\n") or not line:
                return b"".join(lines)
            lines.append(line[1:] if line.startswith(b".") else line)

    async def _throttle(self, size: int) -> None:
        before = self.data_bytes
        self.data_bytes += size
        rate = self.behaviour.data_bytes_per_second
        if rate and before // THROTTLE_BYTES != self.data_bytes // THROTTLE_BYTES:
            await asyncio.sleep(THROTTLE_BYTES / rate)
