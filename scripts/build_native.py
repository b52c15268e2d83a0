"""Compile the scoring core's hot modules with mypyc into build/native/ (see
scoring/native.py). Skips the work when the build there is fresh.

    .venv/bin/python scripts/build_native.py [--force]

Needs mypy (which ships mypyc) and a C compiler. Without them, or if compiling fails,
it says so and exits 0: trustmail then runs the same code as pure Python. The wheel's
build hook (scripts/hatch_build.py) compiles with :func:`build` too.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scoring import native  # noqa: E402


def build(build_dir: Path) -> None:
    sources = native.compiled_sources()
    with tempfile.TemporaryDirectory(prefix="trustmail-native-") as work:
        package = Path(work) / "scoring"
        package.mkdir()
        for path in native.SOURCE_DIR.glob("*.py"):
            shutil.copy2(path, package / path.name)
        digests = native.source_digests([package / path.name for path in sources])
        # mypyc runs setuptools in the work directory; only the scoring package is there
        env = {**os.environ, "MYPYC_OPT_LEVEL": os.environ.get("MYPYC_OPT_LEVEL", "3")}
        subprocess.run([sys.executable, "-m", "mypyc", *(f"scoring/{p.name}" for p in sources)],
                       cwd=work, env=env, check=True, stdout=subprocess.DEVNULL)
        staging = build_dir.with_name(build_dir.name + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        (staging / "scoring").mkdir(parents=True)
        for library in Path(work).glob("*__mypyc*.so"):          # the shared runtime
            shutil.copy2(library, staging / library.name)
        for module in package.glob("*.so"):
            shutil.copy2(module, staging / "scoring" / module.name)
        (staging / native.MANIFEST).write_text(json.dumps(
            {"signature": native.build_signature(), "sources": digests}, indent=1))
        shutil.rmtree(build_dir, ignore_errors=True)
        staging.rename(build_dir)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild even if fresh")
    args = parser.parse_args()
    if not args.force and native.fresh_build():
        print("native build: up to date")
        return 0
    try:
        import mypyc  # noqa: F401
    except ImportError:
        print("native build: skipped (mypy/mypyc is not installed); scoring runs as pure Python")
        return 0
    print("native build: compiling the scoring core with mypyc (about a minute)")
    try:
        build(native.BUILD_DIR)
    except (subprocess.CalledProcessError, OSError) as error:
        print(f"native build: failed ({error}); scoring runs as pure Python")
        return 0
    print(f"native build: done, in {native.BUILD_DIR.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
