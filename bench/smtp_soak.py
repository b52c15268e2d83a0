"""Soak the SMTP proxy: many sends with random upstream faults, a hostile upstream and
kill -9 of the daemon, then check delivery, smuggling, the store and memory.

A real ``trustmail run`` relays to the test upstream (aiosmtpd, STARTTLS + AUTH) which
injects a fault into a random share of the messages (refused recipients, refused or
temporarily failed data, dropped connections, slow and silent replies) and goes down
now and then. It is also hostile (tests/support/smtp_upstream.py): forged replies right
behind its greeting or its 220 to STARTTLS on a share of its connections, replies that
never end (to MAIL or to the data), and a lenient end-of-data parser that would take
``\\n.\\r\\n`` as the end and the bytes behind it as a second, smuggled message. Some
clients try exactly that smuggling. Concurrent clients send over verified STARTTLS with
AUTH PLAIN; the daemon is killed with SIGKILL ``--kills`` times and restarted in place.

The checks, per message the client sent:
- every message the client saw accepted (250 after DATA) arrived upstream exactly once;
- no message the client saw refused arrived upstream;
- no message the client did not send (a smuggled one) arrived upstream;
- every message the client saw accepted has its record in the store after the run
  (the record is journaled before the 250, daemon/store/journal.py, and replayed at the
  next start);
- the RSS of the daemon and its workers, sampled every SAMPLE_SECONDS, stays flat.

    .venv/bin/python bench/smtp_soak.py [--sends 10000] [--kills 20] [--clients 20] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from smtp_bench_support import (
    REPO,
    Endpoint,
    child_pids,
    open_session,
    print_table,
    rss_mib,
    run_trustmail,
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
SAMPLE_SECONDS = 2.0
RECONNECT_SECONDS = 60.0              # a client retries its connect this long (restarts)
ORPHAN_GRACE_SECONDS = 3.0            # workers of a killed daemon must be gone by then
KILLED_SHARE = 0.75                   # the kills fall in the first 3/4 of the sends
INJECT_AFTER_GREETING = 0.03          # share of upstream connections
INJECT_AFTER_STARTTLS = 0.03
SEQ_HEADER = re.compile(rb"^X-Bench-Seq: (\d+)\r$", re.MULTILINE)

# fault name -> share of the sends (the rest are clean)
FAULTS = {
    "refuse-rcpt": 0.03,       # the only recipient is refused (550 at RCPT)
    "refuse-one-rcpt": 0.03,   # one of two recipients refused; the other gets it
    "reject-data": 0.03,       # 554 after the data
    "tempfail-data": 0.03,     # 451 after the data
    "drop": 0.02,              # upstream closes after the data without replying
    "delay": 0.05,             # upstream answers 250 after 0.05-0.5 s
    "hang": 0.01,              # upstream never answers the data
    "endless-reply": 0.02,     # upstream answers the data with 250- lines forever
    "endless-mail": 0.02,      # ... and MAIL from an endless-* sender
    "smuggle": 0.04,           # the client hides a second message behind "\n.\r\n"
}
GOOD = "maria@customer.example"
REFUSED = "refuse-x@customer.example"
SENDER = "alice@example.com"
SMUGGLER = "ceo@example.com"
SMUGGLE_ENDS = (b"\n.\r\n", b"\n.\n", b"\r\n.\n", b"\r.\r\n")
SMUGGLED = (f"MAIL FROM:<{SMUGGLER}>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\n"
            "Subject: smuggled\r\n\r\nPay the invoice to the new account.\r\n").encode()


@dataclass
class Send:
    seq: int
    fault: str
    outcome: str = ""          # accepted | refused | no-reply
    reply: int = 0
    error: str = ""            # why there was no reply


@dataclass
class Sample:
    seconds: float
    sends: int
    incarnation: int
    daemon_mib: float
    workers_mib: float
    workers: int


@dataclass
class Daemon:
    """The ``trustmail run`` under test, killed and restarted in place (same dirs)."""

    process: subprocess.Popen[bytes]
    home: Path
    port: int
    incarnation: int = 0
    orphans: list[int] = field(default_factory=list)   # workers that outlived a kill

    def kill(self) -> None:
        """SIGKILL the main process; its workers must go by themselves."""
        children = {pid: start_time(pid) for pid in child_pids(self.process.pid)}
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)             # reaped: no zombie left behind its daemon.json
        time.sleep(ORPHAN_GRACE_SECONDS)
        for pid, started in children.items():
            if started is not None and start_time(pid) == started:
                self.orphans.append(pid)
                os.kill(pid, signal.SIGKILL)    # ours: a worker of the daemon we started

    def restart(self) -> None:
        self.process = run_trustmail(self.home, self.home / "bench.toml", self.port)
        self.incarnation += 1

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(60)

    @property
    def store_file(self) -> Path:
        return self.home / "xdg_data_home" / "trustmail" / "trustmail.sqlite3"

    @property
    def journal_file(self) -> Path:
        return self.store_file.with_name(self.store_file.name + "-records.journal")


def start_time(pid: int) -> str | None:
    """The start time of a process (field 22 of /proc/PID/stat), so a reused pid is
    never taken for the one we saw; None when it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def choose_fault(rng: random.Random) -> str:
    roll = rng.random()
    for name, share in FAULTS.items():
        if roll < share:
            return name
        roll -= share
    return "none"


def build(send_: Send, rng: random.Random) -> tuple[bytes, tuple[str, ...], str]:
    """The message (its end of data included for a smuggling one), recipients, sender."""
    header = ""
    rcpts: tuple[str, ...] = (GOOD,)
    sender = SENDER
    if send_.fault == "refuse-rcpt":
        rcpts = (REFUSED,)
    elif send_.fault == "refuse-one-rcpt":
        rcpts = (REFUSED, GOOD)
    elif send_.fault == "delay":
        header = f"X-Upstream-Fault: delay={rng.uniform(0.05, 0.5):.2f}\r\n"
    elif send_.fault == "endless-mail":
        sender = "endless-" + SENDER
    elif send_.fault not in ("none", "smuggle"):
        header = f"X-Upstream-Fault: {send_.fault}\r\n"
    raw = text_message(MESSAGE_BYTES, send_.seq, header)
    if send_.fault == "smuggle":
        end = SMUGGLE_ENDS[send_.seq % len(SMUGGLE_ENDS)]
        raw = raw.removesuffix(b"\r\n") + end + SMUGGLED + b".\r\n"
    return raw, rcpts, sender


async def connect(proxy: Endpoint) -> UpstreamConnection:
    """A session; while the daemon restarts, the connect is retried (as a client does)."""
    deadline = time.monotonic() + RECONNECT_SECONDS
    while True:
        try:
            return await open_session(proxy, timeout=30)
        except UpstreamError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


async def client(proxy: Endpoint, queue: asyncio.Queue[Send], rng: random.Random,
                 done: list[Send]) -> None:
    session: UpstreamConnection | None = None
    sent_in_session = 0
    while not queue.empty():
        item = queue.get_nowait()
        raw, rcpts, sender = build(item, rng)
        try:
            if session is None:
                session, sent_in_session = await connect(proxy), 0
            reply = await send(session, raw, rcpts, sender, verbatim=item.fault == "smuggle")
            item.reply = reply.code
            item.outcome = "accepted" if reply.code == 250 else "refused"
        except RuntimeError:              # EHLO/AUTH refused (upstream down): not sent
            item.outcome, session = "refused", None
        except UpstreamError as error:    # the proxy connection broke before a reply
            item.outcome, item.error = "no-reply", str(error)
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


async def kills(daemon: Daemon, done: list[Send], thresholds: list[int],
                stop: asyncio.Event, seconds_down: list[float], points: list[int]) -> None:
    """SIGKILL the daemon each time the sends done pass the next threshold."""
    for threshold in thresholds:
        while len(done) < threshold:
            if stop.is_set():
                return
            await asyncio.sleep(0.02)
        started = time.perf_counter()
        points.append(len(done))
        await asyncio.to_thread(daemon.kill)
        await asyncio.to_thread(daemon.restart)
        seconds_down.append(time.perf_counter() - started)


async def sampler(daemon: Daemon, done: list[Send], stop: asyncio.Event,
                  samples: list[Sample]) -> None:
    started = time.perf_counter()
    while not stop.is_set():
        pid, incarnation = daemon.process.pid, daemon.incarnation
        try:
            workers = [rss_mib(child)[0] for child in child_pids(pid)]
            main_rss = rss_mib(pid)[0]
        except OSError:                   # killed between the two reads
            workers, main_rss = [], 0.0
        if main_rss and incarnation == daemon.incarnation:
            samples.append(Sample(time.perf_counter() - started, len(done), incarnation,
                                  main_rss, sum(workers), len(workers)))
        try:
            await asyncio.wait_for(stop.wait(), SAMPLE_SECONDS)
        except TimeoutError:
            pass


def kill_thresholds(sends: int, count: int, rng: random.Random) -> list[int]:
    """``count`` points spread over the first KILLED_SHARE of the run, each jittered
    within its stretch; the rest of the run is one long incarnation (memory growth)."""
    stretch = sends * KILLED_SHARE / (count + 1)
    return [round(stretch * (k + 1) + rng.uniform(-stretch / 3, stretch / 3))
            for k in range(count)]


def store_records(daemon: Daemon) -> Counter[int]:
    """Store rows per bench sequence number (from the Message-ID <bench-N@...>)."""
    with sqlite3.connect(daemon.store_file) as db:
        return Counter(int(row[0].split("-")[1].split("@")[0]) for row in
                       db.execute("SELECT message_id FROM messages")
                       if row[0] and "bench-" in row[0])


def log_events(daemon: Daemon) -> tuple[Counter[str], int]:
    """Events at warning level and above, by event name; records replayed at starts."""
    events, replayed = Counter[str](), 0
    for line in (daemon.home / "daemon.log").read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            events[f"not JSON: {line.strip()[:60]}"] += 1     # a traceback or a print
            continue
        if entry.get("event") == "journal-replayed":
            replayed += int(entry.get("records", 0))
        if entry.get("level") in ("warning", "error", "critical"):
            events[f"{entry['level']}: {entry.get('event')}"] += 1
    return events, replayed


def memory_tables(samples: list[Sample], sends: int, points: list[int]) -> None:
    if not samples:
        return
    rows, next_mark = [], 0
    for sample in samples:             # one row per 5 % of the sends, and the last one
        if sample.sends >= next_mark or sample is samples[-1]:
            rows.append([f"{sample.seconds:.0f}", sample.sends, sample.incarnation,
                         sample.daemon_mib, sample.workers, sample.workers_mib,
                         sample.daemon_mib + sample.workers_mib])
            next_mark = sample.sends + sends // 20
    print_table(f"Memory over the run (RSS MiB, sampled every {SAMPLE_SECONDS:.0f} s; "
                "each kill starts a new incarnation)",
                ["s", "sends done", "incarnation", "daemon", "workers", "workers MiB",
                 "total"], rows)
    by_incarnation: dict[int, list[Sample]] = {}
    for sample in samples:
        by_incarnation.setdefault(sample.incarnation, []).append(sample)
    rows = []
    bounds = [0, *points, samples[-1].sends]
    for number, group in by_incarnation.items():
        totals = [s.daemon_mib + s.workers_mib for s in group]
        settled = group[min(1, len(group) - 1)]     # the first sample may be mid-start
        rows.append([number, bounds[number + 1] - bounds[number], len(group),
                     settled.daemon_mib, group[-1].daemon_mib, max(s.daemon_mib for s in group),
                     settled.daemon_mib + settled.workers_mib, totals[-1], max(totals)])
    print_table("Memory per incarnation (RSS MiB: second sample, last sample, peak)",
                ["incarnation", "sends", "samples", "daemon 2nd", "daemon last",
                 "daemon peak", "total 2nd", "total last", "total peak"], rows)


async def run(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    # aiosmtpd logs each session a hostile act or a kill broke off, with its traceback
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)
    upstream = SmtpUpstream.start()
    upstream.keep_data = False
    upstream.random.seed(args.seed)
    upstream.faults.inject_after_greeting = INJECT_AFTER_GREETING
    upstream.faults.inject_after_starttls = INJECT_AFTER_STARTTLS
    upstream.faults.lenient_end_of_data = True
    process, proxy = start_daemon(
        Endpoint("direct", upstream.host, upstream.port, str(upstream.ca_file),
                 upstream.user, upstream.password),
        timeout_seconds=UPSTREAM_TIMEOUT_SECONDS)
    daemon = Daemon(process, Path(proxy.ca_file).parents[3], proxy.port)
    sends = [Send(seq, choose_fault(rng)) for seq in range(args.sends)]
    queue: asyncio.Queue[Send] = asyncio.Queue()
    for item in sends:
        queue.put_nowait(item)
    done: list[Send] = []
    stop, outage_count = asyncio.Event(), [0]
    samples: list[Sample] = []
    seconds_down: list[float] = []
    points: list[int] = []
    try:
        background = [
            asyncio.ensure_future(outages(upstream, stop, outage_count)),
            asyncio.ensure_future(sampler(daemon, done, stop, samples)),
            asyncio.ensure_future(kills(daemon, done, kill_thresholds(
                args.sends, args.kills, rng), stop, seconds_down, points)),
        ]
        started = time.perf_counter()
        await asyncio.gather(*(client(proxy, queue, random.Random(rng.random()), done)
                               for _ in range(args.clients)))
        elapsed = time.perf_counter() - started
        stop.set()
        await asyncio.gather(*background)
        await asyncio.sleep(2 * UPSTREAM_TIMEOUT_SECONDS)   # let stragglers settle
    finally:
        daemon.stop()
        upstream.stop()
    pending = daemon.journal_file.stat().st_size if daemon.journal_file.exists() else 0
    if pending:                       # what the last stop left is replayed at the next start
        daemon.restart()
        daemon.stop()
    events, replayed = log_events(daemon)

    heads = [r for r in upstream.messages]
    arrived = Counter(int(m.group(1)) for m in (SEQ_HEADER.search(r.data) for r in heads) if m)
    smuggled = sum(1 for r in heads if r.mail_from != SENDER or not SEQ_HEADER.search(r.data))
    recorded = store_records(daemon)
    rows, problems = [], Counter[str]()
    for fault in ["none", *FAULTS]:
        group = [s for s in sends if s.fault == fault]
        outcomes = Counter(s.outcome for s in group)
        accepted = [s for s in group if s.outcome == "accepted"]
        once = sum(arrived[s.seq] == 1 for s in accepted)
        lost = sum(arrived[s.seq] == 0 for s in accepted)
        duplicated = sum(arrived[s.seq] > 1 for s in accepted)
        leaked = sum(arrived[s.seq] > 0 for s in group if s.outcome == "refused")
        unrecorded = sum(recorded[s.seq] == 0 for s in accepted)
        twice = sum(recorded[s.seq] > 1 for s in group)
        problems.update(lost=lost, duplicated=duplicated, leaked=leaked,
                        unrecorded=unrecorded, twice=twice)
        rows.append([fault, len(group), outcomes["accepted"], outcomes["refused"],
                     outcomes["no-reply"],
                     sum(arrived[s.seq] > 0 for s in group if s.outcome == "no-reply"),
                     once, lost, duplicated, leaked, sum(recorded[s.seq] > 0 for s in accepted),
                     unrecorded])
    problems.update(smuggled=smuggled + upstream.senders[SMUGGLER],
                    orphans=len(daemon.orphans))
    print(f"load average {os.getloadavg()[0]:.2f}; "
          f"{len(done)} sends by {args.clients} clients in {elapsed:.1f} s "
          f"({len(done) / elapsed:.0f}/s), seed {args.seed}, {outage_count[0]} upstream "
          f"outages of {OUTAGE_SECONDS} s, upstream timeout {UPSTREAM_TIMEOUT_SECONDS} s; "
          f"{len(seconds_down)} kill -9 (kill, {ORPHAN_GRACE_SECONDS:.0f} s wait for "
          f"workers, restart: {min(seconds_down, default=0):.1f}-"
          f"{max(seconds_down, default=0):.1f} s each)")
    print_table("Outcomes per injected fault",
                ["fault", "sends", "accepted", "refused", "no reply", "no reply+arrived",
                 "arrived once", "accepted+lost", "accepted+dup", "refused+arrived",
                 "recorded", "accepted+unrecorded"], rows)
    print_table("Hostile upstream", ["act", "count"], [
        ["upstream connections", upstream.connections],
        *([name, count] for name, count in sorted(upstream.hostile.items())),
        [f"MAIL FROM:<{SMUGGLER}> seen upstream (smuggled command)",
         upstream.senders[SMUGGLER]],
        ["messages stored upstream that no client sent (smuggled)", smuggled],
    ])
    print_table("Store and journal", ["check", "count"], [
        ["records journaled by a killed daemon, replayed at its restart", replayed],
        ["journal bytes left after the last clean stop", pending],
        ["store rows of bench messages", sum(recorded.values())],
        ["workers that outlived a kill -9 of their daemon", len(daemon.orphans)],
    ])
    print_table("Invariants", ["check", "violations"], [
        ["every accepted message arrived exactly once (lost)", problems["lost"]],
        ["every accepted message arrived exactly once (duplicated)", problems["duplicated"]],
        ["no refused message arrived", problems["leaked"]],
        ["no smuggled message or command reached upstream", problems["smuggled"]],
        ["every accepted message has its store record", problems["unrecorded"]],
        ["no message recorded twice", problems["twice"]],
        ["no worker outlived its killed daemon", problems["orphans"]],
    ])
    why = Counter((s.fault, s.error) for s in sends if s.outcome == "no-reply")
    print_table("Sends without a reply, by fault and what the client saw",
                ["fault", "client error", "sends"],
                [[fault, error, count] for (fault, error), count in why.most_common()])
    memory_tables(samples, args.sends, points)
    print_table("Daemon log, warning and above (all incarnations)", ["event", "count"],
                [[name, count] for name, count in events.most_common()])
    return 1 if sum(problems.values()) else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sends", type=int, default=10_000)
    parser.add_argument("--kills", type=int, default=20, help="kill -9 of the daemon")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    sys.exit(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
