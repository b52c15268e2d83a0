"""The daemon as a real process (``trustmail run``): status, SIGHUP reload, SIGTERM
graceful stop with a transaction in flight, kill -9 during a relay, config errors,
and logs that never hold bodies or passwords.
"""

from __future__ import annotations

import base64
import json
import signal
import smtplib
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.smtp_proxy import (
    HEDGING_BODY,
    TRUSTMAIL,
    DaemonProcess,
    daemon_config,
    daemon_process,
    message,
    send_message,
)
from support.smtp_upstream import SmtpUpstream

pytestmark = pytest.mark.real

RECIPIENT = "maria@customer.example"


@pytest.fixture
def upstream() -> Iterator[SmtpUpstream]:
    with SmtpUpstream.start() as server:
        yield server


def send(daemon: DaemonProcess, upstream: SmtpUpstream, raw: bytes) -> tuple[int, bytes]:
    return send_message(daemon.port, upstream, raw, (RECIPIENT,))


def children(pid: int) -> list[int]:
    """Ids of the processes whose parent is ``pid`` (from /proc)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines()
                          if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


def wait_for_status(daemon: DaemonProcess, code: int, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        result = daemon.trustmail("status")
        if result.returncode == code or time.monotonic() > deadline:
            assert result.returncode == code, result.stdout + result.stderr
            return result.stdout
        time.sleep(0.1)


def test_status_tells_what_runs_and_sigterm_stops_cleanly(upstream: SmtpUpstream,
                                                          tmp_path: Path) -> None:
    with daemon_process(upstream, tmp_path) as daemon:
        out = wait_for_status(daemon, 0)
        assert f"smtp: SMTP proxy listening on 127.0.0.1:{daemon.port}" in out
        assert f"relaying to 127.0.0.1:{upstream.port} (starttls), policy observe" in out
        as_json = json.loads(daemon.trustmail("status", "--json").stdout)
        assert as_json["running"] and as_json["pid"] == daemon.process.pid
        daemon.signal(signal.SIGTERM)
        assert daemon.wait() == 0
        assert "not running" in wait_for_status(daemon, 3)


def test_sighup_reloads_the_policy(upstream: SmtpUpstream, tmp_path: Path) -> None:
    raw = message(body=HEDGING_BODY)
    with daemon_process(upstream, tmp_path) as daemon:
        assert send(daemon, upstream, raw)[0] == 250          # observe
        daemon.config_file.write_text(daemon_config(upstream, daemon.port,
                                                    'policy = "warn"'))
        daemon.signal(signal.SIGHUP)
        assert "policy warn" in wait_until_status_contains(daemon, "policy warn")
        code, text = send(daemon, upstream, message(body=HEDGING_BODY + "\nAgain.\n"))
        assert code == 550 and b"trustmail: this email scored" in text
        # a broken config on SIGHUP is logged, and the running config stays
        daemon.config_file.write_text("[smtp]\npolicy = \"sometimes\"\n")
        daemon.signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while "reload-failed" not in daemon.log() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "reload-failed" in daemon.log()
        assert daemon.process.poll() is None
        assert "policy warn" in wait_for_status(daemon, 0)


def wait_until_status_contains(daemon: DaemonProcess, text: str, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    out = ""
    while time.monotonic() < deadline:
        out = daemon.trustmail("status").stdout
        if text in out:
            break
        time.sleep(0.1)
    return out


def test_sigterm_finishes_the_transaction_in_flight(upstream: SmtpUpstream,
                                                    tmp_path: Path) -> None:
    raw = message(extra_headers="X-Upstream-Fault: delay=1.5\n")
    with daemon_process(upstream, tmp_path) as daemon:
        result: dict[str, tuple[int, bytes]] = {}
        sender = threading.Thread(target=lambda: result.update(reply=send(daemon, upstream,
                                                                          raw)))
        sender.start()
        assert upstream.wait_for_data(1)          # the proxy now awaits the DATA reply
        daemon.signal(signal.SIGTERM)
        sender.join(20)
        assert daemon.wait() == 0
    assert result["reply"][0] == 250
    assert [m.data for m in upstream.wait_for_messages(1)] == [raw]
    with pytest.raises(OSError):                  # no longer listening
        smtplib.SMTP("127.0.0.1", daemon.port, timeout=2)


def test_kill_9_during_a_relay_leaves_the_client_without_a_250(upstream: SmtpUpstream,
                                                               tmp_path: Path) -> None:
    raw = message(extra_headers="X-Upstream-Fault: hang\n")
    with daemon_process(upstream, tmp_path) as daemon:
        outcome: dict[str, object] = {}

        def sender() -> None:
            try:
                outcome["reply"] = send(daemon, upstream, raw)
            except (smtplib.SMTPException, OSError) as error:
                outcome["error"] = error

        thread = threading.Thread(target=sender)
        thread.start()
        assert upstream.wait_for_data(1)          # the data is upstream, which hangs
        workers = children(daemon.process.pid)    # the scoring worker processes
        assert workers
        daemon.signal(signal.SIGKILL)
        thread.join(20)
        assert daemon.wait() == -signal.SIGKILL
        deadline = time.monotonic() + 10          # no orphans: workers follow the daemon
        while any(Path(f"/proc/{pid}").exists() for pid in workers) \
                and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]
        assert "not running (stale state file" in wait_for_status(daemon, 3)
    assert "reply" not in outcome, outcome       # never a 250 (nor any reply)
    assert isinstance(outcome["error"], smtplib.SMTPServerDisconnected)
    time.sleep(0.3)
    assert upstream.messages == []


def test_a_bad_config_stops_run_with_a_clear_error(tmp_path: Path) -> None:
    config_file = tmp_path / "bad.toml"
    config_file.write_text('[smtp]\nlisten = "0.0.0.0:2525"\n')
    result = subprocess.run([str(TRUSTMAIL), "run", "--config", str(config_file)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert str(config_file) in result.stderr and "smtp.listen" in result.stderr
    assert "not a loopback address" in result.stderr


def test_a_busy_port_stops_run_with_a_clear_error(upstream: SmtpUpstream,
                                                  tmp_path: Path) -> None:
    with daemon_process(upstream, tmp_path) as daemon:
        second_home = tmp_path / "second"
        second_home.mkdir()
        config_file = second_home / "same-port.toml"
        config_file.write_text(daemon_config(upstream, daemon.port))
        env = {**daemon.env, "XDG_DATA_HOME": str(second_home / "data")}
        result = subprocess.run([str(TRUSTMAIL), "run", "--config", str(config_file)],
                                env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{daemon.port}" in result.stderr


def test_logs_are_json_and_never_hold_bodies_or_passwords(upstream: SmtpUpstream,
                                                          tmp_path: Path) -> None:
    secret_text = "the-secret-body-phrase-4711"
    raw = message(body=f"Hello,\n{secret_text}\n")
    with daemon_process(upstream, tmp_path, top='log_level = "debug"') as daemon:
        assert send(daemon, upstream, raw)[0] == 250
        upstream.wait_for_messages(1)
        time.sleep(0.3)
        daemon.signal(signal.SIGTERM)
        daemon.wait()
        log = daemon.log()
    lines = [line for line in log.splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]
    assert {"ts", "level", "logger", "event"} <= set(entries[0])
    assert any(e["event"] == "relayed" for e in entries)
    plain = f"\0{upstream.user}\0{upstream.password}".encode()
    for forbidden in (secret_text, upstream.password, base64.b64encode(plain).decode()):
        assert forbidden not in log

