"""Turn a relayed message into the store's :class:`MessageRecord` (metadata only).

Headers are parsed leniently: malformed or 8-bit headers give what can be read,
never an exception, because a message that was relayed must also be recorded. The
header block is bounded first (daemon/bounded_mail.py), so a hostile header costs
neither seconds nor gigabytes, and an address nested in comments too deep for the
stdlib is unparseable (the envelope fills in).
"""

from __future__ import annotations

import email.errors
import email.header
import email.utils
from collections.abc import Sequence
from datetime import datetime
from email.message import Message

from daemon.bounded_mail import bound_headers, bound_text, header_message
from daemon.store import MessageRecord

SOURCE_SMTP = "smtp"
DIRECTION_OUT = "out"


def clean(value: object) -> str:
    """A header value as valid UTF-8 text (raw 8-bit bytes become U+FFFD where invalid)."""
    if value is None:
        return ""
    text = str(value)
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace").strip()


def parse_headers(raw: bytes) -> Message:
    """The message's header block, bounded and parsed without ever raising on bad input
    (and without the stdlib's line-by-line parser, which is slow on folded lines)."""
    return header_message(bound_headers(raw))


def raw_values(headers: Message, name: str) -> list[str]:
    """Every value of a header as text; raw 8-bit bytes are read as UTF-8 where valid.

    (compat32's own accessors turn 8-bit headers into ``Header`` objects that lose
    the characters, so the raw values are read instead.)
    """
    wanted = name.lower()
    return [clean(value) for key, value in headers.raw_items() if key.lower() == wanted]


def raw_value(headers: Message, name: str) -> str:
    values = raw_values(headers, name)
    return values[0] if values else ""


def header_text(headers: Message, name: str) -> str:
    """A header decoded from RFC 2047 encoded-words into plain text."""
    value = bound_text(raw_value(headers, name))
    if not value:
        return ""
    try:
        parts = email.header.decode_header(value)
        return clean(email.header.make_header(parts))
    except (ValueError, LookupError, email.errors.HeaderParseError):
        return value


def message_ids(value: str) -> list[str]:
    """The <id> tokens of a Message-ID, In-Reply-To or References header."""
    ids, depth, current = [], 0, []
    for char in value:
        if char == "<":
            depth, current = 1, ["<"]
        elif char == ">" and depth:
            current.append(">")
            ids.append("".join(current))
            depth, current = 0, []
        elif depth:
            current.append(char)
    return ids


def addresses(headers: Message, name: str) -> list[str]:
    found: list[str] = []
    for value in raw_values(headers, name):
        try:
            found.extend(addr for _, addr in email.utils.getaddresses([value]) if addr)
        except RecursionError:   # comments nested too deep for the stdlib: unparseable
            continue
    return found


def header_date(headers: Message) -> datetime | None:
    value = raw_value(headers, "Date")
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


def build_record(raw: bytes, mail_from: str, rcpt_tos: Sequence[str],
                 body_text: str | None = None) -> MessageRecord:
    """Metadata of one relayed message; envelope addresses fill in missing headers.

    ``body_text`` is stored only when the store is configured to keep bodies.
    """
    headers = parse_headers(raw)
    first_id = message_ids(raw_value(headers, "Message-ID"))
    in_reply_to = message_ids(raw_value(headers, "In-Reply-To"))
    from_addrs = addresses(headers, "From")
    to_addrs = addresses(headers, "To") or list(rcpt_tos)
    return MessageRecord(
        source=SOURCE_SMTP,
        direction=DIRECTION_OUT,
        message_id=first_id[0] if first_id else "",
        in_reply_to=in_reply_to[0] if in_reply_to else "",
        references=message_ids(raw_value(headers, "References")),
        date=header_date(headers),
        from_addr=from_addrs[0] if from_addrs else mail_from,
        to_addrs=to_addrs,
        cc_addrs=addresses(headers, "Cc"),
        subject=header_text(headers, "Subject"),
        automated=(raw_value(headers, "Auto-Submitted") or "no").lower() != "no",
        body=body_text,
        extra={"envelope_rcpts": list(rcpt_tos)},
    )
