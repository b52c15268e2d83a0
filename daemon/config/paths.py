"""Where trustmail finds its files: shipped defaults, config layers and state.

All per-user locations come from platformdirs, so setting ``XDG_CONFIG_HOME`` and
``XDG_DATA_HOME`` isolates a run completely (the tests rely on that).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import platformdirs

import scoring
from scoring.errors import ConfigError

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


SNIPPET_DIR_NAME = "conf.d"


def site_config_dirs() -> list[Path]:
    """Site layer dirs, lowest priority first: /etc/trustmail/ and the platformdirs site
    config dir (the first entry of ``XDG_CONFIG_DIRS``, default /etc/xdg/trustmail)."""
    dirs = [Path("/etc") / APP_NAME, Path(platformdirs.site_config_dir(APP_NAME))]
    unique: list[Path] = []
    for directory in dirs:
        if directory not in unique:
            unique.append(directory)
    return unique


def site_config_files() -> list[Path]:
    """Every site file that may exist, in merge order: each site dir's trustmail.toml,
    then its ``conf.d/*.toml`` snippets in name order."""
    files: list[Path] = []
    for directory in site_config_dirs():
        files.append(directory / CONFIG_FILE_NAME)
        files.extend(snippet_files(directory))
    return files


def snippet_files(directory: Path) -> list[Path]:
    """``conf.d/*.toml`` below a site dir, sorted by file name (as ``ls`` in the C locale
    sorts them: "10-smtp.toml" before "20-rules.toml"). Hidden files (editor and
    config-management leftovers such as ".10-smtp.toml.swp" or ".#x.toml") are skipped."""
    snippet_dir = directory / SNIPPET_DIR_NAME
    if not snippet_dir.is_dir():
        return []
    try:
        names = os.listdir(snippet_dir)
    except OSError as error:   # unreadable: say so rather than skip the admin's snippets
        raise ConfigError(str(snippet_dir), "", f"cannot read: {error.strerror} (the site "
                          "config must be readable by every user of trustmail)") from None
    return sorted((snippet_dir / name for name in names
                   if name.endswith(".toml") and not name.startswith(".")
                   and (snippet_dir / name).is_file()),
                  key=lambda p: p.name.encode())


def user_config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME))


def user_config_file() -> Path:
    return user_config_dir() / CONFIG_FILE_NAME


def data_dir() -> Path:
    """State: the SQLite store, the API token, generated TLS certificates."""
    return Path(platformdirs.user_data_dir(APP_NAME))


PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and any missing parent) readable by the user only.

    Modes are set explicitly, not left to the umask: a command run before the daemon
    must not leave the data dir 0755. An existing directory that is too open is
    narrowed, and so is the data dir when ``path`` lies inside it.
    """
    missing: list[Path] = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    for directory in reversed(missing):
        directory.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
    narrow_mode(path, PRIVATE_DIR_MODE)
    data = data_dir()
    if data in path.parents:
        narrow_mode(data, PRIVATE_DIR_MODE)
    return path


def narrow_mode(path: Path, mode: int) -> None:
    """chmod ``path`` to ``mode`` if it differs (no-op for files that do not exist)."""
    try:
        if stat.S_IMODE(path.stat().st_mode) != mode:
            path.chmod(mode)
    except FileNotFoundError:
        pass


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists; narrow it if it does."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
    except FileExistsError:
        pass
    narrow_mode(path, PRIVATE_FILE_MODE)


def write_private_file(path: Path, data: bytes) -> None:
    """Replace ``path`` atomically with ``data``, mode 0600 in a 0700 directory."""
    ensure_private_dir(path.parent)
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        os.fchmod(descriptor, PRIVATE_FILE_MODE)   # a leftover .tmp may have another mode
        handle.write(data)
    temporary.replace(path)
