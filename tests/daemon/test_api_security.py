"""Token file, Host names and Origins, checked on their own."""

from __future__ import annotations

import argparse
import stat
from pathlib import Path

import pytest

from daemon.api import security
from daemon.api.errors import HttpError
from daemon.cli import COMMAND_MODULES
from daemon.commands import token as token_command


def request(**headers: str) -> dict[str, str]:
    """A request's headers, lower-case as ASGI gives them."""
    return {k.lower(): v for k, v in headers.items()}


def test_the_token_file_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "data" / "api-token"
    first = security.load_or_create_token(path)
    again = security.load_or_create_token(path)
    assert first == again and len(first) >= security.TOKEN_BYTES
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_a_widened_token_file_is_narrowed_back(tmp_path: Path) -> None:
    path = tmp_path / "api-token"
    security.load_or_create_token(path)
    path.chmod(0o644)
    security.load_or_create_token(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_rotate_makes_a_new_token(tmp_path: Path) -> None:
    path = tmp_path / "api-token"
    assert security.load_or_create_token(path) != security.load_or_create_token(path,
                                                                                rotate=True)


def run_token_command(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="trustmail")
    token_command.register(parser.add_subparsers())
    args = parser.parse_args(["token", *argv])
    code: int = args.handler(args)
    return code


def test_trustmail_token_prints_the_token_from_the_data_dir(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert run_token_command() == 0
    printed = capsys.readouterr().out.strip()
    assert printed == security.token_path().read_text().strip()
    assert run_token_command("--path") == 0
    assert capsys.readouterr().out.strip() == str(security.token_path())
    assert "daemon.commands.token" in COMMAND_MODULES


@pytest.mark.parametrize("host", ["127.0.0.1:8425", "localhost:8425", "[::1]:8425",
                                  "LOCALHOST", "127.0.0.2:8425"])
def test_loopback_hosts_pass(host: str) -> None:
    security.check_host(request(host=host), 8425)


@pytest.mark.parametrize("host", ["attacker.example:8425", "localhost.attacker.example",
                                  "[::ffff:8.8.8.8]:8425", "127.0.0.1:9999", ""])
def test_other_hosts_fail(host: str) -> None:
    with pytest.raises(HttpError) as caught:
        security.check_host(request(host=host) if host else request(), 8425)
    assert caught.value.status in (400, 403)


def test_only_extension_origins_get_cors() -> None:
    origin = "moz-extension://0b7d9a64-1111-2222-3333-444455556666"
    assert security.check_origin(request(origin=origin)) == origin
    assert security.check_origin(request()) is None
    assert security.cors_headers(None) == {}
    assert security.cors_headers(origin)["Access-Control-Allow-Origin"] == origin
    with pytest.raises(HttpError):
        security.check_origin(request(origin="https://mail.example"))
