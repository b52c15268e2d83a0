"""A report over a seeded real mailbox, delivered by IMAP APPEND and read back."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email.policy import default
from pathlib import Path

import pytest
from imap_helpers import PASSWORD_ENV, account_for, account_toml, mail
from support.dovecot import Dovecot, dovecot_fixture  # noqa: F401  (fixture "dovecot")

from daemon.config.load import load_config
from daemon.imap.account_worker import sync_headers
from daemon.imap.connection import connect
from daemon.imap.folders import discover_folders
from daemon.reports.compute import compute_report
from daemon.reports.delivery import deliver_report
from daemon.reports.email_message import build_report_email
from daemon.reports.periods import parse_week
from daemon.reports.sources import parties_for, store_inputs
from daemon.scheduler.weekly_report import report_scheduler_service
from daemon.store.database import open_store
from scoring.business_time import BusinessClock

ME = "alice@example.com"
# Week 48 of 2026: Monday 23 November. Berlin is UTC+1 in November.
MONDAY_10 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


def seed(server: Dovecot) -> None:
    """Two customers: one answered after 3 business hours, one never answered."""
    server.save("INBOX", mail("carla@customer.example", ME, "Invoice", MONDAY_10,
                              "<q1@customer.example>"))
    server.save("Sent", mail(ME, "carla@customer.example", "Re: Invoice",
                             MONDAY_10 + timedelta(hours=3), "<a1@example.com>",
                             in_reply_to="<q1@customer.example>"))
    server.save("INBOX", mail("dan@waiting.example", ME, "Contract", MONDAY_10 +
                              timedelta(days=1), "<q2@waiting.example>"))
    server.save("INBOX", mail("noreply@shop.example", ME, "Your receipt",
                              MONDAY_10, "<n1@shop.example>"))


def test_weekly_report_from_a_synced_mailbox_is_appended_to_the_inbox(
        dovecot: Dovecot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seed(dovecot)
    config = load_config(None)
    account = account_for(dovecot, monkeypatch)
    store = open_store(str(tmp_path / "store.sqlite3"))
    client = connect(account)
    assert sync_headers(client, store, account, discover_folders(client, account)) == 4
    client.logout()

    clock = BusinessClock(config.scoring.business)
    parties = parties_for(config, [ME])
    messages, promises = store_inputs(store)
    report = compute_report(messages, parties, clock, parse_week("2026-W48", clock.zone),
                            NOW, promises)
    assert [(r.customer, r.business_seconds) for r in report.responses] == [
        ("carla@customer.example", 3 * 3600.0)]
    assert [(w.item.customer, w.subject) for w in report.unanswered] == [
        ("dan@waiting.example", "Contract")]

    deliver_report(account, build_report_email(report, ME, NOW), NOW)

    reader = dovecot.client()
    reader.login(dovecot.user, dovecot.password)
    reader.select_folder("INBOX", readonly=True)
    newest = max(reader.search(["ALL"]))
    raw = reader.fetch([newest], ["BODY.PEEK[]"])[newest][b"BODY[]"]
    reader.logout()
    delivered = email.message_from_bytes(raw, policy=default)
    assert delivered["Subject"] == "Your trustmail weekly report 2026-W48"
    assert delivered["Auto-Submitted"] == "auto-generated"
    assert delivered.get_content_type() == "multipart/alternative"
    text = delivered.get_body(("plain",)).get_content()   # type: ignore[union-attr]
    html = delivered.get_body(("html",)).get_content()    # type: ignore[union-attr]
    assert "1 replies; median 3.0 h business" in text
    assert "customer.example" in html
    chart = next(part for part in delivered.walk() if part.get_content_type() == "image/png")
    assert f"src='cid:{chart['Content-ID'].strip('<>')}'" in html   # shown inline, not attached
    assert chart.get_content().startswith(b"\x89PNG")


def test_the_scheduler_delivers_last_weeks_report_once(
        dovecot: Dovecot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seed(dovecot)
    monkeypatch.setenv(PASSWORD_ENV, dovecot.password)
    config_file = tmp_path / "trustmail.toml"
    config_file.write_text(f"""
[store]
path = "{tmp_path / 'store.sqlite3'}"
[report]
deliver = true
weekday = "mon"
time = "08:00"
me = ["{ME}"]
{account_toml(dovecot)}""")
    config = load_config(config_file)
    scheduler = report_scheduler_service(config, open_store(config.daemon.store.path), None)
    assert scheduler is not None
    scheduler.state_path = tmp_path / "last-report"
    monday_7_berlin = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)

    assert scheduler.deliver_if_due(monday_7_berlin) is None          # before 08:00
    assert scheduler.deliver_if_due(NOW + timedelta(hours=1)) == "2026-W48"
    assert scheduler.deliver_if_due(NOW + timedelta(hours=2)) is None  # never twice

    reader = dovecot.client()
    reader.login(dovecot.user, dovecot.password)
    reader.select_folder("INBOX", readonly=True)
    subjects = [email.message_from_bytes(data[b"BODY[HEADER.FIELDS (SUBJECT)]"]).get("Subject")
                for data in reader.fetch(reader.search(["ALL"]),
                                         ["BODY.PEEK[HEADER.FIELDS (SUBJECT)]"]).values()]
    reader.logout()
    assert subjects.count("Your trustmail weekly report 2026-W48") == 1
