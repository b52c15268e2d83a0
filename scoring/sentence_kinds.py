"""What a sentence does: offer, question, request, formula, opinion, forecast, commitment,
an accountable statement about the customer's matter, or another remark.

A hedge deserves a warning when it weakens a statement the sender is accountable for
(the status of the customer's order, what the product does, what was agreed); the same
word in an opinion, a forecast, a polite request or a pleasantry hedges nothing. So a
rule may say which kinds of sentence it applies to (``applies_to`` in its pack), and the
finding says how its sentence was read.

The cues are data (``rules/<lang>/kinds.toml``, parsed in scoring/rules.py), tried
in the file's order: the first kind whose cue occurs in the sentence names it. A
sentence holding a commitment (scoring/promises.py) is a ``commitment`` before any cue
is tried; a sentence no cue matches is a ``remark``.
"""

from __future__ import annotations

from dataclasses import dataclass

from scoring.lazy_regex import LazyRegex

COMMITMENT, REMARK = "commitment", "remark"
CUE_KINDS = ("offer", "question", "request", "formula", "opinion", "forecast", "accountable")
KINDS = (COMMITMENT, *CUE_KINDS, REMARK)


@dataclass(frozen=True)
class KindCue:
    """The words that mark one kind of sentence."""

    kind: str
    description: str          # the finding's explanation, in the pack's language:
    #                           "Read as a question"
    regex: LazyRegex          # runs over the lower-cased sentence


@dataclass(frozen=True)
class SentenceKind:
    kind: str
    description: str
    cue: str = ""             # the words that decided, as written in the sentence

    def explain(self) -> str:
        """How the sentence was read, for the finding: 'Read as a statement about the
        customer's matter ("your order").'"""
        cue = f" (\u201c{self.cue}\u201d)" if self.cue else ""
        return f"{self.description}{cue}."


# the two kinds without cues; no shipped rule applies to them alone, so their
# explanations are never shown and stay in English
COMMITMENT_READING = SentenceKind(COMMITMENT, "Read as a commitment")
REMARK_READING = SentenceKind(REMARK, "Read as a remark that is not about the customer's matter")


def classify(sentence: str, lowered: str, cues: tuple[KindCue, ...],
             has_commitment: bool) -> SentenceKind:
    """The kind of one sentence; ``lowered`` is ``sentence`` lower-cased, same offsets."""
    if has_commitment:
        return COMMITMENT_READING
    for cue in cues:
        match = cue.regex.search(lowered)
        if match:
            words = " ".join(sentence[match.start():match.end()].split())
            return SentenceKind(cue.kind, cue.description, words[:60])
    return REMARK_READING
