"""Hostile drafts and Sent mail are bounded before the scorer sees them (issue 13).

A fake IMAP client and scorer, a real store: the watcher's own code is what is tested.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from imap_helpers import HOSTILE, FakeClient
from support.reports import a_report

from daemon.config.sections import AccountSettings
from daemon.imap.drafts import score_new_drafts
from daemon.imap.sent_promises import score_sent
from daemon.mail.bounded import MAX_ENCODED_WORDS
from daemon.mail.headers import parse_headers
from daemon.store.database import Store, open_store
from scoring.report import Report


class FakeScorer:
    def __init__(self) -> None:
        self.seen: list[bytes] = []

    def score_message(self, raw: bytes, now: datetime | None = None) -> Report:
        self.seen.append(raw)
        return a_report(body="Hello there.")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(str(tmp_path / "store.sqlite3"))
    yield opened
    opened.close()


def stored(store: Store) -> list[dict[str, Any]]:
    return [dict(row) for row in store.query("SELECT from_addr, subject FROM messages")]


def test_a_hostile_draft_is_bounded_before_scoring(store: Store) -> None:
    scorer = FakeScorer()
    account = AccountSettings(name="work", host="h", port=993, tls="implicit", username="u")
    client: Any = FakeClient(HOSTILE)
    assert score_new_drafts(client, store, account, "Drafts", scorer) == [1]
    assert client.flagged == []         # a passing draft gets no keyword
    assert len(scorer.seen[0]) < 5000 and scorer.seen[0].endswith(b"\r\n\r\nHello there.\r\n")
    assert stored(store) == [{"from_addr": "", "subject": "Hallo" * MAX_ENCODED_WORDS}]


def test_hostile_sent_mail_is_bounded_before_scoring(store: Store) -> None:
    record = parse_headers(HOSTILE, source="imap", direction="out")
    record.account, record.folder, record.uid = "work", "Sent", 1
    store.record_message(record)
    scorer = FakeScorer()
    client: Any = FakeClient(HOSTILE)
    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    assert score_sent(client, store, "work", "Sent", [1], scorer, now=now) == 1
    assert len(scorer.seen[0]) < 5000
