"""Word lists the rules of one language share, written once: the ``[lists]`` table of
``rules/<lang>/lexicon.toml``.

Several promise rules read the same follow-up phrases ("get back to you", "melde mich")
and the same events that excuse a missing date ("as soon as", "sobald"). Each list is
written once, by name, and a rule option refers to it::

    options.follow_ups = { list = "follow_ups" }

The reference is resolved when the pack is read: checks, the option schema
(scoring/rule_options.py) and the rulebook cache see the list itself. An unknown name, a
reference of another shape, a regex list (a name ending in ``_patterns``) for a phrase
option or the other way round, and a list no rule refers to are ConfigErrors.
"""

from __future__ import annotations

import re
from typing import Any

from scoring.errors import ConfigError
from scoring.validation import Table

LISTS_TABLE = "lists"
REFERENCE_KEY = "list"
PATTERNS_SUFFIX = "_patterns"   # as for options: "..._patterns" lists are regexes
LIST_NAME = re.compile(r"[a-z][a-z0-9_]*")

SharedLists = dict[str, tuple[str, ...]]


def parse_shared_lists(table: Table) -> SharedLists:
    """The named lists of a ``[lists]`` table: each a non-empty list of non-empty strings."""
    lists: SharedLists = {}
    for name in table.keys():
        if not LIST_NAME.fullmatch(name):
            raise table.error(name, "list names use lower-case letters, digits and '_'")
        values = table.get_str_list(name)
        if not values or any(not value.strip() for value in values):
            raise table.error(name, "a non-empty list of non-empty strings")
        lists[name] = tuple(values)
    return lists


def resolve_option(options: Table, key: str, lists: SharedLists, used: set[str]) -> Any:
    """The value of option ``key``: as written, or the shared list it refers to (whose
    name is added to ``used``)."""
    value = options.raw(key)
    if not isinstance(value, dict):
        return value
    reference = Table(value, options.source, options.key_path(key))
    name = reference.get_str(REFERENCE_KEY)
    reference.finish()
    if name not in lists:
        known = ", ".join(sorted(lists)) or "none"
        raise reference.error(REFERENCE_KEY, f"no shared list {name!r} (the [{LISTS_TABLE}] "
                              f"of this language's lexicon.toml has: {known})")
    if name.endswith(PATTERNS_SUFFIX) != key.endswith(PATTERNS_SUFFIX):
        raise reference.error(REFERENCE_KEY, f"{name!r} is for options whose name "
                              f"{'ends' if name.endswith(PATTERNS_SUFFIX) else 'does not end'}"
                              f" in {PATTERNS_SUFFIX!r} (regexes there, phrases elsewhere)")
    used.add(name)
    return list(lists[name])


def check_all_used(lists: SharedLists, used: set[str], source: str) -> None:
    """A shared list no rule refers to is a leftover (or a reference that was mistyped)."""
    for name in lists:
        if name not in used:
            raise ConfigError(source, f"{LISTS_TABLE}.{name}",
                              "no rule refers to this list ({ list = \"" + name + "\" })")
