"""Each default is written once, as a dataclass field, and the shipped TOML agrees (issue 15).

The parsers read their defaults from the settings dataclasses, so the settings built from
an empty config are the code's defaults. The shipped ``config/trustmail.toml`` spells out
every key for the user to read; built from it, the settings must come out the same,
except where the shipped file deliberately sets a starting point for a site.
"""

from __future__ import annotations

import dataclasses
import tomllib
from typing import Any

from daemon.config import paths
from daemon.config.load import build_settings

# The shipped file's starting point for a site: a working calendar (Berlin, German
# holidays) and the own domain to replace. Without the file (a settings object built
# in code), the neutral values apply: UTC, no holidays, no internal domain.
SITE_VALUES = {"scoring.business.timezone", "scoring.business.holidays",
               "scoring.business.internal_domains"}


def differences(shipped: Any, code: Any, path: str) -> dict[str, tuple[Any, Any]]:
    """Dotted path -> (shipped, code) for every leaf value that differs."""
    if dataclasses.is_dataclass(shipped) and not isinstance(shipped, type):
        found: dict[str, tuple[Any, Any]] = {}
        for item in dataclasses.fields(shipped):
            found |= differences(getattr(shipped, item.name), getattr(code, item.name),
                                 f"{path}.{item.name}")
        return found
    if isinstance(shipped, dict):
        found = {}
        for key in sorted(set(shipped) | set(code)):
            found |= differences(shipped.get(key), code.get(key), f"{path}.{key}")
        return found
    return {} if shipped == code else {path: (shipped, code)}


def shipped_toml() -> dict[str, Any]:
    return tomllib.loads((paths.shipped_config_dir() / "trustmail.toml").read_text("utf-8"))


def test_the_shipped_toml_and_the_code_defaults_agree() -> None:
    shipped_scoring, shipped_daemon = build_settings(shipped_toml(), {}, ())
    code_scoring, code_daemon = build_settings({}, {}, ())
    found = (differences(shipped_scoring, code_scoring, "scoring")
             | differences(shipped_daemon, code_daemon, "daemon"))
    assert {path: values for path, values in found.items() if path not in SITE_VALUES} == {}
    assert sorted(SITE_VALUES - set(found)) == [], "a site value now agrees: drop it"


def test_a_dimension_cap_is_seventy_from_the_file_and_from_the_code() -> None:
    scoring, _ = build_settings(shipped_toml(), {}, ())
    bare, _ = build_settings({}, {}, ())
    assert shipped_toml()["dimensions"]["honesty"]["cap"] == 70
    assert {d.cap for d in scoring.dimensions.values()} == {70}
    assert {d.cap for d in bare.dimensions.values()} == {70}


def test_the_differences_reader_finds_a_changed_leaf() -> None:
    _, shipped_daemon = build_settings({"smtp": {"score_timeout_ms": 1500}}, {}, ())
    _, code_daemon = build_settings({}, {}, ())
    assert differences(shipped_daemon, code_daemon, "daemon") == {
        "daemon.smtp.score_timeout_ms": (1500, 2000)}
