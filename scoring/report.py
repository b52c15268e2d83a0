"""The Report: scores, verdicts, findings, promises, questions; and its JSON form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from scoring.findings import Finding, Promise, Question
from scoring.settings import DIMENSIONS, MAX_SCORE, ScoringSettings


class DimensionScore(NamedTuple):
    score: int
    verdict: str
    penalty: float        # points taken off before the cap


@dataclass
class Report:
    score: int
    verdict: str
    language: str
    dimensions: dict[str, DimensionScore]
    findings: list[Finding]
    promises: list[Promise]
    questions: list[Question]
    readability: dict[str, Any]
    body: str
    verdict_reason: str = ""
    error: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON schema (see README, "Report JSON")."""
        return {
            "score": self.score,
            "verdict": self.verdict,
            "verdict_reason": self.verdict_reason,
            "language": self.language,
            "dimensions": {name: {"score": d.score, "verdict": d.verdict,
                                  "penalty": d.penalty}
                           for name, d in self.dimensions.items()},
            "findings": [{"rule": f.rule, "dimension": f.dimension, "start": f.start,
                          "end": f.end, "match": f.match, "message": f.message,
                          "suggestion": f.suggestion, "penalty": f.penalty,
                          **({"why": f.why} if f.why else {})}
                         for f in self.findings],
            "promises": [{"text": p.text, "start": p.start, "end": p.end, "owner": p.owner,
                          "due": p.due.isoformat() if p.due else None, "hedged": p.hedged,
                          "deadline_text": p.deadline_text or None}
                         for p in self.promises],
            "questions": [{"text": q.text, "answered": q.answered, "how": q.how,
                           "owed": q.owed} for q in self.questions],
            "readability": self.readability,
            "body": self.body,
            "error": self.error,
            **({"meta": self.meta} if self.meta else {}),
        }


def aggregate(findings: list[Finding], settings: ScoringSettings
              ) -> tuple[int, str, dict[str, DimensionScore], str]:
    """Per-dimension scores (penalties capped per dimension), the overall score and verdict,
    and the one sentence that explains the verdict.

    overall = 100 - sum over dimensions of weight x min(cap, penalties): every point a
    user sees comes from findings. A draft whose dimensions all pass is never held: small
    findings spread over several dimensions may add up to a warning, not to a hold.
    """
    penalties = dict.fromkeys(DIMENSIONS, 0.0)
    for finding in findings:
        penalties[finding.dimension] += finding.penalty
    dimensions: dict[str, DimensionScore] = {}
    lost = 0.0
    for name in DIMENSIONS:
        config = settings.dimensions[name]
        penalty = penalties[name]
        capped = min(float(config.cap), penalty)
        score = max(0, round(MAX_SCORE - capped))
        dimensions[name] = DimensionScore(score=score, verdict=config.thresholds.verdict(score),
                                          penalty=round(penalty, 2))
        lost += config.weight * capped
    overall = max(0, round(MAX_SCORE - lost))
    verdict = settings.thresholds.verdict(overall)
    failing = [name for name in DIMENSIONS if dimensions[name].verdict != "pass"]
    if verdict == "hold" and not failing:
        verdict = "warn"
    return overall, verdict, dimensions, explain_verdict(
        overall, verdict, dimensions, failing, len(findings), settings)


def explain_verdict(overall: int, verdict: str, dimensions: dict[str, DimensionScore],
                    failing: list[str], n_findings: int, settings: ScoringSettings) -> str:
    """One sentence a user can follow from the verdict to the dimensions behind it."""
    thresholds = settings.thresholds
    if n_findings == 0:
        return "pass: nothing to flag."
    named = ", ".join(f"{name} {dimensions[name].score} ({dimensions[name].verdict})"
                      for name in failing)
    if verdict == "pass":
        flagged = f"; {named} on its own" if failing else ""
        return (f"pass: {n_findings} minor finding{'s' if n_findings > 1 else ''}, "
                f"overall {overall} (warn below {thresholds.warn}){flagged}.")
    if not failing:
        return (f"warn: no dimension fails, but {n_findings} findings across dimensions add "
                f"up to {overall} (warn below {thresholds.warn}); a draft is held only when "
                f"a dimension fails.")
    limit = thresholds.hold if verdict == "hold" else thresholds.warn
    return f"{verdict}: overall {overall} ({verdict} below {limit}) because of {named}."


def error_report(message: str, language: str = "en") -> Report:
    empty = {name: DimensionScore(MAX_SCORE, "pass", 0.0) for name in DIMENSIONS}
    return Report(score=MAX_SCORE, verdict="pass", language=language, dimensions=empty,
                  findings=[], promises=[], questions=[], readability={}, body="",
                  verdict_reason=f"not scored: {message}", error=message)
