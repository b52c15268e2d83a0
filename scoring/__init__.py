"""trustmail's pure scoring core: bytes or text in, Report out.

No I/O, no clock, no globals: "now" is an argument and settings come in typed. Importing
it does no work either: ``Scorer`` and ``Report`` load on first use, so that an
application can choose the build first (the mypyc build of a checkout, see
scoring/native.py; a wheel carries its compiled modules in place).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scoring.engine import Scorer
    from scoring.report import Report

__all__ = ["Report", "Scorer"]


def __getattr__(name: str) -> Any:
    if name == "Scorer":
        from scoring.engine import Scorer

        return Scorer
    if name == "Report":
        from scoring.report import Report

        return Report
    raise AttributeError(f"module 'scoring' has no attribute {name!r}")
