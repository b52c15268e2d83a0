"""The running daemon's state file (``<data dir>/daemon.json``), read by ``status``.

The daemon writes it after its services started and removes it on a clean stop; a
file whose pid is gone is stale (the daemon was killed).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from daemon import paths

STATE_FILE_NAME = "daemon.json"


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


def read_state(path: Path | None = None) -> dict[str, Any] | None:
    """The state the daemon wrote, or None if there is none (or it is unreadable)."""
    try:
        data = json.loads((path or state_file()).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_state(path: Path, state: dict[str, Any]) -> None:
    """Write atomically, so ``status`` never reads half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(state, indent=2), "utf-8")
    temporary.replace(path)
