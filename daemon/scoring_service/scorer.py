"""The one spelling of "the scorer" in the daemon: what it needs of ``scoring.Scorer``.

``scoring.Scorer`` fits it; so does :class:`daemon.scoring_service.service.ScoringService`
(which lends its own scorer to callers already off the event loop, such as the report
scheduler), and so do the small stand-ins tests use for the API layer alone.

What it returns is the core's typed :class:`scoring.report.Report`: the one value a
report is wherever it crosses the daemon (workers, SMTP proxy, IMAP, store);
``Report.to_dict()`` is its JSON form, written only where JSON goes out (the API, the CLI).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from scoring.report import Report


class Scorer(Protocol):
    """Scores a draft: RFC 5322 bytes, or plain text with the original it answers."""

    def score_message(self, raw: bytes, *, now: datetime | None = None, lang: str = "auto",
                      original: bytes | None = None) -> Report: ...

    def score_text(self, text: str, *, now: datetime | None = None, lang: str = "auto",
                   original_text: str | None = None,
                   original_date: datetime | None = None) -> Report: ...
