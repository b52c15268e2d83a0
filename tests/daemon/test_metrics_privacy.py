"""Everything trustmail exports, greped for what identifies a message or a person.

Real traffic through ``trustmail run``: a reply relayed to a real SMTP server, a message
held by the policy, a draft scored through the API, a customer's message in the store.
Both exports are collected, the ``/metrics`` text and every OTLP/HTTP payload (protobuf,
as a collector receives it), and neither holds a text, a subject, an address, a message id
or (customer domains being off) the customer's domain. The figures themselves are there.
"""

from __future__ import annotations

import signal
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.metrics_traffic import PRIVATE, drive_traffic, metrics_daemon
from support.otlp_receiver import OtlpReceiver
from support.polling import wait_for
from support.smtp_upstream import SmtpUpstream

pytestmark = pytest.mark.real

PROMISE_MADE = 'trustmail_promises_total{event="made"} 1.0'


@pytest.fixture
def upstream() -> Iterator[SmtpUpstream]:
    with SmtpUpstream.start() as server:
        yield server


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return str(response.read().decode("utf-8"))


def leaks(payload: bytes, private: tuple[str, ...]) -> list[str]:
    lowered = payload.lower()
    return [text for text in private if text.lower().encode("utf-8") in lowered]


def test_nothing_exported_names_a_message_or_a_person(upstream: SmtpUpstream,
                                                      tmp_path: Path) -> None:
    with OtlpReceiver.start() as receiver:
        metrics = (f'prometheus = "127.0.0.1:{{port}}"\notlp_endpoint = "{receiver.url}"\n'
                   "otlp_interval_seconds = 0.5\n")
        with metrics_daemon(upstream, tmp_path / "daemon", metrics) as (daemon, port):
            drive_traffic(daemon, upstream)
            text = wait_for(lambda: (lambda t: t if PROMISE_MADE in t else "")(scrape(port)),
                            "the promise in /metrics", 30.0)
            receiver.wait_for("trustmail_promises", 1, event="made")
            daemon.signal(signal.SIGTERM)          # the last push goes out on stop
            assert daemon.wait() == 0

    private = (*PRIVATE, "customer.example")
    assert leaks(text.encode("utf-8"), private) == []
    assert receiver.bodies
    for body in receiver.bodies:
        assert leaks(body, private) == []
    # ... and what is there is the aggregates
    assert 'trustmail_smtp_messages_total{outcome="relayed",reason="ok"} 1.0' in text
    assert 'trustmail_smtp_messages_total{outcome="held",reason="refused_warn"} 1.0' in text
    assert "trustmail_first_response_business_seconds_count 1.0" in text
    assert receiver.counter_total("trustmail_smtp_messages", outcome="relayed") == 1
    assert receiver.counter_total("trustmail_drafts_scored", source="smtp") == 2
    assert receiver.counter_total("trustmail_drafts_scored", source="api") == 1
    assert receiver.counter_total("trustmail_findings", source="api") > 0
    assert {"trustmail_first_response_business_seconds",
            "trustmail_promises"} <= receiver.metric_names()
    assert set(receiver.paths) == {"/v1/metrics"}
