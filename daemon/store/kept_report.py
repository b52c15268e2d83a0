"""What the store keeps of a report: the shape it reads, and the metadata it keeps.

A report reaches the store in one of two typed forms, both read through
:class:`ScoredReport`: the scoring core's ``scoring.report.Report`` (the SMTP proxy, the
IMAP sync) and the add-on's copy of one sent with ``POST /v1/sent``, validated by the
API's ``Report`` model (whose promises may lack their offsets, and whose due dates are
the ISO text sent). Neither is converted into the other: the store reads the fields it
keeps. :class:`KeptReport` is what it keeps, also the JSON of a journal line
(daemon/store/journal.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, TypedDict

NOT_STORED = ""        # what a text column holds when keep_bodies is off


class ScoredFinding(Protocol):
    @property
    def rule(self) -> str: ...
    @property
    def dimension(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def match(self) -> str: ...
    @property
    def penalty(self) -> float: ...


class ScoredPromise(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def start(self) -> int | None: ...
    @property
    def end(self) -> int | None: ...
    @property
    def owner(self) -> str: ...
    @property
    def due(self) -> datetime | str | None: ...     # the core's datetime, the API's text
    @property
    def hedged(self) -> bool: ...


class ScoredReport(Protocol):
    """The fields of a report the store reads."""

    @property
    def score(self) -> int: ...
    @property
    def verdict(self) -> str: ...
    @property
    def language(self) -> str | None: ...
    @property
    def findings(self) -> Sequence[ScoredFinding]: ...
    @property
    def promises(self) -> Sequence[ScoredPromise]: ...


class KeptFinding(TypedDict):
    rule: str
    dimension: str
    start: int
    end: int
    penalty: float
    match: str
    match_hash: str


class KeptPromise(TypedDict):
    text: str
    owner: str
    due: str | None
    hedged: bool
    start: int | None
    end: int | None
    text_hash: str


class KeptReport(TypedDict):
    score: int
    verdict: str
    language: str | None
    findings: list[KeptFinding]
    promises: list[KeptPromise]


def text_hash(text: str) -> str:
    """A short digest that tells texts apart without keeping them."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def iso_due(due: datetime | str | None) -> str | None:
    """A due date as the report's JSON writes it."""
    return due.isoformat() if isinstance(due, datetime) else due


def storable_report(report: ScoredReport, keep_bodies: bool) -> KeptReport:
    """The part of a report the store keeps: without bodies, metadata only.

    Findings keep rule, dimension, offsets, penalty and a hash of the match; promises
    keep owner, due date, hedged, offsets and a hash of the sentence. The text itself
    only with ``keep_bodies``.
    """
    def kept(text: str) -> str:
        return text if keep_bodies else NOT_STORED

    return {
        "score": report.score, "verdict": report.verdict, "language": report.language,
        "findings": [{"rule": f.rule, "dimension": f.dimension, "start": f.start,
                      "end": f.end, "penalty": f.penalty, "match": kept(f.match),
                      "match_hash": text_hash(f.match)} for f in report.findings],
        "promises": [{"text": kept(p.text), "owner": p.owner, "due": iso_due(p.due),
                      "hedged": bool(p.hedged), "start": p.start, "end": p.end,
                      "text_hash": text_hash(p.text)} for p in report.promises],
    }


def kept_again(report: KeptReport, keep_bodies: bool) -> KeptReport:
    """A kept report (a journal line) as this store keeps it: without its texts when
    keep_bodies is off now, whatever it was when the line was written."""
    if keep_bodies:
        return report
    return {**report,
            "findings": [{**f, "match": NOT_STORED} for f in report["findings"]],
            "promises": [{**p, "text": NOT_STORED} for p in report["promises"]]}
