"""The pairing window: one code, one use, a few tries, an expiry, and never the token."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from daemon.runtime import pairing
from daemon.runtime.pairing import PairingError

NOW = 1_800_000_000.0


def refused(path: Path, **kwargs: object) -> str:
    with pytest.raises(PairingError) as caught:
        pairing.redeem(path, **{"same_user": True, "from_extension": True, "now": NOW,
                                **kwargs})  # type: ignore[arg-type]
    return caught.value.code


def test_a_code_pairs_once_and_is_stored_only_as_a_hash(tmp_path: Path) -> None:
    path = tmp_path / "pairing.json"
    code = pairing.open_window(path, now=NOW)
    assert len(code) == 9 and code[4] == "-"
    text = path.read_text()
    assert pairing.normalise_code(code) not in text and code not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # typed in lower case with a space: still the code
    pairing.redeem(path, code=code.lower().replace("-", " "), same_user=True,
                   from_extension=True, now=NOW + 60)
    assert not path.exists()
    assert refused(path, code=code) == "pairing_closed"


def test_wrong_codes_cost_tries_and_close_the_window(tmp_path: Path) -> None:
    path = tmp_path / "pairing.json"
    code = pairing.open_window(path, now=NOW)
    for _ in range(pairing.MAX_ATTEMPTS - 1):
        assert refused(path, code="AAAA-AAAA") == "pairing_wrong_code"
    assert refused(path, code="AAAA-AAAA") == "pairing_closed"
    assert refused(path, code=code) == "pairing_closed"


def test_a_window_expires(tmp_path: Path) -> None:
    path = tmp_path / "pairing.json"
    code = pairing.open_window(path, minutes=2, now=NOW)
    assert refused(path, code=code, now=NOW + 121) == "pairing_closed"


def test_automatic_pairing_needs_an_auto_window_the_same_user_and_the_add_on(
        tmp_path: Path) -> None:
    path = tmp_path / "pairing.json"
    pairing.open_window(path, now=NOW)
    assert refused(path, code=None) == "pairing_needs_code"
    assert pairing.open_window(path, auto=True, now=NOW) == ""
    assert refused(path, code=None, same_user=False) == "pairing_other_user"
    assert refused(path, code=None, same_user=None) == "pairing_refused"
    assert refused(path, code=None, from_extension=False) == "pairing_refused"
    assert refused(path, code="AAAA-AAAA") == "pairing_wrong_code"
    pairing.redeem(path, code=None, same_user=True, from_extension=True, now=NOW)
    assert refused(path, code=None) == "pairing_closed"


def test_another_os_user_is_refused_even_with_the_right_code(tmp_path: Path) -> None:
    path = tmp_path / "pairing.json"
    code = pairing.open_window(path, now=NOW)
    assert refused(path, code=code, same_user=False) == "pairing_other_user"


def test_the_window_length_is_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="--minutes"):
        pairing.open_window(tmp_path / "pairing.json", minutes=0)
