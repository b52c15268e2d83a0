"""`trustmail --version`: the version, and which scoring core runs from where."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import scoring.engine
from scoring import native

ROOT = Path(__file__).resolve().parents[2]


def version(**env: str) -> str:
    result = subprocess.run([sys.executable, "-m", "daemon.cli", "--version"], cwd=ROOT,
                            env={**os.environ, **env}, capture_output=True, text=True,
                            timeout=60, check=True)
    return result.stdout.strip()


def test_the_version_names_the_core_this_checkout_runs() -> None:
    # the suite runs the build the checkout has: compiled when build/native is fresh
    line = version(**{native.PURE_PYTHON_ENV: "0"})
    assert line.startswith("trustmail ")
    assert f"scoring core: {native.describe()}, " in line
    assert line.endswith(f"{native.compiled_engine() or scoring.engine.__file__})")


def test_pure_python_is_named_when_forced() -> None:
    line = version(**{native.PURE_PYTHON_ENV: "1"})
    assert "scoring core: pure Python; TRUSTMAIL_PURE_PYTHON=1, " in line
    assert line.endswith(f"{ROOT / 'scoring' / 'engine.py'})")
