"""Score a draft: the use-case behind ``POST /v1/score`` and the SMTP proxy's DATA.

A :class:`DraftRequest` is what a caller asks to score (plain text or an RFC 5322 message,
with the original it answers). The jobs here run where the scoring core runs, in a
worker of daemon/scoring_service/service.py, because the stdlib's parse of untrusted mail must
not hold the event loop: :func:`prepared` bounds every message (daemon/mail/bounded.py)
and reads a raw original's text there.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from dataclasses import dataclass, replace
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from daemon.mail.bounded import bound_message
from daemon.scoring_service.scorer import Scorer
from scoring.html_text import html_to_text
from scoring.report import Report

AFFINITY_PREFIX_CHARS = 200


@dataclass(frozen=True)
class Original:
    """The message a draft answers, in the forms the scoring core takes."""

    raw: bytes
    text: str | None
    date: datetime | None
    message_id: str = ""      # its Message-ID header, when it has one
    text_pending: bool = False  # a raw original's text, read by prepared() off the loop


@dataclass(frozen=True)
class DraftRequest:
    """A validated scoring request."""

    text: str | None          # a plain-text draft ...
    raw: bytes | None         # ... or an RFC 5322 draft
    original: Original | None
    lang: str
    now: datetime | None


def prepared(draft: DraftRequest) -> DraftRequest:
    """The draft as the scoring core takes it: its messages bounded and a raw
    original's text read. Runs where the draft is scored (a worker process), since the
    stdlib's parse of untrusted mail must not hold the event loop."""
    raw = bound_message(draft.raw).raw if draft.raw is not None else None
    original = draft.original
    if original is not None and original.text_pending:
        bounded = bound_message(original.raw).raw
        parsed = BytesParser(policy=policy.default).parsebytes(bounded)
        assert isinstance(parsed, EmailMessage)      # policy.default makes EmailMessages
        original = replace(original, raw=bounded, text=body_text(parsed), text_pending=False)
    return replace(draft, raw=raw, original=original)


def body_text(message: EmailMessage) -> str | None:
    """The readable text of a parsed message: text/plain, else text/html converted."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return None
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if part.get_content_subtype() == "html":
        return html_to_text(content).text
    return str(content)


def affinity_key(draft: DraftRequest) -> Hashable:
    """What stays the same while somebody types one draft, so its re-scores go to the
    worker whose per-sentence caches already hold the draft's unchanged sentences.

    A reply's original is fixed from the first keystroke on (and its quote is part of
    the draft's text), so its Message-ID is the key. Otherwise the draft's first
    characters are: the greeting and first sentence change rarely once written, and
    while they are still being typed the draft is short and cheap to score anywhere.
    Two drafts that share a key merely share a worker; the load rule still applies.
    """
    if draft.original is not None and draft.original.message_id:
        return ("original", draft.original.message_id)
    if draft.text is not None:
        return ("text", draft.text[:AFFINITY_PREFIX_CHARS])
    return ("raw", (draft.raw or b"")[:AFFINITY_PREFIX_CHARS])


def encode_json(payload: object) -> bytes:
    """Compact UTF-8 JSON, as the API sends every body."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# -- jobs: module-level functions ``job(scorer, *args)`` for the scoring service --------

def score_draft(scorer: Scorer, draft: DraftRequest) -> bytes:
    """Score the draft the way it asks (text or raw message) -> the report's JSON."""
    draft = prepared(draft)   # issue 13: untrusted mail is bounded and parsed here, off the loop
    original = draft.original
    if draft.text is not None:
        report = scorer.score_text(
            draft.text, now=draft.now, lang=draft.lang,
            original_text=original.text if original else None,
            original_date=original.date if original else None)
    else:
        assert draft.raw is not None
        report = scorer.score_message(draft.raw, now=draft.now, lang=draft.lang,
                                      original=original.raw if original else None)
    return encode_json(report.to_dict())


def score_relayed(scorer: Scorer, raw: bytes, now: datetime) -> Report:
    """Score a message the SMTP proxy relays, cut to the parser's caps
    (daemon/mail/bounded.py): the relay itself still sends the bytes as received. The
    typed report crosses back as it is (bench/report_crossing.py: as cheap to pickle as
    its JSON dict, and no ``to_dict()`` in the worker)."""
    return scorer.score_message(bound_message(raw).raw, now=now)
