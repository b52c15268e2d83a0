"""The Scorer: compiled rules + settings; bytes or text in, Report out. Pure."""

from __future__ import annotations

from datetime import datetime

from scoring.business_time import BusinessClock
from scoring.checks import CODE_CHECKS, REQUIRED_GUARDS, case_options
from scoring.context import Context
from scoring.draft import Draft, parse_bytes, parse_text
from scoring.errors import ConfigError
from scoring.findings import Finding
from scoring.grouping import group_by_sentence
from scoring.language import detect_language, detect_language_of_words
from scoring.matcher import (
    draft_context_holds,
    excused_in_body,
    run_absence,
    run_phrases,
    run_together,
)
from scoring.phrase_index import Tokens, tokenize
from scoring.promises import extract_promises
from scoring.questions import find_questions, latest_quoted_message
from scoring.readability import readability
from scoring.report import Report, aggregate, error_report
from scoring.rule_options import check_options
from scoring.rules import Rule, RuleBook, build_rulebook
from scoring.sender_role import (
    greets_someone_else,
    names_sender,
    quoted_author,
    quotes_own_message,
    replies_to_author,
)
from scoring.sentence_analysis import SentenceAnalyser
from scoring.settings import LANGUAGES, ScoringSettings

RUNNERS = {"phrases": run_phrases, "absence": run_absence, "together": run_together}
# Nobody types more than this in one email; a 30 MB body is judged on its first part,
# which keeps scoring time bounded (the report says where it stopped).
MAX_JUDGED_CHARS = 50_000
# A report stays readable: further findings of one rule add no information.
MAX_FINDINGS_PER_RULE = 20
LANGUAGE_SAMPLE_CHARS = 4000


class Scorer:
    """Compile once, score many. Thread-safe: its only state is bounded caches."""

    def __init__(self, settings: ScoringSettings, judge_sentence_kinds: bool = True,
                 rulebook: RuleBook | None = None) -> None:
        """``judge_sentence_kinds=False`` lets every rule fire in every kind of sentence:
        the detector alone, as the corpus benchmarks measure it (bench/accuracy.py).
        ``rulebook`` is the one ``settings`` compile to, when the caller has it at hand
        (the daemon caches it: see daemon/config/rulebook_cache.py)."""
        self.settings = settings
        self.rulebook: RuleBook = (build_rulebook(settings.rule_packs, settings.overrides)
                                   if rulebook is None else rulebook)
        self.judge_sentence_kinds = judge_sentence_kinds
        self.clock = BusinessClock(settings.business)
        self.sentences = SentenceAnalyser(self.rulebook, settings.business, self.clock,
                                          judge_sentence_kinds)
        self._clean_scores = aggregate([], settings)
        self._active_rules = {language: tuple(rule for rule in rules if rule.enabled)
                              for language, rules in self.rulebook.rules.items()}
        self._groups = {rule.rule_id: rule.group
                        for rule in self.rulebook.by_id().values() if rule.group}
        for rule in self.rulebook.by_id().values():
            if rule.kind == "code" and rule.check not in CODE_CHECKS:
                raise ConfigError(rule.source, rule.rule_id,
                                  f"unknown check {rule.check!r}; known: "
                                  f"{', '.join(sorted(CODE_CHECKS))}")
            check_options(rule, case_options(rule))
            for guard in REQUIRED_GUARDS.get(rule.check, ()):
                if guard not in self.rulebook.guards.get(rule.language, {}):
                    raise ConfigError(rule.source, rule.rule_id,
                                      f"the {rule.check!r} check needs the guard {guard!r} "
                                      f"in rules/{rule.language}/guards.toml")

    def score_message(self, raw: bytes, now: datetime | None = None, lang: str = "auto",
                      original: bytes | None = None) -> Report:
        """Score RFC 5322 bytes (or plain text bytes). Never raises on bad input."""
        draft = parse_bytes(raw, self.rulebook.dates)
        if original is not None and not draft.quoted:
            replied = parse_bytes(original, self.rulebook.dates)
            draft.quoted = replied.body or replied.quoted
            draft.quote_date = replied.date
            draft.quote_time_known = replied.date is not None
        return self.score_draft(draft, now=now, lang=lang)

    def score_text(self, text: str, now: datetime | None = None, lang: str = "auto",
                   original_text: str | None = None,
                   original_date: datetime | None = None) -> Report:
        draft = parse_text(text, self.rulebook.dates, original=original_text,
                           original_date=original_date)
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
        if len(draft.quoted) > MAX_JUDGED_CHARS:
            # the customer's latest message leads the quote; older history can go
            draft.quoted = draft.quoted[:MAX_JUDGED_CHARS]
        tokens = tokenize(draft.body)   # once: language, then every sentence's phrases
        language = self._language(draft, lang, tokens.within(0, LANGUAGE_SAMPLE_CHARS))
        if language not in LANGUAGES:
            return self._unsupported(draft, language)
        anchor = draft.date or now
        if anchor is not None and anchor.tzinfo is None:
            anchor = anchor.replace(tzinfo=self.clock.zone)
        quote_date = draft.quote_date
        if quote_date is not None and quote_date.tzinfo is None:
            quote_date = quote_date.replace(tzinfo=anchor.tzinfo if anchor else self.clock.zone)
        ctx = Context(body=draft.body, language=language, footer=draft.footer,
                      quoted=draft.quoted, quote_date=quote_date, anchor=anchor,
                      business=self.settings.business, clock=self.clock,
                      guards=self.rulebook.guards.get(language, {}),
                      kind_cues=self.rulebook.kind_cues.get(language, ())
                      if self.judge_sentence_kinds else None,
                      lexicon=self.rulebook.lexicons.get(language))
        if draft.quoted:   # whom the quoted message is from and to (not for a new mail)
            author = quoted_author(draft.attribution, draft.quoted)
            ctx.quoted_author = author
            ctx.quotes_sender = quotes_own_message(author, draft.from_addr, draft.from_name)
            customer = latest_quoted_message(draft.quoted)
            ctx.sender_named = (replies_to_author(author, draft.to_addrs, draft.to_names)
                                or names_sender(customer, draft.from_name, draft.from_addr))
            ctx.greets_someone_else = greets_someone_else(customer, draft.from_name,
                                                          draft.from_addr)
        ctx.recipients, ctx.from_known = draft.to_addrs, bool(draft.from_addr)
        ctx.answered_below = draft.answered_below
        ctx.promises = extract_promises(ctx, self.sentences.promises_of)
        words = self.sentences.collect(ctx, tokens)
        findings = self.run_rules(ctx, self._active_rules.get(language, ()))
        if findings:
            score, verdict, dimensions, reason = aggregate(findings, self.settings)
        else:   # the common case, computed once
            score, verdict, clean, reason = self._clean_scores
            dimensions = dict(clean)
        return Report(score=score, verdict=verdict, language=language, dimensions=dimensions,
                      verdict_reason=reason,
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
                            # a wait to the hour only when the quote gives the time of
                            # day, and never a negative one (a misread date)
                            **({"waited": self.waited(quote_date, anchor)}
                               if quote_date and anchor and draft.quote_time_known
                               and quote_date <= anchor else {})})

    def _unsupported(self, draft: Draft, language: str) -> Report:
        """A draft in a language without a rule pack: no findings, and it says so."""
        score, verdict, clean, _ = self._clean_scores
        return Report(score=score, verdict=verdict, language=language, dimensions=dict(clean),
                      findings=[], promises=[], questions=[], readability={},
                      body=draft.body,
                      verdict_reason=f"not judged: language {language!r} is not supported "
                                     f"(rule packs: {', '.join(LANGUAGES)}).",
                      meta={"subject": draft.subject, "message_id": draft.message_id,
                            "language_supported": False})

    def waited(self, quote_date: datetime, anchor: datetime) -> dict[str, float]:
        """How long the customer waited for this reply, in business and wall time."""
        return {
            "business_days": self.clock.working_days_between(quote_date, anchor),
            "business_hours": round(self.clock.seconds_between(quote_date, anchor) / 3600, 1),
            "wall_hours": round((anchor - quote_date).total_seconds() / 3600, 1),
        }

    def clear_caches(self) -> None:
        """Forget cached sentence analyses (benchmarks measure cold scoring with it)."""
        self.sentences.clear()

    def run_rules(self, ctx: Context, rules: tuple[Rule, ...]) -> list[Finding]:
        findings: list[Finding] = []
        for rule in rules:
            if not rule.enabled:
                continue
            if rule.kind == "code":
                found = CODE_CHECKS[rule.check](ctx, rule)
            elif ctx.triggers is not None and rule.rule_id not in ctx.triggers:
                continue   # no sentence has a trigger of this rule: nothing to do
            else:
                found = RUNNERS[rule.kind](rule, ctx)
            # body guards last: most drafts have no finding to excuse
            if found and draft_context_holds(ctx, rule) and not excused_in_body(ctx, rule):
                findings.extend(found[:MAX_FINDINGS_PER_RULE])
        findings.sort(key=lambda f: (f.start, f.end, f.rule))
        return group_by_sentence(findings, ctx, self._groups)

    def _language(self, draft: Draft, lang: str, tokens: Tokens) -> str:
        if lang in LANGUAGES:
            return lang
        if not tokens.words:
            return detect_language(draft.quoted, self.settings.default_language)
        return detect_language_of_words(tokens.words, draft.body,
                                        self.settings.default_language)
