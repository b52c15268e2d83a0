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

# Command name -> the module that registers it. Only the module of the command given is
# imported (``trustmail score`` needs neither the servers nor IMAP); all for --help.
COMMANDS: dict[str, str] = {
    "init": "daemon.commands.init",
    "score": "daemon.commands.score",
    "config": "daemon.commands.config_cmd",
    "token": "daemon.commands.token",
    "pair": "daemon.commands.pair",
    "run": "daemon.commands.run",
    "status": "daemon.commands.status",
    "sync": "daemon.commands.sync",
    "promises": "daemon.commands.promises",
    "report": "daemon.commands.report",
}
COMMAND_MODULES: tuple[str, ...] = tuple(COMMANDS.values())


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or of ``command`` alone (a known command name)."""
    parser = argparse.ArgumentParser(
        prog="trustmail",
        description="Score outgoing email for honesty, disclosure, responsiveness, "
                    "promises and tone; run the local trustmail daemon.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    modules = [COMMANDS[command]] if command in COMMANDS else COMMAND_MODULES
    for module_name in modules:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    parser = build_parser(given[0] if given else None)
    args = parser.parse_args(given)
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
