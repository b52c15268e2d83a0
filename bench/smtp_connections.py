"""What idle client connections cost the daemon, with ``[smtp] max_connections`` at its
default and without a cap (a very large one), side by side.

Each round starts a fresh ``trustmail run`` (a daemon's RSS high-water mark never comes
down, so rounds do not share one), reads its RSS, opens ``--connections`` connections
that then sit idle, reads the RSS again, and closes them. Two kinds of idle session:

- ``greeted``: connect and read the greeting (220 or the cap's 421), nothing more;
- ``STARTTLS``: a mail client's start (EHLO, which opens the upstream side, STARTTLS,
  the handshake, EHLO again), then silence.

A connection over the cap hears ``421 4.7.0`` and the proxy closes it; the client closes
its end too, as a mail client does. Medians over ``--rounds`` rounds.

    .venv/bin/python bench/smtp_connections.py [--connections 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import ssl
import statistics
import time
from dataclasses import dataclass

from smtp_bench_support import (
    Endpoint,
    print_table,
    rss_mib,
    start_daemon,
    start_upstream,
    tls_context,
)

from daemon.config.sections import SmtpSettings

DEFAULT_CAP = SmtpSettings().max_connections
NO_CAP = 1_000_000
OPENING_AT_ONCE = 50          # connects in flight together (a burst, not a SYN flood)
REPLY_SECONDS = 120.0
SETTLE_SECONDS = 1.0          # let the daemon finish what the last connects started
KIB_PER_MIB = 1024
MODES = ("greeted", "STARTTLS")


@dataclass
class Round:
    cap: int
    mode: str
    greeted: int
    refused: int
    before_mib: float
    open_mib: float
    peak_mib: float

    @property
    def grown_mib(self) -> float:
        return self.open_mib - self.before_mib

    @property
    def kib_per_session(self) -> float:
        return self.grown_mib * KIB_PER_MIB / self.greeted if self.greeted else 0.0


class Session:
    """One client connection, held open until :meth:`close`."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def line(self) -> bytes:
        return await asyncio.wait_for(self.reader.readline(), REPLY_SECONDS)

    async def command(self, text: bytes) -> bytes:
        self.writer.write(text + b"\r\n")
        reply = await self.line()
        while reply[3:4] == b"-":
            reply = await self.line()
        return reply

    async def starttls(self, context: ssl.SSLContext) -> None:
        for step in (b"EHLO bench.client", b"STARTTLS"):
            reply = await self.command(step)
            if reply[:1] != b"2":
                raise RuntimeError(f"{step.decode()} refused: {reply!r}")
        await self.writer.start_tls(context, server_hostname="localhost")
        await self.command(b"EHLO bench.client")

    def close(self) -> None:
        self.writer.close()


async def open_one(proxy: Endpoint, mode: str, context: ssl.SSLContext) -> Session | None:
    """A greeted session left idle, or None when the proxy refused it (421)."""
    reader, writer = await asyncio.open_connection(proxy.host, proxy.port)
    session = Session(reader, writer)
    greeting = await session.line()
    if not greeting.startswith(b"220"):
        session.close()
        if not greeting.startswith(b"421"):
            raise RuntimeError(f"unexpected greeting {greeting!r}")
        return None
    if mode == "STARTTLS":
        await session.starttls(context)
    return session


async def open_many(proxy: Endpoint, mode: str, count: int) -> list[Session | None]:
    context = tls_context(proxy.ca_file)
    gate = asyncio.Semaphore(OPENING_AT_ONCE)

    async def gated() -> Session | None:
        async with gate:
            return await open_one(proxy, mode, context)

    return await asyncio.gather(*(gated() for _ in range(count)))


async def measure(upstream: Endpoint, cap: int, mode: str, count: int) -> Round:
    daemon, proxy = start_daemon(upstream, f"max_connections = {cap}")
    try:
        warm = await open_one(proxy, mode, tls_context(proxy.ca_file))   # first-use costs
        assert warm is not None
        time.sleep(SETTLE_SECONDS)
        before, _ = rss_mib(daemon.pid)
        sessions = await open_many(proxy, mode, count)
        time.sleep(SETTLE_SECONDS)
        open_rss, peak = rss_mib(daemon.pid)
        held = [session for session in sessions if session is not None]
        for session in [warm, *held]:
            session.close()
        return Round(cap, mode, len(held), count - len(held), before, open_rss, peak)
    finally:
        daemon.terminate()
        daemon.wait(60)


def median(rounds: list[Round], value: str) -> float:
    return statistics.median(float(getattr(r, value)) for r in rounds)


async def run(args: argparse.Namespace) -> None:
    upstream_process, upstream = start_upstream()
    results: dict[tuple[int, str], list[Round]] = {}
    try:
        for _ in range(args.rounds):
            for mode in MODES:
                for cap in (DEFAULT_CAP, NO_CAP):
                    result = await measure(upstream, cap, mode, args.connections)
                    results.setdefault((cap, mode), []).append(result)
    finally:
        upstream_process.terminate()
        upstream_process.wait(30)
    rows: list[list[object]] = []
    for mode in MODES:
        for cap in (DEFAULT_CAP, NO_CAP):
            rounds = results[(cap, mode)]
            rows.append([mode, f"{cap:,}" if cap != NO_CAP else "none (1,000,000)",
                         f"{median(rounds, 'greeted'):.0f} + 1",
                         f"{median(rounds, 'refused'):.0f}",
                         median(rounds, "before_mib"), median(rounds, "open_mib"),
                         median(rounds, "grown_mib"), median(rounds, "peak_mib"),
                         median(rounds, "kib_per_session")])
    print_table(f"Daemon main-process RSS (MiB) with {args.connections:,} connections opened "
                f"and left idle (+ 1 warm-up session), median of {args.rounds} rounds",
                ["session", "max_connections", "greeted 220", "refused 421", "before",
                 "all open", "grown", "peak", "KiB per greeted"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
