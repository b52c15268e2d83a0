"""First run: the user config a person needs before ``trustmail run`` is useful.

:class:`Setup` holds the answers (upstream SMTP server, business hours and time zone,
holidays, internal domains, the user's own address); :func:`detect` proposes them from
the machine (the system time zone, its country for holidays) and the user's address
(``smtp.<domain>``, the domain as internal); :func:`write_user_config` writes them as
TOML into the user config file, mode 0600. No password is asked for or written: the
proxy passes the mail client's own login through.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from daemon.config import paths
from daemon.config.sections import UPSTREAM_TLS_MODES, UpstreamSettings
from scoring.errors import InputError
from scoring.settings import WEEKDAYS, BusinessHours

ZONE_TAB = Path("/usr/share/zoneinfo/zone.tab")
LOCALTIME = Path("/etc/localtime")
TIMEZONE_FILE = Path("/etc/timezone")
TLS_BY_PORT = {465: "implicit", 587: "starttls", 25: "starttls"}
TLS_MODES = UPSTREAM_TLS_MODES
DEFAULT_PORT = UpstreamSettings.port
BUSINESS = BusinessHours()    # the settings' defaults are the answers' defaults
HOURS = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class Setup:
    """The answers ``trustmail init`` writes."""

    email: str = ""
    upstream_host: str = ""
    upstream_port: int = DEFAULT_PORT
    upstream_tls: str = UpstreamSettings.tls
    timezone: str = BUSINESS.timezone
    days: tuple[str, ...] = tuple(WEEKDAYS[day] for day in BUSINESS.days)
    start: time = BUSINESS.start
    end: time = BUSINESS.end
    holidays: str = BUSINESS.holidays
    internal_domains: tuple[str, ...] = BUSINESS.internal_domains


def system_timezone() -> str:
    """The machine's IANA time zone: ``$TZ``, ``/etc/timezone``, the ``/etc/localtime``
    link; ``UTC`` when none names one."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    if TIMEZONE_FILE.is_file():
        candidates.append(TIMEZONE_FILE.read_text(encoding="utf-8").strip())
    if LOCALTIME.is_symlink():
        target = str(LOCALTIME.resolve())
        candidates.append(target.partition("/zoneinfo/")[2])
    for name in candidates:
        if name and valid_timezone(name):
            return name
    return "UTC"


def valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def country_of(zone: str) -> str:
    """The ISO country of an IANA zone from the system's ``zone.tab`` (``""`` if none),
    when the holidays package knows that country."""
    if not ZONE_TAB.is_file():
        return ""
    for line in ZONE_TAB.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) >= 3 and not line.startswith("#") and fields[2] == zone:
            import holidays

            return fields[0] if fields[0] in holidays.list_supported_countries() else ""
    return ""


def detect(email: str = "") -> Setup:
    """What the machine and the address suggest; every field can be overridden."""
    zone = system_timezone()
    domain = email.rpartition("@")[2].lower() if "@" in email else ""
    return Setup(email=email.lower(), upstream_host=f"smtp.{domain}" if domain else "",
                 timezone=zone, holidays=country_of(zone),
                 internal_domains=(domain,) if domain else ())


def parse_server(text: str, tls: str | None = None) -> tuple[str, int, str]:
    """``smtp.acme.com`` or ``smtp.acme.com:465`` -> host, port, TLS mode (by port
    unless given: 465 implicit, else STARTTLS)."""
    if not text.strip():
        raise InputError("the upstream SMTP server is needed (--upstream HOST[:PORT], "
                         "e.g. smtp.acme.com:587)")
    host, _, port_text = text.strip().partition(":")
    if not host or " " in host:
        raise InputError(f"upstream server {text!r}: expected HOST or HOST:PORT")
    try:
        port = int(port_text) if port_text else DEFAULT_PORT
    except ValueError:
        raise InputError(f"upstream server {text!r}: the port must be a number") from None
    mode = tls or TLS_BY_PORT.get(port, "starttls")
    if mode not in TLS_MODES:
        raise InputError(f"--tls {mode!r}: one of {', '.join(TLS_MODES)}")
    return host.lower(), port, mode


def parse_hours(text: str) -> tuple[time, time]:
    """``09:00-17:00`` -> (09:00, 17:00)."""
    match = HOURS.match(text.strip())
    if not match:
        raise InputError(f"business hours {text!r}: expected HH:MM-HH:MM, e.g. 09:00-17:00")
    try:
        start, end = time(int(match[1]), int(match[2])), time(int(match[3]), int(match[4]))
    except ValueError:
        raise InputError(f"business hours {text!r}: not a time of day") from None
    if end <= start:
        raise InputError(f"business hours {text!r}: the end must be after the start")
    return start, end


def parse_days(text: str) -> tuple[str, ...]:
    """``mon-fri`` or ``mon,tue,thu`` -> day names."""
    cleaned = text.strip().lower()
    if "-" in cleaned and "," not in cleaned:
        first, _, last = cleaned.partition("-")
        if first in WEEKDAYS and last in WEEKDAYS:
            return WEEKDAYS[WEEKDAYS.index(first):WEEKDAYS.index(last) + 1]
    days = tuple(d.strip() for d in cleaned.split(",") if d.strip())
    wrong = [d for d in days if d not in WEEKDAYS]
    if wrong or not days:
        raise InputError(f"business days {text!r}: use mon-fri or a list such as "
                         f"mon,tue,wed (one of {', '.join(WEEKDAYS)})")
    return days


def checked(setup: Setup) -> Setup:
    """The setup, or an InputError that says which answer is wrong."""
    if not setup.upstream_host:
        parse_server("")
    if not valid_timezone(setup.timezone):
        raise InputError(f"time zone {setup.timezone!r}: not an IANA zone such as "
                         "Europe/Berlin or Australia/Sydney")
    if setup.email and "@" not in setup.email:
        raise InputError(f"your address {setup.email!r}: expected name@domain")
    domains = tuple(d.strip().lower().lstrip("@") for d in setup.internal_domains if d.strip())
    return replace(setup, internal_domains=domains, holidays=setup.holidays.upper())


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _list(items: tuple[str, ...]) -> str:
    return "[" + ", ".join(_quote(item) for item in items) + "]"


def render_user_config(setup: Setup) -> str:
    """The TOML of the user layer (only what ``init`` asked; everything else stays at
    the shipped defaults)."""
    lines = ["# trustmail user config, written by `trustmail init`.",
             "# Every other key keeps its shipped default: `trustmail config show`.",
             "", "[smtp.upstream]              # your real outgoing server",
             f"host = {_quote(setup.upstream_host)}", f"port = {setup.upstream_port}",
             f"tls = {_quote(setup.upstream_tls)}       # starttls | implicit | none",
             "# no password here: your mail client's login is passed through, never stored",
             "", "[business]                   # the hours response times are counted in",
             f"timezone = {_quote(setup.timezone)}", f"days = {_list(setup.days)}",
             f"hours = [{_quote(f'{setup.start:%H:%M}')}, {_quote(f'{setup.end:%H:%M}')}]",
             f"holidays = {_quote(setup.holidays)}            # a country code, \"\" for none",
             f"internal_domains = {_list(setup.internal_domains)}   # colleagues, not customers"]
    if setup.email:
        lines += ["", "[report]", f"me = [{_quote(setup.email)}]"]
    return "\n".join(lines) + "\n"


def write_user_config(setup: Setup, target: Path | None = None, force: bool = False) -> Path:
    """Write the user config (mode 0600); an existing file is kept unless ``force``."""
    path = target or paths.user_config_file()
    if path.exists() and not force:
        raise InputError(f"{path} exists already; pass --force to replace it "
                         "(or edit it: `trustmail config show` says what it sets)")
    paths.ensure_private_dir(path.parent)
    paths.write_private_file(path, render_user_config(checked(setup)).encode("utf-8"))
    return path
