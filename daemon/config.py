"""Config layers: shipped < site < user < --config, merged with the origin of each value.

Tables merge key by key; any other value (arrays included) is replaced by the later
layer. Every value remembers the file it came from, so an error names the right file
and ``trustmail config show`` can print the layer of each value.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from daemon import paths
from daemon.settings import (
    DaemonSettings,
    parse_account,
    parse_api,
    parse_metrics,
    parse_report,
    parse_smtp,
    parse_store,
)
from scoring.errors import ConfigError
from scoring.rules import PACK_FILES_WITHOUT_RULES
from scoring.settings import (
    DIMENSIONS,
    LANGUAGES,
    RulePackFile,
    ScoringSettings,
    parse_business,
    parse_dimensions,
    parse_overrides,
    parse_thresholds,
)
from scoring.validation import Table

LOG_LEVELS = ("debug", "info", "warning", "error")


@dataclass(frozen=True)
class Layer:
    name: str          # shipped | site | user | --config
    path: Path


@dataclass(frozen=True)
class LoadedConfig:
    scoring: ScoringSettings
    daemon: DaemonSettings
    merged: dict[str, Any]
    origins: dict[str, str]     # dotted key -> layer name and file
    layers: tuple[Layer, ...]


def config_layers(extra: Path | None = None) -> list[Layer]:
    """The files that exist, lowest priority first."""
    layers = [Layer("shipped", paths.shipped_config_dir() / paths.CONFIG_FILE_NAME)]
    layers += [Layer("site", p) for p in paths.site_config_files() if p.is_file()]
    user_file = paths.user_config_file()
    if user_file.is_file():
        layers.append(Layer("user", user_file))
    if extra is not None:
        if not extra.is_file():
            raise ConfigError(str(extra), "", "file not found (check the --config path)")
        layers.append(Layer("--config", extra))
    return layers


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(str(path), "", f"not valid TOML: {error}") from None
    except OSError as error:
        raise ConfigError(str(path), "", f"cannot read: {error.strerror}") from None


def merge_into(target: dict[str, Any], origins: dict[str, str], data: dict[str, Any],
               origin: str, prefix: str = "") -> None:
    for key, value in data.items():
        dotted = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            origins[dotted] = origin
            merge_into(target[key], origins, value, origin, dotted)
        else:
            for stale in [k for k in origins if k.startswith(dotted + ".")]:
                del origins[stale]
            target[key] = _copy(value)
            for path in _leaf_paths(value, dotted):
                origins[path] = origin
            origins[dotted] = origin


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _leaf_paths(value: Any, prefix: str) -> Iterator[str]:
    if isinstance(value, dict):
        for key, sub in value.items():
            yield f"{prefix}.{key}"
            yield from _leaf_paths(sub, f"{prefix}.{key}")


def load_rule_packs(config_dir: Path) -> tuple[RulePackFile, ...]:
    """Read ``rules/<lang>/<dimension>.toml`` (and ``guards.toml``, ``kinds.toml``) below a
    config dir."""
    packs: list[RulePackFile] = []
    rules_dir = config_dir / "rules"
    for lang_dir in sorted(p for p in rules_dir.iterdir() if p.is_dir()):
        if lang_dir.name not in LANGUAGES:
            raise ConfigError(str(lang_dir), "", f"unknown language folder; expected one of "
                              f"{', '.join(LANGUAGES)}")
        for path in sorted(lang_dir.glob("*.toml")):
            if path.stem not in DIMENSIONS and path.stem not in PACK_FILES_WITHOUT_RULES:
                raise ConfigError(str(path), "", "a rule pack is named after its dimension: "
                                  f"{', '.join(DIMENSIONS)} (or guards.toml, kinds.toml)")
            packs.append(RulePackFile(lang_dir.name, path.stem, str(path), read_toml(path)))
    return tuple(packs)


def build_settings(merged: dict[str, Any], origins: dict[str, str],
                   packs: tuple[RulePackFile, ...]) -> tuple[ScoringSettings, DaemonSettings]:
    root = Table(merged, "config", "", origins)
    thresholds = parse_thresholds(root.table("thresholds"))
    scoring_settings = ScoringSettings(
        thresholds=thresholds,
        dimensions=parse_dimensions(root.table("dimensions"), thresholds),
        business=parse_business(root.table("business")),
        rule_packs=packs,
        overrides=parse_overrides(root.table("rules")),
        default_language=root.get_str("default_language", "en", choices=LANGUAGES),
    )
    daemon_settings = DaemonSettings(
        smtp=parse_smtp(root.table("smtp")),
        api=parse_api(root.table("api")),
        accounts=tuple(parse_account(t) for t in root.tables("accounts")),
        store=parse_store(root.table("store")),
        report=parse_report(root.table("report")),
        log_level=root.get_str("log_level", "info", choices=LOG_LEVELS),
        metrics=parse_metrics(root.table("metrics")),
    )
    names = [a.name for a in daemon_settings.accounts]
    if len(set(names)) != len(names):
        raise root.error("accounts", "two accounts share a name; names must be unique")
    root.finish()
    return scoring_settings, daemon_settings


def load_config(extra: Path | None = None) -> LoadedConfig:
    """Read every layer, merge, and validate strictly. Raises ConfigError."""
    layers = tuple(config_layers(extra))
    merged: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for layer in layers:
        merge_into(merged, origins, read_toml(layer.path), f"{layer.path} ({layer.name})")
    packs = load_rule_packs(paths.shipped_config_dir())
    scoring_settings, daemon_settings = build_settings(merged, origins, packs)
    return LoadedConfig(scoring_settings, daemon_settings, merged, origins, layers)
