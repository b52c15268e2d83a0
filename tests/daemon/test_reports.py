"""The weekly report: figures, periods, renderers, the CLI on an mbox, the schedule."""

from __future__ import annotations

import json
import mailbox
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from daemon.cli import main
from daemon.config.sections import ReportSettings
from daemon.conversations.response_times import Parties, Response
from daemon.reports.compute import bucket_counts, compute_report, customer_of, nearest_rank
from daemon.reports.html_format import render_html
from daemon.reports.json_format import report_dict
from daemon.reports.periods import parse_range, parse_week, previous_week, weeks_before
from daemon.reports.sources import load_mbox
from daemon.reports.text_format import render_text
from daemon.scheduler.weekly_report import is_due, scheduled_slot, seconds_until_next
from daemon.store.queries import StoredMessage
from scoring.business_time import BusinessClock
from scoring.errors import InputError
from scoring.settings import BusinessHours

BERLIN = ZoneInfo("Europe/Berlin")
ME = "alice@example.com"
CLOCK = BusinessClock(BusinessHours(timezone="Europe/Berlin", start=time(9), end=time(17),
                                    holidays="DE", sla_hours=8))
MON_10 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)       # week 48, 10:00 Berlin
HOUR = 3600.0


def write_mbox(path: Path, mails: list[tuple[str, str, datetime, str]],
               bodies: dict[str, str] | None = None) -> Path:
    """(Message-ID, From, Date, In-Reply-To) -> an mbox file; bodies by Message-ID."""
    box = mailbox.mbox(path)
    for mid, sender, when, parent in mails:
        message = EmailMessage()
        message["From"], message["To"] = sender, ME
        message["Subject"], message["Date"] = "Order", format_datetime(when)
        message["Message-ID"] = mid
        if parent:
            message["In-Reply-To"] = parent
        message.set_content((bodies or {}).get(mid, "Hello."))
        box.add(message)
    box.close()
    return path


@pytest.fixture
def seeded_mbox(tmp_path: Path) -> Path:
    return write_mbox(tmp_path / "mail.mbox", [
        ("<q1@acme.example>", "carla@acme.example", MON_10, ""),
        ("<a1@example.com>", ME, MON_10 + timedelta(hours=2), "<q1@acme.example>"),
        ("<q2@acme.example>", "dan@acme.example", MON_10 + timedelta(days=1), ""),
        ("<a2@example.com>", ME, MON_10 + timedelta(days=2), "<q2@acme.example>"),
        ("<q3@gmail.com>", "eve@gmail.com", MON_10 + timedelta(days=2), ""),
        ("<old@acme.example>", "carla@acme.example", MON_10 - timedelta(days=14), ""),
        ("<olda@example.com>", ME, MON_10 - timedelta(days=13), "<old@acme.example>"),
    ])


def test_percentiles_are_nearest_rank() -> None:
    assert nearest_rank([4, 1, 3, 2], 0.5) == 2
    assert nearest_rank([float(v) for v in range(1, 11)], 0.9) == 9
    assert nearest_rank([], 0.5) is None


def test_buckets_and_customers() -> None:
    def response(wall_hours: float) -> Response:
        return Response("t", "<q>", "<a>", "c@x.example", MON_10,
                        MON_10 + timedelta(hours=wall_hours), wall_hours * HOUR, 0.0)
    counts = bucket_counts([response(h) for h in (0.5, 1, 3.9, 23, 24, 100, 200)])
    assert counts == [("<1 h", 1), ("1-4 h", 2), ("4-24 h", 1), ("1-3 d", 1), ("3-7 d", 1),
                      (">7 d", 1)]
    assert customer_of("carla@acme.example") == "acme.example"
    assert customer_of("eve@gmail.com") == "eve@gmail.com"


def test_periods() -> None:
    week = parse_week("2026-W48", BERLIN)
    assert (week.start.isoformat(), week.end.isoformat()) == (
        "2026-11-23T00:00:00+01:00", "2026-11-30T00:00:00+01:00")
    assert previous_week(MON_10, BERLIN).label == "2026-W47"
    assert parse_range("2026-11-01", "2026-11-30", BERLIN, MON_10).end.day == 1
    assert [w.label for w in weeks_before(week, 3, BERLIN)] == [
        "2026-W46", "2026-W47", "2026-W48"]
    with pytest.raises(InputError):
        parse_week("week 48", BERLIN)


def test_report_figures_from_an_mbox(seeded_mbox: Path) -> None:
    week = parse_week("2026-W48", BERLIN)
    report = compute_report(load_mbox(seeded_mbox), Parties.of([ME], ["example.com"]), CLOCK,
                            week, now=datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    assert report.stats.count == 2
    assert (report.stats.median_business, report.stats.p90_business) == (2 * HOUR, 8 * HOUR)
    assert report.stats.median_wall == 2 * HOUR and report.stats.p90_wall == 24 * HOUR
    assert report.stats.within_sla_percent == 100.0
    assert [(row.customer, row.stats.count, row.unanswered) for row in report.customers] == [
        ("acme.example", 2, 0), ("eve@gmail.com", 0, 1)]
    assert [w.item.inbound_message_id for w in report.unanswered] == ["<q3@gmail.com>"]
    assert [(p.week, p.stats.count) for p in report.trend][-3:] == [
        ("2026-W46", 1), ("2026-W47", 0), ("2026-W48", 2)]

    data = report_dict(report)
    assert data["responses"][0] == {
        "thread": "<q1@acme.example>", "inbound_message_id": "<q1@acme.example>",
        "reply_message_id": "<a1@example.com>", "customer": "carla@acme.example",
        "inbound_at": "2026-11-23T09:00:00+00:00", "replied_at": "2026-11-23T11:00:00+00:00",
        "wall_seconds": 7200.0, "business_seconds": 7200.0}
    assert data["unanswered"][0]["age_seconds"] == report.unanswered[0].item.age_seconds
    assert "median 2.0 h business" in render_text(report)
    html = render_html(report)
    assert "<img src='data:image/png;base64," in html and "acme.example" in html


def test_cli_report_from_an_mbox_needs_no_config(seeded_mbox: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["report", "--mbox", str(seeded_mbox), "--me", ME, "--since", "2026-11-23",
                 "--until", "2026-11-29", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["period"]["label"] == "2026-11-23 to 2026-11-29"
    assert [r["reply_message_id"] for r in data["responses"]] == [
        "<a1@example.com>", "<a2@example.com>"]


def test_cli_report_explains_a_missing_me(seeded_mbox: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--mbox", str(seeded_mbox)]) == 2
    assert "--me ADDRESS" in capsys.readouterr().err


def test_weekly_schedule() -> None:
    settings = ReportSettings(weekday="mon", time="08:00", deliver=True)
    slot = scheduled_slot(MON_10, settings, BERLIN)
    assert slot == datetime(2026, 11, 23, 8, 0, tzinfo=BERLIN)
    assert is_due(MON_10, settings, BERLIN, "2026-W47", last_delivered="2026-W46")
    assert not is_due(MON_10, settings, BERLIN, "2026-W47", last_delivered="2026-W47")
    assert not is_due(slot - timedelta(minutes=1), settings, BERLIN, "2026-W47", "")
    assert seconds_until_next(MON_10, settings, BERLIN) == 7 * 24 * HOUR - 2 * HOUR


def test_cli_report_from_an_mbox_scores_my_mail_for_trust_and_promises(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    box = write_mbox(tmp_path / "promises.mbox", [
        ("<q1@acme.example>", "carla@acme.example", MON_10, ""),
        ("<a1@example.com>", ME, MON_10 + timedelta(hours=1), "<q1@acme.example>"),
        ("<a2@example.com>", ME, MON_10 + timedelta(days=2), "<a1@example.com>"),
    ], bodies={"<a1@example.com>": "Dear Carla,\n\nI will send you the signed contract "
                                   "by Friday.\n\nBest regards,\nAlice\n",
               "<a2@example.com>": "Dear Carla,\n\nhere is the signed contract.\n\n"
                                   "Best regards,\nAlice\n"})
    assert main(["report", "--mbox", str(box), "--me", ME, "--week", "2026-W48",
                 "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["promises"]["made"] >= 1 and data["promises"]["kept"] == data["promises"]["made"]
    assert data["trust"]["scored_messages"] == 2
    assert 0 <= data["trust"]["average_score"] <= 100

    assert main(["report", "--mbox", str(box), "--me", ME, "--week", "2026-W48",
                 "--format", "json", "--no-score"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["trust"]["scored_messages"] == 0 and data["promises"]["made"] == 0


def test_the_scored_copy_of_a_message_counts_once() -> None:
    def stored(row: int, score: int | None) -> StoredMessage:
        return StoredMessage(row, "imap" if score is None else "smtp", "out", "<a1@example.com>",
                             "", [], MON_10, ME, [], [], "Re: Order", False, score)
    report = compute_report([stored(1, None), stored(2, 80)], Parties.of([ME], []), CLOCK,
                            parse_week("2026-W48", BERLIN), now=MON_10 + timedelta(days=7))
    assert (report.scored_messages, report.average_score) == (1, 80)
