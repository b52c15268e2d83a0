"""Message metadata for the store, read leniently from any header block."""

from __future__ import annotations

from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from email.policy import compat32

from daemon.mail.bounded import MAX_ENCODED_WORDS
from daemon.mail.headers import (
    addresses_of,
    bounded_header_message,
    header_text,
    header_values,
    message_ids,
)
from daemon.smtp_proxy.record import build_record


def test_record_takes_ids_addresses_subject_and_date() -> None:
    raw = (b"From: Alice <alice@example.com>\r\nTo: Maria <maria@customer.example>, "
           b"bob@customer.example\r\nCc: carl@example.com\r\n"
           b"Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\nDate: Wed, 25 Nov 2026 10:00:00 +0100\r\n"
           b"Message-ID: <m2@example.com>\r\nIn-Reply-To: <m1@customer.example>\r\n"
           b"References: <m0@customer.example>\r\n <m1@customer.example>\r\n\r\nBody\r\n")
    record = build_record(raw, "alice@example.com", ["maria@customer.example"])
    assert record.source == "smtp" and record.direction == "out"
    assert record.message_id == "<m2@example.com>"
    assert record.in_reply_to == "<m1@customer.example>"
    assert list(record.references) == ["<m0@customer.example>", "<m1@customer.example>"]
    assert record.from_addr == "alice@example.com"
    assert list(record.to_addrs) == ["maria@customer.example", "bob@customer.example"]
    assert list(record.cc_addrs) == ["carl@example.com"]
    assert record.subject == "Grüße"
    assert record.date == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    assert record.body is None


def test_raw_8bit_and_broken_headers_never_raise() -> None:
    raw = (b"From: J\xfcrgen <j@example.com>\r\nSubject: Gr\xc3\xbc\xc3\x9fe \xff\r\n"
           b"Date: not a date\r\nMessage-ID: no brackets\r\n\r\n\xff\xfe")
    record = build_record(raw, "j@example.com", ["x@customer.example"])
    assert record.subject == "Grüße \ufffd"
    assert record.date is None and record.message_id == ""
    assert record.from_addr == "j@example.com"
    assert list(record.to_addrs) == ["x@customer.example"]   # no To: the envelope


def test_message_ids_splits_references() -> None:
    assert message_ids("<a@x> <b@y>\r\n\t<c@z>") == ["<a@x>", "<b@y>", "<c@z>"]
    assert message_ids("garbage") == []


# -- hostile headers (issue 13): recording never fails after relaying ------------------

def test_deeply_nested_comments_in_from_and_to_fall_back_to_the_envelope() -> None:
    nested = b"(" * 50_000
    raw = (b"From: " + nested + b"\r\nTo: " + nested + b"x@customer.example\r\n"
           b"Cc: " + b"(" * 900 + b"\r\nSubject: hi\r\n\r\nBody\r\n")
    record = build_record(raw, "alice@example.com", ["maria@customer.example"])
    assert record.from_addr == "alice@example.com"
    assert list(record.to_addrs) == ["maria@customer.example"]
    assert list(record.cc_addrs) == [] and record.subject == "hi"


def test_nested_comments_in_parsed_headers_are_unparseable() -> None:
    headers = BytesHeaderParser(policy=compat32).parsebytes(
        b"To: " + b"(" * 5000 + b"\r\nTo: b@example.com\r\n\r\n")
    assert addresses_of(header_values(headers)["to"]) == ["b@example.com"]


def test_a_subject_of_20000_encoded_words_is_decoded_up_to_the_cap() -> None:
    raw = (b"From: a@example.com\r\nSubject: "
           + b" ".join([b"=?utf-8?b?SGFsbG8=?="] * 20_000) + b"\r\n\r\nBody\r\n")
    record = build_record(raw, "a@example.com", ["b@customer.example"])
    assert record.subject == "Hallo" * MAX_ENCODED_WORDS
    assert header_text(bounded_header_message(raw), "Subject") == record.subject


def test_a_100kb_content_type_and_references_are_bounded() -> None:
    raw = (b"From: a@example.com\r\nContent-Type: text/plain" + b"; a=b" * 20_000
           + b"\r\nReferences: " + b"<r@x> " * 20_000 + b"\r\nMessage-ID: <m@example.com>"
           b"\r\n\r\nBody\r\n")
    record = build_record(raw, "a@example.com", ["b@customer.example"])
    assert record.message_id == "<m@example.com>"
    assert 0 < len(record.references) < 16 * 1024 // 5


def test_a_bcc_recipient_of_the_envelope_is_not_recorded() -> None:
    # the envelope fills in a missing To, but a header To leaves the Bcc'd address out
    raw = (b"From: alice@example.com\r\nTo: maria@customer.example\r\n"
           b"Subject: Offer\r\n\r\nBody\r\n")
    record = build_record(raw, "alice@example.com",
                          ["maria@customer.example", "boss@example.com"])
    assert list(record.to_addrs) == ["maria@customer.example"]
    assert "boss@example.com" not in repr(record)
