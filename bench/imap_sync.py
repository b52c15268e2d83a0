"""IMAP header sync and weekly report speed against a local Dovecot.

    .venv/bin/python bench/imap_sync.py [--messages 50000] [--sent-share 0.25]

Builds a throwaway Dovecot (tests/support/dovecot.py) whose INBOX and Sent hold
``--messages`` synthetic customer threads in total (written as Maildir files, then
indexed by Dovecot before timing, as a live server's mailbox would be), and times:
the first header sync, an incremental sync with no changes, an incremental sync
after one new message, and the weekly report computed from the store.
Targets: first sync <= 60 s, no-change sync <= 0.5 s, weekly report <= 1 s.
"""

from __future__ import annotations

import argparse
import os
import pwd
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from support.dovecot import Dovecot  # noqa: E402

from daemon.config.load import load_config  # noqa: E402
from daemon.config.sections import AccountSettings  # noqa: E402
from daemon.imap.account_worker import sync_headers  # noqa: E402
from daemon.imap.connection import connect  # noqa: E402
from daemon.imap.folders import discover_folders  # noqa: E402
from daemon.imap.header_sync import enable_condstore, sync_folder  # noqa: E402
from daemon.reports.compute import compute_report  # noqa: E402
from daemon.reports.periods import previous_week  # noqa: E402
from daemon.reports.sources import parties_for, store_inputs  # noqa: E402
from daemon.store.database import open_store  # noqa: E402
from scoring.business_time import BusinessClock  # noqa: E402

ME = "alice@example.com"
PASSWORD_ENV = "TRUSTMAIL_BENCH_IMAP_PASSWORD"
CUSTOMER_DOMAINS = 400
SPAN_DAYS = 365
SEED = 20261125
REPEATS = 3


def message(sender: str, to: str, subject: str, when: datetime, message_id: str,
            parent: str) -> bytes:
    lines = [f"From: {sender}", f"To: {to}", f"Subject: {subject}",
             f"Date: {format_datetime(when)}", f"Message-ID: {message_id}"]
    if parent:
        lines += [f"In-Reply-To: {parent}", f"References: {parent}"]
    body = "Hello,\r\nthanks for the update.\r\n" * 5
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


def write_maildir(server: Dovecot, total: int, sent_share: float,
                  now: datetime) -> tuple[int, int]:
    """Synthetic threads: a customer writes, I answer some (Sent), they write back."""
    rnd = random.Random(SEED)
    home = server.dir / "mail" / server.user / "Maildir"
    inbox, sent = home / "cur", home / ".Sent" / "cur"
    for folder in (home, home / ".Sent"):
        for sub in ("cur", "new", "tmp"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
    counts = [0, 0]
    number = 0
    while sum(counts) < total:
        domain = f"customer{rnd.randrange(CUSTOMER_DOMAINS)}.example"
        customer = f"user{rnd.randrange(50)}@{domain}"
        when = now - timedelta(days=rnd.uniform(0, SPAN_DAYS))
        parent = ""
        subject = f"Question {number}"
        for turn in range(rnd.randrange(1, 5)):
            if sum(counts) >= total:
                break
            mine = turn % 2 == 1 and counts[1] < total * sent_share
            number += 1
            msgid = f"<m{number}@{'example.com' if mine else domain}>"
            raw = message(ME if mine else customer, customer if mine else ME,
                          ("Re: " if turn else "") + subject, when, msgid, parent)
            folder = sent if mine else inbox
            (folder / f"{int(when.timestamp())}.M{number}P1.bench,S={len(raw)}:2,S"
             ).write_bytes(raw)
            counts[1 if mine else 0] += 1
            parent = msgid
            when += timedelta(hours=rnd.expovariate(1 / 20))
    if os.geteuid() == 0:
        account = pwd.getpwnam("dovecot")
        for directory, _, files in os.walk(server.dir / "mail"):
            os.chown(directory, account.pw_uid, account.pw_gid)
            for name in files:
                os.chown(Path(directory) / name, account.pw_uid, account.pw_gid)
    return counts[0], counts[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--sent-share", type=float, default=0.25)
    args = parser.parse_args()
    now = datetime.now(UTC)
    rows: list[tuple[str, str, str]] = []
    with Dovecot.start() as server:
        os.environ[PASSWORD_ENV] = server.password
        account = AccountSettings(name="bench", host=server.host, port=server.imaps_port,
                                  tls="implicit", username=server.user,
                                  password_env=PASSWORD_ENV, ca_file=str(server.ca_file))
        started = time.perf_counter()
        inbox_count, sent_count = write_maildir(server, args.messages, args.sent_share, now)
        written = time.perf_counter() - started
        started = time.perf_counter()
        server.doveadm("index", "-u", server.user, "INBOX")
        server.doveadm("index", "-u", server.user, "Sent")
        indexed = time.perf_counter() - started
        store = open_store(str(Path(tempfile.mkdtemp()) / "bench.sqlite3"))

        started = time.perf_counter()
        client = connect(account)
        enable_condstore(client)
        folders = discover_folders(client, account)
        fetched = sync_headers(client, store, account, folders)
        first = time.perf_counter() - started
        rows.append(("first sync (connect, login, INBOX + Sent headers)",
                     f"{first:.2f}", "<= 60"))

        timings = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            again = sync_headers(client, store, account, folders)
            timings.append(time.perf_counter() - started)
        rows.append((f"incremental sync, no changes (INBOX + Sent), best / worst of {REPEATS}",
                     f"{min(timings):.4f} / {max(timings):.4f}", "<= 0.5"))

        server.save("INBOX", message("new@customer1.example", ME, "New", now, "<new@x>", ""))
        started = time.perf_counter()
        one = sync_folder(client, store, account.name, "INBOX", "in").fetched
        rows.append(("incremental sync, 1 new message (INBOX)",
                     f"{time.perf_counter() - started:.4f}", ""))
        client.logout()

        config = load_config(None)
        clock = BusinessClock(config.scoring.business)
        parties = parties_for(config, [ME])
        timings = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            messages, promises = store_inputs(store)
            report = compute_report(messages, parties, clock, previous_week(now, clock.zone),
                                    now, promises)
            timings.append(time.perf_counter() - started)
        rows.append((f"weekly report from the store ({len(messages)} messages), "
                     f"best / worst of {REPEATS}",
                     f"{min(timings):.3f} / {max(timings):.3f}", "<= 1"))

    print(f"Dovecot mailbox: {inbox_count} INBOX + {sent_count} Sent = "
          f"{inbox_count + sent_count} messages (written in {written:.1f} s, "
          f"indexed by doveadm in {indexed:.1f} s, not timed below)")
    print(f"fetched on first sync: {fetched}; on the no-change sync: {again}; after one new "
          f"message: {one}; report week {report.period.label}: {report.stats.count} replies, "
          f"{len(report.unanswered)} open blocks\n")
    print("| step | seconds | target |")
    print("|---|---:|---|")
    for name, value, target in rows:
        print(f"| {name} | {value} | {target} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
