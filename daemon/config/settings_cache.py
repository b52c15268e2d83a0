"""The scoring settings of the config layers, cached by the files' content.

A warm ``trustmail score`` then neither parses nor validates the TOML, nor imports the
modules that do (daemon/config/load.py and its rooms) or the holidays package that the
``[business] holidays`` check reads: about 80 ms of its start.

The key is everything ``load_config(extra).scoring`` is made of: which layer files
exist and their bytes, the shipped rule packs (every name and byte below ``rules/``),
the code that reads and checks them (the files of daemon/config/ and of the scoring
package, by size and modification time) and the holidays registry the country code is
checked against. Only settings that validated are written, so a miss raises the same
ConfigError as ever, and a hit never hides one.

The payload is a pickle of the settings' dataclasses (as the scoring workers receive
them). It is the user's own file, 0600 in a 0700 dir: whoever can write it can already
run code as the user.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from importlib.util import find_spec
from pathlib import Path

import scoring
from daemon.config import paths
from daemon.config.cache_file import cache_dir, read_entry, write_entry
from daemon.config.layers import Layer, config_layers
from scoring.settings import ScoringSettings

CACHE_FILE = "settings.cache"
CONFIG_CODE = Path(__file__).resolve().parent


def cache_path() -> Path:
    return cache_dir() / CACHE_FILE


def cached_scoring_settings(extra: Path | None = None,
                            path: Path | None = None) -> ScoringSettings:
    """``load_config(extra).scoring``, from the cache when the files are unchanged."""
    path = cache_path() if path is None else path
    key = settings_key(config_layers(extra))
    payload = read_entry(path, key)
    if payload is not None:
        try:
            settings = pickle.loads(payload)
        except Exception:  # noqa: BLE001 - a damaged entry is a miss, whatever it raises
            settings = None
        if isinstance(settings, ScoringSettings):
            return settings
    from daemon.config.load import load_config

    settings = load_config(extra).scoring
    # a file edited while it was read: its settings are not those of the key
    if settings_key(config_layers(extra)) == key:
        write_entry(path, key, pickle.dumps(settings, protocol=pickle.HIGHEST_PROTOCOL))
    return settings


def settings_key(layers: list[Layer]) -> bytes:
    digest = hashlib.sha256(sys.implementation.cache_tag.encode())
    for layer in layers:
        add(digest, f"layer {layer.name} {layer.path}", file_bytes(layer.path))
    for name in tree_files(paths.shipped_config_dir() / "rules"):
        add(digest, f"pack {name}", file_bytes(Path(name)))
    code = [CONFIG_CODE, Path(scoring.__file__).resolve().parent, holidays_dir()]
    for directory in code:
        for name in tree_files(directory, recurse=False):
            add(digest, f"code {name}", repr(stamp(name)).encode())
    return digest.digest()


def add(digest: hashlib._Hash, label: str, data: bytes) -> None:
    """One labelled part of the key, length-prefixed: no two parts run into each other."""
    for part in (label.encode("utf-8", "surrogateescape"), data):
        digest.update(len(part).to_bytes(8, "big") + part)


def tree_files(directory: Path | None, recurse: bool = True) -> list[str]:
    """Every file and folder below ``directory`` (sorted); [] when there is none."""
    if directory is None:
        return []
    names: list[str] = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__") if recurse else []
        names += sorted(os.path.join(root, name) for name in (*dirs, *files))
    return names


def file_bytes(path: Path) -> bytes:
    """``+`` and the file's bytes; ``-`` and why for a folder or a file that cannot be
    read (an unreadable file must not share the key of an empty one)."""
    try:
        return b"+" + path.read_bytes()
    except OSError as error:
        return b"-" + type(error).__name__.encode()


def stamp(name: str) -> tuple[int, int]:
    try:
        info = os.stat(name)
    except OSError:
        return (0, 0)
    return (info.st_mtime_ns, info.st_size)


def holidays_dir() -> Path | None:
    """Where the holidays package is (found, not imported: that is what the cache saves)."""
    spec = find_spec("holidays")
    origin = spec.origin if spec is not None else None
    return Path(origin).parent if origin else None
