"""An OTLP/HTTP receiver for tests: takes what a collector would (POST /v1/metrics,
protobuf), keeps every request body as sent, and decodes them with the OpenTelemetry
protocol's own message classes.

    with OtlpReceiver.start() as receiver:
        ... otlp_endpoint = receiver.url ...
        receiver.wait_for_metric("trustmail_smtp_messages")
        receiver.bodies        # the raw payloads, to grep
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)

METRICS_PATH = "/v1/metrics"


def matches(found: Any, wanted: dict[str, str]) -> bool:
    values = {attribute.key: attribute.value.string_value for attribute in found}
    return all(values.get(key) == value for key, value in wanted.items())


@dataclass
class OtlpReceiver:
    server: ThreadingHTTPServer
    bodies: list[bytes] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)

    @classmethod
    @contextmanager
    def start(cls) -> Iterator[OtlpReceiver]:
        received: list[bytes] = []
        paths: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                received.append(self.rfile.read(length))
                paths.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield cls(server, received, paths)
        finally:
            server.shutdown()
            server.server_close()
            thread.join()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{METRICS_PATH}"

    def requests(self) -> list[ExportMetricsServiceRequest]:
        decoded = []
        for body in list(self.bodies):
            request = ExportMetricsServiceRequest()
            request.ParseFromString(body)
            decoded.append(request)
        return decoded

    def metric_names(self) -> set[str]:
        return {metric.name for request in self.requests()
                for resource in request.resource_metrics
                for scope in resource.scope_metrics for metric in scope.metrics}

    def counter_total(self, name: str, **attributes: str) -> float:
        """A counter's cumulative value summed over its points with these attributes, as
        of the latest push that carried it."""
        latest = 0.0
        for request in self.requests():
            points = [point for resource in request.resource_metrics
                      for scope in resource.scope_metrics for metric in scope.metrics
                      if metric.name == name for point in metric.sum.data_points]
            if points:
                latest = sum(float(point.as_int or point.as_double) for point in points
                             if matches(point.attributes, attributes))
        return latest

    def wait_for(self, name: str, expected: float, timeout: float = 30.0,
                 **attributes: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.counter_total(name, **attributes) == expected:
                return
            time.sleep(0.2)
        raise AssertionError(f"OTLP {name}{attributes} is {self.counter_total(name, **attributes)}"
                             f", expected {expected}; received {sorted(self.metric_names())}")
