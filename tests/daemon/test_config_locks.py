"""Site locks: an admin fixes settings; the user layers cannot change them (issue 12)."""

from __future__ import annotations

import os
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


def site_file(name: str = "trustmail.toml") -> Path:
    site = Path(os.environ["XDG_CONFIG_DIRS"]) / "trustmail"
    return site / name if name == "trustmail.toml" else site / "conf.d" / name


def test_a_locked_key_keeps_the_site_value_and_warns_naming_both_files() -> None:
    site = write(site_file(), '[smtp]\npolicy = "hold"\n[lock]\nsmtp.policy = true\n')
    user = write(paths.user_config_file(), '[smtp]\npolicy = "observe"\nadd_header = true\n')
    loaded = load_config()
    assert loaded.daemon.smtp.policy == "hold"
    assert loaded.daemon.smtp.add_header is True           # not locked: the user's value
    assert loaded.origins["smtp.policy"] == f"{site} (site)"
    assert loaded.warnings == (
        f"{user} (user): smtp.policy: ignored, it is locked by {site} (site) "
        "(the value stays 'hold')",)


def test_a_lock_binds_the_config_option_too(tmp_path: Path) -> None:
    write(site_file(), "[lock]\nsmtp.policy = true\n")   # locks the shipped "observe"
    extra = write(tmp_path / "mine.toml", '[smtp]\npolicy = "warn"\n')
    loaded = load_config(extra)
    assert loaded.daemon.smtp.policy == "observe"
    assert "mine.toml (--config): smtp.policy: ignored" in loaded.warnings[0]


def test_locking_a_table_locks_every_key_in_it() -> None:
    lock = write(site_file("10-lock.toml"), "[lock]\nthresholds = true\n")
    write(site_file("20-values.toml"), "[thresholds]\nwarn = 80\nhold = 50\n")
    write(paths.user_config_file(), "[thresholds]\nwarn = 60\nhold = 20\n")
    loaded = load_config()
    assert (loaded.scoring.thresholds.warn, loaded.scoring.thresholds.hold) == (80, 50)
    assert [w.split(": ignored")[0].rsplit(": ", 1)[1] for w in loaded.warnings] == [
        "thresholds.warn", "thresholds.hold"]
    assert all(f"thresholds is locked by {lock} (site)" in w for w in loaded.warnings)


def test_a_later_site_file_may_change_a_locked_key() -> None:
    write(site_file(), '[smtp]\npolicy = "warn"\n[lock]\nsmtp.policy = true\n')
    write(site_file("90-override.toml"), '[smtp]\npolicy = "hold"\n')
    loaded = load_config()
    assert loaded.daemon.smtp.policy == "hold" and loaded.warnings == ()


def test_rule_weight_and_enabled_can_be_locked() -> None:
    write(site_file(), """
[rules."en.honesty.hedge"]
weight = 9
[rules."en.honesty.candour-marker"]
enabled = true
[lock]
rules."en.honesty.hedge".weight = true
rules."en.honesty.candour-marker" = true
""")
    write(paths.user_config_file(), """
[rules."en.honesty.hedge"]
weight = 1
remove = ["probably"]
[rules."en.honesty.candour-marker"]
enabled = false
""")
    loaded = load_config()
    rules = Scorer(loaded.scoring).rulebook.by_id()
    assert rules["en.honesty.hedge"].weight == 9
    assert "probably" not in rules["en.honesty.hedge"].phrases     # remove was not locked
    assert rules["en.honesty.candour-marker"].enabled is True
    assert [w.split(": ignored")[0].rsplit(": ", 1)[1] for w in loaded.warnings] == [
        'rules."en.honesty.hedge".weight', 'rules."en.honesty.candour-marker".enabled']


@pytest.mark.parametrize(("lock", "problem"), [
    ("smtp.polcy = true", "lock.smtp.polcy: locks a setting that does not exist: "
                          "smtp.polcy: unknown key (did you mean 'policy'?)"),
    ("smpt = true", "lock.smpt: locks a setting that does not exist: "
                    "smpt: unknown key (did you mean 'smtp'?)"),
    ('rules."en.honesty.hedges".weight = true',
     'lock.rules."en.honesty.hedges".weight: locks a setting that does not exist: '
     "no rule 'en.honesty.hedges' (did you mean 'en.honesty.hedge'?)"),
    ('rules."en.honesty.hedge".wieght = true',
     'lock.rules."en.honesty.hedge".wieght: locks a setting that does not exist: '
     "rules.en.honesty.hedge.wieght: unknown key (did you mean 'weight'?)"),
    ("smtp.policy.mode = true", "lock.smtp.policy.mode: locks a setting that does not "
                                "exist: smtp.policy is a value, not a table"),
    ("smtp.policy = false", "lock.smtp.policy: a lock is `true`; remove the key"),
    ("smtp.policy = 'yes'", "lock.smtp.policy: expected true"),
])
def test_a_bad_lock_is_an_error_naming_the_site_file(lock: str, problem: str) -> None:
    site = write(site_file("10-locks.toml"), f"[lock]\n{lock}\n")
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert str(caught.value).startswith(f"{site} (site): {problem}")


def test_keys_that_exist_only_with_defaults_can_be_locked() -> None:
    write(site_file(), "[lock]\nmetrics.prometheus = true\ndimensions.tone.thresholds = true\n"
          "accounts = true\nlog_level = true\n")
    assert len(load_config().locks.locks) == 4


def test_only_a_site_file_can_lock(tmp_path: Path) -> None:
    user = write(paths.user_config_file(), "[lock]\nsmtp.policy = true\n")
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert str(caught.value).startswith(f"{user} (user): lock: only a site file")


def test_locked_keys_and_their_file_are_known_to_the_loaded_config() -> None:
    site = write(site_file(), "[lock]\nsmtp.upstream = true\n")
    loaded = load_config()
    lock = loaded.locked_by(("smtp", "upstream", "host"))
    assert lock is not None and lock.source == f"{site} (site)" and lock.key == "smtp.upstream"
    assert loaded.locked_by(("smtp", "policy")) is None
