"""The signature under the customer's message asks nobody anything.

"What is the problem that you are trying to solve?" under "Jim Holtman / Data Munger
Guru" is a tagline, and "Need help? Visit our help centre" under a company's signature
is an advertisement: neither is a question the sender owes an answer to. The
customer's message ends at its signature: a "-- " line, a line that is only the
author's name (as the attribution line names them), or a sign-off ("Best regards,",
"Viele Grüße") with a name under it, when no more than a signature's worth of lines
follows. A P.S. after it is still the customer's ("P.S. Can you also send the invoice?").
"""

from __future__ import annotations

import re

from scoring.quoting import MAX_SIGN_OFF_CHARS, POSTSCRIPT, SIGN_OFF, SIGNATURE_DELIMITER
from scoring.sender_role import names_in

SIGNATURE_LINES = 12          # a signature block: name, role, company, phones, a tagline
MAX_NAME_WORDS = 4
NAME_LINE = re.compile(r"^[^\W\d_][\w.'’-]*(?:\s+[^\W\d_][\w.'’-]*){0,3}$")


def without_signature(message: str, author: str) -> str:
    """``message`` up to its signature, with any P.S. paragraphs after it; ``author`` is
    the text that names the message's author (its attribution line)."""
    lines = message.splitlines(keepends=True)
    start = signature_start(lines, " ".join(author.lower().split()))
    if start is None:
        return message
    kept = lines[:start]
    postscript = False
    for line in lines[start:]:
        starts = POSTSCRIPT.match(line) is not None
        if starts:
            kept.append("\n")   # a paragraph of its own, as it stood under the name
        postscript = starts or postscript and bool(line.strip())
        if postscript:
            kept.append(line)
    return "".join(kept)


def signature_start(lines: list[str], author: str) -> int | None:
    """The index of the line the signature starts at, if the message has one."""
    seen_text = False
    for index, line in enumerate(lines):
        stripped = line.strip()
        # what follows a signature is short: more is the customer's text again (a "--"
        # also rules off code, data and a list's footer in the middle of a message)
        if (seen_text and len(lines) - index <= SIGNATURE_LINES
                and (SIGNATURE_DELIMITER.match(line.rstrip("\r\n"))
                     or is_sign_off(stripped, lines[index + 1:])
                     or is_author_name(stripped, author))):
            return index
        seen_text = seen_text or bool(stripped)
    return None


def is_sign_off(line: str, below: list[str]) -> bool:
    """A sign-off with a name under it: "Thanks!" above "Also, when is it due?" is not."""
    if len(line) > MAX_SIGN_OFF_CHARS or SIGN_OFF.match(line) is None:
        return False
    name = next((following.strip() for following in below if following.strip()), "")
    return NAME_LINE.match(name) is not None and len(name.split()) <= MAX_NAME_WORDS


def is_author_name(line: str, author: str) -> bool:
    """A line of a name alone ("Jim Holtman"), and the attribution names that author."""
    return (bool(author) and line.lower() in author and NAME_LINE.match(line) is not None
            and len(line.split()) <= MAX_NAME_WORDS and names_in(line, author))
