"""The customer's questions and whether the reply answers them."""

from __future__ import annotations

from scoring import Scorer

QUOTE = ("\n\nOn Mon, Nov 2, 2026 at 9:00 AM, Bo wrote:\n"
         "> When can you send the certificate? Also, does our $1M limit meet the landlord's "
         "$2M requirement, or do we need an umbrella policy?\n")


def test_when_question_answered_by_any_timing_other_question_open(scorer: Scorer) -> None:
    report = scorer.score_text("Hi Bo,\n\nThe certificate goes out soon." + QUOTE)
    answered = {q.text: q.answered for q in report.questions}
    assert answered["When can you send the certificate?"] is True
    assert [q for q, ok in answered.items() if not ok][0].startswith("Also, does our $1M")


def test_compound_question_is_split(scorer: Scorer) -> None:
    quote = ("\n\nOn Mon, Nov 2, 2026 at 9:00 AM, Bo wrote:\n"
             "> Who is fixing the checkout, and will you refund the launch fee?\n")
    report = scorer.score_text("Ravi is fixing the checkout now." + quote)
    assert [(q.text, q.answered) for q in report.questions] == [
        ("Who is fixing the checkout?", True), ("will you refund the launch fee?", False)]


def test_dont_know_without_plan_does_not_answer(scorer: Scorer) -> None:
    quote = ("\n\nOn Mon, Nov 2, 2026 at 9:00 AM, Bo wrote:\n"
             "> Does the API support webhooks for invoice events?\n")
    report = scorer.score_text("About webhooks for invoice events: I don't know." + quote)
    assert report.questions[0].answered is False
