"""Per-sentence analysis: phrase hits and guarded trigger spans, cached per sentence.

Guards never look beyond a sentence, so every data rule (phrases, and the triggers of
absence and together rules) can be judged one sentence at a time. The result depends
only on the sentence's text and language, so it is cached: while somebody types, only
the edited sentence is new.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from functools import lru_cache
from typing import NamedTuple

from scoring.business_time import BusinessClock
from scoring.context import Context
from scoring.matcher import regexes_could_match, trigger_spans
from scoring.phrase_index import Tokens
from scoring.promises import sentence_promises
from scoring.rules import TRIGGER, Rule, RuleBook
from scoring.sentences import Sentence
from scoring.settings import BusinessHours

SENTENCE_CACHE_SIZE = 4096

Spans = tuple[tuple[int, int], ...]
CacheKey = tuple[str, str]            # (sentence text, language)


class SentenceAnalysis(NamedTuple):
    """What one sentence contributes, spans relative to the sentence."""

    words: int
    hits: tuple[tuple[tuple[str, str], Spans], ...]      # phrase index key -> spans
    triggers: tuple[tuple[str, Spans], ...]             # rule id -> guarded spans


class AnalysisCache:
    """A bounded, thread-safe least-recently-used map of sentence analyses."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[CacheKey, SentenceAnalysis] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: CacheKey) -> SentenceAnalysis | None:
        with self._lock:
            analysis = self._entries.get(key)
            if analysis is not None:
                self._entries.move_to_end(key)
            return analysis

    def put(self, key: CacheKey, analysis: SentenceAnalysis) -> None:
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
        self._regex_rules = {language: tuple(r for r in rules
                                             if r.irregular_regex or r.pattern_regex)
                             for language, rules in data_rules.items()}
        self._rule_order = {rule_id: order for order, rule_id in enumerate(rulebook.by_id())}
        self._cache = AnalysisCache(SENTENCE_CACHE_SIZE)
        self.promises_of = lru_cache(maxsize=SENTENCE_CACHE_SIZE)(sentence_promises)

    def collect(self, ctx: Context, tokens: Tokens) -> int:
        """Fill ``ctx.phrase_hits`` and ``ctx.triggers`` for the whole body from its
        sentences (offsets added); returns the number of words. ``tokens`` are the
        body's (see :func:`scoring.phrase_index.tokenize`)."""
        hits: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        triggers: dict[str, list[tuple[int, int]]] = defaultdict(list)
        words = 0
        language, cache = ctx.language, self._cache
        regex_rules: tuple[Rule, ...] | None = None
        for sentence in ctx.sentences:
            key = (sentence.text, language)
            analysis = cache.get(key)
            if analysis is None:
                if regex_rules is None:
                    # regex rules whose needles occur nowhere in the body: no sentence
                    # needs to test them
                    regex_rules = tuple(rule for rule in self._regex_rules.get(language, ())
                                        if regexes_could_match(rule, ctx.lowered))
                analysis = self.analyse(sentence.text, language,
                                        tokens.within(sentence.start, sentence.end),
                                        regex_rules)
                cache.put(key, analysis)
            offset = sentence.start
            words += analysis.words
            for key_, spans in analysis.hits:
                hits[key_] += [(start + offset, end + offset) for start, end in spans]
            for rule_id, spans in analysis.triggers:
                triggers[rule_id] += [(start + offset, end + offset) for start, end in spans]
        ctx.phrase_hits = dict(hits)
        ctx.triggers = dict(triggers)
        return words

    def clear(self) -> None:
        """Forget cached analyses (benchmarks measure cold scoring with it)."""
        self._cache.clear()
        self.promises_of.cache_clear()

    def analyse(self, text: str, language: str, tokens: Tokens,
                regex_rules: tuple[Rule, ...]) -> SentenceAnalysis:
        """One sentence, from its tokens. ``regex_rules``: the language's regex rules
        that could match somewhere in the draft (the others need no test here)."""
        index = self.rulebook.indexes.get(language)
        phrase_hits = index.scan(tokens) if index is not None else {}
        hits = tuple((key, tuple(spans)) for key, spans in phrase_hits.items())
        by_id = self._rules_by_id.get(language, {})
        candidates = {rule_id for rule_id, role in phrase_hits
                      if role == TRIGGER and rule_id in by_id}
        if regex_rules:
            lowered = text.lower()
            candidates.update(rule.rule_id for rule in regex_rules
                              if rule.rule_id not in candidates
                              and regexes_could_match(rule, lowered))
        if not candidates:   # most sentences: nothing for the guards to judge
            return SentenceAnalysis(words=len(tokens.words), hits=hits, triggers=())
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
        return SentenceAnalysis(words=len(tokens.words), hits=hits, triggers=tuple(triggers))
