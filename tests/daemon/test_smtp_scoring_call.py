"""Scoring off the event loop through the scoring service: the daemon's worker processes
give the scorer's report, a budget overrun is a timeout, not a wait, and one pool serves
the proxy and the API alike."""

from __future__ import annotations

import asyncio
from pathlib import Path

from support.polling import wait_for
from support.smtp_proxy import HEDGING_BODY, message, real_scorer

from daemon.api.scoring_pool import DraftScoring
from daemon.application.score_draft import DraftRequest
from daemon.config.load import load_config
from daemon.scoring_service.service import ScoringService
from daemon.smtp_proxy.scoring_call import ProxyScoring

BUDGET_MS = 20_000


async def test_worker_processes_score_like_the_scorer_and_stop_on_close() -> None:
    raw = message(body=HEDGING_BODY)
    scoring = ProxyScoring(ScoringService.in_processes(load_config(None).scoring, workers=1))
    await scoring.start()
    try:
        [pid] = scoring.pids()
        outcome = await scoring.score(raw, BUDGET_MS)
    finally:
        scoring.close()
    expected = real_scorer().score_message(raw)
    assert outcome.failure == ""
    assert outcome.report is not None
    assert (outcome.report.score, outcome.report.verdict) == (expected.score, expected.verdict)
    assert [f.rule for f in outcome.report.findings] == [f.rule for f in expected.findings]
    assert not Path(f"/proc/{pid}").exists() or _is_zombie(pid)


async def test_a_budget_overrun_is_reported_as_timeout() -> None:
    scoring = ProxyScoring(ScoringService.in_threads(real_scorer()))
    await scoring.start()
    long_text = message(body="Maybe we could perhaps do it, I think.\n" * 3000)
    outcome = await scoring.score(long_text, 1)
    scoring.close()
    assert outcome.report is None and outcome.failure == "timeout"
    assert outcome.elapsed_ms < 1000


async def test_a_job_past_the_proxys_budget_is_stopped_in_its_worker() -> None:
    """The relay does not wait, and the job does not go on holding a worker."""
    scoring = ProxyScoring(ScoringService.in_processes(load_config(None).scoring, workers=1))
    await scoring.start()
    try:
        [pid] = scoring.pids()
        outcome = await scoring.score(message(body=HEDGING_BODY * 200), 1)
        assert outcome.report is None and outcome.failure == "timeout"
        await asyncio.to_thread(wait_for, lambda: _is_zombie(pid) or scoring.pids() != [pid],
                                "the worker stopped", 5)
        assert (await scoring.score(message(body=HEDGING_BODY), BUDGET_MS)).failure == ""
        assert scoring.pids() != [pid]
    finally:
        scoring.close()


async def test_the_proxy_and_the_api_share_one_pool_that_stops_with_its_last_user() -> None:
    service = ScoringService.in_processes(load_config(None).scoring, workers=1)
    proxy, api = ProxyScoring(service), DraftScoring(service)
    await proxy.start()
    await api.start()
    [pid] = service.pids()
    outcome = await proxy.score(message(body=HEDGING_BODY), BUDGET_MS)
    draft = await api.run(DraftRequest("Maybe I can help.", None, None, "auto", None))
    proxy.close()
    assert service.pids() == [pid]            # the API still holds the pool
    api.close()
    assert service.pids() == []
    assert outcome.failure == "" and b'"verdict"' in draft
    assert not Path(f"/proc/{pid}").exists() or _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        return "State:\tZ" in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
