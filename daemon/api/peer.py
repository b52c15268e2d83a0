"""Who is on the other end of a loopback TCP connection: the OS user owning its socket.

Any local user can connect to 127.0.0.1. On Linux the kernel lists every TCP socket
with its owner's uid in ``/proc/net/tcp`` (``/proc/net/tcp6`` for IPv6): the client's
socket is the row whose local address is the peer address we see and whose remote
address is our listening address. Used by pairing (``daemon.runtime.pairing``) so that the
token is handed only to the daemon's own user. ``None`` means "cannot tell" (no /proc).

The connection's addresses are kept in context variables set as each request starts
(``remember_addresses``, from the ASGI scope): the endpoint runs in the same task.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
from collections.abc import Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any

Address = tuple[str, int]
PEER: ContextVar[Address | None] = ContextVar("trustmail_api_peer", default=None)
LOCAL: ContextVar[Address | None] = ContextVar("trustmail_api_local", default=None)
PROC_TABLES = (Path("/proc/net/tcp"), Path("/proc/net/tcp6"))


def remember(writer: asyncio.StreamWriter) -> None:
    """Record the peer and local address of a freshly accepted connection."""
    remember_addresses(writer.get_extra_info("peername"), writer.get_extra_info("sockname"))


def remember_addresses(peer: Sequence[Any] | None, local: Sequence[Any] | None) -> None:
    """Record the peer and local address of the current request (ASGI's ``client`` and
    ``server``, or a socket's peername and sockname)."""
    PEER.set((str(peer[0]), int(peer[1])) if peer else None)
    LOCAL.set((str(local[0]), int(local[1])) if local else None)


def proc_address(host: str, port: int) -> str:
    """An address as /proc/net/tcp* writes it: hex of the in-memory bytes, ':' port."""
    ip = ipaddress.ip_address(host)
    packed = ip.packed
    if ip.version == 4:
        text = packed[::-1].hex()          # one little-endian 32-bit word
    else:                                   # four 32-bit words, each little-endian
        text = "".join(packed[i:i + 4][::-1].hex() for i in range(0, 16, 4))
    return f"{text.upper()}:{port:04X}"


def socket_uid(client: Address, server: Address,
               tables: tuple[Path, ...] = PROC_TABLES) -> int | None:
    """The uid owning the client socket ``client`` connected to ``server``, if listed."""
    wanted = {(proc_address(*client), proc_address(*server))}
    mapped = mapped_v4(client, server)
    if mapped:
        wanted.add(mapped)
    for table in tables:
        try:
            lines = table.read_text(encoding="ascii").splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 7 and (fields[1], fields[2]) in wanted:
                return int(fields[7])
    return None


def mapped_v4(client: Address, server: Address) -> tuple[str, str] | None:
    """An IPv4 client seen through an IPv6 socket as ::ffff:a.b.c.d, in IPv4 form."""
    try:
        hosts = [ipaddress.ip_address(client[0]), ipaddress.ip_address(server[0])]
    except ValueError:
        return None
    v4 = [h.ipv4_mapped if isinstance(h, ipaddress.IPv6Address) else None for h in hosts]
    if v4[0] is None or v4[1] is None:
        return None
    return proc_address(str(v4[0]), client[1]), proc_address(str(v4[1]), server[1])


def same_user_as_daemon() -> bool | None:
    """Whether the current request's socket belongs to this process's uid (None: unknown)."""
    client, server = PEER.get(), LOCAL.get()
    if client is None or server is None:
        return None
    uid = socket_uid(client, server)
    return None if uid is None else uid == os.getuid()
