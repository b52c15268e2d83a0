"""``trustmail promises``: the promise ledger (open, kept, overdue) from the store.

    trustmail promises [--status open|kept|overdue] [--format text|json] [--me ADDRESS]

Statuses are recomputed from the store on every run and saved back, so the report
and this list always agree.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from daemon.application.list_promises import entry_dict, list_promises
from daemon.config.load import load_config
from daemon.conversations.promise_status import STATUSES
from daemon.reports.rows import PromiseRow
from daemon.reports.wording import shorten
from daemon.store.database import open_store


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("promises", help="list the promises you made and their status",
                                   description="The promise ledger: open, kept or overdue.")
    parser.add_argument("--status", choices=STATUSES, help="only promises with this status")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--me", action="append", metavar="ADDRESS",
                        help="my address (repeatable); default [report] me or account usernames")
    parser.add_argument("--config", type=Path, help="extra config file (highest layer)")
    parser.set_defaults(handler=run)


CUSTOMER_CHARS = 26
SUBJECT_CHARS = 30


def _day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment else "-"


def table(rows: list[PromiseRow]) -> list[str]:
    """One line per promise: the text on one line (newlines flattened) in the last column,
    customer and subject cut at a word so the columns stay aligned."""
    lines = [f"{'status':<8} {'made':<10} {'due':<10} {'customer':<{CUSTOMER_CHARS}} "
             f"{'subject':<{SUBJECT_CHARS}} promise"]
    for row in rows:
        promise = row.entry.promise
        hedged = " (hedged)" if promise.hedged else ""
        lines.append(f"{row.entry.status:<8} {_day(promise.made_at):<10} "
                     f"{_day(promise.due):<10} "
                     f"{shorten(row.customer or '-', CUSTOMER_CHARS):<{CUSTOMER_CHARS}} "
                     f"{shorten(row.subject, SUBJECT_CHARS):<{SUBJECT_CHARS}} "
                     f"{' '.join(promise.text.split())}{hedged}")
    return lines


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    settings = config.daemon.store
    store = open_store(settings.path, keep_bodies=settings.keep_bodies,
                       hash_subjects=settings.hash_subjects)
    try:
        shown = list_promises(config, store, args.me, datetime.now(UTC), args.status or "all")
    finally:
        store.close()
    if args.format == "json":
        print(json.dumps([entry_dict(row) for row in shown], indent=2, ensure_ascii=False))
        return 0
    if not shown:
        print("no promises" + (f" with status {args.status}" if args.status else ""))
        return 0
    print("\n".join(table(shown)))
    sys.stdout.flush()
    return 0
