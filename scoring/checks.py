"""Code checks: what rule data cannot express, producing the same Finding type.

Each function takes the draft context and its rule (weight, texts and ``options``
come from the rule pack) and returns findings. ``CODE_CHECKS`` maps the ``check``
name used in the packs to the function; it is a plain constant, not a registry.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from scoring.context import Context
from scoring.dates import MAX_PLAUSIBLE_WAIT, VAGUE_TIMING
from scoring.errors import ConfigError
from scoring.findings import Finding, Promise
from scoring.lowered import lower_keeping_offsets
from scoring.matcher import make_finding
from scoring.questions import find_questions, latest_quoted_message
from scoring.rules import Rule

Check = Callable[[Context, Rule], list[Finding]]


def option_regex(rule: Rule, key: str) -> re.Pattern[str] | None:
    """A phrase-list option of a code rule, compiled once with the rule."""
    return rule.option_regexes.get(key)


def option_text(rule: Rule, key: str, **values: object) -> str:
    """A message part from the rule's options (data, so it is in the pack's language)."""
    return str(rule.options[key]).format(**values)


def toward_reader(ctx: Context, rule: Rule, promise: Promise) -> bool:
    """Is the commitment an undertaking toward the reader ("I'll send you", "we will
    refund"), not a plan, a state or a third person's agenda ("we will be in great shape",
    "Mr. Peters will open the day")? Judged by the rule's ``undertakings`` phrases."""
    undertakings = option_regex(rule, "undertakings")
    return undertakings is None or bool(undertakings.search(ctx.lowered, promise.start,
                                                            promise.end))


# What can be unclear about a commitment toward the reader; a rule reports the
# ``options.cases`` it lists (its message texts are options of the same names).
# An undated follow-up ("I'll get back to you", "will keep you updated") is its own case:
# the reader waits for exactly that, so it needs a when; the rule's ``follow_ups``
# phrases say what is one, and its ``events`` phrases what ties it to an event instead
# ("as soon as I hear from them": honest, nothing to date).
PROMISE_CASES = ("no_owner_no_date", "vague_word", "no_date_follow_up", "no_date", "no_owner")


def promise_case(ctx: Context, rule: Rule, promise: Promise) -> tuple[str, str]:
    """Which of PROMISE_CASES a commitment is (or "" when owner and date are clear), and
    the vague word it uses instead of a date."""
    if promise.deadline_text:
        return ("no_owner" if promise.owner == "unclear" else ""), ""
    if promise.owner == "unclear":
        return "no_owner_no_date", ""
    vague = VAGUE_TIMING.search(ctx.lowered, promise.start, promise.end)
    if vague:
        return "vague_word", ctx.body[vague.start():vague.end()]
    follow_ups, events = option_regex(rule, "follow_ups"), option_regex(rule, "events")
    if follow_ups is not None and follow_ups.search(ctx.lowered, promise.start, promise.end):
        sentence = ctx.sentence_of(promise.start)
        s_start, s_end = (sentence.start, sentence.end) if sentence else (0, len(ctx.body))
        if events is not None and events.search(ctx.lowered, s_start, s_end):
            return "", ""
        return "no_date_follow_up", ""
    return "no_date", ""


def case_options(rule: Rule) -> tuple[str, ...]:
    """The message options a vague-promises rule needs: one per case it reports.
    An unknown case is a config error, named with the known ones."""
    if rule.check != "vague-promises":
        return ()
    cases = rule.options.get("cases", PROMISE_CASES)
    if not isinstance(cases, list | tuple) or not cases or any(
            case not in PROMISE_CASES for case in cases):
        raise ConfigError(rule.source, f"{rule.rule_id}.options.cases",
                          f"a non-empty list of: {', '.join(PROMISE_CASES)}")
    return tuple(cases)


def vague_promises(ctx: Context, rule: Rule) -> list[Finding]:
    """A commitment toward the reader without a deadline, or with no clear owner: the
    cases the rule reports. On real mail, "I'll look into it" with no date at all is
    mostly fine (an immediate step, an event to wait for), so the shipped packs report
    "soon"-instead-of-a-date and a missing owner in one rule, and keep the undated case
    in a rule that is off by default."""
    cases = rule.options.get("cases", PROMISE_CASES)
    findings = []
    for promise in ctx.promises:
        case, word = promise_case(ctx, rule, promise)
        if case not in cases or not toward_reader(ctx, rule, promise):
            continue
        message = f"{rule.message} {option_text(rule, case, word=word)}"
        findings.append(make_finding(rule, ctx, promise.start, promise.end, message))
    return findings


def hedged_promises(ctx: Context, rule: Rule) -> list[Finding]:
    return [make_finding(rule, ctx, p.start, p.end) for p in ctx.promises
            if p.hedged and toward_reader(ctx, rule, p)]


def over_promises(ctx: Context, rule: Rule) -> list[Finding]:
    pattern = option_regex(rule, "phrases")
    if pattern is None:
        return []
    findings = []
    for promise in ctx.promises:
        match = pattern.search(ctx.lowered, promise.start, promise.end + 60)
        if match:
            findings.append(make_finding(rule, ctx, match.start(), match.end()))
    return findings


def slow_reply(ctx: Context, rule: Rule) -> list[Finding]:
    """The customer waited more business days than allowed before this reply."""
    if ctx.quote_date is None or ctx.anchor is None or ctx.quotes_sender:
        return []
    if not customer_asked(ctx, rule):
        return []   # a message that asked nothing leaves nobody waiting
    if not timedelta(0) <= ctx.anchor - ctx.quote_date <= MAX_PLAUSIBLE_WAIT:
        return []   # a quote "written" after the reply, or years before: a misread date
    waited = ctx.clock.working_days_between(ctx.quote_date, ctx.anchor)
    allowed = ctx.business.slow_reply_business_days
    if waited <= allowed:
        return []
    first = ctx.sentences[0] if ctx.sentences else None
    start, end = (first.start, first.end) if first else (0, 0)
    message = f"{rule.message} {option_text(rule, 'waited', waited=waited, allowed=allowed)}"
    factor = float(waited - allowed)
    acknowledged = option_regex(rule, "acknowledged")
    if acknowledged is not None and acknowledged.search(ctx.lowered):
        # still slow, but the reply owns the wait: say so, and take off half
        message += " " + option_text(rule, "owned")
        factor /= 2
    return [make_finding(rule, ctx, start, end, message, factor=factor)]


def customer_asked(ctx: Context, rule: Rule) -> bool:
    """Did the customer's latest message ask for something: a question, or one of the
    rule's ``asked`` phrases ("please send", "let me know")?"""
    if find_questions(ctx):
        return True
    asked = option_regex(rule, "asked")
    return asked is not None and bool(asked.search(latest_quoted_message(ctx.quoted).lower()))


def unanswered_questions(ctx: Context, rule: Rule) -> list[Finding]:
    """Questions of the customer's latest message that the reply leaves open.

    With ``options.skipped_only`` (the shipped default) a question is reported only when
    the reply answers another question of the same message: an answer is recognised by
    its words, and a reply that shares words with none of the questions is more often an
    answer in other words (real list replies: "Looks like a DNS error") than a reply that
    ignores the customer. A reply that answers one question and skips the next is the
    case a person wants to be told about.
    """
    questions = find_questions(ctx)
    open_questions = [q for q in questions if not q.answered]
    answered = [q for q in questions if q.answered]
    if not open_questions or (rule.options.get("skipped_only") and not answered):
        return []
    end = len(ctx.body.rstrip())
    findings = []
    for question in open_questions:
        message = f"{rule.message} \u201c{question.text}\u201d"
        if answered:
            message += " " + option_text(rule, "skipped", answered=answered[0].text)
        findings.append(make_finding(rule, ctx, end, end, message))
    return findings


def upset_without_apology(ctx: Context, rule: Rule) -> list[Finding]:
    """The customer is upset (quoted text), and the reply neither apologises nor acknowledges."""
    upset = option_regex(rule, "upset")
    apology = option_regex(rule, "apology")
    if not ctx.is_reply or ctx.quotes_sender or upset is None or apology is None:
        return []
    customer = latest_quoted_message(ctx.quoted)
    cue = upset.search(lower_keeping_offsets(customer))
    if cue is None or apology.search(ctx.lowered):
        return []
    first = ctx.sentences[0] if ctx.sentences else None
    start, end = (first.start, first.end) if first else (0, 0)
    message = f"{rule.message} {option_text(rule, 'cue', cue=customer[cue.start():cue.end()])}"
    return [make_finding(rule, ctx, start, end, message)]


# The text options each check formats into its messages; Scorer checks they are there.
REQUIRED_OPTIONS: dict[str, tuple[str, ...]] = {
    "vague-promises": (),   # the texts of its `cases` (see engine.py)
    "slow-reply": ("waited", "owned", "asked"),
    "unanswered-questions": ("skipped",),
    "upset-without-apology": ("upset", "apology", "cue"),
    "over-promises": ("phrases",),
}

CODE_CHECKS: dict[str, Check] = {
    "vague-promises": vague_promises,
    "hedged-promises": hedged_promises,
    "over-promises": over_promises,
    "slow-reply": slow_reply,
    "unanswered-questions": unanswered_questions,
    "upset-without-apology": upset_without_apology,
}
