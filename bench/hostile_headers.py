"""Issue 13's hostile headers, before and after the bounded pre-parse (prints a table).

    .venv/bin/python bench/hostile_headers.py [--skip-before]

Two reproducers: a 100 KB ``Content-Type: text/plain; a=b; a=b; ...`` and a Subject of
20,000 adjacent ``=?utf-8?b?...?=`` words (420 KB); and a From of nested comments (the
stdlib's RecursionError, which made recording fail). Each is run through the paths
as the code did before (the stdlib on the raw message) and as it does now (bounded
first, daemon/mail/bounded.py):

- scoring core: ``scoring.draft.parse_message``, which the API worker, the SMTP
  scoring and the IMAP watchers call on the message;
- API original: what ``POST /v1/score`` did with a raw original on the event loop
  (stdlib parse + body text + Date + Message-ID), now ``parse_draft`` on the loop
  plus ``prepared`` in the worker; "API loop part" is the share left on the loop;
- SMTP record: compat32 headers + RFC 2047 Subject decoding + addresses, now
  ``build_record``.

Every cell runs in a fresh child process: wall time and the growth of its peak RSS.
The "before" rows need about 4 GB of memory and 30 s in all (--skip-before skips them).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from daemon.application.score_draft import DraftRequest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CHILD_TIMEOUT_SECONDS = 120
REPRODUCERS: dict[str, bytes] = {
    "content-type 100 KB": (b"From: a@customer.example\r\nDate: Mon, 02 Mar 2026 09:30:00 +0100"
                            b"\r\nContent-Type: text/plain" + b"; a=b" * 20_000
                            + b"\r\n\r\nCan you fix the invoice?\r\n"),
    "subject 20,000 words": (b"From: a@customer.example\r\nDate: Mon, 02 Mar 2026 09:30:00 +0100"
                             b"\r\nSubject: " + b" ".join([b"=?utf-8?b?SGFsbG8=?="] * 20_000)
                             + b"\r\n\r\nCan you fix the invoice?\r\n"),
    "From 50,000 '('": (b"From: " + b"(" * 50_000 + b"\r\nDate: Mon, 02 Mar 2026 09:30:00 +0100"
                       b"\r\n\r\nCan you fix the invoice?\r\n"),
}


def core_before(raw: bytes) -> None:
    from scoring.draft import parse_message
    parse_message(raw)


def core_after(raw: bytes) -> None:
    from daemon.mail.bounded import bound_message
    from scoring.draft import parse_message
    parse_message(bound_message(raw).raw)


def original_before(raw: bytes) -> None:
    from email import policy
    from email.parser import BytesParser

    from daemon.application.score_draft import body_text
    message = BytesParser(policy=policy.default).parsebytes(raw)
    body_text(message)
    str(message.get("date", "")), str(message.get("message-id", ""))


def api_draft(raw: bytes) -> DraftRequest:
    """A reply to ``raw`` as ``POST /v1/score`` parses it on the loop."""
    from daemon.api.drafts import parse_draft
    from daemon.api.models import Original, ScoreRequest
    return parse_draft(ScoreRequest(text="Yes.", original=Original(raw=raw.decode())))


def original_after(raw: bytes) -> None:
    from daemon.application.score_draft import prepared
    prepared(api_draft(raw))


def loop_after(raw: bytes) -> None:
    api_draft(raw)


def record_before(raw: bytes) -> None:
    import email.header
    import email.utils
    from email.parser import BytesHeaderParser
    from email.policy import compat32
    headers = BytesHeaderParser(policy=compat32).parsebytes(raw)
    subject = str(headers.get("Subject", ""))
    str(email.header.make_header(email.header.decode_header(subject)))
    email.utils.getaddresses([str(headers.get("From", ""))])


def record_after(raw: bytes) -> None:
    from daemon.smtp_proxy.record import build_record
    build_record(raw, "a@customer.example", ["b@example.com"])


PATHS: dict[str, tuple[Callable[[bytes], None], Callable[[bytes], None]]] = {
    "scoring core": (core_before, core_after),
    "API original": (original_before, original_after),
    "API loop part": (original_before, loop_after),
    "SMTP record": (record_before, record_after),
}


def child(reproducer: str, path: str, mode: str) -> None:
    """One measurement, printed as JSON: ms and peak-RSS growth in MB."""
    function = PATHS[path][0 if mode == "before" else 1]
    raw = REPRODUCERS[reproducer]
    function(raw[:200])         # imports and lazy compiles are not what is measured
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    function(raw)
    elapsed = time.perf_counter() - started
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - baseline
    print(json.dumps({"ms": elapsed * 1000, "mb": grown / 1024}))


def measure(reproducer: str, path: str, mode: str) -> str:
    try:
        done = subprocess.run([sys.executable, __file__, "--child", reproducer, path, mode],
                              capture_output=True, text=True, timeout=CHILD_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        return f"> {CHILD_TIMEOUT_SECONDS} s"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return f"failed: {last[:30]}"
    cell = json.loads(done.stdout)
    return f"{cell['ms']:9.1f} ms {cell['mb']:7.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-before", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("REPRODUCER", "PATH", "MODE"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    modes = ["after"] if args.skip_before else ["before", "after"]
    print(f"{'reproducer':<22}{'path':<14}" + "".join(f"{mode:>26}" for mode in modes))
    for reproducer in REPRODUCERS:
        for path in PATHS:
            cells = [measure(reproducer, path, mode) for mode in modes]
            print(f"{reproducer:<22}{path:<14}" + "".join(f"{cell:>26}" for cell in cells),
                  flush=True)


if __name__ == "__main__":
    main()
