"""``trustmail pair``: open a one-time pairing window for the Thunderbird add-on."""

from __future__ import annotations

import argparse
import sys

from daemon.runtime import pairing


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "pair", help="print a one-time code that pairs the Thunderbird add-on",
        description="Open a pairing window: the add-on's options page takes the printed "
                    "code once and receives the API token over loopback. With --auto (for "
                    "rollouts whose Thunderbird policy sets \"pairing\": \"auto\") the next "
                    "add-on of this OS user that asks pairs without a code.")
    parser.add_argument("--auto", action="store_true",
                        help="let the next add-on request of this OS user pair without a code")
    parser.add_argument("--minutes", type=int, default=pairing.DEFAULT_MINUTES,
                        help=f"how long the window stays open (default "
                             f"{pairing.DEFAULT_MINUTES})")
    parser.add_argument("--close", action="store_true", help="close an open window")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the code (or what happens next); exit code 0, 2 for a bad --minutes."""
    if args.close:
        closed = pairing.close_window()
        print("pairing window closed" if closed else "no pairing window was open")
        return 0
    try:
        code = pairing.open_window(auto=args.auto, minutes=args.minutes)
    except ValueError as error:
        print(f"trustmail pair: {error}", file=sys.stderr)
        return 2
    if args.auto:
        print(f"The next trustmail add-on of this user that asks within {args.minutes} "
              "minutes pairs automatically (once).")
    else:
        print(code)
        print(f"Enter this code on the trustmail add-on's options page within "
              f"{args.minutes} minutes (one use).")
    return 0
