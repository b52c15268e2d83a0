"""Sentence spans in the new text: boundaries at . ! ? and at line-based blocks."""

from __future__ import annotations

import re
from typing import NamedTuple

ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof inc ltd co corp st vs etc e.g i.e approx no nr tel fax jan feb mar apr "
    "jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun z.b u.a ca bzw ggf evtl "
    "inkl zzgl usw vgl d.h s.o mo di mi do fr sa so jr sr".split())
# Every alternative starts with a literal character, so the regex engine skips
# ahead to the next ".", "!", "?" or newline at C speed (an assertion in front of
# them would make it try every position: five times slower). Linear on hostile text:
# a boundary starts only at the first mark of a run ("!!!!": the look-behind after the
# mark sees the one before it), and the possessive quantifiers never give back what
# they took, so a run of 80,000 marks is one attempt, not 80,000 attempts of 80,000
# steps.
_CLOSED = r"""[.!?]*+["'”’)\]]*+(?=\s)"""
BOUNDARY = re.compile(rf"\.(?<![.!?]\.){_CLOSED}|!(?<![.!?]!){_CLOSED}|"
                      rf"\?(?<![.!?]\?){_CLOSED}|\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)")
ABBREVIATION_TAIL = 24   # enough characters to see the last word of a piece
# "am 13. November", "zum 100. Geburtstag": a German ordinal; "The total is 1500." ends
MAX_ORDINAL_DIGITS = 3
CLOSERS = "\"'”’)]"      # may follow the full stop


class Sentence(NamedTuple):   # a tuple: drafts have many, and tuples are made fast
    start: int
    end: int
    text: str


def split_sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences with spans; whitespace around them is trimmed."""
    sentences: list[Sentence] = []
    start = 0
    for match in BOUNDARY.finditer(text):
        end = match.end()
        if text[match.start()] == "." and _ends_with_abbreviation(
                text[max(start, end - ABBREVIATION_TAIL):end]):
            continue
        _append(sentences, text, start, end)
        start = end
    _append(sentences, text, start, len(text))
    return sentences


# the last word of a piece, read backwards: a run of word characters and dots
WORD_REVERSED = re.compile(r"[\w.]*")


def _ends_with_abbreviation(tail: str) -> bool:
    """Does the piece (its last few characters) end in an abbreviation ("z.B."), an
    initial or an ordinal number ("13.")? Its last word is the last run of word characters and
    dots before the closing punctuation (read from the reversed tail: this runs at every
    full stop)."""
    stem = tail.rstrip().rstrip(CLOSERS).rstrip(".!?")
    run = WORD_REVERSED.match(stem[::-1])
    token = stem[len(stem) - run.end():].rstrip(".").lower() if run else ""
    return (token in ABBREVIATIONS or (len(token) == 1 and token.isalpha())
            or token.isdigit() and len(token) <= MAX_ORDINAL_DIGITS)


def _append(sentences: list[Sentence], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()   # str.strip and str.isspace agree on what is whitespace
    if stripped:
        start += len(piece) - len(piece.lstrip())
        sentences.append(Sentence(start, start + len(stripped), stripped))


def sentence_at(sentences: list[Sentence], index: int) -> Sentence | None:
    """The sentence containing character ``index`` (binary search)."""
    lo, hi = 0, len(sentences) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        sentence = sentences[mid]
        if index < sentence.start:
            hi = mid - 1
        elif index >= sentence.end:
            lo = mid + 1
        else:
            return sentence
    return None
