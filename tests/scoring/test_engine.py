"""Scoring end to end on small drafts written for these tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from scoring import Scorer

CET = timezone(timedelta(hours=1))
NOW = datetime(2026, 11, 9, 9, 30, tzinfo=CET)   # a Monday


def rules_of(report) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.rule for f in report.findings}


def test_clean_draft_passes(scorer: Scorer) -> None:
    report = scorer.score_text("Hi Mia,\n\nI will send the signed contract by Friday, "
                               "November 13, 3 pm.\n\nBest regards,\nTom", now=NOW)
    assert report.verdict == "pass" and report.score == 100 and report.findings == []
    [promise] = report.promises
    assert promise.owner == "sender" and not promise.hedged
    assert promise.due == datetime(2026, 11, 13, 15, 0, tzinfo=CET)


UPSET_QUOTE = ("\n\nOn Mon, Nov 9, 2026 at 8:00 AM, Bo wrote:\n"
               "> This is the second time the order is late.")


def test_spans_point_into_the_new_text(coach: Scorer) -> None:
    report = coach.score_text("Honestly, it will probably ship Friday." + UPSET_QUOTE, now=NOW)
    for finding in report.findings:
        assert report.body[finding.start:finding.end] == finding.match
    # "it will probably ship": a hedged commitment (promises), not a hedged fact
    assert {"en.honesty.candour-marker", "en.promises.hedged-commitment"} <= rules_of(report)


def test_guards_excuse_polite_formulas_months_and_negation(scorer: Scorer) -> None:
    text = ("Should you have any questions, call me. We signed on May 5. "
            "It is not likely to happen again.")
    assert scorer.score_text(text, now=NOW).findings == []


def test_quoted_customer_text_is_not_judged(scorer: Scorer) -> None:
    text = "The part ships Friday.\n\nOn Mon, Nov 9, 2026 at 8:00 AM, Bo wrote:\n> maybe?"
    report = scorer.score_text(text, now=NOW)
    assert not [f for f in report.findings if f.dimension == "honesty"]


def test_vague_and_hedged_promises(coach: Scorer) -> None:
    draft = "I'll try to get the paperwork over to you soon."
    report = coach.score_text(draft + UPSET_QUOTE, now=NOW)
    # one finding for the sentence: the rules of the "undated" group are one
    assert {"en.promises.follow-up-without-date", "en.promises.hedged-commitment"} <= rules_of(
        report)
    assert report.promises[0].hedged and report.promises[0].due is None
    # a hedged commitment nobody waits on is no warning
    assert "en.promises.hedged-commitment" not in rules_of(coach.score_text(draft, now=NOW))


def test_business_day_deadline(scorer: Scorer) -> None:
    report = scorer.score_text("We will issue payment within 5 business days.", now=NOW)
    assert report.promises[0].due is not None
    assert report.promises[0].due.date().isoformat() == "2026-11-16"


def test_slow_reply_and_unanswered_question(scorer: Scorer) -> None:
    text = ("Hi Bo,\n\nThe premium plan costs $40 per month.\n\n"
            "On Mon, Nov 2, 2026 at 8:51 AM, Bo wrote:\n"
            "> How much does the premium plan cost per month? "
            "Will you refund the setup fee?")
    report = scorer.score_text(text, now=datetime(2026, 11, 10, 11, 0, tzinfo=CET))
    assert {"en.responsiveness.slow-reply",
            "en.responsiveness.unanswered-question"} <= rules_of(report)
    assert [q.answered for q in report.questions] == [True, False]
    skipped = next(f for f in report.findings if f.rule.endswith("unanswered-question"))
    assert "asks you directly" in skipped.message
    assert report.dimensions["responsiveness"].verdict != "pass"


def test_a_question_the_reply_shares_no_words_with_is_only_listed(scorer: Scorer) -> None:
    # answered in other words more often than ignored: the report lists it, no finding
    # (unmatched-question reports it when an admin switches it on)
    text = ("Hi Bo,\n\nThe premium plan costs $40 per month.\n\n"
            "On Mon, Nov 2, 2026 at 8:51 AM, Bo wrote:\n"
            "> How much does the premium plan cost per month? "
            "Does it include weekend phone support?")
    report = scorer.score_text(text, now=datetime(2026, 11, 10, 11, 0, tzinfo=CET))
    assert [q.answered for q in report.questions] == [True, False]
    assert "en.responsiveness.unanswered-question" not in rules_of(report)


def test_a_numbered_reply_that_skips_an_item(scorer: Scorer) -> None:
    text = ("Hi Henry,\n\n1. Yes, each location gets its own dashboard.\n\n"
            "3. The updated DPA is with our legal team.\n\n"
            "On Tue, Nov 17, 2026 at 9:40 AM, Henry wrote:\n"
            "> 1. Can each location get its own dashboard?\n"
            "> 2. What is the API rate limit on our plan?\n"
            "> 3. Can you send the updated DPA?\n")
    report = scorer.score_text(text, now=datetime(2026, 11, 17, 11, 0, tzinfo=CET))
    assert [(q.item, q.skipped) for q in report.questions] == [(1, False), (2, True),
                                                                (3, False)]
    [finding] = [f for f in report.findings if f.rule.endswith("unanswered-question")]
    assert "rate limit" in finding.message and "answers item 1, 3, but not 2" in finding.message


def test_a_reply_that_answers_no_question_in_its_words_is_not_charged(scorer: Scorer) -> None:
    # "Looks like a DNS error" answers both, in other words: listed, not reported
    text = ("Hi Bo,\n\nLooks like a DNS error; check the resolver.\n\n"
            "On Mon, Nov 9, 2026 at 8:51 AM, Bo wrote:\n"
            "> What could be the problem? What's the fix?")
    report = scorer.score_text(text, now=datetime(2026, 11, 10, 11, 0, tzinfo=CET))
    assert [q.answered for q in report.questions] == [False, False]
    assert "en.responsiveness.unanswered-question" not in rules_of(report)


def test_a_reply_that_owns_the_wait_is_still_slow_but_loses_half(scorer: Scorer) -> None:
    quote = "\n\nOn Mon, Nov 2, 2026 at 8:51 AM, Bo wrote:\n> How much is the premium plan?"
    now = datetime(2026, 11, 10, 11, 0, tzinfo=CET)
    plain = scorer.score_text("Hi Bo,\n\nThe premium plan costs $40." + quote, now=now)
    owned = scorer.score_text("Hi Bo,\n\nSorry for the late reply. The premium plan costs $40."
                              + quote, now=now)
    [late] = [f for f in plain.findings if f.rule == "en.responsiveness.slow-reply"]
    [late_owned] = [f for f in owned.findings if f.rule == "en.responsiveness.slow-reply"]
    assert late_owned.penalty == late.penalty / 2
    assert "You acknowledge the wait" in late_owned.message


def test_german_is_detected_and_scored(scorer: Scorer) -> None:
    report = scorer.score_text("Guten Tag Herr Kern,\n\nwir melden uns bald bei Ihnen.\n\n"
                               "Mit freundlichen Grüßen\nLena", now=NOW)
    assert report.language == "de"
    assert "de.promises.vague-commitment" in rules_of(report)


def test_disclosure_terms_only_in_footer(coach: Scorer) -> None:
    text = ("Hi Bo,\n\nInvestment: $3,000 per month.\n\nBest,\nAnn\n\n"
            "P.S. 12-month minimum, auto-renews, $1,500 onboarding fee.")
    [finding] = [f for f in coach.score_text(text, now=NOW).findings
                 if f.rule == "en.disclosure.price-without-terms"]
    assert "below the signature" in finding.message


def test_report_json_schema(coach: Scorer) -> None:
    data = coach.score_text("It might ship soon, I think.", now=NOW).to_dict()
    assert set(data["dimensions"]) == {"honesty", "disclosure", "responsiveness",
                                       "promises", "tone"}
    for key in ("score", "verdict", "language", "findings", "promises", "questions",
                "readability", "body"):
        assert key in data
    finding = data["findings"][0]
    assert set(finding) >= {"rule", "dimension", "start", "end", "match", "message",
                            "suggestion", "penalty"}


def test_broken_message_gives_error_report(scorer: Scorer) -> None:
    raw = b"From: a@x.test\r\nContent-Type: image/png\r\n\r\n\x89PNG"
    report = scorer.score_message(raw)
    assert report.error and "no text" in report.error


def test_huge_body_is_judged_on_its_first_part(coach: Scorer) -> None:
    sentence = b"We might ship it soon, I think. "
    raw = b"From: a@x.test\r\nSubject: big\r\n\r\n" + sentence * 1_000_000   # 32 MB
    report = coach.score_message(raw)
    assert report.meta["truncated_at"] <= 50_000
    per_rule: dict[str, int] = {}
    for finding in report.findings:
        per_rule[finding.rule] = per_rule.get(finding.rule, 0) + 1
    assert max(per_rule.values()) <= 20


def test_a_sender_who_asks_for_help_himself_owes_no_answer(scorer: Scorer) -> None:
    quote = ("\n\nOn Mon, Nov 2, 2026 at 8:51 AM, Bo wrote:\n"
             "> How much is the premium plan? Can you send the invoice?")
    now = datetime(2026, 11, 10, 11, 0, tzinfo=CET)
    owed = scorer.score_text("Hi Bo,\n\nThe premium plan is $40." + quote, now=now)
    asker = scorer.score_text("Hi Bo,\n\nI have the same problem. Any ideas?" + quote, now=now)
    assert "en.responsiveness.slow-reply" in rules_of(owed)
    assert not {"en.responsiveness.slow-reply",
                "en.responsiveness.unanswered-question"} & rules_of(asker)


def test_a_quote_with_the_day_only_gives_no_wait_in_hours(scorer: Scorer) -> None:
    # "On Thu, 2 Jul 2015, Bert wrote:" says nothing of the hour: no `waited`, and the
    # business-day count of slow-reply still works from the day
    text = ("Hi Bert,\n\nHere are the figures.\n\n"
            "On Mon, 2 Nov 2026, Bert wrote:\n> Can you send the figures?")
    report = scorer.score_text(text, now=datetime(2026, 11, 12, 10, 0, tzinfo=CET))
    assert report.meta["quote_date"] and "waited" not in report.meta
    assert "en.responsiveness.slow-reply" in rules_of(report)
    timed = scorer.score_text(text.replace("2 Nov 2026,", "2 Nov 2026 at 9:00 AM,"),
                              now=datetime(2026, 11, 12, 10, 0, tzinfo=CET))
    assert timed.meta["waited"]["business_days"] == 8


OUTLOOK_REPLY = (b"From: Ann Lee <ann@example.org>\nTo: bert@example.com\n"
                 b"Date: Fri, 13 Nov 2026 00:48:25 +0000\nSubject: Re: figures\n\n"
                 b"Here are the figures.\n\n-----Original Message-----\n"
                 b"From: Bert <bert@example.com>\nSent: Thursday, November 12, 2026 4:13 PM\n"
                 b"Subject: figures\n\nCan you send the figures?\n")


def test_a_reply_stamped_in_utc_does_not_tell_the_quote_headers_zone(scorer: Scorer) -> None:
    # Exchange and web mail stamp Date in UTC; Outlook's "Sent:" is the writer's local
    # time, anywhere from UTC-12 to UTC+14: the wait is not known to the hour
    assert "waited" not in scorer.score_message(OUTLOOK_REPLY).meta
    local = OUTLOOK_REPLY.replace(b"Fri, 13 Nov 2026 00:48:25 +0000",
                                  b"Thu, 12 Nov 2026 17:48:25 -0700")
    assert scorer.score_message(local).meta["waited"]["wall_hours"] == 1.6
    named = OUTLOOK_REPLY.replace(b"4:13 PM", b"4:13 PM PST")
    assert scorer.score_message(named).meta["waited"]["wall_hours"] == 0.6
