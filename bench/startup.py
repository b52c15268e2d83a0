"""How long `trustmail score FILE` takes on a one-paragraph draft, wall clock.

    .venv/bin/python bench/startup.py [--runs 5] [--trustmail PATH]

Runs the real command in a fresh process, with a cache dir of its own: "cold" empties
it before each run (the rule packs are compiled and the cache written), "warm" keeps
it (the compiled rule packs are read from it). Each for the build the checkout has
(see `trustmail --version`) and for pure Python. Prints the median and the spread of the
wall time, and the median CPU time (user + system), which a busy machine inflates less.

Bytecode is cached (in a folder of the run's own, whatever PYTHONDONTWRITEBYTECODE
says), as after `pip install`: otherwise every run compiles the checkout's sources
again, some 60 ms that no installed trustmail spends.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DRAFT = ("Hi Anna, thanks for the update on the quarterly numbers. I will send you the "
         "revised forecast by Friday, and I think we can probably close the gap in the "
         "second half if the new pricing holds. Let me know if you need anything else "
         "before the board meeting.\n")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run."""
    cpu, started = children_cpu(), time.perf_counter()
    subprocess.run(command, env=env, check=False, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started, children_cpu() - cpu


def measure(command: list[str], env: dict[str, str], cache: Path, cold: bool,
            runs: int) -> list[tuple[float, float]]:
    times = []
    one_run(command, env)     # the OS's file cache warm, and (for warm) the rulebook cache
    for _ in range(runs):
        if cold:
            shutil.rmtree(cache, ignore_errors=True)
        times.append(one_run(command, env))
    return times


def without_bytecode_opt_out(environ: Mapping[str, str]) -> dict[str, str]:
    return {key: value for key, value in environ.items()
            if key != "PYTHONDONTWRITEBYTECODE"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--trustmail", default=str(Path(sys.executable).parent / "trustmail"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="trustmail-startup-") as work:
        draft = Path(work) / "draft.txt"
        draft.write_text(DRAFT, encoding="utf-8")
        command = [args.trustmail, "score", str(draft)]
        version = subprocess.run([args.trustmail, "--version"], capture_output=True,
                                 text=True, check=False).stdout.strip()
        print(version)
        print(f"{'build':<12} {'start':<6} {'median s':>9} {'min s':>7} {'max s':>7} "
              f"{'cpu s':>6}")
        for build, extra in (("as built", {}), ("pure Python", {"TRUSTMAIL_PURE_PYTHON": "1"})):
            for cold in (True, False):
                cache = Path(work) / "cache"
                env = {**without_bytecode_opt_out(os.environ), "XDG_CACHE_HOME": str(cache),
                       "PYTHONPYCACHEPREFIX": str(Path(work) / "pycache"), **extra}
                runs = measure(command, env, cache / "trustmail", cold, args.runs)
                wall = [w for w, _ in runs]
                cpu = statistics.median(c for _, c in runs)
                print(f"{build:<12} {'cold' if cold else 'warm':<6} "
                      f"{statistics.median(wall):>9.3f} {min(wall):>7.3f} {max(wall):>7.3f} "
                      f"{cpu:>6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
