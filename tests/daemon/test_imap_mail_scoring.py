"""IMAP drafts and Sent mail are read and scored in the daemon's scoring workers (issue 13).

A fake IMAP client, a real store, and the daemon's real scoring service with its
worker process: a hostile draft costs the daemon process neither time on its event
loop (where the SMTP proxy and the API answer: a real API probed on /v1/health) nor
memory, and a draft past the workers' limits is skipped, not tried again.
"""

from __future__ import annotations

import asyncio
import gc
import os
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from imap_helpers import HOSTILE, FakeClient, RefusingScorer, mail
from support.api_client import call_sync, running_api
from support.reports import a_report

from daemon.config.load import load_config
from daemon.config.sections import AccountSettings
from daemon.imap.drafts import score_new_drafts
from daemon.imap.mail_scoring import PooledScoring, mail_scoring
from daemon.mail.bounded import MAX_ENCODED_WORDS
from daemon.scoring_service.pool import WorkersClosed
from daemon.scoring_service.service import ScoringService
from daemon.store.database import Store, open_store
from scoring.report import Report

ACCOUNT = AccountSettings(name="work", host="h", port=993, tls="implicit", username="u")
SENT_AT = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
CLEAR_DRAFT = mail("alice@example.com", "carla@customer.example", "Re: Invoice", SENT_AT,
                   "<d2@example.com>", body="Thank you. I will send the invoice by Friday.\n")
# ~5 MB of body: the worker reads its first MiB; the daemon must not grow by any of it
LONG_DRAFT = (b"Subject: long\r\n\r\n"
              + b"We will send it maybe soon!!! ... Can you?\r\n" * 120_000)
MEMORY_MB = 1024          # [smtp] score_worker_memory_mb's default
HOSTILE_COPIES = 8        # a few tenths of a second of the worker's CPU
MAX_LAG_SECONDS = 0.2     # no callback holds the event loop longer (in CPU time)
WORKER_CPU_SHARE = 4      # the account thread spends less than a quarter of the worker's
T = TypeVar("T")
MAX_GROWTH_MB = 30        # the daemon process's RSS over the drafts


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(str(tmp_path / "store.sqlite3"))
    yield opened
    opened.close()


@pytest.fixture
async def service() -> AsyncIterator[ScoringService]:
    """The daemon's scoring service, one warmed worker, acquired as the IMAP sync does."""
    shared = ScoringService.in_processes(load_config(None).scoring, RefusingScorer(),
                                         workers=1, memory_mb=MEMORY_MB)
    await shared.acquire()
    try:
        await shared.ready()
        yield shared
    finally:
        shared.release()


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


async def busiest_loop_turn(done: asyncio.Event, tick: float = 0.01) -> float:
    """The most CPU the event loop's thread spent between two 10 ms ticks until ``done``:
    how long a callback on the loop (a parse, a score) kept an EHLO or a /v1/health
    probe waiting. CPU, not wall time: waiting for a core of a loaded machine is not
    the daemon's doing."""
    worst = 0.0
    while not done.is_set():
        started = time.thread_time()
        await asyncio.sleep(tick)
        worst = max(worst, time.thread_time() - started)
    return worst


def cpu_seconds(pid: int) -> float:
    """The CPU time process ``pid`` has used (user and system)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def with_thread_cpu(call: Callable[[], T]) -> tuple[T, float]:
    """``call()`` and the CPU time it took in this thread. The test session's heap is
    collected and frozen first: a full collection of it that happens to start in this
    thread (0.1 s late in a whole-suite run) is no scoring."""
    gc.collect()
    gc.freeze()
    try:
        started = time.thread_time()
        result = call()
        return result, time.thread_time() - started
    finally:
        gc.unfreeze()


def drafts(store: Store) -> list[dict[str, Any]]:
    return [dict(row) for row in store.query(
        "SELECT uid, subject, score FROM messages WHERE direction='draft' ORDER BY uid")]


def health_answers(port: int, done: threading.Event) -> list[int]:
    """The statuses of ``GET /v1/health``, asked back to back until ``done``."""
    statuses: list[int] = []
    while not done.is_set():
        statuses.append(call_sync(port, "GET", "/v1/health").status)
    return statuses


async def test_hostile_drafts_are_scored_in_a_worker_while_the_daemon_keeps_answering(
        service: ScoringService, store: Store, tmp_path: Path) -> None:
    """Measured in CPU time, so a loaded machine does not fail it: the scoring is the
    worker's work; neither the event loop nor the account thread (which shares the
    loop's GIL) does any of it, and /v1/health answers all along."""
    client: Any = FakeClient(*[HOSTILE] * HOSTILE_COPIES, LONG_DRAFT, CLEAR_DRAFT)
    scoring = PooledScoring(service, asyncio.get_running_loop())
    [worker] = service.pids()
    async with running_api(tmp_path, service) as api:    # the API shares the service
        before, worker_before = rss_mb(), cpu_seconds(worker)
        loop_done, health_done = asyncio.Event(), threading.Event()
        lag = asyncio.create_task(busiest_loop_turn(loop_done))
        health = asyncio.create_task(asyncio.to_thread(health_answers, api.port, health_done))
        try:
            handled, account_cpu = await asyncio.to_thread(
                with_thread_cpu, lambda: score_new_drafts(client, store, ACCOUNT, "Drafts",
                                                          scoring))
        finally:
            loop_done.set()
            health_done.set()
        growth, worker_cpu = rss_mb() - before, cpu_seconds(worker) - worker_before
        busiest, statuses = await lag, await health
    assert busiest < MAX_LAG_SECONDS
    assert statuses and set(statuses) == {200}
    # scored here, the account thread would spend what the worker did (0.2 s; 0.01 now)
    assert account_cpu * WORKER_CPU_SHARE < worker_cpu
    assert handled == list(range(1, HOSTILE_COPIES + 3))
    rows = drafts(store)
    assert [row["subject"] for row in rows] == [
        *["Hallo" * MAX_ENCODED_WORDS] * HOSTILE_COPIES, "long", "Re: Invoice"]
    assert all(row["score"] is not None for row in rows)
    assert growth < MAX_GROWTH_MB


async def test_a_draft_past_the_workers_budget_is_skipped_and_not_tried_again(
        service: ScoringService, store: Store) -> None:
    client: Any = FakeClient(CLEAR_DRAFT)
    scoring = PooledScoring(service, asyncio.get_running_loop(), budget=0.0)
    assert await asyncio.to_thread(score_new_drafts, client, store, ACCOUNT, "Drafts",
                                   scoring) == [1]
    assert drafts(store) == []          # not stored: it was never scored
    assert await asyncio.to_thread(score_new_drafts, client, store, ACCOUNT, "Drafts",
                                   scoring) == []


async def test_pooled_scoring_refuses_to_block_the_event_loop() -> None:
    scoring = PooledScoring(ScoringService.in_threads(RefusingScorer()),
                            asyncio.get_running_loop())
    with pytest.raises(RuntimeError, match="never on the event loop"):
        scoring.score(CLEAR_DRAFT, "draft", None)


class BlockingScorer:
    """Scores once it is let go; counts the messages it was given."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.go = threading.Event()
        self.calls = 0

    def score_message(self, raw: bytes, **kwargs: Any) -> Any:
        self.calls += 1
        self.started.set()
        self.go.wait(10)
        return RefusingScorer()      # never read: its caller stopped waiting

    def score_text(self, text: str, **kwargs: Any) -> Any:
        raise AssertionError("drafts are messages")


async def test_closing_withdraws_the_jobs_account_threads_wait_for() -> None:
    scorer = BlockingScorer()
    shared = ScoringService.in_threads(scorer, threads=1)
    await shared.acquire()
    scoring = PooledScoring(shared, asyncio.get_running_loop())
    try:
        running = asyncio.create_task(asyncio.to_thread(scoring.score, CLEAR_DRAFT, "draft",
                                                        None))
        await asyncio.to_thread(scorer.started.wait, 5)
        queued = asyncio.create_task(asyncio.to_thread(scoring.score, CLEAR_DRAFT, "draft",
                                                       None))
        await asyncio.sleep(0.1)
        scoring.close()             # what the IMAP service's stop() does first
        for waiting in (running, queued):
            with pytest.raises(WorkersClosed):
                await waiting
        with pytest.raises(WorkersClosed):
            await asyncio.to_thread(scoring.score, CLEAR_DRAFT, "draft", None)
    finally:
        scorer.go.set()
        shared.release()
    assert scorer.calls == 1        # the queued job never ran


def test_sent_mail_is_scored_at_its_own_date_with_a_plain_scorer_in_this_thread() -> None:
    seen: list[tuple[datetime | None, str]] = []

    class DateScorer:
        def score_message(self, raw: bytes, now: datetime | None = None) -> Report:
            seen.append((now, threading.current_thread().name))
            return a_report(90, body="Thank you.")

    scored = mail_scoring(DateScorer()).score(CLEAR_DRAFT, "out", None)  # type: ignore[arg-type]
    assert seen == [(SENT_AT, threading.current_thread().name)]
    assert (scored.record.direction, scored.record.subject) == ("out", "Re: Invoice")
    assert scored.report.score == 90 and scored.notes == ()
