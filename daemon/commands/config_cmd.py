"""``trustmail config check`` and ``trustmail config show``."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from daemon.config import load_config
from scoring import Scorer
from scoring.rules import Rule


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


def example_failures(scorer: Scorer, rule: Rule) -> list[str]:
    """Run a rule's hit and miss examples; return what went wrong."""
    now = datetime.fromisoformat(rule.examples.now) if rule.examples.now else None
    problems = []
    for text in rule.examples.hit:
        report = scorer.score_text(text, now=now, lang=rule.language)
        if not any(f.rule == rule.rule_id for f in report.findings):
            problems.append(f"{rule.rule_id}: should flag: {text!r}")
    for text in rule.examples.miss:
        report = scorer.score_text(text, now=now, lang=rule.language)
        if any(f.rule == rule.rule_id for f in report.findings):
            problems.append(f"{rule.rule_id}: should not flag: {text!r}")
    return problems


def run_check(args: argparse.Namespace) -> int:
    loaded = load_config(args.config)
    scorer = Scorer(loaded.scoring)
    rules = scorer.rulebook.by_id()
    problems = []
    for rule in rules.values():
        if rule.enabled:
            problems.extend(example_failures(scorer, rule))
    for layer in loaded.layers:
        print(f"layer {layer.name}: {layer.path}")
    if problems:
        print(f"{len(problems)} rule example(s) failed:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    enabled = sum(1 for r in rules.values() if r.enabled)
    print(f"config ok: {len(rules)} rules ({enabled} enabled), every example passes")
    return 0


def run_show(args: argparse.Namespace) -> int:
    loaded = load_config(args.config)
    if args.format == "json":
        print(json.dumps({"config": loaded.merged, "origins": loaded.origins}, indent=2,
                         ensure_ascii=False))
        return 0
    for key, value, origin in flatten(loaded.merged, loaded.origins):
        print(f"{key} = {json.dumps(value, ensure_ascii=False)}    # {origin}")
    return 0


def flatten(data: dict[str, Any], origins: dict[str, str],
            prefix: str = "") -> list[tuple[str, Any, str]]:
    rows: list[tuple[str, Any, str]] = []
    for key, value in data.items():
        dotted = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and value:
            rows.extend(flatten(value, origins, dotted))
        else:
            rows.append((dotted, value, origins.get(dotted, "?")))
    return rows
