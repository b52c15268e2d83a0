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
from daemon.config import load_config
from daemon.promise_ledger import STATUSES
from daemon.store import open_store


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("promises", help="list the promises you made and their status",
                                   description="The promise ledger: open, kept or overdue.")
    parser.add_argument("--status", choices=STATUSES, help="only promises with this status")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--me", action="append", metavar="ADDRESS",
                        help="my address (repeatable); default [report] me or account usernames")
    parser.add_argument("--config", type=Path, help="extra config file (highest layer)")
    parser.set_defaults(handler=run)


def _day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment else "-"


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
        print(json.dumps([entry_dict(e) for e in shown], indent=2, ensure_ascii=False))
        return 0
    if not shown:
        print("no promises" + (f" with status {args.status}" if args.status else ""))
        return 0
    print(f"{'status':<8} {'made':<10} {'due':<10}  promise")
    for entry in shown:
        hedged = " (hedged)" if entry.promise.hedged else ""
        print(f"{entry.status:<8} {_day(entry.promise.made_at):<10} "
              f"{_day(entry.promise.due):<10}  {entry.promise.text}{hedged}")
    sys.stdout.flush()
    return 0
