"""Deadlines in English and German, resolved against the message date (a Monday), with
the date words of the shipped packs (config/rules/*/lexicon.toml)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone

import pytest

from scoring import Scorer
from scoring.business_time import BusinessClock
from scoring.dates import DateGrammar, Deadline
from scoring.settings import BusinessHours

CET = timezone(timedelta(hours=1))
MONDAY = datetime(2026, 11, 9, 9, 30, tzinfo=CET)
NINE_TO_FIVE = BusinessClock(BusinessHours())


@pytest.fixture(scope="module")
def dates(scorer: Scorer) -> DateGrammar:
    return scorer.rulebook.dates


def find_deadline(dates: DateGrammar, text: str,
                  clock: BusinessClock = NINE_TO_FIVE) -> Deadline | None:
    return dates.find_deadline(text, MONDAY, clock)

EXAMPLES = [
    ("I will send it by Thursday, November 12, noon", "2026-11-12T12:00"),
    ("Das Dokument sende ich Ihnen bis Freitag, 13. November, 15 Uhr", "2026-11-13T15:00"),
    ("Ich rufe Sie am Montag, 16. November, um 10 Uhr an", "2026-11-16T10:00"),
    ("We will have it live by 1 pm today", "2026-11-09T13:00"),
    ("by tomorrow morning", "2026-11-10T12:00"),
    ("before the 24th", "2026-11-24T17:00"),
    ("by the end of next week", "2026-11-20T17:00"),
    ("I'll call you Friday", "2026-11-13T17:00"),
    ("bis morgen", "2026-11-10T17:00"),
]


@pytest.mark.parametrize(("text", "due"), EXAMPLES)
def test_deadlines_resolve(dates: DateGrammar, text: str, due: str) -> None:
    deadline = find_deadline(dates, text)
    assert deadline is not None and deadline.due is not None
    assert deadline.due.isoformat(timespec="minutes").startswith(due)


@pytest.mark.parametrize("text", ["soon", "as soon as possible", "in den nächsten Tagen",
                                  "at some point", "bald", "I will look into it"])
def test_vague_timing_is_no_deadline(dates: DateGrammar, text: str) -> None:
    assert find_deadline(dates, text) is None


def test_events_are_deadlines_without_a_date(dates: DateGrammar) -> None:
    deadline = find_deadline(dates, "we'll activate it on your next shipment")
    assert deadline is not None and deadline.due is None


@pytest.mark.parametrize(("line", "expected"), [
    ("On Mon, Nov 2, 2026 at 8:51 AM, Angela <a@x.test> wrote:", "2026-11-02T08:51"),
    ("Am Di., 3. Nov. 2026 um 16:22 Uhr schrieb Katrin Vogt:", "2026-11-03T16:22"),
    ("Am 02.11.2026 um 08:14 schrieb Markus:", "2026-11-02T08:14"),
    ("Sent: Monday, November 9, 2026 9:20 AM", "2026-11-09T09:20"),
    # Thunderbird's defaults write the year in two digits
    ("On 11/2/26 8:51 AM, Angela wrote:", "2026-11-02T08:51"),
    ("Am 02.11.26 um 08:14 schrieb Markus:", "2026-11-02T08:14"),
    ("Ann Lee <ann@example.com> schrieb am Mo., 2. Nov. 2026, 10:15:", "2026-11-02T10:15"),
    ("Ann Lee/ACME wrote on 02.11.2026 10:15:00:", "2026-11-02T10:15"),
    # the languages of mail clients no pack scores (header_months in the lexicon)
    ("Le lun. 2 nov. 2026 à 10:15, Ann <a@x.test> a écrit :", "2026-11-02T10:15"),
    ("El lun, 2 nov 2026 a las 10:15, Ann (<a@x.test>) escribió:", "2026-11-02T10:15"),
    ("Em seg., 2 de nov. de 2026 às 10:15, Ann <a@x.test> escreveu:", "2026-11-02T10:15"),
    ("Il giorno lun 2 nov 2026 alle ore 10:15 Ann <a@x.test> ha scritto:", "2026-11-02T10:15"),
    ("Op ma 2 nov 2026 om 10:15 schreef Ann <a@x.test>:", "2026-11-02T10:15"),
    ("Envoyé : lundi 2 novembre 2026 10:15", "2026-11-02T10:15"),
    ("Enviado el: lunes, 2 de noviembre de 2026 10:15", "2026-11-02T10:15"),
    ("Inviato: lunedì 2 dicembre 2026 10:15", "2026-12-02T10:15"),
])
def test_quote_header_dates(dates: DateGrammar, line: str, expected: str) -> None:
    parsed = dates.parse_attribution_date(line, CET)
    assert parsed is not None and parsed.isoformat(timespec="minutes").startswith(expected)


def test_a_quote_headers_month_names_make_no_deadline(dates: DateGrammar) -> None:
    # "dic" and "out" are month names in a Spanish or Portuguese quote header only
    assert find_deadline(dates, "I'll send it on 4 Dec") is not None
    assert find_deadline(dates, "I'll send it on 4 dic") is None
    assert find_deadline(dates, "we are 4 out of 5") is None


def test_a_quote_header_is_read_the_way_the_replys_date_allows(dates: DateGrammar) -> None:
    reply = datetime(2016, 6, 9, 12, 0, tzinfo=UTC)
    # month-first would be 6 September, after the reply: it must be 9 June
    assert dates.parse_attribution_date("On 09/06/2016 10:15, Bo wrote:", UTC,
                                        reply) == datetime(2016, 6, 9, 10, 15, tzinfo=UTC)
    pdt = dates.parse_attribution_date("On Tue, Sep 8, 2015 at 5:01:12 PM PDT, Bo wrote:",
                                       UTC)
    assert pdt is not None and (pdt.hour, pdt.utcoffset()) == (17, timedelta(hours=-7))
    eight = dates.parse_attribution_date("On 2016-06-09 10:15 UTC+8, Bo wrote:", UTC)
    assert eight is not None and eight.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize(("text", "due"), [
    ("I'll send it by end of day Friday", "2026-11-13T18:30"),
    ("You will have it today", "2026-11-09T18:30"),
    ("I'll call you Friday", "2026-11-13T18:30"),
    ("Das schicke ich bis Freitag, Feierabend", "2026-11-13T18:30"),
    ("Ich melde mich morgen", "2026-11-10T18:30"),
])
def test_end_of_day_is_the_end_of_the_business_hours(dates: DateGrammar, text: str,
                                                     due: str) -> None:
    clock = BusinessClock(BusinessHours(timezone="Europe/Berlin", end=time(18, 30)))
    deadline = find_deadline(dates, text, clock)
    assert deadline is not None and deadline.due is not None
    assert deadline.due.strftime("%Y-%m-%dT%H:%M") == due
