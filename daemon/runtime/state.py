"""The running daemon's state file (``<data dir>/daemon.json``), read by ``status``.

The daemon writes it after its services started and removes it on a clean stop; a
file whose pid is gone is stale (the daemon was killed). A pid alone is not proof:
after a kill -9 the pid can be a zombie nobody reaped, or belong to an unrelated
process that got the same number. So the file also records the process's start time
(``/proc/<pid>/stat``), and :func:`daemon_running` checks both.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from daemon.config import paths

STATE_FILE_NAME = "daemon.json"
PROC = Path("/proc")
DEAD_STATES = ("Z", "X", "x")      # zombie, dead: the process serves nothing any more
PROCESS_START_KEY = "process_start"
DAEMON_CMDLINE_MARK = b"trustmail"


def state_file(data_dir: Path | None = None) -> Path:
    return (data_dir or paths.data_dir()) / STATE_FILE_NAME


def pid_alive(pid: int) -> bool:
    """True if a process with this pid exists (signal 0 probes without killing)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _proc_stat(pid: int, proc: Path = PROC) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (state first)."""
    try:
        text = (proc / str(pid) / "stat").read_text("ascii", errors="replace")
    except OSError:
        return None
    # The command name is in parentheses and may itself contain ") ": split at the last.
    return text[text.rfind(")") + 1:].split()


def process_start(pid: int, proc: Path = PROC) -> int | None:
    """The process's start time in clock ticks after boot, or None without /proc."""
    fields = _proc_stat(pid, proc)
    if fields is None or len(fields) < 20:
        return None
    try:
        return int(fields[19])      # field 22 of proc(5); fields[0] is field 3
    except ValueError:
        return None


def daemon_running(state: dict[str, Any] | None, proc: Path = PROC) -> bool:
    """True if the state file's pid is the live daemon that wrote it.

    False when the pid is gone, a zombie, or a different process (its start time
    differs from the recorded one; for a file without one, its command line does not
    mention trustmail). Without /proc (not Linux) a live pid is trusted.
    """
    pid = state.get("pid") if state else None
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0 or not pid_alive(pid):
        return False
    fields = _proc_stat(pid, proc)
    if fields is None:
        return not (proc / "self").exists()    # /proc exists but has no such pid: gone
    if fields and fields[0] in DEAD_STATES:
        return False
    assert state is not None
    recorded = state.get(PROCESS_START_KEY)
    if isinstance(recorded, int):
        return process_start(pid, proc) == recorded
    try:
        cmdline = (proc / str(pid) / "cmdline").read_bytes()
    except OSError:
        return True
    return DAEMON_CMDLINE_MARK in cmdline


def read_state(path: Path | None = None) -> dict[str, Any] | None:
    """The state the daemon wrote, or None if there is none (or it is unreadable)."""
    try:
        data = json.loads((path or state_file()).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_state(path: Path, state: dict[str, Any]) -> None:
    """Write atomically (``status`` never reads half a file), mode 0600 in a 0700 dir.

    The start time of ``state["pid"]`` is added, so a later reuse of the pid is seen.
    """
    pid = state.get("pid")
    if isinstance(pid, int) and PROCESS_START_KEY not in state:
        start = process_start(pid)
        if start is not None:
            state = {**state, PROCESS_START_KEY: start}
    paths.write_private_file(path, json.dumps(state, indent=2).encode("utf-8"))
