"""The ``trustmail`` command: one sub-command per module in ``daemon/commands``.

Each command module exposes ``register(subparsers)`` which adds its parser and sets
``handler`` to a function ``(args) -> int`` (the exit code). Exit codes: 0 ok/pass,
1 warn or hold, 2 input, usage or config errors.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Any

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
    parser.add_argument("--version", action=VersionAction)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    modules = ([COMMANDS[command]] if command in COMMANDS
               else [] if command == "--version" else COMMAND_MODULES)
    for module_name in modules:
        importlib.import_module(module_name).register(subparsers)
    return parser


class VersionAction(argparse.Action):
    """``--version``: the version, and which build of the scoring core runs from where
    (worked out only when asked: it loads the core)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0,
                         help="print the version and which build of the scoring core "
                              "runs (compiled with mypyc or pure Python), then exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        print(version_report())
        parser.exit()


def version_report() -> str:
    """``trustmail 0.1.0 (scoring core: compiled with mypyc, /.../engine.cpython-311-...so)``"""
    from importlib.metadata import PackageNotFoundError, version

    import scoring.engine
    from scoring import native

    try:
        number = version("trustmail")
    except PackageNotFoundError:
        number = "(not installed)"
    where = native.compiled_engine() or str(scoring.engine.__file__)
    forced = f"; {native.PURE_PYTHON_ENV}=1" if os.environ.get(native.PURE_PYTHON_ENV) == "1" \
        else ""
    return f"trustmail {number} (scoring core: {native.describe()}{forced}, {where})"


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
