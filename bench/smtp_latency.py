"""Added latency and throughput of the SMTP proxy against sending straight to the upstream.

Three processes: the test upstream (aiosmtpd, STARTTLS + AUTH), ``trustmail run`` (real
scoring core, STARTTLS + AUTH pass-through to the upstream), and this client. Every
send is a real SMTP transaction with verified STARTTLS and AUTH PLAIN.

    .venv/bin/python bench/smtp_latency.py [--count 300] [--big-count 40]
        [--clients 20] [--messages 1000] [--policy observe]

Tables:
1. per-transaction latency (MAIL..DATA reply on an open session), direct vs proxy,
   for a 5 KB text email and a 1 MB email with an attachment; "added" = proxy - direct;
2. per-session latency (connect, STARTTLS, AUTH, one send, QUIT);
3. throughput with N concurrent clients (one session per message, and one session
   per client), and the daemon's memory.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import time
from collections.abc import Callable

from smtp_bench_support import (
    Endpoint,
    attachment_message,
    memory_rows,
    open_session,
    print_table,
    send,
    start_daemon,
    start_upstream,
    summary,
    text_message,
)

WARM_UP_SENDS = 10
SMALL = 5 * 1024
BIG = 1024 * 1024


async def transaction_latencies(endpoints: list[Endpoint], make: Callable[[int], bytes],
                                count: int) -> dict[str, list[float]]:
    """Alternate the endpoints send by send, each on its own open session."""
    sessions = {e.name: await open_session(e) for e in endpoints}
    times: dict[str, list[float]] = {e.name: [] for e in endpoints}
    for seq in range(count + WARM_UP_SENDS):
        for endpoint in endpoints:
            raw = make(seq)
            started = time.perf_counter()
            reply = await send(sessions[endpoint.name], raw)
            elapsed = (time.perf_counter() - started) * 1000
            if reply.code != 250:
                raise RuntimeError(f"{endpoint.name}: {reply.text()}")
            if seq >= WARM_UP_SENDS:
                times[endpoint.name].append(elapsed)
    for session in sessions.values():
        await session.quit()
    return times


async def session_latencies(endpoints: list[Endpoint], make: Callable[[int], bytes],
                            count: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {e.name: [] for e in endpoints}
    for seq in range(count + WARM_UP_SENDS):
        for endpoint in endpoints:
            started = time.perf_counter()
            session = await open_session(endpoint)
            reply = await send(session, make(seq))
            await session.quit()
            elapsed = (time.perf_counter() - started) * 1000
            if reply.code != 250:
                raise RuntimeError(f"{endpoint.name}: {reply.text()}")
            if seq >= WARM_UP_SENDS:
                times[endpoint.name].append(elapsed)
    return times


async def throughput(endpoint: Endpoint, clients: int, messages: int,
                     session_per_message: bool) -> tuple[float, int]:
    """Messages per second with ``clients`` concurrent senders; returns (rate, failures)."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for seq in range(messages):
        queue.put_nowait(seq)
    failures = 0

    async def client() -> None:
        nonlocal failures
        session = None if session_per_message else await open_session(endpoint)
        while not queue.empty():
            seq = queue.get_nowait()
            current = session or await open_session(endpoint)
            reply = await send(current, text_message(SMALL, seq))
            failures += reply.code != 250
            if session is None:
                await current.quit()
        if session is not None:
            await session.quit()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return messages / (time.perf_counter() - started), failures


def latency_rows(label: str, times: dict[str, list[float]]) -> list[list[object]]:
    direct, proxy = summary(times["direct"]), summary(times["proxy"])
    return [[label, len(times["direct"]), direct["p50"], proxy["p50"],
             proxy["p50"] - direct["p50"], direct["p99"], proxy["p99"],
             proxy["p99"] - direct["p99"]]]


async def run(args: argparse.Namespace) -> None:
    upstream_process, direct = start_upstream()
    daemon, proxy = start_daemon(direct, f'policy = "{args.policy}"')
    try:
        endpoints = [direct, proxy]
        print(f"policy {args.policy}; {os.cpu_count()} CPUs; load average "
              f"{os.getloadavg()[0]:.2f} at start (other work on the machine skews "
              f"the numbers); upstream pid {upstream_process.pid}, daemon pid {daemon.pid}")
        headers = ["message", "n", "direct p50", "proxy p50", "added p50",
                   "direct p99", "proxy p99", "added p99"]
        rows = latency_rows("5 KB text", await transaction_latencies(
            endpoints, lambda s: text_message(SMALL, s), args.count))
        rows += latency_rows("1 MB attachment", await transaction_latencies(
            endpoints, lambda s: attachment_message(BIG, s), args.big_count))
        print_table("Per transaction, ms (MAIL FROM .. DATA reply, open session)", headers, rows)
        rows = latency_rows("5 KB text", await session_latencies(
            endpoints, lambda s: text_message(SMALL, s), args.count // 2))
        print_table("Per session, ms (connect, STARTTLS, AUTH, one send, QUIT)", headers, rows)
        rows = []
        for per_message in (True, False):
            for endpoint in endpoints:
                rate, failures = await throughput(endpoint, args.clients, args.messages,
                                                  per_message)
                rows.append([endpoint.name, "new session per message" if per_message
                             else "one session per client", args.clients, args.messages,
                             rate, failures])
        print_table(f"Throughput, 5 KB messages, {args.clients} concurrent clients",
                    ["target", "sessions", "clients", "messages", "msg/s", "failed"], rows)
        print_table("Daemon memory after the runs above", ["process", "RSS MiB",
                                                           "peak RSS MiB"],
                    memory_rows(daemon.pid))
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(60)
        upstream_process.terminate()
        upstream_process.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=300, help="5 KB sends per target")
    parser.add_argument("--big-count", type=int, default=40, help="1 MB sends per target")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--messages", type=int, default=1000,
                        help="messages per throughput run")
    parser.add_argument("--policy", default="observe", choices=("observe", "warn", "hold"))
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
