"""Record a send: the add-on's ``POST /v1/sent`` into the store, once per Message-ID.

The message's fields (as Thunderbird's API gives them) are read by the daemon's one
header reader (daemon/mail/headers.py), so a send gets the same record here as through
the SMTP proxy or the Sent folder's IMAP sync.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from daemon.mail.headers import record_of
from daemon.store.database import MessageRecord, Store

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


def sent_record(message: Mapping[str, Any], *, account: str = "",
                body: str | None = None) -> MessageRecord:
    """The store record of a sent message given as fields (a schema-valid SentMessage:
    ``message_id``, ``in_reply_to``, ``references``, ``date``, ``from``, ``to``, ``cc``,
    ``subject``), read as the headers they stand for."""
    references: Sequence[str] = message.get("references", [])
    values = {
        "message-id": [angle_id(message["message_id"])],
        "in-reply-to": [angle_id(message.get("in_reply_to", ""))],
        "references": [" ".join(angle_id(ref) for ref in references if ref.strip())],
        "date": [message.get("date", "")],
        "from": [message.get("from", "")],
        "to": list(message.get("to", [])),
        "cc": list(message.get("cc", [])),
        "subject": [message.get("subject", "")],
    }
    record = record_of(values, source=ADDON_SOURCE, direction="out")
    return replace(record, account=account, body=body)


def record_send(store: Store, record: MessageRecord,
                report: dict[str, Any] | None) -> Recorded:
    """Store the send with its final report, unless it is stored already: the SMTP proxy
    may have recorded this very send (same Message-ID), and one send is one message in
    the ledger, whichever part saw it first. Blocking (SQLite): call it off the loop."""
    existing = store.query(
        "SELECT id FROM messages WHERE direction = 'out' AND message_id = ? "
        "ORDER BY id LIMIT 1", (record.message_id,))
    if existing:
        return Recorded(int(existing[0]["id"]), True)
    return Recorded(store.record_message(record, report), False)
