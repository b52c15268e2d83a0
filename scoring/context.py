"""Everything a check may look at for one draft, computed once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from scoring.business_time import BusinessClock
from scoring.findings import Promise
from scoring.rules import Guard
from scoring.sentences import Sentence, sentence_at, split_sentences
from scoring.settings import BusinessHours

PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


@dataclass
class Context:
    body: str                        # the new text; every span points into it
    language: str
    footer: str                      # signature, disclaimers, P.S., fine print
    quoted: str                      # the customer's quoted original (unquoted)
    quote_date: datetime | None
    anchor: datetime | None          # the message Date, else "now": deadlines resolve here
    business: BusinessHours
    clock: BusinessClock
    guards: dict[str, Guard]
    sentences: list[Sentence] = field(default_factory=list)
    paragraphs: list[tuple[int, int]] = field(default_factory=list)
    promises: list[Promise] = field(default_factory=list)
    phrase_hits: dict[tuple[str, str], list[tuple[int, int]]] = field(default_factory=dict)
    # rule id -> trigger spans after guards, when already known (see Scorer); None: compute
    triggers: dict[str, list[tuple[int, int]]] | None = None
    lowered: str = ""
    # per-sentence caches for the guards (a long draft has many matches per sentence)
    guard_spans: dict[tuple[str, int], list[tuple[int, int]]] = field(default_factory=dict)
    sentence_words: dict[int, tuple[list[int], list[int], list[str]]] = field(
        default_factory=dict)

    def __post_init__(self) -> None:
        self.lowered = self.body.lower()
        if not self.sentences:   # a caller that knows the sentences passes them
            self.sentences = split_sentences(self.body)
        if not self.paragraphs:
            self.paragraphs = paragraph_spans(self.body)

    def sentence_of(self, index: int) -> Sentence | None:
        return sentence_at(self.sentences, index)

    def scope_span(self, scope: str, index: int) -> tuple[int, int]:
        if scope == "body":
            return 0, len(self.body)
        if scope == "paragraph":
            for start, end in self.paragraphs:
                if start <= index < end:
                    return start, end
            return 0, len(self.body)
        sentence = self.sentence_of(index)
        return (sentence.start, sentence.end) if sentence else (index, index)

    @property
    def is_reply(self) -> bool:
        return bool(self.quoted.strip())


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in PARAGRAPH_BREAK.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans
