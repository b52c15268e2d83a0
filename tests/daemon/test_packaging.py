"""The wheel: it carries the shipped config/ and the scoring core compiled with mypyc.

One wheel is built for the module (the build hook compiles the core: about a minute,
most of this file's time) and installed twice: in a fresh venv, where `trustmail`
reports and runs the compiled core, and in a plain folder for the config probe.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DRAFT = ROOT / "tests" / "fixtures" / "drafts" / "clean_reply_en.eml"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(dist), str(ROOT)], check=True, timeout=600)
    [built] = dist.glob("trustmail-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed; its third-party dependencies come from this
    venv's site-packages, added after its own (so nothing of the checkout is on its path)."""
    home = tmp_path_factory.mktemp("venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(home)], check=True,
                   timeout=120)
    python = home / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                    "--no-deps", str(wheel)], check=True, timeout=300)
    site = subprocess.run([str(python), "-c", "import sysconfig; "
                           "print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "trustmail-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return home


def trustmail(venv: Path, *args: str, pure: bool = False) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "TRUSTMAIL_PURE_PYTHON")}
    if pure:
        env["TRUSTMAIL_PURE_PYTHON"] = "1"
    return subprocess.run([str(venv / "bin" / "trustmail"), *args], cwd=venv, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_installed_wheel_runs_the_compiled_core(venv: Path) -> None:
    result = trustmail(venv, "--version")
    assert result.returncode == 0, result.stderr
    # e.g. trustmail 0.1.0 (scoring core: compiled with mypyc, .../site-packages/scoring/
    # engine.cpython-311-x86_64-linux-gnu.so)
    assert "scoring core: compiled with mypyc" in result.stdout
    location = result.stdout.rsplit(", ", 1)[1].rstrip(")\n")
    assert location.startswith(str(venv)) and "/site-packages/scoring/engine." in location
    assert not location.endswith(".py")


def test_the_installed_wheel_can_run_as_pure_python(venv: Path) -> None:
    result = trustmail(venv, "--version", pure=True)
    assert result.returncode == 0, result.stderr
    assert "scoring core: pure Python" in result.stdout
    assert result.stdout.rstrip(")\n").endswith("/site-packages/scoring/engine.py")


def test_compiled_and_pure_python_score_alike(venv: Path) -> None:
    args = ("score", "--format", "json", "--now", "2026-11-25T10:00:00+00:00", str(DRAFT))
    compiled, pure = trustmail(venv, *args), trustmail(venv, *args, pure=True)
    assert compiled.returncode in (0, 1), compiled.stderr
    report = json.loads(compiled.stdout)
    assert report["language"] == "en" and "score" in report
    assert report == json.loads(pure.stdout)


def test_wheel_carries_the_shipped_config(wheel: Path, tmp_path: Path) -> None:
    python = sys.executable   # the target folder goes first on sys.path, so it shadows the checkout
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(tmp_path / "site"), str(wheel)], check=True, timeout=300)
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); from daemon.config import paths; "
             "from daemon.config.load import load_config; d = paths.shipped_config_dir(); "
             "print(d); load_config(); assert str(d).startswith(sys.argv[1])")
    result = subprocess.run([str(python), "-c", probe, str(tmp_path / "site")], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "shipped_config" in result.stdout
