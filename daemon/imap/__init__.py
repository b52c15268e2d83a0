"""IMAP: connection (TLS, passwords), SPECIAL-USE folders, header sync, Drafts IDLE.

One thread per account (imapclient is synchronous and not thread safe): see
:mod:`daemon.imap.account_worker`. Errors a user can fix raise :class:`ImapError`.
"""

from __future__ import annotations

from scoring.errors import TrustmailError


class ImapError(TrustmailError):
    """An IMAP account cannot be used: no password, login refused, folder missing..."""
