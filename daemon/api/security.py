"""Who may talk to the API: the bearer token file, the Host check and the CORS rule.

- **Token**: 32 random bytes (URL-safe text) in ``<data dir>/api-token``, created on
  first run with mode 0600 in a 0700 folder. ``trustmail token`` prints it for pairing.
- **Host**: a web page can make a browser talk to 127.0.0.1 through a hostname that
  re-resolves to loopback (DNS rebinding); such requests carry the attacker's hostname
  in ``Host``, so only loopback names are accepted.
- **Origin / CORS**: browser requests carry ``Origin``. Only ``moz-extension://`` origins
  (the Thunderbird add-on) get CORS headers; any other web origin is refused outright.
  Once an add-on has paired (``POST /v1/pair``), its origin is kept in
  ``<data dir>/api-origin`` and only that one is answered (pairing again, from a
  reinstalled add-on, replaces it; ``trustmail token --rotate`` forgets it).
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path

from daemon.api.errors import HttpError
from daemon.config import paths

TOKEN_FILE_NAME = "api-token"
ORIGIN_FILE_NAME = "api-origin"
TOKEN_BYTES = 32
TOKEN_FILE_MODE = 0o600
EXTENSION_ORIGIN_SCHEME = "moz-extension://"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
CORS_MAX_AGE_SECONDS = 600
CORS_ALLOWED_HEADERS = "Authorization, Content-Type"
CORS_ALLOWED_METHODS = "GET, POST, OPTIONS"


def token_path() -> Path:
    """Where the API token lives: the user data dir (platformdirs)."""
    return paths.data_dir() / TOKEN_FILE_NAME


def load_or_create_token(path: Path | None = None, *, rotate: bool = False) -> str:
    """Read the token file, creating it (0600) with a fresh token when missing.

    A token file with a wider mode (copied around, restored from a backup) is narrowed
    back to 0600. ``rotate`` replaces the token; paired add-ons must pair again.
    """
    path = path or token_path()
    paths.ensure_private_dir(path.parent)
    if rotate and path.exists():
        path.unlink()
        origin_path(path).unlink(missing_ok=True)    # a new token: pair again
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, TOKEN_FILE_MODE)
    except FileExistsError:
        if stat.S_IMODE(path.stat().st_mode) != TOKEN_FILE_MODE:
            path.chmod(TOKEN_FILE_MODE)
        token = path.read_text(encoding="ascii").strip()
        if len(token) < TOKEN_BYTES:
            raise ValueError(f"{path}: the API token is too short; delete the file or run "
                             "`trustmail token --rotate`") from None
        return token
    token = secrets.token_urlsafe(TOKEN_BYTES)
    os.fchmod(fd, TOKEN_FILE_MODE)      # os.open's mode is masked by the umask
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(token + "\n")
    return token


Headers = Mapping[str, str]     # lower-case names, as ASGI (and starlette) give them


def check_host(headers: Headers, port: int) -> None:
    """Refuse a Host header that is not a loopback name on our port (DNS rebinding)."""
    host = headers.get("host")
    if not host:
        raise HttpError(400, "missing_host", "the Host header is required")
    name, port_text = split_host(host)
    if not is_loopback_name(name):
        raise HttpError(403, "forbidden_host",
                        f"Host {host!r} is not a loopback name; use 127.0.0.1:{port}")
    if port_text and port_text != str(port):
        raise HttpError(403, "forbidden_host", f"Host {host!r} names another port than {port}")


def split_host(host: str) -> tuple[str, str]:
    """``"127.0.0.1:8425"`` -> (``"127.0.0.1"``, ``"8425"``); IPv6 keeps its brackets."""
    if host.startswith("["):
        end = host.find("]")
        if end < 0:
            return host, ""
        rest = host[end + 1:]
        return host[:end + 1], rest[1:] if rest.startswith(":") else ""
    name, _, port = host.partition(":")
    return name, port


def is_loopback_name(name: str) -> bool:
    name = name.lower().rstrip(".")
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


def origin_path(token_file: Path) -> Path:
    """The paired add-on's origin lives beside the token."""
    return token_file.with_name(ORIGIN_FILE_NAME)


def load_paired_origin(token_file: Path) -> str | None:
    """The origin of the add-on that paired last (None before any pairing)."""
    try:
        origin = origin_path(token_file).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return origin if is_extension_origin(origin) else None


def save_paired_origin(token_file: Path, origin: str) -> None:
    """Keep ``origin`` (0600) as the one add-on the API answers from now on."""
    path = origin_path(token_file)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, TOKEN_FILE_MODE)
    os.fchmod(fd, TOKEN_FILE_MODE)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(origin + "\n")


def is_extension_origin(origin: str) -> bool:
    return origin.startswith(EXTENSION_ORIGIN_SCHEME) and len(origin) > len(
        EXTENSION_ORIGIN_SCHEME) and origin.isascii()


def check_origin(headers: Headers, paired: str | None = None) -> str | None:
    """The allowed browser origin of the request (None for non-browser clients).

    Requests without ``Origin`` come from curl, scripts or the add-on's privileged
    background; they still need the token. Any web origin is refused, and so is
    another add-on than the ``paired`` one.
    """
    origin = headers.get("origin")
    if origin is None:
        return None
    if not is_extension_origin(origin):
        raise HttpError(403, "forbidden_origin",
                        f"Origin {origin!r} may not call the trustmail API; only the "
                        "Thunderbird add-on (moz-extension://) can")
    if paired is not None and origin != paired:
        raise HttpError(403, "forbidden_origin",
                        f"Origin {origin!r} is not the add-on that paired; pair this one "
                        "(`trustmail pair`) to use it")
    return origin


def cors_headers(origin: str | None, *, preflight: bool = False) -> dict[str, str]:
    """CORS response headers for an allowed extension origin (none otherwise)."""
    if origin is None:
        return {}
    headers = {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    if preflight:
        headers.update({
            "Access-Control-Allow-Methods": CORS_ALLOWED_METHODS,
            "Access-Control-Allow-Headers": CORS_ALLOWED_HEADERS,
            "Access-Control-Max-Age": str(CORS_MAX_AGE_SECONDS),
        })
    return headers


def bearer_token(headers: Headers) -> str | None:
    """The token of an ``Authorization: Bearer ...`` header, if any."""
    value = headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def token_matches(headers: Headers, token: str) -> bool:
    """Constant-time comparison of the request's bearer token with ours."""
    given = bearer_token(headers)
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def check_token(headers: Headers, token: str) -> None:
    """HttpError 401 unless the request carries our bearer token."""
    if bearer_token(headers) is None:
        raise HttpError(401, "missing_token",
                        "send 'Authorization: Bearer <token>'; `trustmail token` prints it",
                        {"WWW-Authenticate": 'Bearer realm="trustmail"'})
    if not token_matches(headers, token):
        raise HttpError(401, "invalid_token",
                        "the bearer token is wrong; pair again with `trustmail token`",
                        {"WWW-Authenticate": 'Bearer realm="trustmail", error="invalid_token"'})
