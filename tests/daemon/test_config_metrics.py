"""The ``[metrics]`` table: off when absent, strict like every other table."""

from __future__ import annotations

from pathlib import Path

import pytest

from daemon.config.load import load_config
from daemon.config.sections import ListenAddress, MetricsSettings
from scoring.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_metrics_are_off_when_the_table_is_absent() -> None:
    metrics = load_config().daemon.metrics
    assert metrics == MetricsSettings()
    assert not metrics.enabled
    assert metrics.otlp_interval_seconds == 60.0 and metrics.customer_domains is False


def test_every_metrics_key_is_read(tmp_path: Path) -> None:
    extra = write(tmp_path / "metrics.toml", """
[metrics]
prometheus = "127.0.0.1:9464"
otlp_endpoint = "https://collector.example.com:4318/v1/metrics"
otlp_interval_seconds = 15
account_label = "anna"
customer_domains = true
""")
    metrics = load_config(extra).daemon.metrics
    assert metrics == MetricsSettings(
        prometheus=ListenAddress("127.0.0.1", 9464),
        otlp_endpoint="https://collector.example.com:4318/v1/metrics",
        otlp_interval_seconds=15.0, account_label="anna", customer_domains=True)
    assert metrics.enabled


@pytest.mark.parametrize(("text", "key", "needle"), [
    ('prometheus = "0.0.0.0:9464"', "metrics.prometheus", "not a loopback address"),
    ('prometheus = "9464"', "metrics.prometheus", "not HOST:PORT"),
    ('otlp_endpoint = "collector:4318"', "metrics.otlp_endpoint", "not an http(s) URL"),
    ("otlp_interval_seconds = 0", "metrics.otlp_interval_seconds", "above 0"),
    ('otlp_interval_seconds = "60"', "metrics.otlp_interval_seconds", "expected a number"),
    ('account_label = ""', "metrics.account_label", "empty"),
    ("customer_domains = 1", "metrics.customer_domains", "expected true or false"),
    ('promethues = "127.0.0.1:9464"', "metrics.promethues", "did you mean 'prometheus'"),
])
def test_bad_metrics_values_name_file_and_key(tmp_path: Path, text: str, key: str,
                                              needle: str) -> None:
    extra = write(tmp_path / "bad-metrics.toml", f"[metrics]\n{text}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(extra)
    message = str(caught.value)
    assert "bad-metrics.toml" in message and key in message and needle in message
