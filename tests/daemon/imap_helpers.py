"""Helpers shared by the IMAP tests: an account for a test Dovecot, mail, waiting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from email.utils import format_datetime
from typing import TypeVar

import pytest
from support import polling
from support.dovecot import Dovecot

from daemon.config.sections import AccountSettings

PASSWORD_ENV = "TRUSTMAIL_TEST_IMAP_PASSWORD"
WAIT_SECONDS = 15.0
T = TypeVar("T")


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
