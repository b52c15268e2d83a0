"""A regular expression compiled on first use.

The rule packs hold some 500 regexes, most of them long alternations of phrases; one
draft needs a fraction of them (a pattern gated by ``requires``, a guard that only
runs on a match, the other language's rules). Compiling all of them costs more than
scoring a draft, so a rulebook loaded from its cache keeps each one as source and
flags until a match asks for it. Two threads that race on the first use compile the
same pattern twice; either result is the same.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator


class LazyRegex:
    """The subset of ``re.Pattern[str]`` the scoring core uses, compiled when first used."""

    __slots__ = ("pattern", "flags", "_compiled")

    def __init__(self, pattern: str, flags: int = 0,
                 compiled: re.Pattern[str] | None = None) -> None:
        self.pattern = pattern
        self.flags = flags
        self._compiled = compiled

    @classmethod
    def of(cls, compiled: re.Pattern[str]) -> LazyRegex:
        """An already compiled pattern (a freshly validated rule pack has them all)."""
        return cls(compiled.pattern, int(compiled.flags), compiled)

    @property
    def compiled(self) -> re.Pattern[str]:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = re.compile(self.pattern, self.flags)
        return compiled

    @property
    def is_compiled(self) -> bool:
        return self._compiled is not None

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled.search(string, pos, endpos)

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled.match(string, pos, endpos)

    def finditer(self, string: str, pos: int = 0,
                 endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        return self.compiled.finditer(string, pos, endpos)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, LazyRegex) and self.pattern == other.pattern
                and self.flags == other.flags)

    def __hash__(self) -> int:
        return hash((self.pattern, self.flags))

    def __repr__(self) -> str:
        return f"LazyRegex({self.pattern[:40]!r}, {self.flags})"
