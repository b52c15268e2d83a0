"""The config files and how they merge: shipped < site (+ conf.d snippets) < user < --config.

Tables merge key by key; any other value (arrays included) is replaced by the later
layer. Every value remembers the file it came from (its *origin*, "FILE (layer)"), so
an error names the right file and ``trustmail config show`` the layer of each value.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from daemon.config import paths
from scoring.errors import ConfigError

SHIPPED, SITE, USER, EXTRA = "shipped", "site", "user", "--config"
USER_LAYERS = (USER, EXTRA)     # the layers a site lock binds


@dataclass(frozen=True)
class Layer:
    name: str          # shipped | site | user | --config
    path: Path

    @property
    def origin(self) -> str:
        """How values of this file are labelled: ``/etc/trustmail/trustmail.toml (site)``."""
        return f"{self.path} ({self.name})"

    @property
    def is_snippet(self) -> bool:
        return self.path.parent.name == paths.SNIPPET_DIR_NAME


def config_layers(extra: Path | None = None) -> list[Layer]:
    """The files that exist, lowest priority first."""
    layers = [Layer(SHIPPED, paths.shipped_config_dir() / paths.CONFIG_FILE_NAME)]
    layers += [Layer(SITE, p) for p in paths.site_config_files() if p.is_file()]
    user_file = paths.user_config_file()
    if user_file.is_file():
        layers.append(Layer(USER, user_file))
    if extra is not None:
        if not extra.is_file():
            raise ConfigError(str(extra), "", "file not found (check the --config path)")
        layers.append(Layer(EXTRA, extra))
    return layers


def read_toml(path: Path) -> dict[str, Any]:
    import tomllib  # a warm ``trustmail score`` reads no TOML (daemon/config/settings_cache.py)

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(str(path), "", f"not valid TOML: {error}") from None
    except OSError as error:
        raise ConfigError(str(path), "", f"cannot read: {error.strerror}") from None


def merge_into(target: dict[str, Any], origins: dict[str, str], data: dict[str, Any],
               origin: str, prefix: str = "") -> None:
    """Merge ``data`` (one layer) into ``target``, recording each dotted key's origin."""
    for key, value in data.items():
        dotted = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            origins[dotted] = origin
            merge_into(target[key], origins, value, origin, dotted)
        else:
            for stale in [k for k in origins
                          if k.startswith(dotted + ".") or k.startswith(dotted + "[")]:
                del origins[stale]
            target[key] = deep_copy(value)
            for path in _leaf_paths(value, dotted):
                origins[path] = origin
            origins[dotted] = origin


def deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [deep_copy(v) for v in value]
    return value


def _leaf_paths(value: Any, prefix: str) -> Iterator[str]:
    """Every key path below a value; array items as ``accounts[0]``."""
    if isinstance(value, dict):
        for key, sub in value.items():
            yield f"{prefix}.{key}"
            yield from _leaf_paths(sub, f"{prefix}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield f"{prefix}[{index}]"
                yield from _leaf_paths(item, f"{prefix}[{index}]")
