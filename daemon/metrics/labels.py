"""The label policy: which labels a series carries, and how every value is made safe.

Team metrics are aggregates. A label value is never taken from a message as it is: it is
one of a few fixed words (source, verdict, outcome, reason class, promise event), a rule
id from the config (checked against the id shape), or, only when the admin turns it on,
the domain of a customer's address (checked against the shape of a host name; the part
before the ``@`` never leaves). The account's own name is a label only when the admin
sets ``[metrics] account_label``. Anything that does not fit becomes ``other``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from daemon.config.sections import MetricsSettings

OTHER = "other"
ACCOUNT = "account"
CUSTOMER_DOMAIN = "customer_domain"

# Where a draft was scored: the HTTP API (the add-on, while typing), the SMTP proxy
# (a message being sent), IMAP sync (a draft saved in the Drafts folder).
SOURCES = ("api", "smtp", "imap")
VERDICTS = ("pass", "warn", "hold")
SCORING_FAILED = "failed"     # timeout or error: no verdict (the proxy fails open)

# What became of a message handed to the SMTP proxy, and the reason classes of each.
RELAYED = "relayed"
FAILED = "failed"
HELD = "held"
OUTCOMES = (RELAYED, FAILED, HELD)
REASONS: Mapping[str, tuple[str, ...]] = {
    RELAYED: ("ok",),
    FAILED: ("upstream_unreachable", "upstream_lost", "upstream_temporary",
             "upstream_permanent", "too_big", "bare_line_end"),
    HELD: ("refused_warn", "refused_hold"),
}
TEMPORARY_REPLY_CLASS = 4     # 4xx from the upstream: try again later

PROMISE_EVENTS = ("made", "kept", "overdue")

RULE_ID = re.compile(r"[a-z][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*){0,7}")
MAX_RULE_ID_CHARS = 100
HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
MAX_DOMAIN_CHARS = 253


def one_of(value: object, allowed: Sequence[str]) -> str:
    """``value`` when it is one of ``allowed``, else ``other``."""
    return value if isinstance(value, str) and value in allowed else OTHER


def verdict_label(report: Mapping[str, object] | None) -> str:
    """The verdict of a report; ``failed`` when there is no report or it holds an error."""
    if report is None or report.get("error"):
        return SCORING_FAILED
    return one_of(report.get("verdict"), VERDICTS)


def rule_label(value: object) -> str:
    """A finding's rule id (``en.honesty.hedge``) when it has the shape of one."""
    if (isinstance(value, str) and len(value) <= MAX_RULE_ID_CHARS
            and RULE_ID.fullmatch(value)):
        return value
    return OTHER


def reason_label(outcome: str, reason: str) -> str:
    """A reason class known for ``outcome``, else ``other``."""
    return one_of(reason, REASONS.get(outcome, ()))


def upstream_reply_reason(code: int) -> tuple[str, str]:
    """(outcome, reason) of the upstream's final reply to a message's data."""
    if 200 <= code < 300:
        return RELAYED, "ok"
    if code // 100 == TEMPORARY_REPLY_CLASS:
        return FAILED, "upstream_temporary"
    return FAILED, "upstream_permanent"


def domain_of(address: str) -> str:
    """The lower-case domain of an address when it is a plain host name, else ``other``.

    Only the part after the last ``@`` is looked at; an IDN is kept in its ASCII form.
    """
    _, at, domain = address.strip().rpartition("@")
    domain = domain.strip().rstrip(".").lower()
    if not at or not domain or len(domain) > MAX_DOMAIN_CHARS:
        return OTHER
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return OTHER
    labels = domain.split(".")
    if len(labels) < 2 or not all(HOST_LABEL.fullmatch(label) for label in labels):
        return OTHER
    return domain


@dataclass(frozen=True)
class LabelPolicy:
    """The labels the admin chose: the account's name, customer domains (both off by
    default)."""

    account: str | None = None
    customer_domains: bool = False

    @classmethod
    def of(cls, settings: MetricsSettings) -> LabelPolicy:
        return cls(settings.account_label, settings.customer_domains)

    def label_names(self, names: Sequence[str]) -> tuple[str, ...]:
        """An instrument's label names as exported: ``customer_domain`` only when turned
        on, ``account`` first when set."""
        kept = tuple(n for n in names if n != CUSTOMER_DOMAIN or self.customer_domains)
        return ((ACCOUNT,) if self.account is not None else ()) + kept

    def labels(self, **values: str) -> dict[str, str]:
        """The label values of one data point, following :meth:`label_names`."""
        labels = {ACCOUNT: self.account} if self.account is not None else {}
        for name, value in values.items():
            if name != CUSTOMER_DOMAIN or self.customer_domains:
                labels[name] = value
        return labels

    def customer_domain(self, address: str) -> str:
        """The label value for a customer's address (``other`` when not turned on)."""
        return domain_of(address) if self.customer_domains else OTHER
