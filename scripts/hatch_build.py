"""Hatchling build hook: the wheel carries the scoring core compiled with mypyc.

``python -m build --wheel`` (or ``pip wheel .``, ``pip install .``) compiles the hot
modules of ``scoring/`` as scripts/build_native.py does, and puts each compiled module
beside its source in the wheel (Python's import prefers it), with mypyc's shared
runtime library at the top, as black and mypy ship themselves; the wheel is then
tagged for this Python and platform. An editable install (the checkout's venv) gets
no compiled modules: a checkout uses build/native/ (see scoring/native.py).

Without a C compiler the build fails and says so; ``TRUSTMAIL_PURE_PYTHON=1`` builds a
pure-Python wheel instead (for any platform, a quarter slower per email).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class MypycBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        if os.environ.get("TRUSTMAIL_PURE_PYTHON") == "1":
            self.app.display_info("trustmail: TRUSTMAIL_PURE_PYTHON=1, a pure-Python wheel")
            return
        sys.path.insert(0, str(Path(self.root) / "scripts"))
        sys.path.insert(0, self.root)
        import build_native  # noqa: E402  (scripts/, beside this file)

        self._work = tempfile.TemporaryDirectory(prefix="trustmail-wheel-")
        out = Path(self._work.name) / "native"
        self.app.display_info("trustmail: compiling the scoring core with mypyc "
                              "(about a minute)")
        build_native.build(out)
        compiled = sorted((out / "scoring").glob("*.so")) + sorted((out / "scoring").glob("*.pyd"))
        if not compiled:
            raise RuntimeError("mypyc built no modules; see its output above")
        for module in compiled:
            build_data["force_include"][str(module)] = f"scoring/{module.name}"
        for library in sorted(out.glob("*__mypyc*")):       # the shared runtime
            build_data["force_include"][str(library)] = library.name
        build_data["pure_python"] = False
        build_data["infer_tag"] = True

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        work = getattr(self, "_work", None)
        if work is not None:
            work.cleanup()
