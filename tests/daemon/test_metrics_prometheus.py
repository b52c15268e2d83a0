"""A real Prometheus server (Debian's) scrapes ``trustmail run``'s loopback endpoint, and
its query API shows the team figures: relays, holds, drafts by verdict, findings by rule,
promises, first-response time in business hours, with the account label the admin set.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.metrics_traffic import drive_traffic, metrics_daemon
from support.prometheus_server import PrometheusServer, require_prometheus
from support.smtp_proxy import TRUSTMAIL
from support.smtp_upstream import SmtpUpstream
from test_metrics_docs import DASHBOARD, dashboard_expressions

pytestmark = pytest.mark.real

ACCOUNT = "anna-sales"
GRAFANA_VARIABLES = {"$team": ".*", "$__range": "10m", "$__interval": "1m"}
SELECTOR = f'{{job="trustmail",account="{ACCOUNT}"'


@pytest.fixture
def upstream() -> Iterator[SmtpUpstream]:
    with SmtpUpstream.start() as server:
        yield server


def grafana(expression: str) -> str:
    """A dashboard query as Grafana sends it, with its variables filled in."""
    for variable, value in GRAFANA_VARIABLES.items():
        expression = expression.replace(variable, value)
    return expression


def panel_query(title: str) -> str:
    [expression] = [target["expr"] for panel in json.loads(DASHBOARD.read_text("utf-8"))["panels"]
                    if panel["title"] == title for target in panel["targets"]]
    return str(expression)


MACHINES = panel_query("Machines reporting")
HELD_SHARE = panel_query("Held by the send policy")


def series(name: str, **labels: str) -> str:
    extra = "".join(f',{key}="{value}"' for key, value in labels.items())
    return f"{name}{SELECTOR}{extra}}}"


def test_prometheus_scrapes_the_daemon_and_queries_the_team_figures(
        upstream: SmtpUpstream, tmp_path: Path) -> None:
    require_prometheus()
    metrics = f'prometheus = "127.0.0.1:{{port}}"\naccount_label = "{ACCOUNT}"\n'
    with metrics_daemon(upstream, tmp_path / "daemon", metrics) as (daemon, port), \
            PrometheusServer.start(tmp_path / "prometheus", [f"127.0.0.1:{port}"]) as server:
        server.wait_for('up{job="trustmail"}', 1)
        # before any traffic the fixed series are there, at 0
        server.wait_for(series("trustmail_drafts_scored_total", source="smtp",
                               verdict="pass"), 0)
        drive_traffic(daemon, upstream)

        server.wait_for(series("trustmail_smtp_messages_total", outcome="relayed",
                               reason="ok"), 1)
        server.wait_for(series("trustmail_smtp_messages_total", outcome="held",
                               reason="refused_warn"), 1)
        server.wait_for(f'sum(trustmail_drafts_scored_total{SELECTOR},source="smtp"}})', 2)
        server.wait_for(f'sum(trustmail_drafts_scored_total{SELECTOR},source="api"}})', 1)
        server.wait_for(f'count(trustmail_findings_total{SELECTOR},source="api",'
                        f'rule=~"en[.]honesty[.].+"}} > 0) > bool 0', 1)
        # the reply answered the customer's 09:00 message at 10:00: one business hour,
        # and its promise ("by Friday 3 pm", a week ago) is made and already overdue
        server.wait_for(series("trustmail_first_response_business_seconds_count"), 1)
        assert server.value(series("trustmail_first_response_business_seconds_sum")) == 3600
        assert server.value(series("trustmail_first_response_business_seconds_bucket",
                                   le="3600.0")) == 1
        server.wait_for(series("trustmail_promises_total", event="made"), 1)
        server.wait_for(series("trustmail_promises_total", event="overdue"), 1)

        labelled = server.query('{job="trustmail",__name__=~"trustmail_.+"}')
        assert labelled and all(s["metric"].get("account") == ACCOUNT for s in labelled)
        assert not any("customer_domain" in s["metric"] for s in labelled)
        status = daemon.trustmail("status").stdout
        assert f"Prometheus endpoint http://127.0.0.1:{port}/metrics" in status

        # every query of docs/grafana-dashboard.json runs, and the figures add up
        for expression in dashboard_expressions():
            server.query(grafana(expression))
        assert server.value(grafana(MACHINES)) == 1
        held_share = server.value(grafana(HELD_SHARE))
        assert held_share is not None and 0 < held_share < 1


def test_a_non_loopback_endpoint_stops_run_with_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "public.toml"
    config.write_text('[metrics]\nprometheus = "0.0.0.0:9464"\n', "utf-8")
    result = subprocess.run([str(TRUSTMAIL), "run", "--config", str(config)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "metrics.prometheus" in result.stderr and "loopback" in result.stderr
