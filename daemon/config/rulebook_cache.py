"""The compiled rule packs, cached in the user's cache dir so a warm start skips them.

Decoding, validating and compiling the packs costs more than scoring a draft (about
150 ms, most of it some 500 regexes). The cache holds the rulebook as plain data
(scoring/rulebook_data.py), keyed by everything the rulebook is built from: the packs'
content, the layers' rule overrides, and the code that builds it (the files of those
modules, by size and modification time, so an edited or reinstalled core never reads
a stale entry). One entry (daemon/config/cache_file.py): written 0600 and replaced
atomically; a file that is corrupt, of another key or unreadable is ignored and rebuilt.
Only packs that validated are ever written, so a cache hit never hides a config error.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import marshal
import os
import sys
from pathlib import Path

from daemon.config.cache_file import cache_dir, read_entry, write_entry
from scoring import (
    lazy_regex,
    lexicon,
    lowered,
    phrase_index,
    rulebook_data,
    rules,
    sentence_kinds,
)
from scoring.rules import RuleBook, build_rulebook
from scoring.settings import ScoringSettings

CACHE_FILE = "rulebook.cache"
# the modules whose code decides what a rulebook holds
BUILDERS = (rules, rulebook_data, lazy_regex, lexicon, lowered, phrase_index, sentence_kinds)


def cache_path() -> Path:
    return cache_dir() / CACHE_FILE


def cached_rulebook(settings: ScoringSettings, path: Path | None = None) -> RuleBook:
    """The rulebook of ``settings``: from the cache when it holds this one, else built
    (raising the packs' ConfigError as ever) and written for the next start."""
    path = cache_path() if path is None else path
    key = cache_key(settings)
    book = read_cache(path, key)
    if book is None:
        book = build_rulebook(settings.rule_packs, settings.overrides)
        write_cache(path, key, book)
    return book


def cache_key(settings: ScoringSettings) -> bytes:
    code = [(module.__name__, *file_stamp(module.__file__)) for module in BUILDERS]
    material = {
        "format": rulebook_data.DATA_FORMAT,
        "python": sys.implementation.cache_tag,
        "code": code,
        "packs": [(p.language, p.dimension, p.source, p.data) for p in settings.rule_packs],
        "overrides": {rule_id: dataclasses.asdict(override)
                      for rule_id, override in sorted(settings.overrides.items())},
    }
    text = json.dumps(material, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def file_stamp(filename: str | None) -> tuple[str, int, int]:
    if filename is None:
        return ("", 0, 0)
    try:
        stat = os.stat(filename)
    except OSError:
        return (filename, 0, 0)
    return (filename, stat.st_mtime_ns, stat.st_size)


def read_cache(path: Path, key: bytes) -> RuleBook | None:
    """The cached rulebook of ``key``, or None (missing, another key, or corrupt)."""
    payload = read_entry(path, key)
    if payload is None:
        return None
    try:
        data = marshal.loads(payload)
        return rulebook_data.rulebook_from_data(data) if isinstance(data, dict) else None
    except (ValueError, TypeError, KeyError, EOFError, AttributeError):
        return None


def write_cache(path: Path, key: bytes, book: RuleBook) -> None:
    """Best effort, as every cache entry (daemon/config/cache_file.py)."""
    try:
        payload = marshal.dumps(rulebook_data.rulebook_to_data(book))
    except ValueError:      # an option value marshal cannot hold (a TOML date): no cache
        return
    write_entry(path, key, payload)
