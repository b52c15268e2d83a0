"""Every error of the config at once, grouped by file, not only the first (issue 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from daemon.config import paths
from daemon.config.errors import ConfigErrors
from daemon.config.load import load_config
from scoring.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(extra: Path | None = None) -> list[str]:
    with pytest.raises(ConfigErrors) as caught:
        load_config(extra)
    return [f"{error.key}: {error.problem}" for error in caught.value.errors]


def test_every_error_of_a_file_is_reported(tmp_path: Path) -> None:
    extra = write(tmp_path / "bad.toml", """
[thresholds]
wran = 80
[smtp]
policy = "block"
listen = "0.0.0.0:25"
[business]
timezone = "Mars/Base"
[metrics]
prometheus = "10.0.0.1:9464"
[rules."en.honesty.hedges"]
weight = 1
""")
    found = errors_of(extra)
    assert {line.split(":")[0] for line in found} == {
        "thresholds.wran", "smtp.policy", "smtp.listen", "business.timezone",
        "metrics.prometheus", "rules.en.honesty.hedges"}
    assert any("did you mean 'warn'" in line for line in found)
    assert any("did you mean 'en.honesty.hedge'" in line for line in found)


def test_the_message_lists_them_all_under_their_file(tmp_path: Path) -> None:
    user = write(paths.user_config_file(), "[smtp]\npolicy = \"block\"\n")
    extra = write(tmp_path / "extra.toml", "[thresholds]\nwran = 80\n[store]\nkeep_body = true\n")
    with pytest.raises(ConfigErrors) as caught:
        load_config(extra)
    assert str(caught.value).splitlines() == [
        "3 config errors:",
        f"  {extra} (--config): thresholds.wran: unknown key (did you mean 'warn'?)",
        f"  {extra} (--config): store.keep_body: unknown key (did you mean 'keep_bodies'?)",
        f"  {user} (user): smtp.policy: 'block' is not one of observe, warn, hold",
    ]


def test_a_single_error_reads_as_before(tmp_path: Path) -> None:
    extra = write(tmp_path / "typo.toml", "[thresholds]\nwran = 80\n")
    with pytest.raises(ConfigError) as caught:
        load_config(extra)
    assert not isinstance(caught.value, ConfigErrors)
    assert str(caught.value) == (f"{extra} (--config): thresholds.wran: unknown key "
                                 "(did you mean 'warn'?)")


def test_errors_in_several_accounts_keep_the_index_of_the_file(tmp_path: Path) -> None:
    extra = write(tmp_path / "accounts.toml", """
[[accounts]]
name = "work"
host = "imap.example.com"
username = "me"
[[accounts]]
name = "ok"
host = "imap.example.com"
username = "me"
password_env = "X"
[[accounts]]
name = "home"
host = "imap.example.com"
username = "me"
password = "hunter2"
password_env = "X"
[[accounts]]
name = "lab"
host = "imap.example.com"
username = "me"
port = 0
password_env = "X"
""")
    found = errors_of(extra)
    assert [line.split(":")[0] for line in found] == [
        "accounts[0].password_env", "accounts[2].password", "accounts[3].port"]
    assert "hunter2" not in " ".join(found)


def test_a_file_that_is_not_toml_does_not_hide_the_others(tmp_path: Path) -> None:
    write(paths.user_config_file(), "[smtp\n")
    extra = write(tmp_path / "extra.toml", "[thresholds]\nwran = 80\n")
    found = errors_of(extra)
    assert found[0].startswith(": not valid TOML")
    assert found[1].startswith("thresholds.wran: unknown key")


def test_account_errors_name_the_file(tmp_path: Path) -> None:
    extra = write(tmp_path / "one.toml", "[[accounts]]\nname = 'w'\nhost = 'h'\n"
                  "username = 'u'\npassword = 'x'\n")
    with pytest.raises(ConfigErrors) as caught:
        load_config(extra)
    assert str(caught.value).splitlines()[1:] == [
        f"  {extra} (--config): accounts[0].password: passwords are never stored in config "
        "files; use password_env, password_command or password_keyring = true",
        f"  {extra} (--config): accounts[0].password_env: set one of password_env, "
        "password_command or password_keyring = true"]


def test_a_key_path_resolves_through_dotted_rule_ids_and_array_items() -> None:
    from daemon.config.errors import resolve

    data = {"rules": {"en.honesty.hedge": {"weight": 1}, "en.honesty": {"x": 1}},
            "accounts": [{"name": "a"}, {"name": "b"}]}
    assert resolve(data, "rules.en.honesty.hedge.weight") == ["rules", "en.honesty.hedge",
                                                              "weight"]
    assert resolve(data, "accounts[1].name") == ["accounts", 1, "name"]
    assert resolve(data, "accounts[1].port") == ["accounts", 1]     # missing: its table
    assert resolve(data, "en.honesty.hedge.group") == []            # not in the config
