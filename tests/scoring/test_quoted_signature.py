"""The signature under the customer's message asks nobody anything."""

from __future__ import annotations

import pytest

from scoring import Scorer
from scoring.quoted_signature import without_signature

AUTHOR = "On Wed, Aug 26, 2015 at 4:30 AM, Jim Holtman <jholtman at gmail.com> wrote:"


@pytest.mark.parametrize(("message", "customers"), [
    # the author's name alone starts the signature, and its tagline is the signature's
    ("Can you send a sample of the data?\n\nJim Holtman\nData Munger Guru\n\n"
     "What is the problem that you are trying to solve?\n",
     "Can you send a sample of the data?\n\n"),
    # a sign-off with a name under it, and a "-- " line
    ("Which port?\n\nBest regards,\nAnn\nNeed help? Visit our help centre.\n", "Which port?\n\n"),
    ("Which port?\n-- \nAnn Lee, Acme\nHave you tried our new app?\n", "Which port?\n"),
    ("Welcher Port?\n\nViele Grüße\nAnn Lee\n", "Welcher Port?\n\n"),
    # a P.S. under the name is still the customer's
    ("Which port?\n\nThanks,\nAnn\n\nP.S. Can you also send the invoice?\n",
     "Which port?\n\n\nP.S. Can you also send the invoice?\n"),
])
def test_the_message_ends_at_its_signature(message: str, customers: str) -> None:
    assert without_signature(message, AUTHOR) == customers


@pytest.mark.parametrize("message", [
    # "Thanks!" with a question under it, not a name
    "Can you send it?\nThanks!\nAlso, when is the renewal due?\n",
    # a "--" that rules off a config file, with the customer's text going on below
    "In my config I have this one\n--\nconf-dir=/etc/dnsmasq.d\n--\n" + "line\n" * 12
    + "Could you try bind-dynamic?\n",
    # a name that is not the author's: "Tim" is whom the customer asks about
    "Is this fixed?\n\nTim\n",
])
def test_no_signature_where_the_customer_goes_on(message: str) -> None:
    assert without_signature(message, AUTHOR) == message


def test_a_question_in_the_quoted_signature_is_nobodys(scorer: Scorer) -> None:
    quote = ("\n\nOn Mon, Nov 2, 2026 at 9:00 AM, Jim Holtman wrote:\n> Can you send the file?"
             "\n>\n> Jim Holtman\n> Data Munger Guru\n>\n> What is the problem that you are "
             "trying to solve?\n> Tell me what you want to do, not how you want to do it.\n")
    report = scorer.score_text("Here it is." + quote)
    assert [q.text for q in report.questions] == ["Can you send the file?"]
