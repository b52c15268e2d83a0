"""Turn RFC 5322 bytes or plain text into a Draft: the new text and its surroundings.

Never raises on bad input: a message that cannot be read yields a Draft whose
``error`` says why (the report then carries the error instead of scores).
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage, Message
from email.utils import getaddresses, parsedate_to_datetime

from scoring.dates import DateGrammar
from scoring.html_text import html_to_text
from scoring.quoting import split_body

HEADER_LINE = re.compile(rb"^[!-9;-~]+:[ \t]?", re.MULTILINE)
KNOWN_HEADERS = re.compile(
    rb"^(?:from|to|subject|date|message-id|content-type|mime-version|received|return-path|"
    rb"in-reply-to|references|cc|reply-to|x-[\w-]+):", re.IGNORECASE | re.MULTILINE)
HEADER_SNIFF_BYTES = 4096


@dataclass
class Draft:
    body: str = ""                 # the new text: all findings point into it
    footer: str = ""
    quoted: str = ""
    attribution: str = ""
    answered_below: list[str] = field(default_factory=list)   # scoring/quoting.py
    quote_date: datetime | None = None
    quote_time_known: bool = False      # the attribution gives the time of day and its zone
    date: datetime | None = None
    subject: str = ""
    message_id: str = ""
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    from_addr: str = ""
    from_name: str = ""
    to_addrs: list[str] = field(default_factory=list)
    to_names: list[str] = field(default_factory=list)    # display names of To and Cc
    is_html: bool = False
    error: str | None = None


def looks_like_message(raw: bytes) -> bool:
    """True when the bytes start with RFC 5322 headers (else: treat as plain text)."""
    head = raw[:HEADER_SNIFF_BYTES].lstrip(b"\r\n")
    first_line = head.split(b"\n", 1)[0]
    return bool(HEADER_LINE.match(first_line)) and bool(KNOWN_HEADERS.search(head))


def parse_bytes(raw: bytes, dates: DateGrammar | None = None) -> Draft:
    """A draft from raw bytes: a whole message if it has headers, else plain text.
    ``dates`` reads the quote header's date (the rulebook's: its words are data); without
    it the quote date is left unknown."""
    if not looks_like_message(raw):
        return parse_text(decode_best(raw), dates)
    return parse_message(raw, dates)


def decode_best(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def parse_text(text: str, dates: DateGrammar | None = None, *, original: str | None = None,
               original_date: datetime | None = None, date: datetime | None = None) -> Draft:
    """A draft from plain text; an optional original is the message replied to."""
    draft = Draft(date=date)
    _split_into(draft, text.replace("\r\n", "\n"), [], dates)
    if original is not None and not draft.quoted:
        draft.quoted = original
    if original_date is not None:
        draft.quote_date = original_date
        draft.quote_time_known = original_date is not None
    return draft


def parse_message(raw: bytes, dates: DateGrammar | None = None) -> Draft:
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as error:  # the stdlib parser is lenient; this is a last resort
        return Draft(error=f"cannot parse the message: {error}")
    draft = Draft()
    read_headers(message, draft)
    try:
        text, fine_print, is_html = body_text(message)
    except Exception as error:
        draft.error = f"cannot read the message body: {error}"
        return draft
    draft.is_html = is_html
    if text is None:
        draft.error = "the message has no text or HTML body"
        return draft
    _split_into(draft, text, fine_print, dates)
    return draft


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:
        return ""
    return str(value) if value is not None else ""


def read_headers(message: Message, draft: Draft) -> None:
    draft.subject = _header(message, "Subject")
    draft.message_id = _header(message, "Message-ID").strip()
    draft.in_reply_to = _header(message, "In-Reply-To").strip()
    draft.references = _header(message, "References").split()
    sender = next(((n, a) for n, a in getaddresses([_header(message, "From")]) if a), ("", ""))
    draft.from_name, draft.from_addr = sender
    recipients = getaddresses([_header(message, "To"), _header(message, "Cc")])
    draft.to_addrs = [a for _, a in recipients if a]
    draft.to_names = [n for n, _ in recipients if n]
    date_text = _header(message, "Date")
    if date_text:
        try:
            draft.date = parsedate_to_datetime(date_text)
        except (TypeError, ValueError, IndexError):
            draft.date = None


def part_text(part: Message) -> str:
    """A part's text in any charset; unknown charsets fall back instead of failing."""
    if isinstance(part, EmailMessage):
        try:
            content = part.get_content()
            if isinstance(content, str):
                return content
        except (LookupError, UnicodeError, AssertionError, KeyError, ValueError):
            pass
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return str(part.get_payload())
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return decode_best(payload)


# a text/plain part that is an HTML document (some mailers and list archives send one)
HTML_DOCUMENT = re.compile(r"\s*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)


def body_text(message: Message) -> tuple[str | None, list[tuple[int, int]], bool]:
    """The text of the best body part: text/plain preferred, else HTML converted."""
    plain: Message | None = None
    html: Message | None = None
    for part in message.walk():
        if part.is_multipart():
            continue
        disposition = (part.get_content_disposition() or "").lower()
        if disposition == "attachment":
            continue
        content_type = part.get_content_type()
        if content_type == "text/plain" and plain is None:
            plain = part
        elif content_type == "text/html" and html is None:
            html = part
    if html is not None and (plain is None or _has_fine_print_hint(html)):
        return _read_html(part_text(html))
    if plain is not None:
        text = part_text(plain).replace("\r\n", "\n")
        if HTML_DOCUMENT.match(text):   # an HTML document labelled text/plain: read as HTML
            return _read_html(text)
        return text, [], False
    return None, [], False


def _read_html(html: str) -> tuple[str, list[tuple[int, int]], bool]:
    converted = html_to_text(html)
    return converted.text, converted.fine_print, True


def _has_fine_print_hint(html: Message) -> bool:
    """HTML with small or grey text is read from HTML even when a plain part exists."""
    text = part_text(html)
    return bool(re.search(r"font-size\s*:\s*(?:[0-9]|10)(?:\.\d+)?\s*px|<small\b|color\s*:\s*"
                          r"(?:#(?:[9a-f]{3}){1,2}\b|gr[ae]y|silver|lightgr)", text, re.I))


def _split_into(draft: Draft, text: str, fine_print: list[tuple[int, int]],
                dates: DateGrammar | None) -> None:
    """Fill body, quote, footer; fine print is moved out of the body into the footer."""
    split = split_body(text)
    hidden = sorted(fine_print)
    body_parts: list[str] = []
    moved: list[str] = []
    for segment in split.new_segments:
        position = segment.start
        for start, end in hidden:
            if end <= position or start >= segment.end:
                continue
            if start > position:
                body_parts.append(text[position:start])
            moved.append(text[max(start, position):min(end, segment.end)])
            position = min(end, segment.end)
        if position < segment.end:
            body_parts.append(text[position:segment.end])
    draft.body = "".join(body_parts).strip("\n")
    draft.footer = split.footer + ("\n" + "\n".join(moved) if moved else "")
    draft.quoted = split.quoted
    draft.attribution = split.attribution
    draft.answered_below = split.answered_below
    zone = draft.date.tzinfo if draft.date else None
    if split.attribution and dates is not None:
        draft.quote_date = dates.parse_attribution_date(split.attribution, zone, draft.date)
        draft.quote_time_known = (dates.attribution_time_known(split.attribution)
                                  and dates.attribution_zone_known(split.attribution,
                                                                   draft.date))
