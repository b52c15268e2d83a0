"""Findings of one kind in one sentence are shown once.

"Maybe we could probably refund it, I think" holds three hedges; a user wants one
warning about the sentence, not three. Findings of the same rule, or of rules that
share a ``group`` in their pack (the hedge rules), in the same sentence become one
finding: it points at the first match, names the others, and costs what they cost
together, so grouping changes what is shown, not the score.
"""

from __future__ import annotations

from dataclasses import replace

from scoring.context import Context
from scoring.findings import Finding

MAX_NAMED_MATCHES = 4


def group_by_sentence(findings: list[Finding], ctx: Context,
                      groups: dict[str, str]) -> list[Finding]:
    """``findings`` in text order; ``groups`` maps a rule id to its group (default: the
    rule itself). Findings without a span (a question left open, at the end of the
    body) each stand alone."""
    grouped: list[Finding] = []
    members: dict[tuple[str, int], list[Finding]] = {}
    slot: dict[tuple[str, int], int] = {}
    for finding in findings:
        if finding.end <= finding.start:
            grouped.append(finding)
            continue
        sentence = ctx.sentence_of(finding.start)
        key = (groups.get(finding.rule, finding.rule), sentence.start if sentence else -1)
        if key not in slot:
            slot[key] = len(grouped)
            grouped.append(finding)
            members[key] = [finding]
        else:
            members[key].append(finding)
    for key, found in members.items():
        if len(found) > 1:
            grouped[slot[key]] = merged(found)
    return grouped


def merged(found: list[Finding]) -> Finding:
    first, others = found[0], found[1:]
    named = ", ".join(f"\u201c{f.match}\u201d" for f in others[:MAX_NAMED_MATCHES])
    more = len(others) - MAX_NAMED_MATCHES
    if more > 0:
        named += f" and {more} more"
    return replace(first, message=f"{first.message} (Also in this sentence: {named}.)",
                   penalty=round(sum(f.penalty for f in found), 2))
