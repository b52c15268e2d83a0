"""Shared parts of the SMTP benchmarks: processes for the upstream and the daemon, an
asyncio SMTP client, messages, and table printing.

The upstream is the test sink from ``tests/support/smtp_upstream.py`` (aiosmtpd with
STARTTLS + AUTH); the daemon is a real ``trustmail run`` with isolated XDG dirs.
"""

from __future__ import annotations

import atexit
import base64
import functools
import json
import os
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from daemon.config.sections import UpstreamSettings
from daemon.smtp_proxy.upstream import Reply, UpstreamConnection, client_tls_context

REPO = Path(__file__).resolve().parents[1]
PYTHON = Path(sys.executable)
TRUSTMAIL = PYTHON.parent / "trustmail"
START_SECONDS = 30.0

# A paragraph the shipped rules score "pass", so policy warn/hold relay it too.
PARAGRAPH = ("Hello Maria,\n\nthanks for your question about the renewal. The price stays at "
             "EUR 40 per seat and there is no setup fee. The contract runs for twelve months "
             "and renews for another twelve unless you cancel one month before the end. Our "
             "support team answers within four business hours.\n\n")


@dataclass
class Endpoint:
    """Where a client sends: host, port, the CA that signs its certificate, credentials."""

    name: str
    host: str
    port: int
    ca_file: str
    user: str
    password: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_upstream(extra: tuple[str, ...] = ()) -> tuple[subprocess.Popen[str], Endpoint]:
    """The test upstream in its own process (so it does not share our GIL)."""
    process = subprocess.Popen([str(PYTHON), "-m", "support.smtp_upstream", *extra],
                               cwd=REPO / "tests", stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    info = json.loads(process.stdout.readline())
    return process, Endpoint("direct", info["host"], info["port"], info["ca_file"],
                             info["user"], info["password"])


def start_daemon(upstream: Endpoint, smtp_extra: str = "",
                 timeout_seconds: float = 30.0) -> tuple[subprocess.Popen[bytes], Endpoint]:
    """``trustmail run`` relaying to ``upstream``; returns the process and its endpoint."""
    home = Path(tempfile.mkdtemp(prefix="trustmail-bench-"))
    atexit.register(shutil.rmtree, home, True)          # config, store, certificate, log
    port = free_port()
    config = home / "bench.toml"
    config.write_text(
        f'[api]\nlisten = "127.0.0.1:{free_port()}"\n\n'
        f'[smtp]\nlisten = "127.0.0.1:{port}"\n{smtp_extra}\n\n'
        f'[smtp.upstream]\nhost = "{upstream.host}"\nport = {upstream.port}\n'
        f'tls = "starttls"\nca_file = "{upstream.ca_file}"\n'
        f"timeout_seconds = {timeout_seconds}\n")
    process = run_trustmail(home, config, port)
    cert = home / "xdg_data_home" / "trustmail" / "tls" / "localhost.pem"
    return process, Endpoint("proxy", "127.0.0.1", port, str(cert), upstream.user,
                             upstream.password)


def isolated_env(home: Path) -> dict[str, str]:
    """This environment with every platformdirs folder inside ``home``."""
    env = dict(os.environ)
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[name] = str(home / name.lower())
    env["XDG_CONFIG_DIRS"] = str(home / "site")
    return env


def run_trustmail(home: Path, config: Path, port: int) -> subprocess.Popen[bytes]:
    """``trustmail run --config CONFIG`` with its state in ``home``; returns once ``port``
    accepts connections (raises with the daemon's log if it does not start). A restart
    in the same ``home`` appends to its log."""
    log = (home / "daemon.log").open("ab")
    process = subprocess.Popen([str(TRUSTMAIL), "run", "--config", str(config)],
                               env=isolated_env(home), stdout=log, stderr=subprocess.STDOUT,
                               cwd=REPO)
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((home / "daemon.log").read_text()) from None
            time.sleep(0.05)


def rss_mib(pid: int) -> tuple[float, float]:
    """Current and peak resident memory of a process, in MiB (from /proc)."""
    values: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(value.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def child_pids(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (the daemon's scoring workers), from /proc."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("PPid:") and line.split()[1] == str(pid):
                found.append(int(status.parent.name))
    return found


def memory_rows(pid: int) -> list[list[object]]:
    """RSS of the daemon, of its child processes, and the sum (MiB)."""
    daemon_rss, daemon_peak = rss_mib(pid)
    children = [rss_mib(child) for child in child_pids(pid)]
    child_rss = sum(current for current, _ in children)
    return [["trustmail run (main process)", daemon_rss, daemon_peak],
            [f"child processes ({len(children)}: scoring workers, resource tracker)",
             child_rss, sum(peak for _, peak in children)],
            ["total", daemon_rss + child_rss, daemon_peak + sum(p for _, p in children)]]


# -- client ---------------------------------------------------------------------------

@functools.lru_cache(maxsize=8)
def tls_context(ca_file: str) -> ssl.SSLContext:
    """One verifying context per CA (building one loads the system CAs: ~10 ms)."""
    return client_tls_context(ca_file)


async def open_session(endpoint: Endpoint, timeout: float = 120.0) -> UpstreamConnection:
    """Connect, EHLO, STARTTLS (verified), AUTH PLAIN: a mail client's session."""
    settings = UpstreamSettings(host=endpoint.host, port=endpoint.port, tls="starttls",
                                timeout_seconds=timeout)
    connection = UpstreamConnection(settings, tls_context(endpoint.ca_file))
    reply = await connection.connect("bench.client")
    if reply.code != 250:
        connection.abort()     # as a client does; an open one would idle in the daemon
        raise RuntimeError(f"EHLO refused: {reply.text()}")
    if endpoint.user:
        token = base64.b64encode(f"\0{endpoint.user}\0{endpoint.password}".encode())
        reply = await connection.command(b"AUTH PLAIN " + token)
        if reply.code != 235:
            connection.abort()
            raise RuntimeError(f"AUTH refused: {reply.text()}")
    return connection


async def send(connection: UpstreamConnection, raw: bytes,
               rcpts: tuple[str, ...] = ("maria@customer.example",),
               mail_from: str = "alice@example.com", verbatim: bool = False) -> Reply:
    """One transaction; returns the first refusal or the DATA reply.

    ``verbatim``: ``raw`` goes out as it is, its own end of data included (no
    dot-stuffing, no refusal of bare CR or LF: what a hostile client sends).
    """
    reply = await connection.command(f"MAIL FROM:<{mail_from}>".encode())
    if reply.code != 250:
        return reply
    accepted = 0
    last = reply
    for rcpt in rcpts:
        last = await connection.command(f"RCPT TO:<{rcpt}>".encode())
        accepted += last.code == 250
    if not accepted:
        await connection.command(b"RSET")
        return last
    if not verbatim:
        return await connection.send_data(raw)
    reply = await connection.command(b"DATA")
    if reply.code != 354:
        return reply
    await connection.write(raw)
    return await connection.read_reply()


# -- messages and numbers -------------------------------------------------------------

def text_message(size: int, seq: int = 0, extra_headers: str = "") -> bytes:
    """A plain-text business email of about ``size`` bytes."""
    head = (f"From: Alice <alice@example.com>\r\nTo: Maria <maria@customer.example>\r\n"
            f"Subject: Your renewal\r\nMessage-ID: <bench-{seq}@example.com>\r\n"
            f"X-Bench-Seq: {seq}\r\n{extra_headers}MIME-Version: 1.0\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\n")
    body = (PARAGRAPH * (size // len(PARAGRAPH) + 1))[: max(size - len(head), 0)]
    return head.encode() + body.replace("\n", "\r\n").encode()


def attachment_message(size: int, seq: int = 0) -> bytes:
    """A 2 KB text plus a base64 attachment, about ``size`` bytes in all."""
    text = text_message(2048, seq).split(b"\r\n\r\n", 1)[1]
    head = (f"From: Alice <alice@example.com>\r\nTo: Maria <maria@customer.example>\r\n"
            f"Subject: Contract\r\nMessage-ID: <bench-{seq}@example.com>\r\n"
            f"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n"
            f"--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n").encode()
    line = base64.b64encode(os.urandom(57)) + b"\r\n"
    lines = max((size - len(head) - len(text) - 120) // len(line), 1)
    return (head + text + b"\r\n--B\r\nContent-Type: application/pdf\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n" + line * lines + b"--B--\r\n")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {"p50": percentile(values, 0.5), "p90": percentile(values, 0.9),
            "p99": percentile(values, 0.99), "mean": statistics.fmean(values)}


def print_table(title: str, headers: list[str], rows: list[list[object]]) -> None:
    cells = [headers] + [[f"{c:.2f}" if isinstance(c, float) else str(c) for c in r]
                         for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    print(f"\n{title}")
    for index, row in enumerate(cells):
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            print("  ".join("-" * width for width in widths))
