"""A real Prometheus server (the Debian package) for tests: a plain subprocess with a
temporary config and storage dir on a loopback port, no system service.

    with PrometheusServer.start(tmp_path, targets=["127.0.0.1:9464"]) as prometheus:
        prometheus.wait_for('trustmail_smtp_messages_total{outcome="relayed"}', 1)
        [sample] = prometheus.query("up")

Queries go through Prometheus' HTTP query API (``/api/v1/query``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support.ports import free_port

PROMETHEUS = "/usr/bin/prometheus"
START_SECONDS = 30.0
SCRAPE_INTERVAL = "1s"
HTTP_TIMEOUT_SECONDS = 5.0
POLL_SECONDS = 0.5


def require_prometheus() -> str:
    """The binary; a test is skipped without it, except in CI (there it must be installed,
    by scripts/bootstrap.sh)."""
    binary = shutil.which("prometheus") or (PROMETHEUS if os.path.exists(PROMETHEUS) else None)
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("prometheus is not installed (scripts/bootstrap.sh test installs it)")
        pytest.skip("prometheus is not installed: run scripts/bootstrap.sh test "
                    "(Debian package prometheus)")
    return binary


@dataclass
class PrometheusServer:
    process: subprocess.Popen[bytes]
    port: int
    log_file: Path

    @classmethod
    @contextmanager
    def start(cls, directory: Path, targets: Sequence[str],
              job: str = "trustmail") -> Iterator[PrometheusServer]:
        binary = require_prometheus()
        directory.mkdir(parents=True, exist_ok=True)
        config = directory / "prometheus.yml"
        config.write_text(
            f"global:\n  scrape_interval: {SCRAPE_INTERVAL}\n  evaluation_interval: 1s\n"
            f"scrape_configs:\n  - job_name: {job}\n    static_configs:\n"
            f"      - targets: {json.dumps(list(targets))}\n", "utf-8")
        port = free_port()
        log_file = directory / "prometheus.log"
        with log_file.open("wb") as log:
            process = subprocess.Popen(
                [binary, f"--config.file={config}",
                 f"--storage.tsdb.path={directory / 'data'}",
                 f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        server = cls(process, port, log_file)
        try:
            server._wait_ready()
            yield server
        finally:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)

    def _get(self, path: str) -> bytes:
        url = f"http://127.0.0.1:{self.port}{path}"
        with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT_SECONDS) as response:
            return bytes(response.read())

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"prometheus exited:\n{self.log()}")
            try:
                self._get("/-/ready")
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"prometheus was not ready in {START_SECONDS} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_file.read_text("utf-8", "replace")

    def query(self, expression: str) -> list[dict[str, Any]]:
        """The instant vector of ``expression``: ``[{"metric": {...}, "value": [t, "v"]}]``."""
        reply = json.loads(self._get("/api/v1/query?" + urllib.parse.urlencode(
            {"query": expression})))
        assert reply["status"] == "success", reply
        result: list[dict[str, Any]] = reply["data"]["result"]
        return result

    def value(self, expression: str) -> float | None:
        """The single value of a scalar-like expression (None: no series yet)."""
        result = self.query(expression)
        return float(result[0]["value"][1]) if result else None

    def wait_for(self, expression: str, expected: float, timeout: float = 60.0) -> None:
        """Until ``expression`` has the value ``expected`` (scrapes happen every second)."""
        deadline = time.monotonic() + timeout
        seen = None
        while time.monotonic() < deadline:
            seen = self.value(expression)
            if seen == expected:
                return
            time.sleep(POLL_SECONDS)
        raise AssertionError(f"{expression} is {seen}, expected {expected} after {timeout} s; "
                             f"targets: {self._get('/api/v1/targets')[:2000]!r}")
