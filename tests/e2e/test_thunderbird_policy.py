"""The add-on rolled out by enterprise policy, in a real Thunderbird.

Thunderbird's ``policies.json`` (in the ``distribution`` folder of this Thunderbird's
install, see ``e2e.thunderbird.install_with_policies``) installs the add-on
(``ExtensionSettings``, force-installed from the built .xpi) and hands it settings
through managed storage (``3rdparty.Extensions``). The daemon has an automatic pairing
window open (``trustmail pair --auto``, what a rollout script runs once per user), so
the add-on pairs by itself: nobody pastes a token, and policies.json holds none.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e.scenario import HEDGY_REPLY, World, wait_until

from daemon.addon_build import gecko_id

pytestmark = [pytest.mark.e2e, pytest.mark.real]

SEND_GATE = "hold"          # the review opens for hold only; a warn draft goes out
SEND_WAIT_SECONDS = 30.0


def rollout_policy(api_url: str, xpi: Path) -> dict[str, Any]:
    """What an administrator ships: install the add-on, point it at the daemon, auto-pair."""
    return {"policies": {
        "ExtensionSettings": {gecko_id(): {"installation_mode": "force_installed",
                                           "install_url": xpi.as_uri()}},
        "3rdparty": {"Extensions": {gecko_id(): {
            "daemonUrl": api_url, "sendGate": SEND_GATE, "pairing": "auto",
            "token": "must-be-ignored"}}},
    }}


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    home = Path(tempfile.mkdtemp(prefix="trustmail-e2e-policy-"))
    with World.start(home, policies=rollout_policy,
                     before_thunderbird=("pair", "--auto")) as running:
        yield running
    shutil.rmtree(home, ignore_errors=True)


def test_policies_json_installs_the_add_on_and_hands_it_managed_settings(world: World) -> None:
    policy = (world.home / "thunderbird-app" / "distribution" / "policies.json").read_text()
    assert world.token not in policy                      # the token is not rolled out
    options = world.options()
    api_url = f"http://127.0.0.1:{world.api_port}"
    assert options["managedStorage"] == {"daemonUrl": api_url, "sendGate": SEND_GATE,
                                         "pairing": "auto", "token": "must-be-ignored"}
    # shown as set by the administrator, and not editable
    assert (options["url"], options["urlReadOnly"]) == (api_url, True)
    assert (options["gate"], options["gateDisabled"]) == (SEND_GATE, True)
    assert options["managed"].split() == ["url", "gate", "pairing"]
    assert "administrator" in options["notice"]
    assert sorted(options["adminBadges"]) == ["gate", "pairing", "url"]
    # a token in the policy is refused, and said so
    assert any("token" in problem and "must not be set by policy" in problem
               for problem in options["problems"]), options["problems"]


def test_the_add_on_paired_by_itself_through_the_daemons_one_time_window(world: World) -> None:
    wait_until(lambda: world.options()["paired"] == "Status: paired.",
               "the add-on's automatic pairing")
    assert world.options()["tokenSaved"] == world.token
    log = world.daemon.log()
    assert '"event": "paired", "mode": "auto"' in log
    assert world.token not in log
    assert not (world.home / "xdg_data_home" / "trustmail" / "pairing.json").exists()
    # and it scores drafts with that token: the badge shows a score, not "key"
    world.receive_customer_message()
    world.open_reply()
    assert (world.wait_for_badge()["text"] or "").isdigit()


def test_the_send_gate_follows_the_policy(world: World) -> None:
    """With sendGate "hold", a draft that only warns is sent without the review."""
    world.open_reply()
    for piece in HEDGY_REPLY:
        world.type_and_time_badge(piece)
    badge = wait_until(lambda: world.badge() if "second look" in (world.badge()["title"] or "")
                       else None, "a warn badge ('worth a second look')")
    assert badge["text"] and int(badge["text"]) >= 40
    world.press_send()
    [message] = world.upstream.wait_for_messages(1, timeout=SEND_WAIT_SECONDS)
    assert b"I think your invoice was maybe wrong" in message.data
    assert not any("review/review.html" in url for url in world.window_urls())
