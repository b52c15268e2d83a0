"""``trustmail token``: print the API token the Thunderbird add-on pairs with."""

from __future__ import annotations

import argparse

from daemon.api import security


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "token", help="print the HTTP API token (created on first use) for add-on pairing",
        description="Print the bearer token of the local HTTP API. Paste it into the "
                    "trustmail add-on's options page. The token file is created (mode 0600) "
                    "when missing.")
    parser.add_argument("--rotate", action="store_true",
                        help="replace the token; paired add-ons must pair again "
                             "(the daemon uses it after a reload: kill -HUP its pid)")
    parser.add_argument("--path", action="store_true",
                        help="print the token file's path instead of the token")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the token (or its file path); exit code 0."""
    path = security.token_path()
    token = security.load_or_create_token(path, rotate=args.rotate)
    print(path if args.path else token)
    return 0
