"""Header parsing into store records: addresses, dates, threading ids, automated mail."""

from __future__ import annotations

from datetime import UTC, datetime
from email.parser import BytesHeaderParser

import pytest

from daemon.mail.bounded import MAX_ENCODED_WORDS
from daemon.mail.headers import address_of, is_automated, parse_header_message, parse_headers

PLAIN = (b"From: Carla Customer <Carla@Customer.Example>\r\n"
         b"To: alice@example.com, Bob <bob@example.com>\r\n"
         b"Cc: =?utf-8?q?J=C3=BCrgen?= <juergen@customer.example>\r\n"
         b"Subject: =?utf-8?q?R=C3=BCckfrage?= invoice\r\n"
         b"Date: Mon, 23 Nov 2026 10:00:00 +0100\r\n"
         b"Message-ID: <q1@customer.example>\r\n"
         b"In-Reply-To: <a0@example.com>\r\n"
         b"References: <root@customer.example> <a0@example.com>\r\n\r\nbody\r\n")


def test_a_customer_message_becomes_a_record() -> None:
    record = parse_headers(PLAIN, source="imap", direction="in")
    assert record.from_addr == "carla@customer.example"
    assert record.to_addrs == ["alice@example.com", "bob@example.com"]
    assert record.cc_addrs == ["juergen@customer.example"]
    assert record.subject == "Rückfrage invoice"
    assert record.date == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert record.message_id == "<q1@customer.example>"
    assert record.in_reply_to == "<a0@example.com>"
    assert record.references == ["<root@customer.example>", "<a0@example.com>"]
    assert not record.automated


def test_an_address_hidden_in_one_encoded_word_is_found() -> None:
    header = "=?utf-8?q?Jos=C3=A9_Borges_=3Cjose=40algardata=2Ept=3E?="
    assert address_of(header) == "jose@algardata.pt"


def test_broken_headers_give_empty_values_not_errors() -> None:
    record = parse_headers(b"From: nobody\r\nDate: yesterday-ish\r\n\r\n", source="mbox",
                           direction="in")
    assert (record.from_addr, record.date, record.message_id) == ("", None, "")


@pytest.mark.parametrize(("header", "automated"), [
    ("Auto-Submitted: auto-replied", True),
    ("Auto-Submitted: no", False),
    ("Precedence: bulk", True),
    ("Precedence: list", True),
    ("List-Id: <news.shop.example>", True),
    ("X-Mailer: Thunderbird", False),
])
def test_automated_mail_by_header(header: str, automated: bool) -> None:
    raw = f"From: carla@customer.example\r\n{header}\r\n\r\n".encode()
    assert parse_headers(raw, source="imap", direction="in").automated is automated


@pytest.mark.parametrize(("sender", "automated"), [
    ("noreply@shop.example", True), ("no-reply@shop.example", True),
    ("do-not-reply@bank.example", True), ("MAILER-DAEMON@mx.example", True),
    ("bounces+123@list.example", True), ("nora@shop.example", False),
])
def test_automated_mail_by_sender(sender: str, automated: bool) -> None:
    raw = f"From: {sender}\r\n\r\n".encode()
    record = parse_headers(raw, source="imap", direction="in")
    assert is_automated(BytesHeaderParser().parsebytes(raw), record.from_addr) is automated
    assert record.automated is automated


# -- hostile headers (issue 13) -------------------------------------------------------

def test_deeply_nested_comments_in_from_and_to_are_unparseable_not_errors() -> None:
    nested = "(" * 50_000
    raw = (f"From: {nested}\r\nTo: {nested}carla@customer.example\r\nCc: b@example.com\r\n"
           "Subject: hi\r\n\r\n").encode()
    record = parse_headers(raw, source="imap", direction="in")
    assert (record.from_addr, record.to_addrs) == ("", [])
    assert record.cc_addrs == ["b@example.com"] and record.subject == "hi"


def test_nested_comments_in_an_already_parsed_message_are_unparseable() -> None:
    message = BytesHeaderParser().parsebytes(
        b"From: " + b"(" * 5000 + b"a@b.example\r\nTo: " + b"(" * 5000 + b"\r\n\r\n")
    record = parse_header_message(message, source="mbox", direction="in")
    assert (record.from_addr, record.to_addrs) == ("", [])


def test_a_subject_of_20000_encoded_words_is_decoded_up_to_the_cap() -> None:
    raw = (b"From: a@customer.example\r\nSubject: "
           + b" ".join([b"=?utf-8?b?SGFsbG8=?="] * 20_000) + b"\r\n\r\n")
    subject = parse_headers(raw, source="imap", direction="in").subject
    assert subject == "Hallo" * MAX_ENCODED_WORDS


def test_a_100kb_content_type_does_not_stop_the_record() -> None:
    raw = (b"From: a@customer.example\r\nContent-Type: text/plain" + b"; a=b" * 20_000
           + b"\r\nMessage-ID: <m@customer.example>\r\n\r\nbody")
    assert parse_headers(raw, source="imap", direction="in").message_id == "<m@customer.example>"
