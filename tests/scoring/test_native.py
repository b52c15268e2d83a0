"""The mypyc build of the scoring core: used only when fresh, and it scores the same."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scoring import Scorer, native

REPO = Path(__file__).resolve().parents[2]
DRAFTS = sorted((REPO / "tests" / "fixtures" / "drafts").glob("*.*"))
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def make_build(tmp_path: Path) -> tuple[Path, Path]:
    """A source directory and a build of it (a manifest; no machine code needed)."""
    sources = tmp_path / "src"
    sources.mkdir()
    (sources / "engine.py").write_text("X = 1\n")
    (sources / "settings.py").write_text("Y = 2\n")          # never compiled
    build = tmp_path / "build"
    build.mkdir()
    digests = native.source_digests(native.compiled_sources(sources))
    (build / native.MANIFEST).write_text(json.dumps(
        {"signature": native.build_signature(), "sources": digests}))
    return sources, build


def test_a_build_of_these_sources_is_fresh(tmp_path: Path) -> None:
    sources, build = make_build(tmp_path)
    assert native.fresh_build(build, sources)
    assert [p.name for p in native.compiled_sources(sources)] == ["engine.py"]


def test_an_edited_source_makes_the_build_stale(tmp_path: Path) -> None:
    sources, build = make_build(tmp_path)
    (sources / "engine.py").write_text("X = 3\n")
    assert not native.fresh_build(build, sources)
    (sources / "settings.py").write_text("Y = 4\n")   # not compiled: irrelevant
    (sources / "engine.py").write_text("X = 1\n")
    assert native.fresh_build(build, sources)


def test_a_build_for_another_python_or_without_manifest_is_stale(tmp_path: Path) -> None:
    sources, build = make_build(tmp_path)
    manifest = json.loads((build / native.MANIFEST).read_text())
    manifest["signature"] = "cpython-39-linux"
    (build / native.MANIFEST).write_text(json.dumps(manifest))
    assert not native.fresh_build(build, sources)
    shutil.rmtree(build)
    assert not native.fresh_build(build, sources)


def test_pure_python_can_be_forced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(native.PURE_PYTHON_ENV, "1")
    path: list[str] = []
    assert not native.activate(path)
    assert path == []


def test_the_build_in_use_scores_like_the_pure_sources(scorer: Scorer) -> None:
    """The suite runs against whichever build the checkout has; this compares it with
    the sources run as pure Python in a subprocess: on the test drafts (raw messages,
    EN and DE) and on every example sentence of every rule."""
    assert len(DRAFTS) >= 8
    script = (
        "import json, sys\n"
        "from datetime import datetime, UTC\n"
        "from daemon.config.load import load_config\n"
        "from scoring import Scorer, native\n"
        "assert native.describe() == 'pure Python'\n"
        "scorer = Scorer(load_config().scoring)\n"
        "now = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)\n"
        "texts = [t for r in scorer.rulebook.by_id().values() if r.examples\n"
        "         for t in r.examples.hit + r.examples.miss]\n"
        "print(json.dumps([scorer.score_message(open(p, 'rb').read(), now=now).to_dict()\n"
        "                  for p in sys.argv[1:]]\n"
        "                 + [scorer.score_text(t, now=now).to_dict() for t in texts],\n"
        "                 default=str))\n")
    pure = subprocess.run(
        [sys.executable, "-c", script, *map(str, DRAFTS)], cwd=REPO, check=True,
        capture_output=True, text=True, env={**os.environ, native.PURE_PYTHON_ENV: "1"})
    texts = [t for r in scorer.rulebook.by_id().values() if r.examples
             for t in r.examples.hit + r.examples.miss]
    assert len(texts) > 100
    here = ([scorer.score_message(path.read_bytes(), now=NOW).to_dict() for path in DRAFTS]
            + [scorer.score_text(t, now=NOW).to_dict() for t in texts])
    assert json.loads(json.dumps(here, default=str)) == json.loads(pure.stdout)
