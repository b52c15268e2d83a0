"""Latency of ``POST /v1/score`` for a 3 KB draft, 1 to N concurrent clients.

``trustmail run`` (the real daemon: HTTP API on a free loopback port, the real scoring
core in its worker processes, one per CPU) and this client. Each client keeps one
HTTP/1.1 keep-alive connection (as the add-on's fetch does) and sends its requests
back to back.

    .venv/bin/python bench/api_latency.py [--clients 20] [--requests 50]

Kinds of drafts:
- **distinct**: every request is a different 3 KB draft that shares no sentence with
  any other, so every request runs the whole scoring core: the worst case;
- **typing**: each client sends its own draft again and again with only the last
  sentence changed, as the add-on does while somebody types (the scoring core caches
  per-sentence work, so unchanged sentences cost little);
- **repeated**: all clients send the same 3 KB draft, scored once before the timing
  starts (the badge scored it; popup and send gate ask again): answered from the
  API's in-memory report cache.

Two paces:
- **add-on**: each client is an add-on whose user types without pause: it sends at
  most one request per compose tab every MIN_INTERVAL_MS (250 ms, read from
  addon/lib/constants.js), never two at once (addon/lib/schedule.js). The clients
  start at random moments within the first interval (seeded), as people do. This is
  what 20 concurrent add-on clients can send at most, and the load the target is
  judged on;
- **flood**: each client sends its next request the moment the answer arrives, far
  more than an add-on ever sends (20 clients then ask ~1,000 requests/s): the
  daemon's capacity on this machine, and how latency grows past it.

The last row scores the distinct drafts in this process without HTTP (``Scorer``
called directly): the cost of the scoring core itself.

Target (issue 5): p99 <= 20 ms for a 3 KB draft at 20 concurrent clients.

``--load`` measures something else: the API under a burst (issue 14). It opens
LOAD_IDLE connections that never send a byte (any local process can), then LOAD_BURST
connections at once, each sending one token-bearing request and ``Connection: close``.
Every answer is counted by kind (200, 503 with Retry-After, another status, no answer:
the connection was closed or reset, or nothing came within LOAD_WAIT_SECONDS).

Target (issue 14): every token-bearing request answered (200, or 503 with Retry-After)
within 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from smtp_bench_support import free_port, isolated_env, print_table, run_trustmail, summary

REPO = Path(__file__).resolve().parent.parent
TRUSTMAIL = Path(sys.executable).parent / "trustmail"
DRAFT_BYTES = 3000
TARGET_P99_MS = 20.0
WARM_UP_REQUESTS = 5
LOAD_KINDS = ("distinct", "typing", "repeated")
LOAD_IDLE = 200
LOAD_BURST = 1000
LOAD_TARGET_SECONDS = 2.0
LOAD_WAIT_SECONDS = 10.0
# Sentences of a realistic reply; every one carries the draft's number, so two distinct
# drafts share no sentence (nothing the scoring core caches per sentence can help).
SENTENCES = (
    "Hi Anna,\n\nthank you for your message about invoice {n}.",
    "I checked account {n} and I think the difference comes from the renewal fee added in March.",
    "We could maybe refund part of the {n} euros, but I am not sure yet.",
    "I will send you the corrected invoice {n} by Friday, and our billing team will confirm "
    "the new amount in writing.",
    "Your plan {n} costs $49 per user per month plus VAT, billed annually.",
    "The shipment for order {n} has been processed and should arrive on Tuesday.",
    "Someone from our onboarding team will reach out about site {n} soon.",
    "Regarding ticket {n}, the outage was caused by another department.",
    "To be honest, release {n} was just a small glitch on our side.",
    "I'll try to get the signed contract {n} over to you by Wednesday, November 18.",
    "Our engineers believe the fix for case {n} is deployed to all servers.",
    "If you'd like, I can walk your team through dashboard {n} next week.",
    "We can't extend trial {n}, but I can offer you a 20% discount on the first quarter.",
    "Please let me know whether the figures in report {n} match your records.",
)


def draft(number: int, typing_step: int | None = None) -> str:
    """A realistic reply of about 3 KB (3,000 bytes or a little more) of distinct
    sentences; ``number`` makes every sentence unique. With ``typing_step``, only the
    last sentence differs between steps: what the add-on sends while somebody types at
    the end of the same draft."""
    sentences: list[str] = []
    index = 0
    while sum(len(x) + 1 for x in sentences) < DRAFT_BYTES:
        template = SENTENCES[index % len(SENTENCES)]
        sentences.append(template.format(n=f"{number}-{index}"))
        index += 1
    if typing_step is not None:
        sentences[-1] = SENTENCES[3].format(n=f"{number}-typing-{typing_step}")
    return " ".join(sentences)   # not cut: the edited last sentence must stay


def start_daemon() -> tuple[subprocess.Popen[bytes], int, str, Path]:
    """``trustmail run`` in a fresh home; returns the process, API port, token, home."""
    home = Path(tempfile.mkdtemp(prefix="trustmail-api-bench-"))
    api_port = free_port()
    config = home / "bench.toml"
    config.write_text(f'[api]\nlisten = "127.0.0.1:{api_port}"\n\n'
                      f'[smtp]\nlisten = "127.0.0.1:{free_port()}"\n'
                      '[smtp.upstream]\nhost = "127.0.0.1"\nport = 9\ntls = "none"\n')
    process = run_trustmail(home, config, api_port)
    env = isolated_env(home)
    token = subprocess.run([str(TRUSTMAIL), "token"], env=env, capture_output=True, text=True,
                           check=True).stdout.strip()
    return process, api_port, token, home


class Client:
    """One keep-alive HTTP/1.1 connection sending JSON POSTs."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.token = token
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def post(self, path: str, payload: object) -> tuple[int, bytes]:
        assert self.reader is not None and self.writer is not None
        body = json.dumps(payload).encode()
        self.writer.write(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
            f"Authorization: Bearer {self.token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def addon_interval_ms() -> float:
    """The add-on's MIN_INTERVAL_MS: at most one scoring request per tab this often."""
    constants = (REPO / "addon" / "lib" / "constants.js").read_text(encoding="utf-8")
    match = re.search(r"export const MIN_INTERVAL_MS = (\d+);", constants)
    if match is None:
        raise RuntimeError("MIN_INTERVAL_MS not found in addon/lib/constants.js")
    return float(match.group(1))


async def run_load(port: int, token: str, clients: int, requests: int, kind: str,
                   seed: int, interval_ms: float | None = None) -> tuple[list[float], float]:
    """Latencies in ms of ``clients`` x ``requests`` score requests, and the wall time.
    With ``interval_ms``, each client starts at a random moment within the first
    interval and then sends at most one request per interval (the add-on's pace)."""
    latencies: list[float] = []
    connections = [Client(port, token) for _ in range(clients)]
    await asyncio.gather(*(c.connect() for c in connections))
    starts = random.Random(seed)

    async def one_client(index: int, client: Client) -> None:
        next_start = time.perf_counter()
        if interval_ms is not None:
            next_start += starts.uniform(0, interval_ms / 1000)
        for n in range(requests):
            if interval_ms is not None:
                await asyncio.sleep(max(0.0, next_start - time.perf_counter()))
                next_start = max(next_start + interval_ms / 1000, time.perf_counter())
            if kind == "repeated":
                text = draft(seed)
            elif kind == "typing":      # each client types at the end of its own draft
                text = draft(seed + index, typing_step=n)
            else:
                text = draft(seed + index * requests + n)
            started = time.perf_counter()
            status, body = await client.post("/v1/score", {"text": text})
            latencies.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise RuntimeError(f"HTTP {status}: {body[:200]!r}")

    started = time.perf_counter()
    await asyncio.gather(*(one_client(i, c) for i, c in enumerate(connections)))
    wall = time.perf_counter() - started
    for client in connections:
        client.close()
    return latencies, wall


async def main_async(args: argparse.Namespace, port: int, token: str) -> None:
    await run_load(port, token, 1, WARM_UP_REQUESTS, "distinct", 10**6)   # warm-up
    interval = addon_interval_ms()
    rows = []
    seed = 1
    for pace, interval_ms in (("add-on", interval), ("flood", None)):
        for kind in LOAD_KINDS:
            for clients in sorted({1, args.clients}):
                if pace == "add-on" and clients == 1:
                    continue   # one client at the add-on's pace is the flood row's best case
                seed += 10**5
                if kind == "repeated":  # the badge scored this draft; others repeat it
                    await run_load(port, token, 1, 1, kind, seed)
                latencies, wall = await run_load(port, token, clients, args.requests, kind,
                                                 seed, interval_ms)
                stats = summary(latencies)
                judged = clients == args.clients and pace == "add-on"
                rows.append([pace, kind, clients, len(latencies),
                             stats["p50"], stats["p90"], stats["p99"], max(latencies),
                             len(latencies) / wall,
                             ("yes" if stats["p99"] <= TARGET_P99_MS else "NO")
                             if judged else "-"])
    rows += scoring_core_alone(args.requests)
    print_table(f"POST /v1/score, {DRAFT_BYTES}-byte draft, keep-alive connections "
                f"(target p99 <= {TARGET_P99_MS:.0f} ms at {args.clients} clients at the "
                f"add-on's pace, one request per {interval:.0f} ms each)",
                ["pace", "drafts", "clients", "requests", "p50 ms", "p90 ms", "p99 ms",
                 "max ms", "req/s", "target"], rows)


async def one_burst_request(port: int, token: str, method: str, path: str,
                            payload: object | None) -> tuple[str, float]:
    """One request on its own connection: (outcome, seconds until the answer)."""
    body = b"" if payload is None else json.dumps(payload).encode()
    started = time.perf_counter()
    writer = None
    try:
        async with asyncio.timeout(LOAD_WAIT_SECONDS):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(
                f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
            head = await reader.readuntil(b"\r\n\r\n")
    except (OSError, asyncio.IncompleteReadError, TimeoutError):
        return "no answer", time.perf_counter() - started
    finally:
        if writer is not None:
            writer.close()
    elapsed = time.perf_counter() - started
    status = int(head.split(b" ", 2)[1])
    if status == 503:
        return ("503 Retry-After" if b"\r\nretry-after:" in head.lower() else "503 bare"), elapsed
    return str(status), elapsed


async def burst_load(port: int, token: str) -> None:
    """LOAD_IDLE silent connections, then LOAD_BURST token-bearing requests at once."""
    await run_load(port, token, 1, 1, "repeated", 7)      # the cached draft
    idle = []
    for _ in range(LOAD_IDLE):
        try:
            idle.append(await asyncio.open_connection("127.0.0.1", port))
        except OSError:
            break
    cases = (("POST /v1/score, a draft scored before", "POST", "/v1/score",
              {"text": draft(7)}),
             ("POST /v1/score, distinct drafts", "POST", "/v1/score", None),
             ("GET /v1/health with the token", "GET", "/v1/health", None))
    rows = []
    for number, (label, method, path, payload) in enumerate(cases):
        payloads = [payload if payload is not None or method == "GET"
                    else {"text": draft(10**7 + number * LOAD_BURST + i)}
                    for i in range(LOAD_BURST)]
        results = await asyncio.gather(*(one_burst_request(port, token, method, path, p)
                                         for p in payloads))
        outcomes: dict[str, int] = {}
        for outcome, _ in results:
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        answered = [s * 1000 for outcome, s in results
                    if outcome in ("200", "503 Retry-After")]
        in_time = sum(1 for ms in answered if ms <= LOAD_TARGET_SECONDS * 1000)
        stats = summary(answered) if answered else {"p50": 0.0, "p99": 0.0}
        rows.append([label, LOAD_BURST, outcomes.get("200", 0),
                     outcomes.get("503 Retry-After", 0),
                     sum(n for o, n in outcomes.items() if o not in ("200", "503 Retry-After",
                                                                    "no answer")),
                     outcomes.get("no answer", 0), stats["p50"], stats["p99"],
                     max(answered, default=0.0), in_time,
                     "yes" if in_time == LOAD_BURST else "NO"])
    idle_open = sum(1 for reader, _ in idle if not reader.at_eof())
    for _, writer in idle:
        writer.close()
    print_table(f"{LOAD_BURST} concurrent requests (one connection each) beside "
                f"{len(idle)} idle connections ({idle_open} still open after the bursts); "
                f"target: all answered 200 or 503+Retry-After within {LOAD_TARGET_SECONDS:.0f} s",
                ["requests", "sent", "200", "503+Retry-After", "other status", "no answer",
                 "p50 ms", "p99 ms", "max ms", f"<= {LOAD_TARGET_SECONDS:.0f} s", "target"],
                rows)


def scoring_core_alone(requests: int) -> list[list[object]]:
    """The same distinct drafts scored in this process, no HTTP: what the API adds."""
    from daemon.config.load import load_config
    from scoring import Scorer

    scorer = Scorer(load_config().scoring)
    now = datetime.now(UTC)
    scorer.score_text(draft(0), now=now)
    timings = []
    for number in range(1, requests + 1):
        started = time.perf_counter()
        scorer.score_text(draft(number), now=now)
        timings.append((time.perf_counter() - started) * 1000)
    stats = summary(timings)
    return [["in-process", "core only", 1, len(timings), stats["p50"], stats["p90"],
             stats["p99"], max(timings), len(timings) / (sum(timings) / 1000), "-"]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=50, help="per client")
    parser.add_argument("--load", action="store_true",
                        help=f"the burst instead: {LOAD_BURST} requests beside {LOAD_IDLE} "
                             "idle connections (issue 14)")
    args = parser.parse_args()
    process, port, token, home = start_daemon()
    try:
        asyncio.run(burst_load(port, token) if args.load else main_async(args, port, token))
    finally:
        process.terminate()
        process.wait(30)
        shutil.rmtree(home, ignore_errors=True)
    print(f"\n{os.cpu_count()} CPUs, shared by the daemon's API process, its scoring "
          "workers and this client.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
