"""The shipped examples fit the exporter: docs/grafana-dashboard.json and docs/prometheus.yml
name only series trustmail exports, and the scrape config passes Prometheus' own check.
(The dashboard's queries also run against a real Prometheus in test_metrics_prometheus.)"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from daemon.metrics.instruments import COUNTER, INSTRUMENTS

DOCS = Path(__file__).resolve().parents[2] / "docs"
DASHBOARD = DOCS / "grafana-dashboard.json"
SCRAPE_CONFIG = DOCS / "prometheus.yml"
SERIES_NAME = re.compile(r"trustmail_[a-z_]+")


def exported_series() -> set[str]:
    names: set[str] = set()
    for instrument in INSTRUMENTS:
        suffixes = ("_total",) if instrument.kind == COUNTER else ("_bucket", "_sum", "_count")
        names.update(instrument.name + suffix for suffix in suffixes)
    return names


def dashboard_expressions() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text("utf-8"))
    return [target["expr"] for panel in dashboard["panels"]
            for target in panel.get("targets", [])]


def test_every_dashboard_query_names_exported_series() -> None:
    expressions = dashboard_expressions()
    assert len(expressions) >= 10
    used = {name for expr in expressions for name in SERIES_NAME.findall(expr)}
    assert used and used <= exported_series()
    # every instrument has a panel
    assert {i.name for i in INSTRUMENTS} <= {n.rsplit("_", 1)[0] for n in used}


def test_the_dashboard_has_the_team_and_datasource_variables() -> None:
    variables = {v["name"] for v in json.loads(DASHBOARD.read_text("utf-8"))["templating"]["list"]}
    assert variables == {"datasource", "team"}


def test_the_scrape_config_keeps_only_trustmail_series_and_passes_promtool() -> None:
    text = SCRAPE_CONFIG.read_text("utf-8")
    assert '"127.0.0.1:9464"' in text and 'regex: "trustmail_.*"' in text
    promtool = shutil.which("promtool")
    if promtool is None:
        if os.environ.get("CI"):
            pytest.fail("promtool is not installed (Debian package prometheus, bootstrap.sh)")
        pytest.skip("promtool is not installed (Debian package prometheus)")
    result = subprocess.run([promtool, "check", "config", str(SCRAPE_CONFIG)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
