"""First-response times and promise events for the metrics, from the store's ledger.

Response times and promise statuses are not events the daemon sees at one place: they
follow from the whole store (a customer's message synced from INBOX, my reply relayed by
the proxy or synced from Sent, a due date passing). So the metrics read them the way the
weekly report does (daemon/conversations/response_times.py and promise_status.py) and
turn each
*change* into an event, exactly once:

- a newly answered block of customer mail: one observation of its business seconds;
- a promise newly in the store: ``made``; a promise newly kept or newly overdue: ``kept``
  or ``overdue``.

What was in the store when the daemon started is the baseline (its highest message and
promise row ids, a :class:`StartMark`): counters count what happens while the daemon runs,
as Prometheus expects after a restart, and a reply stored after the start counts even if
the first pass comes later. A pass runs only when the store changed or a promise's due
date passed, and at most once per ``PASS_BUDGET`` times the last pass's duration, so a
large mailbox costs at most a twentieth of one core. In the daemon the watch runs in a
process of its own (daemon/metrics/store_watch_process.py): a pass over 10,000 messages takes
about a second of CPU, which must not hold the GIL that the SMTP proxy and the API answer
with.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from daemon.config.load import LoadedConfig
from daemon.conversations.promise_status import KEPT, OVERDUE, promise_statuses
from daemon.conversations.response_times import Parties, Response, compute_response_times
from daemon.conversations.threads import assign_threads
from daemon.reports.sources import my_addresses, parties_for
from daemon.runtime.logs import log_event
from daemon.store.database import Store
from daemon.store.queries import load_messages, load_promises
from scoring.business_time import BusinessClock
from scoring.errors import InputError

log = logging.getLogger("trustmail.metrics")

PASS_BUDGET = 20.0          # wait at least 20x the last pass's duration before the next
MIN_GAP_SECONDS = 1.0

ResponseKey = tuple[str, str, str, str]
StoreMark = tuple[object, ...]


@dataclass(frozen=True)
class StartMark:
    """The store's last message and promise row ids when the daemon started."""

    message_row: int
    promise_row: int


def start_mark(store: Store) -> StartMark:
    row = store.query("SELECT (SELECT max(id) FROM messages), (SELECT max(id) FROM promises)")[0]
    return StartMark(int(row[0] or 0), int(row[1] or 0))


def response_key(response: Response) -> ResponseKey:
    """What identifies one answered block across passes (thread ids may be renumbered)."""
    return (response.inbound_message_id, response.inbound_at.isoformat(),
            response.reply_message_id, response.replied_at.isoformat())


class LedgerSink(Protocol):
    """Where the watch reports what it found (the recorder, or a buffer across processes)."""

    def first_response(self, business_seconds: float, customer_address: str) -> None: ...
    def promise(self, event: str, amount: int = 1) -> None: ...


@dataclass
class LedgerCounts:
    """What one pass found new (for logs and tests)."""

    responses: int = 0
    made: int = 0
    kept: int = 0
    overdue: int = 0


class LedgerWatch:
    """Watches the store and records response times and promise events once each."""

    def __init__(self, config: LoadedConfig, store: Store, recorder: LedgerSink,
                 since: StartMark | None = None) -> None:
        """``since``: the baseline (default: the store as it is now)."""
        self.store = store
        self.recorder = recorder
        self.since = since if since is not None else start_mark(store)
        self.configure(config)
        self._responses: set[ResponseKey] | None = None     # None: no baseline yet
        self._statuses: dict[int, str] = {}
        self._mark: StoreMark | None = None
        self._next_due: datetime | None = None
        self._not_before = 0.0

    def configure(self, config: LoadedConfig) -> None:
        """Take the business hours and "me" of a (reloaded) config."""
        self.clock = BusinessClock(config.scoring.business)
        self.parties: Parties | None
        try:
            self.parties = parties_for(config, my_addresses(config, None))
        except InputError as error:
            self.parties = None
            log_event(log, logging.WARNING, "metrics-ledger-off",
                      problem=f"first-response times and promises are not exported: {error}")

    def store_mark(self) -> StoreMark:
        """Cheap: changes whenever a message or promise is added, removed or re-judged."""
        row = self.store.query(
            "SELECT (SELECT max(id) FROM messages), (SELECT count(*) FROM messages), "
            "(SELECT max(id) FROM promises), (SELECT count(*) FROM promises), "
            "(SELECT max(status_at) FROM promises)")[0]
        return tuple(row)

    def tick(self, now: datetime) -> LedgerCounts | None:
        """A pass if one is due (the store changed, or a due date passed); else None."""
        if self.parties is None or time.monotonic() < self._not_before:
            return None
        mark = self.store_mark()
        due_passed = self._next_due is not None and self._next_due <= now
        if mark == self._mark and not due_passed:
            return None
        started = time.monotonic()
        counts = self.run_pass(now)
        self._mark = mark
        self._not_before = time.monotonic() + max(MIN_GAP_SECONDS,
                                                  (time.monotonic() - started) * PASS_BUDGET)
        return counts

    def run_pass(self, now: datetime) -> LedgerCounts:
        """Compute the ledger as of ``now``; record what is new since the last pass."""
        assert self.parties is not None
        messages = load_messages(self.store)
        promises = load_promises(self.store)
        threads = assign_threads(messages)
        responses = compute_response_times(messages, self.parties, self.clock, now,
                                           threads).responses
        ledger = promise_statuses(promises, messages, [m.row_id for m in messages],
                                  self.parties, now, threads)
        first = self._responses is None
        seen = self._responses if self._responses is not None else set()
        row_of = {m.message_id: m.row_id for m in messages if m.message_id}
        counts = LedgerCounts()
        for response in responses:
            key = response_key(response)
            if key in seen:
                continue
            seen.add(key)
            if not first or row_of.get(response.reply_message_id, 0) > self.since.message_row:
                self.recorder.first_response(response.business_seconds, response.customer)
                counts.responses += 1
        statuses: dict[int, str] = {}
        for entry in ledger:
            promise_id = entry.promise.promise_id
            before = self._statuses.get(promise_id)
            statuses[promise_id] = entry.status
            if first and promise_id <= self.since.promise_row:
                continue                       # in the store at start: the baseline
            if before is None:
                counts.made += 1
            if entry.status == KEPT and before != KEPT:
                counts.kept += 1
            elif entry.status == OVERDUE and before != OVERDUE:
                counts.overdue += 1
        for event, amount in (("made", counts.made), ("kept", counts.kept),
                              ("overdue", counts.overdue)):
            if amount:
                self.recorder.promise(event, amount)
        self._responses, self._statuses = seen, statuses
        open_dues = [e.promise.due for e in ledger
                     if e.status not in (KEPT, OVERDUE) and e.promise.due is not None]
        self._next_due = min(open_dues) if open_dues else None
        return counts
