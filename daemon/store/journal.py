"""A record journal, so a kill -9 between the client's 250 and the store write loses nothing.

The SMTP proxy answers the client as soon as the upstream accepted; the SQLite write
(which may wait for the store's write lock) follows. The proxy therefore appends the
record to this journal before it answers (one JSON line, fsynced), and commits it to
the store afterwards. A journal entry the store never got is replayed when the journal
is next opened. Each entry carries an id that the store keeps with the row, so a
replay never stores a record twice.

The journal holds what the store would hold (:func:`daemon.store.kept_report.storable_report`):
with keep_bodies off, no message text. Only one process may own it (an exclusive
flock); the daemon opens it at start.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import uuid
from pathlib import Path
from typing import Any

from daemon.config import paths
from daemon.store.database import MessageRecord, Store, prepare_directory
from daemon.store.kept_report import ScoredReport, storable_report
from daemon.store.queries import parse_iso


class JournalBusy(RuntimeError):
    """Another process (a second daemon) owns the journal."""


class RecordJournal:
    """Append before answering, :meth:`commit` after; see the module docstring."""

    def __init__(self, store: Store, path: Path | None = None, *, fsync: bool = True) -> None:
        self.store = store
        self.path = path or store.path.with_name(store.path.name + "-records.journal")
        self.fsync = fsync          # os.write alone survives kill -9; fsync survives power loss
        self._lock = threading.Lock()
        self._pending: set[str] = set()
        prepare_directory(self.path.parent)
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        os.fchmod(self._fd, paths.PRIVATE_FILE_MODE)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._fd)
            raise JournalBusy(f"{self.path} is in use by another trustmail") from None
        self.replayed = self._replay()

    def append(self, record: MessageRecord, report: ScoredReport | None = None) -> str:
        """Write the record durably; returns the id to pass to :meth:`commit`."""
        journal_id = uuid.uuid4().hex
        entry = {"id": journal_id, "record": _record_dict(record, self.store),
                 "report": storable_report(report, self.store.keep_bodies) if report is not None
                 else None}
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8", "surrogatepass")
        with self._lock:
            os.write(self._fd, line)
            if self.fsync:
                os.fsync(self._fd)
            self._pending.add(journal_id)
        return journal_id

    def commit(self, journal_id: str, record: MessageRecord,
               report: ScoredReport | None = None) -> int:
        """Store the record (with the final report, when scoring finished since) and
        drop it from the journal. Returns the store row id."""
        row = self.store.record_message(record, report, journal_id=journal_id)
        with self._lock:
            self._pending.discard(journal_id)
            if not self._pending:     # everything is in the store: start the file afresh
                os.ftruncate(self._fd, 0)
        return row

    def close(self) -> None:
        os.close(self._fd)

    def _replay(self) -> int:
        """Store every entry the store lacks; returns how many there were in the file."""
        with open(self._fd, "rb", closefd=False) as handle:
            lines = handle.read().splitlines()
        count = 0
        for line in lines:
            try:
                entry = json.loads(line)
            except ValueError:
                continue              # the torn last line of a kill during the write
            record = _record_from_dict(entry["record"])
            self.store.record_kept(record, entry["report"], journal_id=entry["id"])
            count += 1
        os.ftruncate(self._fd, 0)
        return count


def _record_dict(record: MessageRecord, store: Store) -> dict[str, Any]:
    subject = store.subject_for_storage(record.subject)     # hashed here when configured
    return {"source": record.source, "direction": record.direction,
            "message_id": record.message_id, "in_reply_to": record.in_reply_to,
            "references": list(record.references),
            "date": record.date.isoformat() if record.date else None,
            "from_addr": record.from_addr, "to_addrs": list(record.to_addrs),
            "cc_addrs": list(record.cc_addrs), "subject": subject, "account": record.account,
            "folder": record.folder, "uid": record.uid, "automated": record.automated,
            "body": record.body if store.keep_bodies else None}


def _record_from_dict(data: dict[str, Any]) -> MessageRecord:
    return MessageRecord(
        source=data["source"], direction=data["direction"], message_id=data["message_id"],
        in_reply_to=data["in_reply_to"], references=data["references"],
        date=parse_iso(data["date"]), from_addr=data["from_addr"], to_addrs=data["to_addrs"],
        cc_addrs=data["cc_addrs"], subject=data["subject"], account=data["account"],
        folder=data["folder"], uid=data["uid"], automated=data["automated"],
        body=data["body"])
