"""Hostile mail for the issue 13 benchmarks: the issue's reproducers, inputs up to the
50 MiB size limit, and mutations of real messages (tests/support/mail_mutations.py,
which the suite's fuzz test uses too), for bench/loop_lag.py, bench/worker_limits.py
and bench/hostile_soak.py.
"""

from __future__ import annotations

import base64
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from support.mail_mutations import mutate  # noqa: E402 - shared with the suite's fuzz test

__all__ = ["HOSTILE", "LIMIT", "MIB", "examples", "hostile", "mutate"]
EXAMPLES_DIRS = (Path("/work/shared/examples/emails"), REPO / "tests" / "fixtures")
MIB = 1024 * 1024
LIMIT = 50 * MIB * 99 // 100      # within [smtp] max_message_bytes, headers and folding too
HEAD = (b"From: Maria <maria@customer.example>\r\nTo: Alice <alice@example.com>\r\n"
        b"Date: Mon, 02 Mar 2026 09:30:00 +0100\r\nMessage-ID: <hostile@customer.example>\r\n")
BODY = b"\r\n\r\nCan you fix the invoice?\r\n"
WORD = b"=?utf-8?b?SGFsbG8=?="


def _fill(piece: bytes, size: int) -> bytes:
    return piece * max(1, size // len(piece))


def _fold(value: bytes, width: int = 900) -> bytes:
    """A header value in lines of ``width`` (SMTP allows 998): still one field."""
    return b"\r\n ".join(value[i:i + width] for i in range(0, len(value), width))


def _lines(text: bytes, width: int = 900, prefix: bytes = b"") -> bytes:
    """A body in lines of ``width``, each after ``prefix``."""
    return b"".join(prefix + text[i:i + width] + b"\r\n" for i in range(0, len(text), width))


def _multipart(size: int) -> bytes:
    line = base64.b64encode(bytes(range(57))) + b"\r\n"
    return (HEAD + b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
            b"--B\r\nContent-Type: text/plain\r\n\r\nThe contract is attached.\r\n--B\r\n"
            b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + _fill(line, size) + b"--B--\r\n")


def _nested_parts(depth: int) -> bytes:
    head = b"".join(b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i)
                    for i in range(depth))
    return HEAD + b"MIME-Version: 1.0\r\n" + head + b"Content-Type: text/plain\r\n\r\nHi\r\n"


def _words(size: int) -> bytes:
    """Adjacent encoded words, 40 a line."""
    line = b" ".join([WORD] * 40)
    return b"\r\n ".join([line] * max(1, size // (len(line) + 3)))


def _reply(quoted: bytes) -> bytes:
    return (HEAD + b"Subject: Re: invoice\r\n\r\nHi Maria, I will fix it today.\r\n\r\n"
            b"On Mon, 2 Mar 2026 at 09:30, Maria wrote:\r\n" + quoted)


# name -> (size it is built at, builder). Sizes up to LIMIT; callers may cap them.
HOSTILE: dict[str, tuple[int, Callable[[int], bytes]]] = {
    "content-type a=b; x 20,000 (100 KB)": (100_000, lambda n: (
        HEAD + b"Content-Type: text/plain" + _fold(_fill(b"; a=b", n)) + BODY)),
    "subject 20,000 encoded words (420 KB)": (420_000, lambda n: (
        HEAD + b"Subject: " + _words(n) + BODY)),
    "from 50,000 '(' (50 KB)": (50_000, lambda n: (
        b"From: " + _fold(b"(" * n) + b"\r\nDate: Mon, 02 Mar 2026 09:30:00 +0100" + BODY)),
    "80,000 quoted '!' (80 KB)": (80_000, lambda n: _reply(_lines(b"!" * n, prefix=b"> "))),
    "nested quotes 400 deep (2 MB)": (2 * MIB, lambda n: _reply(
        _fill(b"> " * 400 + b"Why?\r\n", n))),
    "body of '.' (4 MB)": (4 * MIB, lambda n: HEAD + b"\r\n" + _lines(b"." * n)),
    "subject of encoded words (50 MiB)": (LIMIT, lambda n: (
        HEAD + b"Subject: " + _words(n) + BODY)),
    "one folded header field (50 MiB)": (LIMIT, lambda n: (
        HEAD + b"X-Long: " + _fold(b"v" * n) + BODY)),
    "200,000 header fields (50 MiB)": (LIMIT, lambda n: (
        HEAD + _fill(b"X-A: " + b"b" * 250 + b"\r\n", n) + BODY)),
    "text body of words (50 MiB)": (LIMIT, lambda n: HEAD + b"\r\n" + _fill(
        b"We will send it maybe soon!!! ... Can you?\r\n", n)),
    "base64 attachment (50 MiB)": (LIMIT, _multipart),
    "MIME parts 5,000 deep": (0, lambda n: _nested_parts(5_000)),
}


def hostile(max_bytes: int = LIMIT) -> dict[str, bytes]:
    """Every hostile message, each built at most ``max_bytes`` long (named by its size
    as built at the limit)."""
    return {name: build(min(size, max_bytes)) for name, (size, build) in HOSTILE.items()}


def examples() -> list[bytes]:
    """The real example emails (the shared set if present, else the test fixtures)."""
    for folder in EXAMPLES_DIRS:
        found = sorted(folder.rglob("*.eml"))
        if found:
            return [path.read_bytes() for path in found]
    raise SystemExit("no example emails found")
