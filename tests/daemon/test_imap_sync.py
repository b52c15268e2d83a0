"""Header sync against a real Dovecot: incremental, UIDVALIDITY, server restarts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from imap_helpers import account_for, mail, wait_for
from imapclient import IMAPClient
from support.dovecot import Dovecot, dovecot_fixture  # noqa: F401  (fixture "dovecot")

from daemon.config.load import load_config
from daemon.config.sections import AccountSettings
from daemon.imap.account_worker import AccountWorker, sync_headers
from daemon.imap.connection import connect
from daemon.imap.folders import Folders, discover_folders
from daemon.imap.header_sync import enable_condstore, sync_folder
from daemon.store.database import Store, open_store
from daemon.store.queries import get_sync_state
from scoring import Scorer

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(str(tmp_path / "store.sqlite3"))


def seed_customer_thread(server: Dovecot) -> None:
    server.save("INBOX", mail("Carla <carla@customer.example>", "alice@example.com",
                              "Invoice question", MONDAY, "<q1@customer.example>"))
    server.save("Sent", mail("alice@example.com", "carla@customer.example",
                             "Re: Invoice question", MONDAY + timedelta(hours=2),
                             "<a1@example.com>", in_reply_to="<q1@customer.example>"))


def connect_to_seeded(server: Dovecot, monkeypatch: pytest.MonkeyPatch
                      ) -> tuple[AccountSettings, IMAPClient]:
    """The customer thread on the server, and a logged-in client of its account."""
    seed_customer_thread(server)
    account = account_for(server, monkeypatch)
    return account, connect(account)


def stored_rows(store: Store) -> list[tuple[str, str, str, str]]:
    return [(r["folder"], r["from_addr"], r["message_id"], r["direction"])
            for r in store.query("SELECT * FROM messages ORDER BY folder, uid")]


def test_first_sync_then_incremental(dovecot: Dovecot, store: Store,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    account, client = connect_to_seeded(dovecot, monkeypatch)
    assert enable_condstore(client)
    folders = discover_folders(client, account)
    assert folders == Folders(inbox="INBOX", drafts="Drafts", sent="Sent")

    assert sync_headers(client, store, account, folders) == 2
    assert stored_rows(store) == [
        ("INBOX", "carla@customer.example", "<q1@customer.example>", "in"),
        ("Sent", "alice@example.com", "<a1@example.com>", "out")]
    assert get_sync_state(store, "work", "INBOX").highestmodseq is not None  # type: ignore[union-attr]

    again = sync_folder(client, store, "work", "INBOX", "in")
    assert again.unchanged and again.fetched == 0

    dovecot.save("INBOX", mail("bob@other.example", "alice@example.com", "Hello",
                               MONDAY + timedelta(days=1), "<q2@other.example>"))
    assert sync_folder(client, store, "work", "INBOX", "in").fetched == 1
    assert len(stored_rows(store)) == 3
    client.logout()


def test_sync_never_marks_mail_as_read(dovecot: Dovecot, store: Store,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _, client = connect_to_seeded(dovecot, monkeypatch)
    sync_folder(client, store, "work", "INBOX", "in")
    client.select_folder("INBOX", readonly=True)
    assert client.search(["UNSEEN"]) == [1]
    client.logout()


def test_uidvalidity_change_resyncs_the_folder(dovecot: Dovecot, store: Store,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    account, client = connect_to_seeded(dovecot, monkeypatch)
    sync_folder(client, store, "work", "INBOX", "in")
    client.logout()

    dovecot.set_uidvalidity("INBOX", 4242)
    client = connect(account)
    result = sync_folder(client, store, "work", "INBOX", "in")
    client.logout()

    assert result.uidvalidity_changed and result.fetched == 1
    assert get_sync_state(store, "work", "INBOX").uidvalidity == 4242  # type: ignore[union-attr]
    assert [r[2] for r in stored_rows(store)] == ["<q1@customer.example>"]   # no duplicate


def test_worker_survives_a_server_restart(dovecot: Dovecot, store: Store,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    seed_customer_thread(dovecot)
    worker = AccountWorker(account_for(dovecot, monkeypatch), store, scorer=None,
                           renew_seconds=0.5, backoff_start=0.2)
    worker.start()
    try:
        wait_for(lambda: len(stored_rows(store)) == 2, "the first sync")
        dovecot.restart()
        dovecot.save("INBOX", mail("dora@third.example", "alice@example.com", "Urgent",
                                   MONDAY + timedelta(days=2), "<q3@third.example>"))
        wait_for(lambda: "<q3@third.example>" in [r[2] for r in stored_rows(store)],
                 "the message that arrived after the restart")
        assert worker.connections >= 2
        assert worker.is_alive()
    finally:
        worker.stop()
    assert not worker.is_alive()


def test_recent_sent_mail_is_scored_for_its_promises(dovecot: Dovecot, store: Store,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    now = datetime.now(UTC)
    dovecot.save("Sent", mail("alice@example.com", "carla@customer.example", "Re: Contract",
                              now - timedelta(hours=1), "<s1@example.com>",
                              body="Thanks, Carla. I will send the signed contract by Friday.\n"))
    dovecot.save("Sent", mail("alice@example.com", "carla@customer.example", "Re: Old",
                              now - timedelta(days=90), "<s0@example.com>",
                              body="I will call you tomorrow.\n"))
    account = account_for(dovecot, monkeypatch)
    client = connect(account)
    folders = discover_folders(client, account)
    sync_headers(client, store, account, folders, scorer=Scorer(load_config(None).scoring))
    client.logout()
    # keep_bodies is off: the promise is there as metadata (a hash), not as its sentence
    scored = store.query("SELECT m.message_id, p.text, p.text_hash FROM messages m "
                         "LEFT JOIN promises p ON p.message = m.id WHERE m.score IS NOT NULL")
    assert [(r[0], r[1], r[2] is not None) for r in scored] == [("<s1@example.com>", "", True)]
    assert store.query("SELECT count(*) FROM messages")[0][0] == 2     # no duplicate rows
