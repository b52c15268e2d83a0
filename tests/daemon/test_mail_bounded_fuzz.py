"""Mutated example emails through the bounded pre-parse and the header readers (issue 13).

Every mutation of a real message (hostile headers spliced in, duplicated, truncated)
must come out within the caps, stay within them when bounded again, and never make
the stdlib or the record builders raise.
"""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.mail_mutations import SPLICES

from daemon.mail import bounded as bounded_mail
from daemon.mail.bounded import ENCODED_WORD, bound_message
from daemon.mail.headers import parse_headers
from daemon.smtp_proxy.record import build_record

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EXAMPLES = [path.read_bytes() for path in sorted(FIXTURES.rglob("*.eml"))]
# the header splices of the shared mutator (tests/support/mail_mutations.py), and the
# part types and the long field only the pre-parse cares about
HEADER_SPLICES = 8
HOSTILE_FIELDS = [
    *SPLICES[:HEADER_SPLICES],
    b"Content-Type: message/delivery-status",
    b"Content-Type: multipart/digest; boundary=(c)B",
    b"X-Long: " + b"v" * 300_000,
]
MANY_FIELDS = [b"X-A: b"] * (bounded_mail.MAX_FIELDS + 100)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    raw = draw(st.sampled_from(EXAMPLES))
    lines = raw.split(b"\n")
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(lines)))
        if draw(st.integers(0, 9)) == 0:
            lines[at:at] = MANY_FIELDS
            continue
        piece = draw(st.sampled_from(HOSTILE_FIELDS)) + draw(st.sampled_from([b"\r", b""]))
        lines[at:at] = [piece] * draw(st.sampled_from([1, 2]))
    if draw(st.booleans()):
        lines = lines[:draw(st.integers(0, len(lines)))]
    return b"\n".join(lines)


def assert_within_caps(bounded: bounded_mail.BoundedMail) -> None:
    assert len(bounded.fields) <= bounded_mail.MAX_FIELDS
    for field in bounded.fields:
        assert len(field.raw) <= bounded_mail.MAX_FIELD_BYTES + 2
        assert len(ENCODED_WORD.findall(field.raw)) <= bounded_mail.MAX_ENCODED_WORDS


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_mail_is_bounded_and_never_breaks_the_readers(raw: bytes) -> None:
    bounded = bound_message(raw)
    assert_within_caps(bounded)
    again = bound_message(bounded.raw)
    assert_within_caps(again)
    assert again.raw == bounded.raw or len(again.raw) <= len(bounded.raw)
    message = BytesParser(policy=policy.default).parsebytes(bounded.raw)
    for part in message.walk():          # what the scoring core reads
        for name in ("Subject", "From", "To", "Message-ID", "Content-Type"):
            try:
                str(part.get(name, ""))
            except (ValueError, TypeError, IndexError):
                pass    # the scoring core treats these as absent; RecursionError is not here
        part.get_content_type()
    parse_headers(raw, source="imap", direction="in")
    build_record(raw, "a@example.com", ["b@customer.example"])
