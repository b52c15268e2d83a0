"""The 550 text a sender sees when the policy refuses a message."""

from __future__ import annotations

from support.reports import a_report
from support.smtp_proxy import HEDGING_BODY, message, real_scorer

from daemon.smtp_proxy.summary import ascii_line, refusal_reply, summary_lines


def test_refusal_names_score_top_findings_and_the_way_out() -> None:
    report = real_scorer().score_message(message(body=HEDGING_BODY))
    lines = summary_lines(report, resend_minutes=30)
    assert lines[0] == (f"trustmail: this email scored {report.score}/100 "
                        f"({report.verdict}) and was not sent.")
    assert lines[1].startswith('1. "As I already explained": ')   # heaviest first
    assert "Try: " in lines[1]
    assert lines[-1] == "To send it anyway, send the same message again within 30 minutes."
    reply = refusal_reply(report, 30).decode("ascii")
    wire = reply.split("\r\n")
    assert all(line.startswith("550-5.7.0 ") for line in wire[:-1])
    assert wire[-1].startswith("550 5.7.0 ")
    assert all(len(line) <= 512 for line in wire)


def test_a_hold_without_override_says_to_revise() -> None:
    report = a_report(20, "hold")
    assert summary_lines(report, None)[-1].startswith("Your organisation's policy holds")


def test_german_text_becomes_readable_ascii() -> None:
    assert ascii_line("Bitte „präzise“ Zusagen – keine Floskeln…") == \
        'Bitte "praezise" Zusagen - keine Floskeln...'
    assert len(ascii_line("x" * 1000)) == 300
