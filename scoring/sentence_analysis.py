"""Per-sentence analysis: phrase hits and guarded trigger spans, cached per sentence.

Guards never look beyond a sentence, so every data rule (phrases, and the triggers of
absence and together rules) can be judged one sentence at a time. The result depends
only on the sentence's text and language, so it is cached: while somebody types, only
the edited sentence is new.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from scoring.business_time import BusinessClock
from scoring.context import Context
from scoring.matcher import could_match, trigger_spans
from scoring.phrase_index import tokenize
from scoring.promises import sentence_promises
from scoring.rules import TRIGGER, Rule, RuleBook
from scoring.sentences import Sentence
from scoring.settings import BusinessHours

SENTENCE_CACHE_SIZE = 4096

Spans = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class SentenceAnalysis:
    """What one sentence contributes, spans relative to the sentence."""

    words: int
    hits: tuple[tuple[tuple[str, str], Spans], ...]      # phrase index key -> spans
    triggers: tuple[tuple[str, Spans], ...]             # rule id -> guarded spans


class SentenceAnalyser:
    """Analyses sentences for one rulebook, with a bounded thread-safe cache."""

    def __init__(self, rulebook: RuleBook, business: BusinessHours,
                 clock: BusinessClock) -> None:
        self.rulebook = rulebook
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
        self.analyse = lru_cache(maxsize=SENTENCE_CACHE_SIZE)(self._analyse)
        self.promises_of = lru_cache(maxsize=SENTENCE_CACHE_SIZE)(sentence_promises)

    def collect(self, ctx: Context) -> int:
        """Fill ``ctx.phrase_hits`` and ``ctx.triggers`` for the whole body from its
        sentences (offsets added); returns the number of words."""
        hits: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        triggers: dict[str, list[tuple[int, int]]] = defaultdict(list)
        words = 0
        for sentence in ctx.sentences:
            analysis = self.analyse(sentence.text, ctx.language)
            offset = sentence.start
            words += analysis.words
            for key, spans in analysis.hits:
                hits[key].extend((start + offset, end + offset) for start, end in spans)
            for rule_id, spans in analysis.triggers:
                triggers[rule_id].extend((start + offset, end + offset) for start, end in spans)
        ctx.phrase_hits = dict(hits)
        ctx.triggers = dict(triggers)
        return words

    def clear(self) -> None:
        """Forget cached analyses (benchmarks measure cold scoring with it)."""
        self.analyse.cache_clear()
        self.promises_of.cache_clear()

    def _analyse(self, text: str, language: str) -> SentenceAnalysis:
        tokens = tokenize(text)
        index = self.rulebook.indexes.get(language)
        ctx = Context(body=text, language=language, footer="", quoted="", quote_date=None,
                      anchor=None, business=self.business, clock=self.clock,
                      guards=self.rulebook.guards.get(language, {}),
                      sentences=[Sentence(0, len(text), text)], paragraphs=[(0, len(text))])
        ctx.promises = list(self.promises_of(text, language, None, self.clock))
        ctx.phrase_hits = index.scan(tokens) if index is not None else {}
        by_id = self._rules_by_id.get(language, {})
        triggers = []
        for rule_id in sorted(self._candidates(ctx, by_id), key=self._rule_order.__getitem__):
            spans = trigger_spans(by_id[rule_id], ctx)
            if spans:
                triggers.append((rule_id, tuple(spans)))
        return SentenceAnalysis(
            words=len(tokens.words),
            hits=tuple((key, tuple(spans)) for key, spans in ctx.phrase_hits.items()),
            triggers=tuple(triggers))

    def _candidates(self, ctx: Context, by_id: dict[str, Rule]) -> set[str]:
        """Rules whose phrases the index saw, and rules whose regexes could match."""
        candidates = {rule_id for rule_id, role in ctx.phrase_hits
                      if role == TRIGGER and rule_id in by_id}
        for rule in self._regex_rules.get(ctx.language, ()):
            if rule.rule_id in candidates:
                continue
            if (rule.irregular_regex and could_match(rule.irregular_needles_regex, ctx)) or (
                    rule.pattern_regex and (rule.requires_regex is None
                                            or could_match(rule.requires_regex, ctx))):
                candidates.add(rule.rule_id)
        return candidates
