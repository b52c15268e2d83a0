"""A stale daemon.json (zombie or reused pid) must not block ``trustmail run``."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from daemon.app import Daemon, DaemonError
from daemon.cli import main
from daemon.runtime.state import (
    PROCESS_START_KEY,
    daemon_running,
    process_start,
    read_state,
    state_file,
    write_state,
)

SLEEP = [sys.executable, "-c", "import time; time.sleep(60)"]


def started(command: list[str]) -> subprocess.Popen[bytes]:
    """Popen, returning once the child runs ``command`` (right after the fork its
    /proc/<pid>/cmdline is still the parent's)."""
    process = subprocess.Popen(command)
    deadline = time.monotonic() + 10
    while b"time.sleep" not in Path(f"/proc/{process.pid}/cmdline").read_bytes():
        assert time.monotonic() < deadline, "the child did not start"
        time.sleep(0.01)
    return process


@pytest.fixture
def other_process() -> Iterator[subprocess.Popen[bytes]]:
    """A live process that is not a trustmail daemon."""
    process = started(SLEEP)
    yield process
    process.kill()
    process.wait()


def wait_for_zombie(pid: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        text = Path(f"/proc/{pid}/stat").read_text()
        if text[text.rfind(")") + 1:].split()[0] == "Z":
            return
        time.sleep(0.01)
    raise AssertionError(f"pid {pid} did not become a zombie")


def test_a_zombie_pid_is_not_a_running_daemon() -> None:
    process = subprocess.Popen([sys.executable, "-c", "pass", "trustmail"])
    try:
        wait_for_zombie(process.pid)           # exited, not reaped: kill(pid, 0) succeeds
        assert not daemon_running({"pid": process.pid})
    finally:
        process.wait()


def test_a_reused_pid_is_told_apart_by_its_start_time(
        other_process: subprocess.Popen[bytes]) -> None:
    start = process_start(other_process.pid)
    assert start is not None
    assert daemon_running({"pid": other_process.pid, PROCESS_START_KEY: start})
    assert not daemon_running({"pid": other_process.pid, PROCESS_START_KEY: start - 1})


def test_an_old_state_file_without_start_time_checks_the_command_line(
        other_process: subprocess.Popen[bytes]) -> None:
    assert not daemon_running({"pid": other_process.pid})      # python -c sleep: not ours
    ours = started([*SLEEP, "trustmail", "run"])
    try:
        assert daemon_running({"pid": ours.pid})
    finally:
        ours.kill()
        ours.wait()


def test_gone_or_malformed_pids_are_not_running() -> None:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    for state in ({"pid": process.pid}, {"pid": "1"}, {"pid": True}, {"pid": 0}, {}, None):
        assert not daemon_running(state)


def test_write_state_records_the_start_time_of_the_pid() -> None:
    write_state(state_file(), {"pid": os.getpid()})
    state = read_state()
    assert state is not None and state[PROCESS_START_KEY] == process_start(os.getpid())
    assert daemon_running(state)


def test_run_is_not_blocked_by_a_stale_file_but_is_by_a_live_daemon(
        other_process: subprocess.Popen[bytes], capsys: pytest.CaptureFixture[str]) -> None:
    start = process_start(other_process.pid)
    assert start is not None
    write_state(state_file(), {"pid": other_process.pid, PROCESS_START_KEY: start + 1})
    Daemon._check_not_running()                 # the pid was reused: no error
    assert main(["status"]) == 3
    assert "stale state file" in capsys.readouterr().out
    write_state(state_file(), {"pid": other_process.pid, PROCESS_START_KEY: start})
    with pytest.raises(DaemonError, match="already running"):
        Daemon._check_not_running()
    assert main(["status"]) == 0
