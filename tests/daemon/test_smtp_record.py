"""Message metadata for the store, read leniently from any header block."""

from __future__ import annotations

from datetime import UTC, datetime

from daemon.smtp_proxy.record import build_record, message_ids


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
