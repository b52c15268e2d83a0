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
from scoring.dates import MAX_PLAUSIBLE_WAIT
from scoring.errors import ConfigError
from scoring.findings import Finding, Promise
from scoring.lazy_regex import LazyRegex
from scoring.lowered import lower_keeping_offsets
from scoring.matcher import draft_guard_holds, make_finding
from scoring.questions import find_questions, latest_quoted_message
from scoring.rules import Rule

Check = Callable[[Context, Rule], list[Finding]]


def option_regex(rule: Rule, key: str) -> LazyRegex | None:
    """A phrase-list option of a code rule, compiled once with the rule."""
    return rule.option_regexes.get(key)


def option_text(rule: Rule, key: str, **values: object) -> str:
    """A message part from the rule's options (data, so it is in the pack's language)."""
    return str(rule.options[key]).format(**values)


def toward_reader(ctx: Context, rule: Rule, promise: Promise) -> bool:
    """Is the commitment an undertaking toward the reader ("I'll send you", "we will
    refund"), not a plan, a state or a third person's agenda ("we will be in great shape",
    "Mr. Peters will open the day")? Judged, for a rule with ``toward_reader``, by the
    lexicon's ``undertakings``; any commitment is, for the others."""
    if not rule.options.get("toward_reader") or ctx.lexicon is None:
        return True
    return bool(ctx.lexicon.undertakings.search(ctx.lowered, promise.start, promise.end))


# What can be unclear about a commitment toward the reader; a rule reports the
# ``options.cases`` it lists (its message texts are options of the same names).
# An undated follow-up ("I'll get back to you", "will keep you updated") is its own case:
# the reader waits for exactly that, so it needs a when; the rule's ``follow_ups``
# phrases say what is one, and its ``events`` phrases what ties it to an event instead
# ("as soon as I hear from them": honest, nothing to date); in the shipped packs these are
# lists the rules share (the lexicon's ``[lists]``, scoring/shared_lists.py).
PROMISE_CASES = ("no_owner_no_date", "vague_word", "no_date_follow_up", "no_date", "no_owner")


def promise_case(ctx: Context, rule: Rule, promise: Promise) -> tuple[str, str]:
    """Which of PROMISE_CASES a commitment is (or "" when owner and date are clear), and
    the vague word it uses instead of a date."""
    if promise.deadline_text:
        return ("no_owner" if promise.owner == "unclear" else ""), ""
    sentence = ctx.sentence_of(promise.start)
    s_start, s_end = (sentence.start, sentence.end) if sentence else (0, len(ctx.body))
    # an event sets the time ("as soon as I hear", "after finishing the install"), or the
    # sentence is no undertaking at all ("maybe someone will", "next time I'll")
    for excusing in ("events", "conditions_patterns", "not_commitments"):
        regex = option_regex(rule, excusing)
        if regex is not None and regex.search(ctx.lowered, s_start, s_end):
            return "", ""
    if promise.owner == "unclear":
        return "no_owner_no_date", ""
    vague = (ctx.lexicon.vague_timing.search(ctx.lowered, promise.start, promise.end)
             if ctx.lexicon is not None else None)
    if vague:
        return "vague_word", ctx.body[vague.start():vague.end()]
    follow_ups = option_regex(rule, "follow_ups")
    if follow_ups is not None and follow_ups.search(ctx.lowered, promise.start, promise.end):
        return "no_date_follow_up", ""
    return "no_date", ""


def case_options(rule: Rule) -> tuple[str, ...]:
    """The message options a rule with ``options.cases`` needs: one per case it reports.
    An unknown case is a config error, named with the known ones."""
    known = CASES_OF_CHECK.get(rule.check)
    if known is None:
        return ()
    cases = rule.options.get("cases", known)
    if not isinstance(cases, list | tuple) or not cases or any(
            case not in known for case in cases):
        raise ConfigError(rule.source, f"{rule.rule_id}.options.cases",
                          f"a non-empty list of: {', '.join(known)}")
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
    if to_a_list(ctx) and not ctx.sender_named:
        return []   # a list member answering a question put to the list: not their wait
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


def to_a_list(ctx: Context) -> bool:
    """Does the reply go to a list rather than to the customer? A recipient the guard
    ``list-address`` matches ("r-help@...", "...@googlegroups.com"), or a message with a
    sender and no recipient at all (an archived list copy). A bare text: no."""
    if not ctx.recipients:
        return ctx.from_known
    return draft_guard_holds(ctx, LIST_GUARD)


def customer_asked(ctx: Context, rule: Rule) -> bool:
    """Did the customer's latest message ask for something: a question, or one of the
    rule's ``asked`` phrases ("please send", "let me know")?"""
    if find_questions(ctx):
        return True
    asked = option_regex(rule, "asked")
    return asked is not None and bool(asked.search(latest_quoted_message(ctx.quoted).lower()))


# Which open questions a rule reports (``options.cases``): a numbered reply that skips an
# item; a direct ask about the customer's money or the sender's undertaking ("will you
# refund the fee?", the rule's ``direct_ask_patterns``) the reply does not touch; or any question
# whose words the reply does not share while it answers another one ("unmatched"). On
# real replies the last is mostly an answer in other words (1 of 31 judged right).
QUESTION_CASES = ("skipped_item", "direct_ask", "unmatched")


def unanswered_questions(ctx: Context, rule: Rule) -> list[Finding]:
    """Questions of the customer's latest message that the reply leaves open: the cases
    the rule lists, each with why it counts as skipped."""
    cases = rule.options.get("cases", QUESTION_CASES)
    questions = find_questions(ctx)
    answered = [q for q in questions if q.answered]
    direct = option_regex(rule, "direct_ask_patterns")
    end = len(ctx.body.rstrip())
    findings = []
    for question in questions:
        if question.answered or not question.owed:
            continue
        if question.skipped and "skipped_item" in cases:
            numbers = sorted({q.item for q in answered if q.item})
            detail = option_text(rule, "skipped_item", item=question.item,
                                 answered=", ".join(map(str, numbers)))
        elif ("direct_ask" in cases and direct is not None
              and direct.search(question.text.lower())):
            detail = option_text(rule, "direct_ask")
        elif "unmatched" in cases and answered:
            detail = option_text(rule, "unmatched", answered=answered[0].text)
        else:
            continue
        message = f"{rule.message} \u201c{question.text}\u201d {detail}"
        findings.append(make_finding(rule, ctx, end, end, message))
    return findings


# the guard (rules/<lang>/guards.toml) that says the customer is upset in so many words;
# other rules read it too (``only_when``: playing down an upset customer's problem)
UPSET_GUARD = "customer-upset"
# ... and the one that says a recipient is a mailing list (a wait, an apology owed only
# when the customer named the sender)
LIST_GUARD = "list-address"


def upset_without_apology(ctx: Context, rule: Rule) -> list[Finding]:
    """The customer is upset (quoted text), and the reply neither apologises nor acknowledges."""
    upset = ctx.guards[UPSET_GUARD].regex   # there: the Scorer checks REQUIRED_GUARDS
    apology = option_regex(rule, "apology")
    if not ctx.is_reply or ctx.quotes_sender or apology is None:
        return []
    if ctx.greets_someone_else:
        return []   # the anger is at the person the customer greeted, not at this sender
    if to_a_list(ctx) and not ctx.sender_named:
        return []   # a post to a list ("I had no reply") is not a member's to apologise for
    customer = latest_quoted_message(ctx.quoted)
    lowered = lower_keeping_offsets(customer)
    cue = upset.search(lowered) or _upset_at_sender(rule, lowered)
    if cue is None or apology.search(ctx.lowered):
        return []
    first = ctx.sentences[0] if ctx.sentences else None
    start, end = (first.start, first.end) if first else (0, 0)
    message = f"{rule.message} {option_text(rule, 'cue', cue=customer[cue.start():cue.end()])}"
    return [make_finding(rule, ctx, start, end, message)]


CUSTOMER_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n\s*\n")


def _upset_at_sender(rule: Rule, lowered: str) -> re.Match[str] | None:
    """A softer word of frustration ("disappointed", "frustrating") counts only when its
    sentence is aimed at the sender's side ("your support", "again", "still"): on real
    mail it is mostly about software, the weather or the customer's own code."""
    soft, aimed = option_regex(rule, "upset_at_sender"), option_regex(rule, "at_sender")
    if soft is None or aimed is None:
        return None
    start = 0   # one pass over the sentences: hostile quotes hold thousands of cues
    for end in [m.start() for m in CUSTOMER_SENTENCE_END.finditer(lowered)] + [len(lowered)]:
        cue = soft.search(lowered, start, end)
        if cue is not None and aimed.search(lowered, start, end):
            return cue
        start = end + 1
    return None


CASES_OF_CHECK: dict[str, tuple[str, ...]] = {
    "vague-promises": PROMISE_CASES,
    "unanswered-questions": QUESTION_CASES,
}

# The options each check reads, and of what kind: scoring/rule_options.py.

# the guards a check reads from the rule's language (rules/<lang>/guards.toml)
REQUIRED_GUARDS: dict[str, tuple[str, ...]] = {
    "slow-reply": (LIST_GUARD,),
    "upset-without-apology": (UPSET_GUARD, LIST_GUARD),
}

CODE_CHECKS: dict[str, Check] = {
    "vague-promises": vague_promises,
    "hedged-promises": hedged_promises,
    "over-promises": over_promises,
    "slow-reply": slow_reply,
    "unanswered-questions": unanswered_questions,
    "upset-without-apology": upset_without_apology,
}
