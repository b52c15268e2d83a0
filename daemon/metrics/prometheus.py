"""The Prometheus scrape endpoint: ``/metrics`` in the text format, on loopback only.

``[metrics] prometheus = "127.0.0.1:9464"`` serves the instruments of
daemon/metrics/instruments.py from a registry of their own (no process or platform
collectors: only trustmail's aggregates). The address must be a loopback one; a Host
header that names anything but a loopback host is refused (DNS rebinding: a web page
must not read the figures through a name that resolves to 127.0.0.1).

A team's Prometheus cannot reach a laptop's loopback: a local agent (Prometheus in agent
mode, Grafana Alloy, an OpenTelemetry collector) scrapes it and forwards the series,
see docs/deploy.md and docs/prometheus.yml. Imported only when the endpoint is turned on.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client import (
    CollectorRegistry,
    Histogram,
    Metric,
    disable_created_metrics,
    make_wsgi_app,
)
from prometheus_client.core import CounterMetricFamily
from prometheus_client.exposition import ThreadingWSGIServer
from prometheus_client.registry import Collector

from daemon.config.sections import ListenAddress, is_loopback_host
from daemon.metrics.events import Recorder
from daemon.metrics.instruments import COUNTER, INSTRUMENTS, Instrument
from scoring.errors import TrustmailError

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
FORBIDDEN = b"403 Forbidden: only a loopback Host may read the metrics\n"


class MetricsEndpointError(TrustmailError):
    """The scrape endpoint cannot start (not loopback, port in use)."""


class CounterCollector(Collector):
    """The recorder's counters, read at each scrape."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def collect(self) -> Iterator[Metric]:
        policy = self.recorder.policy
        for instrument in INSTRUMENTS:
            if instrument.kind != COUNTER:
                continue
            names = policy.label_names(instrument.labels)
            family = CounterMetricFamily(instrument.name, instrument.description,
                                         labels=names)
            for labels, value in self.recorder.counts.snapshot(instrument.name):
                family.add_metric([labels.get(name, "") for name in names], value)
            yield family


class PrometheusBackend:
    """The instruments in a prometheus_client registry of their own: the counters read
    from the recorder at each scrape, the histograms as prometheus_client histograms."""

    def __init__(self, recorder: Recorder) -> None:
        disable_created_metrics()  # type: ignore[no-untyped-call]  # no *_created series
        self.registry = CollectorRegistry(auto_describe=True)
        self.registry.register(CounterCollector(recorder))
        self._histograms: dict[str, Histogram] = {}
        for instrument in INSTRUMENTS:
            if instrument.kind != COUNTER:
                self._histograms[instrument.name] = Histogram(
                    instrument.name, instrument.description,
                    recorder.policy.label_names(instrument.labels), registry=self.registry,
                    buckets=instrument.buckets)

    def observe(self, instrument: Instrument, labels: Mapping[str, str], value: float) -> None:
        histogram = self._histograms[instrument.name]
        (histogram.labels(**labels) if labels else histogram).observe(value)

    def touch(self, instrument: Instrument, labels: Mapping[str, str]) -> None:
        """The series of these labels, at 0 (an unlabelled histogram exists already)."""
        if labels:
            self._histograms[instrument.name].labels(**labels)

    def close(self) -> None:
        """Nothing to flush: a scrape reads the registry."""


def loopback_only(app: WsgiApp) -> WsgiApp:
    """``app`` behind a Host check: a loopback name or address, any port."""
    def guarded(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        host = str(environ.get("HTTP_HOST", ""))
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if host and not is_loopback_host(name.strip("[]")):
            start_response("403 Forbidden", [("Content-Type", "text/plain; charset=utf-8")])
            return [FORBIDDEN]
        return app(environ, start_response)
    return guarded


class QuietHandler(WSGIRequestHandler):
    """No access log on stderr (the daemon's log is JSON)."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


class ScrapeEndpoint:
    """An HTTP server in a thread of its own, serving one registry."""

    def __init__(self, listen: ListenAddress, registry: Collector) -> None:
        if not is_loopback_host(listen.host):
            raise MetricsEndpointError(f"[metrics] prometheus: {listen} is not a loopback "
                                       "address; use 127.0.0.1 or [::1] (and a local agent "
                                       "to forward, see docs/deploy.md)")
        self.listen = listen
        self.registry = registry
        self._server: ThreadingWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        host = self.listen.host

        class Server(ThreadingWSGIServer):
            address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

        try:
            self._server = make_server(host, self.listen.port,
                                       loopback_only(make_wsgi_app(self.registry)),
                                       Server, handler_class=QuietHandler)
        except OSError as error:
            raise MetricsEndpointError(f"[metrics] prometheus: cannot listen on {self.listen}: "
                                       f"{error.strerror}") from None
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="metrics-http", daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_port)

    def url(self) -> str:
        port = self.port if self._server is not None else self.listen.port
        return f"http://{ListenAddress(self.listen.host, port)}/metrics"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None
