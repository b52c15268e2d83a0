"""Recording events: the one-line calls count into the real prometheus_client registry
while a recorder is active, and do nothing (not even parse a report) while metrics are off."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from support.reports import a_report

from daemon import metrics
from daemon.metrics.events import Recorder, activate, active, deactivate
from daemon.metrics.labels import LabelPolicy
from daemon.metrics.prometheus import PrometheusBackend
from scoring.findings import Finding
from scoring.report import Report

BODY = "Hey, maybe it shipped, I think."
REPORT = a_report(62, "warn", body=BODY, findings=[
    Finding(rule, dimension, BODY.index(match), BODY.index(match) + len(match), match,
            "message", "suggestion", 5.0)
    for rule, dimension, match in (("en.honesty.hedge", "honesty", "maybe"),
                                   ("en.honesty.hedge", "honesty", "I think"),
                                   ("en.tone.over-familiar", "tone", "Hey"))])


@pytest.fixture
def backend() -> Iterator[PrometheusBackend]:
    recorder = Recorder(LabelPolicy())
    backend = PrometheusBackend(recorder)
    recorder.attach(backend)
    activate(recorder)
    yield backend
    deactivate()


def value(backend: PrometheusBackend, name: str, **labels: str) -> float | None:
    return backend.registry.get_sample_value(name, labels)


def test_a_scored_draft_counts_its_verdict_and_each_finding_by_rule(
        backend: PrometheusBackend) -> None:
    metrics.record_scored("api", REPORT)
    assert value(backend, "trustmail_drafts_scored_total", source="api", verdict="warn") == 1
    assert value(backend, "trustmail_findings_total", source="api",
                 rule="en.honesty.hedge") == 2
    assert value(backend, "trustmail_findings_total", source="api",
                 rule="en.tone.over-familiar") == 1


def test_the_api_call_parses_the_json_it_returns_unchanged(backend: PrometheusBackend) -> None:
    encoded = json.dumps(REPORT.to_dict()).encode()
    assert metrics.record_scored_json("api", encoded) is encoded
    assert value(backend, "trustmail_drafts_scored_total", source="api", verdict="warn") == 1
    metrics.record_scored_json("api", b"not json")
    assert value(backend, "trustmail_drafts_scored_total", source="api", verdict="failed") == 1


@dataclass
class Outcome:
    report: Report | None
    failure: str


async def test_on_a_loop_the_api_report_is_read_after_the_answer(
        backend: PrometheusBackend) -> None:
    metrics.record_scored_json("api", json.dumps(REPORT.to_dict()).encode())
    assert value(backend, "trustmail_drafts_scored_total", source="api", verdict="warn") == 0
    await asyncio.sleep(0)
    assert value(backend, "trustmail_drafts_scored_total", source="api", verdict="warn") == 1


async def test_the_proxys_scoring_future_counts_when_it_completes(
        backend: PrometheusBackend) -> None:
    loop = asyncio.get_running_loop()
    for outcome in (Outcome(REPORT, ""), Outcome(None, "timeout")):
        future: asyncio.Future[Outcome] = loop.create_future()
        future.add_done_callback(metrics.record_proxy_scored)
        future.set_result(outcome)
        await asyncio.sleep(0)
    cancelled: asyncio.Future[Outcome] = loop.create_future()
    cancelled.add_done_callback(metrics.record_proxy_scored)
    cancelled.cancel()
    await asyncio.sleep(0)
    assert value(backend, "trustmail_drafts_scored_total", source="smtp", verdict="warn") == 1
    assert value(backend, "trustmail_drafts_scored_total", source="smtp", verdict="failed") == 1


def test_relay_outcomes_count_by_reason_class(backend: PrometheusBackend) -> None:
    metrics.record_upstream_reply(250)
    metrics.record_upstream_reply(451)
    metrics.record_upstream_reply(550)
    metrics.record_smtp("held", "refused_hold")
    metrics.record_smtp("failed", "550 5.1.1 <maria@customer.example>: no such user")
    assert value(backend, "trustmail_smtp_messages_total", outcome="relayed", reason="ok") == 1
    assert value(backend, "trustmail_smtp_messages_total", outcome="failed",
                 reason="upstream_temporary") == 1
    assert value(backend, "trustmail_smtp_messages_total", outcome="failed",
                 reason="upstream_permanent") == 1
    assert value(backend, "trustmail_smtp_messages_total", outcome="held",
                 reason="refused_hold") == 1
    assert value(backend, "trustmail_smtp_messages_total", outcome="failed",
                 reason="other") == 1


def test_connections_refused_at_the_cap_count(backend: PrometheusBackend) -> None:
    metrics.record_smtp_connection_refused()
    metrics.record_smtp_connection_refused()
    assert value(backend, "trustmail_smtp_connections_refused_total") == 2


def test_the_fixed_series_start_at_zero(backend: PrometheusBackend) -> None:
    assert value(backend, "trustmail_drafts_scored_total", source="smtp", verdict="hold") == 0
    assert value(backend, "trustmail_promises_total", event="overdue") == 0
    assert value(backend, "trustmail_smtp_connections_refused_total") == 0


def test_while_off_the_calls_do_nothing() -> None:
    assert active() is None
    metrics.record_scored("api", REPORT)
    metrics.record_smtp("held", "refused_hold")
    metrics.record_smtp_connection_refused()
    sentinel = b"{broken"
    assert metrics.record_scored_json("api", sentinel) is sentinel
