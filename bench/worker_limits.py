"""Per-message cost in a scoring worker of issue 13's hostile mail (prints a table).

    .venv/bin/python bench/worker_limits.py [--memory-mb 1024] [--budget 5]

Each hostile message (bench/hostile_corpus.py, up to the 50 MiB size limit) goes
through the daemon's real jobs in one real scoring worker, as the daemon runs it
(``[smtp] score_worker_memory_mb`` cap, a job budget):

- proxy: ``score_relayed`` of what the SMTP proxy sends its worker (the message's
  first MAX_SCORED_BYTES, 2 MiB);
- API raw: ``score_draft`` of the message as a raw draft; API original: a short text
  reply to it as its raw original (both capped at the API's 5 MiB body limit);
- IMAP: ``score_mail`` of the message as an IMAP draft (its header record and report;
  the IMAP sync sends its worker the first MAX_SCORED_BYTES too).

Wall time of the job in the worker, and the worker's peak RSS while it ran (VmHWM,
reset before each job through /proc/self/clear_refs: it includes the message itself).
Target (issue 13): <= 2 s and <= 300 MB for any message. "outcome" is "ok", the error
a job answered, or the pool's error (JobTimedOut, WorkerOutOfMemory).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from hostile_corpus import hostile  # noqa: E402
from smtp_bench_support import print_table  # noqa: E402

from daemon.application.score_draft import DraftRequest, Original, score_draft, score_relayed  # noqa: E402
from daemon.config.load import load_config  # noqa: E402
from daemon.imap.mail_scoring import score_mail  # noqa: E402
from daemon.mail.bounded import MAX_SCORED_BYTES  # noqa: E402
from daemon.scoring_service.pool import ScoringWorkers, WorkerError  # noqa: E402

API_BODY_LIMIT = 5 * 1024 * 1024      # [api] max_body_bytes (the JSON body, base64 inside)
API_RAW_LIMIT = API_BODY_LIMIT * 3 // 4 - 1024
NOW = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measured(scorer: Any, path: str, raw: bytes) -> tuple[float, float, str]:
    """In the worker: run the path's job on ``raw``; its seconds, the peak RSS (MB) and
    its outcome. MemoryError goes on up: the worker answers it as the daemon's would."""
    Path("/proc/self/clear_refs").write_text("5")       # VmHWM := current RSS
    started = time.perf_counter()
    outcome = "ok"
    try:
        if path == "proxy":
            score_relayed(scorer, raw, NOW)
        elif path == "IMAP":
            score_mail(scorer, raw, "draft", NOW)
        elif path == "API raw":
            score_draft(scorer, DraftRequest(None, raw, None, "auto", NOW))
        else:
            original = Original(raw, None, None, "", text_pending=True)
            score_draft(scorer, DraftRequest("Hi Maria, I will fix the invoice today.", None,
                                      original, "auto", NOW))
    except MemoryError:
        raise
    except Exception as error:  # noqa: BLE001 - reported in the table
        outcome = type(error).__name__
    return time.perf_counter() - started, peak_rss_mb(), outcome


async def main_async(args: argparse.Namespace) -> None:
    pool = ScoringWorkers(load_config(None).scoring, 1, memory_mb=args.memory_mb,
                          job_seconds=args.budget,
                          imports=("daemon.application.score_draft",
                                   "daemon.imap.mail_scoring"))
    await pool.start()
    rows: list[list[object]] = []
    worst_time = worst_rss = 0.0
    try:
        for name, raw in hostile().items():
            for path in ("proxy", "IMAP", "API raw", "API original"):
                message = raw[:MAX_SCORED_BYTES if path in ("proxy", "IMAP")
                              else API_RAW_LIMIT]
                started = time.perf_counter()
                try:
                    seconds, rss, outcome = await pool.run(measured, path, message)
                except WorkerError as error:
                    seconds, rss, outcome = time.perf_counter() - started, 0.0, \
                        type(error).__name__
                worst_time, worst_rss = max(worst_time, seconds), max(worst_rss, rss)
                rows.append([name, path, f"{len(message) / 1e6:.2f}", seconds, rss, outcome])
    finally:
        pool.close()
    print_table(f"Scoring hostile mail in one worker (cap {args.memory_mb} MB, "
                f"budget {args.budget:g} s)",
                ["message", "path", "MB in", "seconds", "peak RSS MB", "outcome"], rows)
    print(f"\nworst: {worst_time:.2f} s, {worst_rss:.0f} MB (target <= 2 s, <= 300 MB)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--memory-mb", type=int, default=1024)
    parser.add_argument("--budget", type=float, default=60.0,
                        help="job budget in seconds (high: measure, do not stop)")
    asyncio.run(main_async(parser.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
