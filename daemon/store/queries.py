"""Store reads and writes for IMAP sync, response times, promises and reports.

Kept apart from :mod:`daemon.store.database` (the schema and the generic writer) so each caller
finds its queries in one place. Batch writes run in one transaction: a first sync of
50,000 headers must not pay 50,000 commits.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from daemon.store.database import MessageRecord, Store, iso_utc
from daemon.store.kept_report import NOT_STORED

# Shown instead of a promise sentence that the store did not keep.
TEXT_NOT_STORED = "(text not stored; keep_bodies is off)"


@dataclass(frozen=True)
class SyncState:
    """Where the incremental sync of one folder stopped."""

    account: str
    folder: str
    uidvalidity: int
    uidnext: int
    highestmodseq: int | None = None


@dataclass(slots=True)
class StoredMessage:
    """A message row as reports read it (satisfies ``TimedMessage``)."""

    row_id: int
    source: str
    direction: str
    message_id: str
    in_reply_to: str
    references: Sequence[str]
    date: datetime | None
    from_addr: str
    to_addrs: Sequence[str]
    cc_addrs: Sequence[str]
    subject: str
    automated: bool
    score: int | None
    account: str = ""
    folder: str = ""
    findings: list[tuple[str, str]] = field(default_factory=list)   # (rule, match)


@dataclass(frozen=True)
class StoredPromise:
    """A promise row joined with the message that made it."""

    promise_id: int
    message_row: int
    text: str
    owner: str
    due: datetime | None
    hedged: bool
    status: str
    made_at: datetime | None
    text_stored: bool = True     # False: ``text`` is TEXT_NOT_STORED, not the sentence


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while tens of thousands of small objects are
    built (it would otherwise run many times over objects that all stay alive)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def get_sync_state(store: Store, account: str, folder: str) -> SyncState | None:
    row = store.connection.execute(
        "SELECT uidvalidity, uidnext, highestmodseq FROM sync_state "
        "WHERE account=? AND folder=?", (account, folder)).fetchone()
    if row is None:
        return None
    return SyncState(account, folder, int(row[0]), int(row[1]),
                     None if row[2] is None else int(row[2]))


def save_sync_state(store: Store, state: SyncState) -> None:
    with store.transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO sync_state (account, folder, uidvalidity, uidnext, "
            "highestmodseq, synced_at) VALUES (?,?,?,?,?,?)",
            (state.account, state.folder, state.uidvalidity, state.uidnext,
             state.highestmodseq, iso_utc(datetime.now(UTC))))


def forget_folder(store: Store, account: str, folder: str) -> int:
    """Drop a folder's synced headers and state (its UIDVALIDITY changed). Returns rows."""
    with store.transaction() as conn:
        cursor = conn.execute(
            "DELETE FROM messages WHERE account=? AND folder=? AND source='imap' "
            "AND direction != 'draft'", (account, folder))
        conn.execute("DELETE FROM sync_state WHERE account=? AND folder=?", (account, folder))
        return cursor.rowcount


def forget_vanished_drafts(store: Store, account: str, folder: str,
                           present_uids: Iterable[int]) -> int:
    """Delete stored drafts whose UID is no longer in the Drafts folder. Returns rows."""
    present = set(present_uids)
    rows = store.query("SELECT uid FROM messages WHERE account=? AND folder=? "
                       "AND direction='draft' AND uid IS NOT NULL", (account, folder))
    gone = [(account, folder, row[0]) for row in rows if row[0] not in present]
    if gone:
        with store.transaction() as conn:
            conn.executemany("DELETE FROM messages WHERE account=? AND folder=? AND uid=? "
                             "AND direction='draft'", gone)
    return len(gone)


def replace_header_records(store: Store, records: Iterable[MessageRecord]) -> int:
    """Insert header-only records in one transaction, replacing the same account/folder/uid."""
    now = iso_utc(datetime.now(UTC))
    rows = [
        (r.source, r.account, r.folder, r.uid, r.direction, r.message_id, r.in_reply_to,
         " ".join(r.references), iso_utc(r.date), r.from_addr.lower(),
         ",".join(a.lower() for a in r.to_addrs), ",".join(a.lower() for a in r.cc_addrs),
         store.subject_for_storage(r.subject), int(r.automated), now)
        for r in records]
    with store.transaction() as conn:
        conn.executemany("DELETE FROM messages WHERE account=? AND folder=? AND uid=?",
                         [(row[1], row[2], row[3]) for row in rows if row[3] is not None])
        conn.executemany(
            """INSERT INTO messages (source, account, folder, uid, direction, message_id,
               in_reply_to, refs, date_utc, from_addr, to_addrs, cc_addrs, subject,
               automated, recorded_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""", rows)
    return len(rows)


def load_messages(store: Store, *, with_findings: bool = False) -> list[StoredMessage]:
    """Every non-draft message, oldest first (drafts were never sent)."""
    # Sorting in Python is faster than walking the date index (a read per row).
    cursor = store.connection.cursor()
    cursor.row_factory = None      # plain tuples: sqlite3.Row costs a lot per column read
    rows = list(cursor.execute(
        "SELECT id, source, direction, message_id, in_reply_to, refs, date_utc, from_addr, "
        "to_addrs, cc_addrs, subject, automated, score, account, folder FROM messages "
        "WHERE direction != 'draft'"))
    rows.sort(key=lambda row: (row[6] or "", row[0]))
    with gc_paused():
        messages = [   # positional: this runs 50,000 times for a large mailbox
            StoredMessage(row[0], row[1], row[2], row[3], row[4], row[5].split(),
                          parse_iso(row[6]), row[7], row[8].split(",") if row[8] else [],
                          row[9].split(",") if row[9] else [], row[10], bool(row[11]),
                          row[12], row[13], row[14])
            for row in rows]
    if with_findings:
        by_row = {m.row_id: m for m in messages}
        for row in store.query("SELECT message, rule, match FROM findings"):
            message = by_row.get(row[0])
            if message is not None:
                message.findings.append((row[1], row[2]))
    return messages


def load_promises(store: Store) -> list[StoredPromise]:
    """Every promise with the date of the message that made it.

    A sentence the store did not keep (keep_bodies off) reads as TEXT_NOT_STORED, so
    every caller that shows promises says so instead of showing an empty line.
    """
    rows = store.query(
        "SELECT p.id, p.message, p.text, p.owner, p.due_utc, p.hedged, p.status, "
        "m.date_utc, m.recorded_at FROM promises p JOIN messages m ON m.id = p.message "
        "WHERE m.direction != 'draft' ORDER BY COALESCE(m.date_utc, m.recorded_at), p.id")
    return [StoredPromise(row[0], row[1], row[2] if row[2] != NOT_STORED else TEXT_NOT_STORED,
                          row[3], parse_iso(row[4]), bool(row[5]), row[6],
                          parse_iso(row[7] or row[8]), text_stored=row[2] != NOT_STORED)
            for row in rows]


def save_promise_statuses(store: Store, statuses: Iterable[tuple[int, str]]) -> None:
    """Persist ``(promise id, status)`` pairs computed by the promise ledger."""
    now = iso_utc(datetime.now(UTC))
    with store.transaction() as conn:
        conn.executemany(
            "UPDATE promises SET status=?, status_at=? WHERE id=? AND status != ?",
            [(status, now, promise_id, status) for promise_id, status in statuses])
