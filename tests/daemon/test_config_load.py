"""Config layers: overrides by rule id, strict errors that name file, key and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from daemon.config import paths
from daemon.config.load import load_config
from scoring import Scorer
from scoring.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_user_layer_and_extra_file_override_shipped(tmp_path: Path) -> None:
    write(paths.user_config_file(), "[thresholds]\nwarn = 80\n")
    extra = write(tmp_path / "extra.toml", "[thresholds]\nhold = 50\n")
    loaded = load_config(extra)
    assert loaded.scoring.thresholds.warn == 80 and loaded.scoring.thresholds.hold == 50
    assert "(user)" in loaded.origins["thresholds.warn"]
    assert "(--config)" in loaded.origins["thresholds.hold"]
    assert "(shipped)" in loaded.origins["smtp.listen"]


def test_unknown_key_names_file_key_and_fix(tmp_path: Path) -> None:
    extra = write(tmp_path / "typo.toml", "[thresholds]\nwran = 80\n")
    with pytest.raises(ConfigError) as caught:
        load_config(extra)
    message = str(caught.value)
    assert "typo.toml" in message and "thresholds.wran" in message and "'warn'" in message


def test_bad_values_are_errors(tmp_path: Path) -> None:
    for text, needle in (("[smtp]\nlisten = \"0.0.0.0:25\"\n", "loopback"),
                         ("[smtp]\npolicy = \"block\"\n", "observe"),
                         ("[business]\ntimezone = \"Mars/Base\"\n", "time zone"),
                         ("[[accounts]]\nname='w'\nhost='h'\nusername='u'\npassword='x'\n",
                          "never stored")):
        with pytest.raises(ConfigError, match=needle):
            load_config(write(tmp_path / "bad.toml", text))


def test_rule_overrides_by_id(tmp_path: Path) -> None:
    extra = write(tmp_path / "rules.toml", """
[rules."en.honesty.hedge"]
enabled = true
weight = 2
remove = ["probably"]
add = ["if memory serves"]
[rules."en.honesty.candour-marker"]
enabled = false
""")
    scorer = Scorer(load_config(extra).scoring)
    report = scorer.score_text("Honestly, it probably ships Friday, if memory serves.")
    rules = [f.rule for f in report.findings]
    assert rules == ["en.honesty.hedge"]
    assert report.findings[0].match == "if memory serves" and report.findings[0].penalty == 2


def test_override_of_unknown_rule_is_an_error(tmp_path: Path) -> None:
    extra = write(tmp_path / "r.toml", '[rules."en.honesty.hedges"]\nweight = 1\n')
    with pytest.raises(ConfigError, match="did you mean 'en.honesty.hedge'"):
        Scorer(load_config(extra).scoring)


def test_smtp_max_connections_is_an_integer_of_at_least_one(tmp_path: Path) -> None:
    assert load_config(None).daemon.smtp.max_connections == 100      # the shipped default
    extra = write(tmp_path / "cap.toml", "[smtp]\nmax_connections = 20\n")
    assert load_config(extra).daemon.smtp.max_connections == 20
    for value, needle in (("0", "below the minimum 1"), ("-5", "below the minimum 1"),
                          ('"100"', "expected an integer, got a string"),
                          ("2.5", "expected an integer"), ("true", "expected an integer")):
        bad = write(tmp_path / "bad.toml", f"[smtp]\nmax_connections = {value}\n")
        with pytest.raises(ConfigError, match=needle) as caught:
            load_config(bad)
        assert "bad.toml" in str(caught.value) and "smtp.max_connections" in str(caught.value)
    typo = write(tmp_path / "typo.toml", "[smtp]\nmax_conections = 20\n")
    with pytest.raises(ConfigError, match="did you mean 'max_connections'"):
        load_config(typo)
