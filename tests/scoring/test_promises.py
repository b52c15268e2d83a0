"""Commitment extraction: owner, deadline, hedging; what is not a commitment."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scoring import Scorer

COMMITMENTS = [
    ("I will send you the contract by Friday.", "sender", True, False),
    ("Our adjuster, Denise Howard, will call you by 5 pm tomorrow.", "team", True, False),
    ("Someone from our team will reach out.", "unclear", False, False),
    ("I'll try to get the paperwork over to you soon.", "sender", False, True),
    ("The unit will ship from our warehouse on Wednesday, November 11.", "team", True, False),
    ("Will copy Misha on the reply.", "sender", False, False),
    ("Ich melde mich bis Donnerstag bei Ihnen.", "sender", True, False),
    ("Wir werden die Rechnung voraussichtlich nächste Woche korrigieren.", "team", True, True),
]
NOT_COMMITMENTS = [
    "If you need anything, let me know.",
    "I would like to see the quotes.",
    "Could you send me the invoice?",
    "I can walk your team through it.",
    "It will be sunny tomorrow.",
    "You will need to close the file first.",
]


@pytest.mark.parametrize(("text", "owner", "has_deadline", "hedged"), COMMITMENTS)
def test_commitments(scorer: Scorer, text: str, owner: str, has_deadline: bool,
                     hedged: bool) -> None:
    [promise] = scorer.score_text(text).promises
    assert (promise.owner, bool(promise.deadline_text), promise.hedged) == \
        (owner, has_deadline, hedged)


@pytest.mark.parametrize("text", NOT_COMMITMENTS)
def test_not_commitments(scorer: Scorer, text: str) -> None:
    assert scorer.score_text(text, lang="en").promises == []


def test_matches_of_two_regexes_merge_as_one_alternation() -> None:
    from scoring.promises import leftmost_first
    first = [(0, 20, "team"), (30, 40, "sender")]
    second = [(0, 8, "team"), (10, 18, "team"), (35, 45, "team"), (50, 55, "team")]
    assert leftmost_first(first, second) == [(0, 20, "team"), (30, 40, "sender"),
                                             (50, 55, "team")]


@pytest.mark.parametrize("language", ["en", "de"])
def test_owner_needles_are_necessary(scorer: Scorer, language: str) -> None:
    """`unclear`, `thing` and `named` are skipped when none of their needles occur:
    every text they match must contain one."""
    from scoring.lowered import lower_keeping_offsets
    lexicon = scorer.rulebook.lexicons[language]
    texts = ["Someone from billing will call.", "They'll confirm it.", "The unit will ship.",
             "Leo will call you.", "Anna'll send it.",
             "Your refund should come through.", "The order is guaranteed to arrive.",
             "Anna should be fine by Friday.", "Jemand aus dem Team wird anrufen.",
             "Man wird sich melden.", "Die Ware verlässt morgen das Lager.",
             "Die Rechnung ist am Montag da.", "Das Paket wird Ihnen morgen zugestellt."]
    for owner, needles in (("unclear", lexicon.unclear_needles),
                           ("thing", lexicon.thing_needles),
                           ("named", lexicon.named_needles)):
        pattern = lexicon.named if owner == "named" else lexicon.patterns[owner]
        for text in texts if pattern is not None else ():
            # `named` reads the capitals, the others run over lower-cased text
            if pattern.search(text if owner == "named" else lower_keeping_offsets(text)):
                assert any(n in lower_keeping_offsets(text) for n in needles), (owner, text)


def test_deadline_in_the_next_sentence_belongs_to_the_commitment(scorer: Scorer) -> None:
    report = scorer.score_text(
        "We will be bringing all managing directors together on a quarterly basis. "
        "The first meeting takes place on Monday, October 1, at 8:30 am.",
        now=datetime(2026, 9, 20, 9, 0, tzinfo=UTC))
    [promise] = report.promises
    assert promise.deadline_text and promise.due is not None
    assert not [f for f in report.findings if f.rule == "en.promises.vague-commitment"]


def test_next_sentence_with_its_own_commitment_keeps_its_deadline(scorer: Scorer) -> None:
    report = scorer.score_text("I will look into the rest. I will send the quote by Friday.",
                               now=datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    first, second = report.promises
    assert first.deadline_text == "" and second.deadline_text


@pytest.mark.parametrize(("before", "dated"), [
    ("The new part reaches our warehouse on Monday.", True),  # a date the reply waits for
    ("Customs released the container on Wednesday.", False),  # what happened
    ("Der Zoll hat den Container am Mittwoch freigegeben.", False),
])
def test_a_date_in_the_sentence_before_counts_unless_it_tells_what_happened(
        scorer: Scorer, before: str, dated: bool) -> None:
    after = ("Ich melde mich dann bei Ihnen." if before.startswith("Der")
             else "I will let you know.")
    report = scorer.score_text(f"{before} {after}", now=datetime(2026, 11, 13, 9, 0, tzinfo=UTC))
    [promise] = report.promises
    assert bool(promise.deadline_text) is dated
