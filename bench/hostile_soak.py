"""5,000 mutated real messages through ``trustmail score --batch`` and the SMTP proxy
(issue 13's target: zero crashes, zero hangs, zero lost messages). Prints tables.

    .venv/bin/python bench/hostile_soak.py [--messages 5000] [--clients 4] [--seed 13]

The messages are the example emails (/work/shared/examples, else the test fixtures)
mutated as an attacker would (tests/support/mail_mutations.py), each with an
``X-Soak-Seq`` header put first.

- batch: all of them as JSON lines (``eml``, raw bytes as surrogate escapes) into one
  ``trustmail score --batch``: one answer line per input, with its id, a report or a
  per-item error; the process must not crash (no traceback, exit 0-2). Its peak RSS is
  its own VmHWM, sampled while it runs: ``RUSAGE_CHILDREN``'s ru_maxrss is at least this
  process's RSS at the spawn (exec keeps the parent's high-water mark), which with the
  messages and their JSON lines held here read 860 MB for a batch that peaked at 180 MB.
- proxy: the same messages as SMTP carries them (CRLF line ends, lines over 998 bytes
  folded) sent over STARTTLS + AUTH by concurrent clients to a real ``trustmail run``
  (policy observe) relaying to the test upstream. Every accepted
  message must arrive upstream exactly once, byte for byte; none refused may arrive; no
  send may go unanswered within the client's timeout; the daemon must be alive after.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from hostile_corpus import examples, mutate  # noqa: E402
from smtp_bench_support import (  # noqa: E402
    TRUSTMAIL,
    Endpoint,
    open_session,
    percentile,
    print_table,
    send,
    start_daemon,
)
from support.smtp_upstream import SmtpUpstream  # noqa: E402

from daemon.smtp_proxy.upstream import UpstreamConnection, UpstreamError  # noqa: E402

SEQ = re.compile(rb"\AX-Soak-Seq: (\d+)\r?\n")
LINE_END = re.compile(rb"\r\n|\r|\n")
SEND_TIMEOUT_SECONDS = 60.0     # a send unanswered this long is a hang
BATCH_TIMEOUT_SECONDS = 3600.0
PEAK_SAMPLE_SECONDS = 0.02


def messages(count: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    found = examples()
    return [b"X-Soak-Seq: %d\r\n" % n + mutate(rng.choice(found), rng) for n in range(count)]


class PeakRss(threading.Thread):
    """The peak RSS of process ``pid`` (its VmHWM, which only grows), read every
    PEAK_SAMPLE_SECONDS until it exits."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.status = Path(f"/proc/{pid}/status")
        self.mb = 0.0

    def run(self) -> None:
        while True:
            try:
                text = self.status.read_text()
            except OSError:
                return
            if "State:\tZ" in text:        # exited; not reaped yet
                return
            for line in text.splitlines():
                if line.startswith("VmHWM:"):
                    self.mb = max(self.mb, int(line.split()[1]) / 1024)
            time.sleep(PEAK_SAMPLE_SECONDS)


def run_batch(raws: list[bytes]) -> list[list[object]]:
    lines = b"".join(json.dumps({"id": n, "eml": raw.decode("utf-8", "surrogateescape")},
                                ensure_ascii=True).encode() + b"\n"
                     for n, raw in enumerate(raws))
    started = time.perf_counter()
    child = subprocess.Popen([str(TRUSTMAIL), "score", "--batch"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = PeakRss(child.pid)
    peak.start()
    stdout, stderr = child.communicate(lines, timeout=BATCH_TIMEOUT_SECONDS)
    elapsed = time.perf_counter() - started
    peak.join()
    done = subprocess.CompletedProcess(child.args, child.returncode, stdout, stderr)
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    ids = Counter(row.get("id") for row in rows)
    errors = Counter(str(row["error"])[:40] for row in rows if row.get("error"))
    peak_mb = peak.mb
    result = [["inputs", len(raws)], ["answer lines", len(rows)],
              ["inputs answered exactly once", sum(ids[n] == 1 for n in range(len(raws)))],
              ["reports", sum("verdict" in row for row in rows)],
              ["per-item errors", sum(errors.values())],
              ["exit code", done.returncode],
              ["traceback on stderr", int(b"Traceback" in done.stderr)],
              ["seconds", round(elapsed, 1)],
              ["ms per message", round(elapsed * 1000 / len(raws), 1)],
              ["peak RSS MB", round(peak_mb)]]
    result += [[f"error: {text}", count] for text, count in errors.most_common(5)]
    return result


def smtp_lines(raw: bytes) -> bytes:
    """CRLF line ends, and no line over 998 bytes (folded: a header field stays one)."""
    lines = LINE_END.split(raw)
    out = [b"\r\n ".join(line[i:i + 900] for i in range(0, len(line), 900)) or line
           for line in lines]
    return b"\r\n".join(out)


@dataclass
class Sent:
    seq: int
    raw: bytes
    outcome: str = ""           # accepted | refused CODE | refused-conn | no-reply
    seconds: float = 0.0
    reply: str = ""


async def client(proxy: Endpoint, queue: asyncio.Queue[Sent]) -> None:
    session: UpstreamConnection | None = None
    while not queue.empty():
        item = queue.get_nowait()
        started = time.perf_counter()
        try:
            if session is None:
                session = await open_session(proxy, timeout=SEND_TIMEOUT_SECONDS)
            reply = await asyncio.wait_for(send(session, item.raw), SEND_TIMEOUT_SECONDS)
            item.outcome = "accepted" if reply.code == 250 else f"refused {reply.code}"
            item.reply = reply.text()[:60]
            if reply.code != 250:
                await session.command(b"RSET")
        except (UpstreamError, TimeoutError, OSError) as error:
            item.outcome = "no-reply" if isinstance(error, TimeoutError) else "refused-conn"
            item.reply = repr(error)[:60]
            if session is not None:
                session.abort()
            session = None
        item.seconds = time.perf_counter() - started
    if session is not None:
        await session.quit()


async def run_proxy(raws: list[bytes], clients: int) -> list[list[object]]:
    upstream = SmtpUpstream.start()
    daemon, proxy = start_daemon(Endpoint("direct", upstream.host, upstream.port,
                                          str(upstream.ca_file), upstream.user,
                                          upstream.password))
    log = Path(proxy.ca_file).parents[3] / "daemon.log"
    sends = [Sent(n, smtp_lines(raw)) for n, raw in enumerate(raws)]
    queue: asyncio.Queue[Sent] = asyncio.Queue()
    for item in sends:
        queue.put_nowait(item)
    started = time.perf_counter()
    try:
        await asyncio.gather(*(client(proxy, queue) for _ in range(clients)))
        elapsed = time.perf_counter() - started
        await asyncio.sleep(2)
        alive = daemon.poll() is None
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(60)
        upstream.stop()
    arrived: dict[int, list[bytes]] = {}
    for message in upstream.messages:
        match = SEQ.match(message.data)
        if match:
            arrived.setdefault(int(match.group(1)), []).append(message.data)
    accepted = [s for s in sends if s.outcome == "accepted"]
    # SMTP carries whole lines: a message not ending in CRLF arrives with one added
    digest = {s.seq: hashlib.sha256(s.raw if s.raw.endswith(b"\r\n") or not s.raw
                                    else s.raw + b"\r\n").digest() for s in accepted}
    outcomes = Counter(s.outcome for s in sends)
    text = log.read_text(errors="replace") if log.exists() else ""
    seconds = [s.seconds for s in sends]
    rows: list[list[object]] = [
        ["sends", len(sends)], ["seconds", round(elapsed, 1)],
        *[[f"outcome: {name}", count] for name, count in sorted(outcomes.items())],
        ["accepted, arrived exactly once", sum(len(arrived.get(s.seq, [])) == 1
                                               for s in accepted)],
        ["accepted, lost", sum(s.seq not in arrived for s in accepted)],
        ["accepted, duplicated", sum(len(arrived.get(s.seq, [])) > 1 for s in accepted)],
        ["accepted, bytes changed", sum(
            any(hashlib.sha256(d).digest() != digest[s.seq] for d in arrived.get(s.seq, []))
            for s in accepted)],
        ["refused, arrived", sum(s.seq in arrived for s in sends if s.outcome != "accepted")],
        ["send p99 / max seconds", f"{percentile(seconds, 0.99):.2f} / {max(seconds):.2f}"],
        ["daemon alive at the end", alive],
        ["log: score-failed-open", text.count("score-failed-open")],
        ["log: scoring-worker-lost", text.count("scoring-worker-lost")],
        ["log: scoring-job-over-budget", text.count("scoring-job-over-budget")],
        ["log: scoring-worker-out-of-memory", text.count("scoring-worker-out-of-memory")],
        ["log: Traceback", text.count("Traceback")],
    ]
    replies = Counter(s.reply for s in sends if s.outcome != "accepted")
    rows += [[f"reply: {text}", count] for text, count in replies.most_common(4)]
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument("--skip-proxy", action="store_true")
    args = parser.parse_args()
    raws = messages(args.messages, args.seed)
    print(f"{len(raws)} mutated messages, {sum(map(len, raws)) / 1e6:.1f} MB, "
          f"seed {args.seed}")
    if not args.skip_batch:
        print_table("trustmail score --batch", ["check", "value"], run_batch(raws))
    if not args.skip_proxy:
        print_table(f"SMTP proxy ({args.clients} clients)", ["check", "value"],
                    asyncio.run(run_proxy(raws, args.clients)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
