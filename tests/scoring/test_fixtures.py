"""Every fixture draft scores without a crash, and the obvious things are found.

The fixtures under tests/fixtures/drafts are written for these tests: clean and flawed
replies, German in Latin-1, HTML-only with fine print, Outlook quotes, broken MIME with
an unknown charset, raw 8-bit headers, a message without any text.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from scoring import Scorer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "drafts"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def score(scorer: Scorer, name: str):  # type: ignore[no-untyped-def]
    return scorer.score_message((FIXTURES / name).read_bytes(), now=NOW)


@pytest.mark.parametrize("path", sorted(FIXTURES.iterdir()), ids=lambda p: p.name)
def test_every_fixture_scores(scorer: Scorer, path: Path) -> None:
    report = scorer.score_message(path.read_bytes(), now=NOW)
    data = report.to_dict()
    assert 0 <= data["score"] <= 100
    for finding in data["findings"]:
        assert data["body"][finding["start"]:finding["end"]] == finding["match"]


def test_clean_reply_passes(scorer: Scorer) -> None:
    report = score(scorer, "clean_reply_en.eml")
    assert report.findings == [] and report.verdict == "pass"
    assert report.questions[0].answered


def test_german_latin1_slow_reply(coach: Scorer) -> None:
    report = score(coach, "slow_reply_de_latin1.eml")
    rules = {f.rule for f in report.findings}
    assert report.language == "de"
    assert {"de.responsiveness.slow-reply", "de.promises.vague-commitment",
            "de.tone.upset-without-apology", "de.responsiveness.unanswered-question"} <= rules


def test_html_fine_print_is_a_disclosure_finding(coach: Scorer) -> None:
    report = score(coach, "html_only_fine_print.eml")
    [finding] = [f for f in report.findings if f.dimension == "disclosure"]
    assert "fine print" in finding.message


def test_outlook_quote_and_blame(coach: Scorer) -> None:
    rules = {f.rule for f in score(coach, "outlook_blame.eml").findings}
    assert {"en.honesty.blame-shifting", "en.honesty.minimising",
            "en.tone.upset-without-apology"} <= rules


def test_broken_mime_with_unknown_charset_still_reads_the_text(scorer: Scorer) -> None:
    report = score(scorer, "broken_mime_unknown_charset.eml")
    assert report.error is None and "probably" in report.body


def test_message_without_text_is_a_clear_error(scorer: Scorer) -> None:
    assert "no text" in (score(scorer, "no_text_body.eml").error or "")


def test_clean_german_reply_passes_with_its_commitments(scorer: Scorer) -> None:
    report = score(scorer, "clean_reply_de.eml")
    assert report.language == "de" and report.findings == []
    assert [p.owner for p in report.promises] == ["team", "team"]
    assert all(p.deadline_text for p in report.promises)
    assert all(q.answered for q in report.questions)
