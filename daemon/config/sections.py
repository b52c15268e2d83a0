"""Typed settings of the daemon's own sections, decoded strictly from the merged config.

Each section is one dataclass with a ``parse`` function; an unknown key or a bad
value raises ConfigError naming the file, the key and the fix. A default is written
once, as the dataclass field: the parsers read it from there, and the shipped
config/trustmail.toml (which documents every key) must agree with it (a test checks).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from scoring.settings import parse_clock
from scoring.validation import Table

SMTP_POLICIES = ("observe", "warn", "hold")
# what warn and hold do with a message that could not be scored (milter default-action words)
SCORE_FAILURE_ACTIONS = ("accept", "tempfail")
UPSTREAM_TLS_MODES = ("starttls", "implicit", "none")
IMAP_TLS_MODES = ("implicit", "starttls", "none")
MIB = 1024 * 1024


@dataclass(frozen=True)
class ListenAddress:
    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def parse_loopback_listen(table: Table, key: str, default: str) -> ListenAddress:
    """``"127.0.0.1:1587"``; anything but a loopback address is refused."""
    value = table.get_str(key, default)
    host, sep, port_text = value.rpartition(":")
    host = host.strip("[]")
    if not sep or not port_text.isdigit():
        raise table.error(key, f"{value!r} is not HOST:PORT, e.g. \"127.0.0.1:1587\"")
    port = int(port_text)
    if not 0 <= port <= 65535:
        raise table.error(key, f"port {port} is out of range 0-65535")
    if host == "localhost":
        host = "127.0.0.1"
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise table.error(key, f"{host!r} is not a loopback address; trustmail listens on "
                          "127.0.0.1 or ::1 only")
    return ListenAddress(host, port)


@dataclass(frozen=True)
class UpstreamSettings:
    host: str = "smtp.example.com"
    port: int = 587
    tls: str = "starttls"
    ca_file: str = ""
    timeout_seconds: float = 60.0


@dataclass(frozen=True)
class SmtpSettings:
    listen: ListenAddress = ListenAddress("127.0.0.1", 1587)
    policy: str = "observe"
    upstream: UpstreamSettings = field(default_factory=UpstreamSettings)
    max_message_bytes: int = 50 * MIB
    score_timeout_ms: int = 2000
    warn_resend_minutes: int = 30
    tls_cert: str = ""
    tls_key: str = ""
    add_header: bool = False
    auth_require_tls: bool = True      # AUTH only after STARTTLS (the listener is loopback anyway)
    hold_override: bool = False        # policy "hold": the identical resend passes, as with "warn"
    score_workers: int = 0             # scoring processes; 0: one per CPU core (at most 4)
    score_worker_memory_mb: int = 1024  # each scoring process's memory cap (issue 13)
    score_failure: str = "accept"      # warn/hold, scoring failed or timed out: relay, or 451
    max_connections: int = 100         # open client connections; one more is refused with 421


@dataclass(frozen=True)
class ApiSettings:
    listen: ListenAddress = ListenAddress("127.0.0.1", 8425)
    max_body_bytes: int = 5 * MIB


@dataclass(frozen=True)
class AccountSettings:
    name: str
    host: str
    username: str
    port: int = 993
    tls: str = "implicit"
    password_env: str = ""
    password_command: str = ""
    password_keyring: bool = False
    drafts_folder: str = ""
    sent_folder: str = ""
    inbox_folder: str = "INBOX"
    ca_file: str = ""
    draft_keyword: str = ""
    notify: bool = False


@dataclass(frozen=True)
class StoreSettings:
    path: str = ""                 # empty: trustmail.sqlite3 in the user data dir
    keep_bodies: bool = False
    hash_subjects: bool = False


@dataclass(frozen=True)
class ReportSettings:
    weekday: str = "mon"
    time: str = "08:00"
    deliver: bool = False
    account: str = ""
    me: tuple[str, ...] = ()


@dataclass(frozen=True)
class MetricsSettings:
    """``[metrics]``: team aggregates, exported only when the admin turns them on.

    The defaults here are the only ones: ``parse_metrics`` reads them from this class.
    """

    prometheus: ListenAddress | None = None   # loopback HOST:PORT serving /metrics
    otlp_endpoint: str | None = None          # http(s) URL of an OTLP/HTTP collector
    otlp_interval_seconds: float = 60.0       # how often OTLP pushes
    account_label: str | None = None          # the account's own name as a label; off if None
    customer_domains: bool = False            # label by customer domain (never addresses)

    @property
    def enabled(self) -> bool:
        """Anything exported at all; off when the table is absent."""
        return self.prometheus is not None or self.otlp_endpoint is not None


@dataclass(frozen=True)
class DaemonSettings:
    smtp: SmtpSettings
    api: ApiSettings
    accounts: tuple[AccountSettings, ...]
    store: StoreSettings
    report: ReportSettings
    log_level: str = "info"
    metrics: MetricsSettings = field(default_factory=MetricsSettings)


def parse_smtp(table: Table) -> SmtpSettings:
    upstream_table = table.table("upstream")
    up = UpstreamSettings()
    upstream = UpstreamSettings(
        host=upstream_table.get_str("host", up.host),
        port=upstream_table.get_int("port", up.port, minimum=1, maximum=65535),
        tls=upstream_table.get_str("tls", up.tls, choices=UPSTREAM_TLS_MODES),
        ca_file=upstream_table.get_str("ca_file", up.ca_file),
        timeout_seconds=upstream_table.get_float("timeout_seconds", up.timeout_seconds,
                                                 minimum=1.0),
    )
    if upstream.tls == "none" and not is_loopback_host(upstream.host):
        raise upstream_table.error("tls", "\"none\" is allowed only for a loopback upstream; "
                                   "use \"starttls\" or \"implicit\"")
    upstream_table.finish()
    d = SmtpSettings()
    smtp = SmtpSettings(
        listen=parse_loopback_listen(table, "listen", str(d.listen)),
        policy=table.get_str("policy", d.policy, choices=SMTP_POLICIES),
        upstream=upstream,
        max_message_bytes=table.get_int("max_message_bytes", d.max_message_bytes, minimum=1024),
        score_timeout_ms=table.get_int("score_timeout_ms", d.score_timeout_ms, minimum=1),
        warn_resend_minutes=table.get_int("warn_resend_minutes", d.warn_resend_minutes,
                                          minimum=1),
        tls_cert=table.get_str("tls_cert", d.tls_cert),
        tls_key=table.get_str("tls_key", d.tls_key),
        add_header=table.get_bool("add_header", d.add_header),
        auth_require_tls=table.get_bool("auth_require_tls", d.auth_require_tls),
        hold_override=table.get_bool("hold_override", d.hold_override),
        score_workers=table.get_int("score_workers", d.score_workers, minimum=0, maximum=64),
        score_worker_memory_mb=table.get_int("score_worker_memory_mb",
                                             d.score_worker_memory_mb, minimum=128),
        score_failure=table.get_str("score_failure", d.score_failure,
                                    choices=SCORE_FAILURE_ACTIONS),
        max_connections=table.get_int("max_connections", d.max_connections, minimum=1),
    )
    table.finish()
    return smtp


def parse_api(table: Table) -> ApiSettings:
    d = ApiSettings()
    api = ApiSettings(
        listen=parse_loopback_listen(table, "listen", str(d.listen)),
        max_body_bytes=table.get_int("max_body_bytes", d.max_body_bytes, minimum=1024),
    )
    table.finish()
    return api


def parse_account(table: Table) -> AccountSettings:
    d = AccountSettings(name="", host="", username="")   # the optional keys' defaults
    account = AccountSettings(
        name=table.get_str("name"),
        host=table.get_str("host"),
        port=table.get_int("port", d.port, minimum=1, maximum=65535),
        tls=table.get_str("tls", d.tls, choices=IMAP_TLS_MODES),
        username=table.get_str("username"),
        password_env=table.get_str("password_env", d.password_env),
        password_command=table.get_str("password_command", d.password_command),
        password_keyring=table.get_bool("password_keyring", d.password_keyring),
        drafts_folder=table.get_str("drafts_folder", d.drafts_folder),
        sent_folder=table.get_str("sent_folder", d.sent_folder),
        inbox_folder=table.get_str("inbox_folder", d.inbox_folder),
        ca_file=table.get_str("ca_file", d.ca_file),
        draft_keyword=table.get_str("draft_keyword", d.draft_keyword),
        notify=table.get_bool("notify", d.notify),
    )
    if table.has("password"):
        raise table.error("password", "passwords are never stored in config files; use "
                          "password_env, password_command or password_keyring = true")
    if not (account.password_env or account.password_command or account.password_keyring):
        raise table.error("password_env", "set one of password_env, password_command or "
                          "password_keyring = true")
    if account.tls == "none" and not is_loopback_host(account.host):
        raise table.error("tls", "\"none\" is allowed only for a loopback IMAP server")
    table.finish()
    return account


def parse_store(table: Table) -> StoreSettings:
    d = StoreSettings()
    store = StoreSettings(
        path=table.get_str("path", d.path),
        keep_bodies=table.get_bool("keep_bodies", d.keep_bodies),
        hash_subjects=table.get_bool("hash_subjects", d.hash_subjects),
    )
    table.finish()
    return store


def parse_report(table: Table) -> ReportSettings:
    d = ReportSettings()
    report = ReportSettings(
        weekday=table.get_str("weekday", d.weekday,
                              choices=("mon", "tue", "wed", "thu", "fri", "sat", "sun")),
        time=table.get_str("time", d.time),
        deliver=table.get_bool("deliver", d.deliver),
        account=table.get_str("account", d.account),
        me=tuple(a.lower() for a in table.get_str_list("me", list(d.me))),
    )
    parse_clock(table, "time", report.time)   # "08:00"; raises ConfigError naming the key
    table.finish()
    return report


def parse_metrics(table: Table) -> MetricsSettings:
    """``[metrics]``; absent or empty means nothing is exported."""
    defaults = MetricsSettings()
    prometheus = (parse_loopback_listen(table, "prometheus", "")
                  if table.has("prometheus") else defaults.prometheus)
    otlp_endpoint = defaults.otlp_endpoint
    if table.has("otlp_endpoint"):
        otlp_endpoint = table.get_str("otlp_endpoint")
        parts = urlsplit(otlp_endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise table.error("otlp_endpoint", f"{otlp_endpoint!r} is not an http(s) URL, e.g. "
                              "\"http://127.0.0.1:4318/v1/metrics\"")
    interval = table.get_float("otlp_interval_seconds", defaults.otlp_interval_seconds)
    if interval <= 0:
        raise table.error("otlp_interval_seconds", f"{interval} must be above 0 (seconds)")
    account_label = defaults.account_label
    if table.has("account_label"):
        account_label = table.get_str("account_label")
        if not account_label.strip():
            raise table.error("account_label", "empty; set the account's name or remove the "
                              "key (no label)")
    metrics = MetricsSettings(
        prometheus=prometheus,
        otlp_endpoint=otlp_endpoint,
        otlp_interval_seconds=interval,
        account_label=account_label,
        customer_domains=table.get_bool("customer_domains", defaults.customer_domains),
    )
    table.finish()
    return metrics


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
