"""One-time pairing of the Thunderbird add-on: a short code or an automatic window.

The add-on needs the API token, but it cannot read files and the token must never sit
in a world-readable file or in ``policies.json`` (that file is shared by every machine
and every user of a rollout). So a person (or the rollout script, running as that
user) opens a **pairing window** with ``trustmail pair``; the add-on redeems it once on
loopback (``POST /v1/pair``) and receives the token:

- ``code``: ``trustmail pair`` prints a code like ``K7QM-3XWD`` (40 random bits),
  valid for ``DEFAULT_MINUTES``, for one use and at most ``MAX_ATTEMPTS`` wrong tries.
  The user types it on the add-on's options page. The token itself never appears on
  screen, in a clipboard or in a shell history.
- ``auto``: ``trustmail pair --auto`` lets the *next* add-on that asks within the
  window pair without a code (the policy says ``"pairing": "auto"``). The daemon only
  answers a request from a ``moz-extension://`` origin whose socket belongs to the same
  OS user as the daemon (checked in ``/proc/net/tcp``, see ``daemon.api.peer``), and
  only once. Another local user gets nothing; a web page cannot send an extension
  origin; a process of the same user could read the 0600 token file anyway.

The window lives in ``<data dir>/pairing.json`` (mode 0600, only a SHA-256 of the code),
written by the CLI and consumed by the daemon: no IPC, no config key, nothing to leak.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from daemon.config import paths

PAIRING_FILE_NAME = "pairing.json"
PAIRING_FILE_MODE = 0o600
DEFAULT_MINUTES = 10
MAX_MINUTES = 24 * 60
MAX_ATTEMPTS = 5
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"   # no 0/O, 1/I/L: read aloud safely
CODE_LENGTH = 8                                      # shown as two groups of four
MODES = ("code", "auto")


class PairingError(Exception):
    """A pairing request the daemon refuses; ``code`` names the reason for the add-on."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Window:
    """An open pairing window as stored in ``pairing.json``."""

    mode: str
    expires_at: float
    attempts_left: int
    code_sha256: str = ""


def pairing_path() -> Path:
    """``<data dir>/pairing.json``, next to the token file."""
    return paths.data_dir() / PAIRING_FILE_NAME


def new_code() -> str:
    """A fresh code, e.g. ``K7QM-3XWD``."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(text: str) -> str:
    """What the user typed, without spaces, dashes or case: ``k7qm 3xwd`` -> ``K7QM3XWD``."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode("ascii", "replace")).hexdigest()


def open_window(path: Path | None = None, *, auto: bool = False,
                minutes: int = DEFAULT_MINUTES, now: float | None = None) -> str:
    """Open a window (replacing any open one); returns the code ("" for ``auto``)."""
    if not 1 <= minutes <= MAX_MINUTES:
        raise ValueError(f"--minutes must be between 1 and {MAX_MINUTES}, not {minutes}")
    path = path or pairing_path()
    code = "" if auto else new_code()
    window = Window(mode="auto" if auto else "code",
                    expires_at=(time.time() if now is None else now) + minutes * 60,
                    attempts_left=MAX_ATTEMPTS, code_sha256=code_hash(code) if code else "")
    write_window(path, window)
    return code


def close_window(path: Path | None = None) -> bool:
    """Close an open window; True when there was one."""
    try:
        (path or pairing_path()).unlink()
    except FileNotFoundError:
        return False
    return True


def read_window(path: Path) -> Window | None:
    """The stored window, or None when there is none (or it is unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        window = Window(mode=str(data["mode"]), expires_at=float(data["expires_at"]),
                        attempts_left=int(data["attempts_left"]),
                        code_sha256=str(data.get("code_sha256", "")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return window if window.mode in MODES else None


def write_window(path: Path, window: Window) -> None:
    """Write atomically with mode 0600 whatever the umask."""
    paths.ensure_private_dir(path.parent)
    temp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PAIRING_FILE_MODE)
    os.fchmod(fd, PAIRING_FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(asdict(window), handle)
    os.replace(temp, path)


def redeem(path: Path, *, code: str | None, same_user: bool | None,
           from_extension: bool, now: float | None = None) -> None:
    """Check one pairing request against the open window and consume it on success.

    ``code``: what the user typed (None asks for automatic pairing). ``same_user``: the
    request's socket belongs to the daemon's OS user (None: cannot tell on this system).
    Raises PairingError when refused; a wrong code costs one of ``MAX_ATTEMPTS``.
    """
    now = time.time() if now is None else now
    window = read_window(path)
    if window is None or window.expires_at <= now:
        close_window(path)
        raise PairingError("pairing_closed", "no pairing is open: run `trustmail pair` and "
                           "enter the code it prints (or `trustmail pair --auto`)")
    if same_user is False:
        raise PairingError("pairing_other_user", "the request comes from another OS user "
                           "than the daemon's; pair from your own Thunderbird")
    if code is None:
        if window.mode != "auto":
            raise PairingError("pairing_needs_code", "this pairing needs the code that "
                               "`trustmail pair` printed")
        if same_user is None or not from_extension:
            raise PairingError("pairing_refused", "automatic pairing needs the add-on's "
                               "request on a system where the daemon can tell its OS user")
    elif window.mode != "code" or not hmac.compare_digest(code_hash(code), window.code_sha256):
        left = window.attempts_left - 1
        if left <= 0:
            close_window(path)
            raise PairingError("pairing_closed", "wrong code too often; the pairing is "
                               "closed: run `trustmail pair` again")
        write_window(path, Window(window.mode, window.expires_at, left, window.code_sha256))
        raise PairingError("pairing_wrong_code",
                           f"wrong pairing code ({left} tries left)")
    close_window(path)
