"""Request bodies are checked by their models, which also write the OpenAPI schemas;
the first problem is named as a person reads the body."""

from __future__ import annotations

import jsonschema
import pytest

from daemon.api import openapi
from daemon.api.models import ScoreRequest, SentRequest
from daemon.api.validation import SchemaError, validate


def check(value: object, name: str) -> None:
    validate(name, value)


def test_a_valid_sent_request_becomes_its_model() -> None:
    body = validate("SentRequest", {
        "message": {"message_id": "a@b", "from": "me@example.com", "to": ["x@y"],
                    "date": "2026-03-02T09:00:00Z"},
        "report": {"score": 50, "verdict": "warn", "findings": [], "promises": []}})
    assert isinstance(body, SentRequest)
    assert (body.message.message_id, body.message.from_, body.message.to) == (
        "a@b", "me@example.com", ["x@y"])
    assert body.report is not None and body.report.verdict == "warn"
    assert (body.message.cc, body.account, body.body) == (None, None, None)   # left out


def test_a_report_sent_back_keeps_what_was_given() -> None:
    report = {"score": 50, "verdict": "warn", "findings": [], "promises": [],
              "later": {"fields": 1}}
    body = validate("SentRequest", {"message": {"message_id": "a"}, "report": report})
    assert isinstance(body, SentRequest) and body.report is not None
    assert body.report.to_json() == report


def test_a_score_request_left_out_is_none_and_sent_is_kept() -> None:
    body = validate("ScoreRequest", {"text": "hi", "original": {"headers": {"Date": "x"}}})
    assert isinstance(body, ScoreRequest)
    assert (body.text, body.raw, body.raw_base64, body.lang, body.now) == (
        "hi", None, None, None, None)
    assert body.original is not None and body.original.headers == {"Date": "x"}


@pytest.mark.parametrize(("value", "where", "problem"), [
    ({"message": {"message_id": ""}}, "body.message.message_id", "at least 1"),
    ({"message": {"message_id": "a", "to": "x@y"}}, "body.message.to", "must be array"),
    ({"message": {"message_id": "a"}, "report": {"score": 101, "verdict": "pass",
                                                 "findings": [], "promises": []}},
     "body.report.score", "at most 100"),
    ({"message": {"message_id": "a"}, "report": {"score": True, "verdict": "pass",
                                                 "findings": [], "promises": []}},
     "body.report.score", "must be integer, not boolean"),
])
def test_problems_are_located(value: object, where: str, problem: str) -> None:
    with pytest.raises(SchemaError) as caught:
        check(value, "SentRequest")
    assert caught.value.where == where
    assert problem in caught.value.problem


# What addon/lib/payloads.js and addon/lib/pairing.js send (as addon/tests/payloads.test.js
# pins them): the add-on is not changed with the daemon, so its bodies must stay valid.
ADDON_BODIES: list[tuple[str, object]] = [
    ("ScoreRequest", {"text": "Hi", "original": {"raw_base64": "QUJD"}}),
    ("ScoreRequest", {"text": "Hi\nthere\n"}),
    ("SentRequest", {
        "message": {"message_id": "m1@example.com", "date": "2026-03-04T09:00:00.000Z",
                    "from": "Me <me@example.com>", "to": ["Anna <anna@customer.example>"],
                    "cc": [], "subject": "Re: Invoice", "in_reply_to": "q1@customer.example",
                    "references": ["q1@customer.example"]},
        "report": {"score": 62, "verdict": "warn", "language": "en", "findings": [],
                   "promises": []}}),
    ("PairRequest", {}),
    ("PairRequest", {"code": "K7QM-3XWD"}),
]


@pytest.mark.parametrize(("name", "body"), ADDON_BODIES)
def test_the_addons_bodies_are_valid(name: str, body: object) -> None:
    assert type(validate(name, body)).__name__ == name


# Bodies the model and the served schema must judge alike: (model, body, valid?).
SAMPLES: list[tuple[str, object, bool]] = [
    ("ScoreRequest", {"text": "hi", "lang": "de", "now": "2026-03-02T09:00:00+01:00"}, True),
    ("ScoreRequest", {"text": "hi", "lang": "fr"}, False),
    ("ScoreRequest", {"text": None}, False),             # may be absent, never null
    ("ScoreRequest", {"text": "hi", "tone": "x"}, False),
    ("ScoreRequest", {"text": "hi", "original": {"headers": {"To": 5}}}, False),
    ("SentRequest", {"message": {"message_id": "a", "from": "me@example.com",
                                 "to": ["x@y"]}}, True),
    ("SentRequest", {"message": {"message_id": "a", "cc": ["x"] * 501}}, False),
    ("SentRequest", {"message": {"message_id": "a"},
                     "report": {"score": 70, "verdict": "pass", "findings": [],
                                "promises": [], "extra": "later fields pass"}}, True),
    ("PairRequest", {"code": "K" * 33}, False),
    ("PairRequest", {}, True),
]


@pytest.mark.parametrize(("name", "body", "valid"), SAMPLES)
def test_the_served_schema_says_what_the_model_checks(name: str, body: object,
                                                      valid: bool) -> None:
    schema = {"components": openapi.DOCUMENT["components"], **openapi.schema(name)}
    schema_valid = jsonschema.Draft202012Validator(schema).is_valid(body)
    try:
        validate(name, body)
        model_valid = True
    except SchemaError:
        model_valid = False
    assert (model_valid, schema_valid) == (valid, valid)
