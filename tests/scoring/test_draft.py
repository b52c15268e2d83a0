"""Parsing drafts: quotes, signatures, HTML, charsets, and arbitrary bytes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import Scorer
from scoring.draft import parse_bytes, parse_text

REPLY = (b"From: Ann <ann@vendor.test>\r\nTo: bo@customer.test\r\nSubject: Re: order\r\n"
         b"Date: Tue, 10 Nov 2026 11:05:47 -0500\r\nContent-Type: text/plain; charset=utf-8\r\n"
         b"\r\nHi Bo,\r\n\r\nThe order ships Friday.\r\n\r\nKind regards,\r\nAnn\r\n"
         b"This email may contain confidential information.\r\n\r\n"
         b"On Mon, Nov 2, 2026 at 8:51 AM, Bo <bo@customer.test> wrote:\r\n"
         b"> When does it ship? Maybe Friday?\r\n")


def test_reply_splits_new_text_quote_and_footer(scorer: Scorer) -> None:
    draft = parse_bytes(REPLY, scorer.rulebook.dates)
    assert draft.body == "Hi Bo,\n\nThe order ships Friday."
    assert "Maybe Friday?" in draft.quoted
    assert "confidential" in draft.footer
    assert draft.quote_date is not None and draft.quote_date.day == 2
    # the quote header's date is read with the rule packs' date words, or not at all
    assert parse_bytes(REPLY).quote_date is None


def test_german_attribution_and_outlook_block(scorer: Scorer) -> None:
    german = parse_text("Guten Tag,\n\nerledigt.\n\n"
                        "Am 02.11.2026 um 08:14 schrieb Markus:\n> Wann?", scorer.rulebook.dates)
    assert german.body == "Guten Tag,\n\nerledigt." and german.quote_date is not None
    outlook = parse_text("Done today.\n\nFrom: Bo\nSent: Monday, November 2, 2026 8:51 AM\n"
                         "To: Ann\nSubject: x\n\nWhen?")
    assert outlook.body == "Done today." and "When?" in outlook.quoted


@pytest.mark.parametrize("attribution", [
    "Em 1 de julho de 2015, Ana <ana@example.pt> escreveu:",
    "El 5/12/2015 4:18, \"Timothy White\" <tim@example.org> escribió:",
    "Le 1 juil. 2015 à 10:00, Marie <marie@example.fr> a écrit :",
    "Il 08/02/2012 12:42, Andre Harty ha scritto:",
    "Op 1 jul. 2015, om 10:00 heeft Jan <jan@example.nl> het volgende geschreven:",
    "sâmbătă, 18 februarie 2017, 23:28:51 UTC+2, Andrei Burdea a scris:",
    "20 Ocak 2016 Çarşamba 15:54:23 UTC+2 tarihinde Ali Sen şunu yazdı:",
    "2015-07-01 16:57 GMT+02:00 Ann Lee <ann@example.org>:",   # Gmail in other locales
    "Op vr 4 dec 2026 om 10:15 schreef Ann Lee <ann@example.nl>:",   # Dutch Gmail
    # the name first, the date after (Gmail's and K-9's apps, Lotus Notes)
    "Ann Lee <ann@example.com> schrieb am Fr., 4. Dez. 2026, 10:15:",
    "Ann Lee/ACME wrote on 04.12.2026 10:15:00:",
])
def test_the_wrote_line_in_the_languages_of_mail_clients(attribution: str) -> None:
    draft = parse_text(f"Thanks, that works.\n\n{attribution}\n> Does it work?")
    assert draft.body == "Thanks, that works." and draft.quoted == "Does it work?"


def test_an_original_written_out_below_its_header_line_is_the_quote() -> None:
    # Yahoo writes the customer's message below "On ... wrote:" without a ">"
    draft = parse_text("Port 1723.\n\nOn Friday, December 4, 2026, 10:15:00 AM GMT+1, Ann "
                       "Lee <ann@example.com> wrote:\n\nWhich port does the VPN use?\n")
    assert draft.body == "Port 1723." and draft.quoted.strip() == "Which port does the VPN use?"


def test_an_mbox_escaped_from_line_is_no_quote() -> None:
    # an mbox archive writes the sender's "From what you are saying" as ">>From ..."
    text = ("I'm on version 3.7.6.\n\n>>From what you are saying, there is a newer one.\n"
            "How can I update?\n\nTeddy\n\nFrom: Tim White [mailto:tim@example.org]\n"
            "Sent: November-12-12 6:17 PM\nTo: Teddy\nSubject: Re: limits\n\n"
            "What version are you using?\n")
    draft = parse_text(text)
    assert "How can I update?" in draft.body and "What version are you using?" in draft.quoted


def test_a_sentence_that_says_wrote_on_is_new_text() -> None:
    text = "As I wrote on Monday, the plan is:\n- we ship the fix on Friday"
    draft = parse_text(f"Hi Bo,\n\n{text}\n\nAnn")
    assert text in draft.body and draft.quoted == ""


@pytest.mark.parametrize("block", [
    "-----Mensaje original-----\nDe: Juan\nEnviado: lunes, 2 de noviembre de 2026 8:51\n"
    "Para: Ann\nAsunto: x\n\n",
    "De : Alexandre\nEnvoyé : vendredi 4 novembre 2011 23:18\nÀ : Ann\nObjet : x\n\n",
    "De: Juan <juan@example.es>\nEnviado el: viernes, 4 de diciembre de 2026 10:15\n"
    "Para: Ann\nAsunto: x\n\n",
    "Van: Paul\nVerzonden: maandag 6 januari 2014 16:33\nAan: Ann\nOnderwerp: x\n\n",
    "----- Messaggio originale -----\nDa: Antonio\nInviato: Martedì, 6 marzo 2012 10:02\n\n",
])
def test_an_outlook_block_in_other_languages_starts_the_quote(block: str) -> None:
    draft = parse_text("Done today.\n\n" + block + "When can you ship?")
    assert draft.body == "Done today." and "When can you ship?" in draft.quoted


def test_an_html_document_labelled_plain_text_is_read_as_html() -> None:
    raw = (b"From: a@x.test\r\nSubject: s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           b"<html><body><div>Try another network card.</div>"
           b"<blockquote>Is the card failing?</blockquote></body></html>")
    draft = parse_bytes(raw)
    assert draft.body == "Try another network card." and draft.quoted.strip() == (
        "Is the card failing?")


def test_html_only_mail_with_blockquote_and_fine_print() -> None:
    html = ("<p>Hi Bo,</p><p>Your first month is free.</p><p>Best regards,<br>Ann</p>"
            "<p style='font-size:9px;color:#aaaaaa'>Renews at $99/month.</p>"
            "<div>On Mon, Nov 2, 2026 at 8:51 AM, Bo wrote:</div>"
            "<blockquote>Is it free?</blockquote>")
    raw = ("From: a@x.test\r\nSubject: s\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
           + html).encode()
    draft = parse_bytes(raw)
    assert draft.is_html
    assert "first month is free" in draft.body and "Renews" not in draft.body
    assert "Renews at $99/month." in draft.footer
    assert "Is it free?" in draft.quoted


def test_unknown_charset_falls_back() -> None:
    raw = (b"From: a@x.test\r\nSubject: s\r\nContent-Type: text/plain; charset=x-unknown\r\n\r\n"
           b"Caf\xe9 opens Monday.\r\n")
    draft = parse_bytes(raw)
    assert draft.error is None and "opens Monday" in draft.body


def test_plain_text_without_headers_is_a_draft() -> None:
    assert parse_bytes(b"I will send it by Friday.").body == "I will send it by Friday."


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    draft = parse_bytes(raw)
    assert isinstance(draft.body, str)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_messages_never_raise(text: str) -> None:
    raw = ("From: a@x.test\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\n"
           "Content-Type: text/html; charset=utf-8\r\n\r\n" + text + "\r\n--b--").encode(
               "utf-8", "surrogatepass")
    parse_bytes(raw)


def test_postscript_without_sign_off_is_footer() -> None:
    draft = parse_text("Hi Bo,\n\nThe plan is $49 per month.\n\nP.S. 12-month minimum, "
                       "renews automatically.")
    assert draft.body == "Hi Bo,\n\nThe plan is $49 per month."
    assert "12-month minimum" in draft.footer


def test_a_mailing_lists_footer_and_its_advertisement_are_footer() -> None:
    draft = parse_text(
        "Looks like a DNS error; check the resolver.\n\nTim\n"
        "-----------------------------------------------------------------------------\n"
        "Try the new cloud backup free for 30 days! $9.99 per month after.\n"
        "http://p.sf.net/sfu/backup-offer\n"
        "_______________________________________________\n"
        "Grase-users mailing list\nhttps://lists.sourceforge.net/lists/listinfo/grase-users\n")
    assert draft.body == "Looks like a DNS error; check the resolver.\n\nTim"
    assert "free for 30 days" in draft.footer


def test_a_rule_of_dashes_without_a_list_footer_stays_text() -> None:
    draft = parse_text("Figures:\n----------------------\nQ1 12\nQ2 14\n")
    assert "Q2 14" in draft.body
