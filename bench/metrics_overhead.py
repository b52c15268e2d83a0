"""Does exporting team metrics add latency? The SMTP proxy and the scoring API, side by
side with ``[metrics]`` off and on.

Two ``trustmail run`` daemons that differ only in ``[metrics]``: "off" (the default) and
"on" (the Prometheus loopback endpoint, scraped every second by a real Prometheus when the
Debian package is installed, and an OTLP/HTTP push every second to a receiver in this
process: far more often than a real setup, so the exporters' cost shows if there is one).
Both have ``[report] me`` set, so the "on" daemon also runs its ledger passes (first-
response times, promises) over the store that the sends fill.

The client alternates between the two, send by send (SMTP) or round by round (API), so a
change in the machine's load hits both alike:

    .venv/bin/python bench/metrics_overhead.py [--count 300] [--clients 20] [--requests 30]
        [--control]

Tables: what one recorded event costs in this process (the exact figure the side-by-side
runs cannot resolve on a shared machine); per-transaction latency through the proxy (5 KB
text email, open session); ``POST /v1/score`` latency (3 KB distinct drafts: one client
sending back to back, and N clients at the add-on's pace as bench/api_latency.py judges
it). p50/p90/p99 for each daemon and the difference on - off. ``--control`` runs the
same with metrics off in both daemons: the differences it shows are this machine's noise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path

import api_latency
import smtp_latency
from smtp_bench_support import (
    TRUSTMAIL,
    free_port,
    isolated_env,
    print_table,
    run_trustmail,
    start_daemon,
    start_upstream,
    summary,
    text_message,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.otlp_receiver import OtlpReceiver  # noqa: E402
from support.prometheus_server import PROMETHEUS, PrometheusServer  # noqa: E402

SMALL = 5 * 1024
EVENT_REPEAT = 5000
SCORING_REPEAT = 50
API_ROUNDS = 4
ME = '[report]\nme = ["alice@example.com"]\n'


def metrics_table(otlp_url: str) -> tuple[str, int]:
    port = free_port()
    return (f'[metrics]\nprometheus = "127.0.0.1:{port}"\notlp_endpoint = "{otlp_url}"\n'
            "otlp_interval_seconds = 1\n", port)


def api_daemon(extra: str) -> tuple[subprocess.Popen[bytes], int, str]:
    """``trustmail run`` with the API on a free port and ``extra`` tables; process, port,
    token."""
    home = Path(tempfile.mkdtemp(prefix="trustmail-metrics-bench-"))
    port = free_port()
    config = home / "bench.toml"
    config.write_text(f'[api]\nlisten = "127.0.0.1:{port}"\n\n{extra}\n'
                      f'[smtp]\nlisten = "127.0.0.1:{free_port()}"\n'
                      '[smtp.upstream]\nhost = "127.0.0.1"\nport = 9\ntls = "none"\n', "utf-8")
    process = run_trustmail(home, config, port)
    token = subprocess.run([str(TRUSTMAIL), "token"], env=isolated_env(home),
                           capture_output=True, text=True, check=True).stdout.strip()
    return process, port, token


@contextmanager
def scraped(ports: list[int], stack: ExitStack, control: bool) -> Iterator[str]:
    """A real Prometheus scraping ``ports`` every second, if installed (not for --control:
    nothing serves metrics there)."""
    if control:
        yield "control run: metrics off in both daemons"
        return
    if not os.path.exists(PROMETHEUS):
        yield "no Prometheus installed: the endpoint was not scraped"
        return
    directory = Path(tempfile.mkdtemp(prefix="trustmail-metrics-bench-prom-"))
    stack.enter_context(PrometheusServer.start(directory, [f"127.0.0.1:{p}" for p in ports]))
    yield "a real Prometheus scraped the endpoint every second"


def rows_for(label: str, off: list[float], on: list[float]) -> list[list[object]]:
    a, b = summary(off), summary(on)
    return [[label, len(off), a["p50"], b["p50"], b["p50"] - a["p50"], a["p90"], b["p90"],
             a["p99"], b["p99"], b["p99"] - a["p99"]]]


HEADERS = ["load", "n", "off p50", "on p50", "on-off p50", "off p90", "on p90", "off p99",
           "on p99", "on-off p99"]


async def smtp_side_by_side(count: int, receiver: OtlpReceiver, stack: ExitStack,
                            control: bool) -> list[list[object]]:
    upstream_process, direct = start_upstream()
    table, metrics_port = metrics_table(receiver.url)
    table = "" if control else table
    off_process, off = start_daemon(direct, f"\n{ME}")
    on_process, on = start_daemon(direct, f"\n{ME}\n{table}")
    try:
        with scraped([metrics_port], stack, control) as note:
            print(f"SMTP: {note}; load average {os.getloadavg()[0]:.2f} at start")
            endpoints = [replace(off, name="off"), replace(on, name="on")]
            times = await smtp_latency.transaction_latencies(
                endpoints, lambda s: text_message(SMALL, s), count)
        return rows_for("5 KB text, per transaction", times["off"], times["on"])
    finally:
        for process in (off_process, on_process):
            process.send_signal(signal.SIGTERM)
            process.wait(60)
        upstream_process.terminate()
        upstream_process.wait(30)


async def api_side_by_side(clients: int, requests: int, receiver: OtlpReceiver,
                           stack: ExitStack, control: bool) -> list[list[object]]:
    table, metrics_port = metrics_table(receiver.url)
    table = "" if control else table
    daemons = {"off": api_daemon(ME), "on": api_daemon(f"{ME}\n{table}")}
    rows: list[list[object]] = []
    try:
        with scraped([metrics_port], stack, control) as note:
            print(f"API: {note}; load average {os.getloadavg()[0]:.2f} at start")
            for _, port, token in daemons.values():
                await api_latency.run_load(port, token, 1, api_latency.WARM_UP_REQUESTS,
                                           "distinct", 10**6)
            seed = 1
            interval = api_latency.addon_interval_ms()
            for count, pace, interval_ms in ((1, "back to back", None),
                                             (clients, "add-on pace", interval)):
                times: dict[str, list[float]] = {"off": [], "on": []}
                for round_number in range(API_ROUNDS):
                    seed += 10**5
                    order = list(daemons.items())          # who goes first alternates
                    for name, (_, port, token) in order[::1 - 2 * (round_number % 2)]:
                        latencies, _ = await api_latency.run_load(
                            port, token, count, requests, "distinct", seed, interval_ms)
                        times[name] += latencies
                rows += rows_for(f"{count} client(s), {pace}", times["off"], times["on"])
    finally:
        for process, _, _ in daemons.values():
            process.terminate()
            process.wait(30)
    return rows


def timed_us(call: Callable[[], object], repeat: int = EVENT_REPEAT) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        call()
    return (time.perf_counter() - started) / repeat * 1e6


def event_costs() -> list[list[object]]:
    """Microseconds per recording call, both exporters attached, against scoring the draft."""
    from datetime import UTC, datetime

    from daemon import metrics
    from daemon.config.load import load_config
    from daemon.metrics.events import Recorder, activate, deactivate
    from daemon.metrics.labels import LabelPolicy
    from daemon.metrics.otlp import OtlpBackend
    from daemon.metrics.prometheus import PrometheusBackend
    from scoring import Scorer

    scorer = Scorer(load_config().scoring)
    now = datetime.now(UTC)
    text = api_latency.draft(1)
    scorer.score_text(text, now=now)
    report = scorer.score_text(text, now=now).to_dict()
    encoded = json.dumps(report).encode()
    drafts = iter(range(2, 10**6))      # a new draft each time: nothing cached
    scoring_us = timed_us(lambda: scorer.score_text(api_latency.draft(next(drafts)), now=now),
                          SCORING_REPEAT)
    off_us = timed_us(lambda: metrics.record_scored("smtp", report))
    recorder = Recorder(LabelPolicy())
    recorder.attach(PrometheusBackend(recorder))
    otlp = OtlpBackend(recorder, "http://127.0.0.1:9/v1/metrics", 3600)   # never pushes
    recorder.attach(otlp)
    activate(recorder)
    try:
        findings = len(report["findings"])
        rows: list[list[object]] = [
            ["metrics off: any recording call", off_us, "-"],
            ["a relay outcome (record_smtp)", timed_us(lambda: metrics.record_smtp(
                "relayed", "ok")), "in the proxy's DATA reply path"],
            [f"a proxy report, {findings} findings (record_scored)",
             timed_us(lambda: metrics.record_scored("smtp", report)),
             "when scoring completes"],
            [f"an API report, {len(encoded)} bytes of JSON (parse + count)",
             timed_us(lambda: metrics.record_scored_json("api", encoded)),
             "after the answer is written (call_soon)"],
            ["for scale: scoring one 3 KB draft", scoring_us, "in a worker process"],
        ]
    finally:
        deactivate()
        otlp.provider.shutdown(timeout_millis=100)
    return rows


async def run(args: argparse.Namespace) -> None:
    with ExitStack() as stack:
        receiver = stack.enter_context(OtlpReceiver.start())
        versus = "off vs off (control)" if args.control else "off vs on"
        rows = await smtp_side_by_side(args.count, receiver, stack, args.control)
        print_table(f"SMTP proxy, ms (MAIL FROM .. DATA reply), metrics {versus}",
                    HEADERS, rows)
        rows = await api_side_by_side(args.clients, args.requests, receiver, stack,
                                      args.control)
        print_table(f"POST /v1/score, ms ({api_latency.DRAFT_BYTES}-byte distinct drafts, "
                    f"keep-alive), metrics {versus}", HEADERS, rows)
        print(f"\n{len(receiver.bodies)} OTLP pushes received; {os.cpu_count()} CPUs shared by "
              "both daemons, their scoring workers, Prometheus and this client.")


def main() -> None:
    logging.getLogger("opentelemetry").setLevel(logging.CRITICAL)  # the unused push target
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=300, help="5 KB sends per daemon")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=30,
                        help="API requests per client per round")
    parser.add_argument("--control", action="store_true",
                        help="metrics off in both daemons: the noise floor")
    args = parser.parse_args()
    # no event loop yet: the API's report is read in the call itself, so its cost shows
    print_table(f"Cost of one recorded event, µs (mean of {EVENT_REPEAT}; scoring: of "
                f"{SCORING_REPEAT} new drafts)", ["event", "µs", "where it runs"],
                event_costs())
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
