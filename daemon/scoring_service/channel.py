"""The channel between the daemon and one scoring worker: frames over a socket pair.

A frame is an 8-byte big-endian length and then that many bytes of pickle. The daemon
reads and writes its end with asyncio streams (no thread per job); the worker, which
does one thing at a time, uses its end blocking. Both ends are ours, so a frame is
trusted (never unpickle a frame from anybody else).
"""

from __future__ import annotations

import asyncio
import pickle
import socket
import struct
from typing import Any, BinaryIO

HEADER = struct.Struct("!Q")
READ_LIMIT = 1 << 20        # the stream's buffer: reports are ~20 KB, drafts up to ~30 MB


def encode(message: Any) -> bytes:
    """One frame of ``message`` (raises what pickle raises for an unpicklable object)."""
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(payload)) + payload


# -- the daemon's end (asyncio) --------------------------------------------------------

async def open_stream(sock: socket.socket) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection(sock=sock, limit=READ_LIMIT)


async def read(reader: asyncio.StreamReader) -> bytes:
    """The next frame's payload (``decode`` it); ``asyncio.IncompleteReadError`` at end
    of stream. Undecoded, so a payload that fails to unpickle costs one job, not the
    channel."""
    (length,) = HEADER.unpack(await reader.readexactly(HEADER.size))
    return await reader.readexactly(length)


def decode(payload: bytes) -> Any:
    return pickle.loads(payload)


# -- the worker's end (blocking) -------------------------------------------------------

def read_blocking(stream: BinaryIO) -> Any:
    """The next frame's message; ``EOFError`` when the daemon closed its end (or died:
    a daemon killed with unread data in its socket resets the connection)."""
    try:
        header = stream.read(HEADER.size)
    except ConnectionResetError:
        raise EOFError("the daemon's end was reset") from None
    if len(header) < HEADER.size:
        raise EOFError("the daemon closed the channel")
    (length,) = HEADER.unpack(header)
    try:
        payload = stream.read(length)
    except ConnectionResetError:
        raise EOFError("the daemon's end was reset mid-frame") from None
    if len(payload) < length:
        raise EOFError("the daemon closed the channel mid-frame")
    return pickle.loads(payload)


def write_blocking(sock: socket.socket, message: Any) -> None:
    sock.sendall(encode(message))
