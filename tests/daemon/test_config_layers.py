"""Site snippets: ``conf.d/*.toml`` in each site dir, merged in name order after that
dir's trustmail.toml and before the user layers (issue 12)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from daemon.config import paths
from daemon.config.load import load_config
from scoring.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def site_dir() -> Path:
    """The platformdirs site config dir: XDG_CONFIG_DIRS (tests/conftest.py) + trustmail."""
    return Path(os.environ["XDG_CONFIG_DIRS"]) / "trustmail"


def test_the_site_dir_follows_xdg_config_dirs() -> None:
    assert paths.site_config_dirs()[-1] == site_dir()
    assert paths.site_config_dirs()[0] == Path("/etc/trustmail")


def test_snippets_merge_in_name_order_after_the_site_file_and_before_the_user() -> None:
    write(site_dir() / "trustmail.toml", "[thresholds]\nwarn = 60\nhold = 30\n"
          "[smtp]\npolicy = \"warn\"\n")
    write(site_dir() / "conf.d" / "20-puppet.toml", "[thresholds]\nwarn = 80\n")
    write(site_dir() / "conf.d" / "10-ansible.toml", "[thresholds]\nwarn = 75\nhold = 35\n")
    write(paths.user_config_file(), "[thresholds]\nhold = 45\n")
    loaded = load_config()
    assert [layer.path.name for layer in loaded.layers] == [
        "trustmail.toml", "trustmail.toml", "10-ansible.toml", "20-puppet.toml",
        "trustmail.toml"]
    assert [layer.name for layer in loaded.layers] == [
        "shipped", "site", "site", "site", "user"]
    assert loaded.scoring.thresholds.warn == 80      # 20-puppet after 10-ansible
    assert loaded.scoring.thresholds.hold == 45      # the user layer after every snippet
    assert loaded.daemon.smtp.policy == "warn"       # the site file, not overridden
    assert loaded.origins["thresholds.warn"].endswith("conf.d/20-puppet.toml (site)")
    assert loaded.origins["smtp.policy"] == f"{site_dir() / 'trustmail.toml'} (site)"


def test_snippets_are_read_without_a_site_trustmail_toml() -> None:
    write(site_dir() / "conf.d" / "50-chef.toml", "[smtp]\npolicy = \"hold\"\n")
    loaded = load_config()
    assert loaded.daemon.smtp.policy == "hold"
    assert loaded.layers[-1].is_snippet and loaded.layers[-1].name == "site"


def test_only_visible_toml_files_are_snippets() -> None:
    snippets = site_dir() / "conf.d"
    write(snippets / "10-smtp.toml", "[smtp]\npolicy = \"warn\"\n")
    write(snippets / ".10-smtp.toml.swp", "not toml at all")
    write(snippets / ".#20-rules.toml", "not toml at all")
    write(snippets / "30-old.toml.bak", "[smtp]\npolicy = \"hold\"\n")
    write(snippets / "README", "Puppet owns 10-smtp.toml")
    (snippets / "40-dir.toml").mkdir()
    assert paths.snippet_files(site_dir()) == [snippets / "10-smtp.toml"]
    assert load_config().daemon.smtp.policy == "warn"


def test_name_order_is_byte_order_not_natural_order() -> None:
    for name in ("9-late.toml", "10-early.toml", "B.toml", "a.toml"):
        write(site_dir() / "conf.d" / name, "")
    assert [p.name for p in paths.snippet_files(site_dir())] == [
        "10-early.toml", "9-late.toml", "B.toml", "a.toml"]


def test_a_typo_in_a_snippet_names_the_snippet_file_and_the_key() -> None:
    snippet = write(site_dir() / "conf.d" / "20-thresholds.toml", "[thresholds]\nwran = 80\n")
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert str(caught.value) == (f"{snippet} (site): thresholds.wran: unknown key "
                                 "(did you mean 'warn'?)")


def test_a_snippet_that_is_not_toml_names_the_snippet() -> None:
    snippet = write(site_dir() / "conf.d" / "10-broken.toml", "[smtp\npolicy = 'warn'\n")
    with pytest.raises(ConfigError, match=f"{snippet}: not valid TOML"):
        load_config()
