"""Sentence analysis: one scan of the draft's words, guards judged per sentence."""

from __future__ import annotations

from scoring import Scorer
from scoring.context import Context
from scoring.matcher import regex_needles
from scoring.sentence_analysis import sentences_with_needles


def draft_context(scorer: Scorer, body: str) -> Context:
    return Context(body=body, language="en", footer="", quoted="", quote_date=None,
                   anchor=None, business=scorer.settings.business, clock=scorer.clock,
                   guards=scorer.rulebook.guards["en"])


def test_a_phrase_is_found_in_its_sentence_wherever_that_stands(coach: Scorer) -> None:
    text = "Thanks for your patience. We checked, and I believe it shipped on Monday."
    [finding] = coach.score_text(text).findings
    assert (finding.rule, text[finding.start:finding.end]) == ("en.honesty.hedge", "I believe")


def test_a_phrase_across_a_paragraph_break_belongs_to_no_sentence(coach: Scorer) -> None:
    assert coach.score_text("We checked your order, and I\n\nbelieve it left on Monday."
                            ).findings == []


def test_only_sentences_holding_a_needle_of_a_regex_rule_are_analysed(coach: Scorer) -> None:
    [rule] = [rule for rule in coach.rulebook.rules["en"]
              if rule.rule_id == "en.disclosure.price-without-terms"]
    assert "$" in rule.requires
    ctx = draft_context(coach, "Hi Anna. The plan costs $40 a month. Thanks!")
    starts = [sentence.start for sentence in ctx.sentences]
    regex_rule = (rule, regex_needles(rule))
    assert sentences_with_needles((regex_rule,), ctx, starts) == {1}
    assert sentences_with_needles((regex_rule,), draft_context(coach, "Hi Anna."), [0]) == set()
