"""Incremental header sync of one folder (INBOX or Sent) into the store.

- Only header fields are fetched (``BODY.PEEK[HEADER.FIELDS (...)]``: never a body,
  and ``\\Seen`` is not set).
- The folder is opened read-only. Its state (UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ with
  CONDSTORE) is kept per account/folder: when UIDNEXT and HIGHESTMODSEQ are unchanged
  nothing is fetched; otherwise only UIDs from the stored UIDNEXT on.
- A changed UIDVALIDITY means the server renumbered the folder: its stored headers are
  dropped and it is synced again from scratch.
- State is saved after every batch, so an interrupted first sync resumes where it
  stopped. Messages expunged from the server stay in the store (they were received or
  sent all the same; response times are history).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from imapclient import IMAPClient

from daemon.mail.headers import SYNC_HEADER_FIELDS, parse_headers
from daemon.store.database import Store
from daemon.store.queries import (
    SyncState,
    forget_folder,
    get_sync_state,
    replace_header_records,
    save_sync_state,
)

FETCH_BATCH = 1000
HEADER_ITEM = "BODY.PEEK[HEADER.FIELDS ({})]".format(" ".join(SYNC_HEADER_FIELDS).upper())
log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]   # (folder, done, total)


@dataclass(frozen=True)
class SyncResult:
    folder: str
    fetched: int
    uidvalidity_changed: bool
    unchanged: bool
    new_uids: tuple[int, ...] = ()


def enable_condstore(client: IMAPClient) -> bool:
    """Enable CONDSTORE when the server offers it (once per connection, before SELECT)."""
    if client.has_capability("CONDSTORE"):
        try:
            client.enable("CONDSTORE")
        except Exception:  # noqa: BLE001 - ENABLE is optional; sync works without it
            log.debug("ENABLE CONDSTORE refused; syncing by UIDNEXT only")
            return False
        return True
    return False


def sync_folder(client: IMAPClient, store: Store, account: str, folder: str, direction: str,
                progress: Progress | None = None) -> SyncResult:
    """Bring the store up to date with ``folder``; ``direction`` is "in" or "out"."""
    status = client.select_folder(folder, readonly=True)
    uidvalidity = int(status[b"UIDVALIDITY"])
    uidnext = int(status.get(b"UIDNEXT", 0))
    modseq_value = status.get(b"HIGHESTMODSEQ")
    highestmodseq = int(modseq_value) if modseq_value is not None else None
    state = get_sync_state(store, account, folder)
    renumbered = state is not None and state.uidvalidity != uidvalidity
    if renumbered:
        dropped = forget_folder(store, account, folder)
        log.warning("%s/%s: UIDVALIDITY changed; dropped %d headers, syncing again",
                    account, folder, dropped)
        state = None
    if state is not None and state.uidnext == uidnext and (
            highestmodseq is None or state.highestmodseq == highestmodseq):
        return SyncResult(folder, 0, False, True)
    start = state.uidnext if state is not None else 1
    uids = sorted(u for u in client.search(["UID", f"{start}:*"]) if u >= start)
    fetched = 0
    if progress:
        progress(folder, 0, len(uids))
    for offset in range(0, len(uids), FETCH_BATCH):
        batch = uids[offset:offset + FETCH_BATCH]
        records = []
        for uid, data in client.fetch(batch, [HEADER_ITEM]).items():
            raw = next((v for k, v in data.items() if k.startswith(b"BODY[")), b"")
            record = parse_headers(raw or b"", source="imap", direction=direction)
            record.account, record.folder, record.uid = account, folder, int(uid)
            records.append(record)
        replace_header_records(store, records)
        fetched += len(records)
        save_sync_state(store, SyncState(account, folder, uidvalidity, batch[-1] + 1, None))
        if progress:
            progress(folder, fetched, len(uids))
    save_sync_state(store, SyncState(account, folder, uidvalidity,
                                     max(uidnext, uids[-1] + 1 if uids else 1), highestmodseq))
    return SyncResult(folder, fetched, renumbered, False, tuple(uids))
