"""The OTLP push: the same instruments, sent over OTLP/HTTP to the company's collector.

``[metrics] otlp_endpoint = "https://otel.example.com/v1/metrics"`` pushes every
``otlp_interval_seconds`` (cumulative temporality, protobuf), with the OpenTelemetry SDK
and its OTLP/HTTP exporter. The resource says ``service.name = "trustmail"``, the SDK's
own name and version, and a ``service.instance.id`` that is a random UUID per daemon
start (cumulative counters start again with each process, and the collector must not mix
two machines' series); plus what the admin adds through the standard
``OTEL_RESOURCE_ATTRIBUTES`` variable (a team, or a stable id of their own). No host name,
no user name. TLS, extra headers
(a collector's token) and certificates follow the SDK's standard ``OTEL_EXPORTER_OTLP_*``
variables. Imported only when the push is turned on.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Mapping

from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.metrics import CallbackOptions, Histogram, Observation
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import SERVICE_INSTANCE_ID, SERVICE_NAME, Resource

from daemon.metrics.counts import Counts
from daemon.metrics.events import Recorder
from daemon.metrics.instruments import COUNTER, INSTRUMENTS, Instrument

METER_NAME = "trustmail"
SDK_LOGGER = "opentelemetry"      # its retries are warnings: a laptop offline is no news
EXPORT_TIMEOUT_SECONDS = 10.0
SHUTDOWN_TIMEOUT_MILLIS = 15_000    # the last push on stop, then give up
MILLIS = 1000


def observer(counts: Counts, name: str) -> Callable[[CallbackOptions], Iterable[Observation]]:
    """The callback that reports one counter's cumulative values at a push."""
    def observe(options: CallbackOptions) -> Iterable[Observation]:
        return [Observation(value, labels) for labels, value in counts.snapshot(name)]
    return observe


def resource() -> Resource:
    """trustmail's resource; OTEL_RESOURCE_ATTRIBUTES may add to it or set the instance id.

    (Recent SDKs give every process a random instance id themselves; older ones do not.)
    """
    detected = Resource.create({SERVICE_NAME: "trustmail"})
    if SERVICE_INSTANCE_ID in detected.attributes:
        return detected
    return detected.merge(Resource({SERVICE_INSTANCE_ID: str(uuid.uuid4())}))


class OtlpBackend:
    """A meter provider of its own (never the process-global one) pushing to one URL: the
    counters as observable counters read from the recorder at each push, the histograms
    as OpenTelemetry histograms."""

    def __init__(self, recorder: Recorder, endpoint: str, interval_seconds: float) -> None:
        self.endpoint = endpoint
        logging.getLogger(SDK_LOGGER).setLevel(logging.ERROR)   # a push given up: an error
        exporter = OTLPMetricExporter(endpoint=endpoint, timeout=EXPORT_TIMEOUT_SECONDS)
        reader = PeriodicExportingMetricReader(
            exporter, export_interval_millis=interval_seconds * MILLIS,
            export_timeout_millis=EXPORT_TIMEOUT_SECONDS * MILLIS)
        self.provider = MeterProvider(metric_readers=[reader], resource=resource())
        meter = self.provider.get_meter(METER_NAME)
        self._histograms: dict[str, Histogram] = {}
        for instrument in INSTRUMENTS:
            if instrument.kind == COUNTER:
                meter.create_observable_counter(
                    instrument.name, [observer(recorder.counts, instrument.name)],
                    instrument.unit, instrument.description)
            else:
                self._histograms[instrument.name] = meter.create_histogram(
                    instrument.name, instrument.unit, instrument.description,
                    explicit_bucket_boundaries_advisory=instrument.buckets)

    def observe(self, instrument: Instrument, labels: Mapping[str, str], value: float) -> None:
        self._histograms[instrument.name].record(value, dict(labels))

    def touch(self, instrument: Instrument, labels: Mapping[str, str]) -> None:
        """Nothing: an OTLP histogram appears with its first observation, and a collector
        starts it from there."""

    def flush(self) -> bool:
        """Push now (tests, and the last figures on stop)."""
        return bool(self.provider.force_flush(SHUTDOWN_TIMEOUT_MILLIS))

    def close(self) -> None:
        """Push what is left and stop the push thread."""
        self.provider.shutdown(timeout_millis=SHUTDOWN_TIMEOUT_MILLIS)
