"""Use the scoring core compiled with mypyc, when a fresh build of it is at hand.

The scoring core is plain, strictly typed Python. ``scripts/build_native.py`` (run by
the bootstrap) compiles its hot modules with mypyc, as black and mypy ship
themselves, into ``build/native/`` of the checkout: about a quarter less time per
email, and the same reports (the test suite runs against the build it finds).

The build is used only if it was made from exactly the sources in this directory by
this Python: its manifest holds the SHA-256 of every compiled source, so an edited
module never runs stale machine code; it falls back to the source instead.
``TRUSTMAIL_PURE_PYTHON=1`` turns the build off (to compare, or to debug).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

SOURCE_DIR = Path(__file__).resolve().parent
BUILD_DIR = SOURCE_DIR.parent / "build" / "native"
MANIFEST = "manifest.json"
PURE_PYTHON_ENV = "TRUSTMAIL_PURE_PYTHON"
# What crosses process boundaries is pickled (settings go to the scoring workers);
# mypyc's frozen classes do not unpickle, and these modules are not hot anyway.
NOT_COMPILED = frozenset({"__init__.py", "native.py", "settings.py", "validation.py",
                          "errors.py"})


def compiled_sources(source_dir: Path = SOURCE_DIR) -> list[Path]:
    """The modules the native build compiles."""
    return sorted(path for path in source_dir.glob("*.py") if path.name not in NOT_COMPILED)


def source_digests(sources: list[Path]) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sources}


def build_signature() -> str:
    """The interpreter a build is for: compiled modules only load into the same one."""
    return f"{sys.implementation.cache_tag}-{sys.platform}"


def fresh_build(build_dir: Path = BUILD_DIR, source_dir: Path = SOURCE_DIR) -> bool:
    """True when ``build_dir`` holds a build of exactly these sources for this Python."""
    try:
        manifest = json.loads((build_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (isinstance(manifest, dict)
            and manifest.get("signature") == build_signature()
            and manifest.get("sources") == source_digests(compiled_sources(source_dir)))


def activate(package_path: list[str], build_dir: Path = BUILD_DIR) -> bool:
    """Put a fresh build's modules before the sources on the package's search path (and
    its shared runtime library on ``sys.path``); returns whether it did."""
    if os.environ.get(PURE_PYTHON_ENV) == "1" or not fresh_build(build_dir):
        return False
    package_path.insert(0, str(build_dir / "scoring"))
    if str(build_dir) not in sys.path:
        sys.path.append(str(build_dir))
    return True


def describe() -> str:
    """Which build this process scores with (benchmarks print it)."""
    engine = sys.modules.get("scoring.engine")
    compiled = engine is not None and not str(getattr(engine, "__file__", "")).endswith(".py")
    return "compiled with mypyc" if compiled else "pure Python"
