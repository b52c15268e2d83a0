"""List promises: the promise ledger (open, kept, overdue) computed from the store.

The one place that turns the store into ledger entries, for ``trustmail promises`` and
``GET /v1/promises`` alike. Statuses are recomputed on every call and saved back, so
the weekly report and this list always agree.
"""

from __future__ import annotations

from datetime import datetime

from daemon.config.load import LoadedConfig
from daemon.conversations.promise_status import promise_statuses
from daemon.reports.rows import PromiseRow, promise_rows
from daemon.reports.sources import my_addresses, parties_for, store_inputs
from daemon.store.database import Store
from daemon.store.queries import save_promise_statuses

ALL = "all"


def list_promises(config: LoadedConfig, store: Store, me: list[str] | None,
                  now: datetime, status: str = ALL) -> list[PromiseRow]:
    """Every ledger entry as of ``now`` (``status`` keeps one status only) with the
    customer it was made to and the subject; ``me`` overrides whose promises count
    (default: ``[report] me``, else the accounts)."""
    parties = parties_for(config, my_addresses(config, me))
    messages, promises = store_inputs(store)
    ledger = promise_statuses(promises, messages, [m.row_id for m in messages], parties, now)
    save_promise_statuses(store, [(e.promise.promise_id, e.status) for e in ledger])
    return promise_rows([entry for entry in ledger if status in (ALL, entry.status)],
                        messages, parties)


def entry_dict(row: PromiseRow) -> dict[str, object]:
    """One entry as ``trustmail promises --format json`` and the API show it."""
    entry, promise = row.entry, row.entry.promise
    return {"text": promise.text, "status": entry.status, "owner": promise.owner,
            "customer": row.customer, "subject": row.subject,
            "hedged": promise.hedged, "thread": entry.thread,
            "made_at": promise.made_at.isoformat() if promise.made_at else None,
            "due": promise.due.isoformat() if promise.due else None,
            "kept_at": entry.kept_at.isoformat() if entry.kept_at else None}
