"""Site locks: settings an admin fixes so that the user layers cannot change them.

A site file (``/etc/trustmail/trustmail.toml``, a ``conf.d/*.toml`` snippet, or the same
in the platformdirs site dir) locks settings in a ``[lock]`` table that mirrors the
config's own keys, ``true`` at each locked key or table::

    [lock]
    smtp.policy = true                          # one key
    thresholds = true                           # a whole table
    rules."en.honesty.hedge".weight = true      # one rule's weight
    rules."en.disclosure.price-without-terms" = true   # everything about one rule

A lock binds the user layers (the user file and ``--config``): a value they set at or
below a locked key is left out of the merge, and the locked value stays. That is a
warning naming both files, not an error, so an admin who adds a lock never stops a
colleague's daemon; ``trustmail config check`` and ``config show`` print it. Later site
files may still change a locked key: every site file is the admin's.

Locking a key that does not exist is an error, like any unknown key: the strict
decoders are the schema, so a lock is checked by asking them about the key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from scoring.errors import ConfigError

LOCK_TABLE = "lock"
RULES_TABLE = "rules"
BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")

KeyPath = tuple[str, ...]


def render_key(path: Iterable[str]) -> str:
    """A key path as TOML writes it: ``rules."en.honesty.hedge".weight``."""
    return ".".join(part if BARE_KEY.fullmatch(part) else f'"{part}"' for part in path)


@dataclass(frozen=True)
class Lock:
    path: KeyPath
    source: str          # origin of the site file, "FILE (site)"

    @property
    def key(self) -> str:
        return render_key(self.path)

    def covers(self, path: KeyPath) -> bool:
        """``path`` is the locked key or lies below it."""
        return path[:len(self.path)] == self.path


@dataclass(frozen=True)
class LockViolation:
    """A user layer's value that a lock kept out of the merge."""

    key: str
    source: str          # the user layer that set it
    lock: Lock
    kept: Any            # the value that stays (None: not set, the default applies)

    def __str__(self) -> str:
        kept = "the default stays" if self.kept is None else f"the value stays {self.kept!r}"
        what = "it is" if self.key == self.lock.key else f"{self.lock.key} is"
        return (f"{self.source}: {self.key}: ignored, {what} locked by {self.lock.source} "
                f"({kept})")


def parse_lock_table(data: Any, origin: str) -> tuple[list[Lock], list[ConfigError]]:
    """The ``[lock]`` table of one site file: every ``true`` leaf is a lock."""
    locks: list[Lock] = []
    errors: list[ConfigError] = []

    def walk(node: Any, path: KeyPath) -> None:
        key = render_key((LOCK_TABLE, *path))
        if node is True:
            locks.append(Lock(path, origin))
        elif isinstance(node, dict) and node:
            for name, sub in node.items():
                walk(sub, (*path, name))
        elif isinstance(node, dict):
            errors.append(ConfigError(origin, key, "locks nothing; set a key to true, e.g. "
                                      "[lock] smtp.policy = true"))
        elif node is False:
            errors.append(ConfigError(origin, key, "a lock is `true`; remove the key to leave "
                                      "the setting unlocked"))
        else:
            errors.append(ConfigError(origin, key, "expected true (lock this key) or a table "
                                      "of locks"))

    if not isinstance(data, dict):
        errors.append(ConfigError(origin, LOCK_TABLE, "expected a table, e.g. [lock] "
                                  "smtp.policy = true"))
    else:
        walk(data, ())
    return locks, errors


class LockSet:
    """The locks of every site file read so far (the first file to lock a key names it)."""

    def __init__(self) -> None:
        self._locks: dict[KeyPath, Lock] = {}

    @property
    def locks(self) -> tuple[Lock, ...]:
        return tuple(self._locks.values())

    def add(self, locks: Iterable[Lock]) -> None:
        for lock in locks:
            self._locks.setdefault(lock.path, lock)

    def covering(self, path: KeyPath) -> Lock | None:
        """The lock on ``path`` or on a table above it."""
        return next((lock for lock in self._locks.values() if lock.covers(path)), None)

    def below(self, path: KeyPath) -> Lock | None:
        """A lock on a key inside ``path`` (a user value replacing that table hits it)."""
        return next((lock for lock in self._locks.values()
                     if lock.path[:len(path)] == path), None)

    def filter(self, data: dict[str, Any], origin: str,
               merged: dict[str, Any]) -> tuple[dict[str, Any], list[LockViolation]]:
        """A user layer's data without what the locks keep out, and what was kept out."""
        violations: list[LockViolation] = []

        def keep(node: dict[str, Any], prefix: KeyPath) -> dict[str, Any]:
            kept: dict[str, Any] = {}
            for key, value in node.items():
                path = (*prefix, key)
                lock = self.covering(path)
                if lock is None and not isinstance(value, dict):
                    lock = self.below(path)
                if lock is not None:
                    violations.extend(LockViolation(render_key(leaf), origin, lock,
                                                    lookup(merged, leaf))
                                      for leaf in leaf_paths(value, path))
                elif isinstance(value, dict):
                    inner = keep(value, path)
                    if inner or not value:
                        kept[key] = inner
                else:
                    kept[key] = value
            return kept

        if not self._locks:
            return data, []
        return keep(data, ()), violations


def leaf_paths(value: Any, path: KeyPath) -> list[KeyPath]:
    """The keys a user value sets: itself, or every key of a table."""
    if isinstance(value, dict) and value:
        return [leaf for key, sub in value.items() for leaf in leaf_paths(sub, (*path, key))]
    return [path]


def lookup(data: dict[str, Any], path: KeyPath) -> Any:
    node: Any = data
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


class _Probe:
    """A value no decoder accepts: a key that is read complains about its type, a key
    that is not complains that it is unknown."""

    def __repr__(self) -> str:
        return "<lock probe>"


def unknown_locks(locks: Iterable[Lock], merged: dict[str, Any], rule_ids: set[str],
                  validate: Callable[[dict[str, Any]], object]) -> list[ConfigError]:
    """An error for each lock on a key the config does not have.

    ``merged`` must validate. A key it holds exists; any other is probed: set to a value
    of no valid type, a known key fails on its type, an unknown one as unknown.
    """
    errors: list[ConfigError] = []
    for lock in locks:
        problem = unknown_lock_problem(lock.path, merged, rule_ids, validate)
        if problem:
            errors.append(ConfigError(lock.source, render_key((LOCK_TABLE, *lock.path)),
                                      f"locks a setting that does not exist: {problem}"))
    return errors


def unknown_lock_problem(path: KeyPath, merged: dict[str, Any], rule_ids: set[str],
                         validate: Callable[[dict[str, Any]], object]) -> str:
    if path[0] == RULES_TABLE and len(path) > 1 and path[1] not in rule_ids:
        import difflib

        hint = difflib.get_close_matches(path[1], sorted(rule_ids), n=1)
        return f"no rule {path[1]!r}" + (f" (did you mean {hint[0]!r}?)" if hint else
                                         " (see `trustmail config rules`)")
    probe: dict[str, Any] = _copy_tables(merged)
    node = probe
    for depth, part in enumerate(path[:-1]):
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        elif not isinstance(child, dict):
            return f"{render_key(path[:depth + 1])} is a value, not a table"
        node = child
    if path[-1] in node:
        return ""
    node[path[-1]] = _Probe()
    try:
        validate(probe)
    except ConfigError as error:
        dotted = ".".join(path)
        if error.problem.startswith("unknown key") and (
                dotted == error.key or dotted.startswith(error.key + ".")):
            return f"{error.key}: {error.problem}"
        return ""
    except Exception:  # noqa: BLE001 - a decoder that chokes on the probe did read the key
        return ""
    return ""


def _copy_tables(data: dict[str, Any]) -> dict[str, Any]:
    return {k: _copy_tables(v) if isinstance(v, dict) else v for k, v in data.items()}
