"""The store's privacy promise: with keep_bodies off it keeps no message text at all."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support.reports import a_report

from daemon.cli import main
from daemon.reports.rows import finding_rows
from daemon.store.database import MIGRATIONS, MessageRecord, Store, open_store
from daemon.store.kept_report import text_hash
from daemon.store.queries import TEXT_NOT_STORED, load_messages, load_promises
from scoring.findings import Finding, Promise
from scoring.report import Report

ME = "alice@example.com"
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PROMISE = "I will send the signed contract to you by Friday."
MATCH = "maybe we could possibly look into it"
BODY = "Hello Bob, the whole body of a message that must never be stored."


def report() -> Report:
    return a_report(71, "warn", body=BODY,
                    findings=[Finding("hedging.maybe", "honesty", 3, 3 + len(MATCH), MATCH,
                                      "m", "s", 4.0)],
                    promises=[Promise(PROMISE, 40, 40 + len(PROMISE), "sender",
                                      T0 + timedelta(days=4), False, "by Friday")])


def record(message_id: str = "<a1@x>") -> MessageRecord:
    return MessageRecord("smtp", "out", message_id=message_id, from_addr=ME,
                         to_addrs=["bob@customer.example"], date=T0, subject="Contract",
                         body=BODY)


def file_bytes(path: Path) -> bytes:
    """Every byte sqlite left on disk for the store: the database, its WAL and SHM."""
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def secrets_in(path: Path) -> list[str]:
    data = file_bytes(path)
    return [text for text in (PROMISE, MATCH, BODY) if text.encode() in data]


def test_without_bodies_only_metadata_is_stored(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    store = open_store(str(path))
    row = store.record_message(record(), report())
    promise = store.query('SELECT text, text_hash, start, "end", due_utc, owner, hedged '
                          "FROM promises WHERE message=?", (row,))[0]
    assert promise["text"] == ""
    assert promise["text_hash"] == text_hash(PROMISE)
    assert (promise["start"], promise["end"]) == (40, 40 + len(PROMISE))
    assert promise["due_utc"] == "2026-11-27T09:00:00+00:00"
    assert (promise["owner"], promise["hedged"]) == ("sender", 0)
    finding = store.query('SELECT rule, start, "end", match, match_hash, penalty '
                          "FROM findings WHERE message=?", (row,))[0]
    assert (finding["rule"], finding["start"], finding["end"]) == ("hedging.maybe", 3,
                                                                    3 + len(MATCH))
    assert finding["match"] == "" and finding["match_hash"] == text_hash(MATCH)
    assert store.query("SELECT body FROM messages")[0]["body"] is None
    assert secrets_in(path) == []           # not in the WAL either, before a checkpoint
    store.close()
    assert secrets_in(path) == []


def test_callers_show_that_the_text_was_not_stored(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "store.sqlite3"))
    store.record_message(record(), report())
    [promise] = load_promises(store)
    assert promise.text == TEXT_NOT_STORED and not promise.text_stored
    assert promise.due == T0 + timedelta(days=4)
    [message] = load_messages(store, with_findings=True)
    rows = finding_rows([message], {}, limit=5)
    assert [(r.rule, r.count, r.example) for r in rows] == [("hedging.maybe", 1, "")]


def test_the_promises_command_says_the_text_was_not_stored(
        capsys: pytest.CaptureFixture[str]) -> None:
    store = open_store()            # the default store, keep_bodies off by default
    store.record_message(record(), report())
    store.close()
    assert main(["promises", "--me", ME, "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert TEXT_NOT_STORED in out and PROMISE not in out


def test_with_bodies_the_text_is_kept(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "store.sqlite3"), keep_bodies=True)
    store.record_message(record(), report())
    [promise] = load_promises(store)
    assert promise.text == PROMISE and promise.text_stored
    [message] = load_messages(store, with_findings=True)
    assert message.findings == [("hedging.maybe", MATCH)]
    assert store.query("SELECT body FROM messages")[0]["body"] == BODY
    assert store.query("SELECT text_hash FROM promises")[0][0] == text_hash(PROMISE)


def test_opening_with_bodies_off_scrubs_text_stored_before(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    store = open_store(str(path), keep_bodies=True)
    store.record_message(record(), report())
    store.close()
    assert len(secrets_in(path)) == 3
    store = open_store(str(path))           # the admin turned keep_bodies off
    assert secrets_in(path) == []           # overwritten, not left in free pages or WAL
    [promise] = load_promises(store)
    assert promise.text == TEXT_NOT_STORED
    assert store.query("SELECT text_hash FROM promises")[0][0] == text_hash(PROMISE)
    assert store.query("SELECT match_hash FROM findings")[0][0] == text_hash(MATCH)
    assert store.scrub_text() == 0          # nothing left to scrub
    store.close()
    assert secrets_in(path) == []


def test_a_database_of_schema_2_is_migrated_and_scrubbed(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[:2]:
        conn.executescript(script)
    conn.execute("PRAGMA user_version = 2")
    conn.execute("INSERT INTO messages (id, source, direction, body, recorded_at) "
                 "VALUES (1, 'smtp', 'out', ?, '2026-11-23T09:00:00+00:00')", (BODY,))
    conn.execute("INSERT INTO promises (message, text, owner, hedged) "
                 "VALUES (1, ?, 'sender', 0)", (PROMISE,))
    conn.execute('INSERT INTO findings (message, rule, dimension, start, "end", match, '
                 "penalty) VALUES (1, 'hedging.maybe', 'honesty', 0, 5, ?, 4.0)", (MATCH,))
    conn.close()
    store = Store(path)
    assert store.schema_version() == len(MIGRATIONS)
    assert store.query("SELECT text, text_hash FROM promises")[0][:] == ("",
                                                                       text_hash(PROMISE))
    store.close()
    assert secrets_in(path) == []
