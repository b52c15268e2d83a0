"""The SQLite store shared by the SMTP proxy, IMAP sync, HTTP API and reports.

WAL mode, one connection per thread (sqlite3 connections are not shared across
threads), schema versions applied in order by :data:`MIGRATIONS`.

Privacy: with ``[store] keep_bodies = false`` no message text is kept at all: no body,
no promise sentence, no finding match; only metadata (rule ids, offsets, lengths, a
hash of the text, due dates, counts). Rows written before (or while bodies were on)
are scrubbed when the store is opened with bodies off. Subjects can be stored as a
hash. The files are 0600 in a 0700 directory, whatever the umask.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from daemon.config import paths
from daemon.store.kept_report import (
    KeptReport,
    ScoredReport,
    kept_again,
    storable_report,
    text_hash,
)

STORE_FILE_NAME = "trustmail.sqlite3"

# Each entry upgrades the schema by one version. Never edit a released entry: append.
MIGRATIONS: tuple[str, ...] = (
    # 1: messages seen or sent, their findings and promises
    """
    CREATE TABLE messages (
        id            INTEGER PRIMARY KEY,
        source        TEXT NOT NULL,          -- smtp | imap | addon | mbox
        account       TEXT NOT NULL DEFAULT '',
        folder        TEXT NOT NULL DEFAULT '',
        uid           INTEGER,
        direction     TEXT NOT NULL,          -- out | in | draft
        message_id    TEXT NOT NULL DEFAULT '',
        in_reply_to   TEXT NOT NULL DEFAULT '',
        refs          TEXT NOT NULL DEFAULT '',   -- References, space separated
        date_utc      TEXT,                   -- ISO-8601 UTC
        from_addr     TEXT NOT NULL DEFAULT '',
        to_addrs      TEXT NOT NULL DEFAULT '',   -- comma separated, lower case
        cc_addrs      TEXT NOT NULL DEFAULT '',
        subject       TEXT NOT NULL DEFAULT '',
        automated     INTEGER NOT NULL DEFAULT 0,
        score         INTEGER,
        verdict       TEXT,
        language      TEXT,
        body          TEXT,                   -- only with [store] keep_bodies
        recorded_at   TEXT NOT NULL
    );
    CREATE INDEX messages_message_id ON messages(message_id);
    CREATE INDEX messages_date ON messages(date_utc);
    CREATE UNIQUE INDEX messages_mailbox_uid ON messages(account, folder, uid)
        WHERE uid IS NOT NULL;
    CREATE TABLE findings (
        message       INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        rule          TEXT NOT NULL,
        dimension     TEXT NOT NULL,
        start         INTEGER NOT NULL,
        "end"         INTEGER NOT NULL,
        match         TEXT NOT NULL,
        penalty       REAL NOT NULL
    );
    CREATE INDEX findings_message ON findings(message);
    CREATE TABLE promises (
        id            INTEGER PRIMARY KEY,
        message       INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        text          TEXT NOT NULL,
        owner         TEXT NOT NULL,
        due_utc       TEXT,
        hedged        INTEGER NOT NULL,
        status        TEXT NOT NULL DEFAULT 'open',   -- open | kept | overdue
        status_at     TEXT
    );
    CREATE INDEX promises_message ON promises(message);
    """,
    # 2 (IMAP sync): where each account/folder's incremental header sync stopped
    """
    CREATE TABLE sync_state (
        account       TEXT NOT NULL,
        folder        TEXT NOT NULL,
        uidvalidity   INTEGER NOT NULL,
        uidnext       INTEGER NOT NULL,       -- first UID not yet fetched
        highestmodseq INTEGER,                -- CONDSTORE, when the server has it
        synced_at     TEXT NOT NULL,
        PRIMARY KEY (account, folder)
    );
    CREATE INDEX messages_from_date ON messages(from_addr, date_utc);
    """,
    # 3 (privacy): text metadata kept when the text itself is not; the journal id
    # that makes a replayed record (daemon.store.journal) idempotent
    """
    ALTER TABLE promises ADD COLUMN text_hash TEXT;
    ALTER TABLE promises ADD COLUMN start INTEGER;
    ALTER TABLE promises ADD COLUMN "end" INTEGER;
    ALTER TABLE findings ADD COLUMN match_hash TEXT;
    ALTER TABLE messages ADD COLUMN journal_id TEXT;
    CREATE UNIQUE INDEX messages_journal_id ON messages(journal_id)
        WHERE journal_id IS NOT NULL;
    """,
)

HASHED_SUBJECT = re.compile(r"sha256:[0-9a-f]{32}")


@dataclass
class MessageRecord:
    """What the store keeps about one message (never its body unless configured)."""

    source: str
    direction: str
    message_id: str = ""
    in_reply_to: str = ""
    references: Sequence[str] = ()
    date: datetime | None = None
    from_addr: str = ""
    to_addrs: Sequence[str] = ()
    cc_addrs: Sequence[str] = ()
    subject: str = ""
    account: str = ""
    folder: str = ""
    uid: int | None = None
    automated: bool = False
    body: str | None = None


def default_store_path() -> Path:
    return paths.data_dir() / STORE_FILE_NAME


def iso_utc(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class Store:
    """Thread-aware access to the SQLite store; each thread gets its own connection."""

    def __init__(self, path: Path, *, keep_bodies: bool = False,
                 hash_subjects: bool = False) -> None:
        self.path = path
        self.keep_bodies = keep_bodies
        self.hash_subjects = hash_subjects
        self._local = threading.local()
        prepare_directory(path.parent)
        paths.create_private_file(path)   # before sqlite3 creates it with the umask's mode
        self.migrate()
        if not keep_bodies:
            self.scrub_text()

    @property
    def connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            # Deleted or blanked text is overwritten, not left in free pages of the file.
            conn.execute("PRAGMA secure_delete=ON")
            self._local.conn = conn
            self.narrow_file_modes()
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self.connection
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def schema_version(self) -> int:
        return int(self.connection.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        with self.transaction() as conn:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version > len(MIGRATIONS):
                raise RuntimeError(f"{self.path}: schema version {version} is newer than this "
                                   f"trustmail ({len(MIGRATIONS)}); upgrade trustmail")
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in script.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number}")

    def narrow_file_modes(self) -> None:
        """0600 for the database and its WAL/SHM (sqlite3 creates those itself)."""
        for suffix in ("", "-wal", "-shm", "-journal"):
            paths.narrow_mode(self.path.with_name(self.path.name + suffix),
                              paths.PRIVATE_FILE_MODE)

    def scrub_text(self) -> int:
        """Blank every stored body, promise sentence and finding match (keep_bodies off).

        The hash is computed first, so the metadata matches what new rows get. Returns
        the rows changed; after a scrub the WAL is checkpointed and truncated so the old
        text does not linger in it.
        """
        with self.transaction() as conn:
            promises = [(text_hash(row[1]), row[0]) for row in conn.execute(
                "SELECT id, text FROM promises WHERE text != ''")]
            conn.executemany("UPDATE promises SET text='', "
                             "text_hash=COALESCE(text_hash, ?) WHERE id=?", promises)
            findings = [(text_hash(row[1]), row[0]) for row in conn.execute(
                "SELECT rowid, match FROM findings WHERE match != ''")]
            conn.executemany("UPDATE findings SET match='', "
                             "match_hash=COALESCE(match_hash, ?) WHERE rowid=?", findings)
            bodies = conn.execute("UPDATE messages SET body=NULL WHERE body IS NOT NULL")
            changed = len(promises) + len(findings) + bodies.rowcount
        if changed:
            self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return changed

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def subject_for_storage(self, subject: str) -> str:
        # A subject hashed already (a journal replay) is not hashed twice.
        if self.hash_subjects and subject and not HASHED_SUBJECT.fullmatch(subject):
            return "sha256:" + hashlib.sha256(subject.encode("utf-8")).hexdigest()[:32]
        return subject

    def record_message(self, record: MessageRecord, report: ScoredReport | None = None, *,
                       journal_id: str | None = None) -> int:
        """Insert a message with its report (see daemon/store/kept_report.py).

        Returns the row id. With a ``uid``, a message already stored for the same
        account/folder/uid is replaced (a changed draft). With a ``journal_id`` (see
        :mod:`daemon.store.journal`) a record already stored under it is not stored
        twice: the existing row id is returned.
        """
        kept = storable_report(report, self.keep_bodies) if report is not None else None
        return self.record_kept(record, kept, journal_id=journal_id)

    def record_kept(self, record: MessageRecord, report: KeptReport | None, *,
                    journal_id: str | None = None) -> int:
        """:meth:`record_message` with the report as the store keeps it (a journal line)."""
        if report is not None:
            report = kept_again(report, self.keep_bodies)
        now = iso_utc(datetime.now(UTC))
        with self.transaction() as conn:
            if journal_id is not None:
                existing = conn.execute("SELECT id FROM messages WHERE journal_id=?",
                                        (journal_id,)).fetchone()
                if existing is not None:
                    return int(existing[0])
            if record.uid is not None:
                conn.execute("DELETE FROM messages WHERE account=? AND folder=? AND uid=?",
                             (record.account, record.folder, record.uid))
            cursor = conn.execute(
                """INSERT INTO messages (source, account, folder, uid, direction, message_id,
                   in_reply_to, refs, date_utc, from_addr, to_addrs, cc_addrs, subject,
                   automated, score, verdict, language, body, recorded_at, journal_id)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                (record.source, record.account, record.folder, record.uid, record.direction,
                 record.message_id, record.in_reply_to, " ".join(record.references),
                 iso_utc(record.date), record.from_addr.lower(),
                 ",".join(a.lower() for a in record.to_addrs),
                 ",".join(a.lower() for a in record.cc_addrs),
                 self.subject_for_storage(record.subject), int(record.automated),
                 report["score"] if report else None,
                 report["verdict"] if report else None,
                 report["language"] if report else None,
                 record.body if self.keep_bodies else None, now, journal_id))
            row_id = int(cursor.lastrowid or 0)
            if report:
                self._insert_report_parts(conn, row_id, report)
            return row_id

    @staticmethod
    def _insert_report_parts(conn: sqlite3.Connection, row_id: int,
                             report: KeptReport) -> None:
        conn.executemany(
            'INSERT INTO findings (message, rule, dimension, start, "end", match, penalty, '
            "match_hash) VALUES (?,?,?,?,?,?,?,?)",
            [(row_id, f["rule"], f["dimension"], f["start"], f["end"], f["match"],
              f["penalty"], f["match_hash"]) for f in report["findings"]])
        conn.executemany(
            'INSERT INTO promises (message, text, owner, due_utc, hedged, text_hash, start, '
            '"end") VALUES (?,?,?,?,?,?,?,?)',
            [(row_id, p["text"], p["owner"], normalise_iso(p["due"]), int(p["hedged"]),
              p["text_hash"], p["start"], p["end"]) for p in report["promises"]])

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return list(self.connection.execute(sql, params))


def prepare_directory(directory: Path) -> None:
    """The store's folder: 0700 when trustmail owns it (the data dir, or one it creates).

    An existing folder the user chose elsewhere keeps its mode (narrowing a home
    directory would surprise); the files in it are 0600 all the same.
    """
    data = paths.data_dir()
    if directory.exists() and directory != data and data not in directory.parents:
        return
    paths.ensure_private_dir(directory)


def normalise_iso(value: str | None) -> str | None:
    if not value:
        return None
    return iso_utc(datetime.fromisoformat(value))


def open_store(path: str = "", *, keep_bodies: bool = False,
               hash_subjects: bool = False) -> Store:
    return Store(Path(path) if path else default_store_path(), keep_bodies=keep_bodies,
                 hash_subjects=hash_subjects)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
