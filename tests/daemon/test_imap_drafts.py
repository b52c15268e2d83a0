"""Drafts watcher against a real Dovecot and the real scorer: IDLE sees a new draft."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from imap_helpers import account_for, mail, wait_for
from support.dovecot import Dovecot, dovecot_fixture  # noqa: F401  (fixture "dovecot")
from support.flaky_tcp import FlakyRelay

from daemon.config.load import load_config
from daemon.imap.account_worker import AccountWorker, is_mailbox_change
from daemon.imap.connection import connect
from daemon.imap.drafts import score_new_drafts
from daemon.store.database import open_store
from scoring import Scorer
from scoring.report import Report

KEYWORD = "$TrustmailWarn"
# weak under the shipped rules: blame, talking down, a vague promise with no owner
HEDGED_DRAFT = ("The delay was caused by our carrier, not us. As I already explained, you "
                "should have read the manual. Someone will get back to you soon.\n")
CLEAR_DRAFT = "Thank you for your order. I will send the invoice by Friday.\n"


def draft_rows(store_path: Path) -> list[tuple[int, int, str]]:
    store = open_store(str(store_path))
    try:
        return [(r["uid"], r["score"], r["verdict"]) for r in store.query(
            "SELECT uid, score, verdict FROM messages WHERE direction='draft' ORDER BY uid")]
    finally:
        store.close()


def test_idle_scores_a_new_draft_and_tags_a_weak_one(
        dovecot: Dovecot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scorer = Scorer(load_config(None).scoring)
    store_path = tmp_path / "store.sqlite3"
    account = account_for(dovecot, monkeypatch, draft_keyword=KEYWORD, notify=True)
    notices: list[tuple[str, str]] = []
    worker = AccountWorker(account, open_store(str(store_path)), scorer,
                           notify=lambda title, text: notices.append((title, text)))
    worker.start()
    try:
        wait_for(lambda: worker.connections == 1 and not worker.last_error, "the login")
        writer = dovecot.client()
        writer.login(dovecot.user, dovecot.password)
        now = datetime.now(UTC)
        writer.append("Drafts", mail("alice@example.com", "carla@customer.example",
                                     "Re: Invoice", now, "<d1@example.com>", body=HEDGED_DRAFT),
                      flags=[b"\\Draft"])
        rows = wait_for(lambda: draft_rows(store_path), "the draft to be scored")
        assert rows[0][0] == 1 and rows[0][2] != "pass"

        writer.append("Drafts", mail("alice@example.com", "carla@customer.example",
                                     "Re: Invoice", now, "<d2@example.com>", body=CLEAR_DRAFT),
                      flags=[b"\\Draft"])
        rows = wait_for(lambda: len(draft_rows(store_path)) == 2 and draft_rows(store_path),
                        "the second draft")
        writer.select_folder("Drafts", readonly=True)
        flags = writer.get_flags([1, 2])
        writer.logout()
    finally:
        worker.stop()
    assert KEYWORD.encode() in flags[1]
    assert (KEYWORD.encode() in flags[2]) == (rows[1][2] != "pass")
    assert notices[0] == (f"trustmail: draft scored {rows[0][1]} ({rows[0][2]})", "Re: Invoice")
    assert len(notices) == sum(1 for row in rows if row[2] != "pass")


def test_the_imapclient_idle_abort_is_survived(
        dovecot: Dovecot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reply split mid-line during IDLE makes imapclient raise ``IMAP4.abort`` (bug
    #519); the worker reconnects and still scores the draft."""
    relay = FlakyRelay(dovecot.host, dovecot.imap_port).start()
    account = account_for(dovecot, monkeypatch, port=relay.port, tls="none")
    store_path = tmp_path / "store.sqlite3"
    worker = AccountWorker(account, open_store(str(store_path)),
                           Scorer(load_config(None).scoring), backoff_start=0.2,
                           notify=lambda *_: None)
    worker.start()
    try:
        wait_for(lambda: worker.connections == 1, "the first connection")
        time.sleep(0.5)                        # let the worker enter IDLE
        relay.split_next_line()
        writer = dovecot.client()
        writer.login(dovecot.user, dovecot.password)
        writer.append("Drafts", mail("alice@example.com", "carla@customer.example", "Re: x",
                                     datetime.now(UTC), "<d1@example.com>", body=CLEAR_DRAFT))
        writer.logout()
        wait_for(lambda: draft_rows(store_path), "the draft, scored after reconnecting")
    finally:
        worker.stop()
        relay.close()
    assert relay.cuts == 1 and worker.connections == 2
    assert any(error.startswith("abort:") for error in worker.recent_errors)


@pytest.mark.parametrize(("response", "change"), [
    ((3, b"EXISTS"), True), ((2, b"EXPUNGE"), True), ((1, b"FETCH", (b"FLAGS", ())), True),
    ((b"OK", b"Still here"), False), (b"garbage", False)])
def test_only_mailbox_changes_wake_the_watcher(response: object, change: bool) -> None:
    assert is_mailbox_change(response) is change


def test_a_replaced_draft_leaves_the_store(dovecot: Dovecot, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Clients save a changed draft as a new message and expunge the old one."""
    store = open_store(str(tmp_path / "store.sqlite3"))
    scorer = Scorer(load_config(None).scoring)
    account = account_for(dovecot, monkeypatch)
    client = connect(account)
    now = datetime.now(UTC)
    client.append("Drafts", mail("alice@example.com", "c@x.example", "Re: x", now,
                                 "<v1@example.com>", body="First version.\n"), flags=[b"\\Draft"])
    client.select_folder("Drafts")
    assert score_new_drafts(client, store, account, "Drafts", scorer) == [1]

    client.append("Drafts", mail("alice@example.com", "c@x.example", "Re: x", now,
                                 "<v2@example.com>", body=CLEAR_DRAFT), flags=[b"\\Draft"])
    client.delete_messages([1])
    client.expunge()
    assert score_new_drafts(client, store, account, "Drafts", scorer) == [2]
    client.logout()
    assert [(r["uid"], r["message_id"]) for r in store.query(
        "SELECT uid, message_id FROM messages WHERE direction='draft'")] == [
        (2, "<v2@example.com>")]


class SavesADraftWhileScoring:
    """The real scorer; while it scores the first draft, the user saves another one, so
    the server announces it in its reply to the worker's STORE of the keyword (the
    first draft is weak), before IDLE."""

    def __init__(self, dovecot: Dovecot, scorer: Scorer) -> None:
        self.dovecot, self.scorer, self.saved = dovecot, scorer, False

    def score_message(self, raw: bytes, **kwargs: object) -> object:
        if not self.saved:
            self.saved = True
            writer = self.dovecot.client()
            writer.login(self.dovecot.user, self.dovecot.password)
            writer.append("Drafts", mail("alice@example.com", "c@x.example", "Re: x",
                                         datetime.now(UTC), "<during@example.com>",
                                         body=CLEAR_DRAFT), flags=[b"\\Draft"])
            writer.logout()
        return self.scorer.score_message(raw, **kwargs)  # type: ignore[arg-type]


def test_a_draft_saved_while_another_is_scored_is_not_left_for_later(
        dovecot: Dovecot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store_path = tmp_path / "store.sqlite3"
    account = account_for(dovecot, monkeypatch, draft_keyword=KEYWORD)
    scorer = SavesADraftWhileScoring(dovecot, Scorer(load_config(None).scoring))
    worker = AccountWorker(account, open_store(str(store_path)), scorer,  # type: ignore[arg-type]
                           notify=lambda *_: None)
    worker.start()
    try:
        wait_for(lambda: worker.connections == 1 and not worker.last_error, "the login")
        writer = dovecot.client()
        writer.login(dovecot.user, dovecot.password)
        writer.append("Drafts", mail("alice@example.com", "c@x.example", "Re: x",
                                     datetime.now(UTC), "<first@example.com>",
                                     body=HEDGED_DRAFT), flags=[b"\\Draft"])
        writer.logout()
        # well under the 10-minute IDLE renewal that would otherwise pick it up
        rows = wait_for(lambda: len(draft_rows(store_path)) == 2 and draft_rows(store_path),
                        "both drafts", timeout=10.0)
    finally:
        worker.stop()
    assert [row[0] for row in rows] == [1, 2]


def test_each_scored_draft_is_told_to_on_scored(dovecot: Dovecot, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The daemon counts IMAP drafts for team metrics through ``on_scored``."""
    store = open_store(str(tmp_path / "store.sqlite3"))
    account = account_for(dovecot, monkeypatch)
    client = connect(account)
    client.append("Drafts", mail("alice@example.com", "c@x.example", "Re: x", datetime.now(UTC),
                                 "<m1@example.com>", body=HEDGED_DRAFT), flags=[b"\\Draft"])
    client.select_folder("Drafts")
    told: list[Report] = []
    assert score_new_drafts(client, store, account, "Drafts", Scorer(load_config(None).scoring),
                            on_scored=told.append) == [1]
    client.logout()
    assert [report.verdict for report in told] == [
        r["verdict"] for r in store.query("SELECT verdict FROM messages")]
    assert told[0].verdict != "pass"
