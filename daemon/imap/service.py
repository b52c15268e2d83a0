"""The IMAP sync as a daemon service: one :class:`AccountWorker` thread per account.

Matches the daemon's ``Service`` protocol (``name``, ``async start()``, ``async
stop()``, ``describe()``); :func:`imap_sync_service` builds it (the daemon, daemon/app.py,
hands it ``on_scored`` to count the drafts it scores). Given the daemon's
:class:`ScoringService`, it holds a share of the service's worker pool while it runs,
and the account threads score drafts and Sent mail there (daemon/imap/mail_scoring.py).
"""

from __future__ import annotations

import asyncio
from typing import Any

from daemon.config.load import LoadedConfig
from daemon.imap.account_worker import AccountWorker
from daemon.imap.drafts import Scored
from daemon.imap.mail_scoring import MailScoring, PooledScoring
from daemon.scoring_service.scorer import Scorer
from daemon.scoring_service.service import ScoringService
from daemon.store.database import Store


class ImapSyncService:
    name = "imap-sync"

    def __init__(self, config: LoadedConfig, store: Store, scorer: Scorer | None,
                 on_scored: Scored | None = None) -> None:
        self.scorer = scorer
        self.pooled: PooledScoring | None = None
        self.workers = [AccountWorker(account, store, scorer, on_scored=on_scored)
                        for account in config.daemon.accounts]

    async def start(self) -> None:
        scoring: Scorer | MailScoring | None = self.scorer
        if isinstance(self.scorer, ScoringService):
            await self.scorer.acquire()
            scoring = self.pooled = PooledScoring(self.scorer, asyncio.get_running_loop())
        for worker in self.workers:
            worker.scorer = scoring
            worker.start()

    async def stop(self) -> None:
        if self.pooled is not None:
            self.pooled.close()     # a thread waiting for a score stops waiting
        await asyncio.gather(*(asyncio.to_thread(w.stop) for w in self.workers))
        if self.pooled is not None and isinstance(self.scorer, ScoringService):
            self.pooled = None
            self.scorer.release()

    def describe(self) -> str:
        return "IMAP sync: " + ", ".join(
            f"{w.account.name} ({w.last_error or ('connected' if w.connections else 'connecting')})"
            for w in self.workers)


def imap_sync_service(config: LoadedConfig, store: Store, scorer: Any,
                      on_scored: Scored | None = None) -> ImapSyncService | None:
    """Factory for the daemon: None when no ``[[accounts]]`` are configured;
    ``on_scored`` is told each scored draft's report (the daemon counts them)."""
    if not config.daemon.accounts:
        return None
    return ImapSyncService(config, store, scorer, on_scored)
