"""``trustmail score`` and ``trustmail config`` as a user runs them (real subprocesses)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

from daemon.commands.score import MAX_LINE_BYTES, batch_lines

DRAFT = ("Hi Bo,\n\nTo be honest, the delay was caused by another department. As I already "
         "explained, you should have read the manual. It will probably ship soon, I think. "
         "I don't know if it is insured.\n\nBest,\nAnn\n")
COACH = Path(__file__).resolve().parents[2] / "config" / "profiles" / "coach.toml"
CLEAN = "Hi Bo,\n\nI will send the contract by Friday, November 13, 3 pm.\n\nBest,\nAnn\n"


def trustmail(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "daemon.cli", *args], input=stdin,
                          capture_output=True, text=True, env=os.environ.copy(), timeout=60)


def test_score_json_and_exit_codes(tmp_path: Path) -> None:
    hedgy, clean = tmp_path / "hedgy.txt", tmp_path / "clean.txt"
    hedgy.write_text(DRAFT)
    clean.write_text(CLEAN)
    result = trustmail("score", "--format", "json", "--now", "2026-11-09T09:00:00+01:00",
                       str(hedgy))
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    assert data["verdict"] in ("warn", "hold")
    assert data["body"].startswith("Hi Bo")
    assert trustmail("score", str(clean), "--now", "2026-11-09T09:00:00+01:00").returncode == 0


def test_score_text_output_highlights_and_suggests(tmp_path: Path) -> None:
    path = tmp_path / "d.txt"
    path.write_text(DRAFT)
    out = trustmail("score", str(path)).stdout
    assert "[As I already explained]" in out and "->" in out and "promises:" in out
    # judged in a statement about the customer's matter (96147d9), and it says so
    assert "[To be honest]" in out and "statement about the customer's matter" in out


def test_the_coach_profile_adds_the_rules_that_are_off_by_default(tmp_path: Path) -> None:
    path = tmp_path / "d.txt"
    path.write_text(DRAFT)
    out = trustmail("score", "--config", str(COACH), str(path)).stdout
    assert "[To be honest]" in out


def test_batch_echoes_ids_and_reports_bad_lines() -> None:
    lines = "\n".join([json.dumps({"id": 1, "text": CLEAN}),
                       "not json",
                       json.dumps({"id": "x", "eml": "Subject: s\nFrom: a@b.test\n\nMaybe."})])
    result = trustmail("score", "--batch", "--now", "2026-11-09T09:00:00+01:00", stdin=lines)
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["id"] for row in rows] == [1, None, "x"]
    assert "line 2" in rows[1]["error"]
    assert result.returncode == 2


def test_missing_file_is_exit_2() -> None:
    result = trustmail("score", "/nonexistent/draft.eml")
    assert result.returncode == 2 and "cannot read" in result.stderr


def test_config_check_and_show(tmp_path: Path) -> None:
    check = trustmail("config", "check")
    assert check.returncode == 0 and "every example passes" in check.stdout
    show = trustmail("config", "show").stdout
    assert "thresholds.warn = 70" in show and "(shipped)" in show
    bad = tmp_path / "bad.toml"
    bad.write_text("[smtp]\npolicyy = 'warn'\n")
    result = trustmail("config", "check", "--config", str(bad))
    assert result.returncode == 2 and "smtp.policyy" in result.stderr and "policy" in result.stderr


def test_batch_gives_a_bad_item_its_error_line_and_scores_the_rest() -> None:
    """Issue 13: one lone surrogate (or a line that is not UTF-8) aborted the batch."""
    hostile_eml = ("Subject: " + " ".join(["=?utf-8?b?SGFsbG8=?="] * 20_000)
                   + "\r\nContent-Type: text/plain" + "; a=b" * 20_000 + "\r\n\r\nMaybe.")
    lines = [b'{"id": 1, "text": "hi \\ud800 there"}',
             b'{"id": 2, "eml": "Subject: x\\r\\n\\r\\nhi \\udbff"}',
             b'{"id": 3, "text": "caf\xe9 is not UTF-8"}',
             json.dumps({"id": 4, "eml": hostile_eml}).encode(),
             b'{"id": "\\udc80", "text": "A surrogate id is echoed."}',
             json.dumps({"id": 6, "text": CLEAN}).encode()]
    result = subprocess.run([sys.executable, "-m", "daemon.cli", "score", "--batch"],
                            input=b"\n".join(lines), capture_output=True, timeout=60,
                            env=os.environ.copy())
    assert result.returncode == 2 and not result.stderr, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["id"] for row in rows] == [1, 2, None, 4, "\udc80", 6]
    assert "lone surrogate (U+D800)" in rows[0]["error"]
    assert "lone surrogate (U+DBFF)" in rows[1]["error"]
    assert "line 3" in rows[2]["error"]
    assert [bool(row.get("error")) for row in rows] == [True, True, True, False, False, False]
    assert rows[3]["body"].strip() == "Maybe."


def test_batch_lines_skip_a_line_over_the_limit_without_keeping_it() -> None:
    stream = io.BytesIO(b'{"id":1}\n' + b"x" * 50 + b"\n" + b"y" * 10 + b"\ntail")
    assert list(batch_lines(stream, limit=10)) == [
        (1, b'{"id":1}\n'), (2, None), (3, b"y" * 10 + b"\n"), (4, b"tail")]


def test_a_batch_line_over_64_mib_gets_an_error_and_the_rest_are_scored() -> None:
    """Issue 13: an item costs about three times its line; the line is what is bounded."""
    huge = json.dumps({"id": 1, "eml": "x" * MAX_LINE_BYTES}).encode()
    lines = [huge, json.dumps({"id": 2, "text": CLEAN}).encode()]
    result = subprocess.run([sys.executable, "-m", "daemon.cli", "score", "--batch"],
                            input=b"\n".join(lines), capture_output=True, timeout=60,
                            env=os.environ.copy())
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 2 and not result.stderr, result.stderr
    assert rows[0] == {"id": None, "line": 1,
                       "error": f"line 1: longer than {MAX_LINE_BYTES} bytes; not read"}
    assert rows[1]["id"] == 2 and rows[1]["verdict"] == "pass"
