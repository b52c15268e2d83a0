"""What the store keeps of a report: the core's report and the add-on's copy alike."""

from __future__ import annotations

from datetime import UTC, datetime

from support.reports import a_report

from daemon.api.models import Report as ApiReport
from daemon.store.kept_report import NOT_STORED, kept_again, storable_report, text_hash
from scoring.findings import Finding, Promise

BODY = "Maybe we can help. I will send the contract by Friday."
PROMISE = "I will send the contract by Friday."
CORE = a_report(72, "warn", body=BODY,
                findings=[Finding("en.honesty.hedge", "honesty", 0, 5, "Maybe", "m", "s", 6.0)],
                promises=[Promise(PROMISE, 19, 19 + len(PROMISE), "sender",
                                  datetime(2026, 3, 6, 17, 0, tzinfo=UTC), False, "by Friday")])


def test_the_addons_copy_of_a_report_is_kept_as_the_core_report_it_came_from() -> None:
    sent = ApiReport.model_validate(CORE.to_dict())    # what POST /v1/sent validates
    assert storable_report(sent, keep_bodies=True) == storable_report(CORE, keep_bodies=True)


def test_without_bodies_the_texts_are_hashed_not_kept() -> None:
    kept = storable_report(CORE, keep_bodies=False)
    assert kept["findings"][0]["match"] == NOT_STORED
    assert kept["findings"][0]["match_hash"] == text_hash("Maybe")
    assert kept["promises"][0] == {"text": NOT_STORED, "owner": "sender",
                                   "due": "2026-03-06T17:00:00+00:00", "hedged": False,
                                   "start": 19, "end": 19 + len(PROMISE),
                                   "text_hash": text_hash(PROMISE)}


def test_a_journal_line_written_with_bodies_is_kept_without_them_after_a_change() -> None:
    line = storable_report(CORE, keep_bodies=True)
    assert kept_again(line, keep_bodies=True) == line
    assert kept_again(line, keep_bodies=False) == storable_report(CORE, keep_bodies=False)


def test_a_promise_the_addon_sent_without_offsets_is_kept_without_them() -> None:
    sent = ApiReport.model_validate({"score": 90, "verdict": "pass", "findings": [],
                                     "promises": [{"text": PROMISE, "owner": "team",
                                                   "due": None, "hedged": True}]})
    [promise] = storable_report(sent, keep_bodies=True)["promises"]
    assert (promise["start"], promise["end"], promise["owner"]) == (None, None, "team")
