"""``trustmail config check`` / ``config show`` as an admin runs them (real subprocesses) on
a site dir with two conf.d snippets and a lock, XDG_CONFIG_DIRS pointing at it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from daemon.config import paths


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def trustmail(*args: str) -> subprocess.CompletedProcess[str]:
    # the environment carries the test's XDG_CONFIG_DIRS and XDG_CONFIG_HOME (conftest.py)
    return subprocess.run([sys.executable, "-m", "daemon.cli", *args], capture_output=True,
                          text=True, timeout=60, env=dict(os.environ), check=False)


def site_dir() -> Path:
    return Path(os.environ["XDG_CONFIG_DIRS"]) / "trustmail"


def deploy_site() -> tuple[Path, Path, Path]:
    """What Ansible and Puppet would drop: a site file and one snippet each."""
    main = write(site_dir() / "trustmail.toml", '[smtp]\npolicy = "warn"\n')
    ansible = write(site_dir() / "conf.d" / "10-ansible-smtp.toml",
                    '[smtp]\npolicy = "hold"\n[lock]\nsmtp.policy = true\nthresholds = true\n')
    puppet = write(site_dir() / "conf.d" / "20-puppet-rules.toml",
                   '[thresholds]\nwarn = 75\n[rules."en.honesty.candour-marker"]\n'
                   'enabled = false\n')
    return main, ansible, puppet


def test_check_names_every_snippet_in_order_and_the_locks() -> None:
    main, ansible, puppet = deploy_site()
    result = trustmail("config", "check")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:4] == [
        f"layer shipped: {paths.shipped_config_dir() / 'trustmail.toml'}",
        f"layer site: {main}",
        f"layer site snippet: {ansible}",
        f"layer site snippet: {puppet}",
    ]
    assert f"locked smtp.policy by {ansible} (site)" in lines
    assert f"locked thresholds by {ansible} (site)" in lines
    assert lines[-1].startswith("config ok: ")


def test_a_user_file_on_a_locked_key_is_a_warning_naming_both_files() -> None:
    _main, ansible, _puppet = deploy_site()
    user = write(paths.user_config_file(), '[smtp]\npolicy = "observe"\n')
    result = trustmail("config", "check")
    assert result.returncode == 0
    assert (f"warning: {user} (user): smtp.policy: ignored, it is locked by {ansible} (site) "
            "(the value stays 'hold')") in result.stderr.splitlines()
    show = trustmail("config", "show").stdout
    assert (f'smtp.policy = "hold"    # {ansible} (site), locked by {ansible} (site)'
            in show.splitlines())


def test_show_says_where_each_value_came_from_and_what_is_locked() -> None:
    main, ansible, puppet = deploy_site()
    show = trustmail("config", "show")
    assert show.returncode == 0, show.stderr
    lines = show.stdout.splitlines()
    assert [line for line in lines if line.startswith("# layer site")] == [
        f"# layer site: {main}", f"# layer site snippet: {ansible}",
        f"# layer site snippet: {puppet}"]
    assert f"thresholds.warn = 75    # {puppet} (site), locked by {ansible} (site)" in lines
    rule = next(line for line in lines if line.startswith("#   en.honesty.candour-marker "))
    assert rule.split()[3:5] == ["6", "no"] and rule.endswith(f"{puppet} (site)")
    data = json.loads(trustmail("config", "show", "--format", "json").stdout)
    assert [layer["path"] for layer in data["layers"]][1:] == [str(main), str(ansible),
                                                              str(puppet)]
    assert data["locks"] == [
        {"key": "smtp.policy", "path": ["smtp", "policy"], "source": f"{ansible} (site)"},
        {"key": "thresholds", "path": ["thresholds"], "source": f"{ansible} (site)"}]


def test_a_typo_in_a_snippet_fails_check_naming_the_snippet_and_every_bad_key() -> None:
    deploy_site()
    typo = write(site_dir() / "conf.d" / "30-chef.toml",
                 '[smtp]\npolcy = "warn"\n[lock]\nsmtp.upstream.hots = true\n')
    result = trustmail("config", "check")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "trustmail: 2 config errors:",
        f"  {typo} (site): smtp.polcy: unknown key (did you mean 'policy'?)",
        f"  {typo} (site): lock.smtp.upstream.hots: locks a setting that does not exist: "
        "smtp.upstream.hots: unknown key (did you mean 'host'?)",
    ]


def test_config_rules_lists_the_effective_rules() -> None:
    _main, _ansible, puppet = deploy_site()
    result = trustmail("config", "rules", "--format", "json")
    assert result.returncode == 0, result.stderr
    rule = next(r for r in json.loads(result.stdout) if r["id"] == "en.honesty.candour-marker")
    assert rule["enabled"] is False and rule["layer"] == f"{puppet} (site)"
