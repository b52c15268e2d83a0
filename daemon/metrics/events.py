"""Recording what happens, as counts and durations: the calls the daemon's parts make.

The SMTP proxy and the HTTP API call these functions where an event happens (one line
each); first-response times and promises come from the store's ledger
(daemon/metrics/store_watch.py). While metrics are off (the default) no recorder is active and
each call returns at once: nothing is counted, nothing is parsed, no exporter library is
imported. The metrics service (daemon/metrics/service.py) activates a :class:`Recorder`
whose counts the exporters the admin turned on read.

A report is read for its verdict and its findings' rule ids only; its text, subject and
addresses are never looked at (the label policy, daemon/metrics/labels.py, makes every
value safe).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from daemon.metrics import labels as L
from daemon.metrics.counts import Counts
from daemon.metrics.instruments import (
    DRAFTS_SCORED,
    FINDINGS,
    FIRST_RESPONSE,
    PROMISES,
    SMTP_CONNECTIONS_REFUSED,
    SMTP_MESSAGES,
    Instrument,
)

if TYPE_CHECKING:      # a type only: metrics off must import nothing of the core
    from scoring.report import Report


class Backend(Protocol):
    """One exporter (Prometheus registry, OTLP meter). It reads the counters from the
    recorder's :class:`Counts` when it collects; durations it gets as they are observed
    (they are rare: one per answered customer message, off the request path)."""

    def observe(self, instrument: Instrument, labels: Mapping[str, str],
                value: float) -> None: ...
    def touch(self, instrument: Instrument, labels: Mapping[str, str]) -> None: ...
    def close(self) -> None: ...


class Recorder:
    """Turns events into counts and observations, labelled by the policy."""

    def __init__(self, policy: L.LabelPolicy) -> None:
        self.policy = policy
        self.counts = Counts()
        self.backends: list[Backend] = []
        self._zero_counters()

    def attach(self, backend: Backend) -> None:
        """Export to ``backend`` too (its histograms start at 0 where they can)."""
        self.backends.append(backend)
        if not self.policy.customer_domains:
            backend.touch(FIRST_RESPONSE, self.policy.labels())

    def count(self, instrument: Instrument, amount: int = 1, **values: str) -> None:
        self.counts.add(instrument.name, self.policy.labels(**values), amount)

    def observe(self, instrument: Instrument, value: float, **values: str) -> None:
        labels = self.policy.labels(**values)
        for backend in self.backends:
            backend.observe(instrument, labels, value)

    def draft_scored(self, source: str, verdict: str, rules: Iterable[object]) -> None:
        """A draft was scored: its verdict label (L.verdict_label) and its findings' rule
        ids (any value: each is labelled safe here)."""
        source = L.one_of(source, L.SOURCES)
        self.count(DRAFTS_SCORED, source=source, verdict=verdict)
        for rule, amount in Counter(L.rule_label(rule) for rule in rules).items():
            self.count(FINDINGS, amount, source=source, rule=rule)

    def smtp_message(self, outcome: str, reason: str) -> None:
        outcome = L.one_of(outcome, L.OUTCOMES)
        self.count(SMTP_MESSAGES, outcome=outcome, reason=L.reason_label(outcome, reason))

    def smtp_connection_refused(self) -> None:
        self.count(SMTP_CONNECTIONS_REFUSED)

    def promise(self, event: str, amount: int = 1) -> None:
        self.count(PROMISES, amount, event=L.one_of(event, L.PROMISE_EVENTS))

    def first_response(self, business_seconds: float, customer_address: str) -> None:
        self.observe(FIRST_RESPONSE, max(0.0, business_seconds),
                     customer_domain=self.policy.customer_domain(customer_address))

    def close(self) -> None:
        for backend in self.backends:
            backend.close()

    def _zero_counters(self) -> None:
        """Every counter with known labels exists from the start, at 0: a dashboard shows
        0, not "no data", and Prometheus' ``increase()`` sees the first event (a series
        that appears at 1 has increased by nothing as far as it knows)."""
        for source in L.SOURCES:
            for verdict in (*L.VERDICTS, L.SCORING_FAILED):
                self.count(DRAFTS_SCORED, 0, source=source, verdict=verdict)
        for outcome, reasons in L.REASONS.items():
            for reason in reasons:
                self.count(SMTP_MESSAGES, 0, outcome=outcome, reason=reason)
        self.count(SMTP_CONNECTIONS_REFUSED, 0)
        for event in L.PROMISE_EVENTS:
            self.count(PROMISES, 0, event=event)


_active: Recorder | None = None


def activate(recorder: Recorder) -> None:
    """Start recording into ``recorder`` (the metrics service does this)."""
    global _active
    _active = recorder


def deactivate() -> Recorder | None:
    """Stop recording; the recorder that was active, if any."""
    global _active
    recorder, _active = _active, None
    return recorder


def active() -> Recorder | None:
    return _active


# -- the one-line calls -------------------------------------------------------------------

def record_scored(source: str, report: Report | None) -> None:
    """A draft was scored (``report`` None: scoring failed or timed out)."""
    if _active is not None:
        _active.draft_scored(source, *_typed_labels(report))


def _typed_labels(report: Report | None) -> tuple[str, list[str]]:
    if report is None:
        return L.SCORING_FAILED, []
    verdict = L.SCORING_FAILED if report.error else L.one_of(report.verdict, L.VERDICTS)
    return verdict, [finding.rule for finding in report.findings]


def _json_labels(report: object) -> tuple[str, list[object]]:
    """The labels of a report's JSON (the API's answer), whatever the JSON holds."""
    if not isinstance(report, dict):
        return L.SCORING_FAILED, []
    findings = report.get("findings")
    rules = [f.get("rule") for f in findings if isinstance(f, dict)] \
        if isinstance(findings, list) else []
    return L.verdict_label(report), rules


def record_scored_json(source: str, encoded: bytes) -> bytes:
    """A draft was scored into this JSON report; returns it unchanged (for a ``return``).

    On an event loop the report is read after the current callback, so the answer that
    carries it goes out first.
    """
    if _active is not None:
        try:
            asyncio.get_running_loop().call_soon(_record_json, source, encoded)
        except RuntimeError:            # no loop: a plain thread
            _record_json(source, encoded)
    return encoded


def _record_json(source: str, encoded: bytes) -> None:
    if _active is None:
        return
    try:
        report = json.loads(encoded)
    except ValueError:
        report = None
    _active.draft_scored(source, *_json_labels(report))


def record_proxy_scored(scoring: asyncio.Future[Any]) -> None:
    """Done-callback for the SMTP proxy's scoring of a message (a ScoreOutcome future)."""
    if _active is None or scoring.cancelled() or scoring.exception() is not None:
        return
    outcome = scoring.result()
    _active.draft_scored("smtp", *_typed_labels(None if outcome.failure else outcome.report))


def record_smtp(outcome: str, reason: str) -> None:
    """What became of a message handed to the proxy (see labels.REASONS)."""
    if _active is not None:
        _active.smtp_message(outcome, reason)


def record_smtp_connection_refused() -> None:
    """A client connection was refused at ``[smtp] max_connections`` (421, then closed)."""
    if _active is not None:
        _active.smtp_connection_refused()


def record_upstream_reply(code: int) -> None:
    """The upstream's final reply to a message's data: relayed, or failed by its class."""
    if _active is not None:
        _active.smtp_message(*L.upstream_reply_reason(code))
