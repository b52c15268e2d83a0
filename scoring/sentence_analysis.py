"""Per-sentence analysis: guarded trigger spans, cached per sentence.

Guards never look beyond a sentence, so every data rule (phrases, and the triggers of
absence and together rules) can be judged one sentence at a time. The result depends
only on the sentence's text and language, so it is cached: while somebody types, only
the edited sentence is new. The phrases of the whole draft are found in one scan of
its words, and only the few sentences where a trigger may stand are analysed.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections import OrderedDict
from functools import lru_cache

from scoring.business_time import BusinessClock
from scoring.context import Context
from scoring.matcher import needles_occur, regex_needles, trigger_spans
from scoring.phrase_index import Key, Span, Tokens
from scoring.promises import sentence_promises
from scoring.rules import TRIGGER, Rule, RuleBook
from scoring.sentences import Sentence
from scoring.settings import BusinessHours

SENTENCE_CACHE_SIZE = 4096

Spans = tuple[tuple[int, int], ...]
CacheKey = tuple[str, str]            # (sentence text, language)
RegexRule = tuple[Rule, tuple[str, ...] | None]   # a rule with regexes, and their needles


Triggers = tuple[tuple[str, Spans], ...]    # rule id -> guarded spans, in rule order


class AnalysisCache:
    """A bounded, thread-safe least-recently-used map of sentence analyses."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[CacheKey, Triggers] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: CacheKey) -> Triggers | None:
        with self._lock:
            analysis = self._entries.get(key)
            if analysis is not None:
                self._entries.move_to_end(key)
            return analysis

    def put(self, key: CacheKey, analysis: Triggers) -> None:
        with self._lock:
            self._entries[key] = analysis
            if len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class SentenceAnalyser:
    """Analyses sentences for one rulebook, with a bounded thread-safe cache."""

    def __init__(self, rulebook: RuleBook, business: BusinessHours,
                 clock: BusinessClock, judge_sentence_kinds: bool = True) -> None:
        self.rulebook = rulebook
        self.judge_sentence_kinds = judge_sentence_kinds
        self.business = business
        self.clock = clock
        data_rules = {language: tuple(r for r in rules if r.enabled and r.kind != "code")
                      for language, rules in rulebook.rules.items()}
        self._rules_by_id = {language: {r.rule_id: r for r in rules}
                             for language, rules in data_rules.items()}
        self._regex_rules = {language: tuple((r, regex_needles(r)) for r in rules
                                             if r.irregular_regex or r.pattern_regex)
                             for language, rules in data_rules.items()}
        self._rule_order = {rule_id: order for order, rule_id in enumerate(rulebook.by_id())}
        self._cache = AnalysisCache(SENTENCE_CACHE_SIZE)
        self.promises_of = lru_cache(maxsize=SENTENCE_CACHE_SIZE)(sentence_promises)

    def collect(self, ctx: Context, tokens: Tokens) -> int:
        """Fill ``ctx.phrase_hits`` (one scan of the body's words finds every phrase of
        every rule) and ``ctx.triggers`` (the guarded trigger spans, judged sentence by
        sentence); returns the number of words. Only the sentences where a trigger may
        stand are analysed: those with a trigger phrase of a data rule, or a needle of a
        regex rule (most sentences have neither). ``tokens`` are the body's (see
        :func:`scoring.phrase_index.tokenize`)."""
        language, sentences = ctx.language, ctx.sentences
        starts = [sentence.start for sentence in sentences]
        index = self.rulebook.indexes.get(language)
        by_id = self._rules_by_id.get(language, {})
        phrase_hits: dict[Key, list[Span]] = {}
        sentence_hits: dict[int, dict[Key, list[Span]]] = {}   # spans from the sentence start
        to_analyse: set[int] = set()
        for key, spans in (index.scan(tokens) if index is not None else {}).items():
            for start, end in spans:
                number = bisect_right(starts, start) - 1
                sentence = sentences[number]
                if end > sentence.end:
                    continue   # across a paragraph break: a phrase of no sentence
                phrase_hits.setdefault(key, []).append((start, end))
                offset = sentence.start
                sentence_hits.setdefault(number, {}).setdefault(key, []).append(
                    (start - offset, end - offset))
                if key[1] == TRIGGER and key[0] in by_id:
                    to_analyse.add(number)
        ctx.phrase_hits = phrase_hits
        # regex rules whose needles occur nowhere in the body: no sentence needs them
        lowered = ctx.lowered
        regex_rules = tuple(entry for entry in self._regex_rules.get(language, ())
                            if needles_occur(entry[1], lowered))
        if regex_rules:
            to_analyse.update(sentences_with_needles(regex_rules, ctx, starts))
        triggers: dict[str, list[Span]] = {}
        cache = self._cache
        for number in sorted(to_analyse):
            sentence = sentences[number]
            key = (sentence.text, language)
            analysis = cache.get(key)
            if analysis is None:
                analysis = self.analyse(sentence.text, language,
                                        sentence_hits.get(number, {}), regex_rules)
                cache.put(key, analysis)
            offset = sentence.start
            for rule_id, guarded in analysis:
                triggers.setdefault(rule_id, []).extend(
                    (start + offset, end + offset) for start, end in guarded)
        ctx.triggers = triggers
        return len(tokens.words)   # a sentence never cuts a word: each is in one

    def clear(self) -> None:
        """Forget cached analyses (benchmarks measure cold scoring with it)."""
        self._cache.clear()
        self.promises_of.cache_clear()

    def analyse(self, text: str, language: str, phrase_hits: dict[Key, list[Span]],
                regex_rules: tuple[RegexRule, ...]) -> Triggers:
        """The guarded trigger spans of one sentence, from its phrase hits (spans from
        its start). ``regex_rules``: the language's regex rules that could match
        somewhere in the draft (the others need no test here)."""
        by_id = self._rules_by_id.get(language, {})
        candidates = {rule_id for rule_id, role in phrase_hits
                      if role == TRIGGER and rule_id in by_id}
        if regex_rules:
            lowered = text.lower()
            candidates.update(rule.rule_id for rule, needles in regex_rules
                              if rule.rule_id not in candidates
                              and needles_occur(needles, lowered))
        if not candidates:   # a needle that only looked like one: nothing to judge
            return ()
        lexicon = self.rulebook.lexicons.get(language)
        ctx = Context(body=text, language=language, footer="", quoted="", quote_date=None,
                      anchor=None, business=self.business, clock=self.clock,
                      guards=self.rulebook.guards.get(language, {}),
                      kind_cues=self.rulebook.kind_cues.get(language, ())
                      if self.judge_sentence_kinds else None,
                      lexicon=lexicon,
                      sentences=[Sentence(0, len(text), text)], paragraphs=[(0, len(text))])
        if lexicon is not None:
            ctx.promises = list(self.promises_of(text, lexicon, None, self.clock))
        ctx.phrase_hits = phrase_hits
        triggers = []
        for rule_id in sorted(candidates, key=self._rule_order.__getitem__):
            spans = trigger_spans(by_id[rule_id], ctx)
            if spans:
                triggers.append((rule_id, tuple(spans)))
        return tuple(triggers)


# Lower-casing these changes the text around them (U+0130 grows a combining dot, a
# capital sigma depends on its neighbours): a sentence alone may then lower-case
# otherwise than the body, and a needle found in one be missing from the other.
CONTEXT_CASED = ("\u0130", "\u03a3")


def sentences_with_needles(rules: tuple[RegexRule, ...], ctx: Context,
                           starts: list[int]) -> set[int]:
    """The numbers of the sentences where one of the regex rules could match: a needle
    of the rule inside the sentence (each needle is searched for once per sentence at
    most, so a text full of "$" costs no more than a few sentences do). ``starts``:
    where each sentence starts."""
    sentences, lowered = ctx.sentences, ctx.lowered
    every = set(range(len(sentences)))
    if not ctx.body.isascii() and any(char in ctx.body for char in CONTEXT_CASED):
        return every
    found: set[int] = set()
    for _, needles in rules:
        if needles is None:
            return every   # a pattern without needles may match anywhere
        for needle in needles:
            position = lowered.find(needle)
            while position != -1:
                number = bisect_right(starts, position) - 1
                end = sentences[number].end if number >= 0 else 0
                if position + len(needle) <= end:
                    found.add(number)
                    position = lowered.find(needle, end)
                else:   # between sentences, or across the end of one
                    position = lowered.find(needle, position + 1)
    return found
