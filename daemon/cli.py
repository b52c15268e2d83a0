"""The ``trustmail`` command: one sub-command per module in ``daemon/commands``.

Each command module exposes ``register(subparsers)`` which adds its parser and sets
``handler`` to a function ``(args) -> int`` (the exit code). Exit codes: 0 ok/pass,
1 warn or hold, 2 input, usage or config errors.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from scoring.errors import TrustmailError

EXIT_OK = 0
EXIT_FLAGGED = 1
EXIT_USAGE = 2

COMMAND_MODULES: tuple[str, ...] = (
    "daemon.commands.init",
    "daemon.commands.score",
    "daemon.commands.config_cmd",
    "daemon.commands.token",
    "daemon.commands.pair",
    "daemon.commands.run",
    "daemon.commands.status",
    "daemon.commands.sync",
    "daemon.commands.promises",
    "daemon.commands.report",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trustmail",
        description="Score outgoing email for honesty, disclosure, responsiveness, "
                    "promises and tone; run the local trustmail daemon.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except TrustmailError as error:
        print(f"trustmail: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
