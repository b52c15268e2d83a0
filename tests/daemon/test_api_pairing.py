"""``POST /v1/pair`` on a real ApiService over real loopback TCP (the socket's owner is
read from the real /proc/net/tcp), and ``trustmail pair``."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest
from support.api_client import running_api

from daemon import cli
from daemon.api import peer, security
from daemon.runtime import pairing

EXTENSION = {"Origin": "moz-extension://5b1c-test"}


async def test_the_code_from_trustmail_pair_gets_the_token_once(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    async with running_api(tmp_path) as api:
        assert cli.main(["pair"]) == 0
        code = capsys.readouterr().out.splitlines()[0]
        wrong = await api.call("POST", "/v1/pair", {"code": "AAAA-AAAA"}, authorized=False,
                               headers=EXTENSION)
        assert (wrong.status, wrong.json()["error"]["code"]) == (403, "pairing_wrong_code")
        reply = await api.call("POST", "/v1/pair", {"code": code}, authorized=False,
                               headers=EXTENSION)
        assert reply.status == 200 and reply.json() == {"token": api.token}
        again = await api.call("POST", "/v1/pair", {"code": code}, authorized=False,
                               headers=EXTENSION)
        assert (again.status, again.json()["error"]["code"]) == (403, "pairing_closed")


async def test_automatic_pairing_answers_the_add_on_of_the_same_user(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    async with running_api(tmp_path) as api:
        assert cli.main(["pair", "--auto", "--minutes", "5"]) == 0
        assert "pairs automatically" in capsys.readouterr().out
        no_origin = await api.call("POST", "/v1/pair", {}, authorized=False)
        assert no_origin.json()["error"]["code"] == "pairing_refused"
        web = await api.call("POST", "/v1/pair", {}, authorized=False,
                             headers={"Origin": "https://evil.example"})
        assert web.status == 403 and web.json()["error"]["code"] == "forbidden_origin"
        reply = await api.call("POST", "/v1/pair", {}, authorized=False, headers=EXTENSION)
        assert reply.status == 200 and reply.json()["token"] == api.token


async def test_without_an_open_window_nothing_is_handed_out(tmp_path: Path) -> None:
    async with running_api(tmp_path) as api:
        reply = await api.call("POST", "/v1/pair", {"code": "K7QM-3XWD"}, authorized=False,
                               headers=EXTENSION)
        assert reply.status == 403
        assert "trustmail pair" in reply.json()["error"]["message"]
        assert api.token not in reply.body.decode()


async def test_the_kernel_names_the_owner_of_a_loopback_client_socket(tmp_path: Path) -> None:
    seen: list[bool | None] = []

    async def on_connection(reader: asyncio.StreamReader,
                            writer: asyncio.StreamWriter) -> None:
        peer.remember(writer)
        seen.append(peer.same_user_as_daemon())
        writer.close()

    server = await asyncio.start_server(on_connection, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    for _ in range(50):
        if seen:
            break
        await asyncio.sleep(0.02)
    writer.close()
    server.close()
    assert seen == ([True] if Path("/proc/net/tcp").exists() else [None])


def test_addresses_are_written_as_the_kernel_lists_them() -> None:
    assert peer.proc_address("127.0.0.1", 8425) == "0100007F:20E9"
    assert peer.proc_address("::1", 80) == "00000000000000000000000001000000:0050"


def test_a_bad_window_length_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["pair", "--minutes", "0"]) == 2
    assert "--minutes" in capsys.readouterr().err
    assert not pairing.pairing_path().exists()


async def test_once_paired_only_that_add_on_gets_answers_until_the_token_rotates(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = {"Origin": "moz-extension://another-add-on"}
    async with running_api(tmp_path) as api:
        before = await api.call("GET", "/v1/health", headers=other)
        assert before.status == 200          # nobody paired yet: any add-on
        assert cli.main(["pair"]) == 0
        code = capsys.readouterr().out.splitlines()[0]
        paired = await api.call("POST", "/v1/pair", {"code": code}, authorized=False,
                                headers=EXTENSION)
        assert paired.status == 200
        mine = await api.call("POST", "/v1/score", {"text": "Hi."}, headers=EXTENSION)
        theirs = await api.call("POST", "/v1/score", {"text": "Hi."}, headers=other)
        assert mine.headers["access-control-allow-origin"] == EXTENSION["Origin"]
        assert (theirs.status, theirs.json()["error"]["code"]) == (403, "forbidden_origin")
        assert "access-control-allow-origin" not in theirs.headers
        repair = await api.call("POST", "/v1/pair", {"code": "AAAA-AAAA"}, authorized=False,
                                headers=other)
        assert repair.json()["error"]["code"].startswith("pairing_")  # may try to pair
        security.load_or_create_token(api.service.token_file, rotate=True)
        config = api.service.handlers.config
        same_api = replace(config, daemon=replace(config.daemon, api=api.service.settings))
        assert await api.service.reload(same_api, api.store, api.scorer)   # as on SIGHUP
        after = await api.call("GET", "/v1/health", headers=other)
        assert after.status == 200           # a new token: the pairing is forgotten
