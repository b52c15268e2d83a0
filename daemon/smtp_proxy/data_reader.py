"""Reading a message's DATA quickly and exactly, piece by piece as it arrives.

aiosmtpd reads DATA with one Python loop turn per line (~30 ms per MB here). This
reader searches the stream for ".\\r\\n" and only checks whether each hit starts a
line, so a 1 MB message costs a few dozen searches. It does not enforce the 1000-octet
line limit: the upstream decides that, as it would for a direct send.

The stream holds at most about 2 x :data:`READ_LIMIT` bytes, and what is read is checked
for bare CR or LF and unstuffed in pieces as it comes: no step passes over the whole
message in one loop turn (at 50 MiB those passes held the loop ~0.5 s, issue 13).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from daemon.smtp_proxy.pieces import has_bare_line_end, join

DOT_LINE = b".\r\n"
CRLF = b"\r\n"
READ_LIMIT = 128 * 1024      # the stream's limit during DATA (it pauses reading at 2x)
PIECE_BYTES = 64 * 1024      # checked and unstuffed at once


@dataclass
class Unstuffer:
    """Drops the transparency dot of every line that starts with "." (RFC 5321 4.5.2),
    and notes a CR or LF that is not part of a CRLF (2.3.8), one piece at a time.

    A trailing CR or CRLF waits for the next piece, so neither a CRLF nor a line start
    is split between pieces. The data is read as if a CRLF came before it (DATA starts
    at a line start); that CRLF is dropped from the content.
    """

    pieces: list[bytes] = field(default_factory=list)     # the content so far
    bare_line_end: bool = False
    pending: bytearray = field(default_factory=lambda: bytearray(CRLF))
    skip: int = len(CRLF)

    def feed(self, chunk: bytes) -> None:
        view = memoryview(chunk)
        for start in range(0, len(view), PIECE_BYTES):    # once, unless a lot was buffered
            self.pending += view[start:start + PIECE_BYTES]
            if len(self.pending) >= PIECE_BYTES:
                self._flush(final=False)

    def finish(self) -> list[bytes]:
        """The content's pieces (after the last chunk)."""
        self._flush(final=True)
        return self.pieces

    def _flush(self, final: bool) -> None:
        data = bytes(self.pending)
        keep = 0 if final else 2 if data.endswith(CRLF) else 1 if data.endswith(b"\r") else 0
        ready = data[:len(data) - keep]
        self.pending = bytearray(data[len(data) - keep:])
        self.bare_line_end = self.bare_line_end or has_bare_line_end(ready)
        content = ready.replace(b"\r\n.", b"\r\n")
        if self.skip:          # the CRLF put before the data: always the first bytes
            cut = min(self.skip, len(content))
            content, self.skip = content[cut:], self.skip - cut
        if content:
            self.pieces.append(content)


@dataclass(frozen=True)
class ReceivedData:
    """A message's DATA as received: unstuffed, in pieces."""

    pieces: list[bytes]
    size: int                # bytes on the wire, dot-stuffed
    bare_line_end: bool      # a CR or LF outside a CRLF: refused (SMTP smuggling)

    async def content(self) -> bytes:
        """The content as one bytes (joined off the loop when it is big)."""
        return await join(self.pieces) if self.pieces else b""


async def read_data(reader: asyncio.StreamReader, size_limit: int) -> ReceivedData | None:
    """The DATA up to the CRLF before the final "." line (that CRLF included).

    Returns None if it exceeds ``size_limit`` (everything up to the end is still read,
    so the session can go on with a 552). EOF before the end raises ConnectionResetError.
    """
    saved_limit = reader._limit  # type: ignore[attr-defined]  # no public setter
    reader._limit = READ_LIMIT  # type: ignore[attr-defined]
    unstuffer = Unstuffer()
    size = 0
    tail = CRLF                          # the last two bytes read; DATA starts a line
    try:
        while True:
            try:
                chunk = await reader.readuntil(DOT_LINE)
            except asyncio.LimitOverrunError as error:     # no ".\r\n" soon: take a part
                chunk = await reader.readexactly(error.consumed)
            else:
                before_dot = chunk[: -len(DOT_LINE)]
                if (tail + before_dot[-2:])[-2:] == CRLF:   # "." alone on a line: the end
                    size += len(before_dot)
                    if size > size_limit:
                        return None
                    unstuffer.feed(before_dot)
                    return ReceivedData(unstuffer.finish(), size, unstuffer.bare_line_end)
            size += len(chunk)
            tail = (tail + chunk[-2:])[-2:]
            if size <= size_limit:
                unstuffer.feed(chunk)
            elif unstuffer.pieces:
                unstuffer = Unstuffer()         # too big: let go of what was kept
    except asyncio.IncompleteReadError:
        raise ConnectionResetError("client closed the connection during DATA") from None
    finally:
        reader._limit = saved_limit  # type: ignore[attr-defined]
