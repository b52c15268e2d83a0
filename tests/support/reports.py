"""Reports of the scoring core made by hand, for tests of what the daemon does with one."""

from __future__ import annotations

from collections.abc import Sequence

from scoring.findings import Finding, Promise
from scoring.report import DimensionScore, Report
from scoring.settings import DIMENSIONS


def a_report(score: int = 100, verdict: str = "pass", *, findings: Sequence[Finding] = (),
             promises: Sequence[Promise] = (), body: str = "", language: str = "en",
             error: str | None = None) -> Report:
    """A report as ``scoring.Scorer`` returns one (every dimension at ``score``)."""
    dimensions = {name: DimensionScore(score, verdict, 0.0) for name in DIMENSIONS}
    return Report(score=score, verdict=verdict, language=language, dimensions=dimensions,
                  findings=list(findings), promises=list(promises), questions=[],
                  readability={}, body=body, error=error)
