"""Where IMAP mail is read and scored: in the daemon's scoring workers, like the API's drafts.

Anyone can put a hostile message in a mailbox (a draft saved by a client that quotes
it, mail in Sent), and the stdlib's header parser and the scoring core are CPU work
that in a thread of the daemon would hold the GIL the event loop needs (issue 13: a
40 KB draft stalled an SMTP send for 37 s, a 252 KB one left the daemon at 1.5 GB).
So :func:`score_mail`, the job, reads the headers and scores the bounded message in a
worker process of the daemon's one scoring service, with its memory cap and time
budget; the account thread only stores what comes back.

- :class:`PooledScoring` (the daemon): an account thread hands the job to the event
  loop that owns the pool and waits for the answer. A message past the workers'
  limits raises :class:`Unscorable`: it is skipped, not retried (it would fail again
  and cost another respawn).
- :class:`LocalScoring` (``trustmail sync``, tests with a scorer of their own): the
  same job in the calling thread.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass
from datetime import datetime

from daemon.mail.bounded import MAX_SCORED_BYTES, bound_message
from daemon.mail.headers import parse_headers
from daemon.scoring_service.pool import (
    JobTimedOut,
    WorkerCrashed,
    WorkerOutOfMemory,
    WorkersClosed,
)
from daemon.scoring_service.scorer import Scorer
from daemon.scoring_service.service import ScoringService
from daemon.store.database import MessageRecord
from scoring.report import Report

SOURCE = "imap"
MAX_NOTES = 5           # of what bounding cut, for the log


@dataclass(frozen=True)
class ScoredMail:
    """A message read and scored: its header record, its report, what bounding cut."""

    record: MessageRecord
    report: Report
    notes: tuple[str, ...] = ()


class Unscorable(Exception):
    """The message could not be scored within the scoring workers' limits (its time
    budget, the memory cap, or its worker crashed on it)."""


def score_mail(scorer: Scorer, raw: bytes, direction: str, now: datetime | None) -> ScoredMail:
    """The job: ``raw``'s header record, and its report scored at ``now`` (the
    message's own Date when None: Sent mail's promises are due from when it was sent)."""
    record = parse_headers(raw, source=SOURCE, direction=direction)
    bounded = bound_message(raw)
    report = scorer.score_message(bounded.raw, now=now or record.date)
    return ScoredMail(record, report, tuple(bounded.notes[:MAX_NOTES]))


class MailScoring:
    """Scores one IMAP message for an account thread (blocking)."""

    def score(self, raw: bytes, direction: str, now: datetime | None) -> ScoredMail:
        raise NotImplementedError

    def close(self) -> None:
        """Stop: a call waiting for its answer raises WorkersClosed."""


class LocalScoring(MailScoring):
    """The job in the calling thread, with ``scorer``."""

    def __init__(self, scorer: Scorer) -> None:
        self.scorer = scorer

    def score(self, raw: bytes, direction: str, now: datetime | None) -> ScoredMail:
        return score_mail(self.scorer, raw, direction, now)


class PooledScoring(MailScoring):
    """The job in a worker of ``service`` (acquired by its owner), through ``loop``,
    the event loop the service's pool runs in. Call :meth:`score` from another thread."""

    def __init__(self, service: ScoringService, loop: asyncio.AbstractEventLoop, *,
                 budget: float | None = None) -> None:
        self.service = service
        self.loop = loop
        self.budget = budget
        self._waiting: set[Future[ScoredMail]] = set()
        self._lock = threading.Lock()
        self._closed = False

    def score(self, raw: bytes, direction: str, now: datetime | None) -> ScoredMail:
        if _on_an_event_loop():
            raise RuntimeError("PooledScoring.score waits for its answer: call it from a "
                               "thread of its own, never on the event loop")
        # The worker sees what the SMTP proxy's does: the scoring core reads no more of
        # a message than its bounded head and 1 MiB of body.
        job = self.service.run(score_mail, raw[:MAX_SCORED_BYTES], direction, now,
                               budget=self.budget)
        with self._lock:
            if self._closed:
                job.close()
                raise WorkersClosed("the IMAP sync is stopping")
            future = asyncio.run_coroutine_threadsafe(job, self.loop)
            self._waiting.add(future)
        try:
            return future.result()
        except (JobTimedOut, WorkerOutOfMemory, WorkerCrashed) as error:
            raise Unscorable(f"{type(error).__name__}: {error}") from None
        except CancelledError:
            raise WorkersClosed("the IMAP sync is stopping") from None
        finally:
            with self._lock:
                self._waiting.discard(future)

    def close(self) -> None:
        """Withdraw the jobs account threads wait for (a queued one never runs)."""
        with self._lock:
            self._closed = True
            waiting = list(self._waiting)
        for future in waiting:
            future.cancel()


def _on_an_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def mail_scoring(scorer: Scorer | MailScoring) -> MailScoring:
    """``scorer`` as a MailScoring (a plain scorer scores in the calling thread)."""
    return scorer if isinstance(scorer, MailScoring) else LocalScoring(scorer)
