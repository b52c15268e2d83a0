"""``trustmail sync``: one incremental header sync of INBOX and Sent, with progress.

The daemon keeps syncing by itself; this command is for a first sync of a large
mailbox (progress on stderr) and for scripts.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from daemon.config.load import load_config
from daemon.imap.account_worker import sync_headers
from daemon.imap.connection import connect
from daemon.imap.folders import discover_folders
from daemon.imap.header_sync import enable_condstore
from daemon.store.database import open_store
from scoring import Scorer
from scoring.errors import InputError

PROGRESS_INTERVAL_SECONDS = 0.5


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("sync", help="sync INBOX and Sent headers of IMAP accounts",
                                   description="Incremental header sync into the store.")
    parser.add_argument("--account", help="only this [[accounts]] name")
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    parser.add_argument("--config", type=Path, help="extra config file (highest layer)")
    parser.set_defaults(handler=run)


class ProgressLine:
    """Prints "account/folder: done/total (pct)" to stderr at most twice a second."""

    def __init__(self, account: str, quiet: bool) -> None:
        self.account = account
        self.quiet = quiet
        self.last = 0.0

    def __call__(self, folder: str, done: int, total: int) -> None:
        now = time.monotonic()
        if self.quiet or (done not in (0, total) and now - self.last < PROGRESS_INTERVAL_SECONDS):
            return
        self.last = now
        share = 100 * done // total if total else 100
        end = "\n" if done == total else ""
        print(f"\r{self.account}/{folder}: {done}/{total} headers ({share}%)", end=end,
              file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    accounts = [a for a in config.daemon.accounts if not args.account or a.name == args.account]
    if not accounts:
        raise InputError(f"no [[accounts]] named {args.account!r}" if args.account else
                         "no [[accounts]] configured; add one to your trustmail.toml")
    scorer = Scorer(config.scoring)    # recent sent mail is scored for its promises
    settings = config.daemon.store
    store = open_store(settings.path, keep_bodies=settings.keep_bodies,
                       hash_subjects=settings.hash_subjects)
    try:
        for account in accounts:
            started = time.monotonic()
            client = connect(account)
            try:
                enable_condstore(client)
                folders = discover_folders(client, account)
                fetched = sync_headers(client, store, account, folders,
                                       ProgressLine(account.name, args.quiet), scorer)
            finally:
                client.logout()
            print(f"{account.name}: {fetched} new headers in "
                  f"{time.monotonic() - started:.1f} s", file=sys.stderr)
    finally:
        store.close()
    return 0
