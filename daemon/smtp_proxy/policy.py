"""The send policy of ``[smtp] policy``: observe, warn or hold.

- observe: every message is relayed; scores are only recorded.
- warn: the first send of a message whose verdict is not "pass" is refused with a
  summary; the identical message sent again within ``warn_resend_minutes`` passes.
- hold: a message whose verdict is "hold" is refused; with ``hold_override`` the
  identical resend within the same window passes (an admin-allowed override).

A message whose scoring failed or timed out is relayed (fail open, as milters do by
default), or under warn and hold with ``score_failure = "tempfail"`` refused with a 451 so
that the client sends it again later.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from scoring.report import Report

POLICY_OBSERVE = "observe"
POLICY_WARN = "warn"
POLICY_HOLD = "hold"

SCORE_FAILURE_ACCEPT = "accept"
SCORE_FAILURE_TEMPFAIL = "tempfail"

VERDICT_PASS = "pass"
VERDICT_WARN = "warn"
VERDICT_HOLD = "hold"


@dataclass(frozen=True)
class Decision:
    """Whether to relay, and why (the reason is logged)."""

    relay: bool
    reason: str       # observe | pass | resend | fail-open | tempfail | refused-warn | refused-hold
    resend_allowed: bool = False   # a refusal that the identical resend will pass


def fingerprint(mail_from: str, rcpt_tos: Sequence[str], subject: str, body: str) -> str:
    """What makes two sends "the identical message": sender, recipients, subject, text.

    Date and Message-ID are left out on purpose: clients regenerate them on resend.
    """
    digest = hashlib.sha256()
    for part in (mail_from.lower(), ",".join(sorted(r.lower() for r in rcpt_tos)),
                 subject, body):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


class ResendMemory:
    """Fingerprints of refused messages, forgotten after a window (in memory only)."""

    def __init__(self, window_seconds: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.window_seconds = window_seconds
        self._clock = clock
        self._refused: dict[str, float] = {}

    def remember(self, key: str) -> None:
        self._expire()
        self._refused[key] = self._clock()

    def take(self, key: str) -> bool:
        """True (and forget it) if this fingerprint was refused within the window."""
        self._expire()
        return self._refused.pop(key, None) is not None

    def __len__(self) -> int:
        return len(self._refused)

    def _expire(self) -> None:
        oldest = self._clock() - self.window_seconds
        for key in [k for k, at in self._refused.items() if at < oldest]:
            del self._refused[key]


def decide(policy: str, report: Report | None, key: str, memory: ResendMemory,
           hold_override: bool = False, score_failure: str = SCORE_FAILURE_ACCEPT) -> Decision:
    """Apply the policy to a scoring report (None: scoring failed or timed out)."""
    if policy == POLICY_OBSERVE:
        return Decision(True, "observe")
    if report is None or report.error:
        if score_failure == SCORE_FAILURE_TEMPFAIL:
            return Decision(False, "tempfail")
        return Decision(True, "fail-open")
    verdict = report.verdict
    if policy == POLICY_WARN:
        refusable, reason = verdict in (VERDICT_WARN, VERDICT_HOLD), "refused-warn"
        resend_allowed = True
    else:
        refusable, reason = verdict == VERDICT_HOLD, "refused-hold"
        resend_allowed = hold_override
    if not refusable:
        return Decision(True, "pass")
    if resend_allowed and memory.take(key):
        return Decision(True, "resend")
    if resend_allowed:
        memory.remember(key)
    return Decision(False, reason, resend_allowed)
