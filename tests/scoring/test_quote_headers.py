"""The quote headers real mail clients write give the wait, in every client language.

A reply written at 15:00 to a message sent at 10:15 the same day, with the header its
client writes above the quote: each must report that the customer waited since 10:15
(Gmail, Apple Mail, Thunderbird, Outlook and Outlook on the web, Yahoo, Lotus Notes,
K-9 and Roundcube; English, German, French, Spanish, Portuguese, Italian, Dutch). The
same in HTML-only replies, where each client nests the quote its own way (a blockquote,
a cite div, a rule above Outlook's header block, Yahoo's plain divs), and the customer's
questions are found in it.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from scoring import Scorer

SENT = datetime(2026, 12, 4, 10, 15, tzinfo=timezone(timedelta(hours=1)))
HEADERS = {   # client: the lines above the quote
    "gmail en": "On Fri, Dec 4, 2026 at 10:15 AM Ann Lee <ann@example.com> wrote:",
    "gmail en 24h": "On Fri, 4 Dec 2026 at 10:15, Ann Lee <ann@example.com> wrote:",
    "gmail de": "Am Fr., 4. Dez. 2026 um 10:15 Uhr schrieb Ann Lee <ann@example.com>:",
    "gmail fr": "Le ven. 4 déc. 2026 à 10:15, Ann Lee <ann@example.com> a écrit :",
    "gmail es": "El vie, 4 dic 2026 a las 10:15, Ann Lee (<ann@example.com>) escribió:",
    "gmail pt": "Em sex., 4 de dez. de 2026 às 10:15, Ann Lee <ann@example.com> escreveu:",
    "gmail it": "Il giorno ven 4 dic 2026 alle ore 10:15 Ann Lee <ann@example.com> ha scritto:",
    "gmail nl": "Op vr 4 dec 2026 om 10:15 schreef Ann Lee <ann@example.com>:",
    "apple en": "On 4 Dec 2026, at 10:15, Ann Lee <ann@example.com> wrote:",
    "apple en us": "On Dec 4, 2026, at 10:15 AM, Ann Lee <ann@example.com> wrote:",
    "apple de": "Am 04.12.2026 um 10:15 schrieb Ann Lee <ann@example.com>:",
    "tb en": "On 04/12/2026 10:15, Ann Lee wrote:",
    "tb en us": "On 12/4/26 10:15 AM, Ann Lee wrote:",
    "tb de": "Am 04.12.26 um 10:15 schrieb Ann Lee:",
    "tb iso": "On 2026-12-04 10:15, Ann Lee wrote:",
    "yahoo": "On Friday, December 4, 2026, 10:15:00 AM GMT+1, Ann Lee <ann@example.com> wrote:",
    "outlook en":
        "From: Ann Lee <ann@example.com>\n"
        "Sent: Friday, December 4, 2026 10:15 AM\n"
        "To: Bo\n"
        "Subject: Re: x",
    "outlook de":
        "Von: Ann Lee <ann@example.com>\n"
        "Gesendet: Freitag, 4. Dezember 2026 10:15\n"
        "An: Bo\n"
        "Betreff: AW: x",
    "outlook fr":
        "De : Ann Lee <ann@example.com>\n"
        "Envoyé : vendredi 4 décembre 2026 10:15\n"
        "À : Bo\n"
        "Objet : RE: x",
    "outlook nl":
        "Van: Ann Lee <ann@example.com>\n"
        "Verzonden: vrijdag 4 december 2026 10:15\n"
        "Aan: Bo\n"
        "Onderwerp: RE: x",
    "outlook es":
        "De: Ann Lee <ann@example.com>\n"
        "Enviado el: viernes, 4 de diciembre de 2026 10:15\n"
        "Para: Bo\n"
        "Asunto: RE: x",
    "outlook orig":
        "-----Original Message-----\n"
        "From: Ann Lee [mailto:ann@example.com]\n"
        "Sent: Friday, December 04, 2026 10:15 AM\n"
        "To: Bo\n"
        "Subject: x",
    "outlook de orig":
        "-----Ursprüngliche Nachricht-----\n"
        "Von: Ann Lee [mailto:ann@example.com]\n"
        "Gesendet: Freitag, 4. Dezember 2026 10:15\n"
        "An: Bo\n"
        "Betreff: x",
    "outlook mac":
        "From: Ann Lee <ann@example.com>\n"
        "Date: Friday, 4 December 2026 at 10:15\n"
        "To: Bo\n"
        "Subject: x",
    "lotus": "Ann Lee/ACME wrote on 04.12.2026 10:15:00:",
    "thunderbird de long": "Am 04.12.2026 um 10:15 schrieb Ann Lee:",
    "k9": "Ann Lee <ann@example.com> schrieb am Fr., 4. Dez. 2026, 10:15:",
    "gmail de 2": "Ann Lee <ann@example.com> schrieb am Fr., 4. Dez. 2026 um 10:15:",
    "roundcube": "Am 2026-12-04 10:15, schrieb Ann Lee:",
    "roundcube en": "On 2026-12-04 10:15, Ann Lee wrote:",
    "outlook web":
        "________________________________\n"
        "From: Ann Lee <ann@example.com>\n"
        "Sent: Friday, December 4, 2026 10:15 AM\n"
        "To: Bo\n"
        "Subject: x",
    "outlook web de":
        "________________________________\n"
        "Von: Ann Lee <ann@example.com>\n"
        "Gesendet: Freitag, 4. Dezember 2026 10:15\n"
        "An: Bo\n"
        "Betreff: x",
}


QUESTIONS = "Which port does the VPN use? And does it need a static address?"
HTML_REPLIES = {   # client: its HTML reply, the quote as it nests it
    "gmail": (
        '<div dir="ltr">Port 1723.</div><br><div class="gmail_quote">'
        '<div dir="ltr" class="gmail_attr">On Fri, Dec 4, 2026 at 10:15 AM Ann Lee'
        ' &lt;<a href="mailto:ann@example.com">ann@example.com</a>&gt; wrote:<br>'
        '</div>'
        '<blockquote class="gmail_quote" style="margin:0px 0px 0px'
        ' 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">'
        '<div dir="ltr">'
        + QUESTIONS
        + '</div></blockquote></div>'
    ),
    "thunderbird": (
        '<p>Port 1723.</p>'
        '<div class="moz-cite-prefix">On 12/4/26 10:15 AM, Ann Lee wrote:<br></div>'
        '<blockquote type="cite" cite="mid:a@example.com"><p>'
        + QUESTIONS
        + '</p></blockquote>'
    ),
    "apple": (
        '<div>Port 1723.</div><div><br><blockquote type="cite">'
        '<div>On 4 Dec 2026, at 10:15, Ann Lee &lt;ann@example.com&gt; wrote:</div>'
        '<br><div><div>'
        + QUESTIONS
        + '</div></div></blockquote></div>'
    ),
    "outlook": (
        '<div class="WordSection1"><p class="MsoNormal">Port 1723.</p><div>'
        '<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm'
        ' 0cm 0cm">'
        '<p class="MsoNormal"><b>From:</b> Ann Lee &lt;ann@example.com&gt;<br>'
        '<b>Sent:</b> Friday, December 4, 2026 10:15 AM<br><b>To:</b> Bo<br>'
        '<b>Subject:</b> vpn</p></div></div><p class="MsoNormal">'
        + QUESTIONS
        + '</p></div>'
    ),
    "outlook web": (
        '<div>Port 1723.</div>'
        '<hr style="display:inline-block;width:98%" tabindex="-1">'
        '<div id="divRplyFwdMsg" dir="ltr">'
        '<font face="Calibri, sans-serif" style="font-size:11pt" color="#000000">'
        '<b>From:</b> Ann Lee &lt;ann@example.com&gt;<br>'
        '<b>Sent:</b> Friday, December 4, 2026 10:15 AM<br><b>To:</b> Bo<br>'
        '<b>Subject:</b> vpn</font><div>&nbsp;</div></div><div>'
        + QUESTIONS
        + '</div>'
    ),
    "outlook de": (
        '<div class="WordSection1"><p class="MsoNormal">Port 1723.</p><div>'
        '<div style="border:none;border-top:solid #E1E1E1 1.0pt">'
        '<p class="MsoNormal"><b>Von:</b> Ann Lee &lt;ann@example.com&gt;<br>'
        '<b>Gesendet:</b> Freitag, 4. Dezember 2026 10:15<br><b>An:</b> Bo<br>'
        '<b>Betreff:</b> vpn</p></div></div><p class="MsoNormal">'
        + QUESTIONS
        + '</p></div>'
    ),
    "yahoo": (
        '<div>Port 1723.</div><div id="yahoo_quoted_123" class="yahoo_quoted">'
        '<div style="font-family:Helvetica">'
        '<div>On Friday, December 4, 2026, 10:15:00 AM GMT+1, Ann Lee'
        ' &lt;ann@example.com&gt; wrote:</div>'
        '<div><br></div><div><br></div><div><div dir="ltr">'
        + QUESTIONS
        + '</div></div></div>'
        '</div>'
    ),
}


def reply_under(header: str) -> bytes:
    # a header block (Outlook) stands above the quote unquoted, a "wrote:" line above "> "
    quote = "\n> " if header.startswith(("On", "Am", "Le", "El", "Em", "Il", "Op", "Ann")) \
        else "\n\n"
    return ("From: Bo <bo@example.org>\nTo: Ann Lee <ann@example.com>\nSubject: Re: x\n"
            "Date: Fri, 04 Dec 2026 15:00:00 +0100\nIn-Reply-To: <a@example.com>\n"
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
            f"Yes, port 1723.\n\n{header}{quote}Which port does the VPN use?\n").encode()


@pytest.mark.parametrize("header", HEADERS.values(), ids=HEADERS.keys())
def test_the_wait_is_read_from_the_clients_quote_header(scorer: Scorer, header: str) -> None:
    report = scorer.score_message(reply_under(header))
    assert report.meta.get("waited") and report.meta.get("quote_date") == SENT.isoformat()


@pytest.mark.parametrize("html", HTML_REPLIES.values(), ids=HTML_REPLIES.keys())
def test_an_html_reply_gives_the_wait_and_the_questions(scorer: Scorer, html: str) -> None:
    raw = ("From: Bo <bo@example.org>\nTo: Ann Lee <ann@example.com>\nSubject: Re: vpn\n"
           "Date: Fri, 04 Dec 2026 15:00:00 +0100\nMIME-Version: 1.0\n"
           "Content-Type: text/html; charset=utf-8\n\n"
           f"<html><body>{html}</body></html>").encode()
    report = scorer.score_message(raw)
    assert report.meta.get("quote_date") == SENT.isoformat()
    assert [q.text for q in report.questions] == [
        "Which port does the VPN use?", "And does it need a static address?"]
    assert "Which port" not in report.body
