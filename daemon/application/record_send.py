"""Record a send: the add-on's ``POST /v1/sent`` into the store, once per Message-ID.

The message's fields (as Thunderbird's API gives them) are read by the daemon's one
header reader (daemon/mail/headers.py), so a send gets the same record here as through
the SMTP proxy or the Sent folder's IMAP sync.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from daemon.mail.headers import record_of
from daemon.store.database import MessageRecord, Store
from daemon.store.kept_report import ScoredReport

ADDON_SOURCE = "addon"


@dataclass(frozen=True)
class Recorded:
    """The stored message's row id; ``duplicate`` when it had been recorded before."""

    id: int
    duplicate: bool


def angle_id(value: str) -> str:
    """A Message-ID in the headers' form ``<id@host>`` (Thunderbird's API omits the <>)."""
    value = value.strip().strip("<>")
    return f"<{value}>" if value else ""


class SentFields(Protocol):
    """A sent message given as fields, as Thunderbird's API gives them (the API's
    ``SentMessage`` model); a field left out is None."""

    @property
    def message_id(self) -> str: ...
    @property
    def in_reply_to(self) -> str | None: ...
    @property
    def references(self) -> Sequence[str] | None: ...
    @property
    def date(self) -> str | None: ...
    @property
    def from_(self) -> str | None: ...
    @property
    def to(self) -> Sequence[str] | None: ...
    @property
    def cc(self) -> Sequence[str] | None: ...
    @property
    def subject(self) -> str | None: ...


def sent_record(message: SentFields, *, account: str = "",
                body: str | None = None) -> MessageRecord:
    """The store record of a sent message given as fields, read as the headers they
    stand for."""
    values = {
        "message-id": [angle_id(message.message_id)],
        "in-reply-to": [angle_id(message.in_reply_to or "")],
        "references": [" ".join(angle_id(ref) for ref in message.references or ()
                                if ref.strip())],
        "date": [message.date or ""],
        "from": [message.from_ or ""],
        "to": list(message.to or ()),
        "cc": list(message.cc or ()),
        "subject": [message.subject or ""],
    }
    record = record_of(values, source=ADDON_SOURCE, direction="out")
    return replace(record, account=account, body=body)


def record_send(store: Store, record: MessageRecord,
                report: ScoredReport | None) -> Recorded:
    """Store the send with its final report (the add-on's, as the API validated it),
    unless it is stored already: the SMTP proxy
    may have recorded this very send (same Message-ID), and one send is one message in
    the ledger, whichever part saw it first. Blocking (SQLite): call it off the loop."""
    existing = store.query(
        "SELECT id FROM messages WHERE direction = 'out' AND message_id = ? "
        "ORDER BY id LIMIT 1", (record.message_id,))
    if existing:
        return Recorded(int(existing[0]["id"]), True)
    return Recorded(store.record_message(record, report), False)
