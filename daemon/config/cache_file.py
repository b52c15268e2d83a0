"""One entry of a start-up cache in the user's cache dir: a key, a checksum, a payload.

The file holds the key (the SHA-256 of what the entry was made from), the SHA-256 of
the payload and the payload; it is written 0600 and replaced atomically, so a reader
sees a whole entry or none. An entry of another key, a corrupt or an unreadable file
reads as a miss, and a file that cannot be written costs only time.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import platformdirs

DIGEST_SIZE = 32


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("trustmail"))


def read_entry(path: Path, key: bytes) -> bytes | None:
    """The payload stored under ``key``, or None (missing, another key, or corrupt)."""
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    header, payload = blob[:2 * DIGEST_SIZE], blob[2 * DIGEST_SIZE:]
    if header[:DIGEST_SIZE] != key or header[DIGEST_SIZE:] != hashlib.sha256(payload).digest():
        return None
    return payload


def write_entry(path: Path, key: bytes, payload: bytes) -> None:
    """Best effort: a cache that cannot be written (a read-only home) costs time only."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        import tempfile  # 5 ms, and only a cold start writes

        # mkstemp creates the file 0600; the rename makes the new entry appear whole
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
        try:
            with os.fdopen(descriptor, "wb") as out:
                out.write(key + hashlib.sha256(payload).digest() + payload)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        return
