"""A /v1/score body becomes a Draft: hostile originals are 400s or harmless."""

from __future__ import annotations

import pytest

from daemon.api.drafts import parse_draft
from daemon.api.http import HttpError


def test_an_unparseable_to_header_in_the_original_is_400() -> None:
    with pytest.raises(HttpError) as caught:
        parse_draft({"text": "hi", "original": {"headers": {"To": '"'}, "text": "x"}})
    assert (caught.value.status, caught.value.code) == (400, "invalid_request")


def test_a_hostile_message_id_in_a_raw_original_is_treated_as_absent() -> None:
    raw = "Message-ID: <<<<<<<<<<\r\nSubject: x\r\n\r\nhello\r\n"
    draft = parse_draft({"text": "hi", "original": {"raw": raw}})
    assert draft.original is not None and draft.original.message_id == ""


def test_a_hostile_message_id_header_is_treated_as_absent() -> None:
    draft = parse_draft({"text": "hi",
                         "original": {"headers": {"Message-ID": "<<<<<<<<<<"}, "text": "x"}})
    assert draft.original is not None and draft.original.message_id == ""
