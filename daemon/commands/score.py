"""``trustmail score``: score drafts from files, stdin, or JSON lines (--batch).

Messages are bounded before the scoring core parses them (daemon/mail/bounded.py): a
hostile header must cost neither minutes nor gigabytes. In a batch, one bad item (not
JSON, not UTF-8, a lone surrogate, or a scoring failure) gets an error line of its own
and the rest are scored. A batch holds one item at a time: a line longer than
MAX_LINE_BYTES is answered with an error and skipped unread, so its memory is bounded
(an item costs about three times its line while it is decoded) whatever the input.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from daemon.commands.render_text import render_report
from daemon.config.rulebook_cache import cached_rulebook
from daemon.config.settings_cache import cached_scoring_settings
from daemon.mail.bounded import bound_message
from scoring import Report, Scorer
from scoring.errors import InputError

EXIT_PASS, EXIT_FLAGGED, EXIT_INPUT = 0, 1, 2
# A batch line: a message at the SMTP proxy's default size limit (50 MiB) as JSON, with
# room for escapes. The scoring core reads at most the bounded head and 1 MiB of body.
MAX_LINE_BYTES = 64 * 1024 * 1024
SKIP_CHUNK_BYTES = 1024 * 1024


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "score", help="score drafts (.eml or .txt files, or - for stdin)",
        description="Score outgoing drafts. Exit code 0 = pass, 1 = warn or hold, "
                    "2 = input or usage error.")
    parser.add_argument("paths", nargs="*", default=["-"], metavar="PATH",
                        help="RFC 5322 message or plain text file; - reads stdin (default)")
    parser.add_argument("--format", choices=("text", "json", "jsonl"), default="text")
    parser.add_argument("--now", type=parse_now, default=None,
                        help="ISO-8601 'now' for drafts without a Date header")
    parser.add_argument("--lang", choices=("auto", "en", "de"), default="auto")
    parser.add_argument("--config", type=Path, default=None, help="an extra config layer")
    parser.add_argument("--batch", action="store_true",
                        help='stdin holds JSON lines {"id":..., "text":...} or '
                             '{"id":..., "eml":...}; one output line per input')
    parser.set_defaults(handler=run)


def parse_now(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not ISO-8601, e.g. 2026-11-25T09:30:00+01:00") from None
    return moment


def read_input(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None


def run(args: argparse.Namespace) -> int:
    settings = cached_scoring_settings(args.config)
    scorer = Scorer(settings, rulebook=cached_rulebook(settings))
    if args.batch:
        return run_batch(scorer, args)
    worst = EXIT_PASS
    results: list[tuple[str, Report]] = []
    for path in args.paths:
        try:
            raw = read_input(path)
        except InputError as error:
            print(f"trustmail: {error}", file=sys.stderr)
            worst = EXIT_INPUT
            continue
        report = scorer.score_message(bound_message(raw).raw, now=args.now, lang=args.lang)
        results.append((path, report))
        worst = max(worst, exit_code(report))
    emit(results, args.format)
    return worst


def exit_code(report: Report) -> int:
    if report.error:
        return EXIT_INPUT
    return EXIT_PASS if report.verdict == "pass" else EXIT_FLAGGED


def emit(results: list[tuple[str, Report]], fmt: str) -> None:
    if fmt == "text":
        for path, report in results:
            sys.stdout.write(render_report(report, title=None if path == "-" else path))
    elif fmt == "jsonl":
        for path, report in results:
            print(json.dumps({"path": path, **report.to_dict()}, ensure_ascii=False))
    else:
        objects = [{"path": path, **report.to_dict()} for path, report in results]
        print(json.dumps(objects[0] if len(objects) == 1 else objects, ensure_ascii=False,
                         indent=2))


class BadItem(ValueError):
    """A batch line that cannot be scored; its message is the line's error."""


def run_batch(scorer: Scorer, args: argparse.Namespace) -> int:
    """JSON lines in, JSON lines out; each output echoes the input's id."""
    worst = EXIT_PASS
    for number, line in batch_lines(sys.stdin.buffer):
        if line is not None and not line.strip():
            continue
        item: dict[str, Any] = {}
        try:
            if line is None:
                raise BadItem(f"longer than {MAX_LINE_BYTES} bytes; not read")
            item = read_item(line)
            del line        # the item holds its text now; one copy less while it is scored
            report = score_item(scorer, item, args)
            row = {"id": item.get("id"), **report.to_dict()}
            worst = max(worst, exit_code(report))
        except BadItem as error:
            row, worst = error_row(item, number, str(error)), EXIT_INPUT
        except Exception as error:  # noqa: BLE001 - one bad item must not stop the batch
            row = error_row(item, number, f"scoring failed: {type(error).__name__}: {error}")
            worst = EXIT_INPUT
        print(json_line(row), flush=True)
    return worst


def batch_lines(stream: BinaryIO, limit: int = MAX_LINE_BYTES
                ) -> Iterator[tuple[int, bytes | None]]:
    """(number, line) for each line of ``stream``; None for a line over ``limit`` bytes,
    whose rest is skipped in chunks without being kept."""
    number = 0
    while line := stream.readline(limit + 1):
        number += 1
        if len(line) <= limit or line.endswith(b"\n") and len(line) == limit + 1:
            yield number, line
            continue
        del line
        while (rest := stream.readline(SKIP_CHUNK_BYTES)) and not rest.endswith(b"\n"):
            pass
        yield number, None


def read_item(line: bytes) -> dict[str, Any]:
    """One batch line as an item with "text" or "eml"; BadItem says what is wrong."""
    try:
        item = json.loads(line.decode("utf-8"))
    except ValueError as error:     # UnicodeDecodeError is a ValueError too
        raise BadItem(str(error)) from None
    if not isinstance(item, dict) or not ({"text", "eml"} & item.keys()):
        raise BadItem('expected an object with "text" or "eml"')
    return item


def score_item(scorer: Scorer, item: dict[str, Any], args: argparse.Namespace) -> Report:
    if "eml" in item:
        eml = str(item.pop("eml"))      # only its bytes are kept while it is scored
        try:    # surrogate escapes (U+DC80..U+DCFF) stand for raw bytes; others are errors
            raw = eml.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError as error:
            raise BadItem(f"eml: {lone_surrogate(error)}") from None
        del eml
        return scorer.score_message(bound_message(raw).raw, now=args.now, lang=args.lang)
    text = str(item["text"])
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise BadItem(f"text: {lone_surrogate(error)}") from None
    return scorer.score_text(text, now=args.now, lang=args.lang)


def lone_surrogate(error: UnicodeEncodeError) -> str:
    char = error.object[error.start]
    return f"contains a lone surrogate (U+{ord(char):04X}) at {error.start}; send valid Unicode"


def error_row(item: dict[str, Any], number: int, problem: str) -> dict[str, Any]:
    return {"id": item.get("id"), "line": number, "error": f"line {number}: {problem}"}


def json_line(row: dict[str, Any]) -> str:
    """The row as one JSON line; escaped to ASCII when it holds text UTF-8 cannot carry
    (a lone surrogate in an id), so the line is always written."""
    text = json.dumps(row, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(row)
    return text
