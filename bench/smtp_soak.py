"""Soak the SMTP proxy: many sends with random upstream faults, then check delivery.

A real ``trustmail run`` relays to the test upstream (aiosmtpd, STARTTLS + AUTH) which
injects a fault into a random share of the messages (refused recipients, refused or
temporarily failed data, dropped connections, slow and silent replies) and goes down
now and then. Concurrent clients send over verified STARTTLS with AUTH PLAIN.

The checks, per message the client sent:
- every message the client saw accepted (250 after DATA) arrived upstream exactly once;
- no message the client saw refused arrived upstream.

    .venv/bin/python bench/smtp_soak.py [--sends 10000] [--clients 20] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import sqlite3
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from smtp_bench_support import (
    REPO,
    Endpoint,
    memory_rows,
    open_session,
    print_table,
    send,
    start_daemon,
    text_message,
)

sys.path.insert(0, str(REPO / "tests"))
from support.smtp_upstream import SmtpUpstream  # noqa: E402

from daemon.smtp_proxy.upstream import UpstreamConnection, UpstreamError  # noqa: E402

MESSAGE_BYTES = 5 * 1024
SENDS_PER_SESSION = 10
UPSTREAM_TIMEOUT_SECONDS = 1.0        # "hang" faults turn into 4xx after this
OUTAGE_EVERY_SECONDS = 8.0
OUTAGE_SECONDS = 0.5
SEQ_HEADER = re.compile(rb"^X-Bench-Seq: (\d+)\r$", re.MULTILINE)

# fault name -> share of the sends (the rest are clean)
FAULTS = {
    "refuse-rcpt": 0.04,       # the only recipient is refused (550 at RCPT)
    "refuse-one-rcpt": 0.04,   # one of two recipients refused; the other gets it
    "reject-data": 0.04,       # 554 after the data
    "tempfail-data": 0.04,     # 451 after the data
    "drop": 0.03,              # upstream closes after the data without replying
    "delay": 0.06,             # upstream answers 250 after 0.05-0.5 s
    "hang": 0.02,              # upstream never answers the data
}
GOOD = "maria@customer.example"
REFUSED = "refuse-x@customer.example"


@dataclass
class Send:
    seq: int
    fault: str
    outcome: str = ""          # accepted | refused | no-reply
    reply: int = 0


def choose_fault(rng: random.Random) -> str:
    roll = rng.random()
    for name, share in FAULTS.items():
        if roll < share:
            return name
        roll -= share
    return "none"


def build(send_: Send, rng: random.Random) -> tuple[bytes, tuple[str, ...]]:
    header = ""
    rcpts: tuple[str, ...] = (GOOD,)
    if send_.fault == "refuse-rcpt":
        rcpts = (REFUSED,)
    elif send_.fault == "refuse-one-rcpt":
        rcpts = (REFUSED, GOOD)
    elif send_.fault == "delay":
        header = f"X-Upstream-Fault: delay={rng.uniform(0.05, 0.5):.2f}\r\n"
    elif send_.fault != "none":
        header = f"X-Upstream-Fault: {send_.fault}\r\n"
    return text_message(MESSAGE_BYTES, send_.seq, header), rcpts


async def client(proxy: Endpoint, queue: asyncio.Queue[Send], rng: random.Random,
                 done: list[Send]) -> None:
    session: UpstreamConnection | None = None
    sent_in_session = 0
    while not queue.empty():
        item = queue.get_nowait()
        raw, rcpts = build(item, rng)
        try:
            if session is None:
                session, sent_in_session = await open_session(proxy, timeout=30), 0
            reply = await send(session, raw, rcpts)
            item.reply = reply.code
            item.outcome = "accepted" if reply.code == 250 else "refused"
        except RuntimeError:              # EHLO/AUTH refused (upstream down): not sent
            item.outcome, session = "refused", None
        except UpstreamError:             # the proxy connection broke before a reply
            item.outcome = "no-reply"
            if session is not None:
                session.abort()
            session = None
        done.append(item)
        sent_in_session += 1
        if session is not None and (item.outcome != "accepted"
                                    or sent_in_session >= SENDS_PER_SESSION):
            await session.quit()
            session = None
    if session is not None:
        await session.quit()


async def outages(upstream: SmtpUpstream, stop: asyncio.Event, count: list[int]) -> None:
    """Take the upstream down for a moment, again and again."""
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), OUTAGE_EVERY_SECONDS)
            return
        except TimeoutError:
            pass
        await asyncio.to_thread(upstream.go_down)
        count[0] += 1
        await asyncio.sleep(OUTAGE_SECONDS)
        await asyncio.to_thread(upstream.listen)


async def run(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    upstream = SmtpUpstream.start()
    upstream.keep_data = False
    daemon, proxy = start_daemon(
        Endpoint("direct", upstream.host, upstream.port, str(upstream.ca_file),
                 upstream.user, upstream.password),
        timeout_seconds=UPSTREAM_TIMEOUT_SECONDS)
    store_file = Path(proxy.ca_file).parents[1] / "trustmail.sqlite3"
    sends = [Send(seq, choose_fault(rng)) for seq in range(args.sends)]
    queue: asyncio.Queue[Send] = asyncio.Queue()
    for item in sends:
        queue.put_nowait(item)
    done: list[Send] = []
    stop, outage_count = asyncio.Event(), [0]
    try:
        outage_task = asyncio.ensure_future(outages(upstream, stop, outage_count))
        started = time.perf_counter()
        await asyncio.gather(*(client(proxy, queue, random.Random(rng.random()), done)
                               for _ in range(args.clients)))
        elapsed = time.perf_counter() - started
        stop.set()
        await outage_task
        await asyncio.sleep(2 * UPSTREAM_TIMEOUT_SECONDS)   # let stragglers settle
        memory = memory_rows(daemon.pid)
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(60)
        upstream.stop()

    arrived = Counter(int(m.group(1)) for m in
                      (SEQ_HEADER.search(r.data) for r in upstream.messages) if m)
    with sqlite3.connect(store_file) as db:
        recorded = Counter(int(row[0].split("-")[1].split("@")[0]) for row in
                           db.execute("SELECT message_id FROM messages"))
    rows, problems = [], Counter[str]()
    for fault in ["none", *FAULTS]:
        group = [s for s in sends if s.fault == fault]
        outcomes = Counter(s.outcome for s in group)
        accepted = [s for s in group if s.outcome == "accepted"]
        once = sum(arrived[s.seq] == 1 for s in accepted)
        lost = sum(arrived[s.seq] == 0 for s in accepted)
        duplicated = sum(arrived[s.seq] > 1 for s in accepted)
        leaked = sum(arrived[s.seq] > 0 for s in group if s.outcome != "accepted")
        problems.update(lost=lost, duplicated=duplicated, leaked=leaked)
        rows.append([fault, len(group), outcomes["accepted"], outcomes["refused"],
                     outcomes["no-reply"], once, lost, duplicated, leaked,
                     sum(recorded[s.seq] for s in accepted)])
    print(f"load average {os.getloadavg()[0]:.2f}; "
          f"{len(done)} sends by {args.clients} clients in {elapsed:.1f} s "
          f"({len(done) / elapsed:.0f}/s), seed {args.seed}, {outage_count[0]} upstream "
          f"outages of {OUTAGE_SECONDS} s, upstream timeout {UPSTREAM_TIMEOUT_SECONDS} s")
    print_table("Outcomes per injected fault",
                ["fault", "sends", "accepted", "refused", "no reply", "arrived once",
                 "accepted+lost", "accepted+dup", "refused+arrived", "recorded"], rows)
    print_table("Invariants", ["check", "violations"], [
        ["every accepted message arrived exactly once (lost)", problems["lost"]],
        ["every accepted message arrived exactly once (duplicated)", problems["duplicated"]],
        ["no refused message arrived", problems["leaked"]],
    ])
    print_table("Daemon memory at the end", ["process", "RSS MiB", "peak RSS MiB"], memory)
    return 1 if sum(problems.values()) else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sends", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    sys.exit(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
