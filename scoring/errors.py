"""The small exception tree of trustmail.

TrustmailError
 +-- ConfigError      a config or rule file is wrong (names file, key and fix)
 +-- InputError       an input cannot be read as a draft (bad JSON line, unreadable file)
"""

from __future__ import annotations


class TrustmailError(Exception):
    """Base of every error trustmail raises on purpose."""


class ConfigError(TrustmailError):
    """A config or rule file is invalid.

    The message always names the file, the key and how to fix it, e.g.
    ``site.toml: thresholds.wran: unknown key (did you mean 'warn'?)``.
    """

    def __init__(self, source: str, key: str, problem: str) -> None:
        self.source = source
        self.key = key
        self.problem = problem
        where = f"{source}: {key}" if key else source
        super().__init__(f"{where}: {problem}")


class InputError(TrustmailError):
    """An input cannot be turned into a draft at all."""
