"""Scoring speed on real emails, side by side with proselint (prints a table).

    .venv/bin/python bench/speed.py ../shared/eval

Rebuilds the 500 Enron emails of tasks-enron.dev.jsonl by joining their sentences,
scores each in-process (after a warm-up), runs proselint on the same texts in the same
process, and times `trustmail score FILE` as a user runs it. The scoring core runs as
the checkout has it: compiled with mypyc when build/native is fresh (see
scoring/native.py); a second row, from a child process, shows it as pure Python.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from daemon.config.load import load_config  # noqa: E402
from scoring import Scorer, native  # noqa: E402

CLI_RUNS = 5
ROUNDS = 5   # each email is timed once per round; its latency is the median of rounds


def enron_emails(eval_dir: Path) -> list[str]:
    sentences: dict[int, list[str]] = defaultdict(list)
    with (eval_dir / "tasks-enron.dev.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            sentences[int(row["email"])].append(row["text"])
    return [" ".join(parts) for _, parts in sorted(sentences.items())]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def time_each(function, texts: list[str]) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for text in texts:
        start = time.perf_counter()
        function(text)
        times.append(time.perf_counter() - start)
    return times


def time_rounds(tools: dict, texts: list[str]) -> dict[str, list[float]]:  # type: ignore[type-arg]
    """Interleave the tools round by round (same machine state for both), with the garbage
    collector paused while timing; per email keep the median over the rounds."""
    samples: dict[str, list[list[float]]] = {name: [] for name in tools}
    for _ in range(ROUNDS):
        for name, function in tools.items():
            reset = getattr(function, "__self__", None)
            if hasattr(reset, "clear_caches"):
                reset.clear_caches()   # every round scores cold: no sentence seen before
            gc.collect()
            gc.disable()
            try:
                samples[name].append(time_each(function, texts))
            finally:
                gc.enable()
    return {name: [statistics.median(per_email) for per_email in zip(*rounds, strict=True)]
            for name, rounds in samples.items()}


def pure_python_times(eval_dir: Path) -> list[float]:
    """The same measurement in a child process that runs the sources as pure Python."""
    child = subprocess.run(
        [sys.executable, __file__, str(eval_dir), "--times-only"], check=True,
        capture_output=True, text=True, env={**os.environ, native.PURE_PYTHON_ENV: "1"})
    times: list[float] = json.loads(child.stdout)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("eval_dir", type=Path)
    parser.add_argument("--times-only", action="store_true",
                        help="print trustmail's per-email times as JSON (for the pure row)")
    args = parser.parse_args()
    texts = enron_emails(args.eval_dir)
    scorer = Scorer(load_config().scoring)
    for text in texts[:20]:
        scorer.score_text(text)           # warm-up
    if args.times_only:
        print(json.dumps(time_rounds({"trustmail": scorer.score_text}, texts)["trustmail"]))
        return 0
    build = native.describe()
    tools = {f"trustmail ({build})": scorer.score_text}
    try:
        from proselint.checks import __register__  # type: ignore[import-untyped]
        from proselint.registry import CheckRegistry  # type: ignore[import-untyped]
        from proselint.tools import LintFile  # type: ignore[import-untyped]

        CheckRegistry().register_many(__register__)   # as proselint's own CLI does

        def lint(text: str) -> object:
            return LintFile("<email>", text).lint()

        lint(texts[0])
        tools["proselint"] = lint
    except ImportError:
        print("proselint is not installed (pip install '.[bench]'); skipping it")
    rows = list(time_rounds(tools, texts).items())
    if build != "pure Python":
        rows.insert(1, ("trustmail (pure Python)", pure_python_times(args.eval_dir)))

    mean_chars = statistics.mean(len(t) for t in texts)
    print(f"## Scoring speed: {len(texts)} Enron emails, mean {mean_chars:.0f} characters, "
          f"median of {ROUNDS} interleaved rounds per email\n")
    print("| scorer | emails/s | p50 ms | p99 ms | total s |\n|---|---|---|---|---|")
    throughput = {}
    for name, times in rows:
        total = sum(times)
        throughput[name] = len(times) / total
        print(f"| {name} | {throughput[name]:.0f} | {statistics.median(times) * 1000:.3f} | "
              f"{percentile(times, 0.99) * 1000:.3f} | {total:.2f} |")
    if "proselint" in throughput:
        print(f"\nthroughput ratio trustmail ({build}) / proselint: "
              f"{throughput[f'trustmail ({build})'] / throughput['proselint']:.1f}x")

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write(texts[0])
    walls = []
    for _ in range(CLI_RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "daemon.cli", "score", handle.name],
                       capture_output=True, check=False)
        walls.append(time.perf_counter() - start)
    print(f"\n`trustmail score FILE` wall time over {CLI_RUNS} runs: "
          f"median {statistics.median(walls):.3f} s, max {max(walls):.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
