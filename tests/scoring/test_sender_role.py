"""Whose message a reply quotes: the sender's own is nobody's wait; a list question
waits on the member it names."""

from __future__ import annotations

import pytest

from daemon.config.load import load_config
from scoring import Scorer
from scoring.sender_role import (
    names_sender,
    quoted_author,
    quotes_own_message,
    replies_to_author,
)

SCORER = Scorer(load_config().scoring)


@pytest.mark.parametrize(("attribution", "address", "name", "own"), [
    ("On Mon, Nov 2, 2026 at 9:00 AM, Sam Jones <sam@example.com> wrote:",
     "sam@example.com", "", True),
    ("On 03/08/2015 10:05, sam at example.com wrote:", "sam@example.com", "", True),
    ("On Mon, Nov 2, 2026, Sam Jones wrote:", "s.jones@example.com", "Sam Jones", True),
    ("On Mon, Nov 2, 2026, Sam Jones wrote:", "ann@example.com", "Ann Lee", False),
    # a name inside another word is not the name
    ("On Mon, Nov 2, 2026, Samantha Lee wrote:", "sam@example.org", "Sam", False),
    ("", "sam@example.com", "Sam Jones", False),
])
def test_quotes_own_message(attribution: str, address: str, name: str, own: bool) -> None:
    assert quotes_own_message(attribution, address, name) is own


def test_outlook_header_block_names_the_author() -> None:
    quoted = "From: Sam Jones <sam@example.com>\nSent: Monday, November 2, 2026 9:00\n\nHi"
    assert "sam@example.com" in quoted_author("Sent: Monday, November 2, 2026 9:00", quoted)
    assert quoted_author("On Mon, Sam wrote:", "Hi Ann,\nFrom: me") == "On Mon, Sam wrote:"


FOLLOW_UP = (b"From: Sam Jones <sam@example.com>\nTo: support@example.org\n"
             b"Date: Thu, 12 Nov 2026 10:00:00 +0100\nSubject: Re: export\n"
             b"In-Reply-To: <1@example.com>\n\nAny news on this? I am still stuck.\n\n"
             b"On Mon, Nov 2, 2026 at 9:00 AM, Sam Jones <sam@example.com> wrote:\n"
             b"> Can you send the export? Why does it fail again? This is unacceptable.\n")


def test_a_follow_up_on_ones_own_message_waits_for_nobody() -> None:
    report = SCORER.score_message(FOLLOW_UP)
    assert report.questions == []
    assert not {f.rule for f in report.findings} & {
        "en.responsiveness.slow-reply", "en.responsiveness.unanswered-question",
        "en.tone.upset-without-apology"}


def test_the_same_reply_to_someone_else_is_late() -> None:
    report = SCORER.score_message(FOLLOW_UP.replace(b"From: Sam Jones <sam@example.com>",
                                                    b"From: Ann Lee <ann@example.org>"))
    assert "en.responsiveness.slow-reply" in {f.rule for f in report.findings}


@pytest.mark.parametrize(("message", "name", "address", "named"), [
    ("Hi Tim, the login page hangs.", "Timothy White", "tw@example.org", True),  # short form
    ("hello all, any ideas? Thanks Tim!", "Timothy White", "tw@example.org", True),
    ("Hi all, the login page hangs.", "Timothy White", "tw@example.org", False),
    ("Hi, Karotu here.", "", "karotu@example.org", True),     # the address's name
    ("Hi Ti, short.", "Timothy White", "tw@example.org", False),  # under three letters
])
def test_names_sender(message: str, name: str, address: str, named: bool) -> None:
    assert names_sender(message, name, address) is named


def test_replies_to_author_by_address_or_by_name() -> None:
    assert replies_to_author("On Mon, Carla <carla@customer.example> wrote:",
                             ["carla@customer.example"], [])
    assert replies_to_author("On Mon, Carla Jones wrote:", ["cj@customer.example"],
                             ["Carla Jones"])
    assert not replies_to_author("On Mon, Carla <carla@customer.example> wrote:",
                                 ["r-help@r-project.org"], [])


LIST_REPLY = FOLLOW_UP.replace(b"From: Sam Jones <sam@example.com>",
                               b"From: Ann Lee <ann@example.org>").replace(
    b"To: support@example.org", b"To: r-help at r-project.org")


def test_a_list_members_late_answer_is_not_their_wait_nor_their_apology() -> None:
    rules = {f.rule for f in SCORER.score_message(LIST_REPLY).findings}
    assert not rules & {"en.responsiveness.slow-reply", "en.tone.upset-without-apology"}


def test_a_list_question_that_names_the_sender_waits_on_them() -> None:
    named = LIST_REPLY.replace(b"> Can you send", b"> Hi Ann, can you send")
    rules = {f.rule for f in SCORER.score_message(named).findings}
    assert {"en.responsiveness.slow-reply", "en.tone.upset-without-apology"} <= rules


@pytest.mark.parametrize("maintainer_wrote", [
    b"> Can you please reboot, then run those 3 commands again please?",
    b"> Happy to make it configurable: just open a bug report on GitHub?",
    b"> Can you post the output? Feel free to poke me about it in July.",
])
def test_a_reply_to_the_reader_who_serves_the_sender_is_nobodys_wait(
        maintainer_wrote: bytes) -> None:
    """The quoted message asks the sender for diagnostics or a bug report: the reader
    maintains what the sender uses, so the sender's late answer keeps nobody waiting."""
    late = FOLLOW_UP.replace(b"From: Sam Jones <sam@example.com>",
                             b"From: Ann Lee <ann@example.org>").replace(
        b"> Can you send the export? Why does it fail again? This is unacceptable.",
        maintainer_wrote)
    assert "en.responsiveness.slow-reply" not in {
        f.rule for f in SCORER.score_message(late).findings}
