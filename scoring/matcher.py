"""Apply data rules (phrases, absence, together) to a draft, with context guards."""

from __future__ import annotations

import bisect
import re

from scoring.context import Context
from scoring.findings import Finding
from scoring.lowered import lower_keeping_offsets
from scoring.questions import latest_quoted_message
from scoring.rules import (
    COMPANION,
    DRAFT_GUARDS,
    GUARD,
    QUOTED_GUARD,
    RECIPIENTS_GUARD,
    TRIGGER,
    Guard,
    Rule,
)

WORD = re.compile(r"[\w'’]+")


def is_excused(ctx: Context, start: int, end: int, guard_names: tuple[str, ...]) -> bool:
    """True when a guard of the rule says the context excuses the match."""
    if not guard_names:
        return False
    sentence = ctx.sentence_of(start)
    s_start, s_end = (sentence.start, sentence.end) if sentence else (0, len(ctx.body))
    for name in guard_names:
        guard = ctx.guards[name]
        if guard.kind not in DRAFT_GUARDS and guard_applies(ctx, guard, start, end, s_start, s_end):
            return True
    return False


def excused_in_body(ctx: Context, rule: Rule) -> bool:
    """A ``body`` guard of the rule occurs anywhere in the new text (the sender reports a
    problem of their own: "I have the same problem"), or a ``quoted`` guard in the
    reader's latest quoted message (the reader helped the sender: "let me know if that
    works"), so nobody waits on the sender. Judged once per draft, after the sentences
    (a sentence alone cannot tell)."""
    return any(ctx.guards[name].kind in DRAFT_GUARDS and draft_guard_holds(ctx, name)
               for name in rule.unless)


def draft_context_holds(ctx: Context, rule: Rule) -> bool:
    """The rule speaks only where one of its ``only_when`` guards holds for the draft
    (playing down a problem matters when the customer is upset about it)."""
    return not rule.only_when or any(draft_guard_holds(ctx, name) for name in rule.only_when)


def draft_guard_holds(ctx: Context, name: str) -> bool:
    """A ``body``, ``quoted`` or ``recipients`` guard anywhere in its text (the new text,
    the customer's latest quoted message, the To and Cc addresses), judged once per draft."""
    found = ctx.body_guards.get(name)
    if found is None:
        guard = ctx.guards[name]
        if guard.kind == RECIPIENTS_GUARD:   # each address alone: patterns may anchor
            found = any(guard.regex.search(address.lower()) for address in ctx.recipients)
        else:
            text = (lower_keeping_offsets(latest_quoted_message(ctx.quoted))
                    if guard.kind == QUOTED_GUARD else ctx.lowered)
            found = bool(guard.regex.search(text))
        ctx.body_guards[name] = found
    return found


def guard_applies(ctx: Context, guard: Guard, start: int, end: int,
                  s_start: int, s_end: int) -> bool:
    if guard.kind in ("before", "after"):
        starts, ends, words = words_of_sentence(ctx, s_start, s_end)
        if guard.kind == "before":
            last = bisect.bisect_right(ends, start)
            return bool(guard.regex.search(" ".join(words[max(0, last - guard.window):last])))
        first = bisect.bisect_left(starts, end)
        return bool(guard.regex.match(" ".join(words[first:first + guard.window])))
    spans = guard_spans_in_sentence(ctx, guard, s_start, s_end)
    if guard.kind == "clause":
        # a guard phrase earlier in the same sentence
        return any(span_end <= start for _, span_end in spans)
    # covering: a guard phrase whose span contains the match
    return any(span_start <= start and end <= span_end for span_start, span_end in spans)


def words_of_sentence(ctx: Context, s_start: int,
                      s_end: int) -> tuple[list[int], list[int], list[str]]:
    cached = ctx.sentence_words.get(s_start)
    if cached is None:
        matches = list(WORD.finditer(ctx.lowered, s_start, s_end))   # guards ignore case
        cached = ([m.start() for m in matches], [m.end() for m in matches],
                  [m.group() for m in matches])
        ctx.sentence_words[s_start] = cached
    return cached


def guard_spans_in_sentence(ctx: Context, guard: Guard, s_start: int,
                            s_end: int) -> list[tuple[int, int]]:
    """A span guard's matches in one sentence: its phrases from the draft's phrase index,
    its patterns run on the sentence (cached, so each sentence is searched once)."""
    key = (guard.name, s_start)
    spans = ctx.guard_spans.get(key)
    if spans is None:
        spans = [span for span in ctx.phrase_hits.get((guard.name, GUARD), ())
                 if s_start <= span[0] < s_end]
        if guard.pattern_regex is not None:
            # on the sentence as its own string, so that "^" means the sentence start
            spans += [(s_start + m.start(), s_start + m.end())
                      for m in guard.pattern_regex.finditer(ctx.lowered[s_start:s_end])]
        ctx.guard_spans[key] = spans
    return spans


def inside_promise(ctx: Context, index: int) -> bool:
    """Hedges inside a commitment are judged under promises, not honesty."""
    return any(p.start <= index < p.end for p in ctx.promises)


def make_finding(rule: Rule, ctx: Context, start: int, end: int,
                 message: str | None = None, factor: float = 1.0) -> Finding:
    kind = ctx.kind_of(start) if rule.applies_to else None
    return Finding(rule=rule.rule_id, dimension=rule.dimension, start=start, end=end,
                   match=ctx.body[start:end], message=message or rule.message,
                   suggestion=rule.suggestion, penalty=round(rule.weight * factor, 2),
                   why=kind.explain() if kind else "")


def applies_here(rule: Rule, ctx: Context, index: int) -> bool:
    """Does the rule judge the kind of sentence at ``index`` (its ``applies_to``)?"""
    if not rule.applies_to:
        return True
    kind = ctx.kind_of(index)
    return kind is None or kind.kind in rule.applies_to


def trigger_spans(rule: Rule, ctx: Context) -> list[tuple[int, int]]:
    """Non-excused matches of a rule's phrases and patterns, in text order."""
    if ctx.triggers is not None:
        return ctx.triggers.get(rule.rule_id, [])
    candidates = list(ctx.phrase_hits.get((rule.rule_id, TRIGGER), ()))
    if rule.irregular_regex is not None and could_match(rule.irregular_needles, ctx.lowered):
        candidates += [(m.start(), m.end()) for m in rule.irregular_regex.finditer(ctx.lowered)]
    if rule.pattern_regex is not None and (not rule.requires
                                           or could_match(rule.requires, ctx.lowered)):
        candidates += [(m.start(), m.end()) for m in rule.pattern_regex.finditer(ctx.lowered)]
    outside_promises = bool(rule.options.get("outside_promises"))
    spans: list[tuple[int, int]] = []
    for start, end in drop_contained(candidates):
        if end == start or is_excused(ctx, start, end, rule.unless):
            continue
        if outside_promises and inside_promise(ctx, start):
            continue
        if not applies_here(rule, ctx, start):
            continue
        spans.append((start, end))
    return spans


def could_match(needles: tuple[str, ...], lowered: str) -> bool:
    """A cheap test before a costly regex: does one of the literal needles occur in the
    lower-cased text? (``in`` is a C-speed substring search; a regex alternation of
    the same strings retries every branch at every position.)"""
    for needle in needles:
        if needle in lowered:
            return True
    return False


def regex_needles(rule: Rule) -> tuple[str, ...] | None:
    """Strings of which one occurs wherever the rule's regexes (irregular phrases,
    patterns) match; None when a pattern needs none (it may match anywhere)."""
    if rule.pattern_regex is not None and not rule.requires:
        return None
    return ((rule.irregular_needles if rule.irregular_regex is not None else ())
            + (rule.requires if rule.pattern_regex is not None else ()))


def needles_occur(needles: tuple[str, ...] | None, lowered: str) -> bool:
    """Could regexes with these needles (:func:`regex_needles`) match in this text?"""
    return needles is None or could_match(needles, lowered)


def has_companion(rule: Rule, ctx: Context, unit: tuple[int, int]) -> bool:
    for start, _ in ctx.phrase_hits.get((rule.rule_id, COMPANION), ()):
        if unit[0] <= start < unit[1]:
            return True
    return bool(rule.companion_regex and rule.companion_regex.search(ctx.lowered, *unit))


def drop_contained(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Keep a span only if no other kept span contains it ("I think" over "think")."""
    kept: list[tuple[int, int]] = []
    for start, end in sorted(spans, key=lambda s: (s[0], -s[1])):
        if kept and start >= kept[-1][0] and end <= kept[-1][1]:
            continue
        kept.append((start, end))
    return kept


def run_phrases(rule: Rule, ctx: Context) -> list[Finding]:
    spans = trigger_spans(rule, ctx)
    if len(spans) < rule.min_count:
        return []
    return [make_finding(rule, ctx, s, e) for s, e in spans]


def run_absence(rule: Rule, ctx: Context) -> list[Finding]:
    """A trigger with no companion in its scope; once per scope unit."""
    hidden = footer_only_terms(rule, ctx)
    whole_body = (0, len(ctx.body))
    if rule.scope == "body" and not hidden and has_companion(rule, ctx, whole_body):
        return []   # the terms are there: no need to look for what they belong to
    findings: list[Finding] = []
    done: set[tuple[int, int]] = set()
    for start, end in trigger_spans(rule, ctx):
        unit = ctx.scope_span(rule.scope, start)
        if unit in done:
            continue
        done.add(unit)
        if has_companion(rule, ctx, unit):
            if rule.footer_message and hidden:
                # some terms are stated, but others were pushed below the signature
                partial = f"{rule.footer_message} ({', '.join(sorted(hidden))})"
                findings.append(make_finding(rule, ctx, start, end, partial))
            continue
        hidden_message = rule.footer_message if hidden and rule.footer_message else None
        start, end = preferred_span(rule, ctx, start, end)
        findings.append(make_finding(rule, ctx, start, end, hidden_message))
        if rule.scope == "body":
            break   # one finding says it for the whole body
    return findings


def preferred_span(rule: Rule, ctx: Context, start: int, end: int) -> tuple[int, int]:
    """The words a finding should point at: the rule's ``span_patterns`` (e.g. the price
    of an offer) in the trigger's sentence, else the trigger ("pilot", "free")."""
    preferred = rule.option_regexes.get("span_patterns")
    if preferred is None:
        return start, end
    s_start, s_end = ctx.scope_span("sentence", start)
    match = preferred.search(ctx.lowered, s_start, s_end)
    return (match.start(), match.end()) if match else (start, end)


def footer_only_terms(rule: Rule, ctx: Context) -> set[str]:
    """Companion terms that appear in the footer (P.S., fine print) but not in the body."""
    if not ctx.footer or rule.companion_any_regex is None:
        return set()
    in_footer = {m.group(0) for m in rule.companion_any_regex.finditer(ctx.footer.lower())}
    if not in_footer:
        return set()
    in_body = {m.group(0) for m in rule.companion_any_regex.finditer(ctx.lowered)}
    return in_footer - in_body


def run_together(rule: Rule, ctx: Context) -> list[Finding]:
    """A trigger with a partner in its scope (e.g. birthday wishes with a sales pitch)."""
    findings: list[Finding] = []
    done: set[tuple[int, int]] = set()
    triggers = trigger_spans(rule, ctx)
    if not triggers:
        return findings
    partners = list(ctx.phrase_hits.get((rule.rule_id, COMPANION), ()))
    if rule.companion_regex is not None:
        partners += [(m.start(), m.end()) for m in rule.companion_regex.finditer(ctx.lowered)]
    for start, end in triggers:
        unit = ctx.scope_span(rule.scope, start)
        if unit in done:
            continue
        for p_start, p_end in sorted(partners):
            if unit[0] <= p_start < unit[1] and not is_excused(ctx, p_start, p_end,
                                                                rule.unless):
                done.add(unit)
                findings.append(make_finding(rule, ctx, start, end))
                break
    return findings
