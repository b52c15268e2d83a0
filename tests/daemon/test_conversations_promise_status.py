"""Promise statuses: kept when I write again in the thread by the due date."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support.reports import a_report

from daemon.cli import main
from daemon.conversations.promise_status import KEPT, OPEN, OVERDUE, promise_statuses
from daemon.conversations.response_times import Parties
from daemon.store.database import MessageRecord, open_store
from daemon.store.queries import load_messages, load_promises, save_promise_statuses
from scoring.findings import Promise
from scoring.report import Report

ME = "alice@example.com"
PARTIES = Parties.of([ME], [])
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def promise_report(text: str, due: datetime | None) -> Report:
    return a_report(90, promises=[Promise(text, 0, len(text), "sender", due, False)])


def test_kept_overdue_and_open_promises(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "store.sqlite3"), keep_bodies=True)   # shows the text
    friday = T0 + timedelta(days=4)
    store.record_message(MessageRecord("imap", "in", message_id="<q1>", from_addr="c@x.example",
                                       date=T0))
    store.record_message(MessageRecord("smtp", "out", message_id="<a1>", in_reply_to="<q1>",
                                       from_addr=ME, date=T0 + timedelta(hours=1)),
                         promise_report("I will send the contract by Friday.", friday))
    store.record_message(MessageRecord("smtp", "out", message_id="<a2>", in_reply_to="<a1>",
                                       from_addr=ME, date=T0 + timedelta(days=2)))
    store.record_message(MessageRecord("smtp", "out", message_id="<b1>", from_addr=ME,
                                       date=T0 + timedelta(hours=2)),
                         promise_report("I will call you on Wednesday.", T0 + timedelta(days=2)))
    store.record_message(MessageRecord("smtp", "out", message_id="<c1>", from_addr=ME,
                                       date=T0 + timedelta(hours=3)),
                         promise_report("I will check the logs.", None))
    messages = load_messages(store)
    ledger = promise_statuses(load_promises(store), messages, [m.row_id for m in messages],
                              PARTIES, now=T0 + timedelta(days=3))
    assert [(e.promise.text, e.status) for e in ledger] == [
        ("I will send the contract by Friday.", KEPT),
        ("I will call you on Wednesday.", OVERDUE),
        ("I will check the logs.", OPEN)]
    assert ledger[0].kept_at == T0 + timedelta(days=2)

    save_promise_statuses(store, [(e.promise.promise_id, e.status) for e in ledger])
    assert [p.status for p in load_promises(store)] == [KEPT, OVERDUE, OPEN]


def test_promises_command_lists_the_ledger(capsys: pytest.CaptureFixture[str]) -> None:
    store = open_store()          # the default store in the test's own XDG data dir
    store.record_message(MessageRecord("smtp", "out", message_id="<b1>", from_addr=ME,
                                       to_addrs=["carla@acme.example"], subject="Contract",
                                       date=T0),
                         promise_report("I will call you on Wednesday.", T0 + timedelta(days=2)))
    store.close()
    assert main(["promises", "--me", ME]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["status", "made", "due", "customer", "subject", "promise"]
    assert lines[1].split()[:5] == ["overdue", "2026-11-23", "2026-11-25",
                                    "carla@acme.example", "Contract"]
    assert lines[1].endswith("(text not stored; keep_bodies is off)")   # the default
    assert main(["promises", "--me", ME, "--status", "kept"]) == 0
    assert capsys.readouterr().out == "no promises with status kept\n"


def test_a_promise_over_several_lines_stays_on_its_row(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "bodies.toml"
    config.write_text("[store]\nkeep_bodies = true\n", encoding="utf-8")
    store = open_store(keep_bodies=True)
    store.record_message(MessageRecord("smtp", "out", message_id="<b1>", from_addr=ME,
                                       to_addrs=["colleague@example.com", "dan@beta.example"],
                                       subject="Quarterly invoice and the refund you asked "
                                               "about", date=T0),
                         promise_report("I will send the corrected\ninvoice\r\nby Friday.",
                                        T0 + timedelta(days=4)))
    store.close()
    assert main(["promises", "--me", ME, "--config", str(config)]) == 0
    header, row = capsys.readouterr().out.splitlines()
    assert row.index("dan@beta.example") == header.index("customer")
    assert row.index("Quarterly invoice and the\u2026") == header.index("subject")
    assert row.endswith("I will send the corrected invoice by Friday.")
    assert main(["promises", "--me", ME, "--config", str(config), "--format", "json"]) == 0
    [entry] = json.loads(capsys.readouterr().out)
    assert (entry["customer"], entry["subject"]) == (
        "dan@beta.example", "Quarterly invoice and the refund you asked about")
