"""The store's message rows: what a record holds is what its row keeps, old stores included."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from daemon.smtp_proxy.record import build_record
from daemon.store.database import MIGRATIONS, MessageRecord, Store, open_store
from daemon.store.queries import load_messages, replace_header_records

RELAYED = (b"From: Alice <alice@example.com>\r\nTo: Maria <maria@customer.example>\r\n"
           b"Subject: Contract\r\nMessage-ID: <m1@example.com>\r\n\r\nHello Maria\r\n")


def test_a_relayed_message_keeps_its_envelope_recipients_bcc_included(
        tmp_path: Path) -> None:
    record = build_record(RELAYED, "alice@example.com",
                          ["Maria@Customer.example", "boss@example.com"])   # boss: Bcc
    store = open_store(str(tmp_path / "store.sqlite3"))
    store.record_message(record)
    [row] = store.query("SELECT to_addrs, envelope_rcpts FROM messages")
    assert row["envelope_rcpts"] == "maria@customer.example,boss@example.com"
    assert row["to_addrs"] == "maria@customer.example"     # the headers' To, as before
    [message] = load_messages(store)
    assert list(message.to_addrs) == ["maria@customer.example"]   # reports read the same
    store.close()


def test_records_without_an_envelope_keep_none(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "store.sqlite3"))
    store.record_message(MessageRecord("imap", "in", message_id="<q1@customer.example>"))
    replace_header_records(store, [MessageRecord("imap", "in", account="work",
                                                 folder="INBOX", uid=7)])
    assert [row[0] for row in store.query("SELECT envelope_rcpts FROM messages")] == ["", ""]
    store.close()


def test_a_store_written_before_envelope_recipients_were_kept_still_loads(
        tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[:3]:               # the schema the previous trustmail wrote
        conn.executescript(script)
    conn.execute("PRAGMA user_version = 3")
    conn.execute("INSERT INTO messages (id, source, direction, message_id, to_addrs, "
                 "date_utc, recorded_at) VALUES (1, 'smtp', 'out', '<old@example.com>', "
                 "'maria@customer.example', '2026-11-23T09:00:00+00:00', "
                 "'2026-11-23T09:00:01+00:00')")
    conn.close()
    store = Store(path)
    assert store.schema_version() == len(MIGRATIONS)
    [message] = load_messages(store)
    assert message.message_id == "<old@example.com>"
    assert list(message.to_addrs) == ["maria@customer.example"]
    assert store.query("SELECT envelope_rcpts FROM messages")[0][0] == ""
    store.close()
