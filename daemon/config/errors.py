"""Every error of the config at once, not only the first.

The strict decoders (scoring/validation.py) stop at the first bad key. To report all of
them, validation runs again on a copy of the merged config with that key taken out (so
its default applies) until it passes; each round names one more error. A required key
that is missing takes its table out instead; an error that names no key in the merged
config (a broken rule pack, say) ends the search.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from daemon.config.layers import deep_copy
from scoring.errors import ConfigError

T = TypeVar("T")
MAX_ERRORS = 100
INDEX = re.compile(r"\[(\d+)\]")


class ConfigErrors(ConfigError):
    """Several config errors, reported together (grouped by file, in the order found)."""

    def __init__(self, errors: list[ConfigError]) -> None:
        first = errors[0]
        super().__init__(first.source, first.key, first.problem)
        self.errors = tuple(errors)

    def __str__(self) -> str:
        if len(self.errors) == 1:
            return str(self.errors[0])
        files = list(dict.fromkeys(error.source for error in self.errors))
        lines = [f"{len(self.errors)} config errors:"]
        for source in files:
            lines += [f"  {error}" for error in self.errors if error.source == source]
        return "\n".join(lines)


def raise_all(errors: list[ConfigError]) -> None:
    if errors:
        raise errors[0] if len(errors) == 1 else ConfigErrors(errors)


def collect_errors(validate: Callable[[dict[str, Any]], T],
                   data: dict[str, Any]) -> tuple[T | None, list[ConfigError], dict[str, Any]]:
    """Validate ``data``; on an error, drop the key it names and validate again.

    Returns the result (None when the errors could not be worked around), every error
    found, and the data that finally validated (``data`` less the dropped keys).
    """
    work = deep_copy(data)
    indexes = IndexMap()
    errors: list[ConfigError] = []
    while len(errors) < MAX_ERRORS:
        try:
            return validate(work), errors, work
        except ConfigError as error:
            errors.append(indexes.original(error))
            if not drop(work, error.key, indexes):
                return None, errors, work
    return None, errors, work


class IndexMap:
    """Dropping ``accounts[0]`` shifts the others; errors keep the indexes of the file."""

    def __init__(self) -> None:
        self._alive: dict[str, list[int]] = {}   # array path -> original index of each item

    def original(self, error: ConfigError) -> ConfigError:
        key = error.key
        for array, alive in self._alive.items():
            match = INDEX.match(key, len(array)) if key.startswith(array + "[") else None
            if match is not None and int(match.group(1)) < len(alive):
                key = f"{array}[{alive[int(match.group(1))]}]{key[match.end():]}"
        return error if key == error.key else ConfigError(error.source, key, error.problem)

    def record_drop(self, array: str, length: int, index: int) -> None:
        self._alive.setdefault(array, list(range(length))).pop(index)


def drop(data: dict[str, Any], dotted: str, indexes: IndexMap) -> bool:
    """Remove the value ``dotted`` names (or the nearest table that holds it)."""
    steps = resolve(data, dotted)
    if not steps:
        return False
    container: Any = data
    for step in steps[:-1]:
        container = container[step]
    last = steps[-1]
    if isinstance(last, int):
        indexes.record_drop(render(steps[:-1]), len(container), last)
    del container[last]
    return True


def resolve(data: dict[str, Any], dotted: str) -> list[str | int]:
    """The steps (keys and array indexes) of the longest existing prefix of ``dotted``.

    Keys may contain dots (rule ids such as ``en.honesty.hedge``), so each level takes
    the longest key that the rest of the path starts with.
    """
    steps: list[str | int] = []
    node: Any = data
    rest = dotted
    while rest:
        if isinstance(node, dict):
            key = next((k for k in sorted(node, key=len, reverse=True)
                        if rest == k or rest.startswith((k + ".", k + "["))), None)
            if key is None:
                break
            steps.append(key)
            node = node[key]
            rest = rest[len(key):].removeprefix(".")
        elif isinstance(node, list):
            match = INDEX.match(rest)
            if match is None or int(match.group(1)) >= len(node):
                break
            steps.append(int(match.group(1)))
            node = node[int(match.group(1))]
            rest = rest[match.end():].removeprefix(".")
        else:
            break
    return steps


def render(steps: list[str | int]) -> str:
    text = ""
    for step in steps:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text
