"""The scoring settings cached between runs of ``trustmail score``: keyed by the files'
content, never hiding a config error."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from daemon.config import load, paths, settings_cache
from daemon.config.load import load_config
from scoring.errors import ConfigError
from scoring.settings import ScoringSettings


def user_config(text: str) -> Path:
    path = paths.user_config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def refuse_to_load(monkeypatch: pytest.MonkeyPatch) -> None:
    def load_config_again(extra: Path | None = None) -> None:
        raise AssertionError("a warm start read the config files")
    monkeypatch.setattr(load, "load_config", load_config_again)


def test_a_cold_start_writes_the_cache_private_and_a_warm_one_reads_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    cold = settings_cache.cached_scoring_settings()
    assert cold == load_config().scoring
    assert stat.S_IMODE(settings_cache.cache_path().stat().st_mode) == 0o600
    refuse_to_load(monkeypatch)
    assert settings_cache.cached_scoring_settings() == cold


def test_an_edited_layer_is_another_key() -> None:
    user_config('[business]\ntimezone = "Europe/Berlin"\nhours = ["08:00", "16:00"]\n')
    early = settings_cache.cached_scoring_settings()
    assert f"{early.business.start:%H:%M}" == "08:00"
    user_config('[business]\ntimezone = "Europe/Berlin"\nhours = ["10:00", "18:00"]\n')
    late = settings_cache.cached_scoring_settings()
    assert f"{late.business.start:%H:%M}" == "10:00"
    assert late == load_config().scoring


def test_an_extra_layer_is_another_key(tmp_path: Path) -> None:
    plain = settings_cache.cached_scoring_settings()
    extra = tmp_path / "extra.toml"
    extra.write_text('[business]\nholidays = ""\n', encoding="utf-8")
    without_holidays = settings_cache.cached_scoring_settings(extra)
    assert (plain.business.holidays, without_holidays.business.holidays) == ("DE", "")
    assert settings_cache.cached_scoring_settings() == plain


def test_a_config_error_is_raised_on_every_run_and_never_cached() -> None:
    user_config('[business]\nholidays = "XX"\n')
    for _ in range(2):
        with pytest.raises(ConfigError, match="not a country code"):
            settings_cache.cached_scoring_settings()
    assert not settings_cache.cache_path().exists()


def test_a_corrupt_entry_is_read_as_a_miss_and_rewritten(
        monkeypatch: pytest.MonkeyPatch) -> None:
    good = settings_cache.cached_scoring_settings()
    path = settings_cache.cache_path()
    blob = path.read_bytes()
    path.write_bytes(blob[:-10] + bytes(10))
    assert settings_cache.cached_scoring_settings() == good
    assert path.read_bytes() == blob
    refuse_to_load(monkeypatch)
    assert isinstance(settings_cache.cached_scoring_settings(), ScoringSettings)
