"""The fast DATA reader finds the end of the data exactly where a line-by-line reader
does, whatever the chunking, and unstuffs like aiosmtpd."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daemon.smtp_proxy.data_reader import read_data, unstuff
from daemon.smtp_proxy.upstream import dot_stuff


def line_by_line_unstuff(wire: bytes) -> bytes:
    """The reference: aiosmtpd's rule, one CRLF-terminated line at a time."""
    lines = wire.split(b"\r\n")
    return b"\r\n".join(line[1:] if line.startswith(b".") else line for line in lines)


async def feed_and_read(stream: bytes, chunks: list[int], limit: int = 10**6) -> tuple[
        bytes | None, bytes]:
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
    assert data == wire
    assert unstuff(wire) == line_by_line_unstuff(wire) == content
    assert rest == b"QUIT\r\n"                 # a pipelined command is left for the server


async def test_empty_message() -> None:
    assert await feed_and_read(b".\r\nNOOP\r\n", [1]) == (b"", b"NOOP\r\n")


async def test_too_big_is_read_to_the_end_and_reported() -> None:
    wire = b"y" * 5000 + b"\r\n" + b"z" * 5000 + b"\r\n"
    assert await feed_and_read(wire + b".\r\nRSET\r\n", [700] * 20, limit=4000) == \
        (None, b"RSET\r\n")


async def test_eof_before_the_end_is_a_reset() -> None:
    with pytest.raises(ConnectionResetError):
        await feed_and_read(b"half a message\r\n", [5])
