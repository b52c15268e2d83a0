"""The promise ledger: each promise I made, and whether I kept it.

A promise (found by the scoring core in mail I sent through the proxy, the add-on or
the Sent sync) is

- **kept** when I wrote again in the same thread after making it and no later than
  its due date (without a due date: when I wrote again at all);
- **overdue** when its due date has passed and it was not kept;
- **open** otherwise.

Pure: messages, threads and "now" are arguments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from daemon.conversations.response_times import MINE, Parties, TimedMessage
from daemon.conversations.threads import assign_threads
from daemon.store.queries import StoredPromise

OPEN = "open"
KEPT = "kept"
OVERDUE = "overdue"
STATUSES = (OPEN, KEPT, OVERDUE)


@dataclass(frozen=True)
class LedgerEntry:
    promise: StoredPromise
    thread: str
    status: str
    kept_at: datetime | None


def promise_statuses(promises: Sequence[StoredPromise], messages: Sequence[TimedMessage],
                     message_rows: Sequence[int], parties: Parties, now: datetime,
                     threads: Sequence[str] | None = None) -> list[LedgerEntry]:
    """Status of every promise; ``message_rows`` are the store row ids of ``messages``
    (``threads``, aligned with ``messages``, may be passed when already computed)."""
    if not promises:
        return []
    if threads is None:
        threads = assign_threads(messages)
    thread_of_row = dict(zip(message_rows, threads, strict=True))
    my_dates: dict[str, list[datetime]] = {}
    for message, thread in zip(messages, threads, strict=True):
        if message.date is not None and parties.role(message) == MINE:
            my_dates.setdefault(thread, []).append(message.date)
    entries: list[LedgerEntry] = []
    for promise in promises:
        thread = thread_of_row.get(promise.message_row, f"#row{promise.message_row}")
        kept_at = _first_follow_up(promise, my_dates.get(thread, []))
        if kept_at is not None:
            status = KEPT
        elif promise.due is not None and promise.due < now:
            status = OVERDUE
        else:
            status = OPEN
        entries.append(LedgerEntry(promise, thread, status, kept_at))
    return entries


def _first_follow_up(promise: StoredPromise, my_dates: list[datetime]) -> datetime | None:
    if promise.made_at is None:
        return None
    later = [d for d in my_dates if d > promise.made_at
             and (promise.due is None or d <= promise.due)]
    return min(later) if later else None
