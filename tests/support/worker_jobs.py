"""Jobs for the scoring-worker tests: module-level, so a spawned worker can import them.

Each takes the worker's scorer first, as ``ScoringWorkers.run`` calls it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def worker_pid(scorer: Any) -> int:
    return os.getpid()


def scorer_type(scorer: Any) -> str:
    return type(scorer).__name__


def sleep_then_pid(scorer: Any, seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def touch(scorer: Any, path: str) -> int:
    Path(path).touch()
    return os.getpid()


def touch_then_wait_for(scorer: Any, running: str, go: str) -> int:
    """Touch ``running``, then end once ``go`` exists (polled every 10 ms)."""
    Path(running).touch()
    while not Path(go).exists():
        time.sleep(0.01)
    return os.getpid()


def fail(scorer: Any, message: str) -> None:
    raise ValueError(message)


def unpicklable_result(scorer: Any) -> Callable[[], None]:
    return lambda: None


def echo_size(scorer: Any, data: bytes) -> tuple[int, bytes]:
    """The size of ``data`` and a copy of it: a huge job both ways."""
    return len(data), data


def imported(scorer: Any, module: str) -> bool:
    import sys
    return module in sys.modules


def allocate_mb(scorer: Any, megabytes: int) -> int:
    """Hold ``megabytes`` of memory at once (past a worker's cap: MemoryError)."""
    held = bytearray(megabytes * 1024 * 1024)
    return len(held) // (1024 * 1024)


def spin_forever(scorer: Any) -> None:
    """CPU work that never ends, as a pathological regex would."""
    while True:
        pass


def touch_then_spin_forever(scorer: Any, path: str) -> None:
    """``spin_forever``, once ``path`` shows the job is running."""
    Path(path).touch()
    spin_forever(scorer)


def measured(scorer: Any, job_name: str, *args: Any) -> tuple[float, float, Any]:
    """One of the daemon's scoring jobs (daemon/application/score_draft.py) by name:
    its CPU seconds (the work, which a loaded machine does not lengthen), the worker's
    peak RSS in MB while it ran, and its result."""
    from daemon.application import score_draft as jobs
    try:
        Path("/proc/self/clear_refs").write_text("5")     # the peak starts again from now
    except OSError:
        pass                                              # then: the peak since start
    started = time.process_time()
    result = getattr(jobs, job_name)(scorer, *args)
    seconds = time.process_time() - started
    peak_kb = next(int(line.split()[1]) for line in
                   Path("/proc/self/status").read_text().splitlines()
                   if line.startswith("VmHWM:"))
    return seconds, peak_kb / 1024, result
