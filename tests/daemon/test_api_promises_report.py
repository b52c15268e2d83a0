"""``GET /v1/promises`` and ``GET /v1/report`` answer typed models whose JSON is the
CLI's, byte for byte: the same keys, values and order."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.api_client import RunningApi, running_api

from daemon.api import promises_report
from daemon.api.errors import encode_json
from daemon.api.models import LedgerPromise, WeeklyReport
from daemon.application.build_report import ReportRequest, build_report
from daemon.application.list_promises import entry_dict, list_promises
from daemon.reports.json_format import report_dict
from daemon.store.database import MessageRecord

ME = "me@example.com"
SENT = {
    "message": {"message_id": "p1@mail.example", "in_reply_to": "<q1@customer.example>",
                "date": "2026-03-04T10:00:00+01:00", "from": f"Me <{ME}>",
                "to": ["Anna <anna@customer.example>"], "subject": "Re: Invoice"},
    "report": {"score": 62, "verdict": "warn", "findings": [],
               "promises": [{"text": "I will send the credit note by Friday",
                             "owner": "sender", "due": "2026-03-06T17:00:00+01:00",
                             "hedged": False}]},
}
NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
async def api(tmp_path: Path):  # type: ignore[no-untyped-def]
    config = tmp_path / "me.toml"
    config.write_text(f'[report]\nme = ["{ME}"]\n', "utf-8")
    async with running_api(tmp_path, config_file=config) as running:
        for message_id, day, subject in (("<q1@customer.example>", 3, "Invoice"),
                                         ("<q2@customer.example>", 5, "Delivery")):
            running.store.record_message(MessageRecord(
                source="imap", direction="in", message_id=message_id,
                date=datetime(2026, 3, day, 8, 0, tzinfo=UTC), subject=subject,
                from_addr="anna@customer.example", to_addrs=[ME]))
        assert (await running.call("POST", "/v1/sent", SENT)).status == 200
        yield running


async def test_the_weekly_report_model_sends_the_cli_json(api: RunningApi) -> None:
    config = api.service.handlers.config
    query = {"since": "2026-03-01", "until": "2026-03-31"}
    typed = promises_report.weekly_report(config, api.store, query, NOW)
    assert isinstance(typed, WeeklyReport) and typed.trust.average_score == 62
    cli = report_dict(build_report(config, ReportRequest(since="2026-03-01",
                                                         until="2026-03-31"), NOW, api.store))
    assert encode_json(typed.to_json()) == encode_json(cli)
    # every part is typed, and this report has one of each row
    assert [len(part) for part in (typed.responses, typed.unanswered, typed.customers,
                                   typed.promises.overdue_list)] == [1, 1, 1, 1]
    assert sum(week.count for week in typed.trend) == 1
    assert typed.unanswered[0].subject == "Delivery"
    assert typed.customers[0].customer == "customer.example"     # by domain


async def test_the_ledger_entries_are_the_cli_entries(api: RunningApi) -> None:
    config = api.service.handlers.config
    [typed] = promises_report.promise_ledger(config, api.store, {}, NOW, "all")
    assert isinstance(typed, LedgerPromise) and typed.status == "overdue"
    [row] = list_promises(config, api.store, None, NOW)
    assert encode_json(typed.to_json()) == encode_json(entry_dict(row))


async def test_the_answers_over_http_are_those_models(api: RunningApi) -> None:
    reply = await api.call("GET", "/v1/promises?status=overdue")
    [entry] = json.loads(reply.body)["promises"]
    assert list(entry) == list(LedgerPromise.model_fields)
    assert entry["customer"] == "anna@customer.example" and entry["subject"] == "Re: Invoice"
    report = await api.call("GET", "/v1/report?since=2026-03-01&until=2026-03-31")
    assert list(json.loads(report.body)) == list(WeeklyReport.model_fields)
