"""Which worker scores an API draft: the affinity key stays the same while somebody
types, so the re-scores find the draft's sentences in that worker's caches."""

from __future__ import annotations

import base64

from daemon.api.drafts import parse_draft
from daemon.api.models import ScoreRequest
from daemon.application.score_draft import AFFINITY_PREFIX_CHARS, DraftRequest, affinity_key

ORIGINAL = (b"From: Anna <anna@customer.example>\r\nSubject: Invoice\r\n"
            b"Message-ID: <q1@customer.example>\r\n\r\nCan you correct it this week?\r\n")
OPENING = "Hi Anna,\n\nthank you for your message about the invoice. " * 4


def draft_of(body: object) -> DraftRequest:
    return parse_draft(ScoreRequest.model_validate(body))


def test_typing_at_the_end_of_a_draft_keeps_its_key() -> None:
    first = draft_of({"text": OPENING + "I will"})
    later = draft_of({"text": OPENING + "I will send the corrected invoice by Friday."})
    other = draft_of({"text": "Dear Bob,\n\n" + OPENING})
    assert len(OPENING) > AFFINITY_PREFIX_CHARS
    assert affinity_key(first) == affinity_key(later) != affinity_key(other)


def test_a_reply_is_keyed_by_its_originals_message_id_from_the_first_keystroke() -> None:
    original = {"raw_base64": base64.b64encode(ORIGINAL).decode()}
    keys = {affinity_key(draft_of({"text": text, "original": original}))
            for text in ("H", "Hi Anna", OPENING)}
    as_headers = draft_of({"text": "H", "original": {
        "headers": {"Message-ID": "<q1@customer.example>"}, "text": "Can you?"}})
    assert keys == {("original", "<q1@customer.example>")} == {affinity_key(as_headers)}


def test_a_raw_draft_is_keyed_by_its_first_bytes() -> None:
    raw = "Subject: Re: Invoice\r\n\r\n" + OPENING
    assert affinity_key(draft_of({"raw": raw})) == affinity_key(draft_of({"raw": raw + "!"}))
