"""Turn a ``POST /v1/score`` body (a validated :class:`ScoreRequest`) into the arguments
of the scoring core.

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

from daemon.api import models
from daemon.api.errors import HttpError
from daemon.api.models import ScoreRequest
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
        # the rest goes in one piece when it is short, so the end's padding is never
        # decoded alone ("AAAA=" is b64decode's b"\0\0\0", "=" alone is an error)
        last = len(text) - start < 2 * piece_chars
        piece = text[start:] if last else text[start:start + piece_chars]
        if "=" in piece and not last:
            raise binascii.Error("padding before the end of the data")
        pieces.append(base64.b64decode(piece, validate=True))
        if last:
            break
        await asyncio.sleep(0)
    return b"".join(pieces)


async def predecoded(body: ScoreRequest) -> dict[str, bytes]:
    """The ``raw_base64`` fields :func:`parse_draft` will decode, decoded in pieces, by
    where they are ("body", "body.original"). One that is not valid base64 is left out:
    parse_draft then refuses it in its usual order."""
    found: dict[str, bytes] = {}
    for where, payload in (("body", body), ("body.original", body.original)):
        if payload is not None and payload.raw is None and payload.raw_base64 is not None:
            try:
                found[where] = await decode_base64(payload.raw_base64)
            except (binascii.Error, ValueError):
                pass
    return found


def decode_raw(payload: ScoreRequest | models.Original, where: str,
               decoded: dict[str, bytes] | None = None) -> bytes | None:
    """``raw`` (text, sent as UTF-8) or ``raw_base64`` of a payload, as bytes (from
    ``decoded``, :func:`predecoded`'s answer, when it is there)."""
    if payload.raw is not None:
        return payload.raw.encode("utf-8", "surrogateescape")
    if payload.raw_base64 is None:
        return None
    if decoded and where in decoded:
        return decoded[where]
    try:
        return base64.b64decode(payload.raw_base64, validate=True)
    except (binascii.Error, ValueError):
        raise invalid(f"{where}.raw_base64", "is not valid base64") from None


def parse_draft(body: ScoreRequest, decoded: dict[str, bytes] | None = None) -> DraftRequest:
    """A ScoreRequest -> DraftRequest; 400 unless exactly one draft field is set.
    ``decoded``: its base64 fields already decoded (:func:`predecoded`)."""
    given = [name for name in DRAFT_FIELDS if getattr(body, name) is not None]
    if len(given) != 1:
        raise invalid("body", "send exactly one of text, raw or raw_base64 "
                      f"(got {', '.join(given) or 'none'})")
    original = parse_original(body.original, decoded) if body.original is not None else None
    now = datetime.fromisoformat(body.now) if body.now is not None else None
    raw = None if body.text is not None else decode_raw(body, "body", decoded)
    return DraftRequest(body.text, raw, original, body.lang or "auto", now)


def parse_original(payload: models.Original,
                   decoded: dict[str, bytes] | None = None) -> Original:
    """The original as a whole message, or synthesised from its headers and text."""
    raw = decode_raw(payload, "body.original", decoded)
    if raw is not None:
        if payload.headers is not None or payload.text is not None:
            raise invalid("body.original", "send either the whole message (raw or raw_base64) "
                          "or headers and text, not both")
        top = bound_headers(raw)     # bytes only: cheap on the loop
        ids = MESSAGE_ID.findall(top.get("Message-ID") or "")
        return Original(raw, None, header_date(top.get("Date")), ids[0] if ids else "",
                        text_pending=True)
    given = payload.headers or {}
    size = sum(len(name) + len(value) for name, value in given.items())
    if len(given) > MAX_JSON_HEADERS or size > MAX_JSON_HEADER_BYTES:
        raise invalid("body.original.headers",
                      f"more than {MAX_JSON_HEADERS} headers or {MAX_JSON_HEADER_BYTES} "
                      "characters; send the whole message as raw or raw_base64 instead")
    headers = {name.lower(): value for name, value in given.items()}
    text = payload.text
    if not headers and text is None:
        raise invalid("body.original", "give raw, raw_base64, or headers and/or text")
    message = EmailMessage(policy=policy.default)
    for name, value in given.items():
        try:
            # Bounded first: the stdlib parses the value as it is set, on the loop.
            bounded = bound_header_value(name, value)
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
                    headers.get("message-id", "").strip())


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
