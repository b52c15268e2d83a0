"""Commitment extraction: who promised what, by when, and how firmly.

A commitment is a sentence (or clause) in which the sender or the sender's company
undertakes a future action. Requests, questions, "I can" offers, "let's" proposals,
wishes and offers that depend on the reader wanting something are not commitments.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from scoring.business_time import BusinessClock
from scoring.context import Context
from scoring.dates import VAGUE_TIMING, Deadline, find_deadline
from scoring.findings import Promise
from scoring.lowered import compile_for_lowered, lower_keeping_offsets
from scoring.matcher import could_match

FUTURE_EN = (r"(?:'ll|\s+will|\s+shall|\s*'m going to|\s+am going to|\s*'re going to|"
             r"\s+are going to|\s+plan to|\s+am planning to|\s*'m planning to|\s+intend to|"
             r"\s+hope to|\s+aim to|\s+promise to|\s+commit to|\s+should be able to)")


@dataclass(frozen=True)
class Lexicon:
    """The language-specific patterns of commitment extraction."""

    sender: re.Pattern[str]           # I will / ich werde
    team: re.Pattern[str]             # we will / our team will
    unclear: re.Pattern[str]          # someone will / they will
    thing: re.Pattern[str]            # the unit will ship / the refund should come through
    implicit: re.Pattern[str]         # "Will send it tomorrow."
    not_commitment: re.Pattern[str]   # offers, wishes, conditionals on the reader
    hedges: re.Pattern[str]
    anchors: tuple[str, ...]          # lower-case strings every commitment contains one of
    # lower-case strings without one of which `unclear` and `thing` cannot match
    unclear_needles: tuple[str, ...]
    thing_needles: tuple[str, ...]
    named: re.Pattern[str] | None = None   # a colleague by name will (case-sensitive)
    named_needles: tuple[str, ...] = ()     # lower-case: `named` cannot match without one


EN = Lexicon(
    sender=re.compile(
        rf"\b(?:I{FUTURE_EN}|I\s+(?:promise|guarantee)\b|"
        r"I(?:'m| am)\s+(?:faxing|sending|pulling together|preparing|putting together|mailing|"
        r"forwarding|shipping|scheduling)\b|(?:my|our) plan is to\b|"
        r"let me\s+(?:[\w-]+\s+){0,6}?get back to you|"
        r"(?<=\s)(?:and|but|then)\s+(?:will|shall)\s+(?!you\b|be\s+(?:out|away)\b|not\b))"
        r"(?!\s+not\b|n't)", re.IGNORECASE),
    team=re.compile(
        rf"\b(?:we{FUTURE_EN}|(?:our|my)\s+(?:(?!(?:and|but|they|who|which|that|to|you|he|she|it)\b)[\w-]+,?\s+){{0,5}}?"
        rf"(?!(?:you|they|it|he|she|this|that|there)\b)[\w-]+,?{FUTURE_EN}|"
        r"you\s+will\s+(?:receive|get|hear from)|you'll\s+(?:receive|get|hear from)\b)"
        r"(?!\s+not\b|n't)", re.IGNORECASE),
    # a colleague by name: "Leo will call you" (the capitals matter, so not IGNORECASE)
    # (the capital first, the word boundary after it: the engine skips to capitals)
    named=re.compile(
        r"[A-Z](?<=\b.)(?!(?:ou|hey|t|his|hat|here|hese|hose|e|he|hich|hat|ho|ne|verything|"
        r"othing|omething|veryone|nyone|ach|ll|ome|ny|Ts)\b)[a-z]+(?:\s[A-Z][a-z]+)?"
        r"(?:'ll|,?\s+will)\s+(?!be\s+(?:out|away|on)\b)(?!\s+not\b|n't)"),
    unclear=re.compile(
        r"\b(?:someone|somebody)(?:\s+(?:from|at|in|on|of)\s+(?:[\w-]+\s+){1,5}?)?\s*"
        r"(?:'ll|will|should)\s+|"
        # "they will get it to you"; not "they'll be redirected" (how a system behaves)
        r"\bthey(?:'ll|\s+will)\s+(?=(?:get|send|call|contact|reach|deliver|ship|email|"
        r"e-mail|be in touch|let you|follow up|fix|refund|credit)\b)",
        re.IGNORECASE),
    thing=re.compile(
        r"\b(?:(?:the|your|this)\s+(?:[\w-]+\s+){0,3}?[\w-]+|it)\s+(?:will|should|is guaranteed to)"
        r"\s+(?:probably\s+)?(?:be\s+(?:shipped|delivered|sent|ready|activated|processed|issued|"
        r"credited|refunded|live|done|fixed|resolved|at|there|out)|ship|arrive|go out|"
        r"come through|be at)\b|"
        r"^\s*[A-Z][a-z]+(?:\s+(?:to|for|of)\s+[A-Z][\w.]+)?\s+(?:should|will)\s+(?:probably\s+)?"
        r"be\s+(?:fine|ready|done|there|on time|complete|delivered|shipped|resolved|fixed)\b",
        re.IGNORECASE),
    implicit=re.compile(r"^\s*(?:will|shall)\s+(?!you\b|we\b|i\b|they\b|it\b|there\b)[a-z]+",
                        re.IGNORECASE),
    not_commitment=re.compile(
        r"\b(?:if you(?:'d| would)? (?:like|need|want|wish|prefer|have)|let me know|"
        r"feel free|I(?:'ll| will) be (?:out|away|on (?:vacation|holiday|leave)|travel)|"
        r"would like to (?:thank|welcome|introduce|remind)|I(?:'ll| will) be happy to|"
        r"look(?:ing)? forward|I hope (?:you|this|that|all)|hope to (?:see|hear)|"
        r"will you\b|you will need|you will have to|you'll need|will need to|will have to|"
        r"'ll need to|'ll have to|will be able to|'ll be able to|talk to you (?:later|soon)|"
        r"we(?:'ll| will) see\b|who will|what will|which will|that will be|it will be|"
        r"there will be|for only|for just|instead of \$|"
        # speech acts and stances, not undertakings: "I'll say that", "I'll assume",
        # "I'll leave it to you", "I'll let Bill answer" (but "I'll let you know" is one)
        r"I(?:'ll| will| am going to|'m going to) (?:say|admit|add|note|assume|guess|bet|"
        r"leave|offer (?:some|a few|my) (?:suggestions|thoughts|comments)|grant|concede|"
        r"confess|agree|mention|point out|repeat|make a guess|stick|be honest|be brief)\b|"
        r"I(?:'ll| will) let (?!you\b|me\b|us\b)|(?:my|our) (?:solution|guess|answer|"
        r"suggestion|advice|recommendation) (?:for now )?will be)", re.IGNORECASE),
    hedges=re.compile(
        r"\b(?:try(?:ing)? to|hope(?:fully)?|probably|might|may|should be able to|should|"
        r"plan to|planning to|intend to|expect to|would like to|'d like to|see what I can do|"
        r"aim to|if possible|possibly|ideally)\b", re.IGNORECASE),
    anchors=("will", "'ll", "’ll", "shall", "going to", "plan", "intend", "hope to", "aim to",
             "promise", "commit", "guarantee", "should", "faxing", "sending", "pulling",
             "preparing", "putting together", "mailing", "forwarding", "shipping",
             "scheduling", "get back", "receive", "hear from"),
    unclear_needles=("someone", "somebody", "they"),
    thing_needles=("will", "should", "guaranteed"),
    named_needles=("will", "'ll"),
)

DE = Lexicon(
    sender=re.compile(
        r"\b(?:ich\s+werde|werde\s+ich|ich\s+(?:sende|schicke|rufe|melde|liefere|schreibe|"
        r"bestätige|kümmere|prüfe|übermittle|versuche|plane|stelle|kläre|informiere|erledige)|"
        r"(?:sende|schicke|rufe|melde|liefere|schreibe|bestätige|prüfe|kläre|informiere|"
        r"übermittle|erledige)\s+ich)\b", re.IGNORECASE),
    team=re.compile(
        r"\b(?:wir\s+werden|werden\s+wir|wir\s+(?:senden|schicken|rufen|melden|liefern|"
        r"schreiben|bestätigen|kümmern|prüfen|klären|informieren|erstatten|"
        r"versenden)|(?:senden|schicken|rufen|melden|liefern|bestätigen|prüfen|klären|"
        r"erstatten|versenden)\s+wir|unser\w*\s+(?:[\wäöüß-]+\s+){0,3}?"
        r"wird|(?:erhalten|bekommen)\s+Sie|Sie\s+(?:erhalten|bekommen))\b", re.IGNORECASE),
    unclear=re.compile(r"\b(?:jemand|man)(?:\s+(?:aus|von|bei)\s+(?:[\wäöüß-]+\s+){1,4}?)?"
                       r"\s*wird\b", re.IGNORECASE),
    thing=re.compile(
        r"\b(?:der|die|das)\s+(?:[\wäöüß-]+\s+){0,3}?wird\s+(?:sich|Ihnen|bei|am|bis|morgen|"
        r"heute)|\b(?:die|der|das)\s+(?:Ware|Lieferung|Sendung|Bestellung|Rechnung|Gutschrift|"
        r"Unterlagen|Dokumente|Vertrag|Angebot|Ersatzteile?)\s+(?:wird|werden|verlässt|geht|"
        r"kommt|ist\s+am|sind\s+am)\b", re.IGNORECASE),
    implicit=re.compile(r"^\s*(?:melde mich|rufe .* an)\b", re.IGNORECASE),
    not_commitment=re.compile(
        r"\b(?:wenn Sie (?:möchten|wünschen|Fragen)|falls Sie|sollten Sie|lassen Sie mich wissen|"
        r"melden Sie sich|freue mich|freuen uns|würde mich freuen|wir können|ich kann|für nur|"
        r"statt \d)\b|\d\s?€",
        re.IGNORECASE),
    hedges=re.compile(
        r"\b(?:versuche[n]?|hoffentlich|voraussichtlich|sollte[n]?|wahrscheinlich|eventuell|"
        r"möglicherweise|vielleicht|nach Möglichkeit|möglichst|planen|plane)\b", re.IGNORECASE),
    anchors=("werde", "sende", "schick", "rufe", "melde", "liefer", "schreib", "bestätig",
             "kümmer", "prüf", "übermittl", "versuch", "plane", "stelle", "kläre", "klären",
             "informier", "erledig", "erhalten", "bekommen", "wird", "rufen",
             "erstatten", "versenden", "verlässt", "geht", "kommt", "ist am", "sind am"),
    unclear_needles=("jemand", "man"),
    thing_needles=("wird", "werden", "verlässt", "geht", "kommt", "ist", "sind"),
)
LEXICONS = {"en": EN, "de": DE}
MIN_CLAUSE_GAP = 12
OWNER_GROUPS = ("sender", "team", "unclear", "thing")


@dataclass(frozen=True)
class CompiledLexicon:
    """A lexicon's regexes, compiled for lower-cased text (see scoring/lowered.py)
    except ``named``, which needs the capitals."""

    # One pass instead of four, a group per owner; by whether the needles of `unclear`
    # and of `thing` occur (a regex without groups that cannot match is faster).
    owners: dict[tuple[bool, bool], re.Pattern[str]]
    unclear_needles: tuple[str, ...]
    thing_needles: tuple[str, ...]
    named: re.Pattern[str] | None
    named_needles: tuple[str, ...]
    implicit: re.Pattern[str]
    not_commitment: re.Pattern[str]
    hedges: re.Pattern[str]
    anchors: re.Pattern[str]


def compile_owners(lexicon: Lexicon, owners: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(
        f"(?P<{owner}>{compile_for_lowered(getattr(lexicon, owner)).pattern})"
        for owner in owners))


def compile_lexicon(lexicon: Lexicon) -> CompiledLexicon:
    owners = {(unclear, thing): compile_owners(lexicon, tuple(
                  owner for owner in OWNER_GROUPS
                  if (owner != "unclear" or unclear) and (owner != "thing" or thing)))
              for unclear in (False, True) for thing in (False, True)}
    return CompiledLexicon(
        owners=owners, unclear_needles=lexicon.unclear_needles,
        thing_needles=lexicon.thing_needles, named=lexicon.named,
        named_needles=lexicon.named_needles,
        implicit=compile_for_lowered(lexicon.implicit),
        not_commitment=compile_for_lowered(lexicon.not_commitment),
        hedges=compile_for_lowered(lexicon.hedges),
        anchors=re.compile("|".join(re.escape(a) for a in lexicon.anchors)))


@cache
def compiled_lexicon(language: str) -> CompiledLexicon:
    """A language's lexicon compiled on first use (25 ms for English at import, and a
    draft needs one language)."""
    return compile_lexicon(LEXICONS.get(language, EN))


SentencePromises = Callable[[str, str, datetime | None, BusinessClock], tuple[Promise, ...]]


def extract_promises(ctx: Context,
                     of_sentence: SentencePromises | None = None) -> list[Promise]:
    """Every commitment in the new text, with owner, resolved due date and hedging.

    ``of_sentence`` is :func:`sentence_promises` or a cached wrapper of it (the Scorer
    keeps one, bounded, per scorer).
    """
    of_sentence = of_sentence or sentence_promises
    promises: list[Promise] = []
    # Due dates are resolved to the minute: the same anchor for every scoring within a
    # minute, so the per-sentence cache also serves callers that pass "now" each time.
    anchor = ctx.anchor.replace(second=0, microsecond=0) if ctx.anchor else None
    sentences = ctx.sentences
    for index, sentence in enumerate(sentences):
        found = of_sentence(sentence.text, ctx.language, anchor, ctx.clock)
        for promise in found:
            # the date often stands in the next sentence, or was just given before it
            # ("I won't know until mid January. I will let you know."); a commitment that
            # says "soon" has its own (vague) time, not the date of the sentence before
            for neighbour in (index + 1, index - 1):
                if promise.deadline_text or len(found) != 1:
                    break
                if neighbour == index - 1 and VAGUE_TIMING.search(promise.text.lower()):
                    break
                if 0 <= neighbour < len(sentences):
                    promise = _with_neighbour_deadline(promise, sentences[neighbour].text,
                                                       ctx, anchor, of_sentence)
            promises.append(promise.shifted(sentence.start))
    return promises


def _with_neighbour_deadline(promise: Promise, neighbour: str, ctx: Context,
                             anchor: datetime | None,
                             of_sentence: SentencePromises) -> Promise:
    """The deadline of a commitment often stands in the next sentence: "We will bring all
    directors together. The first meeting is on Monday, October 1.", or in the one before.
    A neighbour that makes its own commitment keeps its deadline for itself."""
    if of_sentence(neighbour, ctx.language, anchor, ctx.clock):
        return promise
    deadline = find_deadline(neighbour, anchor, ctx.clock)
    if deadline is None:
        return promise
    return Promise(promise.text, promise.start, promise.end,
                   "team" if promise.owner == "unclear" else promise.owner,
                   deadline.due, promise.hedged, deadline.text)


def sentence_promises(text: str, language: str, anchor: datetime | None,
                      clock: BusinessClock) -> tuple[Promise, ...]:
    """The commitments of one sentence, with spans relative to it (worth caching: while
    somebody types, every sentence but the edited one repeats)."""
    lexicon = compiled_lexicon(language if language in LEXICONS else "en")
    if text.rstrip().endswith("?"):
        return ()
    lowered = lower_keeping_offsets(text)
    if not lexicon.anchors.search(lowered):
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
    blockers = [m.span() for m in lexicon.not_commitment.finditer(lowered)]
    hedge_spans = [m.span() for m in lexicon.hedges.finditer(lowered)]
    promises: list[Promise] = []
    for index, (position, owner) in enumerate(kept):
        clause_end = kept[index + 1][0] if index + 1 < len(kept) else len(text)
        clause = text[position:clause_end].rstrip(" ,;:.!-–")
        clause_stop = position + len(clause)
        if any(b_end <= position or (b_start >= position and b_end <= clause_stop)
               for b_start, b_end in blockers):
            continue   # an offer, a wish, or conditional on the reader
        deadline = find_deadline(clause, anchor, clock) or (
            find_deadline(text[:position], anchor, clock) if len(kept) == 1 else
            _deadline_just_before(text, kept, index, anchor, clock))
        if owner == "thing":
            # "The unit will ship on Nov 11": a thing's schedule is the company's
            # commitment. Without a date it describes ("the accounts will be there",
            # "the message should arrive twice"): on real mail, mostly no commitment
            # ...
            if deadline is None and not VAGUE_TIMING.search(lowered, position, clause_stop):
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
                          anchor: datetime | None, clock: BusinessClock) -> Deadline | None:
    """A deadline right before the clause: "am zweiten Tag prüfen wir ..."."""
    position = kept[index][0]
    floor = kept[index - 1][0] + MIN_CLAUSE_GAP if index > 0 else 0
    window_start = max(floor, position - LOOKBACK_CHARS)
    return find_deadline(text[window_start:position], anchor, clock)
