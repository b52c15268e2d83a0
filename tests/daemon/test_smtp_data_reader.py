"""The fast DATA reader finds the end of the data exactly where a line-by-line reader
does, whatever the chunking, unstuffs like aiosmtpd and notes a bare CR or LF, all in
pieces as the bytes arrive."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daemon.smtp_proxy.data_reader import PIECE_BYTES, READ_LIMIT, ReceivedData, read_data
from daemon.smtp_proxy.pieces import has_bare_line_end
from daemon.smtp_proxy.upstream import dot_stuff


def line_by_line_unstuff(wire: bytes) -> bytes:
    """The reference: aiosmtpd's rule, one CRLF-terminated line at a time."""
    lines = wire.split(b"\r\n")
    return b"\r\n".join(line[1:] if line.startswith(b".") else line for line in lines)


async def feed_and_read(stream: bytes, chunks: list[int], limit: int = 10**6) -> tuple[
        ReceivedData | None, bytes]:
    """Feed ``stream`` in pieces of the given sizes; return the data and what is left."""
    reader = asyncio.StreamReader(limit=1001)
    position = 0
    for size in chunks:
        reader.feed_data(stream[position:position + size])
        position += size
    reader.feed_data(stream[position:])
    reader.feed_eof()
    data = await read_data(reader, limit)
    return data, await reader.read()


lines = st.lists(st.sampled_from([b"", b".", b"..", b".x", b"x.", b"a\nb", b"\r", b"text",
                                  b". ", b"x" * 1200]), max_size=30)


@settings(max_examples=300, deadline=None)
@given(lines=lines, chunks=st.lists(st.integers(1, 40), max_size=20))
def test_end_of_data_and_unstuffing_match_a_line_by_line_reader(
        lines: list[bytes], chunks: list[int]) -> None:
    content = b"".join(line + b"\r\n" for line in lines)
    wire = dot_stuff(content)
    data, rest = asyncio.run(feed_and_read(wire + b".\r\nQUIT\r\n", chunks))
    assert data is not None
    assert asyncio.run(data.content()) == line_by_line_unstuff(wire) == content
    assert data.size == len(wire)
    assert data.bare_line_end == has_bare_line_end(wire)
    assert rest == b"QUIT\r\n"                 # a pipelined command is left for the server


# Lines long enough that pieces (64 KiB) end inside a CRLF or just before a "." line.
LONG_LINES = {"dot": b".", "stuffed": b"..x", "piece-1": b"a" * (PIECE_BYTES - 1),
              "piece-2": b"b" * (PIECE_BYTES - 2), "piece-3": b"d" * (PIECE_BYTES - 3),
              "over the limit": b"c" * (READ_LIMIT + 1), "bare CR": b"bare\rcr",
              "bare LF": b"bare\nlf"}


@settings(max_examples=60, deadline=None)
@given(names=st.lists(st.sampled_from(sorted(LONG_LINES)), max_size=8),
       chunk=st.integers(1000, 200_000))
def test_big_messages_are_unstuffed_and_checked_across_pieces(
        names: list[str], chunk: int) -> None:
    content = b"".join(LONG_LINES[name] + b"\r\n" for name in names)
    wire = dot_stuff(content)
    stream = wire + b".\r\nQUIT\r\n"
    data, rest = asyncio.run(feed_and_read(stream, [chunk] * (len(stream) // chunk)))
    assert data is not None and rest == b"QUIT\r\n"
    assert data.bare_line_end == has_bare_line_end(wire)
    assert asyncio.run(data.content()) == line_by_line_unstuff(wire)
    # however much was buffered (here: all of it), pieces stay small
    assert all(len(piece) < 2 * PIECE_BYTES for piece in data.pieces)


async def test_a_bare_lf_is_noted_and_the_content_still_ends_where_it_should() -> None:
    data, rest = await feed_and_read(b"Subject: x\r\n\r\none\ntwo\r\n.\r\nRSET\r\n", [7])
    assert data is not None and data.bare_line_end and rest == b"RSET\r\n"


async def test_empty_message() -> None:
    data, rest = await feed_and_read(b".\r\nNOOP\r\n", [1])
    assert data is not None and await data.content() == b"" and data.size == 0
    assert rest == b"NOOP\r\n"


async def test_too_big_is_read_to_the_end_and_reported() -> None:
    wire = b"y" * 5000 + b"\r\n" + b"z" * 5000 + b"\r\n"
    assert await feed_and_read(wire + b".\r\nRSET\r\n", [700] * 20, limit=4000) == \
        (None, b"RSET\r\n")


async def test_eof_before_the_end_is_a_reset() -> None:
    with pytest.raises(ConnectionResetError):
        await feed_and_read(b"half a message\r\n", [5])
