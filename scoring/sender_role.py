"""Whose message the reply quotes: the sender's own earlier message is nobody's wait.

A user who follows up on their own question ("any news on this?"), or adds to what they
wrote, quotes themselves: the quoted questions are theirs, the wait since then is theirs,
and the upset words are theirs. Judged from the attribution line ("On ..., Sam Jones
<sam@example.com> wrote:") against the draft's From.
"""

from __future__ import annotations

import re

# mailing-list archives write "sam at example.com" for "sam@example.com"
SPELLED_AT = re.compile(r"\s+at\s+", re.IGNORECASE)
MIN_NAME_CHARS = 3
# Outlook's quoted header block names the author on its From line, not on "Sent:"
QUOTED_FROM = re.compile(
    r"\A(?:[ \t]*(?:-{2,}.*)?\n){0,3}?[ \t]*\*?(?:From|Von)\s*:\*?[ \t]*(?P<who>.+)",
    re.IGNORECASE)


def quoted_author(attribution: str, quoted: str) -> str:
    """The text naming the quoted message's author: the attribution line, and the From
    line of a quoted header block."""
    block = QUOTED_FROM.match(quoted)
    return f"{attribution} {block.group('who')}" if block else attribution


def quotes_own_message(attribution: str, from_addr: str, from_name: str) -> bool:
    """True when the attribution names the sender, by address or by display name."""
    if not attribution:
        return False
    text = " ".join(attribution.lower().split())
    address = from_addr.strip().lower()
    if address and (address in text or address in SPELLED_AT.sub("@", text)):
        return True
    name = " ".join(from_name.replace('"', " ").lower().split())
    return len(name) >= MIN_NAME_CHARS and re.search(
        rf"(?<![\w]){re.escape(name)}(?![\w])", text) is not None
