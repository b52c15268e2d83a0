"""A small asyncio SMTP client for the upstream side of the proxy.

It speaks just what a transparent submission relay needs: greeting, EHLO,
STARTTLS or implicit TLS (certificates always verified), raw commands whose replies
are handed back verbatim, and DATA with dot-stuffing. Every read has a timeout; any
network failure surfaces as :class:`UpstreamError` so the caller can answer 4xx.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass, field

from daemon.settings import UpstreamSettings

CRLF = b"\r\n"
MAX_REPLY_LINE = 4096          # a reply line longer than this is a broken server
CONNECT_TIMEOUT_SECONDS = 15.0


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

    async def connect(self, helo_name: str) -> Reply:
        """Connect, read the greeting, EHLO, and STARTTLS when configured.

        Returns the EHLO reply (the greeting if the server refused us with 4xx/5xx).
        """
        mode = self.settings.tls
        implicit = self._tls_context if mode == "implicit" else None
        try:
            self._reader, self._writer = await asyncio.wait_for(
                asyncio.open_connection(
                    self.settings.host, self.settings.port, ssl=implicit,
                    server_hostname=self.settings.host if implicit else None,
                    limit=MAX_REPLY_LINE * 4),
                CONNECT_TIMEOUT_SECONDS)
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
            starttls = await self.command(b"STARTTLS")
            if starttls.code != 220:
                raise UpstreamError(f"upstream refused STARTTLS: {starttls.text()}")
            assert self._writer is not None and self._tls_context is not None
            try:
                await asyncio.wait_for(
                    self._writer.start_tls(self._tls_context,
                                           server_hostname=self.settings.host),
                    self.timeout)
            except (OSError, TimeoutError, ssl.SSLError) as error:
                raise UpstreamError(f"TLS with upstream failed: {describe(error)}") from None
            reply = await self.ehlo(helo_name)
        return reply

    async def ehlo(self, helo_name: str) -> Reply:
        reply = await self.command(b"EHLO " + helo_name.encode("ascii", "replace"))
        if reply.code == 250:
            self.capabilities = Capabilities.from_ehlo(reply)
        return reply

    async def command(self, line: bytes, timeout: float | None = None) -> Reply:
        """Send one command line and return the upstream's reply."""
        await self.write(line + CRLF)
        return await self.read_reply(timeout)

    async def write(self, data: bytes) -> None:
        writer = self._require_writer()
        try:
            writer.write(data)
            await asyncio.wait_for(writer.drain(), self.timeout)
        except (OSError, TimeoutError) as error:
            self.abort()
            raise UpstreamError(f"upstream write failed: {describe(error)}") from None

    async def read_reply(self, timeout: float | None = None) -> Reply:
        """Read a (possibly multi-line) reply; raise UpstreamError on close or timeout."""
        reader = self._reader
        if reader is None:
            raise UpstreamError("not connected")
        lines: list[bytes] = []
        try:
            async with asyncio.timeout(timeout or self.timeout):
                while True:
                    raw = await reader.readline()
                    if not raw.endswith(b"\n"):
                        raise UpstreamError("upstream closed the connection")
                    line = raw.rstrip(b"\r\n")
                    if len(line) < 3 or not line[:3].isdigit():
                        raise UpstreamError(f"upstream sent a malformed reply: {line[:80]!r}")
                    lines.append(line)
                    if len(line) == 3 or line[3:4] != b"-":
                        return Reply(int(line[:3]), tuple(lines))
        except TimeoutError:
            self.abort()
            raise UpstreamError("upstream timed out") from None
        except (OSError, ValueError) as error:   # ValueError: line over the reader limit
            self.abort()
            raise UpstreamError(f"upstream read failed: {describe(error)}") from None
        except UpstreamError:
            self.abort()
            raise

    async def send_data(self, content: bytes, final_timeout: float | None = None) -> Reply:
        """DATA, then the dot-stuffed content; returns the 354 refusal or the final reply."""
        start = await self.command(b"DATA")
        if start.code != 354:
            return start
        await self.write(dot_stuff(content) + data_terminator(content))
        return await self.read_reply(final_timeout)

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
