"""The first run: ``trustmail init`` writes the user config from flags or from answers on
standard input, and ``trustmail run`` warns about settings left at the placeholders."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.smtp_proxy import TRUSTMAIL, daemon_process
from support.smtp_upstream import SmtpUpstream

from daemon.application.check_setup import is_placeholder, setup_problems
from daemon.application.first_run import Setup, parse_days, parse_hours, parse_server
from daemon.config.load import LoadedConfig, load_config
from scoring.errors import InputError

FLAGS = ["--email", "Anna@Acme.com", "--upstream", "smtp.acme.com:465",
         "--timezone", "Australia/Sydney", "--hours", "08:30-17:30", "--days", "mon-thu",
         "--internal-domain", "acme.com", "--internal-domain", "acme-group.com"]


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    """The environment of a user with no trustmail config yet (own XDG dirs)."""
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_DIRS=str(tmp_path / "site"))
    env.pop("TZ", None)
    return env


def init(env: dict[str, str], *args: str, answers: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(TRUSTMAIL), "init", *args], input=answers, env=env,
                          capture_output=True, text=True, timeout=60)


def user_file(env: dict[str, str]) -> Path:
    return Path(env["XDG_CONFIG_HOME"]) / "trustmail" / "trustmail.toml"


def loaded(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> LoadedConfig:
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CONFIG_DIRS"):
        monkeypatch.setenv(name, env[name])
    return load_config(None)


def test_init_from_flags_writes_a_private_config_the_daemon_reads(
        home: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    result = init(home, "--yes", *FLAGS)
    assert result.returncode == 0, result.stderr
    written = user_file(home)
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert "password" not in written.read_text().replace("no password here", "")
    config = loaded(home, monkeypatch)
    upstream = config.daemon.smtp.upstream
    assert (upstream.host, upstream.port, upstream.tls) == ("smtp.acme.com", 465, "implicit")
    business = config.scoring.business
    assert business.timezone == "Australia/Sydney" and business.days == (0, 1, 2, 3)
    assert (f"{business.start:%H:%M}", f"{business.end:%H:%M}") == ("08:30", "17:30")
    assert business.holidays == "AU"                       # the time zone's country
    assert business.internal_domains == ("acme.com", "acme-group.com")
    assert config.daemon.report.me == ("anna@acme.com",)
    assert setup_problems(config) == []
    # what to do next, with the ports really configured
    assert "server 127.0.0.1, port 1587, security STARTTLS" in result.stdout
    assert "those of smtp.acme.com (passed through, never stored)" in result.stdout
    assert "trustmail pair" in result.stdout and "Install Add-on From File" in result.stdout
    assert "daemon URL http://127.0.0.1:8425" in result.stdout


def test_init_reads_answers_from_stdin_and_proposes_what_it_detected(
        home: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    answers = "\n".join([
        "carla@beta.example.org",   # address: proposes smtp.beta.example.org, beta...
        "",                         # keep the proposed server
        "America/New_York",
        "25:00-17:00",              # not a time: asked again
        "10:00-18:00",
        "",                         # mon-fri
        "",                         # the zone's country: US
        "beta.example.org,beta-labs.example.org",
    ]) + "\n"
    result = init(home, answers=answers)
    assert result.returncode == 0, result.stderr
    assert "Your outgoing (SMTP) server, HOST[:PORT] [smtp.beta.example.org]" in result.stderr
    assert "business hours '25:00-17:00': not a time of day" in result.stderr
    config = loaded(home, monkeypatch)
    assert config.daemon.smtp.upstream.host == "smtp.beta.example.org"
    assert config.daemon.smtp.upstream.tls == "starttls"
    assert config.scoring.business.timezone == "America/New_York"
    assert config.scoring.business.holidays == "US"
    assert f"{config.scoring.business.start:%H:%M}" == "10:00"
    assert config.scoring.business.internal_domains == ("beta.example.org",
                                                        "beta-labs.example.org")


def test_init_keeps_an_existing_config_unless_forced(home: dict[str, str]) -> None:
    assert init(home, "--yes", *FLAGS).returncode == 0
    again = init(home, "--yes", *FLAGS)
    assert again.returncode == 2 and "exists already; pass --force" in again.stderr
    assert init(home, "--yes", "--force", *FLAGS).returncode == 0


def test_init_without_a_server_says_which_flag_is_missing(home: dict[str, str]) -> None:
    result = init(home, "--yes")
    assert result.returncode == 2
    assert "the upstream SMTP server is needed (--upstream" in result.stderr
    assert not user_file(home).exists()


def test_answers_are_parsed_or_refused_with_the_expected_form() -> None:
    assert parse_server("smtp.acme.com") == ("smtp.acme.com", 587, "starttls")
    assert parse_server("smtp.acme.com:465") == ("smtp.acme.com", 465, "implicit")
    assert parse_days("mon-wed") == ("mon", "tue", "wed")
    assert parse_days("sun,mon") == ("sun", "mon")
    assert [f"{t:%H:%M}" for t in parse_hours("8:00 - 16:30")] == ["08:00", "16:30"]
    for bad, parse in (("smtp:x", parse_server), ("17:00-09:00", parse_hours),
                       ("weekdays", parse_days)):
        with pytest.raises(InputError):
            parse(bad)
    assert Setup().upstream_port == 587


def test_the_shipped_placeholders_are_named_with_the_fix(
        home: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    problems = {p.key: str(p) for p in setup_problems(loaded(home, monkeypatch))}
    assert "smtp.upstream.host = 'smtp.example.com' is a placeholder" in problems[
        "smtp.upstream.host"]
    assert "run `trustmail init`" in problems["business.internal_domains"]
    assert [is_placeholder(n) for n in ("smtp.example.com", "me@example.org", "a.acme.example",
                                        "smtp.acme.com", "example.community")] == [
        True, True, True, False, False]


@pytest.fixture
def upstream() -> Iterator[SmtpUpstream]:
    with SmtpUpstream.start() as server:
        yield server


@pytest.mark.real
def test_the_daemon_warns_at_start_about_placeholders_and_a_missing_user_config(
        upstream: SmtpUpstream, tmp_path: Path) -> None:
    with daemon_process(upstream, tmp_path) as daemon:
        log = daemon.log()
    entries = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    warnings = {e.get("key") or e["event"]: e for e in entries if e["level"] == "warning"}
    assert warnings["business.internal_domains"]["event"] == "placeholder-setting"
    assert "smtp.upstream.host" not in warnings          # the test's upstream is real
    assert "`trustmail init` writes one" in warnings["no-user-config"]["fix"]
