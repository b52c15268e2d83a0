"""The customer's questions and whether the reply answers them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scoring import Scorer
from scoring.questions import OPEN_BECAUSE

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


def quoted(text: str) -> str:
    return "\n\nOn Mon, Nov 2, 2026 at 9:00 AM, Bo wrote:\n> " + text + "\n"


def test_a_plea_for_help_is_answered_by_a_reply_with_substance(scorer: Scorer) -> None:
    reply = ("The warnings come from the optimiser trying negative values; bound the "
             "parameters with lower = 0 and they go away.")
    report = scorer.score_text(reply + quoted("The fit prints warnings. Any ideas?"))
    assert [(q.text, q.answered) for q in report.questions] == [("Any ideas?", True)]
    short = scorer.score_text("Thanks." + quoted("Can anyone help with the export?"))
    assert [q.answered for q in short.questions] == [False]


def test_a_lost_character_is_not_a_question(scorer: Scorer) -> None:
    report = scorer.score_text("Here is the file." + quoted("Best regards, ?"))
    assert report.questions == []


def test_console_output_and_lost_quotation_marks_are_no_questions(scorer: Scorer) -> None:
    quote = quoted("ERROR: configuration failed for package ?XML?\n> removing "
                   "?/usr/lib64/R/library/XML?\n> I am a PhD student at Universit?")
    assert scorer.score_text("Install curl first." + quote).questions == []


def test_quotation_marks_the_charset_lost_are_no_question_marks(scorer: Scorer) -> None:
    # the error message's lost quotes close on "it?": there is no question in it ...
    lost = quoted("R responds: ?package ?SASxport? was built before R 3.0.0:\n> please "
                  "re-install it?\n>\n> Is there some way that I can use the package?")
    report = scorer.score_text("Install it from the archive." + lost)
    assert [q.text for q in report.questions] == [
        "Is there some way that I can use the package?"]
    # ... and a question that quotes a word is one, where it was lost before
    report = scorer.score_text("Thanks." + quoted("Any idea why dplyr reads them as ?factors??"))
    assert [q.text for q in report.questions] == ["Any idea why dplyr reads them as ‘factors’?"]


def test_i_am_wondering_asks(scorer: Scorer) -> None:
    quote = quoted("I am wondering that since I upgraded to Windows 10 is it possible that "
                   "I need a separate user?")
    assert len(scorer.score_text("Thanks." + quote).questions) == 1


@pytest.mark.parametrize("question", [
    "is this the same for you ?",                 # a space before the mark
    "It still looks weird. Any ideas??",          # two marks
    "Ubuntu or Debian?",                          # elliptical: no question word
    "Same SSID on each access point, and separate each on a different channel?",
])
def test_questions_as_real_mail_writes_them(scorer: Scorer, question: str) -> None:
    report = scorer.score_text("Thanks." + quoted(question))
    assert [q.text for q in report.questions] == [question.split(". ")[-1]]


@pytest.mark.parametrize(("line", "question"), [
    ("1)Where can I find the logs?", "Where can I find the logs?"),     # a list's marker
    ("2.- Why is there a + after the bracket?", "Why is there a + after the bracket?"),
    ("* Are you uploading these to Transifex?", "Are you uploading these to Transifex?"),
    ("32bit or 64bit?", "32bit or 64bit?"),                             # digits of a word
    ("24 hours later, can you run those commands again?",
     "24 hours later, can you run those commands again?"),
])
def test_a_list_marker_is_no_part_of_the_question(scorer: Scorer, line: str,
                                                  question: str) -> None:
    report = scorer.score_text("Thanks." + quoted(line))
    assert [q.text for q in report.questions] == [question]


def test_a_row_of_numbers_asks_nothing(scorer: Scorer) -> None:
    assert scorer.score_text("Thanks." + quoted("32000 100000 192000?")).questions == []


def test_a_rhetorical_why_not_asks_nothing(scorer: Scorer) -> None:
    quote = quoted("Why not just sample without replacement?")
    assert scorer.score_text("The loop is fast enough." + quote).questions == []


def test_an_answer_right_below_the_quoted_question_answers_it(scorer: Scorer) -> None:
    text = ("Hi Bo,\n\nOn Mon, Nov 2, 2026 at 9:00 AM, Bo wrote:\n"
            "> Which port does the VPN use?\n\nThe standard one, 1723.\n\n"
            "> And does it need a static address?\n\nIt does not matter.\n")
    report = scorer.score_text(text)
    assert [(q.text, q.answered) for q in report.questions] == [
        ("Which port does the VPN use?", True), ("And does it need a static address?", True)]


def test_an_opening_yes_or_no_answers_the_first_yes_no_question(scorer: Scorer) -> None:
    quote = quoted("Does the fix work on Ubuntu 14.04? Should I reinstall the package?")
    report = scorer.score_text("Hi Bo,\n\nYes, since March." + quote)
    assert [q.answered for q in report.questions] == [True, False]
    # "No idea" is no answer
    report = scorer.score_text("Hi Bo,\n\nNo idea, sorry." + quote)
    assert [q.answered for q in report.questions] == [False, False]


def test_an_older_message_under_a_foreign_header_block_is_not_the_customers(
        scorer: Scorer) -> None:
    # the customer's latest message ends where Outlook quoted an older one ("Van:" ...)
    quote = quoted("Which port does it use?\n>\n> Van: Ann\n> Verzonden: maandag 6 januari "
                   "2014 16:33\n> Onderwerp: vpn\n>\n> Do you have two network cards?")
    report = scorer.score_text("Port 1723." + quote)
    assert [q.text for q in report.questions] == ["Which port does it use?"]


@pytest.mark.parametrize(("question", "asks"), [
    ("P.S. How is your child? You became a father some months ago, right?", False),
    ("How are you?", False),
    ("How was your weekend?", False),
    ("Wie geht es Ihnen?", False),
    # the same words about the customer's matter still ask
    ("How are you handling the migration?", True),
    ("Can your family plan include my son?", True),
    ("Is your holiday schedule posted?", True),
])
def test_a_pleasantry_about_the_readers_life_asks_nothing(scorer: Scorer, question: str,
                                                          asks: bool) -> None:
    report = scorer.score_text("Thanks." + quoted(question))
    assert bool(report.questions) is asks


def test_an_alternative_is_answered_with_the_question_before_it(scorer: Scorer) -> None:
    quote = quoted("Do you mean I should add a line with fixef(mod)? Or should I replace "
                   "something?")
    report = scorer.score_text("Yes, add a line with fixef(mod) instead." + quote)
    assert [q.answered for q in report.questions] == [True, True]


NUMBERED = quoted("1. Can you send the invoice?\n> 2. Does the price include VAT?\n"
                  "> 3. When does the contract start?")


def test_a_reply_numbered_like_the_customer_skips_the_number_it_leaves_out(
        scorer: Scorer) -> None:
    reply = "1. Yes, attached.\n3. On 1 December.\n"
    [skipped] = [q for q in scorer.score_text(reply + NUMBERED).questions if q.skipped]
    assert (skipped.item, skipped.text) == (2, "Does the price include VAT?")


def test_a_reply_numbering_its_own_points_skips_nothing(scorer: Scorer) -> None:
    quote = quoted("2. I am simulating a model.\n> 3. Does LMER only accept factors?")
    reply = "You need to:\n\n1) Re-read ?seq.\n2) Note the dimensions.\n"
    assert not any(q.skipped for q in scorer.score_text(reply + quote).questions)


STEPS = ("Open Admin, then Network Settings, and set the LAN network mask to 255.255.0.0; "
         "the hotspot hands out the new range after a restart.")


@pytest.mark.parametrize("question", [
    "How can I do it manually?", "Is there an easier way?", "What am I doing wrong here?",
    "Why does the reset happen at midnight?", "Is it possible to keep a year of logs?",
    "Wie kann ich das manuell einstellen?",
])
def test_a_how_or_why_question_is_answered_by_the_help_in_other_words(
        scorer: Scorer, question: str) -> None:
    report = scorer.score_text("Hi Bo,\n\n" + STEPS + quoted(question))
    assert [(q.answered, q.how) for q in report.questions] == [(True, "help")]


def test_thanks_alone_is_no_help(scorer: Scorer) -> None:
    report = scorer.score_text("Thanks a lot, Bo, for taking the time to reply to me so "
                               "quickly and in such detail!" + quoted("How can I do it manually?"))
    assert [(q.answered, q.how) for q in report.questions] == [(False, "no-answer-found")]


def test_help_about_something_else_leaves_a_money_question_open(scorer: Scorer) -> None:
    report = scorer.score_text("Hi Bo,\n\n" + STEPS + quoted("Is it possible to get a refund "
                                                              "for the outage?"))
    assert [(q.answered, q.how) for q in report.questions] == [(False, "no-answer-found")]


def test_a_reply_between_the_lines_answers_only_what_stands_above_its_answers(
        scorer: Scorer) -> None:
    text = ("Hi Bo,\n\nOn Mon, Nov 2, 2026 at 9:00 AM, Bo wrote:\n"
            "> Does the nightly export include archived tickets?\n\nYes, since version 4.2.\n\n"
            "> Why is the export so slow on Mondays?\n> Thanks, Bo\n\n"
            "Best,\nAnna\n")
    report = scorer.score_text(text)
    assert [(q.answered, q.how) for q in report.questions] == [
        (True, "below"), (False, "no-answer-found")]


def test_each_question_says_how_it_counts_as_answered(scorer: Scorer) -> None:
    report = scorer.score_text("Hi Bo,\n\nThe certificate goes out soon." + QUOTE)
    assert [q.how for q in report.questions] == ["timing", "no-answer-found"]
    assert report.to_dict()["questions"][0] == {
        "text": "When can you send the certificate?", "answered": True, "how": "timing",
        "owed": True}


def test_the_addon_knows_every_reason_a_question_counts_as_open() -> None:
    """The add-on words each reason (addon/lib/review_model.js OPEN_BECAUSE, _locales)."""
    model = (Path(__file__).parents[2] / "addon/lib/review_model.js").read_text("utf-8")
    listed = re.search(r"OPEN_BECAUSE = \[(.*?)\]", model)
    assert listed is not None
    assert tuple(re.findall(r'"([\w-]+)"', listed.group(1))) == OPEN_BECAUSE


def test_questions_the_customer_asks_someone_else_are_not_owed(scorer: Scorer) -> None:
    raw = ("From: Anna Berg <anna@example.com>\nTo: list@example.org\nSubject: Re: panel\n\n"
           "Looks good to me too.\n\nOn Mon, Nov 2, 2026 at 9:00 AM, Bo wrote:\n"
           "> Hi Kleis,\n> Is the current state of your code available to try out?\n")
    report = scorer.score_message(raw.encode())
    assert [(q.answered, q.owed) for q in report.questions] == [(False, False)]
    to_anna = raw.replace("> Hi Kleis,", "> Hi Anna,")
    assert [q.owed for q in scorer.score_message(to_anna.encode()).questions] == [True]


def test_a_question_back_shares_words_but_answers_nothing(scorer: Scorer) -> None:
    report = scorer.score_text("Hi Bo,\n\nDid you upgrade any system packages last week?"
                               + quoted("Should I upgrade or reinstall the software?"))
    assert [(q.answered, q.how) for q in report.questions] == [(False, "no-answer-found")]


@pytest.mark.parametrize(("reply", "guess"), [
    ("Thanks for the logs.", "I am guessing that without NAT every user would get a unique IP?"),
    ("Thanks for the logs.", "I assume the limit resets at the end of the month?"),
    ("Danke für die Protokolle, ich sehe sie mir heute an.",
     "Ich nehme an, dass das Limit für jeden Monat neu gilt?"),
])
def test_a_guess_put_up_for_confirmation_is_a_question(scorer: Scorer, reply: str,
                                                       guess: str) -> None:
    report = scorer.score_text("Hallo Bo,\n\n" + reply + quoted(guess))
    assert [q.text for q in report.questions] == [guess]


def test_a_short_question_is_read_with_the_sentence_it_points_back_to(scorer: Scorer) -> None:
    report = scorer.score_text("Hi Bo,\n\nRight: dnsmasq serves DNS only, and Coova Chilli hands "
                               "out the addresses." + quoted("So dnsmasq only serves DNS here. "
                                                            "Is that correct?"))
    assert [(q.text, q.how) for q in report.questions] == [("Is that correct?", "shared-words")]
