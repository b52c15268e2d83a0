"""Everything trustmail writes is 0600 in 0700 directories, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from daemon.api.security import load_or_create_token
from daemon.cli import main
from daemon.config import paths
from daemon.runtime.state import state_file, write_state
from daemon.runtime.tls import ensure_self_signed
from daemon.store.database import MessageRecord, open_store


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    """The common default, under which plain open()/mkdir() give 0644/0755."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_the_store_its_wal_and_shm_and_the_data_dir_are_private() -> None:
    store = open_store()
    store.record_message(MessageRecord("smtp", "out", message_id="<a@x>"))
    data = paths.data_dir()
    files = sorted(data.glob("trustmail.sqlite3*"))
    assert [f.name for f in files] == ["trustmail.sqlite3", "trustmail.sqlite3-shm",
                                       "trustmail.sqlite3-wal"]
    assert [mode(f) for f in files] == [0o600] * 3
    assert mode(data) == 0o700
    store.close()


def test_too_open_files_and_dirs_from_before_are_narrowed() -> None:
    data = paths.data_dir()
    data.mkdir(parents=True, mode=0o755)
    data.chmod(0o755)
    open_store().close()
    store_file = data / "trustmail.sqlite3"
    store_file.chmod(0o644)
    data.chmod(0o755)
    store = open_store()
    store.query("SELECT 1")
    assert mode(store_file) == 0o600 and mode(data) == 0o700
    store.close()


def test_a_command_run_before_the_daemon_leaves_the_data_dir_private(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert not paths.data_dir().exists()
    assert main(["promises", "--me", "me@example.com"]) == 0
    capsys.readouterr()
    assert mode(paths.data_dir()) == 0o700
    assert mode(paths.data_dir() / "trustmail.sqlite3") == 0o600


def test_a_store_in_a_folder_trustmail_creates_is_private(tmp_path: Path) -> None:
    path = tmp_path / "new" / "deeper" / "store.sqlite3"
    open_store(str(path)).close()
    assert mode(path.parent) == 0o700 and mode(path.parent.parent) == 0o700
    assert mode(path) == 0o600


def test_daemon_json_the_token_and_the_certificates_are_private() -> None:
    path = state_file()
    write_state(path, {"pid": os.getpid()})
    (path.with_name(path.name + ".tmp")).write_text("left over", "utf-8")   # 0644
    write_state(path, {"pid": os.getpid()})
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    token = paths.data_dir() / "api-token"
    load_or_create_token(token)
    assert mode(token) == 0o600
    cert, key = ensure_self_signed()
    assert mode(cert) == 0o600 and mode(key) == 0o600 and mode(cert.parent) == 0o700
    assert [f.name for f in paths.data_dir().iterdir() if mode(f) not in (0o600, 0o700)] == []


def test_private_files_ignore_even_a_strict_umask(tmp_path: Path) -> None:
    os.umask(0o277)              # would give 0400 files and 0500 dirs
    target = tmp_path / "d" / "f"
    paths.write_private_file(target, b"x")
    os.umask(0o022)
    assert mode(target) == 0o600 and mode(target.parent) == 0o700
