"""Large request bodies are parsed in a scoring worker with the answers a small one gets
on the loop, and a valid body of too many values is refused there: while 5 MB of tiny
values are decoded, /v1/health goes on answering."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from support.api_client import call, running_api

from daemon.api import server
from daemon.api.errors import HttpError
from daemon.api.json_body import parse_body
from daemon.api.large_bodies import MAX_VALUES, OFF_LOOP_BYTES, count_values, parse_in_worker
from daemon.api.models import ScoreRequest

MIB = 1024 * 1024
PAD = OFF_LOOP_BYTES // 8        # filler that makes a body large: spaces, no values


def large(body: bytes) -> bytes:
    """``body`` made large enough to be parsed off the loop (JSON allows the spaces)."""
    return b" " * max(0, OFF_LOOP_BYTES - len(body) + PAD) + body


def answer_on_the_loop(body: bytes) -> tuple[int, str, str] | ScoreRequest:
    try:
        model = parse_body(body, "ScoreRequest")
    except HttpError as error:
        return error.status, error.code, error.message
    assert isinstance(model, ScoreRequest)
    return model


def answer_in_a_worker(body: bytes) -> tuple[int, str, str] | ScoreRequest:
    kind, value = parse_in_worker(None, body, "ScoreRequest")
    return value if kind == "ok" else tuple(value)


@pytest.mark.parametrize("body", [
    b'{"text": "Hi Anna, I will fix it today."}',
    b'{"text": "\\ud800"}',                         # a lone surrogate
    b'{"text": "hi", "n": ' + b"9" * 5000 + b"}",    # beyond Python's int digit limit
    b"[" * 100_000,                                   # nests past the recursion limit
    b'{"text": "\xff"}',                              # not UTF-8
    b'{"text": "hi",}',                               # not JSON
    b'{"text": "hi", "pad": [0, 0, 0]}',              # not the model
])
def test_a_large_body_gets_the_answer_it_would_get_on_the_loop(body: bytes) -> None:
    in_worker = answer_in_a_worker(large(body))
    assert in_worker == answer_on_the_loop(large(body))
    small = answer_on_the_loop(body)        # the spaces change nothing else
    assert in_worker == small if isinstance(small, ScoreRequest) else in_worker[:2] == small[:2]


def test_a_valid_body_of_too_many_values_is_refused_but_a_comma_dense_text_is_not() -> None:
    headers = {f"X-{i}": "" for i in range(MAX_VALUES + 1)}
    many = json.dumps({"text": "hi", "original": {"headers": headers}}).encode()
    status, code, message = answer_in_a_worker(many)  # type: ignore[misc]
    assert (status, code) == (413, "body_too_complex") and "50,000 JSON values" in message
    text = ",0" * (2 * MIB)         # as many commas as the refused body has values, and more
    model = answer_in_a_worker(json.dumps({"text": text}).encode())
    assert isinstance(model, ScoreRequest) and model.text == text


def test_each_json_value_counts_once() -> None:
    assert count_values("a, b, c", 10) == 1
    assert count_values({"a": [1, 2, {"b": None}], "c": True}, 10) == 7
    assert count_values([0] * 1000, 10) == 11      # counting stops past the limit


async def test_health_answers_while_5_mb_of_tiny_values_are_decoded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = b'{"text": "x", "pad": [' + b"0," * (5 * MIB // 2 - 32) + b'0]}'
    received = asyncio.Event()
    read_body = server.read_body

    async def noting_the_body(*args: Any) -> Any:
        received.set()      # the whole body is in: what is left is decoding it
        return await read_body(*args)
    monkeypatch.setattr(server, "read_body", noting_the_body)
    async with running_api(tmp_path, max_body_bytes=5 * MIB, in_processes=True) as api:
        await api.service.handlers.runner.service.ready()
        scored = asyncio.ensure_future(api.call(
            "POST", "/v1/score", raw_body=body, headers={"Content-Type": "application/json"}))
        await received.wait()
        answered = 0    # decoded on the loop, the body held it until its answer was sent
        while not scored.done():
            health = await call(api.port, "GET", "/v1/health")
            assert health.status == 200
            answered += not scored.done()
        reply = await scored
    assert (reply.status, reply.json()["error"]["code"]) == (400, "invalid_request")
    assert "body.pad: unknown field" in reply.json()["error"]["message"]
    assert answered >= 3, "the loop was held while the body was decoded"
