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

from daemon.application.build_report import ReportRequest, build_report
from daemon.application.deliver_report import deliver_report
from daemon.config.load import load_config
from daemon.reports.html_format import render_html
from daemon.reports.json_format import render_json
from daemon.reports.text_format import render_text

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


def request_from(args: argparse.Namespace) -> ReportRequest:
    return ReportRequest(week=args.week, since=args.since, until=args.until,
                         me=tuple(args.me) if args.me else None, mbox=args.mbox,
                         score_mbox=not args.no_score)


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    now = datetime.now(UTC)
    report = build_report(config, request_from(args), now)
    text = RENDERERS[args.format](report)
    if args.output or args.deliver or args.format != "text":
        for notice in report.notices:      # the text form shows them itself
            print(f"trustmail: note: {notice.message}", file=sys.stderr)
    if args.deliver:
        account = deliver_report(config, report, now)
        print(f"report {report.period.label} delivered to {account.name} "
              f"({account.inbox_folder or 'INBOX'})", file=sys.stderr)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    elif not args.deliver:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0
