"""trustmail's pure scoring core: bytes or text in, Report out.

No I/O, no clock, no globals: "now" is an argument and settings come in typed.
"""

from scoring.engine import Scorer
from scoring.report import Report

__all__ = ["Report", "Scorer"]
