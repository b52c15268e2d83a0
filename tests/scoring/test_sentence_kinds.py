"""Sentence kinds: what a sentence does decides which rules judge it."""

from __future__ import annotations

import pytest

from scoring import Scorer
from scoring.errors import ConfigError
from scoring.rules import parse_kind_cues, parse_rules
from scoring.sentence_kinds import classify
from scoring.settings import RulePackFile

# sentence, language, kind: the examples table of the shipped cues
READINGS = [
    ("Could you send me the log?", "en", "question"),
    ("Please send the signed form.", "en", "request"),
    ("Perhaps you could restart the router first.", "en", "request"),
    ("Thanks again for the quick answer.", "en", "formula"),
    ("Hope this helps.", "en", "formula"),
    ("I think the annual plan is the better fit for you.", "en", "opinion"),
    ("Rates may fall next year.", "en", "forecast"),
    ("The invoice was probably paid last week.", "en", "accountable"),
    ("Your refund has probably been processed.", "en", "accountable"),
    ("It will probably ship on Friday.", "en", "accountable"),
    ("It seems the function returns a list.", "en", "remark"),
    ("Können Sie mir die Rechnung schicken?", "de", "question"),
    ("Vielen Dank für Ihre Nachricht.", "de", "formula"),
    ("Die Rechnung wurde wahrscheinlich schon bezahlt.", "de", "accountable"),
    ("Ich fühle mich hier wohl.", "de", "remark"),
]


@pytest.mark.parametrize(("sentence", "language", "kind"), READINGS)
def test_shipped_cues_read_sentences(scorer: Scorer, sentence: str, language: str,
                                     kind: str) -> None:
    cues = scorer.rulebook.kind_cues[language]
    assert classify(sentence, sentence.lower(), cues, has_commitment=False).kind == kind


def test_a_commitment_is_read_as_one_before_any_cue(scorer: Scorer) -> None:
    cues = scorer.rulebook.kind_cues["en"]
    sentence = "Could you wait until I send the invoice by Friday?"
    assert classify(sentence, sentence.lower(), cues, has_commitment=True).kind == "commitment"


def test_a_hedge_warns_in_an_accountable_statement_and_says_how_it_read_it(
        coach: Scorer) -> None:
    [finding] = coach.score_text("Your refund was probably processed yesterday.").findings
    assert finding.rule == "en.honesty.hedge"
    assert finding.why == ("Read as a statement about the customer's matter "
                           "(\u201cYour refund\u201d).")
    assert coach.score_text("It probably returns a list.").findings == []


def test_the_detector_alone_judges_every_kind(coach: Scorer) -> None:
    detector = Scorer(coach.settings, judge_sentence_kinds=False)
    [finding] = detector.score_text("It probably returns a list.").findings
    assert finding.rule == "en.honesty.hedge" and finding.why == ""


def test_an_unknown_kind_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown sentence kind"):
        parse_kind_cues(RulePackFile("en", "kinds", "kinds.toml", {
            "statement": {"description": "d", "patterns": ["x"]}}))
    pack = RulePackFile("en", "honesty", "pack.toml", {"x": {
        "kind": "phrases", "weight": 1, "message": "m", "suggestion": "s",
        "phrases": ["maybe"], "applies_to": ["statements"],
        "examples": {"hit": ["maybe"], "miss": ["no"]}}})
    with pytest.raises(ConfigError, match="unknown sentence kind 'statements'"):
        parse_rules(pack, set())


def test_an_offer_finding_points_at_the_price_and_explains_in_the_packs_language(
        coach: Scorer) -> None:
    [en] = coach.score_text("I would like to offer you a free pilot at $3,000 per month.").findings
    assert (en.rule, en.match) == ("en.disclosure.price-without-terms", "$3,000 per month")
    [de] = coach.score_text("Ich biete Ihnen den Tarif für 30 € pro Monat an.",
                             lang="de").findings
    assert de.match == "30 € pro Monat" and de.why.startswith("Gelesen als Angebot")


def test_a_greeting_on_the_line_of_a_statement_does_not_make_it_a_formula(
        scorer: Scorer) -> None:
    cues = scorer.rulebook.kind_cues["en"]
    for sentence, kind in (("Hi Anna,", "formula"),
                           ("Hi Anna, your invoice was probably wrong.", "accountable")):
        assert classify(sentence, sentence.lower(), cues, has_commitment=False).kind == kind
