"""Whole-message work on DATA in pieces, so that a 50 MiB message never holds the loop.

Every pass over a message (looking for a bare CR or LF, dot-stuffing, joining) costs
20-60 ms per pass at 50 MiB here, and the proxy made half a dozen of them in one loop
turn: SMTP and the API stopped for every client for ~0.5 s (issue 13). Here each pass
works on pieces and yields to the loop between them, and joining goes to a thread,
where ``bytes.join`` releases the GIL (CPython does past 1 MiB). For a message below
one piece (every normal draft) each pass is one call, as before.

A piece never ends inside a CRLF, so a CRLF and a line start are never split between
two pieces, and a per-piece answer is the whole message's answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence

CR = 0x0D
CRLF = b"\r\n"
CHECK_PIECE_BYTES = 1024 * 1024      # per loop turn when looking for a bare line end
JOIN_IN_THREAD_BYTES = 1024 * 1024   # CPython's bytes.join drops the GIL from here on


def has_bare_line_end(content: bytes) -> bool:
    """True if a CR or LF occurs other than as part of CRLF (RFC 5321 2.3.8 forbids it)."""
    pairs = content.count(CRLF)
    return content.count(b"\n") != pairs or content.count(b"\r") != pairs


def split(content: bytes, size: int) -> Iterator[bytes]:
    """``content`` in pieces of at most ``size`` (>= 2) bytes, none ending between the
    CR and LF of a CRLF."""
    start = 0
    total = len(content)
    while start < total:
        end = min(start + size, total)
        if end < total and content[end - 1] == CR:
            end -= 1                       # the CR goes with what follows it
        yield content[start:end]
        start = end


async def any_bare_line_end(content: bytes) -> bool:
    """:func:`has_bare_line_end`, one piece per loop turn."""
    if len(content) <= CHECK_PIECE_BYTES:
        return has_bare_line_end(content)
    for piece in split(content, CHECK_PIECE_BYTES):
        if has_bare_line_end(piece):
            return True
        await asyncio.sleep(0)
    return False


def stuffed_pieces(content: bytes, size: int) -> Iterator[bytes]:
    """The dot-stuffed wire form of ``content`` in pieces, the last one with the end of
    data: joined, they are ``dot_stuff(content) + data_terminator(content)``
    (daemon/smtp_proxy/upstream.py)."""
    at_line_start = True                   # DATA starts at a line start
    stuffed = b""
    for number, piece in enumerate(split(content, size)):
        if number:
            yield stuffed
        stuffed = piece.replace(b"\r\n.", b"\r\n..")
        if at_line_start and piece.startswith(b"."):
            stuffed = b"." + stuffed
        at_line_start = piece.endswith(CRLF)
    yield stuffed + (b".\r\n" if at_line_start else b"\r\n.\r\n")


async def join(pieces: Sequence[bytes]) -> bytes:
    """``b"".join(pieces)``, in a thread when it is big enough to hold the loop."""
    if len(pieces) == 1:
        return pieces[0]
    if sum(len(piece) for piece in pieces) < JOIN_IN_THREAD_BYTES:
        return b"".join(pieces)
    return await asyncio.to_thread(b"".join, pieces)
