"""One header reader: the same message gives the same stored record whichever path it
took into the store: the SMTP proxy, the IMAP sync of the Sent folder, or the add-on's
``POST /v1/sent`` (issue 15).

The message is the kind that told the old readers apart: two ids in In-Reply-To (one
took the first, one the last), an address in upper case given twice, an encoded
subject and a Date with an offset.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from imap_helpers import account_for
from support.api_client import running_api
from support.dovecot import Dovecot, dovecot_fixture  # noqa: F401  (fixture "dovecot")
from support.smtp_proxy import running_proxy, send_message, wait_until
from support.smtp_upstream import SmtpUpstream

from daemon.api.models import SentMessage
from daemon.application.record_send import sent_record
from daemon.imap.connection import connect
from daemon.imap.header_sync import sync_folder
from daemon.mail.headers import parse_headers
from daemon.smtp_proxy.record import build_record
from daemon.store.database import MessageRecord, Store, open_store

RAW = (b"From: Alice Sender <Alice@Example.com>\r\n"
       b"To: Maria <MARIA@customer.example>, maria@customer.example\r\n"
       b"Cc: =?utf-8?q?J=C3=BCrgen?= <juergen@customer.example>\r\n"
       b"Subject: =?utf-8?q?Re=3A_R=C3=BCckfrage?=\r\n"
       b"Date: Wed, 25 Nov 2026 10:00:00 +0100\r\n"
       b"Message-ID: <a1@example.com>\r\n"
       b"In-Reply-To: <q2@customer.example> <q1@customer.example>\r\n"
       b"References: <q1@customer.example> <q2@customer.example>\r\n"
       b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
       b"Hello Maria,\r\n\r\nthe credit note is attached.\r\n\r\nAlice\r\n")
# What the add-on sends for that message (Thunderbird's API: decoded, ids without <>).
ADDON_FIELDS = {
    "message_id": "a1@example.com", "in_reply_to": "q2@customer.example",
    "references": ["q1@customer.example", "q2@customer.example"],
    "date": "2026-11-25T10:00:00+01:00", "from": "Alice Sender <Alice@Example.com>",
    "to": ["Maria <MARIA@customer.example>", "maria@customer.example"],
    "cc": ["Jürgen <juergen@customer.example>"], "subject": "Re: Rückfrage",
}
STORED = ("message_id", "in_reply_to", "refs", "date_utc", "from_addr", "to_addrs",
          "cc_addrs", "subject", "automated", "direction")


def same_fields(record: MessageRecord) -> tuple[object, ...]:
    return (record.message_id, record.in_reply_to, list(record.references), record.date,
            record.from_addr, list(record.to_addrs), list(record.cc_addrs), record.subject,
            record.automated, record.direction)


def stored(store: Store) -> list[tuple[object, ...]]:
    return [tuple(row[name] for name in STORED)
            for row in store.query("SELECT * FROM messages ORDER BY id")]


def test_the_three_readers_build_the_same_record() -> None:
    proxy = build_record(RAW, "alice@example.com", ["maria@customer.example"])
    imap = parse_headers(RAW, source="imap", direction="out")
    addon = sent_record(SentMessage.model_validate(ADDON_FIELDS))
    assert same_fields(proxy) == same_fields(imap) == same_fields(addon)
    assert proxy.in_reply_to == "<q2@customer.example>"      # the first id: the parent
    assert proxy.to_addrs == ["maria@customer.example"]      # once, lower case
    assert proxy.subject == "Re: Rückfrage"


@pytest.mark.parametrize("header", ["Auto-Submitted: auto-replied", "Precedence: bulk",
                                    "List-Id: <news.example.com>"])
def test_the_proxy_and_imap_read_automated_mail_alike(header: str) -> None:
    raw = RAW.replace(b"MIME-Version", header.encode() + b"\r\nMIME-Version")
    proxy = build_record(raw, "alice@example.com", ["maria@customer.example"])
    assert proxy.automated and parse_headers(raw, source="imap", direction="in").automated


def test_a_date_without_a_zone_is_utc_on_every_path() -> None:
    raw = RAW.replace(b"+0100", b"-0000")
    proxy = build_record(raw, "alice@example.com", ["maria@customer.example"])
    # the API refuses such a date; the reader still makes it UTC
    unzoned = SentMessage.model_validate(ADDON_FIELDS).model_copy(
        update={"date": "2026-11-25T10:00:00"})
    addon = sent_record(unzoned)
    assert proxy.date == parse_headers(raw, source="imap", direction="out").date == addon.date
    assert proxy.date is not None and proxy.date.utcoffset() is not None


@pytest.fixture
def smtp_upstream() -> Iterator[SmtpUpstream]:
    with SmtpUpstream.start() as upstream:
        yield upstream


@pytest.mark.real
async def test_one_message_through_proxy_imap_and_api_is_stored_alike(
        smtp_upstream: SmtpUpstream, dovecot: Dovecot, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # 1. relayed by the SMTP proxy (to a real aiosmtpd upstream)
    async with running_proxy(smtp_upstream, tmp_path / "smtp") as proxy:
        code, _ = await asyncio.to_thread(send_message, proxy.port, smtp_upstream, RAW)
        assert code == 250
        assert await wait_until(lambda: len(proxy.recorded()) == 1)
        through_proxy = stored(proxy.store)
    # 2. synced from the Sent folder of a real Dovecot
    dovecot.save("Sent", RAW)
    imap_store = open_store(str(tmp_path / "imap.sqlite3"))
    client = connect(account_for(dovecot, monkeypatch))
    try:
        assert sync_folder(client, imap_store, "work", "Sent", "out").fetched == 1
    finally:
        client.logout()
    through_imap = stored(imap_store)
    imap_store.close()
    # 3. reported by the add-on over the HTTP API
    async with running_api(tmp_path / "api") as api:
        reply = await api.call("POST", "/v1/sent", {"message": ADDON_FIELDS})
        assert reply.status == 200
        through_api = stored(api.store)
    assert through_proxy == through_imap == through_api
    [row] = through_api
    assert row[:2] == ("<a1@example.com>", "<q2@customer.example>")
