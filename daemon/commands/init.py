"""``trustmail init``: write the user config on the first run, then say what to do next.

    trustmail init                     # asks, proposing what it detected
    trustmail init --yes --email me@acme.com --upstream smtp.acme.com:587 \\
                   --timezone Europe/Berlin --hours 09:00-17:00 --internal-domain acme.com

Asks for (or takes from flags) the upstream SMTP server, business hours and days, the
time zone, holidays and internal domains; writes them to the user config file (mode
0600; never a password) and prints how to point a mail client at the proxy and how to
pair the Thunderbird add-on. Answers are read from standard input, so a script can pipe
them in; ``--yes`` takes the flags and detected values without asking.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from daemon.application.first_run import (
    Setup,
    checked,
    country_of,
    detect,
    parse_days,
    parse_hours,
    parse_server,
    write_user_config,
)
from daemon.config.load import load_config
from scoring.errors import InputError

T = TypeVar("T")
ADDON_FILE = "dist/trustmail-0.1.0.xpi"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "init", help="first run: write your user config and show how to connect",
        description="Write the user config (upstream SMTP server, business hours, time "
                    "zone, internal domains), then print how to point your mail client "
                    "at the proxy and pair the add-on.")
    parser.add_argument("--email", help="your own address (the report's \"me\")")
    parser.add_argument("--upstream", metavar="HOST[:PORT]",
                        help="your real outgoing server (default smtp.<your domain>:587)")
    parser.add_argument("--tls", choices=("starttls", "implicit", "none"),
                        help="upstream TLS (default: implicit for port 465, else starttls)")
    parser.add_argument("--timezone", help="IANA time zone (default: the system's)")
    parser.add_argument("--hours", metavar="HH:MM-HH:MM", help="business hours (09:00-17:00)")
    parser.add_argument("--days", help="business days: mon-fri or mon,tue,... (mon-fri)")
    parser.add_argument("--holidays", metavar="CC",
                        help="country whose public holidays are skipped (default: the time "
                             "zone's country; '' for none)")
    parser.add_argument("--internal-domain", action="append", metavar="DOMAIN",
                        help="a domain of colleagues (repeatable; default your address's)")
    parser.add_argument("--yes", "--non-interactive", dest="yes", action="store_true",
                        help="ask nothing: flags, then detected values")
    parser.add_argument("--force", action="store_true", help="replace an existing user config")
    parser.add_argument("--output", type=Path, metavar="FILE",
                        help="write here instead of the user config file")
    parser.set_defaults(handler=run)


class Asker:
    """Asks one question per line on stdin; an empty answer keeps the proposal."""

    def __init__(self, interactive: bool) -> None:
        self.interactive = interactive

    def ask(self, question: str, proposal: str, parse: Callable[[str], T]) -> T:
        if not self.interactive:
            return parse(proposal)
        while True:
            shown = f" [{proposal}]" if proposal else ""
            print(f"{question}{shown}: ", end="", file=sys.stderr, flush=True)
            line = sys.stdin.readline()
            if not line:                                   # end of input: take the proposal
                print(file=sys.stderr)
                return parse(proposal)
            try:
                return parse(line.strip() or proposal)
            except InputError as error:
                print(f"  {error}", file=sys.stderr)


def answers(args: argparse.Namespace) -> Setup:
    """The setup from flags, then answers (interactive), then what was detected."""
    asker = Asker(not args.yes)
    email = args.email if args.email is not None else asker.ask(
        "Your email address (the report's \"me\"; empty: none)", "", str.strip)
    found = detect(email)
    server = args.upstream or asker.ask(
        "Your outgoing (SMTP) server, HOST[:PORT]", found.upstream_host, str.strip)
    host, port, tls = parse_server(server, args.tls)
    zone = args.timezone or asker.ask("Time zone of your business hours", found.timezone,
                                      str.strip)
    start, end = parse_hours(args.hours) if args.hours else asker.ask(
        "Business hours", f"{found.start:%H:%M}-{found.end:%H:%M}", parse_hours)
    days = parse_days(args.days) if args.days else asker.ask(
        "Business days", "mon-fri", parse_days)
    country = found.holidays if zone == found.timezone else country_of(zone)
    holidays = args.holidays if args.holidays is not None else asker.ask(
        "Public holidays of which country (code; '-' for none)", country or "-",
        lambda text: "" if text in ("-", "") else text.upper())
    domains = tuple(args.internal_domain) if args.internal_domain else asker.ask(
        "Internal domains (colleagues, comma-separated)",
        ",".join(found.internal_domains), lambda text: tuple(
            d.strip() for d in text.split(",") if d.strip()))
    return checked(Setup(email=email.lower(), upstream_host=host, upstream_port=port,
                         upstream_tls=tls, timezone=zone, days=days, start=start, end=end,
                         holidays=holidays, internal_domains=domains))


def next_steps(written: Path, setup: Setup, config_file: Path | None) -> str:
    """How to connect a mail client and the add-on, with the ports really configured."""
    config = load_config(config_file)
    smtp, api = config.daemon.smtp.listen, config.daemon.api.listen
    return "\n".join([
        f"wrote {written} (mode 0600; no password in it)", "",
        "1. Start the daemon:  trustmail run     (or: make run)", "",
        "2. Point your mail client's outgoing (SMTP) server at trustmail:",
        f"     server {smtp.host}, port {smtp.port}, security STARTTLS",
        "     (a self-signed certificate for localhost: accept it once)",
        f"     user name and password: those of {setup.upstream_host} (passed through, "
        "never stored)", "",
        "3. Pair the Thunderbird add-on:",
        f"     make xpi, then in Thunderbird: Tools > Add-ons and Themes > gear menu > "
        f"Install Add-on From File... > {ADDON_FILE}",
        "     with the daemon running: trustmail pair   (a one-time code: type it into the "
        f"add-on's Options, daemon URL http://{api.host}:{api.port}, then Save and pair)", "",
        "4. For response times and the weekly report, add your IMAP account as an "
        "[[accounts]] table to the file above (README: \"Accounts\"), then: trustmail sync",
    ])


def run(args: argparse.Namespace) -> int:
    setup = answers(args)
    written = write_user_config(setup, args.output, args.force)
    print(next_steps(written, setup, args.output))
    return 0
