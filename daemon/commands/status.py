"""``trustmail status``: is the daemon running, and what does it listen on?

Exit codes follow the LSB ``status`` convention: 0 running, 3 not running.
"""

from __future__ import annotations

import argparse
import json

from daemon.runtime.state import daemon_running, read_state, state_file

EXIT_RUNNING = 0
EXIT_NOT_RUNNING = 3


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "status", help="tell whether the daemon runs and what it listens on",
        description="Read the daemon's state file in the data dir and check its process. "
                    "Exit 0 when running, 3 when not.")
    parser.add_argument("--json", action="store_true", help="print the state as JSON")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    path = state_file()
    state = read_state(path)
    pid = state.get("pid") if state else None
    running = daemon_running(state)
    if args.json:
        print(json.dumps({"running": running, "state_file": str(path), **(state or {})},
                         indent=2))
        return EXIT_RUNNING if running else EXIT_NOT_RUNNING
    if state is None:
        print(f"trustmail is not running (no state file at {path}).")
        return EXIT_NOT_RUNNING
    if not running:
        print(f"trustmail is not running (stale state file from pid {pid}, which ended "
              f"without cleaning up: {path}).")
        return EXIT_NOT_RUNNING
    print(f"trustmail is running (pid {pid}, since {state.get('started_at', '?')}).")
    for service in state.get("services", []):
        print(f"  {service.get('name')}: {service.get('describe')}")
    files = state.get("config_files", [])
    if files:
        print("  config: " + ", ".join(files))
    return EXIT_RUNNING
