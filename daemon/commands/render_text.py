"""Human-readable text rendering of a Report (the CLI's default output)."""

from __future__ import annotations

import os
import sys

from scoring import Report
from scoring.settings import DIMENSIONS

BAR_WIDTH = 20
CONTEXT_CHARS = 60
# why a question counts as open (scoring/questions.py OPEN_BECAUSE), as the CLI says it
OPEN_BECAUSE = {
    "no-answer-found": "no answer found: the reply shares none of its words",
    "dont-know": "the reply says it does not know, but not how or when it will find out",
    "skipped-item": "the reply answers the numbers around it, not this one",
}


def _colour(enabled: bool) -> tuple[str, str, str]:
    if not enabled:
        return "", "", ""
    return "\033[1;33m", "\033[0m", "\033[2m"


def render_report(report: Report, title: str | None = None,
                  colour: bool | None = None) -> str:
    if colour is None:
        colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    hi, reset, dim = _colour(colour)
    lines: list[str] = []
    if title:
        lines.append(f"== {title}")
    if report.error:
        lines.append(f"error: {report.error}")
        return "\n".join(lines) + "\n\n"
    lines.append(f"trust score {report.score}/100  verdict: {report.verdict.upper()}  "
                 f"language: {report.language}")
    if report.verdict_reason:
        lines.append(f"  {report.verdict_reason}")
    for name in DIMENSIONS:
        dim_score = report.dimensions[name]
        filled = round(dim_score.score / 100 * BAR_WIDTH)
        lines.append(f"  {name:<15} {'#' * filled}{'.' * (BAR_WIDTH - filled)} "
                     f"{dim_score.score:>3}  {dim_score.verdict}")
    if report.findings:
        lines.append("")
        lines.append("findings:")
    for finding in report.findings:
        line_no = report.body.count("\n", 0, finding.start) + 1
        line_start = report.body.rfind("\n", 0, finding.start) + 1
        column = finding.start - line_start + 1
        lines.append(f"- [{finding.dimension}] {finding.message}  (-{finding.penalty:g}, "
                     f"{finding.rule}, line {line_no}:{column})")
        if finding.end > finding.start:
            before = report.body[max(line_start, finding.start - CONTEXT_CHARS):finding.start]
            line_end = report.body.find("\n", finding.end)
            line_end = len(report.body) if line_end < 0 else line_end
            after = report.body[finding.end:min(line_end, finding.end + CONTEXT_CHARS)]
            lines.append(f"    {dim}…{before}{reset}{hi}[{finding.match}]{reset}{dim}{after}…"
                         f"{reset}")
        if finding.why:
            lines.append(f"    {dim}{finding.why}{reset}")
        lines.append(f"    -> {finding.suggestion}")
    if report.promises:
        lines.append("")
        lines.append("promises:")
        for promise in report.promises:
            due = promise.due.isoformat(timespec="minutes") if promise.due else "no date"
            flags = ", hedged" if promise.hedged else ""
            lines.append(f"- \u201c{promise.text}\u201d  owner: {promise.owner}, due: {due}{flags}")
    waited = report.meta.get("waited")
    if waited:
        lines.append("")
        lines.append(f"customer waited: {waited['business_days']} business days "
                     f"({waited['business_hours']} business hours, {waited['wall_hours']} h "
                     "wall time)")
    open_questions = [q for q in report.questions if not q.answered and q.owed]
    if open_questions:
        lines.append("")
        lines.append("questions of the customer: check that you answered them")
        lines.extend(f"- {q.text}  ({OPEN_BECAUSE.get(q.how, 'no answer found')})"
                     for q in open_questions)
    ease = report.readability.get("flesch_reading_ease")
    if ease is not None:
        lines.append("")
        lines.append(f"readability: Flesch reading ease {ease}")
    return "\n".join(lines) + "\n\n"
