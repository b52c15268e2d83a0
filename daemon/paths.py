"""Where trustmail finds its files: shipped defaults, config layers and state.

All per-user locations come from platformdirs, so setting ``XDG_CONFIG_HOME`` and
``XDG_DATA_HOME`` isolates a run completely (the tests rely on that).
"""

from __future__ import annotations

from pathlib import Path

import platformdirs

import scoring

APP_NAME = "trustmail"
CONFIG_FILE_NAME = "trustmail.toml"


def shipped_config_dir() -> Path:
    """The shipped ``config/`` defaults, from an installed wheel or from a checkout."""
    package_dir = Path(scoring.__file__).resolve().parent
    candidates = (
        package_dir / "shipped_config",   # inside an installed wheel
        package_dir.parent / "config",     # a source checkout (also editable installs)
    )
    for candidate in candidates:
        if (candidate / CONFIG_FILE_NAME).is_file():
            return candidate
    raise FileNotFoundError(
        "trustmail's shipped config/ was not found next to the scoring package; "
        "reinstall trustmail")


def site_config_files() -> list[Path]:
    """Site layer: /etc/trustmail/ and the platformdirs site config dir."""
    dirs = [Path("/etc") / APP_NAME, Path(platformdirs.site_config_dir(APP_NAME))]
    unique: list[Path] = []
    for directory in dirs:
        if directory not in unique:
            unique.append(directory)
    return [d / CONFIG_FILE_NAME for d in unique]


def user_config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME))


def user_config_file() -> Path:
    return user_config_dir() / CONFIG_FILE_NAME


def data_dir() -> Path:
    """State: the SQLite store, the API token, generated TLS certificates."""
    return Path(platformdirs.user_data_dir(APP_NAME))


def ensure_private_dir(path: Path) -> Path:
    """Create a directory readable by the user only (tokens and keys live there)."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path
