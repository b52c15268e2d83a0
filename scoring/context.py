"""Everything a check may look at for one draft, computed once."""

from __future__ import annotations

import re
from datetime import datetime

from scoring.business_time import BusinessClock
from scoring.findings import Promise, Question
from scoring.lexicon import Lexicon
from scoring.lowered import lower_keeping_offsets
from scoring.rules import Guard
from scoring.sentence_kinds import KindCue, SentenceKind, classify
from scoring.sentences import Sentence, sentence_at, split_sentences
from scoring.settings import BusinessHours

PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


class Context:
    """Built once per draft (and once per sentence analysed alone). A plain class, not a
    dataclass: it is made for every draft, and the compiled build (scoring/native.py)
    makes plain classes faster."""

    def __init__(self, *, body: str, language: str, footer: str, quoted: str,
                 quote_date: datetime | None, anchor: datetime | None,
                 business: BusinessHours, clock: BusinessClock, guards: dict[str, Guard],
                 kind_cues: tuple[KindCue, ...] | None = None,
                 lexicon: Lexicon | None = None,
                 sentences: list[Sentence] | None = None,
                 paragraphs: list[tuple[int, int]] | None = None) -> None:
        self.body = body                  # the new text; every span points into it
        self.language = language
        self.footer = footer              # signature, disclaimers, P.S., fine print
        self.quoted = quoted              # the customer's quoted original (unquoted)
        self.quote_date = quote_date
        self.anchor = anchor              # the message Date, else "now": deadlines resolve here
        self.business = business
        self.clock = clock
        self.guards = guards
        # None: rules apply to every kind of sentence (the detector benchmarks)
        self.kind_cues = kind_cues
        self.lexicon = lexicon            # the language's commitment words (scoring/lexicon.py)
        self.lowered = lower_keeping_offsets(body)   # offsets as in body; rules ignore case
        # a caller that knows the sentences or paragraphs passes them
        self.sentences = sentences if sentences else split_sentences(body)
        self.paragraphs = paragraphs if paragraphs else paragraph_spans(body)
        self.promises: list[Promise] = []
        # the reply quotes the sender's own message (scoring/sender_role.py): nobody waits
        self.quotes_sender = False
        # the customer named the sender or the draft answers its author directly
        # (scoring/sender_role.py); the draft's To and Cc; whether it has a From at all
        self.sender_named = False
        self.recipients: list[str] = []
        self.from_known = False
        self.greets_someone_else = False   # "Hello Tim," and the sender is not Tim
        self.quoted_author = ""            # the text naming the quoted message's author
        self.questions: list[Question] | None = None     # scoring/questions.py, once
        # quoted passages the sender answered right below them (scoring/quoting.py)
        self.answered_below: list[str] = []
        self.phrase_hits: dict[tuple[str, str], list[tuple[int, int]]] = {}
        # rule id -> trigger spans after guards, when already known (see Scorer); None: compute
        self.triggers: dict[str, list[tuple[int, int]]] | None = None
        # per-sentence caches for the guards (a long draft has many matches per sentence)
        self.guard_spans: dict[tuple[str, int], list[tuple[int, int]]] = {}
        self.sentence_words: dict[int, tuple[list[int], list[int], list[str]]] = {}
        self.sentence_kinds: dict[int, SentenceKind] = {}
        self.body_guards: dict[str, bool] = {}     # guard name -> found in the new text

    def kind_of(self, index: int) -> SentenceKind | None:
        """What the sentence at ``index`` does; None when kinds are not judged."""
        if self.kind_cues is None:
            return None
        sentence = self.sentence_of(index)
        s_start, s_end = (sentence.start, sentence.end) if sentence else (0, len(self.body))
        kind = self.sentence_kinds.get(s_start)
        if kind is None:
            has_commitment = any(p.start < s_end and s_start < p.end for p in self.promises)
            kind = classify(self.body[s_start:s_end], self.lowered[s_start:s_end],
                            self.kind_cues, has_commitment)
            self.sentence_kinds[s_start] = kind
        return kind

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
