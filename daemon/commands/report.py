"""``trustmail report``: the weekly response-time and trust report.

    trustmail report [--week 2026-W47 | --since 2026-11-01 [--until 2026-11-30]]
                     [--format text|html|json] [--mbox FILE --me ADDRESS] [--deliver]

From the store by default (filled by ``trustmail sync``, the SMTP proxy and the
add-on); with ``--mbox`` from a mailbox file, no server or config needed.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from daemon.config import LoadedConfig, load_config
from daemon.reports.compute import Report, compute_report
from daemon.reports.delivery import deliver_report
from daemon.reports.email_message import build_report_email
from daemon.reports.html_format import render_html
from daemon.reports.json_format import render_json
from daemon.reports.periods import Period, parse_range, parse_week, previous_week
from daemon.reports.sources import (
    load_mbox,
    my_addresses,
    parties_for,
    score_my_mbox_mail,
    store_inputs,
)
from daemon.reports.text_format import render_text
from daemon.settings import AccountSettings
from daemon.store import open_store
from daemon.store_queries import StoredMessage, StoredPromise
from scoring import Scorer
from scoring.business_time import BusinessClock
from scoring.errors import InputError

RENDERERS = {"text": render_text, "html": render_html, "json": render_json}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "report", help="weekly report: response times, promises, trust score",
        description="Compute the weekly report (last complete ISO week by default).")
    when = parser.add_mutually_exclusive_group()
    when.add_argument("--week", help="ISO week, e.g. 2026-W47")
    when.add_argument("--since", metavar="DATE", help="first day (YYYY-MM-DD) of any period")
    parser.add_argument("--until", metavar="DATE", help="last day (with --since; default today)")
    parser.add_argument("--format", choices=sorted(RENDERERS), default="text")
    parser.add_argument("--mbox", type=Path,
                        help="compute from this mbox file instead of the store")
    parser.add_argument("--no-score", action="store_true",
                        help="with --mbox: do not score my mail of the period (no trust "
                             "score, findings or promises; faster for long periods)")
    parser.add_argument("--me", action="append", metavar="ADDRESS",
                        help="my address (repeatable); default [report] me or account usernames")
    parser.add_argument("--deliver", action="store_true",
                        help="APPEND the report as an email into [report] account's inbox")
    parser.add_argument("--output", type=Path, help="write to this file instead of stdout")
    parser.add_argument("--config", type=Path, help="extra config file (highest layer)")
    parser.set_defaults(handler=run)


def choose_period(args: argparse.Namespace, clock: BusinessClock, now: datetime) -> Period:
    if args.until and not args.since:
        raise InputError("--until needs --since")
    if args.week:
        return parse_week(args.week, clock.zone)
    if args.since:
        return parse_range(args.since, args.until, clock.zone, now)
    return previous_week(now, clock.zone)


def build_report(config: LoadedConfig, args: argparse.Namespace, now: datetime) -> Report:
    """Compute the report the arguments ask for (shared with the scheduler)."""
    clock = BusinessClock(config.scoring.business)
    period = choose_period(args, clock, now)
    parties = parties_for(config, my_addresses(config, args.me))
    messages: list[StoredMessage]
    promises: list[StoredPromise] = []
    if args.mbox is not None:
        messages = load_mbox(args.mbox)
        if not getattr(args, "no_score", False):
            promises = score_my_mbox_mail(args.mbox, messages, parties, period,
                                          Scorer(config.scoring))
    else:
        settings = config.daemon.store
        store = open_store(settings.path, keep_bodies=settings.keep_bodies,
                           hash_subjects=settings.hash_subjects)
        try:
            messages, promises = store_inputs(store)
        finally:
            store.close()
    return compute_report(messages, parties, clock, period, now, promises)


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    now = datetime.now(UTC)
    report = build_report(config, args, now)
    if args.deliver:
        account = report_account(config)
        deliver_report(account, build_report_email(report, report.me[0], now), now)
        print(f"report {report.period.label} delivered to {account.name} "
              f"({account.inbox_folder})", file=sys.stderr)
    text = RENDERERS[args.format](report)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    elif not args.deliver:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def report_account(config: LoadedConfig) -> AccountSettings:
    """The account the report is APPENDed to: ``[report] account``, else the first one."""
    accounts = config.daemon.accounts
    name = config.daemon.report.account
    chosen = [a for a in accounts if a.name == name] if name else list(accounts[:1])
    if not chosen:
        raise InputError(f"--deliver: no [[accounts]] named {name!r}" if name else
                         "--deliver needs an [[accounts]] entry (and [report] account)")
    return chosen[0]
