"""``trustmail run [--config FILE]``: start the daemon in the foreground.

Stop it with SIGTERM or Ctrl-C (open SMTP transactions finish first); reload the
config with SIGHUP. Logs go to stderr as JSON lines.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "run", help="start the trustmail daemon (SMTP proxy and the other services)",
        description="Start the trustmail daemon in the foreground with the config layers "
                    "(shipped < site < user < --config). SIGTERM stops, SIGHUP reloads.")
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help="extra config file, highest priority")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from daemon.app import run_daemon  # the daemon's imports are not needed by other commands
    return asyncio.run(run_daemon(args.config))
