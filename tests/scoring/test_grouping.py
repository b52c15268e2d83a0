"""One sentence with several hedges is one finding that names them all."""

from __future__ import annotations

from scoring import Scorer


def test_hedges_in_one_sentence_are_one_finding_that_costs_them_all(coach: Scorer) -> None:
    report = coach.score_text("Maybe your refund was probably sent, I think.")
    [finding] = report.findings
    assert finding.match == "Maybe"
    assert finding.message.endswith("(Also in this sentence: \u201cprobably\u201d, "
                                    "\u201cI think\u201d.)")
    assert finding.penalty == 24.0      # three hedges, as before grouping


def test_findings_in_different_sentences_stay_apart(coach: Scorer) -> None:
    report = coach.score_text("Your refund was probably sent. Your order has maybe shipped.")
    assert [f.match for f in report.findings] == ["probably", "maybe"]
