"""A small asyncio SMTP client for the upstream side of the proxy.

It speaks just what a transparent submission relay needs: greeting, EHLO,
STARTTLS or implicit TLS (certificates always verified), raw commands whose replies
are handed back verbatim, and DATA with dot-stuffing. Every read has a timeout; any
network failure surfaces as :class:`UpstreamError` so the caller can answer 4xx.
Timeouts use ``asyncio.timeout``, not ``wait_for``: in Python 3.11 ``wait_for`` swallows
a cancellation that coincides with its result, and a cancellation here means the
client left, so the message must not be finished upstream.

It trusts the upstream's byte stream no further than it must: bytes that arrive before
we asked for them (after the 220 to STARTTLS, or before any command) are refused, since
they would be read as the reply to a later command (the CVE-2011-0411 class), and a
reply may not exceed :data:`MAX_REPLY_LINES` lines or :data:`MAX_REPLY_BYTES` bytes.
"""

from __future__ import annotations

import asyncio
import fcntl
import ssl
import struct
import termios
from dataclasses import dataclass, field

from daemon.config.sections import UpstreamSettings
from daemon.smtp_proxy.pieces import any_bare_line_end, stuffed_pieces
from daemon.smtp_proxy.pieces import has_bare_line_end as has_bare_line_end  # re-exported

CRLF = b"\r\n"
MAX_REPLY_LINE = 4096          # a reply line longer than this is a broken server
MAX_REPLY_LINES = 100          # lines in one multi-line reply (an EHLO reply has ~15)
MAX_REPLY_BYTES = 64 * 1024    # bytes in one reply, all lines together
CONNECT_TIMEOUT_SECONDS = 15.0
DATA_CHUNK_BYTES = 64 * 1024   # DATA is written in chunks, each must make progress in time
PROGRESS_POLL_SECONDS = 0.5    # how often the final-reply wait looks at the send queue


class UpstreamError(Exception):
    """The upstream server is unreachable, timed out, closed, or spoke garbage."""


@dataclass(frozen=True)
class Reply:
    """One SMTP reply: its code and the raw reply lines (without CRLF)."""

    code: int
    lines: tuple[bytes, ...]

    @property
    def wire(self) -> bytes:
        """The reply as the client should receive it (multi-line joined by CRLF)."""
        return CRLF.join(self.lines)

    @property
    def ok(self) -> bool:
        return 200 <= self.code < 400

    def text(self) -> str:
        """Reply text without the codes, for logs."""
        return " ".join(line[4:].decode("utf-8", "replace") for line in self.lines)


@dataclass
class Capabilities:
    """What the upstream announced in its EHLO reply."""

    keywords: dict[str, str] = field(default_factory=dict)   # upper-case keyword -> params

    @classmethod
    def from_ehlo(cls, reply: Reply) -> Capabilities:
        keywords: dict[str, str] = {}
        for line in reply.lines[1:]:
            keyword, _, params = line[4:].decode("ascii", "replace").strip().partition(" ")
            keywords[keyword.upper()] = params.strip()
        return cls(keywords)

    def has(self, keyword: str) -> bool:
        return keyword.upper() in self.keywords

    @property
    def auth_mechanisms(self) -> set[str]:
        return {m.upper() for m in self.keywords.get("AUTH", "").split()}

    @property
    def size_limit(self) -> int | None:
        """The upstream's SIZE limit; None when it announces none (or 0 = no limit)."""
        value = self.keywords.get("SIZE", "")
        return int(value) if value.isdigit() and int(value) > 0 else None


def buffered_bytes(reader: asyncio.StreamReader) -> int:
    """Bytes received and not read yet (StreamReader has no public accessor)."""
    buffer: bytearray = reader._buffer  # type: ignore[attr-defined]
    return len(buffer)


def socket_send_queue(fileno: int) -> int | None:
    """The kernel's count of unacknowledged bytes on a TCP socket (Linux), else None."""
    try:
        raw = fcntl.ioctl(fileno, termios.TIOCOUTQ, struct.pack("i", 0))
    except (OSError, AttributeError, ValueError):   # another OS, or a closed socket
        return None
    value: int = struct.unpack("i", raw)[0]
    return value


def dot_stuff(content: bytes) -> bytes:
    """Add the transparency dot to every line starting with "." (RFC 5321 4.5.2).

    The exact inverse of what the receiving server undoes, so the bytes arriving
    upstream equal the bytes the client meant. A line is delimited by CRLF, as in
    aiosmtpd's reader.
    """
    stuffed = content.replace(b"\r\n.", b"\r\n..")
    return b"." + stuffed if stuffed.startswith(b".") else stuffed


def data_terminator(content: bytes) -> bytes:
    """The bytes that end DATA: ".\\r\\n", preceded by CRLF if the content lacks one."""
    return b".\r\n" if content.endswith(CRLF) or not content else b"\r\n.\r\n"


def client_tls_context(ca_file: str = "") -> ssl.SSLContext:
    """A verifying client context: system CAs, plus ``ca_file`` for a private CA."""
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


class UpstreamConnection:
    """One connection to the upstream server, used by one client session."""

    def __init__(self, settings: UpstreamSettings, tls_context: ssl.SSLContext | None) -> None:
        self.settings = settings
        self.timeout = settings.timeout_seconds
        self._tls_context = tls_context
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self.capabilities = Capabilities()
        self.greeting: Reply | None = None

    @property
    def connected(self) -> bool:
        return self._writer is not None and not self._writer.is_closing()

    @property
    def reusable(self) -> bool:
        """Connected, not closed by the upstream, and with nothing unread waiting.

        An idle upstream that timed us out has sent a 421 and closed; a new
        transaction then needs a new connection rather than that stale reply.
        """
        reader = self._reader
        return (self.connected and reader is not None and not reader.at_eof()
                and buffered_bytes(reader) == 0)

    async def connect(self, helo_name: str) -> Reply:
        """Connect, read the greeting, EHLO, and STARTTLS when configured.

        Returns the EHLO reply (the greeting if the server refused us with 4xx/5xx).
        A failure drops the connection at once: left to the collector, a half-open one
        kept its socket (and its TLS state) for as long as nobody collected it.
        """
        try:
            return await self._connect(helo_name)
        except UpstreamError:
            self.abort()
            raise

    async def _connect(self, helo_name: str) -> Reply:
        mode = self.settings.tls
        implicit = self._tls_context if mode == "implicit" else None
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT_SECONDS):
                self._reader, self._writer = await asyncio.open_connection(
                    self.settings.host, self.settings.port, ssl=implicit,
                    server_hostname=self.settings.host if implicit else None,
                    limit=MAX_REPLY_LINE * 4)
        except (OSError, TimeoutError, ssl.SSLError) as error:
            raise UpstreamError(f"cannot connect to {self.settings.host}:"
                                f"{self.settings.port}: {describe(error)}") from None
        self.greeting = await self.read_reply()
        if self.greeting.code != 220:
            return self.greeting
        reply = await self.ehlo(helo_name)
        if mode == "starttls":
            if not self.capabilities.has("STARTTLS"):
                raise UpstreamError("upstream does not offer STARTTLS (tls = \"starttls\")")
            await self._start_tls()
            reply = await self.ehlo(helo_name)
        return reply

    async def _start_tls(self) -> None:
        """STARTTLS, refusing any plaintext that came with or after the 220.

        Such bytes can only be an injection by someone on the path (the upstream must
        wait for our TLS handshake), and would be read as the reply to our next command.
        """
        starttls = await self.command(b"STARTTLS")
        if starttls.code != 220:
            raise UpstreamError(f"upstream refused STARTTLS: {starttls.text()}")
        self._refuse_unsolicited("after its 220 to STARTTLS")
        assert self._writer is not None and self._tls_context is not None
        try:
            async with asyncio.timeout(self.timeout):
                await self._writer.start_tls(self._tls_context,
                                             server_hostname=self.settings.host)
        except (OSError, TimeoutError, ssl.SSLError) as error:
            self.abort()
            raise UpstreamError(f"TLS with upstream failed: {describe(error)}") from None
        # start_tls keeps the plaintext buffer: anything that slipped in meanwhile is there.
        self._refuse_unsolicited("during the TLS handshake")

    async def ehlo(self, helo_name: str) -> Reply:
        reply = await self.command(b"EHLO " + helo_name.encode("ascii", "replace"))
        if reply.code == 250:
            self.capabilities = Capabilities.from_ehlo(reply)
        return reply

    async def command(self, line: bytes, timeout: float | None = None) -> Reply:
        """Send one command line and return the upstream's reply.

        We never pipeline, so any byte already waiting is not the reply to this
        command: refusing it keeps every reply paired with its own command.
        """
        if b"\r" in line or b"\n" in line:     # one command must never become two
            raise UpstreamError("refusing to send a command line with CR or LF in it")
        self._refuse_unsolicited("before a command")
        await self.write(line + CRLF)
        return await self.read_reply(timeout)

    def _refuse_unsolicited(self, when: str) -> None:
        """Abort if the upstream sent bytes we did not ask for yet."""
        if self._reader is not None and buffered_bytes(self._reader):
            self.abort()
            raise UpstreamError(f"upstream sent unsolicited bytes {when}")

    async def write(self, data: bytes | memoryview) -> None:
        writer = self._require_writer()
        try:
            writer.write(data)
            async with asyncio.timeout(self.timeout):
                await writer.drain()
        except (OSError, TimeoutError) as error:
            self.abort()
            raise UpstreamError(f"upstream write failed: {describe(error)}") from None

    async def read_reply(self, timeout: float | None = None) -> Reply:
        """Read a (possibly multi-line) reply; raise UpstreamError on close or timeout."""
        try:
            async with asyncio.timeout(timeout or self.timeout):
                return await self._read_reply()
        except TimeoutError:
            self.abort()
            raise UpstreamError("upstream timed out") from None

    async def _read_reply(self) -> Reply:
        """One reply, without a time limit; any failure aborts the connection."""
        reader = self._reader
        if reader is None:
            raise UpstreamError("not connected")
        lines: list[bytes] = []
        size = 0
        try:
            while True:
                raw = await reader.readline()
                if not raw.endswith(b"\n"):
                    raise UpstreamError("upstream closed the connection")
                line = raw.rstrip(b"\r\n")
                if len(line) < 3 or not line[:3].isdigit():
                    raise UpstreamError(f"upstream sent a malformed reply: {line[:80]!r}")
                lines.append(line)
                size += len(raw)
                if len(lines) > MAX_REPLY_LINES or size > MAX_REPLY_BYTES:
                    raise UpstreamError(f"upstream reply too long (over {MAX_REPLY_LINES} "
                                        f"lines or {MAX_REPLY_BYTES} bytes)")
                if len(line) == 3 or line[3:4] != b"-":
                    return Reply(int(line[:3]), tuple(lines))
        except (OSError, ValueError) as error:   # ValueError: line over the reader limit
            self.abort()
            raise UpstreamError(f"upstream read failed: {describe(error)}") from None
        except UpstreamError:
            self.abort()
            raise

    async def send_data(self, content: bytes, final_timeout: float | None = None) -> Reply:
        """DATA, then the dot-stuffed content; returns the 354 refusal or the final reply.

        The timeouts bound progress, not the transfer: a big message on a slow link
        goes through as long as bytes keep leaving.
        """
        if await any_bare_line_end(content):
            # The session refuses these first; this guard keeps a lenient upstream from
            # ever seeing "\n.\r\n" as the end of data, whatever the caller does.
            raise UpstreamError("refusing to relay content with a bare CR or LF")
        start = await self.command(b"DATA")
        if start.code != 354:
            return start
        self._refuse_unsolicited("after its 354 to DATA")
        await self._write_progressively(content)
        return await self._read_final_reply(final_timeout or self.timeout)

    async def _write_progressively(self, content: bytes) -> None:
        """Dot-stuff and write in chunks; each drain (~48 KiB of progress) gets the whole
        timeout. drain() returns at once while the upstream keeps up, so each chunk also
        yields to the loop: a 50 MiB message is not stuffed and encrypted in one turn."""
        for chunk in stuffed_pieces(content, DATA_CHUNK_BYTES):
            await self.write(chunk)
            await asyncio.sleep(0)

    async def _read_final_reply(self, timeout: float) -> Reply:
        """The reply to the end of data, timing out only ``timeout`` after the last progress.

        After the last write, up to a socket buffer of data (megabytes) may still be
        on its way; while that queue shrinks the upstream is still receiving.
        """
        loop = asyncio.get_running_loop()
        reading = asyncio.ensure_future(self._read_reply())
        queued = self._unsent_bytes()
        last_progress = loop.time()
        try:
            while True:
                waited = loop.time() - last_progress
                done, _ = await asyncio.wait(
                    {reading}, timeout=min(PROGRESS_POLL_SECONDS, max(timeout - waited, 0)))
                if done:
                    return reading.result()
                now_queued = self._unsent_bytes()
                if now_queued is not None and queued is not None and now_queued < queued:
                    last_progress = loop.time()
                queued = now_queued
                if loop.time() - last_progress >= timeout:
                    self.abort()
                    raise UpstreamError("upstream timed out")
        finally:
            reading.cancel()

    def _unsent_bytes(self) -> int | None:
        """Bytes written but not yet acknowledged by the upstream (None: unknown)."""
        writer = self._writer
        if writer is None:
            return None
        sock = writer.get_extra_info("socket")     # the TCP socket, also under TLS
        kernel = socket_send_queue(sock.fileno()) if sock is not None else None
        if kernel is None:
            return None
        return kernel + writer.transport.get_write_buffer_size()

    async def quit(self) -> None:
        """Say goodbye politely if possible, then close."""
        if self.connected:
            try:
                await self.command(b"QUIT", timeout=2.0)
            except UpstreamError:
                pass
        self.close()

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()

    def abort(self) -> None:
        """Drop the connection at once (nothing more is sent)."""
        if self._writer is not None:
            transport = self._writer.transport
            transport.abort()

    def _require_writer(self) -> asyncio.StreamWriter:
        if self._writer is None or self._writer.is_closing():
            raise UpstreamError("upstream connection is closed")
        return self._writer


def describe(error: BaseException) -> str:
    """A short, password-free description of a network error for logs and replies."""
    if isinstance(error, TimeoutError):
        return "timed out"
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"certificate verification failed ({error.verify_message})"
    text = getattr(error, "strerror", None) or str(error) or type(error).__name__
    return str(text)
