"""Shared pytest fixtures: every test runs with its own config and data dirs."""

from __future__ import annotations

from pathlib import Path

import pytest

# Importing the daemon package chooses the scoring core's build (scoring/native.py) before
# any test module imports a module of it: the suite runs against the build it finds.
import daemon  # noqa: F401


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point platformdirs (XDG_*) at a fresh folder so no test sees the user's files."""
    home = tmp_path / "xdg"
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        folder = home / name.lower()
        folder.mkdir(parents=True)
        monkeypatch.setenv(name, str(folder))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(home / "site"))
    return home
