"""Turn a ``POST /v1/score`` body into the arguments of the scoring core.

A draft arrives as plain text (what the compose window shows) or as an RFC 5322
message; the original it answers arrives as a whole message or as its headers plus
text. The scoring core wants bytes for messages and (text, date) for plain drafts, so
both forms of the original are converted to both.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from typing import Any

from daemon.api.http import HttpError
from scoring.html_text import html_to_text

DRAFT_FIELDS = ("text", "raw", "raw_base64")


@dataclass(frozen=True)
class Original:
    """The message a draft answers, in the forms the scoring core takes."""

    raw: bytes
    text: str | None
    date: datetime | None
    message_id: str = ""      # its Message-ID header, when it has one


@dataclass(frozen=True)
class Draft:
    """A validated scoring request."""

    text: str | None          # a plain-text draft ...
    raw: bytes | None         # ... or an RFC 5322 draft
    original: Original | None
    lang: str
    now: datetime | None


def invalid(where: str, problem: str) -> HttpError:
    return HttpError(400, "invalid_request", f"{where}: {problem}")


def decode_raw(payload: dict[str, Any], where: str) -> bytes | None:
    """``raw`` (text, sent as UTF-8) or ``raw_base64`` of a payload, as bytes."""
    if "raw" in payload:
        return str(payload["raw"]).encode("utf-8", "surrogateescape")
    if "raw_base64" in payload:
        try:
            return base64.b64decode(payload["raw_base64"], validate=True)
        except (binascii.Error, ValueError):
            raise invalid(f"{where}.raw_base64", "is not valid base64") from None
    return None


def parse_draft(body: dict[str, Any]) -> Draft:
    """A schema-valid ScoreRequest -> Draft; 400 unless exactly one draft field is set."""
    given = [name for name in DRAFT_FIELDS if name in body]
    if len(given) != 1:
        raise invalid("body", "send exactly one of text, raw or raw_base64 "
                      f"(got {', '.join(given) or 'none'})")
    original = parse_original(body["original"]) if "original" in body else None
    now = datetime.fromisoformat(body["now"]) if "now" in body else None
    text = body.get("text")
    raw = None if text is not None else decode_raw(body, "body")
    return Draft(text, raw, original, body.get("lang", "auto"), now)


def parse_original(payload: dict[str, Any]) -> Original:
    """The original as a whole message, or synthesised from its headers and text."""
    raw = decode_raw(payload, "body.original")
    if raw is not None:
        if "headers" in payload or "text" in payload:
            raise invalid("body.original", "send either the whole message (raw or raw_base64) "
                          "or headers and text, not both")
        message = BytesParser(policy=policy.default).parsebytes(raw)
        return Original(raw, body_text(message), header_date(safe_header(message, "date")),
                        safe_header(message, "message-id"))
    headers = {name.lower(): value for name, value in payload.get("headers", {}).items()}
    text = payload.get("text")
    if not headers and text is None:
        raise invalid("body.original", "give raw, raw_base64, or headers and/or text")
    message = EmailMessage(policy=policy.default)
    for name, value in payload.get("headers", {}).items():
        try:
            message[name] = value
        except (ValueError, TypeError, IndexError) as error:
            if name.lower() == "message-id":   # a hostile Message-ID is treated as absent
                headers.pop("message-id", None)
                continue
            raise invalid(f"body.original.headers.{name}",
                          str(error) or "cannot be parsed") from None
    message.set_content(text or "")
    return Original(message.as_bytes(), text, header_date(headers.get("date")),
                    str(headers.get("message-id", "")).strip())


def safe_header(message: Any, name: str) -> str:
    """A header's value, stripped; "" when absent or when the email package cannot
    parse it (a hostile ``Message-ID: <<<<`` must not make scoring the reply fail)."""
    try:
        return str(message.get(name, "")).strip()
    except (ValueError, TypeError, IndexError):
        return ""


def header_date(value: str | None) -> datetime | None:
    """An RFC 5322 Date (or ISO-8601) as an aware datetime; None when absent or unreadable."""
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(str(value))
    except (TypeError, ValueError):
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            return None
    return moment if moment.tzinfo is not None else None


def body_text(message: Any) -> str | None:
    """The readable text of a parsed message: text/plain, else text/html converted."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return None
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", "replace")
    if part.get_content_subtype() == "html":
        return html_to_text(content).text
    return str(content)
