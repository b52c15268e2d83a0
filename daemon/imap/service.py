"""The IMAP sync as a daemon service: one :class:`AccountWorker` thread per account.

Matches the daemon's ``Service`` protocol (``name``, ``async start()``, ``async
stop()``, ``describe()``); :func:`imap_sync_service` builds it (the daemon, daemon/app.py,
hands it ``on_scored`` to count the drafts it scores).
"""

from __future__ import annotations

import asyncio
from typing import Any

from daemon.config.load import LoadedConfig
from daemon.imap.account_worker import AccountWorker
from daemon.imap.drafts import Scored
from daemon.scoring_service.scorer import Scorer
from daemon.store.database import Store


class ImapSyncService:
    name = "imap-sync"

    def __init__(self, config: LoadedConfig, store: Store, scorer: Scorer | None,
                 on_scored: Scored | None = None) -> None:
        self.workers = [AccountWorker(account, store, scorer, on_scored=on_scored)
                        for account in config.daemon.accounts]

    async def start(self) -> None:
        for worker in self.workers:
            worker.start()

    async def stop(self) -> None:
        await asyncio.gather(*(asyncio.to_thread(w.stop) for w in self.workers))

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
