"""Deliver a built report into an account's inbox by IMAP APPEND."""

from __future__ import annotations

from datetime import datetime

from imapclient import IMAPClient

from daemon.config.sections import AccountSettings
from daemon.imap.connection import connect


def append_report(client: IMAPClient, folder: str, raw: bytes, when: datetime) -> None:
    """APPEND as an unread message with the report's date as its internal date."""
    client.append(folder, raw, flags=(), msg_time=when)


def deliver_report(account: AccountSettings, raw: bytes, when: datetime) -> None:
    """Connect to the account, APPEND into its inbox folder, log out."""
    client = connect(account)
    try:
        append_report(client, account.inbox_folder or "INBOX", raw, when)
    finally:
        client.logout()
