"""trustmail's pure scoring core: bytes or text in, Report out.

No I/O, no clock, no globals: "now" is an argument and settings come in typed.
(Importing it looks for a fresh mypyc build of these modules: see scoring/native.py.)
"""

from scoring import native

native.activate(__path__)

from scoring.engine import Scorer  # noqa: E402  (after the build is chosen)
from scoring.report import Report  # noqa: E402

__all__ = ["Report", "Scorer"]
