"""Reading a message's DATA quickly and exactly.

aiosmtpd reads DATA with one Python loop turn per line (~30 ms per MB here). This
reader searches the stream for ".\\r\\n" and only checks whether each hit starts a
line, so a 1 MB message costs a few dozen searches. It does not enforce the 1000-octet
line limit: the upstream decides that, as it would for a direct send.
"""

from __future__ import annotations

import asyncio

DOT_LINE = b".\r\n"
CRLF = b"\r\n"
READ_SLACK = 64 * 1024       # stream limit above the size limit, for the last search


def unstuff(wire: bytes) -> bytes:
    """Drop the transparency dot of every line that starts with "." (RFC 5321 4.5.2).

    The same rule aiosmtpd and other servers apply; ``dot_stuff`` is its inverse for a
    correctly stuffed message.
    """
    content = wire.replace(b"\r\n.", b"\r\n")
    return content[1:] if content.startswith(b".") else content


async def read_data(reader: asyncio.StreamReader, size_limit: int) -> bytes | None:
    """The DATA bytes as sent (dot-stuffed), up to the CRLF before the final "." line.

    Returns None if they exceed ``size_limit`` (everything up to the end is still read,
    so the session can go on with a 552). EOF before the end raises ConnectionResetError.
    """
    saved_limit = reader._limit  # type: ignore[attr-defined]  # no public setter
    reader._limit = size_limit + READ_SLACK  # type: ignore[attr-defined]
    data = bytearray()
    size = 0
    tail = CRLF                          # DATA starts at a line start
    try:
        while True:
            try:
                chunk = await reader.readuntil(DOT_LINE)
            except asyncio.LimitOverrunError as error:     # no ".\r\n" soon: take a part
                chunk = await reader.readexactly(error.consumed)
                size += len(chunk)
                tail = (tail + chunk)[-2:]
                if size <= size_limit:
                    data += chunk
                continue
            before_dot = chunk[: -len(DOT_LINE)]
            if (tail + before_dot)[-2:] == CRLF:           # "." alone on a line: the end
                size += len(before_dot)
                if size > size_limit:
                    return None
                data += before_dot
                return bytes(data)
            size += len(chunk)
            tail = CRLF
            if size <= size_limit:
                data += chunk
    except asyncio.IncompleteReadError:
        raise ConnectionResetError("client closed the connection during DATA") from None
    finally:
        reader._limit = saved_limit  # type: ignore[attr-defined]
