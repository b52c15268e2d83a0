"""The metrics service: off (and free) by default, loopback only, a Host check against DNS
rebinding, no credentials in its status line, and a reload that keeps the counters."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.registry import Collector
from support.polling import wait_for
from support.smtp_proxy import daemon_process
from support.smtp_upstream import SmtpUpstream

from daemon.config.load import LoadedConfig, load_config
from daemon.config.sections import ListenAddress
from daemon.metrics.events import Recorder, active
from daemon.metrics.labels import LabelPolicy
from daemon.metrics.prometheus import MetricsEndpointError, PrometheusBackend, ScrapeEndpoint
from daemon.metrics.service import MetricsService, metrics_service, shown_endpoint
from daemon.store.database import open_store


def registry() -> Collector:
    return PrometheusBackend(Recorder(LabelPolicy())).registry


def config(tmp_path: Path, metrics: str) -> LoadedConfig:
    path = tmp_path / "metrics.toml"
    path.write_text(f'[report]\nme = ["alice@example.com"]\n[metrics]\n{metrics}', "utf-8")
    return load_config(path)


def test_no_metrics_table_no_service_and_no_exporter_library_imported(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "store.sqlite3"))
    assert metrics_service(load_config(None), store, None) is None
    probe = ("import sys, daemon.app, daemon.api.handlers, daemon.smtp_proxy.handler\n"
             "print(sorted(m for m in sys.modules if m.startswith(('prometheus_client', "
             "'opentelemetry', 'daemon.metrics.store_watch'))))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, timeout=60)
    assert result.stdout.strip() == "[]"


def test_the_endpoint_refuses_a_non_loopback_address() -> None:
    with pytest.raises(MetricsEndpointError, match="not a loopback address"):
        ScrapeEndpoint(ListenAddress("192.0.2.10", 9464), registry())


def test_only_a_loopback_host_header_may_read_the_metrics() -> None:
    endpoint = ScrapeEndpoint(ListenAddress("127.0.0.1", 0),
                              registry())
    endpoint.start()
    try:
        for host in (f"127.0.0.1:{endpoint.port}", f"localhost:{endpoint.port}"):
            request = urllib.request.Request(endpoint.url(), headers={"Host": host})
            with urllib.request.urlopen(request, timeout=5) as response:
                assert b"trustmail_drafts_scored_total" in response.read()
        rebound = urllib.request.Request(endpoint.url(),
                                         headers={"Host": f"evil.example:{endpoint.port}"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(rebound, timeout=5)
        assert refused.value.code == 403
    finally:
        endpoint.stop()


def test_a_busy_port_is_a_clear_error() -> None:
    first = ScrapeEndpoint(ListenAddress("127.0.0.1", 0), registry())
    first.start()
    try:
        second = ScrapeEndpoint(ListenAddress("127.0.0.1", first.port),
                                registry())
        with pytest.raises(MetricsEndpointError, match="cannot listen on 127.0.0.1:"):
            second.start()
    finally:
        first.stop()


def test_the_status_line_never_shows_a_collector_token() -> None:
    assert (shown_endpoint("https://user:s3cret@otel.example.com:4318/v1/metrics?token=abc")
            == "https://otel.example.com:4318/v1/metrics")


async def test_start_stop_and_a_reload_that_keeps_or_restarts(tmp_path: Path) -> None:
    loaded = config(tmp_path, 'prometheus = "127.0.0.1:0"\naccount_label = "anna"\n')
    store = open_store(str(tmp_path / "store.sqlite3"))
    service = metrics_service(loaded, store, None)
    assert isinstance(service, MetricsService)
    await service.start()
    try:
        assert active() is service.recorder
        line = service.describe()
        assert "Prometheus endpoint http://127.0.0.1:" in line and "account 'anna'" in line
        assert await service.reload(config(tmp_path, 'prometheus = "127.0.0.1:0"\n'
                                                     'account_label = "anna"\n'), store, None)
        assert not await service.reload(config(tmp_path, 'prometheus = "127.0.0.1:0"\n'),
                                        store, None)
    finally:
        await service.stop()
    assert active() is None


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its reaper counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in status


def descendants(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            ppid = next(line.split()[1] for line in status.read_text().splitlines()
                        if line.startswith("PPid:"))
        except (OSError, StopIteration):
            continue
        if ppid == str(pid):
            found.append(int(status.parent.name))
    return found


@pytest.mark.real
def test_a_killed_daemon_leaves_no_ledger_worker_behind(tmp_path: Path) -> None:
    top = '[report]\nme = ["alice@example.com"]\n[metrics]\nprometheus = "127.0.0.1:0"\n'
    with SmtpUpstream.start() as upstream, daemon_process(upstream, tmp_path, top=top) as daemon:
        wait_for(lambda: "metrics-exporting" in daemon.log(), "the metrics service", 20.0)
        # the ledger worker, the scoring workers and multiprocessing's resource tracker
        workers = wait_for(lambda: (lambda found: found if len(found) >= 3 else [])(
            descendants(daemon.process.pid)), "the daemon's worker processes", 20.0)
        daemon.signal(signal.SIGKILL)
        daemon.wait()
        wait_for(lambda: not any(alive(pid) for pid in workers),
                 f"the workers {workers} to exit with the daemon", 20.0)


def spawned_workers(pids: set[int]) -> list[int]:
    """The multiprocessing workers among ``pids`` (their command line runs spawn_main)."""
    found = []
    for pid in pids:
        try:
            if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace"):
                found.append(pid)
        except OSError:
            continue   # gone already
    return found


async def test_a_dead_ledger_worker_is_replaced(tmp_path: Path,
                                                caplog: pytest.LogCaptureFixture) -> None:
    loaded = config(tmp_path, 'prometheus = "127.0.0.1:0"\n')
    store = open_store(str(tmp_path / "store.sqlite3"))
    service = MetricsService(loaded, store)
    before = set(descendants(os.getpid()))
    await service.start()
    try:
        first = service.ledger
        deadline = asyncio.get_running_loop().time() + 30
        # the spawned worker, not a short-lived helper process that comes and goes first
        while not (workers := spawned_workers(set(descendants(os.getpid())) - before)):
            assert asyncio.get_running_loop().time() < deadline, "no ledger worker started"
            await asyncio.sleep(0.2)
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        while service.ledger is first:
            assert asyncio.get_running_loop().time() < deadline, "the worker was not replaced"
            await asyncio.sleep(0.2)
        assert any(r.getMessage() == "metrics-ledger-restarted" for r in caplog.records)
    finally:
        await service.stop()
