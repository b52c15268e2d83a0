"""The effective rules, and the examples ``trustmail config check`` runs for them.

A layer changes a rule by id (``[rules."en.honesty.hedge"]``: weight, enabled, add,
remove). When it edits the phrase list, the shipped examples may no longer fit: a hit
example that used a removed phrase stops flagging. Such a layer gives the rule its own
examples in the same table, and ``config check`` runs those instead::

    [rules."en.honesty.hedge"]
    remove = ["probably"]
    [rules."en.honesty.hedge".examples]
    hit = ["It might ship Friday."]       # replaces the shipped hit examples
    miss = ["It ships Friday."]           # optional; replaces the shipped miss examples
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from daemon.config.locks import LockSet
from scoring.rules import Examples, Rule, expand_phrase, phrase_regex
from scoring.settings import RuleOverride
from scoring.validation import Table

RULES_TABLE = "rules"
EXAMPLES_KEY = "examples"
RULE_FIELDS = ("weight", "enabled", "add", "remove")


@dataclass(frozen=True)
class ExampleOverride:
    """A layer's own examples for one rule (None: keep the rule's)."""

    rule_id: str
    source: str
    hit: tuple[str, ...] | None = None
    miss: tuple[str, ...] | None = None
    now: str | None = None

    def apply(self, examples: Examples) -> Examples:
        return Examples(hit=examples.hit if self.hit is None else self.hit,
                        miss=examples.miss if self.miss is None else self.miss,
                        now=examples.now if self.now is None else self.now)


def split_example_overrides(data: dict[str, Any], origins: dict[str, str]
                            ) -> tuple[dict[str, Any], dict[str, ExampleOverride]]:
    """The merged config without ``rules.<id>.examples``, and those examples decoded."""
    rules = data.get(RULES_TABLE)
    if not isinstance(rules, dict) or not any(
            isinstance(t, dict) and EXAMPLES_KEY in t for t in rules.values()):
        return data, {}
    overrides: dict[str, ExampleOverride] = {}
    stripped: dict[str, Any] = {}
    for rule_id, table in rules.items():
        if not isinstance(table, dict) or EXAMPLES_KEY not in table:
            stripped[rule_id] = table
            continue
        stripped[rule_id] = {k: v for k, v in table.items() if k != EXAMPLES_KEY}
        examples = Table(table[EXAMPLES_KEY], "config",
                         f"{RULES_TABLE}.{rule_id}.{EXAMPLES_KEY}", origins)
        override = ExampleOverride(
            rule_id=rule_id,
            source=examples.origin(examples.path),
            hit=tuple(examples.get_str_list("hit")) if examples.has("hit") else None,
            miss=tuple(examples.get_str_list("miss")) if examples.has("miss") else None,
            now=examples.get_str("now") if examples.has("now") else None,
        )
        examples.finish()
        if override.hit == () or override.miss == ():
            raise examples.error("hit" if override.hit == () else "miss",
                                 "give at least one example, or leave the key out to keep "
                                 "the rule's own")
        overrides[rule_id] = override
    return {**data, RULES_TABLE: stripped}, overrides


@dataclass(frozen=True)
class EffectiveRule:
    """One rule as the merged config leaves it, and where that came from."""

    rule_id: str
    dimension: str
    kind: str
    weight: float
    enabled: bool
    layer: str                   # the files that changed it, or its pack "(shipped)"
    origins: dict[str, str]      # weight/enabled/add/remove -> the file that set it
    locked_by: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"id": self.rule_id, "dimension": self.dimension, "kind": self.kind,
                "weight": self.weight, "enabled": self.enabled, "layer": self.layer,
                "origins": self.origins, "locked_by": self.locked_by}


def effective_rules(rules: list[Rule], origins: dict[str, str],
                    locks: LockSet) -> list[EffectiveRule]:
    """Every rule, sorted by id, with the layer that set its weight and enabled flag."""
    result: list[EffectiveRule] = []
    for rule in sorted(rules, key=lambda r: r.rule_id):
        changed = {name: origins[f"{RULES_TABLE}.{rule.rule_id}.{name}"] for name in RULE_FIELDS
                   if f"{RULES_TABLE}.{rule.rule_id}.{name}" in origins}
        layer = "; ".join(dict.fromkeys(changed.values())) or f"{rule.source} (shipped)"
        path = (RULES_TABLE, rule.rule_id)
        locked = locks.covering(path) or locks.below(path)     # the rule, or one of its keys
        result.append(EffectiveRule(
            rule_id=rule.rule_id, dimension=rule.dimension, kind=rule.kind,
            weight=rule.weight, enabled=rule.enabled, layer=layer, origins=changed,
            locked_by=f"{locked.key} by {locked.source}" if locked else ""))
    return result


def rules_table(rules: list[EffectiveRule]) -> list[str]:
    """The effective rules as aligned text lines."""
    width = max((len(r.rule_id) for r in rules), default=2)
    lines = [f"{'id':<{width}}  {'dimension':<14}  {'weight':>6}  enabled  layer"]
    for rule in rules:
        locked = f"  [locked: {rule.locked_by}]" if rule.locked_by else ""
        lines.append(f"{rule.rule_id:<{width}}  {rule.dimension:<14}  {rule.weight:>6g}  "
                     f"{'yes' if rule.enabled else 'no ':<7}  {rule.layer}{locked}")
    return lines


def example_hint(rule: Rule, text: str, should_flag: bool,
                 override: RuleOverride | None) -> str:
    """Why an example may fail after a layer's phrase edits, and how to fix it; or ""."""
    if override is None:
        return ""
    edited = override.remove if should_flag else override.add
    used = next((phrase for phrase in edited if occurs(phrase, text)), None)
    if used is None:
        return ""
    verb = "removes" if should_flag else "adds"
    key = "hit" if should_flag else "miss"
    wanted = "a draft it should still flag" if should_flag else "a draft it must not flag"
    return (f"this {key} example of {rule.rule_id} uses {used!r}, which {override.source} "
            f"{verb}; give the rule examples that fit your phrase list in that file: "
            f"[rules.\"{rule.rule_id}\".examples] {key} = [\"<{wanted}>\"] "
            f"(or set enabled = false)")


def occurs(phrase: str, text: str) -> bool:
    """A phrase (or template) occurs in ``text`` as the rules match it: whole words."""
    try:
        variants = expand_phrase(phrase)
    except ValueError:
        return False
    return any(re.search(phrase_regex(v), text, re.IGNORECASE) for v in variants if v.strip())
