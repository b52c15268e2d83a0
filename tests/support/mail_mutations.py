"""Mutations of real messages, as an attacker would send them: hostile lines spliced in,
lines duplicated, dropped or cut, bytes flipped, the message truncated (issue 13).

Used by the scoring fuzz test and by bench/hostile_soak.py (5,000 of them).
"""

from __future__ import annotations

import random

WORD = b"=?utf-8?b?SGFsbG8=?="
SPLICES = [
    b"Content-Type: text/plain" + b"; a=b" * 3000,
    b"Subject: " + b" ".join([WORD] * 2000),
    b"From: " + b"(" * 3000,
    b"To: " + b", ".join([b'"a, b" <x@y.example>'] * 1000),
    b"References: " + b"<r@x>\r\n " * 4000,
    b"Content-Type: multipart/mixed; boundary=B",
    b"--B",
    b"Content-Type: message/rfc822",
    b"Content-Transfer-Encoding: base64",
    b"> " * 200 + b"!" * 5000,
    b"." * 20000,
    b"\xed\xa0\x80 lone surrogate \xff\xfe",
    b"=?utf-8?q?" + b"=FF" * 3000 + b"?=",
]


def mutate(raw: bytes, rng: random.Random) -> bytes:
    """One mutation of a real message: hostile lines spliced in, lines duplicated,
    dropped or cut, bytes flipped, the message truncated."""
    lines = raw.split(b"\n")
    for _ in range(rng.randint(1, 6)):
        at = rng.randint(0, len(lines))
        action = rng.randrange(6)
        if action <= 1:
            lines[at:at] = [rng.choice(SPLICES) + rng.choice([b"\r", b""])] * rng.randint(1, 3)
        elif action == 2 and lines:
            line = lines[min(at, len(lines) - 1)]
            lines[at:at] = [line] * rng.randint(2, 200)
        elif action == 3 and lines:
            del lines[min(at, len(lines) - 1)]
        elif action == 4 and lines:
            index = min(at, len(lines) - 1)
            lines[index] = lines[index][: rng.randint(0, len(lines[index]))]
        elif lines:
            index = min(at, len(lines) - 1)
            line = bytearray(lines[index])
            for _ in range(min(len(line), rng.randint(1, 8))):
                line[rng.randrange(len(line))] = rng.randrange(256)
            lines[index] = bytes(line)
    mutated = b"\n".join(lines)
    if rng.randrange(10) == 0:
        mutated = mutated[: rng.randint(0, len(mutated))]
    return mutated
