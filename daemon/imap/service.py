"""The IMAP sync as a daemon service: one :class:`AccountWorker` thread per account.

Matches the daemon's ``Service`` protocol (``name``, ``async start()``, ``async
stop()``, ``describe()``); :func:`imap_sync_service` is the factory the daemon calls.
"""

from __future__ import annotations

import asyncio
from typing import Any

from daemon.config.load import LoadedConfig
from daemon.imap.account_worker import AccountWorker
from daemon.scoring_service.scorer import Scorer
from daemon.store.database import Store


class ImapSyncService:
    name = "imap-sync"

    def __init__(self, config: LoadedConfig, store: Store, scorer: Scorer | None) -> None:
        self.workers = [AccountWorker(account, store, scorer)
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


def imap_sync_service(config: LoadedConfig, store: Store, scorer: Any) -> ImapSyncService | None:
    """Factory for the daemon: None when no ``[[accounts]]`` are configured."""
    if not config.daemon.accounts:
        return None
    return ImapSyncService(config, store, scorer)
