"""Helpers shared by the IMAP tests: an account for a test Dovecot, mail, waiting;
a hostile message and a fake IMAP client that serves it, for the watchers' own code."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from email.utils import format_datetime
from typing import Any, TypeVar

import pytest
from support import polling
from support.dovecot import Dovecot

from daemon.config.sections import AccountSettings
from daemon.imap.drafts import FETCH_ITEM

PASSWORD_ENV = "TRUSTMAIL_TEST_IMAP_PASSWORD"
WAIT_SECONDS = 15.0
T = TypeVar("T")

# Issue 13's hostile headers in one message: 50,000 nested comments, a Subject of 20,000
# adjacent encoded words (~4 GB in the stdlib's parser unbounded), 20,000 parameters.
HOSTILE = (b"From: " + b"(" * 50_000 + b"\r\nDate: Thu, 03 Dec 2026 09:00:00 +0000\r\n"
           b"Message-ID: <h1@example.com>\r\nSubject: "
           + b" ".join([b"=?utf-8?b?SGFsbG8=?="] * 20_000)
           + b"\r\nContent-Type: text/plain" + b"; a=b" * 20_000 + b"\r\n\r\nHello there.\r\n")


class FakeClient:
    """The few IMAPClient calls the watchers make, over messages at UIDs 1, 2, ..."""

    def __init__(self, *raws: bytes) -> None:
        self.raws = raws
        self.flagged: list[int] = []

    def folder_status(self, folder: str, items: Sequence[str]) -> dict[bytes, int]:
        return {b"UIDVALIDITY": 7, b"UIDNEXT": len(self.raws) + 1}

    def search(self, criteria: Sequence[str]) -> list[int]:
        return list(range(1, len(self.raws) + 1))

    def fetch(self, uids: Sequence[int], items: Sequence[str]) -> dict[int, dict[bytes, bytes]]:
        return {uid: {FETCH_ITEM: self.raws[uid - 1]} for uid in uids}

    def add_flags(self, uids: Sequence[int], flags: Sequence[bytes]) -> None:
        self.flagged.extend(uids)


class RefusingScorer:
    """The daemon's in-process scorer: IMAP mail must never be scored with it."""

    def score_message(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("an IMAP message was scored in the daemon process")

    def score_text(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("an IMAP message was scored in the daemon process")


def account_for(server: Dovecot, monkeypatch: pytest.MonkeyPatch,
                **overrides: object) -> AccountSettings:
    """An [[accounts]] entry pointing at the test server over verified implicit TLS."""
    monkeypatch.setenv(PASSWORD_ENV, server.password)
    settings: dict[str, object] = dict(
        name="work", host=server.host, port=server.imaps_port, tls="implicit",
        username=server.user, password_env=PASSWORD_ENV, ca_file=str(server.ca_file))
    settings.update(overrides)
    return AccountSettings(**settings)  # type: ignore[arg-type]


def account_toml(server: Dovecot) -> str:
    """The same account as an [[accounts]] table, for tests that write a config file
    (the password comes from PASSWORD_ENV, which the test sets)."""
    return (f'[[accounts]]\nname = "work"\nhost = "{server.host}"\n'
            f'port = {server.imaps_port}\ntls = "implicit"\nusername = "{server.user}"\n'
            f'password_env = "{PASSWORD_ENV}"\nca_file = "{server.ca_file}"\n')


def mail(sender: str, to: str, subject: str, when: datetime, message_id: str,
         in_reply_to: str = "", body: str = "Hello.\n") -> bytes:
    headers = [f"From: {sender}", f"To: {to}", f"Subject: {subject}",
               f"Date: {format_datetime(when)}", f"Message-ID: {message_id}"]
    if in_reply_to:
        headers += [f"In-Reply-To: {in_reply_to}", f"References: {in_reply_to}"]
    return ("\r\n".join(headers) + "\r\n\r\n" + body.replace("\n", "\r\n")).encode()


def wait_for(check: Callable[[], T], what: str, timeout: float = WAIT_SECONDS) -> T:
    """Poll ``check`` until it returns something truthy (real servers take a moment)."""
    return polling.wait_for(check, what, timeout)
