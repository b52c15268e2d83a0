"""The effective rules (id, dimension, weight, enabled, layer) and rule examples in
``config check`` after a layer edits phrases (issue 11)."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import pytest

from daemon.commands.config_cmd import run_check, run_rules, run_show
from daemon.config import paths
from daemon.config.load import load_config
from daemon.config.rules import effective_rules
from scoring import Scorer
from scoring.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def site_snippet(name: str) -> Path:
    return Path(os.environ["XDG_CONFIG_DIRS"]) / "trustmail" / "conf.d" / name


def args(**values: object) -> argparse.Namespace:
    return argparse.Namespace(**{"config": None, "format": "text", **values})


def test_each_rule_names_the_layer_that_set_its_weight_and_enabled_flag() -> None:
    site = write(site_snippet("20-rules.toml"), '[rules."en.honesty.hedge"]\nweight = 3\n')
    user = write(paths.user_config_file(), '[rules."en.honesty.hedge"]\nenabled = false\n')
    loaded = load_config()
    rules = {r.rule_id: r for r in effective_rules(
        list(Scorer(loaded.scoring).rulebook.by_id().values()), loaded.origins, loaded.locks)}
    hedge = rules["en.honesty.hedge"]
    assert (hedge.dimension, hedge.weight, hedge.enabled) == ("honesty", 3.0, False)
    assert hedge.origins == {"weight": f"{site} (site)", "enabled": f"{user} (user)"}
    assert hedge.layer == f"{site} (site); {user} (user)"
    untouched = rules["en.honesty.overclaim"]
    assert untouched.origins == {}
    assert untouched.layer == f"{paths.shipped_config_dir()}/rules/en/honesty.toml (shipped)"


def test_config_show_lists_the_effective_rules_instead_of_an_empty_table(
        capsys: pytest.CaptureFixture[str]) -> None:
    write(paths.user_config_file(), '[rules."en.honesty.candour-marker"]\nenabled = false\n')
    assert run_show(args()) == 0
    out = capsys.readouterr().out
    assert "rules = {}" not in out
    line = next(x for x in out.splitlines() if x.startswith("#   en.honesty.candour-marker "))
    assert line.split()[1:5] == ["en.honesty.candour-marker", "honesty", "6", "no"]
    assert line.endswith(f"{paths.user_config_file()} (user)")


def test_config_rules_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_rules(args()) == 0
    text_rows = capsys.readouterr().out.splitlines()
    assert text_rows[0].split() == ["id", "dimension", "weight", "enabled", "layer"]
    assert run_rules(args(format="json")) == 0
    rules = json.loads(capsys.readouterr().out)
    assert len(rules) == len(text_rows) - 1
    hedge = next(r for r in rules if r["id"] == "en.honesty.hedge")
    assert set(hedge) == {"id", "dimension", "kind", "weight", "enabled", "layer", "origins",
                          "locked_by"}
    # off by default (its pack says why), and the shipped layer says so
    assert hedge["enabled"] is False and hedge["layer"].endswith("(shipped)")


def test_removing_a_phrase_an_example_uses_fails_with_a_hint(
        capsys: pytest.CaptureFixture[str]) -> None:
    user = write(paths.user_config_file(),
                 '[rules."en.honesty.hedge"]\nremove = ["probably"]\n')
    assert run_check(args()) == 1
    err = capsys.readouterr().err
    assert "en.honesty.hedge: should flag: 'The invoice was probably paid last week.'" in err
    assert (f"hint: this hit example of en.honesty.hedge uses 'probably', which {user} (user) "
            "removes; give the rule examples that fit your phrase list in that file: "
            '[rules."en.honesty.hedge".examples] hit = ') in err


def test_a_layer_gives_the_rule_examples_that_fit_its_phrases(
        capsys: pytest.CaptureFixture[str]) -> None:
    write(paths.user_config_file(), """
[rules."en.honesty.hedge"]
remove = ["probably"]
add = ["(if|as far as) I recall"]
[rules."en.honesty.hedge".examples]
hit = ["The invoice was paid last week, if I recall."]
""")
    assert run_check(args()) == 0
    assert "every example passes" in capsys.readouterr().out


def test_an_added_phrase_that_a_miss_example_uses_gets_a_hint(
        capsys: pytest.CaptureFixture[str]) -> None:
    write(paths.user_config_file(), '[rules."en.honesty.hedge"]\nadd = ["arrives on"]\n')
    assert run_check(args()) == 1
    err = capsys.readouterr().err
    assert "should not flag: 'The shipment arrives on Tuesday at 10 am.'" in err
    assert "hint: this miss example of en.honesty.hedge uses 'arrives on', which" in err


@pytest.mark.parametrize(("examples", "problem"), [
    ("hit = []", "rules.en.honesty.hedge.examples.hit: give at least one example"),
    ("hits = ['x']", "rules.en.honesty.hedge.examples.hits: unknown key (did you mean 'hit'?)"),
    ("miss = 'x'", "rules.en.honesty.hedge.examples.miss: expected a list of strings"),
])
def test_example_overrides_are_strict(examples: str, problem: str) -> None:
    user = write(paths.user_config_file(), f'[rules."en.honesty.hedge".examples]\n{examples}\n')
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert str(caught.value).startswith(f"{user} (user): {problem}")


def test_a_malformed_phrase_template_in_a_layer_is_an_error() -> None:
    user = write(paths.user_config_file(),
                 '[rules."en.honesty.hedge"]\nadd = ["(if|as far as I recall"]\n')
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert str(caught.value).startswith(
        f"{user} (user): rules.en.honesty.hedge.add: the phrase template "
        "'(if|as far as I recall' has an unbalanced or nested '('")
