"""The Scorer: compiled rules + settings; bytes or text in, Report out. Pure."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from scoring.business_time import BusinessClock
from scoring.checks import CODE_CHECKS, REQUIRED_OPTIONS
from scoring.context import Context
from scoring.draft import Draft, parse_bytes, parse_text
from scoring.errors import ConfigError
from scoring.findings import Finding
from scoring.language import detect_language, detect_language_of_words
from scoring.matcher import could_match, run_absence, run_phrases, run_together, trigger_spans
from scoring.phrase_index import Tokens, tokenize
from scoring.promises import extract_promises, sentence_promises
from scoring.questions import find_questions
from scoring.readability import readability
from scoring.report import Report, aggregate, error_report
from scoring.rules import TRIGGER, Rule, RuleBook, build_rulebook
from scoring.sentences import Sentence
from scoring.settings import LANGUAGES, ScoringSettings

RUNNERS = {"phrases": run_phrases, "absence": run_absence, "together": run_together}
# Nobody types more than this in one email; a 30 MB body is judged on its first part,
# which keeps scoring time bounded (the report says where it stopped).
MAX_JUDGED_CHARS = 50_000
# A report stays readable: further findings of one rule add no information.
MAX_FINDINGS_PER_RULE = 20
SENTENCE_CACHE_SIZE = 4096
LANGUAGE_SAMPLE_CHARS = 4000


def count_words(tokens: Tokens) -> int:
    """Words for readability (numbers count as words, as in textstat)."""
    return len(tokens.words)


@dataclass(frozen=True)
class SentenceAnalysis:
    """What one sentence contributes, spans relative to the sentence (cacheable)."""

    words: int
    hits: tuple[tuple[tuple[str, str], tuple[tuple[int, int], ...]], ...]
    triggers: tuple[tuple[str, tuple[tuple[int, int], ...]], ...]


class Scorer:
    """Compile once, score many. Thread-safe: scoring does not mutate the scorer."""

    def __init__(self, settings: ScoringSettings) -> None:
        self.settings = settings
        self.rulebook: RuleBook = build_rulebook(settings.rule_packs, settings.overrides)
        self.clock = BusinessClock(settings.business)
        data_rules = {language: tuple(r for r in rules if r.enabled and r.kind != "code")
                      for language, rules in self.rulebook.rules.items()}
        self._data_rules_by_id = {language: {r.rule_id: r for r in rules}
                                  for language, rules in data_rules.items()}
        self._regex_rules = {language: tuple(r for r in rules
                                             if r.irregular_regex or r.pattern_regex)
                             for language, rules in data_rules.items()}
        self._rule_order = {rule_id: order for order, rule_id
                            in enumerate(self.rulebook.by_id())}
        # per scorer, thread-safe, bounded: see collect_sentence_analyses
        self._analyse_sentence = lru_cache(maxsize=SENTENCE_CACHE_SIZE)(
            self._analyse_sentence_uncached)
        for rule in self.rulebook.by_id().values():
            if rule.kind == "code" and rule.check not in CODE_CHECKS:
                raise ConfigError(rule.source, rule.rule_id,
                                  f"unknown check {rule.check!r}; known: "
                                  f"{', '.join(sorted(CODE_CHECKS))}")
            for option in REQUIRED_OPTIONS.get(rule.check, ()):
                if option not in rule.options:
                    raise ConfigError(rule.source, f"{rule.rule_id}.options.{option}",
                                      f"the {rule.check!r} check needs this option")

    def score_message(self, raw: bytes, now: datetime | None = None, lang: str = "auto",
                      original: bytes | None = None) -> Report:
        """Score RFC 5322 bytes (or plain text bytes). Never raises on bad input."""
        draft = parse_bytes(raw)
        if original is not None and not draft.quoted:
            replied = parse_bytes(original)
            draft.quoted = replied.body or replied.quoted
            draft.quote_date = replied.date
        return self.score_draft(draft, now=now, lang=lang)

    def score_text(self, text: str, now: datetime | None = None, lang: str = "auto",
                   original_text: str | None = None,
                   original_date: datetime | None = None) -> Report:
        draft = parse_text(text, original=original_text, original_date=original_date)
        return self.score_draft(draft, now=now, lang=lang)

    def score_draft(self, draft: Draft, now: datetime | None = None,
                    lang: str = "auto") -> Report:
        if draft.error:
            return error_report(draft.error)
        truncated_at = None
        if len(draft.body) > MAX_JUDGED_CHARS:
            cut = draft.body.rfind(" ", 0, MAX_JUDGED_CHARS)
            truncated_at = cut if cut > 0 else MAX_JUDGED_CHARS
            draft.body = draft.body[:truncated_at]
        language = self._language(draft, lang, tokenize(draft.body[:LANGUAGE_SAMPLE_CHARS]))
        anchor = draft.date or now
        if anchor is not None and anchor.tzinfo is None:
            anchor = anchor.replace(tzinfo=self.clock.zone)
        quote_date = draft.quote_date
        if quote_date is not None and quote_date.tzinfo is None:
            quote_date = quote_date.replace(tzinfo=anchor.tzinfo if anchor else self.clock.zone)
        ctx = Context(body=draft.body, language=language, footer=draft.footer,
                      quoted=draft.quoted, quote_date=quote_date, anchor=anchor,
                      business=self.settings.business, clock=self.clock,
                      guards=self.rulebook.guards.get(language, {}))
        ctx.promises = extract_promises(ctx)
        words = self.collect_sentence_analyses(ctx)
        findings = self.run_rules(ctx, self.rulebook.rules.get(language, ()))
        score, verdict, dimensions = aggregate(findings, self.settings)
        return Report(score=score, verdict=verdict, language=language, dimensions=dimensions,
                      findings=findings, promises=ctx.promises,
                      questions=find_questions(ctx),
                      readability=readability(draft.body, language, len(ctx.sentences),
                                              words=words),
                      body=draft.body,
                      meta={"subject": draft.subject, "message_id": draft.message_id,
                            "in_reply_to": draft.in_reply_to, "is_html": draft.is_html,
                            "quote_date": quote_date.isoformat() if quote_date else None,
                            "date": anchor.isoformat() if anchor else None,
                            **({"truncated_at": truncated_at} if truncated_at else {}),
                            **({"waited": self.waited(quote_date, anchor)}
                               if quote_date and anchor else {})})

    def waited(self, quote_date: datetime, anchor: datetime) -> dict[str, float]:
        """How long the customer waited for this reply, in business and wall time."""
        return {
            "business_days": self.clock.working_days_between(quote_date, anchor),
            "business_hours": round(self.clock.seconds_between(quote_date, anchor) / 3600, 1),
            "wall_hours": round((anchor - quote_date).total_seconds() / 3600, 1),
        }

    def collect_sentence_analyses(self, ctx: Context) -> int:
        """Phrase hits and guarded trigger spans of every sentence, offset into the body.

        Guards never look beyond a sentence, so each sentence is analysed on its own and
        the result cached: while somebody types, only the edited sentence is new.
        Returns the number of words (for readability).
        """
        hits: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        triggers: dict[str, list[tuple[int, int]]] = defaultdict(list)
        words = 0
        for sentence in ctx.sentences:
            analysis = self._analyse_sentence(sentence.text, ctx.language)
            offset = sentence.start
            words += analysis.words
            for key, spans in analysis.hits:
                hits[key].extend((start + offset, end + offset) for start, end in spans)
            for rule_id, spans in analysis.triggers:
                triggers[rule_id].extend((start + offset, end + offset) for start, end in spans)
        ctx.phrase_hits = dict(hits)
        ctx.triggers = dict(triggers)
        return words

    def _analyse_sentence_uncached(self, text: str, language: str) -> SentenceAnalysis:
        tokens = tokenize(text)
        index = self.rulebook.indexes.get(language)
        ctx = Context(body=text, language=language, footer="", quoted="", quote_date=None,
                      anchor=None, business=self.settings.business, clock=self.clock,
                      guards=self.rulebook.guards.get(language, {}),
                      sentences=[Sentence(0, len(text), text)], paragraphs=[(0, len(text))])
        ctx.promises = list(sentence_promises(text, language, None, self.clock))
        ctx.phrase_hits = index.scan(tokens) if index is not None else {}
        triggers = []
        by_id = self._data_rules_by_id.get(language, {})
        # rules whose phrases the index saw, and rules with regexes that could match
        candidates = {key[0] for key in ctx.phrase_hits if key[1] == TRIGGER and key[0] in by_id}
        for rule in self._regex_rules.get(language, ()):
            if rule.rule_id not in candidates and (
                    (rule.irregular_regex and could_match(rule.irregular_needles_regex, ctx))
                    or (rule.pattern_regex and (rule.requires_regex is None
                                                or could_match(rule.requires_regex, ctx)))):
                candidates.add(rule.rule_id)
        for rule_id in sorted(candidates, key=self._rule_order.__getitem__):
            spans = trigger_spans(by_id[rule_id], ctx)
            if spans:
                triggers.append((rule_id, tuple(spans)))
        return SentenceAnalysis(
            words=count_words(tokens),
            hits=tuple((key, tuple(spans)) for key, spans in ctx.phrase_hits.items()),
            triggers=tuple(triggers))

    def clear_caches(self) -> None:
        """Forget cached sentence analyses (benchmarks measure cold scoring with it)."""
        self._analyse_sentence.cache_clear()
        sentence_promises.cache_clear()

    def run_rules(self, ctx: Context, rules: tuple[Rule, ...]) -> list[Finding]:
        findings: list[Finding] = []
        for rule in rules:
            if not rule.enabled:
                continue
            if rule.kind == "code":
                findings.extend(CODE_CHECKS[rule.check](ctx, rule)[:MAX_FINDINGS_PER_RULE])
            elif ctx.triggers is not None and rule.rule_id not in ctx.triggers:
                continue   # no sentence has a trigger of this rule: nothing to do
            else:
                findings.extend(RUNNERS[rule.kind](rule, ctx)[:MAX_FINDINGS_PER_RULE])
        findings.sort(key=lambda f: (f.start, f.end, f.rule))
        return findings

    def _language(self, draft: Draft, lang: str, tokens: Tokens) -> str:
        if lang in LANGUAGES:
            return lang
        if not tokens.words:
            return detect_language(draft.quoted, self.settings.default_language)
        return detect_language_of_words(tokens.words, draft.body,
                                        self.settings.default_language)
