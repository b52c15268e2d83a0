"""The short human summary sent with a policy refusal (550 5.7.0).

Mail clients show the server's reply text to the user, so it says the score, the
top findings with their suggestions, and what to do next, in plain ASCII lines.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from scoring.findings import Finding
from scoring.report import Report

REFUSAL_CODE = "550"
REFUSAL_STATUS = "5.7.0"
TOP_FINDINGS = 3
MAX_LINE_CHARS = 300          # RFC 5321 allows 512 octets per reply line
TRANSLITERATIONS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe",
                                  "Ü": "Ue", "ß": "ss", "„": '"', "“": '"', "”": '"',
                                  "‘": "'", "’": "'", "–": "-", "—": "-", "…": "..."})


def ascii_line(text: str, limit: int = MAX_LINE_CHARS) -> str:
    """Text as one printable ASCII line (umlauts spelled out, accents dropped)."""
    text = " ".join(text.translate(TRANSLITERATIONS).split())
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if 32 <= ord(c) < 127)
    return plain if len(plain) <= limit else plain[: limit - 3] + "..."


@dataclass
class RuleGroup:
    """One rule's findings in a report: its message, suggestion, matches, penalty."""

    message: str
    suggestion: str
    matches: list[str] = field(default_factory=list)
    penalty: float = 0.0


def top_rules(findings: Sequence[Finding], count: int = TOP_FINDINGS) -> list[RuleGroup]:
    """Findings grouped by rule, heaviest first: one entry per rule with all its matches."""
    groups: dict[str, RuleGroup] = {}
    for finding in findings:
        group = groups.setdefault(finding.rule, RuleGroup(finding.message, finding.suggestion))
        if finding.match and finding.match not in group.matches:
            group.matches.append(finding.match)
        group.penalty += finding.penalty
    return sorted(groups.values(), key=lambda g: -g.penalty)[:count]


def summary_lines(report: Report, resend_minutes: int | None) -> list[str]:
    """The text lines of the refusal, without reply codes."""
    lines = [f"trustmail: this email scored {report.score}/100 "
             f"({report.verdict}) and was not sent."]
    for number, group in enumerate(top_rules(report.findings), start=1):
        quoted = ", ".join(f'"{m}"' for m in group.matches)
        text = f"{number}. {quoted}: {group.message}" if quoted else \
            f"{number}. {group.message}"
        if group.suggestion:
            text += f" Try: {group.suggestion}"
        lines.append(text)
    if resend_minutes is not None:
        lines.append(f"To send it anyway, send the same message again within "
                     f"{resend_minutes} minutes.")
    else:
        lines.append("Your organisation's policy holds emails with this score; "
                     "please revise it and send again.")
    return [ascii_line(line) for line in lines]


def refusal_reply(report: Report, resend_minutes: int | None) -> bytes:
    """The complete multi-line 550 reply."""
    lines = summary_lines(report, resend_minutes)
    wire = [f"{REFUSAL_CODE}-{REFUSAL_STATUS} {line}" for line in lines[:-1]]
    wire.append(f"{REFUSAL_CODE} {REFUSAL_STATUS} {lines[-1]}")
    return "\r\n".join(wire).encode("ascii")
