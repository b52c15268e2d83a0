"""Apply data rules (phrases, absence, together) to a draft, with context guards."""

from __future__ import annotations

import re

from scoring.context import Context
from scoring.findings import Finding
from scoring.rules import Guard, Rule

WORD = re.compile(r"[\w'’]+")


def is_excused(ctx: Context, start: int, end: int, guard_names: tuple[str, ...]) -> bool:
    """True when a guard of the rule says the context excuses the match."""
    if not guard_names:
        return False
    sentence = ctx.sentence_of(start)
    s_start, s_end = (sentence.start, sentence.end) if sentence else (0, len(ctx.body))
    for name in guard_names:
        guard = ctx.guards[name]
        if guard_applies(guard, ctx.body, start, end, s_start, s_end):
            return True
    return False


def guard_applies(guard: Guard, text: str, start: int, end: int,
                  s_start: int, s_end: int) -> bool:
    if guard.kind == "before":
        words = WORD.findall(text[s_start:start])[-guard.window:]
        return bool(guard.regex.search(" ".join(words)))
    if guard.kind == "after":
        words = WORD.findall(text[end:s_end])[:guard.window]
        return bool(guard.regex.match(" ".join(words)))
    if guard.kind == "clause":
        return bool(guard.regex.search(text[s_start:start]))
    # covering: a guard phrase in the sentence whose span contains the match
    for match in guard.regex.finditer(text, s_start, s_end):
        if match.start() <= start and end <= match.end():
            return True
    return False


def make_finding(rule: Rule, ctx: Context, start: int, end: int,
                 message: str | None = None, factor: float = 1.0) -> Finding:
    return Finding(rule=rule.rule_id, dimension=rule.dimension, start=start, end=end,
                   match=ctx.body[start:end], message=message or rule.message,
                   suggestion=rule.suggestion, penalty=round(rule.weight * factor, 2))


def trigger_spans(rule: Rule, ctx: Context) -> list[tuple[int, int]]:
    if rule.regex is None:
        return []
    spans = []
    for match in rule.regex.finditer(ctx.body):
        if match.end() > match.start() and not is_excused(ctx, match.start(), match.end(),
                                                           rule.unless):
            spans.append((match.start(), match.end()))
    return spans


def run_phrases(rule: Rule, ctx: Context) -> list[Finding]:
    spans = trigger_spans(rule, ctx)
    if len(spans) < rule.min_count:
        return []
    return [make_finding(rule, ctx, s, e) for s, e in spans]


def run_absence(rule: Rule, ctx: Context) -> list[Finding]:
    """A trigger with no companion in its scope; once per scope unit."""
    findings: list[Finding] = []
    done: set[tuple[int, int]] = set()
    assert rule.companion_regex is not None
    for start, end in trigger_spans(rule, ctx):
        unit = ctx.scope_span(rule.scope, start)
        if unit in done:
            continue
        done.add(unit)
        if rule.companion_regex.search(ctx.body, unit[0], unit[1]):
            continue
        in_footer = bool(ctx.footer and rule.companion_regex.search(ctx.footer))
        message = rule.footer_message if in_footer and rule.footer_message else None
        findings.append(make_finding(rule, ctx, start, end, message))
    return findings


def run_together(rule: Rule, ctx: Context) -> list[Finding]:
    """A trigger with a partner in its scope (e.g. birthday wishes with a sales pitch)."""
    findings: list[Finding] = []
    done: set[tuple[int, int]] = set()
    assert rule.companion_regex is not None
    for start, end in trigger_spans(rule, ctx):
        unit = ctx.scope_span(rule.scope, start)
        if unit in done:
            continue
        for partner in rule.companion_regex.finditer(ctx.body, unit[0], unit[1]):
            if not is_excused(ctx, partner.start(), partner.end(), rule.unless):
                done.add(unit)
                findings.append(make_finding(rule, ctx, start, end))
                break
    return findings
