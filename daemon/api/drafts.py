"""Turn a ``POST /v1/score`` body into the arguments of the scoring core.

A draft arrives as plain text (what the compose window shows) or as an RFC 5322
message; the original it answers arrives as a whole message or as its headers plus
text. The scoring core wants bytes for messages and (text, date) for plain drafts, so
both forms of the original are converted to both.

Untrusted mail is never parsed by the stdlib on the event loop: :func:`parse_draft`
(on the loop) reads only the bounded top header block of a raw original, with
byte-level scanning (daemon/mail/bounded.py); ``prepared`` (daemon/application/
score_draft.py) bounds every message and reads the original's text where the draft is
scored, in a worker process.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import re
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from typing import Any

from daemon.api.errors import HttpError
from daemon.application.score_draft import DraftRequest, Original
from daemon.mail.bounded import bound_header_value, bound_headers

__all__ = ["DraftRequest", "Original", "parse_draft", "parse_original"]

DRAFT_FIELDS = ("text", "raw", "raw_base64")
# Headers given as JSON are parsed (and so validated) by the stdlib on the event loop,
# superlinearly (~20 ms for the worst 4 KiB of values, ~50 ms for 8 KiB): they are capped.
# A whole message goes as raw or raw_base64, which is not parsed on the loop.
MAX_JSON_HEADERS = 50
MAX_JSON_HEADER_BYTES = 4 * 1024
MESSAGE_ID = re.compile(r"<[^<>\s]+>")    # a hostile "<<<<" has none: treated as absent
# Decoding 5 MB of base64 holds the loop ~20 ms (binascii keeps the GIL): in pieces of
# this many characters (a multiple of 4), ~1 ms each, one per loop turn.
B64_PIECE_CHARS = 256 * 1024


def invalid(where: str, problem: str) -> HttpError:
    return HttpError(400, "invalid_request", f"{where}: {problem}")


async def decode_base64(text: str, piece_chars: int = B64_PIECE_CHARS) -> bytes:
    """``base64.b64decode(text, validate=True)``, one piece per loop turn; raises what it
    raises (binascii.Error, or ValueError for non-ASCII text)."""
    if len(text) <= piece_chars:
        return base64.b64decode(text, validate=True)
    pieces = []
    for start in range(0, len(text), piece_chars):
        piece = text[start:start + piece_chars]
        if "=" in piece and start + piece_chars < len(text):
            raise binascii.Error("padding before the end of the data")
        pieces.append(base64.b64decode(piece, validate=True))
        await asyncio.sleep(0)
    return b"".join(pieces)


async def predecoded(body: dict[str, Any]) -> dict[str, bytes]:
    """The ``raw_base64`` fields :func:`parse_draft` will decode, decoded in pieces, by
    where they are ("body", "body.original"). One that is not valid base64 is left out:
    parse_draft then refuses it in its usual order."""
    found: dict[str, bytes] = {}
    original = body.get("original")
    for where, payload in (("body", body), ("body.original", original)):
        if isinstance(payload, dict) and "raw" not in payload \
                and isinstance(payload.get("raw_base64"), str):
            try:
                found[where] = await decode_base64(payload["raw_base64"])
            except (binascii.Error, ValueError):
                pass
    return found


def decode_raw(payload: dict[str, Any], where: str,
               decoded: dict[str, bytes] | None = None) -> bytes | None:
    """``raw`` (text, sent as UTF-8) or ``raw_base64`` of a payload, as bytes (from
    ``decoded``, :func:`predecoded`'s answer, when it is there)."""
    if "raw" in payload:
        return str(payload["raw"]).encode("utf-8", "surrogateescape")
    if decoded and where in decoded and "raw_base64" in payload:
        return decoded[where]
    if "raw_base64" in payload:
        try:
            return base64.b64decode(payload["raw_base64"], validate=True)
        except (binascii.Error, ValueError):
            raise invalid(f"{where}.raw_base64", "is not valid base64") from None
    return None


def parse_draft(body: dict[str, Any], decoded: dict[str, bytes] | None = None) -> DraftRequest:
    """A schema-valid ScoreRequest -> DraftRequest; 400 unless exactly one draft field is
    set. ``decoded``: its base64 fields already decoded (:func:`predecoded`)."""
    given = [name for name in DRAFT_FIELDS if name in body]
    if len(given) != 1:
        raise invalid("body", "send exactly one of text, raw or raw_base64 "
                      f"(got {', '.join(given) or 'none'})")
    original = parse_original(body["original"], decoded) if "original" in body else None
    now = datetime.fromisoformat(body["now"]) if "now" in body else None
    text = body.get("text")
    raw = None if text is not None else decode_raw(body, "body", decoded)
    return DraftRequest(text, raw, original, body.get("lang", "auto"), now)


def parse_original(payload: dict[str, Any],
                   decoded: dict[str, bytes] | None = None) -> Original:
    """The original as a whole message, or synthesised from its headers and text."""
    raw = decode_raw(payload, "body.original", decoded)
    if raw is not None:
        if "headers" in payload or "text" in payload:
            raise invalid("body.original", "send either the whole message (raw or raw_base64) "
                          "or headers and text, not both")
        top = bound_headers(raw)     # bytes only: cheap on the loop
        ids = MESSAGE_ID.findall(top.get("Message-ID") or "")
        return Original(raw, None, header_date(top.get("Date")), ids[0] if ids else "",
                        text_pending=True)
    given: dict[str, Any] = payload.get("headers", {})
    size = sum(len(str(name)) + len(str(value)) for name, value in given.items())
    if len(given) > MAX_JSON_HEADERS or size > MAX_JSON_HEADER_BYTES:
        raise invalid("body.original.headers",
                      f"more than {MAX_JSON_HEADERS} headers or {MAX_JSON_HEADER_BYTES} "
                      "characters; send the whole message as raw or raw_base64 instead")
    headers = {name.lower(): value for name, value in given.items()}
    text = payload.get("text")
    if not headers and text is None:
        raise invalid("body.original", "give raw, raw_base64, or headers and/or text")
    message = EmailMessage(policy=policy.default)
    for name, value in given.items():
        try:
            # Bounded first: the stdlib parses the value as it is set, on the loop.
            bounded = bound_header_value(name, str(value))
            if bounded is None:
                raise ValueError("comments nested too deep")
            message[name] = bounded
        except (ValueError, TypeError, IndexError, RecursionError) as error:
            if name.lower() == "message-id":   # a hostile Message-ID is treated as absent
                headers.pop("message-id", None)
                continue
            raise invalid(f"body.original.headers.{name}",
                          str(error) or "cannot be parsed") from None
    message.set_content(text or "")
    return Original(message.as_bytes(), text, header_date(headers.get("date")),
                    str(headers.get("message-id", "")).strip())


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
