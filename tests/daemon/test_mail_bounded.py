"""The bounded pre-parse: hostile header blocks are cut to the caps, normal mail passes
byte for byte (issue 13's reproducers)."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from email.policy import compat32
from pathlib import Path

import pytest

from daemon.mail import bounded as bounded_mail
from daemon.mail.bounded import bound_header_value, bound_message

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# Issue 13: 100 KB of MIME parameters (quadratic in the stdlib's header parser) ...
HOSTILE_CONTENT_TYPE = (b"From: a@customer.example\r\nContent-Type: text/plain"
                        + b"; a=b" * 20_000 + b"\r\n\r\nhello\r\n")
# ... and 20,000 adjacent encoded words (gigabytes of memory in the stdlib).
HOSTILE_SUBJECT = (b"From: a@customer.example\r\nSubject: "
                   + b" ".join([b"=?utf-8?b?SGFsbG8=?="] * 20_000) + b"\r\n\r\nhello\r\n")


def parse(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


@pytest.mark.parametrize("path", sorted(FIXTURES.rglob("*.eml")), ids=lambda p: p.name)
def test_normal_mail_passes_byte_for_byte(path: Path) -> None:
    raw = path.read_bytes()
    bounded = bound_message(raw)
    assert bounded.raw == raw and not bounded.notes


def test_a_100kb_content_type_is_cut_to_its_first_parameters() -> None:
    bounded = bound_message(HOSTILE_CONTENT_TYPE)
    content_type = bounded.get("Content-Type") or ""
    assert content_type.count(";") == bounded_mail.MAX_PARAMETERS
    message = parse(bounded.raw)
    assert message.get_content_type() == "text/plain"
    assert message.get_content().strip() == "hello"
    assert any("content-type" in note for note in bounded.notes)


def test_a_subject_of_20000_encoded_words_keeps_the_first_200() -> None:
    bounded = bound_message(HOSTILE_SUBJECT)
    subject = bounded.get("Subject") or ""
    assert subject.count("?=") == bounded_mail.MAX_ENCODED_WORDS
    assert str(parse(bounded.raw)["subject"]).startswith("HalloHallo")
    assert parse(bounded.raw).get_content().strip() == "hello"


def test_fields_beyond_the_count_cap_are_dropped_and_the_body_kept() -> None:
    raw = b"".join(b"X-N%d: v\r\n" % n for n in range(5000)) + b"\r\nthe body\r\n"
    bounded = bound_message(raw)
    assert len(bounded.fields) == bounded_mail.MAX_FIELDS
    assert bounded.raw.endswith(b"\r\n\r\nthe body\r\n")
    assert parse(bounded.raw).get_content().strip() == "the body"


def test_the_header_block_is_capped_in_bytes() -> None:
    raw = b"".join(b"X-N%d: %s\r\n" % (n, b"v" * 8000) for n in range(100)) + b"\r\nbody\r\n"
    bounded = bound_message(raw)
    assert len(bounded.header_bytes) <= bounded_mail.MAX_HEADER_BYTES + bounded_mail.MAX_FIELD_BYTES
    assert bounded.raw.endswith(b"\r\nbody\r\n")


def test_a_long_field_is_truncated_and_still_ends_its_line() -> None:
    raw = b"Subject: " + b"x" * 100_000 + b"\r\nTo: b@example.com\r\n\r\nbody\r\n"
    bounded = bound_message(raw)
    assert len(bounded.fields[0].raw) <= bounded_mail.MAX_FIELD_BYTES + 2
    assert bounded.get("To") == "b@example.com"


def test_an_address_field_keeps_its_first_addresses() -> None:
    to = b", ".join(b'"Doe, J" <j%d@example.com>' % n for n in range(1000))
    bounded = bound_message(b"To: " + to + b"\r\n\r\nbody\r\n")
    addresses = parse(bounded.raw)["to"].addresses
    assert len(addresses) == bounded_mail.MAX_ADDRESSES
    assert addresses[0].display_name == "Doe, J"   # the comma in quotes is not a separator


def test_deeply_nested_comments_drop_the_field() -> None:
    raw = b"From: " + b"(" * 50_000 + b"\r\nSubject: hi\r\n\r\nbody\r\n"
    bounded = bound_message(raw)
    assert bounded.get("From") is None and bounded.get("Subject") == "hi"
    assert parse(bounded.raw)["from"] is None


def test_parentheses_in_a_subject_are_text() -> None:
    raw = b"Subject: " + b"(" * 50 + b"\r\n\r\nbody\r\n"
    assert bound_message(raw).raw == raw


def test_a_hostile_header_inside_a_mime_part_is_bounded() -> None:
    part = b"Content-Type: text/plain" + b"; a=b" * 20_000
    raw = (b'Content-Type: multipart/alternative; boundary="XX"\r\n\r\npreamble\r\n'
           b"--XX\r\n" + part + b"\r\n\r\nplain text\r\n"
           b"--XX\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n--XX--\r\nepilogue\r\n")
    bounded = bound_message(raw)
    assert len(bounded.raw) < 2000
    assert bounded.raw.endswith(b"--XX\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n"
                                b"--XX--\r\nepilogue\r\n")
    message = parse(bounded.raw)
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and body.get_content().strip() == "plain text"


def test_an_attached_message_has_its_headers_bounded() -> None:
    raw = (b"Content-Type: message/rfc822\r\n\r\n" + HOSTILE_SUBJECT)
    bounded = bound_message(raw)
    assert len(bounded.raw) < 5000 and bounded.raw.endswith(b"\r\n\r\nhello\r\n")


def test_lone_cr_line_ends_are_line_ends() -> None:
    raw = b"Subject: hi\rContent-Type: text/plain" + b"; a=b" * 20_000 + b"\r\rbody\r"
    bounded = bound_message(raw)
    assert [f.name for f in bounded.fields] == ["Subject", "Content-Type"]
    assert bounded.raw.endswith(b"\r\rbody\r")


def test_a_header_value_given_as_text_is_bounded() -> None:
    assert bound_header_value("Subject", "Hello") == "Hello"
    long_type = bound_header_value("Content-Type", "text/plain" + "; a=b" * 20_000)
    assert long_type is not None and long_type.count(";") == bounded_mail.MAX_PARAMETERS
    assert bound_header_value("To", "(" * 100) is None


def test_a_field_longer_than_the_header_block_cap_ends_the_block() -> None:
    raw = (b"Message-ID: <m@example.com>\r\nReferences: " + b"<r@x> " * 100_000
           + b"\r\nTo: lost@example.com\r\n\r\nbody\r\n")
    bounded = bound_message(raw)
    assert [f.name for f in bounded.fields] == ["Message-ID", "References"]
    assert bounded.raw.endswith(b"\r\n\r\nbody\r\n") and len(bounded.raw) < 20_000
    assert parse(bounded.raw).get_content().strip() == "body"


def test_a_megabyte_header_block_without_an_end_has_no_body() -> None:
    bounded = bound_message(b"X-A: b\r\n" * 200_000)
    assert len(bounded.fields) == bounded_mail.MAX_FIELDS and bounded.raw.endswith(b"b\r\n")


def test_parts_beyond_the_budget_are_dropped() -> None:
    part = b"--B\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
    raw = (b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
           + part * (bounded_mail.MAX_PARTS + 500) + b"--B--\r\n")
    bounded = bound_message(raw)
    assert bounded.raw.count(b"\r\n--B\r\n") == bounded_mail.MAX_PARTS
    assert bounded.raw.endswith(b"--B--\r\n") and bounded_mail.PARTS_NOTE in bounded.notes
    assert len(list(parse(bounded.raw).iter_parts())) == bounded_mail.MAX_PARTS


def test_a_text_body_beyond_the_body_budget_is_cut_at_a_line_end() -> None:
    line = b"We will send the contract by Friday.\r\n"
    raw = b"From: a@customer.example\r\n\r\n" + line * (bounded_mail.MAX_BODY_BYTES // 10)
    bounded = bound_message(raw)
    body = bounded.raw.split(b"\r\n\r\n", 1)[1]
    assert len(body) <= bounded_mail.MAX_BODY_BYTES and body.endswith(line)
    assert raw.startswith(bounded.raw) and bounded_mail.BODY_NOTE in bounded.notes


def test_the_body_budget_is_shared_by_the_parts_in_order() -> None:
    """The text first keeps all of it; a huge attachment after it is cut, and the
    multipart still closes (the scoring core reads the text part as before)."""
    attachment = b"QUJD" * 19 + b"\r\n"
    raw = (b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
           b"--B\r\nContent-Type: text/plain\r\n\r\nThe contract is attached.\r\n"
           b"--B\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64"
           b"\r\n\r\n" + attachment * (bounded_mail.MAX_BODY_BYTES // 40) + b"--B--\r\n")
    bounded = bound_message(raw)
    assert len(bounded.raw) < bounded_mail.MAX_BODY_BYTES + 1000
    text, pdf = parse(bounded.raw).iter_parts()
    assert text.get_content() == "The contract is attached."
    assert bounded.raw.endswith(b"--B--\r\n") and pdf.get_content_type() == "application/pdf"


def test_header_only_bounding_does_not_look_for_the_body() -> None:
    raw = b"X-A: b\r\n" * 5000 + b"\r\nbody"
    headers = bounded_mail.bound_headers(raw)
    assert len(headers.fields) == bounded_mail.MAX_FIELDS
    assert headers.header_bytes.endswith(b"X-A: b\r\n\r\n")


def test_a_boundary_the_stdlib_reads_through_a_comment_is_found() -> None:
    raw = (b"Content-Type: multipart/mixed; boundary=(a comment)\"XX\"\r\n\r\n--XX\r\n"
           + HOSTILE_SUBJECT + b"--XX--\r\n")
    assert len(bound_message(raw).raw) < 5000


def test_digest_parts_are_messages_by_default() -> None:
    raw = (b"Content-Type: multipart/digest; boundary=XX\r\n\r\n--XX\r\n\r\n"
           + HOSTILE_SUBJECT + b"--XX--\r\n")
    bounded = bound_message(raw)
    assert len(bounded.raw) < 5000
    inner = list(parse(bounded.raw).iter_parts())[0]
    assert inner.get_content_type() == "message/rfc822"


def test_delivery_status_header_blocks_are_bounded_each() -> None:
    block = b"Reporting-MTA: dns; mx.example\r\nX-Long: " + b"v" * 100_000 + b"\r\n\r\n"
    raw = (b"Content-Type: message/delivery-status\r\n\r\n" + block * 3
           + b"no header here\r\nstill none\r\n\r\n" + block)
    bounded = bound_message(raw)
    assert len(bounded.raw) < 4 * (bounded_mail.MAX_FIELD_BYTES + 100) + 100
    assert b"no header here\r\nstill none\r\n\r\n" in bounded.raw
    assert bounded.raw.count(b"Reporting-MTA") == 4


def test_nesting_deeper_than_the_cap_is_dropped() -> None:
    raw = HOSTILE_SUBJECT
    for _ in range(bounded_mail.MAX_MIME_DEPTH + 5):
        raw = b"Content-Type: message/rfc822\r\n\r\n" + raw
    bounded = bound_message(raw)
    assert len(bounded.raw) < 1000 and b"Hallo" not in bounded.raw


@pytest.mark.parametrize("raw", [
    *[path.read_bytes() for path in sorted(FIXTURES.rglob("*.eml"))],
    b"From a@b Mon Jan 1\r\nSubject: x\r\n  cont\r\n: noname\r\n c2\r\nTo: y\r\n\r\nbody",
    b" lead\r\nSubject: a\r\n\tb\r\nX: \xff\xfe\r\n\r\n",
    b"Subject: a\rTo: b\r\rbody",
    b"Subject:\r\n x\r\n\r\n",
], ids=lambda raw: str(raw[:12]))
def test_header_message_holds_what_the_stdlib_header_parser_reads(raw: bytes) -> None:
    parsed = BytesHeaderParser(policy=compat32).parsebytes(raw)
    built = bounded_mail.header_message(bounded_mail.bound_headers(raw))
    assert list(built.raw_items()) == list(parsed.raw_items())
