"""The send policy, first as plain decisions, then end to end through the proxy with
the real scoring core: warn refuses once with a readable 550, the identical resend
passes; hold refuses; scoring failures and timeouts fail open.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.reports import a_report
from support.smtp_proxy import (
    GOOD_BODY,
    HEDGING_BODY,
    message,
    real_scorer,
    running_proxy,
    smtp_client,
    wait_until,
)
from support.smtp_upstream import SmtpUpstream

from daemon.config.load import load_config
from daemon.smtp_proxy.policy import Decision, ResendMemory, decide, fingerprint
from scoring.report import Report

RECIPIENT = "maria@customer.example"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def report(verdict: str, error: str | None = None) -> Report:
    return a_report({"pass": 90, "warn": 60, "hold": 20}[verdict], verdict, error=error)


# -- decisions ------------------------------------------------------------------------

def test_observe_relays_everything() -> None:
    memory = ResendMemory(60)
    assert decide("observe", report("hold"), "k", memory) == Decision(True, "observe")


def test_warn_refuses_the_first_send_and_passes_the_identical_resend() -> None:
    memory = ResendMemory(60)
    first = decide("warn", report("warn"), "k", memory)
    assert first == Decision(False, "refused-warn", resend_allowed=True)
    assert decide("warn", report("warn"), "k", memory) == Decision(True, "resend")
    # the override is used up: a third identical send is refused again
    assert not decide("warn", report("warn"), "k", memory).relay


def test_warn_resend_window_expires() -> None:
    clock = FakeClock()
    memory = ResendMemory(30 * 60, clock=clock)
    assert not decide("warn", report("hold"), "k", memory).relay
    clock.now += 31 * 60
    assert not decide("warn", report("hold"), "k", memory).relay


def test_hold_refuses_only_hold_verdicts_and_needs_the_override_for_resends() -> None:
    memory = ResendMemory(60)
    assert decide("hold", report("warn"), "k", memory).relay
    assert decide("hold", report("hold"), "k", memory) == Decision(False, "refused-hold")
    assert not decide("hold", report("hold"), "k", memory).relay
    assert not decide("hold", report("hold"), "k2", memory, hold_override=True).relay
    assert decide("hold", report("hold"), "k2", memory, hold_override=True).relay


def test_scoring_failure_fails_open() -> None:
    memory = ResendMemory(60)
    assert decide("hold", None, "k", memory) == Decision(True, "fail-open")
    broken = report("hold", error="cannot parse")
    assert decide("warn", broken, "k", memory) == Decision(True, "fail-open")


def test_with_tempfail_a_message_not_scored_is_sent_again_later() -> None:
    memory = ResendMemory(60)
    assert decide("hold", None, "k", memory, score_failure="tempfail") == Decision(
        False, "tempfail")
    assert decide("observe", None, "k", memory, score_failure="tempfail").relay
    assert decide("hold", report("pass"), "k", memory, score_failure="tempfail").relay


def test_fingerprint_ignores_recipient_order_and_case_but_not_the_text() -> None:
    one = fingerprint("A@x.com", ["b@y.com", "c@z.com"], "Hi", "text")
    assert one == fingerprint("a@x.com", ["C@z.com", "b@y.com"], "Hi", "text")
    assert one != fingerprint("a@x.com", ["b@y.com", "c@z.com"], "Hi", "text!")


# -- end to end -----------------------------------------------------------------------

@pytest.fixture
def upstream() -> Iterator[SmtpUpstream]:
    with SmtpUpstream.start() as server:
        yield server


def send(port: int, upstream: SmtpUpstream, raw: bytes) -> tuple[int, bytes]:
    client = smtp_client(port, upstream)
    try:
        client.mail("alice@example.com")
        client.rcpt(RECIPIENT)
        return client.data(raw)
    finally:
        client.quit()


@pytest.mark.real
async def test_warn_policy_refuses_with_a_summary_then_passes_the_resend(
        upstream: SmtpUpstream, tmp_path: Path) -> None:
    hedging = message(body=HEDGING_BODY, message_id="<first@example.com>")
    resend = message(body=HEDGING_BODY, message_id="<second@example.com>")  # new Message-ID
    async with running_proxy(upstream, tmp_path, policy="warn") as proxy:
        code, text = await asyncio.to_thread(send, proxy.port, upstream, hedging)
        assert code == 550, text
        assert text.startswith(b"5.7.0 trustmail: this email scored ")
        assert b"talks down to the customer" in text          # the top finding's message
        assert b"send the same message again within 30 minutes" in text
        assert upstream.messages == []
        code, _ = await asyncio.to_thread(send, proxy.port, upstream, resend)
        assert code == 250
        good = await asyncio.to_thread(send, proxy.port, upstream, message(body=GOOD_BODY))
        assert good[0] == 250
        assert await wait_until(lambda: len(proxy.recorded()) == 2)
    assert [m.data for m in upstream.wait_for_messages(2)] == [resend, message(body=GOOD_BODY)]


def strict_scorer(tmp_path: Path) -> Any:
    """The real scorer with thresholds so strict that the hedging draft is "hold"."""
    from scoring import Scorer
    config_file = tmp_path / "strict.toml"
    config_file.write_text("[thresholds]\nwarn = 98\nhold = 95\n")
    return Scorer(load_config(config_file).scoring)


@pytest.mark.real
async def test_hold_policy_refuses_a_hold_verdict(upstream: SmtpUpstream,
                                                  tmp_path: Path) -> None:
    raw = message(body=HEDGING_BODY)
    scorer = strict_scorer(tmp_path)
    assert scorer.score_message(raw).to_dict()["verdict"] == "hold"
    async with running_proxy(upstream, tmp_path, scorer=scorer, policy="hold") as proxy:
        first = await asyncio.to_thread(send, proxy.port, upstream, raw)
        second = await asyncio.to_thread(send, proxy.port, upstream, raw)
    assert first[0] == second[0] == 550           # no resend override without hold_override
    assert b"policy holds emails" in first[1]
    assert upstream.messages == []


@pytest.mark.real
async def test_hold_override_lets_the_identical_resend_through(upstream: SmtpUpstream,
                                                               tmp_path: Path) -> None:
    raw = message(body=HEDGING_BODY)
    async with running_proxy(upstream, tmp_path, scorer=strict_scorer(tmp_path),
                             policy="hold", hold_override=True) as proxy:
        first = await asyncio.to_thread(send, proxy.port, upstream, raw)
        second = await asyncio.to_thread(send, proxy.port, upstream, raw)
    assert (first[0], second[0]) == (550, 250)
    assert [m.data for m in upstream.wait_for_messages(1)] == [raw]


SLOW_SCORER_SECONDS = 5.0   # 25 times the 200 ms budget: a loaded machine's send fits


class SlowScorer:
    """The real scorer behind a delay longer than the budget (fault injection)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def score_message(self, raw: bytes, now: Any = None, lang: str = "auto",
                      original: bytes | None = None) -> Any:
        time.sleep(self.seconds)
        return real_scorer().score_message(raw, now=now)


class BrokenScorer:
    """A scorer that raises (fault injection): the proxy must still relay."""

    def score_message(self, raw: bytes, now: Any = None, lang: str = "auto",
                      original: bytes | None = None) -> Any:
        raise RuntimeError("scorer bug")


@pytest.mark.real
@pytest.mark.parametrize("scorer", [SlowScorer(SLOW_SCORER_SECONDS), BrokenScorer()],
                         ids=["slow", "broken"])
async def test_scoring_timeout_or_crash_fails_open_and_is_logged(
        upstream: SmtpUpstream, tmp_path: Path, scorer: Any,
        caplog: pytest.LogCaptureFixture) -> None:
    raw = message(body=HEDGING_BODY)
    async with running_proxy(upstream, tmp_path, scorer=scorer, policy="hold",
                             score_timeout_ms=200) as proxy:
        started = time.perf_counter()
        code, _ = await asyncio.to_thread(send, proxy.port, upstream, raw)
        elapsed = time.perf_counter() - started
        assert code == 250
        assert elapsed < SLOW_SCORER_SECONDS     # did not wait for the slow scorer
        assert await wait_until(lambda: len(proxy.recorded()) == 1)
        [row] = proxy.recorded()
    assert row["score"] is None                  # recorded without a score
    assert any(r.getMessage() == "score-failed-open" for r in caplog.records)


@pytest.mark.real
async def test_the_score_header_says_a_message_went_unscored(
        upstream: SmtpUpstream, tmp_path: Path) -> None:
    async with running_proxy(upstream, tmp_path, scorer=BrokenScorer(), policy="hold",
                             add_header=True) as proxy:
        code, _ = await asyncio.to_thread(send, proxy.port, upstream, message())
    assert code == 250
    [relayed] = upstream.messages
    assert relayed.data.startswith(b"X-Trustmail-Score: unscored (fail-open: error)\r\n")


@pytest.mark.real
async def test_with_score_failure_tempfail_a_message_not_scored_gets_451(
        upstream: SmtpUpstream, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    raw = message(body=HEDGING_BODY)
    async with running_proxy(upstream, tmp_path, scorer=BrokenScorer(), policy="hold",
                             score_failure="tempfail") as proxy:
        code, text = await asyncio.to_thread(send, proxy.port, upstream, raw)
        assert (code, text.split()[0]) == (451, b"4.7.0")
        assert upstream.messages == []           # nothing relayed, the client sends again
        assert await wait_until(lambda: len(proxy.recorded()) == 0)
    assert any(r.getMessage() == "score-failed-tempfail" for r in caplog.records)


@pytest.mark.real
async def test_score_header_is_opt_in(upstream: SmtpUpstream, tmp_path: Path) -> None:
    raw = message()
    async with running_proxy(upstream, tmp_path) as proxy:
        await asyncio.to_thread(send, proxy.port, upstream, raw)
    async with running_proxy(upstream, tmp_path / "b", add_header=True) as proxy:
        await asyncio.to_thread(send, proxy.port, upstream, raw)
    plain, tagged = upstream.wait_for_messages(2)
    assert plain.data == raw
    assert tagged.data.startswith(b"X-Trustmail-Score: ") and tagged.data.endswith(raw)
