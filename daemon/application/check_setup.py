"""Check the setup: settings still at the shipped placeholders, and a missing user config.

The shipped config relays to ``smtp.example.com`` and treats ``example.com`` as the
company: fine for tests, useless for a person. ``trustmail run`` logs each finding as a
warning at start, ``trustmail init`` writes the values that replace them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from daemon.config import paths
from daemon.config.load import LoadedConfig
from daemon.runtime.logs import log_event

# RFC 2606 names that can never be a real server or company.
PLACEHOLDER_DOMAINS = ("example.com", "example.org", "example.net")
PLACEHOLDER_SUFFIXES = (".example", ".invalid", ".test")


@dataclass(frozen=True)
class SetupProblem:
    key: str            # the dotted config key, e.g. "smtp.upstream.host"
    value: str
    fix: str

    def __str__(self) -> str:
        return f"{self.key} = {self.value!r} is a placeholder: {self.fix}"


def is_placeholder(name: str) -> bool:
    """``smtp.example.com``, ``example.org``, ``me@example.com``, ``mail.acme.example``."""
    host = name.lower().rpartition("@")[2].rstrip(".")
    return (any(host == d or host.endswith("." + d) for d in PLACEHOLDER_DOMAINS)
            or host.endswith(PLACEHOLDER_SUFFIXES))


def setup_problems(config: LoadedConfig) -> list[SetupProblem]:
    """Every setting that still names a placeholder server, company or address."""
    init = f"run `trustmail init` or set it in {paths.user_config_file()}"
    problems: list[SetupProblem] = []
    upstream = config.daemon.smtp.upstream
    if is_placeholder(upstream.host):
        problems.append(SetupProblem(
            "smtp.upstream.host", upstream.host,
            f"mail sent through the proxy cannot be delivered; {init}"))
    for index, account in enumerate(config.daemon.accounts):
        if is_placeholder(account.host):
            problems.append(SetupProblem(f"accounts[{index}].host", account.host,
                                         f"account {account.name!r} cannot sync; {init}"))
    domains = config.scoring.business.internal_domains
    if domains and all(is_placeholder(d) for d in domains):
        problems.append(SetupProblem(
            "business.internal_domains", ", ".join(domains),
            f"your colleagues' mail would count as customer mail; {init}"))
    return problems


def missing_user_config() -> str | None:
    """A sentence when the user config file does not exist yet, else None."""
    user_file = paths.user_config_file()
    if user_file.exists():
        return None
    return f"no user config at {user_file}: `trustmail init` writes one"


def log_setup_problems(config: LoadedConfig, logger: logging.Logger) -> None:
    """What ``trustmail run`` warns about at start (one warning per problem)."""
    for problem in setup_problems(config):
        log_event(logger, logging.WARNING, "placeholder-setting", key=problem.key,
                  value=problem.value, fix=problem.fix)
    missing = missing_user_config()
    if missing:
        log_event(logger, logging.WARNING, "no-user-config", fix=missing)
