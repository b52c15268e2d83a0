"""The OTLP push: the real OpenTelemetry SDK and OTLP/HTTP exporter send the instruments to
a receiver, with a resource that names trustmail and a random instance, never the host."""

from __future__ import annotations

import socket
import uuid

import pytest
from support.otlp_receiver import OtlpReceiver

from daemon.metrics.events import Recorder
from daemon.metrics.labels import LabelPolicy
from daemon.metrics.otlp import OtlpBackend, resource


def test_the_resource_is_trustmail_and_a_random_instance_never_the_host() -> None:
    first = dict(resource().attributes)
    assert first["service.name"] == "trustmail"
    assert uuid.UUID(str(first["service.instance.id"])).version == 4    # random
    assert socket.gethostname() not in {str(v) for v in first.values()}
    assert "host.name" not in first


def test_the_admin_may_set_the_instance_and_add_a_team(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "service.instance.id=laptop-17,team=emea")
    attributes = dict(resource().attributes)
    assert attributes["service.instance.id"] == "laptop-17"
    assert attributes["team"] == "emea"


def test_the_push_carries_the_counters_and_the_histogram() -> None:
    with OtlpReceiver.start() as receiver:
        recorder = Recorder(LabelPolicy(account="anna"))
        backend = OtlpBackend(recorder, receiver.url, interval_seconds=3600)  # pushes: flush
        recorder.attach(backend)
        recorder.smtp_message("held", "refused_warn")
        recorder.smtp_connection_refused()
        recorder.first_response(5400.0, "maria@customer.example")
        assert backend.flush()
        backend.close()
        assert receiver.counter_total("trustmail_smtp_messages", outcome="held",
                                      reason="refused_warn", account="anna") == 1
        assert receiver.counter_total("trustmail_smtp_connections_refused",
                                      account="anna") == 1
        [histogram] = [m for r in receiver.requests() for rm in r.resource_metrics
                       for sm in rm.scope_metrics for m in sm.metrics
                       if m.name == "trustmail_first_response_business_seconds"][:1]
        [point] = histogram.histogram.data_points
        assert (point.count, point.sum) == (1, 5400.0)
        assert list(point.explicit_bounds)[:3] == [900.0, 1800.0, 3600.0]
        assert histogram.unit == "s"
