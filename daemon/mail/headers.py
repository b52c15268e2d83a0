"""The one header reader: message headers -> :class:`daemon.store.database.MessageRecord`.

Every path into the store reads headers here, by one rule set, so the same message
gives the same record whether it came through the SMTP proxy, the IMAP sync (INBOX,
Sent, Drafts), an mbox, or the add-on's ``POST /v1/sent``:

- **ids**: the first ``<id>`` of Message-ID; the first of In-Reply-To (RFC 5322 3.6.4:
  the parent; jwz threading takes the first too); every ``<id>`` of References;
  a token without angle brackets or with ``<``/whitespace inside is no id;
- **addresses**: lower case, encoded words decoded (a whole ``Name <addr>`` encoded as
  one word too), each once, in order; a value nested in comments too deep for the
  stdlib is unparseable (absent); the From address is the first one;
- **date**: RFC 5322 (or ISO 8601, which the add-on sends) as an aware UTC datetime;
  a date without a zone ("-0000") is UTC; unreadable is None;
- **subject**: RFC 2047 decoded, raw 8-bit bytes read as UTF-8 where valid (U+FFFD
  elsewhere), cut to the encoded-word caps;
- **automated** follows DESIGN.md's response-time definition: Auto-Submitted (other
  than ``no``), Precedence bulk/list/junk, a List-Id, or a no-reply style sender.

Works on the header block alone (what the IMAP header sync fetches with
``BODY.PEEK[HEADER.FIELDS (...)]``), on a whole message, or on header values given as
text (:func:`record_of`). Never raises on bad input. The header block is bounded first
(daemon/mail/bounded.py): hostile headers must not make the stdlib take seconds or
gigabytes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from daemon.mail.bounded import bound_headers, bound_text, header_message
from daemon.store.database import MessageRecord

# The header fields the IMAP sync fetches: everything this module reads, nothing more.
SYNC_HEADER_FIELDS: tuple[str, ...] = (
    "From", "To", "Cc", "Date", "Subject", "Message-ID", "In-Reply-To", "References",
    "Auto-Submitted", "Precedence", "List-Id",
)
AUTOMATED_PRECEDENCE = frozenset({"bulk", "list", "junk"})
# Local parts of senders nobody can answer to.
NO_REPLY_LOCAL_PART = re.compile(
    r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer[-_.]daemon|postmaster|bounces?)([-+.].*)?$",
    re.IGNORECASE)
MESSAGE_ID = re.compile(r"<[^<>\s]+>")

# Lower-case header name -> its values as text, in order (what a record is built from).
HeaderValues = Mapping[str, Sequence[str]]


def clean(value: object) -> str:
    """A header value as valid text: raw 8-bit bytes (surrogate escapes) are read as
    UTF-8 where valid, U+FFFD elsewhere."""
    if value is None:
        return ""
    return str(value).encode("utf-8", "surrogateescape").decode("utf-8", "replace").strip()


def header_values(message: Message) -> dict[str, list[str]]:
    """Every header of ``message`` as :data:`HeaderValues`. The raw values are read:
    compat32's own accessors turn 8-bit headers into ``Header`` objects that lose the
    characters."""
    values: dict[str, list[str]] = {}
    for name, value in message.raw_items():
        values.setdefault(name.lower(), []).append(clean(value))
    return values


def first(values: HeaderValues, name: str) -> str:
    found = values.get(name.lower(), ())
    return found[0] if found else ""


def decode_text(value: str | None) -> str:
    """An RFC 2047 header value as plain text ("" when absent; as is when undecodable)."""
    if not value:
        return ""
    value = bound_text(str(value))
    try:
        return clean(make_header(decode_header(value)))
    except (ValueError, LookupError, UnicodeError, HeaderParseError):
        return clean(value)


def address_of(value: str | None) -> str:
    """The lower-case address of a From-style header; handles a fully encoded header."""
    if not value:
        return ""
    try:
        _, address = parseaddr(str(value))
        if "@" not in address:
            # Some clients encode the whole "Name <addr>" as one encoded word.
            _, address = parseaddr(decode_text(value))
    except RecursionError:      # comments nested too deep for the stdlib: unparseable
        return ""
    return address.strip().lower() if "@" in address else ""


def addresses_of(values: Sequence[str] | None) -> list[str]:
    """All lower-case addresses of To/Cc-style headers (encoded words decoded), once each."""
    found: list[str] = []
    for value in values or []:
        try:
            pairs = getaddresses([decode_text(value)])
        except RecursionError:  # comments nested too deep for the stdlib: unparseable
            continue
        for _, address in pairs:
            address = address.strip().lower()
            if "@" in address and address not in found:
                found.append(address)
    return found


def message_ids(value: str | None) -> list[str]:
    """The ``<id>`` tokens of a Message-ID / In-Reply-To / References header, in order."""
    if not value:
        return []
    return MESSAGE_ID.findall(str(value))


def parse_date(value: str | None) -> datetime | None:
    """A Date header (RFC 5322, or ISO 8601) as an aware UTC datetime; None when missing
    or unreadable. A date without a zone ("-0000", a bare ISO time) is taken as UTC."""
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def automated(values: HeaderValues, sender: str) -> bool:
    """True for machine-sent mail that nobody expects a personal answer to."""
    auto_submitted = first(values, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return True
    if first(values, "Precedence").lower() in AUTOMATED_PRECEDENCE:
        return True
    if first(values, "List-Id"):
        return True
    return bool(NO_REPLY_LOCAL_PART.match(sender.partition("@")[0]))


def is_automated(message: Message, sender: str) -> bool:
    """:func:`automated` for a parsed message."""
    return automated(header_values(message), sender)


def record_of(values: HeaderValues, *, source: str, direction: str) -> MessageRecord:
    """The store record of a message's headers, by the rules above."""
    from_addrs = [a for a in (address_of(v) for v in values.get("from", ())) if a]
    sender = from_addrs[0] if from_addrs else ""
    own_ids = message_ids(first(values, "Message-ID"))
    parents = message_ids(first(values, "In-Reply-To"))
    return MessageRecord(
        source=source,
        direction=direction,
        message_id=own_ids[0] if own_ids else "",
        in_reply_to=parents[0] if parents else "",
        references=[i for v in values.get("references", ()) for i in message_ids(v)],
        date=parse_date(first(values, "Date")),
        from_addr=sender,
        to_addrs=addresses_of(values.get("to")),
        cc_addrs=addresses_of(values.get("cc")),
        subject=decode_text(first(values, "Subject")),
        automated=automated(values, sender),
    )


def parse_header_message(message: Message, *, source: str, direction: str) -> MessageRecord:
    """The store record of a parsed message (only its headers are read)."""
    return record_of(header_values(message), source=source, direction=direction)


def bounded_header_message(raw: bytes) -> Message:
    """The header block of ``raw`` (a message or a header block), bounded, as a compat32
    Message built without the stdlib's line-by-line parser (slow on folded lines)."""
    return header_message(bound_headers(raw))


def parse_headers(raw: bytes, *, source: str, direction: str) -> MessageRecord:
    """The store record of a header block (or a whole message)."""
    return parse_header_message(bounded_header_message(raw), source=source,
                                direction=direction)


def header_text(message: Message, name: str) -> str:
    """A header's first value, RFC 2047 decoded, as plain text."""
    return decode_text(first(header_values(message), name))
