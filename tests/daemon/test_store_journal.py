"""The record journal: a record appended before the 250 survives a kill -9."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from support.reports import a_report

from daemon.store.database import MessageRecord, open_store
from daemon.store.journal import JournalBusy, RecordJournal
from daemon.store.queries import load_promises
from scoring.findings import Promise

PROMISE = "I will send the signed contract by Friday."
REPORT = a_report(80, promises=[Promise(PROMISE, 0, len(PROMISE), "sender", None, False)])
TESTS = Path(__file__).resolve().parent.parent


def test_a_killed_writer_loses_no_record_and_the_journal_keeps_no_text(
        tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(TESTS)!r})
        from support.reports import a_report
        from scoring.findings import Promise
        from daemon.store.database import MessageRecord, open_store
        from daemon.store.journal import RecordJournal
        journal = RecordJournal(open_store({str(path)!r}))
        for n in range(20):
            journal.append(MessageRecord("smtp", "out", message_id=f"<m{{n}}@x>"),
                           a_report(80, promises=[Promise({PROMISE!r}, 0, {len(PROMISE)},
                                                          "sender", None, False)]))
        os.kill(os.getpid(), signal.SIGKILL)     # after the 250s, before any store write
    """)
    result = subprocess.run([sys.executable, "-c", script], check=False)
    assert result.returncode == -9
    journal_file = path.with_name(path.name + "-records.journal")
    assert PROMISE.encode() not in journal_file.read_bytes()     # keep_bodies is off
    store = open_store(str(path))
    assert store.query("SELECT count(*) FROM messages")[0][0] == 0
    journal = RecordJournal(store)
    assert journal.replayed == 20
    assert store.query("SELECT count(*) FROM messages")[0][0] == 20
    assert len(load_promises(store)) == 20
    assert journal_file.stat().st_size == 0
    journal.close()


def test_commit_after_a_replay_does_not_store_twice(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "store.sqlite3"), hash_subjects=True)
    journal = RecordJournal(store, fsync=False)
    record = MessageRecord("smtp", "out", message_id="<a@x>", subject="Contract")
    journal_id = journal.append(record, None)        # scoring not finished at the 250
    journal.close()
    journal = RecordJournal(store)                   # the restart replays it
    assert journal.replayed == 1
    journal.commit(journal_id, record, REPORT)       # the late writer of the old process
    rows = store.query("SELECT subject, score FROM messages")
    assert len(rows) == 1 and rows[0]["score"] is None
    assert rows[0]["subject"] == store.subject_for_storage("Contract")   # hashed once


def test_commit_empties_the_journal_and_a_torn_line_is_skipped(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "store.sqlite3"))
    journal = RecordJournal(store)
    record = MessageRecord("smtp", "out", message_id="<b@x>")
    journal.commit(journal.append(record, REPORT), record, REPORT)
    assert journal.path.stat().st_size == 0
    assert store.query("SELECT count(*) FROM messages")[0][0] == 1
    journal.append(MessageRecord("smtp", "out", message_id="<c@x>"), REPORT)
    journal.close()
    with journal.path.open("ab") as handle:
        handle.write(b'{"id": "torn", "rec')
    journal = RecordJournal(store)
    assert journal.replayed == 1
    assert store.query("SELECT count(*) FROM messages")[0][0] == 2
    with pytest.raises(JournalBusy):
        RecordJournal(store)                         # a second daemon may not own it
    journal.close()
