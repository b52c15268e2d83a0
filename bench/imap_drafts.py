"""What scoring hostile IMAP drafts costs the daemon process (prints a table).

    .venv/bin/python bench/imap_drafts.py [--max-mb 50] [--memory-mb 1024]

Each hostile message (bench/hostile_corpus.py) is served as a new draft by a fake IMAP
client and goes through the Drafts watcher's own code (``score_new_drafts``) in a
thread, as an account thread runs it, while the event loop is probed every 10 ms (the
lag an EHLO or a /v1/health would see). Two ways to score:

- thread: the scoring core in the account thread (``LocalScoring``; what the daemon
  did before issue 13, and what ``trustmail sync`` does);
- pool: in the daemon's scoring worker (``PooledScoring``: the daemon now).

Per message: seconds, the loop's worst lag, and the daemon process's RSS growth.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from hostile_corpus import MIB, hostile  # noqa: E402
from smtp_bench_support import print_table  # noqa: E402

from daemon.config.load import load_config  # noqa: E402
from daemon.config.sections import AccountSettings  # noqa: E402
from daemon.imap.drafts import FETCH_ITEM, score_new_drafts  # noqa: E402
from daemon.imap.mail_scoring import LocalScoring, MailScoring, PooledScoring  # noqa: E402
from daemon.scoring_service.service import ScoringService  # noqa: E402
from daemon.store.database import open_store  # noqa: E402
from scoring import Scorer  # noqa: E402

ACCOUNT = AccountSettings(name="bench", host="h", port=993, tls="implicit", username="u")
TICK = 0.01


class OneDraft:
    """The IMAPClient calls of the watcher, over one draft at UID 1."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    def folder_status(self, folder: str, items: Sequence[str]) -> dict[bytes, int]:
        return {b"UIDVALIDITY": 1, b"UIDNEXT": 2}

    def search(self, criteria: Sequence[str]) -> list[int]:
        return [1]

    def fetch(self, uids: Sequence[int], items: Sequence[str]) -> dict[int, dict[bytes, bytes]]:
        return {1: {FETCH_ITEM: self.raw}}

    def add_flags(self, uids: Sequence[int], flags: Sequence[bytes]) -> None:
        pass


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def one(scoring: MailScoring, raw: bytes, folder: Path) -> tuple[float, float, float]:
    """Seconds, worst loop lag (ms) and RSS growth (MB) of scoring ``raw`` as a draft."""
    store = open_store(str(folder / f"store-{time.monotonic_ns()}.sqlite3"))
    client = OneDraft(raw)
    before, worst = rss_mb(), 0.0
    started = time.perf_counter()
    scored = asyncio.ensure_future(asyncio.to_thread(
        score_new_drafts, client, store, ACCOUNT, "Drafts", scoring))
    while not scored.done():
        tick = time.perf_counter()
        await asyncio.sleep(TICK)
        worst = max(worst, time.perf_counter() - tick - TICK)
    await scored
    seconds = time.perf_counter() - started
    store.close()
    return seconds, worst * 1000, rss_mb() - before


async def main_async(args: argparse.Namespace) -> None:
    settings = load_config(None).scoring
    local = LocalScoring(Scorer(settings))
    local.scorer.score_text("Hello Anna, I will send the contract by Friday.")
    service = ScoringService.in_processes(settings, workers=1, memory_mb=args.memory_mb)
    await service.acquire()
    await service.ready()
    pooled = PooledScoring(service, asyncio.get_running_loop())
    rows: list[list[object]] = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            for name, raw in hostile(int(args.max_mb * MIB)).items():
                for label, scoring in (("thread", local), ("pool", pooled)):
                    seconds, lag, growth = await one(scoring, raw, Path(folder))
                    rows.append([name, label, f"{len(raw) / 1e6:.2f}", seconds, lag, growth])
    finally:
        service.release()
    print_table("Hostile IMAP drafts: what the daemon process pays",
                ["message", "scored in", "MB", "seconds", "worst loop lag ms",
                 "daemon RSS growth MB"], rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-mb", type=float, default=50.0,
                        help="build each message at most this big (MiB)")
    parser.add_argument("--memory-mb", type=int, default=1024)
    asyncio.run(main_async(parser.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
