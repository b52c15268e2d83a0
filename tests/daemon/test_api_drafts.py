"""A /v1/score body becomes a Draft: hostile originals are 400s or harmless."""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from datetime import UTC, datetime

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from daemon.api import drafts
from daemon.api.drafts import parse_draft
from daemon.api.errors import HttpError
from daemon.api.models import ScoreRequest
from daemon.application import score_draft as scoring_job
from daemon.application.score_draft import DraftRequest, prepared, score_draft
from daemon.config.load import load_config
from scoring import Scorer


def draft_of(body: object, decoded: dict[str, bytes] | None = None) -> DraftRequest:
    """The draft of a /v1/score body, as the handler gets it: validated, then parsed."""
    return parse_draft(ScoreRequest.model_validate(body), decoded)

def test_an_unparseable_to_header_in_the_original_is_400() -> None:
    with pytest.raises(HttpError) as caught:
        draft_of({"text": "hi", "original": {"headers": {"To": '"'}, "text": "x"}})
    assert (caught.value.status, caught.value.code) == (400, "invalid_request")


def test_a_hostile_message_id_in_a_raw_original_is_treated_as_absent() -> None:
    raw = "Message-ID: <<<<<<<<<<\r\nSubject: x\r\n\r\nhello\r\n"
    draft = draft_of({"text": "hi", "original": {"raw": raw}})
    assert draft.original is not None and draft.original.message_id == ""


def test_a_hostile_message_id_header_is_treated_as_absent() -> None:
    draft = draft_of({"text": "hi",
                         "original": {"headers": {"Message-ID": "<<<<<<<<<<"}, "text": "x"}})
    assert draft.original is not None and draft.original.message_id == ""


# -- hostile originals (issue 13) -----------------------------------------------------

HOSTILE_CONTENT_TYPE = (b"Date: Mon, 02 Mar 2026 09:30:00 +0100\r\nMessage-ID: <q1@c.example>\r\n"
                        b"Content-Type: text/plain" + b"; a=b" * 20_000
                        + b"\r\n\r\nCan you fix it?\r\n")
HOSTILE_SUBJECT = (b"Subject: " + b" ".join([b"=?utf-8?b?SGFsbG8=?="] * 20_000)
                   + b"\r\n\r\nCan you fix it?\r\n")


def test_a_raw_original_is_not_parsed_by_the_stdlib_on_the_loop(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the stdlib parsed untrusted mail in parse_draft")
    monkeypatch.setattr(scoring_job, "BytesParser", refuse)
    draft = draft_of({"text": "hi", "original": {"raw": HOSTILE_CONTENT_TYPE.decode()}})
    assert draft.original is not None and draft.original.text_pending
    assert draft.original.message_id == "<q1@c.example>"
    assert draft.original.date == datetime(2026, 3, 2, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize("raw", [HOSTILE_CONTENT_TYPE, HOSTILE_SUBJECT],
                         ids=["100kb-content-type", "20000-encoded-words"])
def test_a_hostile_raw_original_is_bounded_where_it_is_scored(raw: bytes) -> None:
    draft = prepared(draft_of({"text": "hi", "original": {"raw": raw.decode()}}))
    assert draft.original is not None and not draft.original.text_pending
    assert (draft.original.text or "").strip() == "Can you fix it?"
    assert len(draft.original.raw) < 5000


def test_a_hostile_raw_draft_is_bounded_where_it_is_scored() -> None:
    draft = prepared(draft_of({"raw": HOSTILE_SUBJECT.decode()}))
    assert draft.raw is not None and len(draft.raw) < 5000
    assert draft.raw.endswith(b"\r\n\r\nCan you fix it?\r\n")


def test_hostile_header_values_in_the_original_are_bounded() -> None:
    draft = draft_of({"text": "hi", "original": {"headers": {
        "Content-Type": "text/plain" + "; a=b" * 500, "To": "a@b.example"},
        "text": "x"}})
    assert draft.original is not None and len(draft.original.raw) < 1000


def test_nested_comments_in_an_original_header_are_400() -> None:
    with pytest.raises(HttpError) as caught:
        draft_of({"text": "hi", "original": {"headers": {"To": "(" * 50_000}}})
    assert caught.value.status == 400


@pytest.mark.parametrize("headers", [
    {f"X-H{n}": "v" for n in range(drafts.MAX_JSON_HEADERS + 1)},
    {"Subject": "a " * 20_000},      # seconds of stdlib parsing on the loop
], ids=["count", "size"])
def test_too_many_or_too_large_original_headers_are_400(headers: dict[str, str]) -> None:
    with pytest.raises(HttpError) as caught:
        draft_of({"text": "hi", "original": {"headers": headers}})
    assert caught.value.status == 400 and "raw_base64" in caught.value.message


@pytest.mark.parametrize("raw", [HOSTILE_CONTENT_TYPE, HOSTILE_SUBJECT],
                         ids=["100kb-content-type", "20000-encoded-words"])
def test_the_real_scorer_answers_a_reply_to_a_hostile_original(raw: bytes) -> None:
    scorer = Scorer(load_config().scoring)
    for body in ({"text": "Yes, I will fix it by Friday."},
                 {"raw": "Subject: Re: x\r\n\r\nYes, I will fix it by Friday.\r\n"}):
        draft = draft_of({**body, "original": {"raw": raw.decode()}})
        report = json.loads(score_draft(scorer, draft))
        assert report["error"] is None and report["score"] > 0


base64_texts = st.one_of(
    st.binary(max_size=60).map(lambda data: base64.b64encode(data).decode()),
    st.text(alphabet="AQgw+/=é \n", max_size=40))


@settings(max_examples=400, deadline=None)
@given(text=base64_texts, piece_chars=st.sampled_from([4, 8, 12, 400]))
@example(text="AAAA=", piece_chars=4)        # padding past a piece's end: still b"\0\0\0"
def test_base64_decoded_in_pieces_is_what_b64decode_gives(text: str, piece_chars: int) -> None:
    try:
        expected: bytes | str = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        expected = "invalid"
    try:
        got: bytes | str = asyncio.run(drafts.decode_base64(text, piece_chars))
    except (binascii.Error, ValueError):
        got = "invalid"
    assert got == expected


async def test_predecoded_base64_gives_the_same_draft() -> None:
    raw = b"Message-ID: <a@b>\r\nSubject: x\r\n\r\n" + b"hello\r\n" * 100_000
    body = {"raw_base64": base64.b64encode(b"Subject: re\r\n\r\nHi\r\n").decode(),
            "original": {"raw_base64": base64.b64encode(raw).decode()}}
    decoded = await drafts.predecoded(ScoreRequest.model_validate(body))
    assert decoded == {"body": b"Subject: re\r\n\r\nHi\r\n", "body.original": raw}
    assert draft_of(body, decoded) == draft_of(body)
    assert await drafts.predecoded(ScoreRequest(raw_base64="not base64!")) == {}
