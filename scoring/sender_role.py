"""Whose message the reply quotes: the sender's own earlier message is nobody's wait.

A user who follows up on their own question ("any news on this?"), or adds to what they
wrote, quotes themselves: the quoted questions are theirs, the wait since then is theirs,
and the upset words are theirs. Judged from the attribution line ("On ..., Sam Jones
<sam@example.com> wrote:") against the draft's From.

And whether the customer turned to the sender at all: a question put to a list waits on
the one who owns it, not on every member who answers (:func:`names_sender`,
:func:`replies_to_author`; the slow-reply check judges a list reply by them).
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


def names_in(display_name: str, text: str) -> bool:
    """Does lower-cased ``text`` hold this display name as whole words ("Sam" is not in
    "Samantha")? A name under MIN_NAME_CHARS says too little to count."""
    name = " ".join(display_name.replace('"', " ").lower().split())
    return len(name) >= MIN_NAME_CHARS and re.search(
        rf"(?<![\w]){re.escape(name)}(?![\w])", text) is not None


def quotes_own_message(attribution: str, from_addr: str, from_name: str) -> bool:
    """True when the attribution names the sender, by address or by display name."""
    if not attribution:
        return False
    text = " ".join(attribution.lower().split())
    address = from_addr.strip().lower()
    if address and (address in text or address in SPELLED_AT.sub("@", text)):
        return True
    return names_in(from_name, text)


# the customer's opening words: a greeting that names the sender sits here ("Hi Tim,")
OPENING_WORDS = 15
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
NAME_WORD = re.compile(r"[^\W\d_]{3,}")


def names_sender(message: str, from_name: str, from_addr: str) -> bool:
    """Does the customer's message name the sender in its opening words? Either name
    counts ("Frau Krüger"), a short form too ("Tim" for "Timothy White"), and so does the
    address's name ("tim" of tim@...)."""
    names = {w.lower() for w in NAME_WORD.findall(from_name)}
    local = from_addr.split("@", 1)[0].lower()
    names |= {w.lower() for w in NAME_WORD.findall(local)[:1]}
    if not names:
        return False
    for word in NAME_WORD.findall(" ".join(message.split()[:OPENING_WORDS])):
        if word[0].isupper() and any(name.startswith(word.lower()) for name in names):
            return True
    return False


def replies_to_author(author: str, to_addrs: list[str], to_names: list[str]) -> bool:
    """Is the draft addressed to the quoted message's author (a direct reply), not to a
    list or a group the author wrote to? By address, or by name where the attribution
    gives only a name ("On Monday, Carla Jones wrote:")."""
    text = " ".join(SPELLED_AT.sub("@", author.lower()).split())
    recipients = {SPELLED_AT.sub("@", a.lower()).strip() for a in to_addrs}
    return (any(address in recipients for address in ADDRESS.findall(text))
            or any(names_in(name, text) for name in to_names))


# "Hello Tim," / "Dear Ms Roth" / "Hallo Frau Roth": the first words greet one person
GREETING = re.compile(
    r"\A\W*(?:hi|hello|hey|dear|hallo|liebe[rs]?|sehr geehrte[rs]?|guten tag)\s+"
    r"(?:(?:mr|mrs|ms|dr|herr|frau)\.?\s+)?(?P<name>[^\W\d_]{3,})", re.IGNORECASE)
GROUP_WORDS = frozenset({"all", "everyone", "everybody", "there", "team", "folks", "guys",
                         "list", "community", "zusammen", "alle", "allerseits"})


def greets_someone_else(message: str, from_name: str, from_addr: str) -> bool:
    """Does the customer's message greet one person by name who is not the sender ("Hello
    Tim," answered by another list member)? Then its anger is at that person."""
    greeting = GREETING.match(message)
    if greeting is None or greeting.group("name").lower() in GROUP_WORDS:
        return False
    if not from_name and not from_addr:
        return False   # a bare text: nobody to compare with
    return not names_sender(greeting.group("name"), from_name, from_addr)
