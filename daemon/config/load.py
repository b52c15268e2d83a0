"""Config layers: shipped < site (+ conf.d snippets) < user < --config, merged with the
origin of each value, validated strictly with every error reported at once.

Reading and merging files is daemon/config/layers.py, site locks daemon/config/locks.py,
collecting every error daemon/config/errors.py, rule examples daemon/config/rules.py;
this module puts them together (``load_config``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from daemon.config import paths
from daemon.config.errors import collect_errors, raise_all
from daemon.config.layers import (
    SITE,
    USER_LAYERS,
    Layer,
    config_layers,
    merge_into,
    read_toml,
)
from daemon.config.locks import (
    LOCK_TABLE,
    Lock,
    LockSet,
    LockViolation,
    parse_lock_table,
    unknown_locks,
)
from daemon.config.rules import ExampleOverride, split_example_overrides
from daemon.config.sections import (
    DaemonSettings,
    parse_account,
    parse_api,
    parse_metrics,
    parse_report,
    parse_smtp,
    parse_store,
)
from scoring.errors import ConfigError
from scoring.rules import PACK_FILES_WITHOUT_RULES, RuleBook, build_rulebook
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

__all__ = ["Layer", "LoadedConfig", "config_layers", "load_config", "merge_into", "read_toml"]

LOG_LEVELS = ("debug", "info", "warning", "error")


@dataclass(frozen=True)
class LoadedConfig:
    scoring: ScoringSettings
    daemon: DaemonSettings
    merged: dict[str, Any]
    origins: dict[str, str]     # dotted key -> layer name and file
    layers: tuple[Layer, ...]
    locks: LockSet = field(default_factory=LockSet)
    lock_violations: tuple[LockViolation, ...] = ()     # user values a lock kept out
    example_overrides: dict[str, ExampleOverride] = field(default_factory=dict)

    @property
    def warnings(self) -> tuple[str, ...]:
        """What the daemon and ``config check`` should say but not refuse."""
        return tuple(str(v) for v in self.lock_violations)

    def locked_by(self, path: tuple[str, ...]) -> Lock | None:
        """The lock on a key (``("smtp", "policy")``) or on a table above it."""
        return self.locks.covering(path)


def load_rule_packs(config_dir: Path) -> tuple[RulePackFile, ...]:
    """Read ``rules/<lang>/<dimension>.toml`` (and ``guards.toml``, ``kinds.toml``,
    ``lexicon.toml``) below a config dir."""
    packs: list[RulePackFile] = []
    rules_dir = config_dir / "rules"
    for lang_dir in sorted(p for p in rules_dir.iterdir() if p.is_dir()):
        if lang_dir.name not in LANGUAGES:
            raise ConfigError(str(lang_dir), "", f"unknown language folder; expected one of "
                              f"{', '.join(LANGUAGES)}")
        for path in sorted(lang_dir.glob("*.toml")):
            if path.stem not in DIMENSIONS and path.stem not in PACK_FILES_WITHOUT_RULES:
                raise ConfigError(str(path), "", "a rule pack is named after its dimension: "
                                  f"{', '.join(DIMENSIONS)} (or "
                                  f"{', '.join(f'{n}.toml' for n in PACK_FILES_WITHOUT_RULES)})")
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
        default_language=root.get_str("default_language", ScoringSettings.default_language,
                                      choices=LANGUAGES),
    )
    daemon_settings = DaemonSettings(
        smtp=parse_smtp(root.table("smtp")),
        api=parse_api(root.table("api")),
        accounts=tuple(parse_account(t) for t in root.tables("accounts")),
        store=parse_store(root.table("store")),
        report=parse_report(root.table("report")),
        log_level=root.get_str("log_level", DaemonSettings.log_level, choices=LOG_LEVELS),
        metrics=parse_metrics(root.table("metrics")),
    )
    names = [a.name for a in daemon_settings.accounts]
    if len(set(names)) != len(names):
        raise root.error("accounts", "two accounts share a name; names must be unique")
    root.finish()
    return scoring_settings, daemon_settings


@dataclass(frozen=True)
class Validated:
    scoring: ScoringSettings
    daemon: DaemonSettings
    example_overrides: dict[str, ExampleOverride]

    def rule_ids(self) -> set[str]:
        return set(rulebook_of(self.scoring).by_id())


def rulebook_of(settings: ScoringSettings) -> RuleBook:
    return build_rulebook(settings.rule_packs, settings.overrides)


def validate(merged: dict[str, Any], origins: dict[str, str],
             packs: tuple[RulePackFile, ...]) -> Validated:
    """Decode the merged config and apply the rule overrides; raises the first error.

    The rules are compiled here only when a layer changes one (the shipped packs alone
    are compiled, and checked, by the Scorer): ~40 ms that most loads do not need.
    """
    config, examples = split_example_overrides(merged, origins)
    scoring_settings, daemon_settings = build_settings(config, origins, packs)
    if scoring_settings.overrides:
        rulebook_of(scoring_settings)
    return Validated(scoring_settings, daemon_settings, examples)


def load_config(extra: Path | None = None) -> LoadedConfig:
    """Read every layer, merge, and validate strictly.

    Raises ConfigError; with several problems a ConfigErrors that lists them all.
    """
    layers = tuple(config_layers(extra))
    errors: list[ConfigError] = []
    merged: dict[str, Any] = {}
    origins: dict[str, str] = {}
    locks = LockSet()
    violations: list[LockViolation] = []
    for layer in layers:
        try:
            data = read_toml(layer.path)
        except ConfigError as error:
            errors.append(error)
            continue
        if LOCK_TABLE in data:
            lock_data = data.pop(LOCK_TABLE)
            if layer.name == SITE:
                found, bad = parse_lock_table(lock_data, layer.origin)
                locks.add(found)
                errors += bad
            else:
                errors.append(ConfigError(layer.origin, LOCK_TABLE, "only a site file "
                                          "(/etc/trustmail/, its conf.d/) locks settings; "
                                          "remove the [lock] table"))
        if layer.name in USER_LAYERS:
            data, kept_out = locks.filter(data, layer.origin, merged)
            violations += kept_out
        merge_into(merged, origins, data, layer.origin)
    packs = load_rule_packs(paths.shipped_config_dir())
    result, invalid, valid = collect_errors(lambda data: validate(data, origins, packs),
                                            merged)
    errors += invalid
    if result is not None:
        rule_locks = any(lock.path[0] == "rules" for lock in locks.locks)
        errors += unknown_locks(
            locks.locks, valid, result.rule_ids() if rule_locks else set(),
            lambda data: build_settings(split_example_overrides(data, origins)[0], origins,
                                        packs))
    raise_all(errors)
    assert result is not None
    return LoadedConfig(result.scoring, result.daemon, merged, origins, layers, locks,
                        tuple(violations), result.example_overrides)
