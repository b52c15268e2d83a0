"""The IMAP parts as a user meets them: `trustmail sync` with a config file, and the
daemon service (one thread per account) started and stopped in an event loop."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from imap_helpers import PASSWORD_ENV, RefusingScorer, account_toml, mail, wait_for
from support.dovecot import Dovecot, dovecot_fixture  # noqa: F401  (fixture "dovecot")

from daemon.cli import main
from daemon.config.load import load_config
from daemon.imap.service import imap_sync_service
from daemon.scoring_service.service import ScoringService
from daemon.store.database import open_store
from scoring.report import Report

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def write_config(tmp_path: Path, server: Dovecot) -> Path:
    store_path = tmp_path / "store.sqlite3"
    config = tmp_path / "trustmail.toml"
    config.write_text(f"""
[store]
path = "{store_path}"

{account_toml(server)}""")
    return config


def test_sync_command_shows_progress_and_fills_the_store(
        dovecot: Dovecot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(PASSWORD_ENV, dovecot.password)
    for number in range(3):
        dovecot.save("INBOX", mail(f"c{number}@customer.example", "alice@example.com",
                                   f"Question {number}", NOW, f"<q{number}@customer.example>"))
    config = write_config(tmp_path, dovecot)

    assert main(["sync", "--config", str(config)]) == 0
    err = capsys.readouterr().err
    assert "work/INBOX: 3/3 headers (100%)" in err
    assert "work: 3 new headers" in err

    assert main(["sync", "--config", str(config)]) == 0
    assert "work: 0 new headers" in capsys.readouterr().err


def test_sync_command_reports_a_wrong_password_clearly(
        dovecot: Dovecot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "not-the-password")
    assert main(["sync", "--config", str(write_config(tmp_path, dovecot))]) == 2
    err = capsys.readouterr().err
    assert "refused the login" in err and "not-the-password" not in err


async def test_daemon_service_runs_one_thread_per_account(
        dovecot: Dovecot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, dovecot.password)
    dovecot.save("INBOX", mail("carla@customer.example", "alice@example.com", "Hello", NOW,
                               "<q1@customer.example>"))
    config = load_config(write_config(tmp_path, dovecot))
    store = open_store(config.daemon.store.path)
    service = imap_sync_service(config, store, scorer=None)
    assert service is not None
    await service.start()
    try:
        wait_for(lambda: store.query("SELECT count(*) FROM messages")[0][0] == 1,
                 "the service's first sync")
        assert service.describe() == "IMAP sync: work (connected)"
    finally:
        await service.stop()
    assert not any(worker.is_alive() for worker in service.workers)


async def test_the_daemon_service_scores_drafts_in_the_scoring_workers(
        dovecot: Dovecot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given the daemon's scoring service, the IMAP sync holds a share of its worker pool
    while it runs and scores drafts there, never in the daemon process (issue 13)."""
    monkeypatch.setenv(PASSWORD_ENV, dovecot.password)
    config = load_config(write_config(tmp_path, dovecot))
    store = open_store(config.daemon.store.path)
    scoring = ScoringService.in_processes(config.scoring, RefusingScorer(), workers=1)
    told: list[Report] = []
    service = imap_sync_service(config, store, scoring, on_scored=told.append)
    assert service is not None
    await service.start()
    try:
        await scoring.ready()       # its worker is launched in the background
        assert len(scoring.pids()) == 1
        dovecot.save("Drafts", mail("alice@example.com", "carla@customer.example", "Re: Hello",
                                    datetime.now(UTC), "<d1@example.com>",
                                    body="Thank you. I will send the invoice by Friday.\n"))
        # waited for in a thread: the loop answers for the worker meanwhile
        await asyncio.to_thread(wait_for, lambda: told, "the draft scored in the worker")
    finally:
        await service.stop()
    assert told[0].score is not None and told[0].verdict in ("pass", "warn", "hold")
    assert scoring.pids() == []        # its only user let go: the pool is stopped
    assert not any(worker.is_alive() for worker in service.workers)
