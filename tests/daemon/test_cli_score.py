"""``trustmail score`` and ``trustmail config`` as a user runs them (real subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

DRAFT = ("Hi Bo,\n\nTo be honest, the delay was caused by another department. It will "
         "probably ship soon, I think. I don't know if it is insured.\n\nBest,\nAnn\n")
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
    assert "[To be honest]" in out and "->" in out and "promises:" in out


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
