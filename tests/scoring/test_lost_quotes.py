"""Quotation marks and apostrophes a charset lost, read back."""

from __future__ import annotations

import pytest

from scoring.lost_quotes import restore_lost_quotes


@pytest.mark.parametrize(("lost", "read_back"), [
    # a pair of quotes around a name, and one around a whole error message
    ("Package ?SASxport? was removed from the CRAN repository.",
     "Package ‘SASxport’ was removed from the CRAN repository."),
    ("Failed with error: ?package ?SASxport? was built before R 3.0.0:\nplease re-install it?",
     "Failed with error: ‘package ‘SASxport’ was built before R 3.0.0:\nplease re-install it’"),
    # an apostrophe, and one that runs on into the sentence
    ("The ?factor? columns don?t sort.", "The ‘factor’ columns don’t sort."),
    ("whether participants? choices of ?weight? matter",
     "whether participants’ choices of ‘weight’ matter"),
    # the real question marks stay: after a space, or once every quote is closed
    ("Why are they read as ?factors?? Any idea?", "Why are they read as ‘factors’? Any idea?"),
    ("currently ?I want to run it on a server. Desktop or server ?",
     "currently ‘I want to run it on a server. Desktop or server ?"),
])
def test_lost_quotes_are_read_back(lost: str, read_back: str) -> None:
    assert restore_lost_quotes(lost) == read_back


@pytest.mark.parametrize("text", [
    "Can you send it? thanks",                      # no lost opening quote: casual writing
    "Is it fixed? Which version?",
    "Departamento de Economia Agr?cola, ?Universidade? Federal do Cear?",   # lost letters
])
def test_a_message_without_lost_quotes_keeps_every_mark(text: str) -> None:
    assert restore_lost_quotes(text) == text


def test_spans_into_the_text_still_hold() -> None:
    lost = "See ?README? first. Does it build?"
    assert len(restore_lost_quotes(lost)) == len(lost)
