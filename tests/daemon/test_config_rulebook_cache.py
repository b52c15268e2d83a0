"""The compiled rule packs cached between runs: keyed by what they are built from."""

from __future__ import annotations

import dataclasses
import stat
from pathlib import Path

import pytest

from daemon.config import rulebook_cache
from daemon.config.load import load_config
from scoring.lexicon import lexicon_to_data
from scoring.rules import RuleBook
from scoring.settings import RuleOverride, ScoringSettings


@pytest.fixture()
def settings() -> ScoringSettings:
    return load_config().scoring


def test_a_cold_start_writes_the_cache_private_and_a_warm_one_reads_it(
        settings: ScoringSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "cache" / "rulebook.cache"
    built = rulebook_cache.cached_rulebook(settings, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    builds: list[int] = []
    monkeypatch.setattr(rulebook_cache, "build_rulebook",
                        lambda *args: builds.append(1) or RuleBook({}, {}))
    warm = rulebook_cache.cached_rulebook(settings, path)
    assert builds == []
    assert warm.rules == built.rules and warm.guards == built.guards


def test_a_warm_start_reads_the_commitment_lexicons_uncompiled(
        settings: ScoringSettings, tmp_path: Path) -> None:
    path = tmp_path / "rulebook.cache"
    built = rulebook_cache.cached_rulebook(settings, path)
    warm = rulebook_cache.cached_rulebook(settings, path)
    assert set(warm.lexicons) == {"en", "de"}
    assert all(lexicon_to_data(warm.lexicons[language]) == lexicon_to_data(lexicon)
               for language, lexicon in built.lexicons.items())
    assert not any(regex.is_compiled for lexicon in warm.lexicons.values()
                   for regex in (*lexicon.patterns.values(), *lexicon.owners.values()))
    lexicon_pack = next(p for p in settings.rule_packs if p.dimension == "lexicon")
    edited = dataclasses.replace(settings, rule_packs=tuple(
        dataclasses.replace(p, data={**p.data, "hedges": ["\\bmaybe\\b"]})
        if p is lexicon_pack else p for p in settings.rule_packs))
    assert rulebook_cache.cache_key(edited) != rulebook_cache.cache_key(settings)
    assert lexicon_to_data(rulebook_cache.cached_rulebook(edited, path).lexicons[
        lexicon_pack.language])["patterns"]["hedges"][0] == "\\bmaybe\\b"


def test_the_default_cache_is_in_the_user_cache_dir(settings: ScoringSettings,
                                                    isolated_dirs: Path) -> None:
    rulebook_cache.cached_rulebook(settings)
    assert rulebook_cache.cache_path().is_file()
    assert rulebook_cache.cache_path().is_relative_to(isolated_dirs)


@pytest.mark.parametrize("damage", [
    lambda blob: b"",                                     # empty
    lambda blob: blob[:len(blob) // 2],                   # cut short
    lambda blob: blob[:-10] + bytes(10),                  # a flipped tail
    lambda blob: b"not a cache at all" * 10,
])
def test_a_corrupt_cache_is_ignored_and_rebuilt(settings: ScoringSettings, tmp_path: Path,
                                                damage: object) -> None:
    path = tmp_path / "rulebook.cache"
    good = rulebook_cache.cached_rulebook(settings, path)
    blob = path.read_bytes()
    path.write_bytes(damage(blob))  # type: ignore[operator]
    assert rulebook_cache.read_cache(path, rulebook_cache.cache_key(settings)) is None
    again = rulebook_cache.cached_rulebook(settings, path)
    assert again.rules == good.rules
    assert path.read_bytes() == blob


def test_other_packs_or_overrides_are_another_key(settings: ScoringSettings) -> None:
    key = rulebook_cache.cache_key(settings)
    first = settings.rule_packs[0]
    edited_pack = dataclasses.replace(first, data={**first.data, "extra": {"kind": "x"}})
    edited = dataclasses.replace(settings, rule_packs=(edited_pack, *settings.rule_packs[1:]))
    assert rulebook_cache.cache_key(edited) != key
    rule_id = next(iter(rulebook_cache.cached_rulebook(settings).by_id()))
    overridden = dataclasses.replace(settings, overrides={
        rule_id: RuleOverride(rule_id=rule_id, source="user.toml", enabled=False)})
    assert rulebook_cache.cache_key(overridden) != key
    assert rulebook_cache.cache_key(settings) == key


def test_a_cache_that_cannot_be_written_costs_only_time(settings: ScoringSettings,
                                                        tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache dir would be")
    book = rulebook_cache.cached_rulebook(settings, blocked / "rulebook.cache")
    assert book.by_id()
