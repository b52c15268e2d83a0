"""Message headers -> :class:`daemon.store.MessageRecord`: addresses, dates, threading ids.

Works on the header block alone (what the IMAP header sync fetches with
``BODY.PEEK[HEADER.FIELDS (...)]``) or on a whole message. Never raises on bad input:
a header that cannot be read becomes an empty value. The header block is bounded first
(daemon/bounded_mail.py): hostile headers must not make the stdlib take seconds or
gigabytes, and an address nested in comments too deep to parse counts as absent.

"Automated" follows DESIGN.md's response-time definition: Auto-Submitted (other than
``no``), Precedence bulk/list/junk, a List-Id, or a no-reply style sender.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from daemon.bounded_mail import bound_headers, bound_text, header_message
from daemon.store import MessageRecord

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


def decode_text(value: str | None) -> str:
    """An RFC 2047 header value as plain text ("" when absent or undecodable)."""
    if not value:
        return ""
    value = bound_text(str(value))
    try:
        return str(make_header(decode_header(value))).strip()
    except (ValueError, LookupError, UnicodeError):
        return str(value).strip()


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


def addresses_of(values: list[str] | None) -> list[str]:
    """All lower-case addresses of To/Cc-style headers (encoded words decoded)."""
    found: list[str] = []
    pairs: list[tuple[str, str]] = []
    for value in values or []:
        try:
            pairs.extend(getaddresses([decode_text(value)]))
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
    """The Date header as an aware UTC datetime; None when missing or unreadable."""
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:        # "-0000" means UTC with unknown local zone
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def is_automated(message: Message, sender: str) -> bool:
    """True for machine-sent mail that nobody expects a personal answer to."""
    auto_submitted = str(message.get("Auto-Submitted", "") or "").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return True
    if str(message.get("Precedence", "") or "").strip().lower() in AUTOMATED_PRECEDENCE:
        return True
    if message.get("List-Id"):
        return True
    local_part = sender.partition("@")[0]
    return bool(NO_REPLY_LOCAL_PART.match(local_part))


def parse_header_message(message: Message, *, source: str, direction: str) -> MessageRecord:
    """Build the store record of a parsed message (only its headers are read)."""
    sender = address_of(message.get("From"))
    own_ids = message_ids(message.get("Message-ID"))
    in_reply_to = message_ids(message.get("In-Reply-To"))
    return MessageRecord(
        source=source,
        direction=direction,
        message_id=own_ids[0] if own_ids else "",
        in_reply_to=in_reply_to[-1] if in_reply_to else "",
        references=message_ids(message.get("References")),
        date=parse_date(message.get("Date")),
        from_addr=sender,
        to_addrs=addresses_of(message.get_all("To")),
        cc_addrs=addresses_of(message.get_all("Cc")),
        subject=decode_text(message.get("Subject")),
        automated=is_automated(message, sender),
    )


def parse_headers(raw: bytes, *, source: str, direction: str) -> MessageRecord:
    """Parse a header block (or a whole message) into a MessageRecord."""
    message = header_message(bound_headers(raw))
    return parse_header_message(message, source=source, direction=direction)
