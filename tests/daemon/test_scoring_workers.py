"""The scoring worker processes: jobs run with the worker's scorer; dispatch by load and
affinity; a crash fails only the running job and the worker comes back; a job past its
budget or its worker's memory cap gets a clear error and the worker is replaced; jobs
whose caller went away never run; close() stops busy workers at once; workers never
outlive the daemon."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from support import worker_jobs
from support.polling import wait_for

from daemon.config.load import load_config
from daemon.scoring_service import pool as pool_module
from daemon.scoring_service.pool import (
    ABANDONED_SECONDS,
    PIPELINE_DEPTH,
    JobTimedOut,
    ScoringWorkers,
    WorkerCrashed,
    WorkerOutOfMemory,
    WorkersClosed,
    WorkerStartFailed,
)

TESTS = Path(__file__).resolve().parent.parent
SLOW = 0.5             # a job long enough to be still running while the test acts
EXIT_SECONDS = 5.0     # a worker whose daemon died is gone well within this
REPLACED_SECONDS = 60.0  # a stopped worker is gone within this on a loaded machine too
LATE_SECONDS = 10.0      # a loaded machine's lateness; the jobs outlast it if not stopped
GAVE_UP_BUDGET = 600     # ten times REPLACED_SECONDS: a job kept to its budget fails

Pools = Callable[..., ScoringWorkers]


@pytest.fixture
async def pools() -> AsyncIterator[Pools]:
    """Pools of the real scorer's workers (the test starts them), closed after the test."""
    made: list[ScoringWorkers] = []

    def make(workers: int = 1, settings: Any = None, **options: Any) -> ScoringWorkers:
        made.append(ScoringWorkers(settings or load_config(None).scoring, workers, **options))
        return made[-1]
    yield make
    for pool in made:
        pool.close()


def gone(pid: int) -> bool:
    """Exited: no such process, or a zombie nobody reaped yet."""
    try:
        return "State:\tZ" in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True


async def assert_replaced(pool: ScoringWorkers, pid: int, why: str) -> None:
    """Worker ``pid`` exited (``why``), and the next job runs in another one."""
    await asyncio.to_thread(wait_for, lambda: gone(pid), why, REPLACED_SECONDS)
    assert await asyncio.wait_for(pool.run(worker_jobs.worker_pid), 30) != pid


async def test_a_job_runs_in_a_worker_process_with_the_scorer(pools: Pools) -> None:
    pool = pools(workers=2)
    pids = await pool.start()
    assert sorted(pids) == sorted(pool.pids()) and os.getpid() not in pids
    assert await pool.run(worker_jobs.scorer_type) == "Scorer"
    assert await pool.run(worker_jobs.worker_pid) in pids


async def test_the_least_loaded_worker_takes_the_next_job(pools: Pools) -> None:
    pool = pools(workers=2)
    await pool.start()
    slow = asyncio.ensure_future(pool.run(worker_jobs.sleep_then_pid, SLOW))
    await asyncio.sleep(0)      # dispatched
    quick_pid = await pool.run(worker_jobs.worker_pid)
    assert not slow.done(), "the quick job waited for the slow one"
    assert quick_pid != await slow


async def test_an_affinity_key_sticks_to_its_worker_until_that_one_is_clearly_busier(
        pools: Pools) -> None:
    pool = pools(workers=2)
    first, second = await pool.start()
    slow = asyncio.ensure_future(pool.run(worker_jobs.sleep_then_pid, SLOW))
    await asyncio.sleep(0)
    assert await pool.run(worker_jobs.worker_pid, affinity="draft-a") == second
    assert await slow == first
    # both idle: a job without a key goes to the first worker, the key's to its own
    assert await pool.run(worker_jobs.worker_pid) == first
    assert {await pool.run(worker_jobs.worker_pid, affinity="draft-a")
            for _ in range(5)} == {second}
    # one job more than the idle worker is not "clearly busier": the key stays ...
    busy = asyncio.ensure_future(pool.run(worker_jobs.sleep_then_pid, SLOW, affinity="draft-a"))
    await asyncio.sleep(0)
    queued = asyncio.ensure_future(pool.run(worker_jobs.sleep_then_pid, 0, affinity="draft-a"))
    await asyncio.sleep(0)
    # ... two jobs more are: the key moves to the other worker, and stays there
    assert await pool.run(worker_jobs.worker_pid, affinity="draft-a") == first
    assert await busy == second and await queued == second
    assert await pool.run(worker_jobs.worker_pid, affinity="draft-a") == first


async def test_a_jobs_exception_reaches_the_caller_with_the_workers_traceback(
        pools: Pools) -> None:
    pool = pools()
    await pool.start()
    with pytest.raises(ValueError, match="bad draft") as raised:
        await pool.run(worker_jobs.fail, "bad draft")
    assert any("in the scoring worker" in note for note in raised.value.__notes__)
    with pytest.raises(TypeError, match="cannot be pickled"):
        await pool.run(worker_jobs.unpicklable_result)
    assert await pool.run(worker_jobs.scorer_type) == "Scorer"     # the worker goes on


async def test_a_30_mb_job_goes_both_ways(pools: Pools) -> None:
    pool = pools()
    await pool.start()
    huge = os.urandom(1024) * (30 * 1024)
    size, echoed = await pool.run(worker_jobs.echo_size, huge)
    assert size == len(huge) and echoed == huge


async def test_a_worker_killed_mid_job_fails_that_job_and_is_respawned(
        pools: Pools, tmp_path: Path) -> None:
    pool = pools(workers=1)
    [pid] = await pool.start()
    running = asyncio.ensure_future(pool.run(worker_jobs.sleep_then_pid, 30))
    queued = asyncio.ensure_future(pool.run(worker_jobs.touch, str(tmp_path / "ran")))
    await asyncio.sleep(SLOW)
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(WorkerCrashed, match=f"scoring worker {pid} died"):
        await running
    # the job behind it (queued, or sent ahead) had not started: the new worker runs it
    new_pid = await asyncio.wait_for(queued, 30)
    assert new_pid != pid and (tmp_path / "ran").exists()
    assert pool.pids() == [new_pid]
    await asyncio.to_thread(wait_for, lambda: gone(pid), "the killed worker reaped",
                            REPLACED_SECONDS)


async def test_close_stops_a_busy_worker_at_once_and_fails_unfinished_jobs(
        pools: Pools) -> None:
    pool = pools(workers=1)
    [pid] = await pool.start()
    running = asyncio.ensure_future(pool.run(worker_jobs.sleep_then_pid, 30))
    queued = asyncio.ensure_future(pool.run(worker_jobs.worker_pid))
    await asyncio.sleep(SLOW)
    started = time.monotonic()
    pool.close()
    assert time.monotonic() - started < LATE_SECONDS      # the job had 30 s to go
    assert not Path(f"/proc/{pid}").exists()            # reaped, not a zombie
    for job in (running, queued):
        with pytest.raises(WorkersClosed):
            await job
    with pytest.raises(WorkersClosed):
        await pool.run(worker_jobs.worker_pid)
    assert pool.pids() == []


async def test_a_job_cancelled_while_queued_never_runs(pools: Pools, tmp_path: Path) -> None:
    pool = pools(workers=1)
    await pool.start()
    slow = [asyncio.ensure_future(pool.run(worker_jobs.sleep_then_pid, SLOW / 2))
            for _ in range(PIPELINE_DEPTH)]     # the worker has all it may be sent
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(pool.run(worker_jobs.touch, str(tmp_path / "cancelled")), 0.05)
    await asyncio.gather(*slow)
    await pool.run(worker_jobs.touch, str(tmp_path / "after"))
    assert (tmp_path / "after").exists() and not (tmp_path / "cancelled").exists()


async def test_a_job_sent_ahead_whose_caller_went_away_is_skipped_by_the_worker(
        pools: Pools, tmp_path: Path) -> None:
    pool = pools(workers=1)
    await pool.start()
    running = asyncio.ensure_future(pool.run(worker_jobs.sleep_then_pid, SLOW))
    await asyncio.sleep(0.05)
    # the worker was sent this one ahead (PIPELINE_DEPTH 2): withdrawn inside the worker
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(pool.run(worker_jobs.touch, str(tmp_path / "abandoned")), 0.05)
    pid = await running
    assert await pool.run(worker_jobs.touch, str(tmp_path / "after")) == pid
    assert (tmp_path / "after").exists() and not (tmp_path / "abandoned").exists()


async def test_a_job_past_its_budget_is_stopped_and_the_worker_respawned(
        pools: Pools, tmp_path: Path) -> None:
    pool = pools(workers=1, job_seconds=0.3)
    [pid] = await pool.start()
    stuck = asyncio.ensure_future(pool.run(worker_jobs.spin_forever))
    behind = asyncio.ensure_future(pool.run(worker_jobs.touch, str(tmp_path / "behind")))
    started = time.monotonic()
    with pytest.raises(JobTimedOut, match=f"budget of 0.3 s; scoring worker {pid} was stopped"):
        await stuck
    assert time.monotonic() - started < 0.3 + LATE_SECONDS   # the job never ends
    # the job sent behind it had not started: the respawned worker runs it
    new_pid = await asyncio.wait_for(behind, 30)
    assert new_pid != pid and (tmp_path / "behind").exists()
    await asyncio.to_thread(wait_for, lambda: gone(pid), "the stopped worker reaped",
                            REPLACED_SECONDS)


async def test_a_running_job_whose_caller_gave_up_is_stopped_long_before_its_budget(
        pools: Pools, tmp_path: Path) -> None:
    pool = pools(workers=1)
    [pid] = await pool.start()
    running = tmp_path / "running"
    job = asyncio.ensure_future(pool.run(worker_jobs.touch_then_spin_forever, str(running),
                                         budget=GAVE_UP_BUDGET))
    # running, not still queued (a queued job is withdrawn and its worker kept)
    await asyncio.to_thread(wait_for, running.exists, "the job running", REPLACED_SECONDS)
    job.cancel()                    # as the SMTP proxy's score_timeout_ms does
    with pytest.raises(asyncio.CancelledError):
        await job
    await assert_replaced(pool, pid, "the busy worker stopped")


async def test_a_running_job_whose_caller_gave_up_may_end_without_a_respawn(
        pools: Pools, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # ten times the grace: a loaded machine may hold the worker for tenths of a second
    monkeypatch.setattr(pool_module, "ABANDONED_SECONDS", ABANDONED_SECONDS * 10)
    pool = pools(workers=1)
    [pid] = await pool.start()
    running, go = tmp_path / "running", tmp_path / "go"
    job = asyncio.ensure_future(pool.run(worker_jobs.touch_then_wait_for, str(running),
                                         str(go)))
    await asyncio.to_thread(wait_for, running.exists, "the job running", REPLACED_SECONDS)
    job.cancel()                    # given up while it runs
    with pytest.raises(asyncio.CancelledError):
        await job
    go.touch()                      # ... and it ends (within the grace)
    # the next job waits for the one given up: run by the same worker once it ended
    assert await pool.run(worker_jobs.worker_pid) == pid


async def test_a_job_past_the_memory_cap_fails_clearly_and_the_worker_is_replaced(
        pools: Pools) -> None:
    pool = pools(workers=1, memory_mb=300)
    [pid] = await pool.start()
    assert await pool.run(worker_jobs.allocate_mb, 100) == 100
    with pytest.raises(WorkerOutOfMemory, match="more than the 300 MB"):
        await pool.run(worker_jobs.allocate_mb, 400)
    await assert_replaced(pool, pid, "the worker out of memory exited")


async def test_a_job_queued_behind_one_out_of_memory_runs_in_the_new_worker(
        pools: Pools) -> None:
    pool = pools(workers=1, memory_mb=300)
    [pid] = await pool.start()
    hungry = asyncio.ensure_future(pool.run(worker_jobs.allocate_mb, 400))
    behind = asyncio.ensure_future(pool.run(worker_jobs.worker_pid))
    with pytest.raises(WorkerOutOfMemory):
        await hungry
    assert await asyncio.wait_for(behind, 30) != pid


async def test_workers_that_cannot_build_a_scorer_fail_start_and_jobs(pools: Pools) -> None:
    pool = pools(workers=1, settings="not scoring settings")
    with pytest.raises(WorkerStartFailed, match="could not build its scorer"):
        await pool.start()
    with pytest.raises(WorkerStartFailed):
        await pool.run(worker_jobs.worker_pid)


async def test_workers_import_the_jobs_modules_before_they_are_ready(pools: Pools) -> None:
    plain, preloaded = pools(), pools(imports=("colorsys",))
    await asyncio.gather(plain.start(), preloaded.start())
    assert not await plain.run(worker_jobs.imported, "colorsys")
    assert await preloaded.run(worker_jobs.imported, "colorsys")
    missing = pools(imports=("no_such_module_here",))
    with pytest.raises(WorkerStartFailed, match="no_such_module_here"):
        await missing.start()


class HeldLaunches:
    """Worker launches (``Process.start()``) held until released, and the threads they
    ran in: a launch that ran on the loop would hold it for as long as it is held."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.release = threading.Event()
        self.threads: list[threading.Thread] = []
        self.pids: list[int] = []
        real_launch = pool_module._launch

        def held_launch(*args: Any) -> None:
            self.threads.append(threading.current_thread())
            self.release.wait(30)
            real_launch(*args)
            self.pids.append(args[0].pid)
        monkeypatch.setattr(pool_module, "_launch", held_launch)


async def test_workers_are_launched_off_the_event_loop(
        pools: Pools, monkeypatch: pytest.MonkeyPatch) -> None:
    launches = HeldLaunches(monkeypatch)
    pool = pools(workers=2)
    ready = pool.start()        # returns while both launches are held
    # the loop turns meanwhile
    await asyncio.to_thread(wait_for, lambda: len(launches.threads) == 2, "both launches",
                            REPLACED_SECONDS)
    assert not ready.done()
    assert threading.main_thread() not in launches.threads
    launches.release.set()
    assert len(await asyncio.wait_for(ready, 30)) == 2


async def test_a_worker_stopped_at_its_budget_is_respawned_off_the_event_loop(
        pools: Pools, monkeypatch: pytest.MonkeyPatch) -> None:
    pool = pools(workers=2, job_seconds=0.3)
    first, second = await pool.start()
    launches = HeldLaunches(monkeypatch)
    with pytest.raises(JobTimedOut):
        await pool.run(worker_jobs.spin_forever)
    await asyncio.to_thread(wait_for, lambda: len(launches.threads) == 1, "a respawn", 5)
    # while the replacement is being launched, the other worker goes on answering
    assert await pool.run(worker_jobs.worker_pid) == second
    assert threading.main_thread() not in launches.threads
    launches.release.set()
    await asyncio.to_thread(wait_for, lambda: len(pool.pids()) == 2, "the replacement", 30)
    assert first not in pool.pids()


async def test_close_while_a_worker_is_being_launched_reaps_it(
        pools: Pools, monkeypatch: pytest.MonkeyPatch) -> None:
    launches = HeldLaunches(monkeypatch)
    pool = pools(workers=1)
    ready = pool.start()
    await asyncio.to_thread(wait_for, lambda: len(launches.threads) == 1, "a launch", 5)
    threading.Timer(0.1, launches.release.set).start()
    pool.close()                # waits for the launch, then stops what it started
    [pid] = launches.pids
    assert not Path(f"/proc/{pid}").exists()            # reaped, not a zombie
    with pytest.raises(asyncio.CancelledError):
        await ready


ORPHAN_SCRIPT = """
import asyncio, sys
sys.path.insert(0, sys.argv[1])
from daemon.config.load import load_config
from daemon.scoring_service import pool as pool_module
from daemon.scoring_service.pool import ScoringWorkers
from support import worker_jobs

async def main():
    pool = ScoringWorkers(load_config(None).scoring, 2)
    await pool.start()
    busy = asyncio.ensure_future(pool.run(worker_jobs.sleep_then_pid, 600))
    await asyncio.sleep(0.2)
    print(*pool.pids(), flush=True)
    await busy

asyncio.run(main())
"""


def test_workers_exit_when_the_daemon_is_killed() -> None:
    """``kill -9`` of the daemon: the idle worker sees its channel end, the busy one
    notices its parent is gone; neither is left running."""
    with subprocess.Popen([sys.executable, "-c", ORPHAN_SCRIPT, str(TESTS)],
                          stdout=subprocess.PIPE, text=True) as daemon:
        try:
            assert daemon.stdout is not None
            pids = [int(pid) for pid in daemon.stdout.readline().split()]
            assert len(pids) == 2 and not any(gone(pid) for pid in pids)
        finally:
            daemon.kill()
    wait_for(lambda: all(gone(pid) for pid in pids), "the orphaned workers to exit",
             EXIT_SECONDS)
