"""The API through the real scoring core: the report the add-on shows and records."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import jsonschema
import pytest
from support.api_client import RunningApi, running_api

from daemon.api import openapi
from daemon.config.load import load_config
from scoring import Scorer

ORIGINAL = (b"From: Anna Berger <anna@customer.example>\r\n"
            b"To: Me <me@example.com>\r\nSubject: Invoice wrong\r\n"
            b"Date: Mon, 02 Mar 2026 09:30:00 +0100\r\nMessage-ID: <q1@customer.example>\r\n"
            b"\r\nHello, our invoice shows the wrong amount. Can you correct it this week?\r\n")
# weak under the shipped rules: blame on a partner (honesty), a vague promise, talking down
HEDGY_REPLY = ("Hi Anna,\n\nThe wrong amount was caused by our carrier, not us. As I "
               "already explained, you should have read the manual. Someone will fix it "
               "soon.\n\nBest,\nMe\n")


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer(load_config().scoring)


@pytest.fixture
async def api(tmp_path: Path, scorer: Scorer):  # type: ignore[no-untyped-def]
    async with running_api(tmp_path, scorer) as running:
        yield running


def report_schema() -> dict[str, object]:
    return {"components": openapi.DOCUMENT["components"], **openapi.schema("Report")}


async def test_a_hedgy_reply_gets_findings_that_point_into_its_text(api: RunningApi) -> None:
    reply = await api.call("POST", "/v1/score", {
        "text": HEDGY_REPLY, "now": "2026-03-02T11:00:00+01:00",
        "original": {"raw_base64": base64.b64encode(ORIGINAL).decode()}})
    report = reply.json()
    assert reply.status == 200, report
    jsonschema.validate(report, report_schema())
    assert report["verdict"] in ("warn", "hold")
    honesty = [f for f in report["findings"] if f["dimension"] == "honesty"]
    assert honesty, report["findings"]
    for finding in report["findings"]:
        assert report["body"][finding["start"]:finding["end"]] == finding["match"]


async def test_a_clear_reply_passes(api: RunningApi) -> None:
    reply = await api.call("POST", "/v1/score", {
        "text": "Hi Anna,\n\nthank you for spotting this. I corrected the invoice and "
                "attached the new one.\n\nBest regards,\nMe\n",
        "now": "2026-03-02T10:00:00+01:00"})
    assert reply.json()["verdict"] == "pass", reply.json()


async def test_a_raw_draft_scores_like_its_text(api: RunningApi) -> None:
    raw = ("From: me@example.com\r\nTo: anna@customer.example\r\nSubject: Re: Invoice\r\n"
           "Date: Mon, 02 Mar 2026 11:00:00 +0100\r\n\r\n" + HEDGY_REPLY.replace("\n", "\r\n"))
    as_raw = await api.call("POST", "/v1/score", {"raw": raw, "now": "2026-03-02T11:00:00+01:00"})
    as_text = await api.call("POST", "/v1/score", {"text": HEDGY_REPLY,
                                                   "now": "2026-03-02T11:00:00+01:00"})
    rules = lambda r: sorted(f["rule"] for f in r.json()["findings"])  # noqa: E731
    assert rules(as_raw) == rules(as_text)


async def test_the_real_report_can_be_recorded_as_a_send(api: RunningApi) -> None:
    scored = await api.call("POST", "/v1/score", {"text": "I will send the corrected invoice "
                                                  "by Friday.",
                                                  "now": "2026-03-02T11:00:00+01:00"})
    sent = await api.call("POST", "/v1/sent", {
        "message": {"message_id": "r1@example.com", "in_reply_to": "q1@customer.example",
                    "to": ["anna@customer.example"], "subject": "Re: Invoice"},
        "report": scored.json()})
    assert sent.status == 200, sent.body
    stored = api.store.query("SELECT text, due_utc FROM promises")
    # keep_bodies is off by default: the promise is kept, its sentence is not
    assert len(stored) == len(scored.json()["promises"]) == 1
    assert not stored[0]["text"] and stored[0]["due_utc"]


async def test_the_daemon_scores_in_worker_processes_with_the_same_result(
        tmp_path: Path, api: RunningApi) -> None:
    draft = {"text": HEDGY_REPLY, "now": "2026-03-02T11:00:00+01:00",
             "original": {"raw_base64": base64.b64encode(ORIGINAL).decode()}}
    in_threads = await api.call("POST", "/v1/score", draft)
    async with running_api(tmp_path / "processes", in_processes=True) as workers:
        in_workers = await workers.call("POST", "/v1/score", draft)
        pids = set(workers.service.handlers.runner.service.pids())
    assert in_workers.status == 200
    assert in_workers.json() == in_threads.json()
    assert pids and os.getpid() not in pids
