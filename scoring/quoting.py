"""Split a plain-text body into the new text, the quoted original and the footer.

Only the new text is judged. The quoted original (``>`` lines, "On ... wrote:",
"Am ... schrieb ...:", Outlook "-----Original Message-----" / "From: ... Sent:"
blocks) feeds responsiveness and tone. The footer (signature after "-- " or a
sign-off line, legal disclaimers, P.S. lines, a mailing list's footer and fine print
after the sign-off) is kept apart: terms that appear only there are a disclosure problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# "<intro> <date>, <name> <verb>:" as mail clients write it in their users' languages
ATTRIBUTION_INTROS = ("On", "Am", "Le", "El", "Em", "Il", "Op", "W dniu", "Den", "Dne")
ATTRIBUTION_VERBS = ("wrote", "schrieb", "écrit", "escribió", "escreveu", "scritto",
                     "schreef", "geschreven", "napisał", "napsal", "skrev", "kirjoitti",
                     "a scris", "yazdı")   # every form ends in one (a cheap test first)
ATTRIBUTION = re.compile(
    r"^\s*(?:"
    r"(?:" + "|".join(ATTRIBUTION_INTROS) + r")\s.{4,300}?\b(?:wrote|escribió|escreveu|"
    r"ha scritto|a écrit|schreef|het volgende geschreven|napisał\(a\)|napisał|napsal\(a\)|"
    r"napsal|skrev|kirjoitti)\s*:"                           # Gmail, Apple Mail, Outlook
    r"|Am\s.{4,300}?\bschrieb\b.{0,300}?:"                  # German clients
    r"|Op\s.{4,300}?\bschreef\b.{0,300}?:"                  # Dutch Gmail: the name last
    # the name first, the date after: "Ann Lee <ann@...> schrieb am Fr., 4. Dez. 2026,
    # 10:15:" (Gmail's and K-9's apps), "Ann Lee/ACME wrote on 04.12.2026 10:15:00:"
    # (Notes); the clock before the colon tells it from "As I wrote on Monday, the plan:"
    r"|.{2,200}?\s(?:schrieb am|wrote on|a écrit le|escribió el|schreef op)\s.{4,100}?"
    r"\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?:AM|PM|Uhr))?\s*:"
    r"|.{2,200}?\s(?:wrote|schrieb|escreveu|escribió|a écrit|ha scritto|schreef|skrev|"
    r"kirjoitti|a scris|şunu yazdı|yazdı)\s*:"              # "Angela Moretti wrote:"
    # Gmail in other locales: "2015-07-01 16:57 GMT+02:00 Ann Lee <ann@example.org>:"
    r"|\d{4}-\d{2}-\d{2}\s+\d{1,2}:\d{2}.{0,200}<[^<>\s]+@[^<>\s]+>\s*:"
    r")\s*$", re.IGNORECASE)
ORIGINAL_MARKER = re.compile(
    r"^\s*-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Forwarded message|"
    r"Weitergeleitete Nachricht|Original-Nachricht|Mensaje original|Message d'origine|"
    r"Message original|Messaggio originale|Oorspronkelijk bericht|Mensagem original|"
    r"Ursprungligt meddelande|Opprinnelig melding|Oprindelig meddelelse|"
    r"Mensaje reenviado|Message transféré|Messaggio inoltrato|Doorgestuurd bericht|"
    r"Forwarded by .{1,200})\s*-{2,}\s*$", re.IGNORECASE)   # (Lotus Notes: "Forwarded by")
# An Outlook header block's field names, in the languages of its users
FROM_FIELDS = r"From|Von|De|Van|Da|Från|Fra|Od|Kimden|Lähettäjä"
SENT_FIELDS = (r"Sent|Date|Gesendet|Datum|Enviado el|Enviado|Envoyé|Verzonden|Inviato|Data|Fecha|"
               r"Skickat|Sendt|Wysłano|Odesláno|Gönderildi|Lähetetty")
OTHER_FIELDS = (r"To|Cc|Subject|An|Betreff|Para|Asunto|À|Objet|Aan|Onderwerp|A|Oggetto|"
                r"Assunto|Till|Ämne|Til|Emne|Do|Temat|Komu|Předmět|Kime|Konu|Vastaanottaja|Aihe")
HEADER_FROM = re.compile(r"^\s*\*?(?:" + FROM_FIELDS + r")\s*:\*?\s+\S", re.IGNORECASE)
HEADER_SENT = re.compile(r"^\s*\*?(?:" + SENT_FIELDS + r")\s*:\*?\s+(?P<date>.+)$",
                         re.IGNORECASE)
HEADER_BLOCK_LINES = 5
WRAPPED_INTROS = tuple(intro.lower() + " " for intro in ATTRIBUTION_INTROS)
SIGNATURE_DELIMITER = re.compile(r"^-- ?$")
SIGN_OFF = re.compile(
    r"^\s*(?:(?:best|kind|warm|warmest|many|with best)?\s*regards|best(?: wishes)?|cheers|"
    r"thanks(?: again| so much)?|thank you(?: again)?|many thanks|sincerely(?: yours)?|"
    r"yours(?: sincerely| truly)?|all the best|talk soon|speak soon|take care|"
    r"mit freundlichen grüßen|mit freundlichem gruß|freundliche grüße|viele grüße|beste grüße|"
    r"herzliche grüße|liebe grüße|schöne grüße|lg|vg|mfg|danke(?: und grüße)?|"
    r"vielen dank(?: und viele grüße)?|gruß|grüße)\s*[,.!]?\s*$",
    re.IGNORECASE)
DISCLAIMER = re.compile(
    r"confidential|intended (?:solely )?for the|intended recipient|privileged|"
    r"vertrauliche informationen|nicht der richtige adressat|bestimmungsgemäße empfänger|"
    r"unbefugte weitergabe|amtsgericht|registergericht|geschäftsführer", re.IGNORECASE)
POSTSCRIPT = re.compile(r"^\s*P\.?\s?S\.?(?::|\s)", re.IGNORECASE)
# every DISCLAIMER alternative contains one of these (a cheap test before the regex)
DISCLAIMER_WORDS = ("confidential", "intended", "privileged", "vertrauliche", "adressat",
                    "empfänger", "weitergabe", "amtsgericht", "registergericht",
                    "geschäftsführer")
# A mailing list's footer: a rule of dashes or underscores, then within a few lines the
# list's address, unsubscribe link or posting guide (and often an advertisement above them)
SEPARATOR_RULE = re.compile(r"^[-_=*~]{10,}$")
LIST_FOOTER = re.compile(r"mailing list|listinfo|unsubscribe|posting guide|posting-guide|"
                         r"lists\.[\w-]+\.(?:org|net|com)|p\.sf\.net|"
                         r"you received this message because", re.IGNORECASE)
LIST_FOOTER_LINES = 30
QUOTE_PREFIX = re.compile(r"^[ \t]*>[ \t]?")
MIN_NEW_TEXT_CHARS_BEFORE_SIGN_OFF = 20
MAX_SIGN_OFF_CHARS = 60   # "Mit freundlichen Grüßen und einen schönen Tag noch" fits


@dataclass
class Segment:
    """A piece of the original body, by character span."""

    start: int
    end: int


@dataclass
class SplitBody:
    new_segments: list[Segment] = field(default_factory=list)
    quoted: str = ""
    attribution: str = ""
    footer: str = ""
    footer_start: int | None = None   # index into the body where the footer starts
    # the quoted passages the sender answered right below ("> Which port?" / "1723."):
    # an interleaved reply answers where it stands, whatever words it uses
    answered_below: list[str] = field(default_factory=list)


# a header line with a date and a clock ("On Fri, Dec 4, 2026 at 10:15 AM"); "As Ann wrote:"
# in the reply's own prose has neither
DATED_HEADER = re.compile(r"\d{1,2}:\d{2}")


# mbox files write a line that starts "From " as ">From " (and ">From " as ">>From "):
# alone among unquoted lines, that is the writer's own "From what you said ...", no quote
MBOX_ESCAPED_FROM = re.compile(r"^>+From ")


def _is_quoted(lines: list[tuple[int, str]], index: int) -> bool:
    line = lines[index][1]
    if not QUOTE_PREFIX.match(line):
        return False
    if "From " not in line or not MBOX_ESCAPED_FROM.match(line):
        return True
    return _next_text_is_quoted(lines, index, -1) or _next_text_is_quoted(lines, index, 1)


def _next_text_is_quoted(lines: list[tuple[int, str]], index: int, step: int) -> bool:
    """Is the nearest non-blank line before (``step`` -1) or after (1) ``index`` quoted?
    (Walked by index: slicing the lines at every such line is quadratic.)"""
    index += step
    while 0 <= index < len(lines):
        text = lines[index][1]
        if text.strip():
            return QUOTE_PREFIX.match(text) is not None
        index += step
    return False


def _lines(text: str) -> list[tuple[int, str]]:
    result: list[tuple[int, str]] = []
    position = 0
    for line in text.splitlines(keepends=True):
        result.append((position, line))
        position += len(line)
    return result


def _is_header_block(lines: list[tuple[int, str]], index: int) -> bool:
    if not HEADER_FROM.match(lines[index][1]):
        return False
    window = lines[index + 1:index + 1 + HEADER_BLOCK_LINES]
    return any(HEADER_SENT.match(line) for _, line in window)


def _attribution_at(lines: list[tuple[int, str]], index: int) -> tuple[str, int] | None:
    """An attribution line at ``index`` (possibly wrapped onto the next line)."""
    line = lines[index][1].strip()
    if not line:
        return None
    lowered = line.lower()
    if ((any(word in lowered for word in ATTRIBUTION_VERBS) or lowered.endswith(">:"))
            and ATTRIBUTION.match(line)):
        return line, 1
    if index + 1 < len(lines) and lowered.startswith(WRAPPED_INTROS):
        joined = line + " " + lines[index + 1][1].strip()
        if ATTRIBUTION.match(joined):
            return joined, 2
    return None


def split_body(text: str) -> SplitBody:
    """Find the quoted original and the footer; everything else is new text."""
    lines = _lines(text)
    result = SplitBody()
    quote_index = len(lines)
    outlook_style = False
    quote_body = len(lines)   # outlook_style: where the quoted lines start
    for index, (_, line) in enumerate(lines):
        found = _attribution_at(lines, index)
        if found:
            result.attribution = found[0]
            quote_index = index
            # Yahoo (and Outlook's "On ... wrote:" in plain text) writes the original out
            # below its dated header line without a ">": then all of it is the quote
            outlook_style = (DATED_HEADER.search(found[0]) is not None and not any(
                QUOTE_PREFIX.match(later) for _, later in lines[index + found[1]:]))
            quote_body = index + found[1]
            break
        if ORIGINAL_MARKER.match(line) or _is_header_block(lines, index):
            outlook_style = True
            quote_index = quote_body = index
            break
        if _is_quoted(lines, index):
            quote_index = index
            break

    new_lines = lines[:quote_index]
    quoted_parts: list[str] = []
    inline_new: list[tuple[int, str]] = []
    answered_below: list[tuple[int, str]] = []   # (offset of the answer, the passage)
    passage_start = 0   # the quoted lines since the last new text
    for index in range(quote_index, len(lines)):
        _, line = lines[index]
        if outlook_style:
            if index >= quote_body:
                quoted_parts.append(line)
        elif _is_quoted(lines, index):
            quoted_parts.append(QUOTE_PREFIX.sub("", line, count=1))
        elif index == quote_index or (_attribution_at(lines, index) is not None):
            continue
        else:
            inline_new.append(lines[index])
            if line.strip() and len(quoted_parts) > passage_start:
                answered_below.append((lines[index][0],
                                       _last_paragraph(quoted_parts[passage_start:])))
                passage_start = len(quoted_parts)
    if outlook_style:
        for _, line in lines[quote_index:quote_index + HEADER_BLOCK_LINES + 1]:
            sent = HEADER_SENT.match(line)
            if sent:
                result.attribution = line.strip()
                break
    # Text after a '>' quote counts as new only when it holds more than a signature.
    trailing_new = [item for item in inline_new if item[1].strip()]
    candidate_lines = new_lines + (inline_new if trailing_new else [])

    footer_at = _footer_index(candidate_lines)
    # a sign-off under the last quoted passage answers nothing
    footer_offset = (candidate_lines[footer_at][0] if footer_at < len(candidate_lines)
                     else len(text))
    result.answered_below = [passage for offset, passage in answered_below
                             if offset < footer_offset] if trailing_new else []
    body_lines = candidate_lines[:footer_at]
    result.footer = "".join(line for _, line in candidate_lines[footer_at:])
    if footer_at < len(candidate_lines):
        result.footer_start = candidate_lines[footer_at][0]
    result.quoted = "".join(quoted_parts)
    result.new_segments = _merge_segments(body_lines)
    return result


def _last_paragraph(lines: list[str]) -> str:
    """The quoted paragraph right above an answer: the one it answers."""
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    blank = max((i for i, line in enumerate(lines) if not line.strip()), default=-1)
    return "".join(lines[blank + 1:])


def _footer_index(lines: list[tuple[int, str]]) -> int:
    """Index of the first footer line: '-- ', the last sign-off line, a P.S. or a disclaimer.

    The last sign-off wins so that an opening "Thanks!" does not end the new text.
    """
    seen_text = 0
    sign_off: int | None = None
    for index, (_, line) in enumerate(lines):
        stripped = line.strip()
        if SIGNATURE_DELIMITER.match(line.rstrip("\r\n")):
            return index if sign_off is None else sign_off
        short = len(stripped) <= MAX_SIGN_OFF_CHARS
        if short and seen_text >= MIN_NEW_TEXT_CHARS_BEFORE_SIGN_OFF and SIGN_OFF.match(stripped):
            sign_off = index
        elif seen_text and sign_off is None and POSTSCRIPT.match(stripped):
            return index   # a P.S. is read after the message, like fine print
        elif seen_text and _starts_paragraph(lines, index) and _is_disclaimer(stripped):
            return index if sign_off is None else sign_off
        elif seen_text and SEPARATOR_RULE.match(stripped) and _list_footer_follows(lines, index):
            return index if sign_off is None else sign_off
        seen_text += len(stripped)
    return len(lines) if sign_off is None else sign_off


def _list_footer_follows(lines: list[tuple[int, str]], index: int) -> bool:
    following = lines[index + 1:index + 1 + LIST_FOOTER_LINES]
    return any(LIST_FOOTER.search(line) for _, line in following)


def _is_disclaimer(line: str) -> bool:
    lowered = line.lower()
    return any(word in lowered for word in DISCLAIMER_WORDS) and bool(DISCLAIMER.search(line))


def _starts_paragraph(lines: list[tuple[int, str]], index: int) -> bool:
    return index == 0 or not lines[index - 1][1].strip()


def _merge_segments(lines: list[tuple[int, str]]) -> list[Segment]:
    segments: list[Segment] = []
    for start, line in lines:
        end = start + len(line)
        if segments and segments[-1].end == start:
            segments[-1].end = end
        else:
            segments.append(Segment(start, end))
    return segments
