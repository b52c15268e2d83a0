"""A report a person can act on: what it assumed, what may mislead, who waits, what was
promised to whom, what the findings mean (issue 11)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from test_reports import ME, MON_10, write_mbox

from daemon.application.build_report import ReportRequest, build_report
from daemon.cli import main
from daemon.config.load import load_config
from daemon.conversations.response_times import Parties
from daemon.reports.chart import trend_png
from daemon.reports.compute import ReportContext, compute_report
from daemon.reports.json_format import report_dict
from daemon.reports.notices import SettingsFile
from daemon.reports.periods import parse_range, parse_week
from daemon.reports.rows import RuleInfo, rule_name
from daemon.reports.text_format import render_text
from daemon.reports.wording import age_words, business_hours_text, shorten
from daemon.store.database import MessageRecord, open_store
from daemon.store.queries import StoredMessage, StoredPromise
from scoring import Scorer
from scoring.business_time import BusinessClock
from scoring.settings import BusinessHours

BERLIN_HOURS = BusinessHours(timezone="Europe/Berlin", start=time(9), end=time(17),
                             holidays="DE", sla_hours=8)
CLOCK = BusinessClock(BERLIN_HOURS)
PARTIES = Parties.of([ME], ["example.com"])
WEEK_48 = parse_week("2026-W48", CLOCK.zone)
AFTER_WEEK_48 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def message(row: int, sender: str, when: datetime, *, subject: str = "Order",
            to: tuple[str, ...] = (ME,), parent: str = "", score: int | None = None,
            findings: list[tuple[str, str]] | None = None) -> StoredMessage:
    return StoredMessage(row, "imap", "in", f"<m{row}@x>", parent, [parent] if parent else [],
                         when, sender, list(to), [], subject, False, score,
                         findings=findings or [])


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user config dir and data dir of this test's own (XDG, as the README says)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path


def test_the_headline_says_which_hours_it_assumed_and_where_to_change_them() -> None:
    report = compute_report([], PARTIES, CLOCK, WEEK_48, AFTER_WEEK_48,
                            context=ReportContext(
                                settings_hint=SettingsFile("~/.config/trustmail/x.toml")))
    first_lines = render_text(report).splitlines()[:3]
    assert first_lines == [
        f"trustmail weekly report 2026-W48 for {ME}",
        "Business hours assumed: Mon-Fri 09:00-17:00 Europe/Berlin, DE holidays; "
        "SLA 8 business hours.",
        "Change them under [business] in ~/.config/trustmail/x.toml."]
    business = report_dict(report)["business"]
    assert business["timezone"] == "Europe/Berlin" and business["hours"] == ["09:00", "17:00"]
    assert business["days"] == ["mon", "tue", "wed", "thu", "fri"]
    assert business["change_in"] == "~/.config/trustmail/x.toml"
    assert business["change_in_exists"] is True


def test_a_user_who_mails_at_night_is_told_the_hours_may_be_wrong() -> None:
    # Twelve replies sent at 23:30 Berlin time (09:30 the next morning in Sydney).
    mails: list[StoredMessage] = []
    for day in range(12):
        asked = datetime(2026, 11, 2, 22, 0, tzinfo=UTC) + day * DAY
        mails += [message(2 * day, "carla@acme.example", asked),
                  message(2 * day + 1, ME, asked + timedelta(minutes=30),
                          parent=f"<m{2 * day}@x>")]
    period = parse_range("2026-11-01", "2026-11-30", CLOCK.zone, AFTER_WEEK_48)
    report = compute_report(mails, PARTIES, CLOCK, period, AFTER_WEEK_48)
    notices = {n.code: n.message for n in report.notices}
    assert report.stats.median_business == 0 and report.stats.median_wall == 1800
    assert "12 of your 12 messages were sent outside Mon-Fri 09:00-17:00" in notices[
        "hours-mismatch"]
    better = report.own_hours.better_zone      # a zone where 23:30 Berlin is working time
    assert f"in {better} the same hours would cover" in notices["hours-mismatch"]
    assert all(time(9) <= m.date.astimezone(ZoneInfo(better)).time() < time(17)
               for m in mails if m.from_addr == ME and m.date is not None)
    assert "the wall-clock median is 30 min" in notices["median-zero"]
    assert report_dict(report)["business"]["own_mail"]["outside"] == 12
    assert "Note: 12 of your 12 messages" in render_text(report)


def test_mail_sent_in_working_hours_raises_no_notice() -> None:
    mails = [message(1, "carla@acme.example", MON_10),
             message(2, ME, MON_10 + timedelta(hours=1), parent="<m1@x>")]
    assert compute_report(mails, PARTIES, CLOCK, WEEK_48, AFTER_WEEK_48).notices == []


def test_who_waits_is_listed_with_subject_and_age_in_words_and_the_rest_counted() -> None:
    mails = [message(row, f"c{row}@customer{row}.example", MON_10 - row * 7 * DAY,
                     subject=f"Question {row}") for row in range(20)]
    report = compute_report(mails, PARTIES, CLOCK, WEEK_48, AFTER_WEEK_48)
    text = render_text(report)
    assert "Waiting for your reply: 20 (20 longer than the SLA, marked !)" in text
    assert "! 2026-11-23  6 days      c0@customer0.example" in text
    assert "5 months    c19@customer19.example         Question 19" not in text  # 16th on
    assert "Question 14" in text and "... and 5 more" in text
    listed = report_dict(report)["unanswered"]
    assert len(listed) == 20 and listed[0]["subject"] == "Question 0"
    assert listed[-1]["over_sla"] is True


def test_open_and_overdue_promises_are_listed_with_customer_and_subject() -> None:
    mails = [message(1, "carla@acme.example", MON_10, subject="Contract"),
             message(2, ME, MON_10 + timedelta(hours=1), subject="Re: Contract",
                     to=("carla@acme.example",), parent="<m1@x>"),
             message(3, ME, MON_10 + timedelta(hours=2), subject="Invoice",
                     to=("colleague@example.com", "dan@beta.example"))]
    promises = [
        StoredPromise(1, 2, "I will send the signed\ncontract by Wednesday.", "sender",
                      MON_10 + 2 * DAY, False, "open", MON_10 + timedelta(hours=1)),
        StoredPromise(2, 3, "We will refund you next month.", "team",
                      datetime(2026, 12, 31, tzinfo=UTC), False, "open",
                      MON_10 + timedelta(hours=2))]
    report = compute_report(mails, PARTIES, CLOCK, WEEK_48, AFTER_WEEK_48, promises)
    data = report_dict(report)["promises"]
    assert [(p["customer"], p["subject"], p["status"]) for p in data["overdue_list"]] == [
        ("carla@acme.example", "Re: Contract", "overdue")]
    assert [(p["customer"], p["due"][:10]) for p in data["open_list"]] == [
        ("dan@beta.example", "2026-12-31")]
    text = render_text(report)
    assert ("due 2026-11-25  carla@acme.example: \u201cI will send the signed contract by "
            "Wednesday.\u201d (Re: Contract)") in text


def test_a_promise_in_mail_without_recipients_names_the_customer_of_its_thread() -> None:
    # an mbox export that dropped the To: header (the eval mailboxes do)
    mails = [message(1, "carla@acme.example", MON_10, subject="Upgrade"),
             message(2, ME, MON_10 + timedelta(hours=1), to=(), subject="Re: Upgrade",
                     parent="<m1@x>")]
    promise = StoredPromise(1, 2, "We'll try and fix it.", "team", None, False, "open",
                            MON_10 + timedelta(hours=1))
    report = compute_report(mails, PARTIES, CLOCK, WEEK_48, AFTER_WEEK_48, [promise])
    assert [(r.customer, r.subject) for r in report.open_promises] == [
        ("carla@acme.example", "Re: Upgrade")]


def test_findings_show_the_rule_name_its_meaning_and_a_readable_example() -> None:
    long_match = "we will probably be able to look into the matter at some point next week"
    scored = [message(1, ME, MON_10, score=70, findings=[("en.honesty.hedge", long_match)]),
              message(2, ME, MON_10, score=90, findings=[("en.tone.over-familiar", "")])]
    rules = {"en.tone.over-familiar": RuleInfo(rule_name("en.tone.over-familiar"),
                                               "Too familiar for a customer.",
                                               "Hey buddy, thanks a ton!")}
    report = compute_report(scored, PARTIES, CLOCK, WEEK_48, AFTER_WEEK_48,
                            context=ReportContext(rules=rules))
    rows = {f.rule: f for f in report.top_findings}
    assert rows["en.honesty.hedge"].name == "hedge (honesty)"
    assert rows["en.honesty.hedge"].example == (
        "we will probably be able to look into the matter at some point next\u2026")
    assert (rows["en.tone.over-familiar"].example,
            rows["en.tone.over-familiar"].example_from) == (
        "Hey buddy, thanks a ton!", "the rule's examples")
    assert "over familiar (tone): Too familiar for a customer." in render_text(report)


def test_the_rule_infos_come_from_the_shipped_packs(isolated: Path) -> None:
    config = load_config(None)
    scorer = Scorer(config.scoring)
    # an enabled rule's own example that finds something in a whole email
    body = next(text for rule in scorer.rulebook.rules["en"] if rule.enabled
                for example in rule.examples.hit[:1]
                for text in [f"Hi Carla,\n\n{example}\n\nBest,\nAlice\n"]
                if scorer.score_message(text.encode()).findings)
    box = write_mbox(isolated / "mail.mbox", [
        ("<q1@acme.example>", "carla@acme.example", MON_10, ""),
        ("<a1@example.com>", ME, MON_10 + timedelta(hours=1), "<q1@acme.example>")],
        bodies={"<a1@example.com>": body})
    report = build_report(config, ReportRequest(week="2026-W48", me=(ME,), mbox=box),
                          AFTER_WEEK_48)
    assert report.top_findings, "the rule's own example has findings"
    for row in report.top_findings:
        assert row.name and row.message and row.example, row


def test_sends_through_the_proxy_alone_say_that_inbound_mail_comes_from_imap(
        isolated: Path) -> None:
    config = load_config(None)
    store = open_store(config.daemon.store.path, keep_bodies=False)
    for number in range(3):    # what the SMTP proxy records: my mail only
        store.record_message(MessageRecord(
            source="smtp", direction="out", message_id=f"<s{number}@example.com>",
            date=MON_10 + number * DAY, from_addr=ME, to_addrs=["carla@acme.example"],
            subject="Offer"))
    report = build_report(config, ReportRequest(week="2026-W48", me=(ME,)), AFTER_WEEK_48,
                          store)
    store.close()
    notice = next(n for n in report.notices if n.code == "no-inbound")
    assert "inbound mail comes from IMAP sync: configure an [[accounts]] entry" in (
        notice.message)
    assert str(isolated / "config" / "trustmail" / "trustmail.toml") in notice.message


def test_an_address_that_never_sends_is_named_with_the_senders_that_do(
        isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    box = write_mbox(isolated / "mail.mbox", [
        ("<q1@acme.example>", "carla@acme.example", MON_10, ""),
        ("<a1@example.com>", ME, MON_10 + timedelta(hours=1), "<q1@acme.example>")])
    assert main(["report", "--mbox", str(box), "--me", "alcie@example.com", "--week",
                 "2026-W48", "--format", "json", "--no-score"]) == 0
    captured = capsys.readouterr()
    notices = json.loads(captured.out)["notices"]
    assert [n["code"] for n in notices] == ["me-not-found"]
    assert ("none of the 2 messages is from alcie@example.com; the most frequent senders "
            "are carla@acme.example (1), alice@example.com (1)") in notices[0]["message"]
    assert "trustmail: note: none of the 2 messages" in captured.err


def test_a_file_that_is_not_an_mbox_is_refused_with_what_to_do(
        isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    single = isolated / "draft.eml"
    single.write_text("From: alice@example.com\nSubject: hi\n\nHello\n", encoding="utf-8")
    assert main(["report", "--mbox", str(single), "--me", ME]) == 2
    error = capsys.readouterr().err
    assert "draft.eml: not an mbox file" in error and "trustmail score FILE" in error


def test_a_month_is_not_called_a_weekly_report(isolated: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    box = write_mbox(isolated / "mail.mbox", [("<q1@acme.example>", "carla@acme.example",
                                               MON_10, "")])
    assert main(["report", "--mbox", str(box), "--me", ME, "--since", "2026-11-01",
                 "--until", "2026-11-30", "--no-score"]) == 0
    assert capsys.readouterr().out.startswith(
        f"trustmail report 2026-11-01 to 2026-11-30 for {ME}\n")


def test_ages_and_calendars_in_words() -> None:
    assert [age_words(s) for s in (59, 90 * 60, 3 * 86400, 20 * 86400, 400 * 86400,
                                   2209.6 * 86400)] == [
        "0 minutes", "90 minutes", "3 days", "2 weeks", "13 months", "6 years"]
    assert age_words(86400 * 1.5) == "36 hours" and age_words(3600 * 1.5) == "90 minutes"
    assert business_hours_text(BusinessHours(timezone="Australia/Sydney", days=(0, 2, 4),
                                             holidays="")) == (
        "Mon, Wed, Fri 09:00-17:00 Australia/Sydney")
    assert shorten("one two three four", 12) == "one two\u2026"
    assert shorten("a\nmulti-line\n  text", 40) == "a multi-line text"


def test_the_chart_is_a_png_for_mail_clients() -> None:
    mails = [message(1, "carla@acme.example", MON_10),
             message(2, ME, MON_10 + timedelta(hours=1), parent="<m1@x>")]
    report = compute_report(mails, PARTIES, CLOCK, WEEK_48, AFTER_WEEK_48)
    png = trend_png(report.trend, report.sla_hours)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (1360, 720)      # drawn at 2x the 680 px it is shown at


def test_an_empty_store_says_where_mail_comes_from(isolated: Path) -> None:
    report = build_report(load_config(None), ReportRequest(week="2026-W48", me=(ME,)),
                          AFTER_WEEK_48)
    [notice] = report.notices
    assert notice.code == "no-mail" and "run `trustmail sync`" in notice.message
