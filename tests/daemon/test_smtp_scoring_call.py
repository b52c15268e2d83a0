"""Scoring off the event loop: the daemon's worker processes and the thread runner give
the same report, and a budget overrun is a timeout, not a wait."""

from __future__ import annotations

from pathlib import Path

from support.smtp_proxy import HEDGING_BODY, message, real_scorer

from daemon.config import load_config
from daemon.smtp_proxy.scoring_call import ProcessScoring, ThreadScoring

BUDGET_MS = 20_000


async def test_worker_processes_score_like_the_scorer_and_stop_on_close() -> None:
    raw = message(body=HEDGING_BODY)
    scoring = ProcessScoring(load_config(None).scoring, workers=1)
    await scoring.start()
    try:
        [pid] = scoring.pids()
        outcome = await scoring.score(raw, BUDGET_MS)
    finally:
        scoring.close()
    expected = real_scorer().score_message(raw).to_dict()
    assert outcome.failure == ""
    assert outcome.report is not None
    assert (outcome.report["score"], outcome.report["verdict"]) == \
        (expected["score"], expected["verdict"])
    assert [f["rule"] for f in outcome.report["findings"]] == \
        [f["rule"] for f in expected["findings"]]
    assert not Path(f"/proc/{pid}").exists() or _is_zombie(pid)


async def test_a_budget_overrun_is_reported_as_timeout() -> None:
    scoring = ThreadScoring(real_scorer())
    long_text = message(body="Maybe we could perhaps do it, I think.\n" * 3000)
    outcome = await scoring.score(long_text, 1)
    scoring.close()
    assert outcome.report is None and outcome.failure == "timeout"
    assert outcome.elapsed_ms < 1000


def _is_zombie(pid: int) -> bool:
    try:
        return "State:\tZ" in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
