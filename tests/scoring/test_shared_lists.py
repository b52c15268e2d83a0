"""Word lists several rules share are written once, in the lexicon's ``[lists]``, and
referred to by name: ``options.follow_ups = { list = "follow_ups" }``."""

from __future__ import annotations

import copy
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from scoring.errors import ConfigError
from scoring.rules import RuleBook, build_rulebook
from scoring.settings import RulePackFile

RULES = Path(__file__).resolve().parents[2] / "config" / "rules"
LANGUAGES = ("en", "de")


def shipped_data(language: str, dimension: str) -> dict[str, Any]:
    return tomllib.loads((RULES / language / f"{dimension}.toml").read_text("utf-8"))


def english_promises(lists: dict[str, Any] | None = None,
                     **options: Any) -> RuleBook:
    """The shipped English guards, lexicon and promise rules; ``lists`` replaces the
    lexicon's [lists], ``options`` set options of undated-commitment."""
    lexicon, promises = shipped_data("en", "lexicon"), shipped_data("en", "promises")
    if lists is not None:
        lexicon["lists"] = lists
    promises["undated-commitment"]["options"].update(copy.deepcopy(options))
    packs = tuple(RulePackFile("en", dimension, f"rules/en/{dimension}.toml", data)
                  for dimension, data in (("guards", shipped_data("en", "guards")),
                                          ("lexicon", lexicon), ("promises", promises)))
    return build_rulebook(packs, {})


def test_a_reference_is_the_list_itself() -> None:
    rules = english_promises().by_id()
    undated = rules["en.promises.undated-commitment"]
    follow_up = rules["en.promises.follow-up-without-date"]
    assert "get back to you" in undated.options["follow_ups"]
    assert undated.options["follow_ups"] == follow_up.options["follow_ups"]
    assert undated.option_regexes["events"].search("as soon as i hear from them")


@pytest.mark.parametrize(("lists", "options", "key", "problem"), [
    (None, {"events": {"list": "event"}}, "undated-commitment.options.events.list",
     "no shared list 'event' (the [lists] of this language's lexicon.toml has: "
     "conditions_patterns, events, follow_ups)"),
    (None, {"events": {"name": "events"}}, "undated-commitment.options.events.list",
     "missing required key"),
    (None, {"events": {"list": "events", "add": ["once"]}},
     "undated-commitment.options.events.add", "unknown key"),
    (None, {"events": {"list": "conditions_patterns"}},
     "undated-commitment.options.events.list", "whose name ends in '_patterns'"),
    (None, {"conditions_patterns": {"list": "events"}},
     "undated-commitment.options.conditions_patterns.list", "does not end in '_patterns'"),
    ({"Events": ["once"]}, {}, "lists.Events", "lower-case letters"),
    ({"events": []}, {}, "lists.events", "a non-empty list"),
    ({"events": "once"}, {}, "lists.events", "expected a list of strings"),
])
def test_a_wrong_reference_or_list_is_a_config_error(lists: dict[str, Any] | None,
                                                     options: dict[str, Any], key: str,
                                                     problem: str) -> None:
    if lists is not None:
        lists = {**shipped_data("en", "lexicon")["lists"], **lists}
    with pytest.raises(ConfigError) as raised:
        english_promises(lists, **options)
    assert raised.value.key.endswith(key) and problem in raised.value.problem


def test_a_list_no_rule_refers_to_is_a_leftover() -> None:
    lists = {**shipped_data("en", "lexicon")["lists"], "apologies": ["sorry"]}
    with pytest.raises(ConfigError) as raised:
        english_promises(lists)
    assert raised.value.key == "lists.apologies"
    assert raised.value.source == "rules/en/lexicon.toml"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_shipped_list_option_is_written_twice_in_a_language(language: str) -> None:
    """What several rules read is a shared list, not copies that drift apart."""
    written: Counter[tuple[str, ...]] = Counter()
    for pack in sorted((RULES / language).glob("*.toml")):
        for rule in tomllib.loads(pack.read_text("utf-8")).values():
            options = rule.get("options", {}) if isinstance(rule, dict) else {}
            # word lists, not `cases` (the names of what a rule reports)
            written.update(tuple(value) for key, value in options.items()
                           if isinstance(value, list) and key != "cases")
    assert [words for words, count in written.items() if count > 1] == []
