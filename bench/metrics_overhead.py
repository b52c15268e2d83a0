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

Tables: per-transaction latency through the proxy (5 KB text email, open session), and
``POST /v1/score`` latency (3 KB distinct drafts, 1 and N keep-alive clients), p50/p90/p99
for each daemon and the difference on - off.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
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
def scraped(ports: list[int], stack: ExitStack) -> Iterator[str]:
    """A real Prometheus scraping ``ports`` every second, if installed."""
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


async def smtp_side_by_side(count: int, receiver: OtlpReceiver,
                            stack: ExitStack) -> list[list[object]]:
    upstream_process, direct = start_upstream()
    table, metrics_port = metrics_table(receiver.url)
    off_process, off = start_daemon(direct, f"\n{ME}")
    on_process, on = start_daemon(direct, f"\n{ME}\n{table}")
    try:
        with scraped([metrics_port], stack) as note:
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
                           stack: ExitStack) -> list[list[object]]:
    table, metrics_port = metrics_table(receiver.url)
    daemons = {"off": api_daemon(ME), "on": api_daemon(f"{ME}\n{table}")}
    rows: list[list[object]] = []
    try:
        with scraped([metrics_port], stack) as note:
            print(f"API: {note}; load average {os.getloadavg()[0]:.2f} at start")
            for _, port, token in daemons.values():
                await api_latency.run_load(port, token, 1, api_latency.WARM_UP_REQUESTS,
                                           "distinct", 10**6)
            seed = 1
            for count in sorted({1, clients}):
                times: dict[str, list[float]] = {"off": [], "on": []}
                for _ in range(API_ROUNDS):
                    seed += 10**5
                    for name, (_, port, token) in daemons.items():   # same drafts for both
                        latencies, _ = await api_latency.run_load(port, token, count,
                                                                  requests, "distinct", seed)
                        times[name] += latencies
                rows += rows_for(f"POST /v1/score, {count} client(s), flood", times["off"],
                                 times["on"])
    finally:
        for process, _, _ in daemons.values():
            process.terminate()
            process.wait(30)
    return rows


async def run(args: argparse.Namespace) -> None:
    with ExitStack() as stack:
        receiver = stack.enter_context(OtlpReceiver.start())
        rows = await smtp_side_by_side(args.count, receiver, stack)
        print_table("SMTP proxy, ms (MAIL FROM .. DATA reply), metrics off vs on",
                    HEADERS, rows)
        rows = await api_side_by_side(args.clients, args.requests, receiver, stack)
        print_table(f"Scoring API, ms ({api_latency.DRAFT_BYTES}-byte distinct drafts, "
                    "keep-alive), metrics off vs on", HEADERS, rows)
        print(f"\n{len(receiver.bodies)} OTLP pushes received; {os.cpu_count()} CPUs shared by "
              "both daemons, their scoring workers, Prometheus and this client.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=300, help="5 KB sends per daemon")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=30,
                        help="API requests per client per round")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
