"""Where ``POST /v1/score`` runs the scoring core: worker processes, or threads.

The daemon scores API drafts in worker processes (daemon/scoring_workers.py explains
why); a worker returns the report as JSON bytes, ready to send.

:class:`ThreadRunner` runs a given scorer object in threads instead: for tests and
embedding, when no scoring settings are at hand.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from daemon.api.drafts import Draft, prepared
from daemon.api.http import encode_json
from daemon.scoring_workers import ScoringWorkers

THREADS = 2
AFFINITY_PREFIX_CHARS = 200


class Runner(Protocol):
    """Scores drafts off the event loop; ``run`` returns the report's JSON bytes."""

    async def start(self) -> None: ...
    async def run(self, draft: Draft) -> bytes: ...
    def close(self) -> None: ...


def score_draft(scorer: Any, draft: Draft) -> bytes:
    """Call the scorer the way the draft asks (text or raw message) -> JSON bytes."""
    draft = prepared(draft)   # issue 13: untrusted mail is bounded and parsed here, off the loop
    original = draft.original
    if draft.text is not None:
        report = scorer.score_text(
            draft.text, now=draft.now, lang=draft.lang,
            original_text=original.text if original else None,
            original_date=original.date if original else None)
    else:
        report = scorer.score_message(draft.raw, now=draft.now, lang=draft.lang,
                                      original=original.raw if original else None)
    return encode_json(report.to_dict())


def affinity_key(draft: Draft) -> Hashable:
    """What stays the same while somebody types one draft, so its re-scores go to the
    worker whose per-sentence caches already hold the draft's unchanged sentences.

    A reply's original is fixed from the first keystroke on (and its quote is part of
    the draft's text), so its Message-ID is the key. Otherwise the draft's first
    characters are: the greeting and first sentence change rarely once written, and
    while they are still being typed the draft is short and cheap to score anywhere.
    Two drafts that share a key merely share a worker; the load rule still applies.
    """
    if draft.original is not None and draft.original.message_id:
        return ("original", draft.original.message_id)
    if draft.text is not None:
        return ("text", draft.text[:AFFINITY_PREFIX_CHARS])
    return ("raw", (draft.raw or b"")[:AFFINITY_PREFIX_CHARS])


class ThreadRunner:
    """A given scorer object in a small thread pool."""

    def __init__(self, scorer: Any, threads: int = THREADS) -> None:
        self.scorer = scorer
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="api-score")

    async def start(self) -> None:
        return None

    async def run(self, draft: Draft) -> bytes:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, score_draft, self.scorer, draft)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


class ProcessRunner:
    """Scores in the daemon's scoring worker processes (see daemon/scoring_workers.py)."""

    def __init__(self, settings: Any, workers: int = 0) -> None:
        self.pool = ScoringWorkers(settings, workers, imports=(__name__,))
        self.workers = self.pool.workers

    async def start(self) -> None:
        """Spawn the workers; they warm up in the background, so the daemon is up at
        once (the first requests wait for them)."""
        self.pool.start()

    async def run(self, draft: Draft) -> bytes:
        return await self.pool.run(score_draft, draft, affinity=affinity_key(draft))

    def close(self) -> None:
        self.pool.close()
