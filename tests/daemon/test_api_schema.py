"""The request validator reads the OpenAPI schemas and names the first problem."""

from __future__ import annotations

import pytest

from daemon.api import openapi
from daemon.api.schema import SchemaError, validate


def check(value: object, name: str) -> None:
    validate(value, openapi.schema(name), openapi.DOCUMENT)


def test_a_valid_sent_request_passes() -> None:
    check({"message": {"message_id": "a@b", "to": ["x@y"], "date": "2026-03-02T09:00:00Z"},
           "report": {"score": 50, "verdict": "warn", "findings": [], "promises": []}},
          "SentRequest")


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
