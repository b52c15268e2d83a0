"""Choose the build of the scoring core: compiled with mypyc, or its pure Python sources.

The scoring core is plain, strictly typed Python; its hot modules also exist compiled
with mypyc (as black and mypy ship themselves): about a quarter less time per email,
and the same reports (the test suite runs against the build it finds). Two places:

- an installed wheel carries the compiled modules beside the sources (the build hook,
  scripts/hatch_build.py); Python's import prefers them, nothing to do;
- a checkout has them in ``build/native/`` (``scripts/build_native.py``, run by the
  bootstrap), used only if that build was made from exactly the sources in this
  directory by this Python: its manifest holds the SHA-256 of every compiled source, so
  an edited module never runs stale machine code; it falls back to the source instead.

``import scoring`` does none of this (no I/O at import): the application calls
:func:`activate` once, before anything imports a compiled module (``daemon`` does, in
its ``__init__``, so the CLI, the servers and every worker process choose alike).
``TRUSTMAIL_PURE_PYTHON=1`` turns either build off (to compare, or to debug).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Sequence
from importlib.machinery import SOURCE_SUFFIXES, FileFinder, ModuleSpec, SourceFileLoader
from pathlib import Path
from types import ModuleType

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


def activate(package_path: list[str] | None = None, build_dir: Path = BUILD_DIR) -> bool:
    """Choose the build before the first compiled module loads; returns whether the
    checkout's build is on the search path. Put a fresh build's modules before the
    sources on the package's search path (and its shared runtime library on
    ``sys.path``); with ``TRUSTMAIL_PURE_PYTHON=1`` load the sources even where compiled
    modules sit beside them. Idempotent."""
    path: list[str] = list(sys.modules["scoring"].__path__) if package_path is None \
        else package_path
    if os.environ.get(PURE_PYTHON_ENV) == "1":
        if package_path is None and not any(isinstance(f, SourcesFirst) for f in sys.meta_path):
            sys.meta_path.insert(0, SourcesFirst(str(SOURCE_DIR)))
        return False
    compiled_dir = str(build_dir / "scoring")
    if compiled_dir in path:
        return True
    if package_path is None and loaded_from_source():
        return False     # too late: compiled and pure modules of the core must not mix
    if not fresh_build(build_dir):
        return False
    path.insert(0, compiled_dir)
    if package_path is None:
        sys.modules["scoring"].__path__[:] = path
    if str(build_dir) not in sys.path:
        sys.path.append(str(build_dir))
    return True


def loaded_from_source() -> bool:
    """Has a module the build compiles already been imported from its source?"""
    return any(name.startswith("scoring.") and f"{name[8:]}.py" not in NOT_COMPILED
               for name in sys.modules)


class SourcesFirst:
    """A finder (on ``sys.meta_path``) of ``scoring.*`` as the ``.py`` files of
    ``source_dir``, never a compiled module beside them (an installed wheel has both)."""

    def __init__(self, source_dir: str) -> None:
        self.finder = FileFinder(source_dir, (SourceFileLoader, SOURCE_SUFFIXES))

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        package, _, _ = fullname.rpartition(".")
        return self.finder.find_spec(fullname) if package == "scoring" else None


def describe() -> str:
    """Which build this process scores with (benchmarks print it)."""
    return "compiled with mypyc" if compiled_engine() else "pure Python"


def compiled_engine() -> str:
    """The file of the compiled scoring engine this process loaded, or "" (pure Python,
    or not loaded yet)."""
    engine = sys.modules.get("scoring.engine")
    location = str(getattr(engine, "__file__", "") or "")
    return location if engine is not None and not location.endswith(".py") else ""
