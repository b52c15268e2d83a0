"""For bench/loop_lag.py: the CPU time of every event-loop callback of ``trustmail run``.

bench/loop_lag.py puts this folder on the daemon's PYTHONPATH and names a log file in
TRUSTMAIL_LOOP_METER; Python imports ``sitecustomize`` at start-up, and in the daemon
(only: workers, the probe and the upstream are other programs) each callback that
takes more than LOGGED_MS of the loop thread's CPU time is logged as
``monotonic_at_end cpu_ms wall_ms``. CPU time, unlike a probe's latency, does not grow
when other processes take the machine's cores: it is the time the loop itself was busy.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

LOGGED_MS = 2.0


def meter(log_path: str) -> None:
    import asyncio.events

    log = open(log_path, "a", buffering=1)  # noqa: SIM115 - open for the process's life
    run = asyncio.events.Handle._run

    def timed_run(handle: asyncio.events.Handle) -> None:
        cpu, wall = time.thread_time(), time.monotonic()
        try:
            run(handle)
        finally:
            cpu_ms = (time.thread_time() - cpu) * 1000
            if cpu_ms > LOGGED_MS:
                now = time.monotonic()
                log.write(f"{now:.4f} {cpu_ms:.2f} {(now - wall) * 1000:.2f}\n")

    asyncio.events.Handle._run = timed_run  # type: ignore[method-assign]


if os.environ.get("TRUSTMAIL_LOOP_METER") and Path(sys.argv[0]).name == "trustmail" \
        and sys.argv[1:2] == ["run"]:
    meter(os.environ["TRUSTMAIL_LOOP_METER"])
