"""``trustmail config check``, ``config show`` and ``config rules``."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from daemon.config.load import LoadedConfig, load_config
from daemon.config.locks import render_key
from daemon.config.rules import EffectiveRule, effective_rules, example_hint, rules_table
from scoring import Scorer
from scoring.rules import Examples, Rule
from scoring.settings import RuleOverride, ScoringSettings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("config", help="validate or show the merged config")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    check = actions.add_parser("check", help="validate every layer and run every rule's examples")
    check.add_argument("--config", type=Path, default=None)
    check.set_defaults(handler=run_check)
    show = actions.add_parser("show", help="print the merged config and where each value came from")
    show.add_argument("--config", type=Path, default=None)
    show.add_argument("--format", choices=("text", "json"), default="text")
    show.set_defaults(handler=run_show)
    rules = actions.add_parser("rules", help="list the effective rules: id, dimension, weight, "
                               "enabled and the layer that set them")
    rules.add_argument("--config", type=Path, default=None)
    rules.add_argument("--format", choices=("text", "json"), default="text")
    rules.set_defaults(handler=run_rules)


def example_failures(scorer: Scorer, rule: Rule, examples: Examples | None = None) -> list[str]:
    """Run a rule's hit and miss examples (or ``examples`` instead); return what went
    wrong."""
    return [problem for problem, _text, _hit in failing_examples(scorer, rule, examples)]


def failing_examples(scorer: Scorer, rule: Rule,
                     examples: Examples | None = None) -> list[tuple[str, str, bool]]:
    """(problem, example text, whether it should flag) for each example that fails."""
    examples = examples or rule.examples
    now = datetime.fromisoformat(examples.now) if examples.now else None
    problems = []
    for text in examples.hit:
        report = scorer.score_text(text, now=now, lang=rule.language)
        if not any(f.rule == rule.rule_id for f in report.findings):
            problems.append((f"{rule.rule_id}: should flag: {text!r}", text, True))
    for text in examples.miss:
        report = scorer.score_text(text, now=now, lang=rule.language)
        if any(f.rule == rule.rule_id for f in report.findings):
            problems.append((f"{rule.rule_id}: should not flag: {text!r}", text, False))
    return problems


def every_rule_on(settings: ScoringSettings, rules: dict[str, Rule]) -> Scorer:
    """A scorer with the config's rules, the disabled ones switched on (their phrase and
    weight changes kept)."""
    overrides = dict(settings.overrides)
    for rule_id, rule in rules.items():
        if not rule.enabled:
            current = overrides.get(rule_id)
            overrides[rule_id] = (replace(current, enabled=True) if current else
                                  RuleOverride(rule_id, "config check", enabled=True))
    return Scorer(replace(settings, overrides=overrides))


def print_layers(loaded: LoadedConfig, prefix: str = "") -> None:
    """Every file read, in merge order (site snippets named one by one), and the locks."""
    for layer in loaded.layers:
        kind = f"{layer.name} snippet" if layer.is_snippet else layer.name
        print(f"{prefix}layer {kind}: {layer.path}")
    for lock in loaded.locks.locks:
        print(f"{prefix}locked {lock.key} by {lock.source}")


def run_check(args: argparse.Namespace) -> int:
    loaded = load_config(args.config)
    rules = Scorer(loaded.scoring).rulebook.by_id()
    # every rule's examples, the ones off in this config too: an admin may switch one on
    scorer = every_rule_on(loaded.scoring, rules)
    problems = []
    for rule in scorer.rulebook.by_id().values():
        override = loaded.example_overrides.get(rule.rule_id)
        examples = override.apply(rule.examples) if override else None
        for problem, text, should_flag in failing_examples(scorer, rule, examples):
            hint = example_hint(rule, text, should_flag,
                                loaded.scoring.overrides.get(rule.rule_id))
            problems.append(f"{problem}\n    hint: {hint}" if hint else problem)
    print_layers(loaded)
    for warning in loaded.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} rule example(s) failed:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    enabled = sum(1 for r in rules.values() if r.enabled)
    print(f"config ok: {len(rules)} rules ({enabled} enabled), every example passes")
    return 0


def config_and_rules(args: argparse.Namespace) -> tuple[LoadedConfig, list[EffectiveRule]]:
    """The merged config of ``--config`` and its effective rules (``show`` and ``rules``)."""
    loaded = load_config(args.config)
    return loaded, effective_rules(list(Scorer(loaded.scoring).rulebook.by_id().values()),
                                   loaded.origins, loaded.locks)


def run_show(args: argparse.Namespace) -> int:
    loaded, rules = config_and_rules(args)
    if args.format == "json":
        print(json.dumps({
            "config": loaded.merged, "origins": loaded.origins,
            "layers": [{"layer": layer.name, "path": str(layer.path),
                        "snippet": layer.is_snippet} for layer in loaded.layers],
            "locks": [{"key": lock.key, "path": list(lock.path), "source": lock.source}
                      for lock in loaded.locks.locks],
            "warnings": list(loaded.warnings),
            "rules": [rule.as_json() for rule in rules],
        }, indent=2, ensure_ascii=False))
        return 0
    print_layers(loaded, prefix="# ")
    for warning in loaded.warnings:
        print(f"# warning: {warning}")
    for _dotted, path, value, origin in leaves(loaded.merged, loaded.origins):
        if path == ("rules",) and value == {}:
            continue          # the effective rules follow
        lock = loaded.locks.covering(path)
        locked = f", locked by {lock.source}" if lock else ""
        print(f"{render_key(path)} = {json.dumps(value, ensure_ascii=False)}    "
              f"# {origin}{locked}")
    print(f"# effective rules ({len(rules)}; change one with [rules.\"<id>\"] weight/enabled)")
    for line in rules_table(rules):
        print(f"#   {line}")
    return 0


def run_rules(args: argparse.Namespace) -> int:
    _, rules = config_and_rules(args)
    if args.format == "json":
        print(json.dumps([rule.as_json() for rule in rules], indent=2, ensure_ascii=False))
        return 0
    for line in rules_table(rules):
        print(line)
    return 0


def flatten(data: dict[str, Any], origins: dict[str, str],
            prefix: str = "") -> list[tuple[str, Any, str]]:
    """(dotted key, value, origin) of every leaf; dotted as ``origins`` spells it."""
    return [(dotted, value, origin) for dotted, _path, value, origin in leaves(data, origins)]


def leaves(data: dict[str, Any], origins: dict[str, str], prefix: str = "",
           path: tuple[str, ...] = ()) -> list[tuple[str, tuple[str, ...], Any, str]]:
    rows: list[tuple[str, tuple[str, ...], Any, str]] = []
    for key, value in data.items():
        dotted = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and value:
            rows.extend(leaves(value, origins, dotted, (*path, key)))
        else:
            rows.append((dotted, (*path, key), value, origins.get(dotted, "?")))
    return rows
