"""First-response times and promise events from the store's ledger, counted once each.

A real store, real reports from the scoring core, and the real prometheus_client
registry that the scrape endpoint serves.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from support.smtp_proxy import real_scorer

from daemon.config.load import LoadedConfig, load_config
from daemon.metrics import store_watch as store_watch_module
from daemon.metrics.events import Recorder
from daemon.metrics.labels import LabelPolicy
from daemon.metrics.prometheus import PrometheusBackend
from daemon.metrics.store_watch import LedgerWatch, start_mark
from daemon.store.database import MessageRecord, Store, open_store

BERLIN = ZoneInfo("Europe/Berlin")
WEDNESDAY_9 = datetime(2026, 11, 25, 9, 0, tzinfo=BERLIN)
ME = "alice@example.com"
PROMISE = "Hello Maria,\n\nI will send you the signed contract by Friday 3 pm.\n\nAlice\n"


def config(tmp_path: Path, metrics: str = "") -> LoadedConfig:
    path = tmp_path / "ledger.toml"
    path.write_text(f'[report]\nme = ["{ME}"]\n[metrics]\nprometheus = "127.0.0.1:0"\n'
                    f"{metrics}", "utf-8")
    return load_config(path)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(str(tmp_path / "store.sqlite3"))


def inbound(store: Store, message_id: str, at: datetime,
            sender: str = "maria@customer.example") -> None:
    store.record_message(MessageRecord(source="imap", direction="in", message_id=message_id,
                                       date=at, from_addr=sender, to_addrs=[ME],
                                       subject="Where is my contract?"))


def reply(store: Store, message_id: str, answers: str, at: datetime,
          body: str = PROMISE) -> None:
    raw = (f"From: {ME}\r\nTo: maria@customer.example\r\nSubject: Re: contract\r\n"
           f"Message-ID: {message_id}\r\nIn-Reply-To: {answers}\r\n\r\n{body}").encode()
    report = real_scorer().score_message(raw, now=at)
    store.record_message(MessageRecord(source="smtp", direction="out", message_id=message_id,
                                       in_reply_to=answers, references=[answers], date=at,
                                       from_addr=ME, to_addrs=["maria@customer.example"],
                                       subject="Re: contract"), report)


def watch(tmp_path: Path, store: Store, metrics: str = "") -> tuple[LedgerWatch,
                                                                    PrometheusBackend]:
    loaded = config(tmp_path, metrics)
    policy = LabelPolicy.of(loaded.daemon.metrics)
    recorder = Recorder(policy)
    backend = PrometheusBackend(recorder)
    recorder.attach(backend)
    return LedgerWatch(loaded, store, recorder), backend


def value(backend: PrometheusBackend, name: str, **labels: str) -> float:
    return backend.registry.get_sample_value(name, labels) or 0.0


def test_what_was_in_the_store_at_start_is_the_baseline(tmp_path: Path, store: Store) -> None:
    inbound(store, "<q0@customer.example>", WEDNESDAY_9 - timedelta(days=7))
    reply(store, "<r0@example.com>", "<q0@customer.example>", WEDNESDAY_9 - timedelta(days=7))
    ledger, backend = watch(tmp_path, store)
    counts = ledger.run_pass(WEDNESDAY_9)
    assert (counts.responses, counts.made) == (0, 0)
    assert value(backend, "trustmail_first_response_business_seconds_count") == 0
    assert value(backend, "trustmail_promises_total", event="made") == 0


def test_a_reply_stored_after_the_start_counts_even_before_the_first_pass(
        tmp_path: Path, store: Store) -> None:
    inbound(store, "<q6@customer.example>", WEDNESDAY_9)
    at_start = start_mark(store)           # the daemon starts; its ledger worker is slower
    reply(store, "<r6@example.com>", "<q6@customer.example>", WEDNESDAY_9 + timedelta(hours=1))
    loaded = config(tmp_path)
    policy = LabelPolicy.of(loaded.daemon.metrics)
    recorder = Recorder(policy)
    counts = LedgerWatch(loaded, store, recorder, since=at_start).run_pass(
        WEDNESDAY_9 + timedelta(hours=2))
    assert (counts.responses, counts.made) == (1, 1)


def test_a_reply_is_one_response_time_in_business_seconds_and_its_promise_is_made(
        tmp_path: Path, store: Store) -> None:
    ledger, backend = watch(tmp_path, store)
    ledger.run_pass(WEDNESDAY_9)
    inbound(store, "<q1@customer.example>", WEDNESDAY_9 + timedelta(hours=1))
    reply(store, "<r1@example.com>", "<q1@customer.example>", WEDNESDAY_9 + timedelta(hours=3))
    counts = ledger.run_pass(WEDNESDAY_9 + timedelta(hours=3, minutes=1))
    assert (counts.responses, counts.made) == (1, 1)
    assert value(backend, "trustmail_first_response_business_seconds_sum") == 2 * 3600
    assert value(backend, "trustmail_first_response_business_seconds_bucket", le="7200.0") == 1
    assert value(backend, "trustmail_first_response_business_seconds_bucket", le="3600.0") == 0
    assert value(backend, "trustmail_promises_total", event="made") == 1
    # the same ledger again: nothing new
    again = ledger.run_pass(WEDNESDAY_9 + timedelta(hours=4))
    assert (again.responses, again.made, again.kept, again.overdue) == (0, 0, 0, 0)


def promise_made(tmp_path: Path, store: Store, thread: str
                 ) -> tuple[LedgerWatch, PrometheusBackend]:
    """A watch that has seen my reply (with its promise) to a customer on Wednesday."""
    ledger, backend = watch(tmp_path, store)
    ledger.run_pass(WEDNESDAY_9)
    inbound(store, f"<q{thread}@customer.example>", WEDNESDAY_9)
    reply(store, f"<r{thread}@example.com>", f"<q{thread}@customer.example>",
          WEDNESDAY_9 + timedelta(hours=1))
    ledger.run_pass(WEDNESDAY_9 + timedelta(hours=2))
    return ledger, backend


def promise_events(backend: PrometheusBackend) -> dict[str, float]:
    return {event: value(backend, "trustmail_promises_total", event=event)
            for event in ("made", "kept", "overdue")}


def test_a_promise_becomes_overdue_once_its_due_date_passes(tmp_path: Path,
                                                            store: Store) -> None:
    ledger, backend = promise_made(tmp_path, store, "2")
    saturday = WEDNESDAY_9 + timedelta(days=3)
    assert ledger.run_pass(saturday).overdue == 1
    assert ledger.run_pass(saturday + timedelta(days=1)).overdue == 0
    assert promise_events(backend) == {"made": 1, "kept": 0, "overdue": 1}


def test_a_promise_followed_up_before_its_due_date_is_kept(tmp_path: Path,
                                                           store: Store) -> None:
    ledger, backend = promise_made(tmp_path, store, "3")
    thursday = WEDNESDAY_9 + timedelta(days=1)
    reply(store, "<r3b@example.com>", "<r3@example.com>", thursday,
          body="Hello Maria,\n\nhere is the signed contract.\n\nAlice\n")
    assert ledger.run_pass(thursday + timedelta(minutes=5)).kept == 1
    assert promise_events(backend) == {"made": 1, "kept": 1, "overdue": 0}


def test_customer_domains_label_the_histogram_only_when_turned_on(tmp_path: Path,
                                                                   store: Store) -> None:
    ledger, backend = watch(tmp_path, store, "customer_domains = true\n")
    ledger.run_pass(WEDNESDAY_9)
    inbound(store, "<q4@customer.example>", WEDNESDAY_9, sender="Maria@Customer.Example")
    reply(store, "<r4@example.com>", "<q4@customer.example>", WEDNESDAY_9 + timedelta(hours=1))
    ledger.run_pass(WEDNESDAY_9 + timedelta(hours=2))
    assert value(backend, "trustmail_first_response_business_seconds_count",
                 customer_domain="customer.example") == 1


def test_a_pass_runs_only_when_the_store_changed_or_a_due_date_passed(
        tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_watch_module, "MIN_GAP_SECONDS", 0.0)
    monkeypatch.setattr(store_watch_module, "PASS_BUDGET", 0.0)
    ledger, _ = watch(tmp_path, store)
    assert ledger.tick(WEDNESDAY_9) is not None          # the baseline
    assert ledger.tick(WEDNESDAY_9) is None              # nothing changed
    inbound(store, "<q5@customer.example>", WEDNESDAY_9)
    reply(store, "<r5@example.com>", "<q5@customer.example>", WEDNESDAY_9 + timedelta(hours=1))
    counts = ledger.tick(WEDNESDAY_9 + timedelta(hours=2))
    assert counts is not None and counts.made == 1
    assert ledger.tick(WEDNESDAY_9 + timedelta(hours=3)) is None
    saturday = WEDNESDAY_9 + timedelta(days=3)
    due_passed = ledger.tick(saturday)                   # no store change, but a due date
    assert due_passed is not None and due_passed.overdue == 1


def test_without_me_the_ledger_is_off_and_says_why(tmp_path: Path, store: Store,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "nome.toml"
    path.write_text('[metrics]\nprometheus = "127.0.0.1:0"\n', "utf-8")
    loaded = load_config(path)
    policy = LabelPolicy.of(loaded.daemon.metrics)
    ledger = LedgerWatch(loaded, store, Recorder(policy))
    assert ledger.tick(WEDNESDAY_9) is None
    [record] = [r for r in caplog.records if r.getMessage() == "metrics-ledger-off"]
    assert "first-response times and promises are not exported" in str(vars(record))
