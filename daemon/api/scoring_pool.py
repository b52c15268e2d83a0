"""How ``POST /v1/score`` reaches the daemon's one scoring door (daemon/scoring_service/service.py).

A worker returns the report as JSON bytes, ready to send. :class:`Runner` is what the
handlers need; :class:`DraftScoring` is the daemon's, a user of the shared service.
"""

from __future__ import annotations

from typing import Protocol

from daemon.application.score_draft import DraftRequest, affinity_key, score_draft
from daemon.scoring_service.service import ScoringService


class Runner(Protocol):
    """Scores drafts off the event loop; ``run`` returns the report's JSON bytes."""

    async def start(self) -> None: ...
    async def run(self, draft: DraftRequest) -> bytes: ...
    def close(self) -> None: ...


class DraftScoring:
    """The API's share of the scoring service: ``start`` acquires it, ``close`` lets go."""

    def __init__(self, service: ScoringService) -> None:
        self.service = service
        self.holding = False

    async def start(self) -> None:
        """Take a share of the pool; its workers warm up in the background, so the
        daemon is up at once (the first requests wait for them)."""
        if not self.holding:
            self.holding = True
            await self.service.acquire()

    async def run(self, draft: DraftRequest) -> bytes:
        return await self.service.run(score_draft, draft, affinity=affinity_key(draft))

    def close(self) -> None:
        if self.holding:
            self.holding = False
            self.service.release()
