"""Commitment extraction: who promised what, by when, and how firmly.

A commitment is a sentence (or clause) in which the sender or the sender's company
undertakes a future action. Requests, questions, "I can" offers, "let's" proposals,
wishes and offers that depend on the reader wanting something are not commitments.
The words that say so are data, one lexicon per language (rules/<lang>/lexicon.toml,
read by scoring/lexicon.py), deadlines too (its ``[dates]``, read by scoring/dates.py);
this module is the grammar that applies them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from scoring.business_time import BusinessClock
from scoring.context import Context
from scoring.dates import Deadline
from scoring.findings import Promise
from scoring.lexicon import Lexicon
from scoring.lowered import lower_keeping_offsets
from scoring.matcher import could_match

MIN_CLAUSE_GAP = 12

SentencePromises = Callable[[str, Lexicon, datetime | None, BusinessClock],
                            tuple[Promise, ...]]


def extract_promises(ctx: Context,
                     of_sentence: SentencePromises | None = None) -> list[Promise]:
    """Every commitment in the new text, with owner, resolved due date and hedging.

    ``of_sentence`` is :func:`sentence_promises` or a cached wrapper of it (the Scorer
    keeps one, bounded, per scorer). The words are the draft language's lexicon
    (``ctx.lexicon``, from the rule packs); without one, nothing is a commitment.
    """
    lexicon = ctx.lexicon
    if lexicon is None:
        return []
    of_sentence = of_sentence or sentence_promises
    promises: list[Promise] = []
    # Due dates are resolved to the minute: the same anchor for every scoring within a
    # minute, so the per-sentence cache also serves callers that pass "now" each time.
    anchor = ctx.anchor.replace(second=0, microsecond=0) if ctx.anchor else None
    sentences = ctx.sentences
    for index, sentence in enumerate(sentences):
        found = of_sentence(sentence.text, lexicon, anchor, ctx.clock)
        for promise in found:
            # the date often stands in the next sentence, or was just given before it
            # ("I won't know until mid January. I will let you know."); a commitment that
            # says "soon" has its own (vague) time, not the date of the sentence before
            for neighbour in (index + 1, index - 1):
                if promise.deadline_text or len(found) != 1:
                    break
                if neighbour == index - 1 and lexicon.vague_timing.search(
                        promise.text.lower()):
                    break
                if 0 <= neighbour < len(sentences):
                    promise = _with_neighbour_deadline(promise, sentences[neighbour].text,
                                                       ctx, lexicon, anchor, of_sentence,
                                                       before=neighbour < index)
            promises.append(promise.shifted(sentence.start))
    return promises


def _with_neighbour_deadline(promise: Promise, neighbour: str, ctx: Context,
                             lexicon: Lexicon, anchor: datetime | None,
                             of_sentence: SentencePromises, before: bool) -> Promise:
    """The deadline of a commitment often stands in the next sentence: "We will bring all
    directors together. The first meeting is on Monday, October 1.", or in the one before
    (unless that one tells what happened). A neighbour that makes its own commitment keeps
    its deadline for itself."""
    if of_sentence(neighbour, lexicon, anchor, ctx.clock):
        return promise
    if before and lexicon.patterns["past"].search(neighbour.lower()):
        return promise   # "customs released it on Wednesday": what happened, not a deadline
    deadline = lexicon.dates.find_deadline(neighbour, anchor, ctx.clock)
    if deadline is None:
        return promise
    return Promise(promise.text, promise.start, promise.end,
                   "team" if promise.owner == "unclear" else promise.owner,
                   deadline.due, promise.hedged, deadline.text)


def sentence_promises(text: str, lexicon: Lexicon, anchor: datetime | None,
                      clock: BusinessClock) -> tuple[Promise, ...]:
    """The commitments of one sentence, with spans relative to it (worth caching: while
    somebody types, every sentence but the edited one repeats)."""
    if text.rstrip().endswith("?"):
        return ()
    lowered = lower_keeping_offsets(text)
    if not lexicon.anchor_regex.search(lowered):
        return ()   # cheap test first: no commitment without one of these words
    owners = lexicon.owners[(could_match(lexicon.unclear_needles, lowered),
                             could_match(lexicon.thing_needles, lowered))]
    matches = [(match.start(), match.end(), match.lastgroup or "unclear")
               for match in owners.finditer(lowered)]
    if lexicon.named is not None and could_match(lexicon.named_needles, lowered):
        matches = leftmost_first(matches, [(match.start(), match.end(), "team")
                                           for match in lexicon.named.finditer(text)])
    hits = [(start, owner) for start, _, owner in matches]
    implicit = lexicon.implicit.match(lowered)
    if implicit:
        hits.append((implicit.start(), "sender"))
    if not hits:
        return ()
    hits.sort()
    kept: list[tuple[int, str]] = []
    for position, owner in hits:
        if kept and position - kept[-1][0] < MIN_CLAUSE_GAP:
            continue
        kept.append((position, owner))
    # blockers ("if you need", "let me know") and hedge words, found once per sentence
    blockers = [m.span() for m in lexicon.not_commitments.finditer(lowered)]
    hedge_spans = [m.span() for m in lexicon.hedges.finditer(lowered)]
    promises: list[Promise] = []
    for index, (position, owner) in enumerate(kept):
        clause_end = kept[index + 1][0] if index + 1 < len(kept) else len(text)
        clause = text[position:clause_end].rstrip(" ,;:.!-–")
        clause_stop = position + len(clause)
        if any(b_end <= position or (b_start >= position and b_end <= clause_stop)
               for b_start, b_end in blockers):
            continue   # an offer, a wish, or conditional on the reader
        dates = lexicon.dates
        deadline = dates.find_deadline(clause, anchor, clock) or (
            dates.find_deadline(text[:position], anchor, clock) if len(kept) == 1 else
            _deadline_just_before(text, kept, index, lexicon, anchor, clock))
        if owner == "thing":
            # "The unit will ship on Nov 11": a thing's schedule is the company's
            # commitment. Without a date it describes ("the accounts will be there",
            # "the message should arrive twice"): on real mail, mostly no commitment
            # ...
            if deadline is None and not lexicon.vague_timing.search(lowered, position,
                                                                    clause_stop):
                continue   # ... but "it will ship soon" promises, vaguely
            owner = "team" if deadline else "unclear"
        hedged = any(h_start >= position - HEDGE_LOOKBACK_CHARS and h_end <= clause_stop
                     for h_start, h_end in hedge_spans)
        promises.append(Promise(
            text=clause, start=position, end=position + len(clause), owner=owner,
            due=deadline.due if deadline else None, hedged=hedged,
            deadline_text=deadline.text if deadline else ""))
    return tuple(promises)


def leftmost_first(first: list[tuple[int, int, str]],
                   second: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Matches of two regexes as if they were one alternation: in text order, a match
    that overlaps an earlier one dropped, ``first`` winning a tie."""
    if not second:
        return first
    merged = sorted([(start, 0, end, owner) for start, end, owner in first]
                    + [(start, 1, end, owner) for start, end, owner in second])
    kept: list[tuple[int, int, str]] = []
    for start, _, end, owner in merged:
        if not kept or start >= kept[-1][1]:
            kept.append((start, end, owner))
    return kept


LOOKBACK_CHARS = 40
HEDGE_LOOKBACK_CHARS = 30   # "hopefully, we will ..." hedges the clause that follows


def _deadline_just_before(text: str, kept: list[tuple[int, str]], index: int,
                          lexicon: Lexicon, anchor: datetime | None,
                          clock: BusinessClock) -> Deadline | None:
    """A deadline right before the clause: "am zweiten Tag prüfen wir ..."."""
    position = kept[index][0]
    floor = kept[index - 1][0] + MIN_CLAUSE_GAP if index > 0 else 0
    window_start = max(floor, position - LOOKBACK_CHARS)
    return lexicon.dates.find_deadline(text[window_start:position], anchor, clock)
