"""Waiting for real servers and clients: poll a condition until it holds or time runs out."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
POLL_SECONDS = 0.1


def wait_for(check: Callable[[], T], what: str, timeout: float) -> T:
    """Poll ``check`` until it returns something truthy; fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(POLL_SECONDS)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
