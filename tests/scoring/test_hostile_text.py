"""Hostile text is scored in bounded time: the reproducers of issue 13 for the core.

Each case took from seconds to minutes before the regexes were made linear and the quote
was truncated; the bound here is the per-message budget (2 s), far above the
milliseconds they take now, so a noisy machine does not fail them.
"""

from __future__ import annotations

import time

import pytest

from scoring import Scorer
from scoring.questions import WORD, latest_quoted_message
from scoring.quoting import SplitBody, split_body
from scoring.sentences import split_sentences

BUDGET_SECONDS = 2.0


def within_budget(action: object) -> None:
    assert callable(action)
    started = time.perf_counter()
    action()
    assert time.perf_counter() - started < BUDGET_SECONDS


@pytest.mark.parametrize("mark", [".", "!", "?"])
def test_a_long_run_of_marks_is_split_in_linear_time(mark: str) -> None:
    text = "a" + mark * 80_000
    within_budget(lambda: split_sentences(text))
    assert [s.text for s in split_sentences(text)] == [text]


def test_marks_still_end_sentences() -> None:
    assert [s.text for s in split_sentences("Really?! Yes. No!! Ok... fine.")] == [
        "Really?!", "Yes.", "No!!", "Ok...", "fine."]


def test_a_quote_of_80000_marks_is_scored_within_budget(scorer: Scorer) -> None:
    within_budget(lambda: scorer.score_text("Thanks.", original_text="!" * 80_000))


def test_many_blank_lines_in_a_quote_are_read_in_linear_time() -> None:
    quote = "Can you send it?\n" + " \n" * 200_000 + "> older"
    within_budget(lambda: latest_quoted_message(quote))
    assert latest_quoted_message(quote).startswith("Can you send it?")


def test_the_quoted_original_is_truncated_like_the_body(scorer: Scorer) -> None:
    quote = "Can you send the invoice? " + "word " * 100_000
    report = scorer.score_text("Here it is.", original_text=quote)
    assert [q.text for q in report.questions] == ["Can you send the invoice?"]


def test_a_long_run_of_dots_in_a_question_is_read_in_linear_time(scorer: Scorer) -> None:
    """The word pattern tried every dot of a run as a word start: 20,000 dots in a
    quoted question took 47 s (found by bench/hostile_soak.py)."""
    question = "Can you send the invoice " + "." * 20_000 + " today?"
    within_budget(lambda: WORD.findall(question))
    assert WORD.findall("Is v2.1 in the e-mail, or 3/4 of it...?") == [
        "Is", "v2.1", "in", "the", "e-mail", "or", "3/4", "of", "it"]
    within_budget(lambda: scorer.score_text("Yes, today.", original_text=question))


def test_many_mbox_escaped_from_lines_are_read_in_linear_time() -> None:
    """Each ">From " line looks at its neighbours; slicing the lines to find them took
    1.5 s for 180 KB of such lines, quadratically more for more (found in review)."""
    text = "Hi Bo,\n" + ">From x\n\nmy own line\n\n" * 25_000   # 100,000 lines
    split: list[SplitBody] = []
    within_budget(lambda: split.append(split_body(text)))
    assert split[0].quoted == ""   # each stands among unquoted lines: no quote
