"""Helpers to run the SMTP proxy in a test: in-process on the test's event loop, or as
a real ``trustmail run`` subprocess, and to drive it with real clients (swaks, smtplib).

    async with running_proxy(upstream, tmp_path) as proxy:
        result = await swaks(proxy.port, upstream, "--to", "bob@example.org")
        assert result.code == 0

The in-process proxy uses the real scoring core (``scoring.Scorer`` from the shipped
config, built once per test session).
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import functools
import os
import shutil
import signal
import smtplib
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from support.ports import free_port
from support.smtp_upstream import SmtpUpstream

from daemon.config.load import load_config
from daemon.config.sections import ListenAddress, SmtpSettings, UpstreamSettings
from daemon.scoring_service.scorer import Scorer
from daemon.smtp_proxy.service import SmtpProxyService
from daemon.store.database import Store, open_store

REPO = Path(__file__).resolve().parents[2]
TRUSTMAIL = Path(sys.executable).parent / "trustmail"
SWAKS_TIMEOUT_SECONDS = 60
DAEMON_START_SECONDS = 20.0
ATTACHMENT_CHUNK = 57 * 1024       # base64 turns 57 bytes into one 76-char line

GOOD_BODY = ("Hello Maria,\n\nthanks for your question about the renewal. The price stays at "
             "EUR 40 per seat and there is no setup fee. I will send you the signed contract "
             "by Friday 3 pm.\n\nBest regards,\nAlice\n")
# a weak reply under the shipped rules: blame, a vague promise with no owner, talking down
HEDGING_BODY = ("Hi,\n\nThe delay was caused by our carrier, not us. Delivery is guaranteed "
                "tomorrow, no matter what. Someone will get back to you soon. As I already "
                "explained, you should have read the manual. What would you like us to do?"
                "\n\nAlice\n")


@functools.lru_cache(maxsize=1)
def real_scorer() -> Scorer:
    """The real scoring core with the shipped config (warm: readability data loaded)."""
    from scoring import Scorer as CoreScorer
    scorer: Scorer = CoreScorer(load_config(None).scoring)
    scorer.score_message(b"Subject: warm up\r\n\r\nHello.\r\n")
    return scorer


def message(body: str = GOOD_BODY, subject: str = "Your renewal",
            sender: str = "alice@example.com", to: str = "maria@customer.example",
            extra_headers: str = "", message_id: str = "<m1@example.com>") -> bytes:
    """A small RFC 5322 message with CRLF line ends."""
    head = (f"From: Alice <{sender}>\nTo: Maria <{to}>\nSubject: {subject}\n"
            f"Date: Wed, 25 Nov 2026 10:00:00 +0100\nMessage-ID: {message_id}\n"
            f"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n{extra_headers}")
    return (head + "\n" + body).replace("\n", "\r\n").encode("utf-8")


def message_with_attachment(size: int, text: str = GOOD_BODY) -> bytes:
    """A multipart message with a base64 attachment of about ``size`` bytes."""
    chunk = base64.encodebytes(os.urandom(min(size, ATTACHMENT_CHUNK)))
    encoded = (chunk * (size // len(chunk) + 1))[: size // 77 * 77]
    head = message(body="", extra_headers="")
    head = head.replace(b"Content-Type: text/plain; charset=utf-8",
                        b'Content-Type: multipart/mixed; boundary="BOUNDARY"')
    body = (b"--BOUNDARY\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            + text.replace("\n", "\r\n").encode() + b"--BOUNDARY\r\n"
            b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
            b'Content-Disposition: attachment; filename="data.bin"\r\n\r\n'
            + encoded.replace(b"\n", b"\r\n") + b"--BOUNDARY--\r\n")
    return head + body


@dataclass
class RunningProxy:
    service: SmtpProxyService
    store: Store
    upstream: SmtpUpstream

    @property
    def port(self) -> int:
        assert self.service.address is not None
        return self.service.address[1]

    def recorded(self) -> list[dict[str, Any]]:
        return [dict(row) for row in self.store.query("SELECT * FROM messages ORDER BY id")]


def proxy_settings(upstream: SmtpUpstream, **overrides: Any) -> SmtpSettings:
    """Proxy settings on a free loopback port, relaying to ``upstream``."""
    upstream_settings = UpstreamSettings(host=upstream.host, port=upstream.port,
                                         tls=upstream.tls, ca_file=str(upstream.ca_file),
                                         timeout_seconds=overrides.pop("timeout_seconds", 10.0))
    settings = SmtpSettings(listen=ListenAddress("127.0.0.1", 0), upstream=upstream_settings)
    return dataclasses.replace(settings, **overrides)


@asynccontextmanager
async def running_proxy(upstream: SmtpUpstream, directory: Path,
                        scorer: Scorer | None = None, keep_bodies: bool = False,
                        **overrides: Any) -> AsyncIterator[RunningProxy]:
    """Start the proxy service on the running loop; stop it (gracefully) afterwards."""
    store = open_store(str(directory / "store.sqlite3"), keep_bodies=keep_bodies)
    service = SmtpProxyService(proxy_settings(upstream, **overrides), store,
                               scorer or real_scorer(), data_dir=directory / "data")
    await service.start()
    try:
        yield RunningProxy(service, store, upstream)
    finally:
        await service.stop()
        store.close()


async def wait_until(condition: Any, timeout: float = 5.0) -> bool:
    """Poll ``condition()`` on the loop until true or the timeout passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.02)
    return bool(condition())


# -- real clients ------------------------------------------------------------------------

@dataclass
class SwaksResult:
    code: int
    transcript: str

    def replies_to(self, command: str) -> list[str]:
        """Server reply lines that followed ``command`` (e.g. "RCPT TO")."""
        lines = self.transcript.splitlines()
        found: list[str] = []
        for index, line in enumerate(lines):
            if command in line and line.lstrip().startswith(("~>", "->")):
                for reply in lines[index + 1:]:
                    if reply.lstrip().startswith(("<~", "<-", "<**", "<~*")):
                        found.append(reply.strip())
                        if not reply.split(None, 2)[1][3:4] == "-":
                            break
                    elif found:
                        break
        return found


async def swaks(port: int, *args: str, auth: tuple[str, str] | None = None,
                tls: bool = True, data: bytes | None = None) -> SwaksResult:
    """Run the Debian ``swaks`` client against the proxy (STARTTLS + AUTH PLAIN by default)."""
    command = ["swaks", "--server", f"127.0.0.1:{port}", "--helo", "client.test",
               "--timeout", "30"]
    if tls:
        command.append("--tls")
    if auth is not None:
        command += ["--auth", "PLAIN", "--auth-user", auth[0], "--auth-password", auth[1]]
    if data is not None:
        command += ["--data", "-"]
    command += list(args)
    process = await asyncio.create_subprocess_exec(
        *command, stdin=asyncio.subprocess.PIPE if data is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(process.communicate(data), SWAKS_TIMEOUT_SECONDS)
    assert process.returncode is not None
    return SwaksResult(process.returncode, out.decode("utf-8", "replace"))


def swaks_available() -> bool:
    return shutil.which("swaks") is not None


def smtp_client(port: int, upstream: SmtpUpstream | None, starttls: bool = True,
                timeout: float = 30.0) -> smtplib.SMTP:
    """A stdlib smtplib client, after EHLO, STARTTLS and (if ``upstream`` has users) AUTH."""
    client = smtplib.SMTP("127.0.0.1", port, timeout=timeout)
    client.ehlo("client.test")
    if starttls:
        client.starttls(context=unverified_context())
        client.ehlo("client.test")
    if upstream is not None and upstream.users:
        client.login(upstream.user, upstream.password)
    return client


def unverified_context() -> ssl.SSLContext:
    """The proxy's certificate is self-signed: the tests' clients accept it as is."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


# -- the daemon as a subprocess -------------------------------------------------------

@dataclass
class DaemonProcess:
    process: subprocess.Popen[bytes]
    port: int
    config_file: Path
    env: dict[str, str]
    log_file: Path

    def trustmail(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run another ``trustmail`` command with the daemon's environment."""
        return subprocess.run([str(TRUSTMAIL), *args], env=self.env, capture_output=True,
                              text=True, timeout=60)

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def log(self) -> str:
        return self.log_file.read_text("utf-8", "replace")

    def wait(self, timeout: float = 30.0) -> int:
        return self.process.wait(timeout)


def daemon_config(upstream: SmtpUpstream, port: int, extra: str = "", top: str = "") -> str:
    """A ``--config`` file: the proxy on ``port``, other listeners on free ports.

    ``extra`` lines go into the ``[smtp]`` table (e.g. ``policy = "warn"``), ``top``
    lines before any table (e.g. ``log_level = "debug"``).
    """
    return (f'{top}\n[api]\nlisten = "127.0.0.1:{free_port()}"\n\n'
            f'[smtp]\nlisten = "127.0.0.1:{port}"\n{extra}\n\n' + upstream.proxy_config())


@contextmanager
def daemon_process(upstream: SmtpUpstream, home: Path, extra: str = "",
                   top: str = "") -> Iterator[DaemonProcess]:
    """``trustmail run --config FILE`` with XDG dirs under ``home``; killed afterwards."""
    port = free_port()
    config_file = home / "test.toml"
    config_file.write_text(daemon_config(upstream, port, extra, top), "utf-8")
    env = dict(os.environ)
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        folder = home / name.lower()
        folder.mkdir(parents=True, exist_ok=True)
        env[name] = str(folder)
    env["XDG_CONFIG_DIRS"] = str(home / "site")
    log_file = home / "daemon.log"
    with log_file.open("wb") as log:
        process = subprocess.Popen([str(TRUSTMAIL), "run", "--config", str(config_file)],
                                   env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
    daemon = DaemonProcess(process, port, config_file, env, log_file)
    try:
        wait_for_port(port, process, log_file)
        yield daemon
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait(10)


def wait_for_port(port: int, process: subprocess.Popen[bytes], log_file: Path) -> None:
    deadline = time.monotonic() + DAEMON_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"trustmail run exited early:\n{log_file.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"trustmail run did not listen on {port}:\n{log_file.read_text()}")


def send_message(port: int, upstream: SmtpUpstream, raw: bytes,
                 rcpts: tuple[str, ...] = ("maria@customer.example",)) -> tuple[int, bytes]:
    """Send with smtplib; return the DATA reply (code, text) or raise on a refusal earlier."""
    client = smtp_client(port, upstream)
    try:
        client.mail("alice@example.com")
        for rcpt in rcpts:
            client.rcpt(rcpt)
        return client.data(raw)
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()
