"""Frames between the daemon and a scoring worker: length-prefixed pickles."""

from __future__ import annotations

import asyncio
import io
import socket

import pytest

from daemon.scoring_service import channel as worker_channel


async def test_a_frame_written_by_the_worker_is_read_by_the_daemon() -> None:
    ours, theirs = socket.socketpair()
    reader, writer = await worker_channel.open_stream(ours)
    message = ("ok", b"x" * 3_000_000)
    payload, _ = await asyncio.gather(
        worker_channel.read(reader),
        asyncio.to_thread(worker_channel.write_blocking, theirs, message))
    assert worker_channel.decode(payload) == message
    theirs.close()
    with pytest.raises(asyncio.IncompleteReadError):
        await worker_channel.read(reader)
    writer.close()


def test_the_worker_reads_frames_until_the_daemon_closes_its_end() -> None:
    frame = worker_channel.encode((len, ("abc",)))
    stream = io.BytesIO(frame + frame[:-1])
    assert worker_channel.read_blocking(stream) == (len, ("abc",))
    with pytest.raises(EOFError, match="mid-frame"):
        worker_channel.read_blocking(stream)
    with pytest.raises(EOFError):
        worker_channel.read_blocking(io.BytesIO())


def test_a_daemon_killed_with_unread_data_is_a_closed_channel_too() -> None:
    """kill -9 of the daemon while a frame of the worker sits unread resets the
    connection; the worker's reader treats it as the end, not as a crash with a
    traceback in the daemon's log."""
    daemon, worker = socket.socketpair()
    worker.sendall(b"an answer the daemon never read")
    daemon.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    daemon.close()   # linger 0 with unread data: the peer gets a reset
    stream = worker.makefile("rb")
    try:
        with pytest.raises(EOFError):
            worker_channel.read_blocking(stream)
    finally:
        stream.close()
        worker.close()
