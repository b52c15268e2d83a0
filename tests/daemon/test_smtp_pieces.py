"""The piecewise DATA passes give what the whole-message ones give, for any piece size."""

from __future__ import annotations

import asyncio
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from daemon.smtp_proxy.pieces import (
    CHECK_PIECE_BYTES,
    any_bare_line_end,
    has_bare_line_end,
    join,
    split,
    stuffed_pieces,
)
from daemon.smtp_proxy.upstream import data_terminator, dot_stuff

contents = st.lists(st.sampled_from([b"", b".", b"\r\n", b"\r", b"\n", b"x", b".x",
                                     b"\r\n.", b"\r\r\n"]), max_size=40).map(b"".join)


@settings(max_examples=500, deadline=None)
@given(content=contents, size=st.integers(2, 9))
def test_pieces_never_end_between_cr_and_lf(content: bytes, size: int) -> None:
    pieces = list(split(content, size))
    assert b"".join(pieces) == content
    assert all(0 < len(piece) <= size for piece in pieces)
    assert not any(piece.endswith(b"\r") and after.startswith(b"\n")
                   for piece, after in itertools.pairwise(pieces))
    assert any(has_bare_line_end(p) for p in pieces) == has_bare_line_end(content)


@settings(max_examples=500, deadline=None)
@given(content=contents, size=st.integers(2, 9))
def test_stuffed_pieces_are_the_wire_form_with_its_end(content: bytes, size: int) -> None:
    assert b"".join(stuffed_pieces(content, size)) == \
        dot_stuff(content) + data_terminator(content)


def test_a_big_message_is_checked_one_piece_per_loop_turn() -> None:
    clean = b"x" * 62 + b"\r\n"
    content = clean * (3 * CHECK_PIECE_BYTES // len(clean))       # three whole pieces
    bare = content + b"a late\nbare LF\r\n"                        # in a fourth

    async def turns_while_checking(message: bytes) -> tuple[bool, int]:
        turns = 0

        async def count_turns() -> None:
            nonlocal turns
            while True:
                turns += 1
                await asyncio.sleep(0)

        counter = asyncio.ensure_future(count_turns())
        found = await any_bare_line_end(message)
        counter.cancel()
        return found, turns

    assert asyncio.run(turns_while_checking(content)) == (False, 3)
    found, turns = asyncio.run(turns_while_checking(bare))
    assert found and turns == 3


async def test_join_of_one_piece_is_that_piece_and_big_joins_are_exact() -> None:
    piece = b"a" * 10
    assert await join([piece]) is piece
    big = [bytes([n]) * 400_000 for n in range(5)]
    assert await join(big) == b"".join(big)
