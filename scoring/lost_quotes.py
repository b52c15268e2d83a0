"""Quotation marks and apostrophes a charset lost, read back.

A message sent as Windows-1252 and read as ASCII writes every curly quote as "?":
"Package ?SASxport? was built before R 3.0.0: please re-install it?" holds no question,
and "whether participants? choices" none either. Once a message shows a "?" opening a
word (``?SASxport``), its "?"s are read as quotes where they close one (the nearest open
quote, within a phrase), stand for an apostrophe ("don?t") or run on into the sentence
in lower case ("participants? choices"). A message that shows no lost opening quote
keeps every "?" ("can you send it? thanks" asks, in casual writing), and so does one
whose charset lost letters too ("Agr?cola"): there a "?" may be anything.
"""

from __future__ import annotations

import re

# a "?" at the start of a word: after a space, a bracket, a colon or the line's start
# (a literal "?" first, so the search skips ahead to each "?" at C speed)
LOST_OPENING = re.compile(r"\?(?<![^\s(\[:=]\?)(?=[^\W\d_])")
QUESTION_MARK = re.compile(r"\?")
# "don?t", "I?m", "it?s", "we?ll": an apostrophe; any other "?" inside a word ("Agr?cola",
# "neodpov?d?") is a lost letter, and a charset that lost letters is not read back at all
CONTRACTION = re.compile(r"(?<=[^\W\d_])\?(?=(?:s|t|m|d|re|ll|ve)\b)")
LOST_LETTER = re.compile(r"(?<=[^\W\d_])\?(?=[^\W\d_])")
# a closing quote or an apostrophe is glued to its word: "waters?", "participants? choices"
GLUED = re.compile(r"(?<=\S)\?")
RUNS_ON = re.compile(r"(?<=\S)\?(?=[ \t]+[a-zäöüß])")
# a quote closes within a phrase or a file name, not across a sentence or a paragraph
MAX_QUOTED_CHARS = 80
SENTENCE_OR_PARAGRAPH_END = re.compile(r"[.!][ \t\n]|\n[ \t]*\n")
OPENING, CLOSING = "\u2018", "\u2019"


def restore_lost_quotes(text: str) -> str:
    """``text`` with the "?"s that stand for lost quotes and apostrophes written as
    curly quotes again (same length: spans into it still hold)."""
    if not LOST_OPENING.search(text) or any(
            not CONTRACTION.match(text, m.start()) for m in LOST_LETTER.finditer(text)):
        return text
    marks = list(text)
    open_at: list[int] = []
    for match in QUESTION_MARK.finditer(text):
        at = match.start()
        if LOST_OPENING.match(text, at):
            open_at.append(at)
            marks[at] = OPENING
            continue
        while open_at and (at - open_at[-1] > MAX_QUOTED_CHARS
                           or SENTENCE_OR_PARAGRAPH_END.search(text, open_at[-1], at)):
            open_at.pop()   # never closed: the quote it opened is lost for good
        if open_at and GLUED.match(text, at):
            open_at.pop()
            marks[at] = CLOSING
        elif CONTRACTION.match(text, at) or RUNS_ON.match(text, at):
            marks[at] = CLOSING
    return "".join(marks)
